"""The forms of the sales catalog: a good, a warehouse, a document type, a stock movement.

They check what a person typed; the rules are the services' (billing.services), whose
refusals come back onto these fields with apply_errors. A name or prefix already taken is
also checked here, so it is shown on its field (the services' full_clean skips the
practice's unique constraints, and the database's refusal names only `name`)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from billing.models import (
    MANUAL_REASONS,
    SALE_KINDS,
    DocumentType,
    MovementReason,
    Product,
    Warehouse,
)
from billing.services import MAX_AMOUNT, MAX_QUANTITY
from practices.models import Member


def _taken(queryset: QuerySet, instance: Model | None, **lookup: str) -> bool:
    if instance is not None:
        queryset = queryset.exclude(pk=instance.pk)
    return queryset.filter(**lookup).exists()


def _active_field(label) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Product code"),
        max_length=40,
        required=False,
        help_text=_("Your own code or the barcode, if you use one."),
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=20, required=False, help_text=_("Such as “pc”, “box” or “kg”.")
    )
    price = forms.DecimalField(
        label=_("Price"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
        help_text=_("With tax, as the client pays it."),
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
    )
    is_active = _active_field(_("Active (offered when selling)"))

    def __init__(self, *args, member: Member, instance: Product | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "code": instance.code,
                    "unit": instance.unit,
                    "price": instance.price,
                    "tax_rate": instance.tax_rate,
                    "is_active": instance.is_active,
                },
            )
        else:
            kwargs.setdefault("initial", {"is_active": True, "tax_rate": Decimal(0)})
        super().__init__(*args, **kwargs)
        self.member = member
        self.instance = instance

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        goods = Product.objects.filter(practice_id=self.member.practice_id)
        if _taken(goods, self.instance, name__iexact=name):
            raise ValidationError(_("The practice already has a good with this name."))
        return name


class WarehouseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = _active_field(_("Active (goods are sold from it)"))

    def __init__(self, *args, member: Member, instance: Warehouse | None = None, **kwargs):
        initial = {"is_active": True}
        if instance is not None:
            initial = {"name": instance.name, "is_active": instance.is_active}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.member = member
        self.instance = instance

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        warehouses = Warehouse.objects.filter(practice_id=self.member.practice_id)
        if _taken(warehouses, self.instance, name__iexact=name):
            raise ValidationError(_("The practice already has a warehouse with this name."))
        return name


class DocumentTypeForm(forms.Form):
    """A new type of a sale kind (with `kind`), or a change of any type's name, prefix and
    status (with `instance`: its kind is fixed, since its numbers were given as that kind)."""

    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Name"), max_length=100)
    prefix = forms.CharField(
        label=_("Number prefix"),
        max_length=10,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", _("Letters, digits and hyphens only."))],
        help_text=_("Numbers read PREFIX/year/0001. Numbers already given keep theirs."),
    )
    is_active = _active_field(_("Active (offered when issuing)"))

    def __init__(self, *args, member: Member, instance: DocumentType | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {"name": instance.name, "prefix": instance.prefix, "is_active": instance.is_active},
            )
        super().__init__(*args, **kwargs)
        self.member = member
        self.instance = instance
        if instance is None:
            # add_document_type makes new types active; they are switched off by editing.
            del self.fields["is_active"]
            self.fields["kind"].choices = [("", "—"), *((k.value, k.label) for k in SALE_KINDS)]
        else:
            del self.fields["kind"]

    def clean_prefix(self) -> str:
        # As the service stores it.
        prefix = self.cleaned_data["prefix"].strip().upper()
        types = DocumentType.objects.filter(practice_id=self.member.practice_id)
        if _taken(types, self.instance, prefix__iexact=prefix):
            raise ValidationError(_("Another document type has this prefix."))
        return prefix


IN, OUT = "in", "out"
# Reasons that go one way only: a delivery adds, damage and internal use take away. A count
# correction and "other" go either way.
REASON_DIRECTION = {
    MovementReason.DELIVERY: IN,
    MovementReason.DAMAGE: OUT,
    MovementReason.INTERNAL: OUT,
}


class MovementForm(forms.Form):
    """A movement by hand. The quantity is typed without a sign and the direction is chosen
    apart (no default), and checked against the reason: a minus sign forgotten or typed
    twice cannot turn a delivery into a removal."""

    product = forms.ModelChoiceField(label=_("Good"), queryset=Product.objects.none())
    direction = forms.ChoiceField(
        label=_("In or out"),
        choices=[(IN, _("In: add to stock (+)")), (OUT, _("Out: take from stock (−)"))],
        widget=forms.RadioSelect,
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"min": "0.001", "step": "any", "inputmode": "decimal"}),
        help_text=_("Without a sign: the direction is chosen above."),
    )
    reason = forms.ChoiceField(label=_("Reason"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, goods: QuerySet[Product], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = goods
        self.fields["reason"].choices = [("", "—"), *((r.value, r.label) for r in MANUAL_REASONS)]

    def clean_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        if quantity < 0:
            raise ValidationError(_("Enter the quantity without a sign; choose in or out above."))
        if quantity == 0:
            raise ValidationError(_("Enter a quantity other than zero."))
        return quantity

    def clean(self) -> dict:
        data = super().clean()
        direction, reason = data.get("direction"), data.get("reason")
        expected = REASON_DIRECTION.get(reason) if reason else None
        if direction and expected and direction != expected:
            message = (
                _("A delivery adds to stock: choose “In”.")
                if expected == IN
                else _("This reason takes from stock: choose “Out”.")
            )
            self.add_error("direction", message)
        return data

    def signed_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        return quantity if self.cleaned_data["direction"] == IN else -quantity

"""The forms of sales: a new sale (header, sessions to bill, lines), a payment, a collective
settlement, a credit note, a reversal, the turnover period. They check what a person typed;
the rules (stock, what may be billed, who may sell) are the services', whose errors come back
onto these fields."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from billing.models import SALE_KINDS, Document, DocumentType, Product, Warehouse
from billing.services import MAX_AMOUNT, MAX_QUANTITY, LineInput
from clientbook.lib.money import format_money
from clients.models import Client, PaymentMethod
from pets.models import Animal
from practices.models import Practice
from scheduling.models import Service, Session


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_field(label, *, required: bool = True, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


def _percent_field(label, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
    )


def _check_year(value: datetime.date | None) -> datetime.date | None:
    if value is not None and not 1900 <= value.year <= 9998:
        raise ValidationError(_("Enter a date between 1900 and 9998."))
    return value


class SessionChoice(forms.ModelMultipleChoiceField):
    def __init__(self, *args, practice: Practice, **kwargs):
        self.practice = practice
        super().__init__(*args, **kwargs)

    def label_from_instance(self, session: Session) -> str:
        local = timezone.localtime(session.starts_at, self.practice.tz)
        what = session.service.name if session.service else _("Session")
        price = (
            format_money(session.price, self.practice.currency) if session.price is not None else ""
        )
        parts = [formats.date_format(local, "SHORT_DATETIME_FORMAT"), str(what)]
        if session.get_status_display and session.status != "attended":
            parts.append(str(session.get_status_display()))
        return " · ".join(p for p in (*parts, price) if p)


class SaleForm(forms.Form):
    document_type = forms.ModelChoiceField(
        label=_("Document type"), queryset=DocumentType.objects.none(), empty_label=None
    )
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.none(),
        required=False,
        help_text=_("Where the goods on this sale leave from."),
    )
    sale_date = forms.DateField(label=_("Sale date"), required=False, widget=_date_widget())
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date_widget())
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    pay_now = forms.BooleanField(label=_("Paid now"), required=False)
    payment_method = forms.ChoiceField(
        label=_("Payment method"), choices=PaymentMethod.choices, required=False
    )
    payment_reference = forms.CharField(label=_("Reference"), required=False, max_length=100)

    def __init__(self, *args, client: Client, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        practice = client.practice
        self.fields["document_type"].queryset = DocumentType.objects.filter(
            practice=practice, kind__in=SALE_KINDS, is_active=True
        ).order_by("kind", "name")
        warehouses = Warehouse.objects.filter(practice=practice, is_active=True)
        self.fields["warehouse"].queryset = warehouses
        if len(warehouses) == 1:
            self.fields["warehouse"].initial = warehouses[0].pk
        self.fields["sessions"] = SessionChoice(
            label=_("Sessions to bill"),
            queryset=sessions,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            practice=practice,
        )
        self.fields["payment_method"].initial = client.payment_method or PaymentMethod.CASH

    def clean_sale_date(self):
        return _check_year(self.cleaned_data.get("sale_date"))

    def clean_due_date(self):
        return _check_year(self.cleaned_data.get("due_date"))

    def clean(self):
        data = super().clean()
        if data.get("pay_now") and not data.get("payment_method"):
            self.add_error("payment_method", _("Choose how it was paid."))
        return data


class LineForm(forms.Form):
    """One line: a service or a good from the catalog (or free text), quantity and price; the
    price and tax left empty come from the catalog."""

    item = forms.ChoiceField(label=_("Service or good"), required=False)
    animal = forms.ModelChoiceField(
        label=_("Animal"), queryset=Animal.objects.none(), required=False
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
    )
    unit_price = _money_field(_("Unit price"), required=False)
    discount_percent = _percent_field(_("Discount (%)"), required=False)
    tax_rate = _percent_field(_("Tax (%)"), required=False)

    def __init__(self, *args, catalog: "Catalog", **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog = catalog
        self.fields["item"].choices = catalog.choices
        if catalog.animals is None:
            del self.fields["animal"]
        else:
            self.fields["animal"].queryset = catalog.animals

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("item") and not (data.get("description") or "").strip()

    def clean_item(self):
        value = self.cleaned_data.get("item") or ""
        if value and value not in self.catalog.items:
            raise ValidationError(_("Choose a service or good of the list."))
        return value

    def clean(self):
        data = super().clean()
        if not self.is_blank and data.get("quantity") is None and "quantity" not in self.errors:
            data["quantity"] = Decimal(1)
        return data

    def to_input(self) -> LineInput:
        data = self.cleaned_data
        item = self.catalog.items.get(data.get("item") or "")
        return LineInput(
            quantity=data.get("quantity") or Decimal(1),
            service=item if isinstance(item, Service) else None,
            product=item if isinstance(item, Product) else None,
            animal=data.get("animal"),
            description=(data.get("description") or "").strip(),
            unit_price=data.get("unit_price"),
            discount_percent=data.get("discount_percent") or Decimal(0),
            tax_rate=data.get("tax_rate"),
        )


class Catalog:
    """What a line can name, read once per page: active services ("s12") and goods ("g5"),
    and in a veterinary practice the client's active animals."""

    def __init__(self, client: Client):
        practice = client.practice
        services = list(Service.objects.filter(practice=practice, is_active=True).order_by("name"))
        goods = list(Product.objects.filter(practice=practice, is_active=True).order_by("name"))
        self.items: dict[str, Service | Product] = {f"s{s.pk}": s for s in services}
        self.items |= {f"g{g.pk}": g for g in goods}
        money = lambda amount: format_money(amount, practice.currency)  # noqa: E731
        self.choices: list = [("", "—")]
        if services:
            self.choices.append((
                _("Services"),
                [(f"s{s.pk}", f"{s.name} · {money(s.default_price)}" if s.default_price is not None
                  else s.name) for s in services],
            ))  # fmt: skip
        if goods:
            self.choices.append(
                (_("Goods"), [(f"g{g.pk}", f"{g.name} · {money(g.price)}") for g in goods])
            )
        self.animals = (
            Animal.objects.filter(practice=practice, client=client, is_active=True)
            if practice.kind == Practice.Kind.VETERINARY
            else None
        )


class BaseLineFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "catalog": self.form_kwargs["catalog"]}


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=0, max_num=200, absolute_max=200
)


class PaymentForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents"), queryset=Document.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=_("Paid on"), widget=_date_widget())
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, open_documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = open_documents

    def clean_paid_on(self):
        return _check_year(self.cleaned_data.get("paid_on"))


class SettlementForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents to settle"),
        queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=_("Paid on"), widget=_date_widget())
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)

    def __init__(self, *args, open_documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = open_documents

    def clean_paid_on(self):
        return _check_year(self.cleaned_data.get("paid_on"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SendForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Send by"), choices=[("email", _("E-mail")), ("whatsapp", _("WhatsApp"))]
    )
    recipient = forms.ChoiceField(
        label=_("To"),
        required=False,
        choices=[("", _("As the card says")), ("client", _("The client")),
                 ("guardian", _("The guardian"))],
    )  # fmt: skip
    body = forms.CharField(
        label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=_date_widget())
    end = forms.DateField(label=_("To"), required=False, widget=_date_widget())

    def clean_start(self):
        return _check_year(self.cleaned_data.get("start"))

    def clean_end(self):
        return _check_year(self.cleaned_data.get("end"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end is before the start."))
        return data

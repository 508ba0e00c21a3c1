"""The client card form: validation per field in the user's language, rules per country.

The API validates through this same form, so a CPF refused on the page is refused by the API
with the same message.
"""

import re
from collections.abc import Iterable
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.br.forms import BRCNPJField, BRCPFField, BRZipCodeField
from localflavor.ca.forms import CAPostalCodeField
from localflavor.pl.forms import PLNIPField, PLPESELField, PLPostalCodeField
from phonenumber_field.formfields import PhoneNumberField
from phonenumbers import PhoneNumberType

from clientbook.lib.text import digits
from clients.countries import REGIONS, field_label
from clients.models import Client, Status
from clients.services import CARD_FIELDS, CardData
from intake.models import AnamnesisGroup
from practices.models import Member, Practice, Professional, Role

NO_NUL = re.compile(r"\x00")

# The card's sections, in the order of the page (PsicoManager's registration form).
SECTIONS: list[tuple[str, Any, list[str]]] = [
    (
        "personal",
        _("Personal information"),
        ["full_name", "preferred_name", "professionals", "birth_date", "national_id", "email",
         "phone", "whatsapp", "anamnesis_group", "notes"],
    ),
    (
        "financial",
        _("Financial information"),
        ["billing_name", "billing_tax_id", "default_fee", "payment_method", "receives_invoices"],
    ),
    ("address", _("Address"), ["street", "street2", "postal_code", "city", "region", "country"]),
    (
        "additional",
        _("Additional data"),
        ["referral_source", "insurance", "insurance_number", "emergency_contact_name",
         "emergency_contact_phone", "tags", "first_contact_at"],
    ),
    (
        "guardian",
        _("Guardian"),
        ["guardian_name", "guardian_relation", "guardian_national_id", "guardian_email",
         "guardian_phone", "guardian_whatsapp", "billing_to_guardian_email",
         "billing_to_guardian_whatsapp", "documents_to_guardian_email",
         "documents_to_guardian_whatsapp"],
    ),
]  # fmt: skip
QUICK_FIELDS = SECTIONS[0][2]
COUNTRY_CHOICES = [("", "—"), *Practice.Country.choices[:-1]]


class TagsField(forms.CharField):
    """Tags typed as "anxiety, couple, sliding fee"; kept as a list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple):
            items = [str(v) for v in value]
        else:
            items = (super().to_python(value) or "").split(",")
        if any("\x00" in item for item in items):
            raise ValidationError(_("This field contains a character that is not allowed."))
        tags: list[str] = []
        for tag in (t.strip() for t in items):
            if tag and tag not in tags:
                tags.append(tag[:50])
        return tags


class ProfessionalsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def _check_values(self, value):
        # Out-of-range ids must be "unknown", not a database overflow.
        for pk in value:
            if not str(pk).isdigit() or int(pk) >= 2**63:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)

    def label_from_instance(self, obj: Professional) -> str:
        return f"{obj.name} ({obj.title})" if obj.title else obj.name


class ClientForm(forms.ModelForm):
    professionals = ProfessionalsField(
        label=_("Responsible professionals"),
        queryset=Professional.objects.none(),
        error_messages={
            "required": _("Choose at least one responsible professional."),
            "invalid_choice": _("Unknown professional: %(value)s."),
            "invalid_pk_value": _("Unknown professional: %(pk)s."),
        },
    )
    status = forms.ChoiceField(
        label=_("Register as"),
        choices=[(Status.ACTIVE, _("Active")), (Status.WAITLIST, _("Waitlist"))],
        initial=Status.ACTIVE,
        required=False,
    )
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES, required=False)

    class Meta:
        model = Client
        fields = CARD_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "first_contact_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args,
        practice: Practice,
        member: Member | None = None,
        only: Iterable[str] | None = None,
        quick: bool = False,
        registering: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.member = member
        self.quick = quick
        country = practice.country
        region = practice.phone_region

        professionals = self.fields["professionals"]
        professionals.queryset = Professional.objects.filter(practice=practice).active()
        if self.instance.pk:
            # Keep an inactive professional still linked to this client selectable.
            professionals.queryset = Professional.objects.filter(practice=practice).filter(
                is_active=True
            ) | Professional.objects.filter(practice=practice, clients=self.instance)
            professionals.queryset = professionals.queryset.distinct()
            self.initial.setdefault("professionals", list(self.instance.professionals.all()))
        own = getattr(member, "professional", None) if member else None
        if member is not None and member.role == Role.PROFESSIONAL and own is not None:
            self.initial.setdefault("professionals", [own])

        self.fields["anamnesis_group"].queryset = AnamnesisGroup.objects.filter(practice=practice)
        self.fields["first_contact_at"].required = False
        self.fields["first_contact_at"].help_text = _("Orders the waitlist.")
        self.initial.setdefault("country", "" if self.instance.pk else country)

        for name in Client.PHONE_FIELDS:
            old = self.fields[name]
            self.fields[name] = PhoneNumberField(
                label=old.label,
                required=False,
                region=region,
                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                error_messages={
                    "invalid": _("Enter a valid phone number, e.g. %(example)s.")
                    % {"example": _example_phone(region)}
                },
            )

        # National IDs and postal codes are checked in clean(), by the country of the card's
        # address: a Polish clinic's German client has a German postal code.
        if country in REGIONS:
            self.fields["region"] = forms.ChoiceField(
                label=self.fields["region"].label,
                choices=[("", "—"), *REGIONS[country]],
                required=False,
            )
        for name, form_field in self.fields.items():
            form_field.label = field_label(country, name) or form_field.label
        for name in ("email", "guardian_email"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["full_name"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})
        self.fields["default_fee"].validators.append(MinValueValidator(0))
        self.fields["default_fee"].widget.attrs["min"] = "0"

        if not registering:
            del self.fields["status"]
        if quick:
            keep = {*QUICK_FIELDS, "status"}
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]
        if only is not None:
            keep = set(only)
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]

    # Field rules that depend on the country.

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("The birth date cannot be in the future."))
        if value and value.year < 1900:
            raise ValidationError(_("Enter a birth date after 1900."))
        return value

    def clean_first_contact_at(self):
        value = self.cleaned_data.get("first_contact_at")
        if value and not 1900 <= value.year <= 9998:
            raise ValidationError(_("Enter a date between 1900 and 9998."))
        return value

    def clean_billing_tax_id(self):
        value = (self.cleaned_data.get("billing_tax_id") or "").strip()
        if not value:
            return value
        country = self.practice.country
        if country == "BR":
            if len(digits(value)) <= 11:
                _cpf_field().clean(value)
                return _format_cpf(value)
            return BRCNPJField(required=False).clean(value)
        if country == "PL":
            number = digits(value)
            if len(number) == 11:
                return PLPESELField(required=False).clean(number)
            try:
                return digits(PLNIPField(required=False).clean(value))
            except ValidationError:
                raise ValidationError(_("Enter a valid NIP (10 digits) or PESEL.")) from None
        return value

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and NO_NUL.search(value):
                self.add_error(name, _("This field contains a character that is not allowed."))
        self._check_by_country(cleaned)
        if "first_contact_at" in self.fields:
            posted, stored = cleaned.get("first_contact_at"), self.instance.first_contact_at
            # The field shows minutes: the same minute posted back is no change.
            if self.instance.pk and (
                not posted
                or posted.replace(second=0, microsecond=0)
                == stored.replace(second=0, microsecond=0)
            ):
                cleaned["first_contact_at"] = stored
        return cleaned

    def _address_country(self, cleaned: dict) -> str:
        if "country" in self.fields:
            return cleaned.get("country") or self.practice.country
        return (self.instance.country if self.instance.pk else "") or self.practice.country

    def _check_by_country(self, cleaned: dict) -> None:
        """National IDs (CPF, PESEL) and postal codes by the country of the client's address."""
        country = self._address_country(cleaned)
        checks = {"postal_code": POSTAL_CODE_FIELDS.get(country)}
        id_field = NATIONAL_ID_FIELDS.get(country)
        checks |= {"national_id": id_field, "guardian_national_id": id_field}
        for name, make_field in checks.items():
            value = (cleaned.get(name) or "").strip() if name in self.fields else ""
            if not value or make_field is None:
                continue
            try:
                value = make_field().clean(value)
            except ValidationError as error:
                self.add_error(name, error)
                continue
            cleaned[name] = (
                _format_cpf(value) if country == "BR" and name != "postal_code" else value
            )

    def _post_clean(self) -> None:
        # The services validate and save the model; skip ModelForm's instance construction,
        # which would write onto self.instance before the service has checked permissions.
        pass

    def card_data(self) -> CardData:
        fields = {k: v for k, v in self.cleaned_data.items() if k in CARD_FIELDS}
        return CardData(
            fields=fields, professionals=list(self.cleaned_data.get("professionals", []))
        )


def _example_phone(region: str | None) -> str:
    example = phonenumbers.example_number_for_type(region or "PL", PhoneNumberType.MOBILE)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(example, style)


def _cpf_field(**kwargs) -> BRCPFField:
    message = _("Enter a valid CPF (11 digits, e.g. 123.456.789-09).")
    return BRCPFField(
        required=False,
        max_length=None,
        min_length=None,
        error_messages={"invalid": message, "max_digits": message},
        **kwargs,
    )


NATIONAL_ID_FIELDS = {
    "BR": _cpf_field,
    "PL": lambda: PLPESELField(
        required=False, error_messages={"invalid": _("Enter a valid PESEL (11 digits).")}
    ),
}
POSTAL_CODE_FIELDS = {
    "BR": lambda: BRZipCodeField(required=False),
    "PL": lambda: PLPostalCodeField(required=False),
    "CA": lambda: CAPostalCodeField(required=False),
}


def _format_cpf(value: str) -> str:
    number = digits(value)
    if len(number) != 11:
        return value
    return f"{number[:3]}.{number[3:6]}.{number[6:9]}-{number[9:]}"


class ChangeCodeForm(forms.Form):
    code = forms.CharField(label=_("New code"), max_length=20)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if NO_NUL.search(code) or not re.fullmatch(r"[\w./-]+", code):
            raise ValidationError(_("Use letters, digits, dots, dashes and slashes only."))
        return code

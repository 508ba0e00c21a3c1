"""What changes on the card with the practice's country: the names of identifiers and the
regions (Brazil's states, Canada's provinces, Poland's voivodeships)."""

from django.utils.translation import gettext_lazy as _
from localflavor.br.br_states import STATE_CHOICES as BR_STATES
from localflavor.ca.ca_provinces import PROVINCE_CHOICES as CA_PROVINCES
from localflavor.pl.pl_voivodeships import VOIVODESHIP_CHOICES as PL_VOIVODESHIPS

REGIONS = {"BR": BR_STATES, "CA": CA_PROVINCES, "PL": PL_VOIVODESHIPS}

FIELD_LABELS = {
    "BR": {
        "national_id": _("CPF"),
        "guardian_national_id": _("Guardian's CPF"),
        "billing_tax_id": _("CPF / CNPJ for invoices"),
        "postal_code": _("CEP"),
        "region": _("State"),
    },
    "PL": {
        "national_id": _("PESEL"),
        "guardian_national_id": _("Guardian's PESEL"),
        "billing_tax_id": _("NIP (or PESEL) for invoices"),
        "region": _("Voivodeship"),
    },
    "CA": {"region": _("Province")},
}


def field_label(country: str, name: str) -> str | None:
    label = FIELD_LABELS.get(country, {}).get(name)
    return str(label) if label else None


def region_name(country: str, code: str) -> str:
    return str(dict(REGIONS.get(country, ())).get(code, code))

"""The client's history as a person reads it: field labels and values in the user's language."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit.models import Event
from audit.services import as_history_value
from clientbook.lib.money import format_money
from clientbook.lib.phones import format_phone
from clients.countries import field_label, region_name
from clients.models import Client
from practices.models import Practice


@dataclass
class Change:
    label: str
    old: Any
    new: Any


@dataclass
class Entry:
    event: Event
    title: str
    actor: str
    changes: list[Change]


def _label(name: str, country: str = "") -> str:
    if name == "professionals":
        return _("Responsible professionals")
    # Fields of the client's linked records that appear in its history.
    linked = {
        "session": _("Session"),
        "series": _("Recurring sessions"),
        "professional": _("Professional"),
        "room": _("Room"),
        "cancel_reason": _("Reason"),
        "not_booked": _("Not booked"),
        "animals": _("Animals"),
        "attachment": _("Attached file"),
        "generated_document": _("Document"),
        "anamnesis_revision": _("Anamnesis revision"),
        "anamnesis_changed": _("Answers changed"),
        "sale": _("Sales document"),
        "credit_note": _("Credit note"),
        "payment": _("Payment"),
        "settlement": _("Collective settlement"),
        "sales_documents": _("Sales documents"),
    }
    if name in linked:
        return linked[name]
    if name.startswith("animal_"):
        return capfirst(str(_animal_field(name.removeprefix("animal_"))))
    if label := field_label(country, name):
        return label
    try:
        return capfirst(str(Client._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def card_facts(client: Client, names: Iterable[str]) -> list[tuple[str, str]]:
    """(label, readable value) of the filled-in fields among `names`, for the card."""
    facts = []
    for name in names:
        if name == "professionals":
            continue
        value = getattr(client, name)
        if name == "anamnesis_group":
            value = client.anamnesis_group.name if value else None
        if value is False and name != "receives_invoices":
            continue  # an unticked option says nothing worth a line on the card
        shown = display(name, as_history_value(value), country=client.practice.country)
        if shown and name == "default_fee":
            shown = format_money(value, client.practice.currency)
        if shown not in (None, ""):
            facts.append((_label(name, client.practice.country), shown))
    return facts


def display(name: str, value: Any, *, country: str = "") -> str | None:
    """A stored or historical value as the user reads it: localized dates and numbers,
    phones in the national format of the practice's country, choices by their label."""
    value = _readable(name, value)
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if name in Client.PHONE_FIELDS and isinstance(value, str) and value.startswith("+"):
        return format_phone(value, country)
    if name == "default_fee":
        return formats.number_format(Decimal(value), 2, use_l10n=True)
    if name == "region":
        return region_name(country, value)
    return str(value)


def _readable(name: str, value: Any) -> Any:
    if value in (None, "", []):
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if name.startswith("animal_"):
        return _readable_animal(name.removeprefix("animal_"), value)
    try:
        field = Client._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    if not field.concrete:  # "series", "sessions": the linked records' own entries
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if name == "country":
        return dict(Practice.Country.choices).get(value, value)
    if isinstance(value, str) and field.get_internal_type() == "DateField":
        return parse_date(value) or value
    if isinstance(value, str) and field.get_internal_type() == "DateTimeField":
        return parse_datetime(value) or value
    return value


def _animal_field(name: str):
    # Imported here: animals depends on clients, not the other way round.
    from pets.models import Animal

    return Animal._meta.get_field(name).verbose_name


def _readable_animal(name: str, value: Any) -> Any:
    """An animal's field in the owner's history: choices by label, dates as dates."""
    from pets.models import Animal

    field = Animal._meta.get_field(name)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, str) and field.get_internal_type() == "DateField":
        return parse_date(value) or value
    return value


def timeline_entries(events: Iterable[Event], *, country: str = "") -> list[Entry]:
    entries = []
    for event in events:
        changes = [
            Change(
                _label(name, country),
                display(name, old, country=country),
                display(name, new, country=country),
            )
            for name, (old, new) in event.changes.items()
        ]
        actor = event.actor_label or _("Clientbook")
        entries.append(Entry(event, event.title, actor, changes))
    return entries

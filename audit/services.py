"""Writing the client's history. Called by the services that change things, in their transaction."""

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from phonenumber_field.phonenumber import PhoneNumber

from audit.models import Event, EventKind
from practices.models import Member, Practice


def as_history_value(value: Any) -> Any:
    """A JSON value a person can read later, whatever the field was."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, PhoneNumber):
        return value.as_e164 if value.is_valid() else str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return [as_history_value(v) for v in value]
    return str(value)


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields whose readable value differs."""
    changes = {}
    for field, new in after.items():
        old_value, new_value = as_history_value(before.get(field)), as_history_value(new)
        if (old_value or None) != (new_value or None):
            changes[field] = [old_value, new_value]
    return changes


def record_event(
    *,
    practice: Practice,
    kind: EventKind,
    by: Member | None,
    client=None,
    changes: dict[str, list] | None = None,
    data: dict | None = None,
    actor_label: str = "",
) -> Event:
    return Event.objects.create(
        practice=practice,
        client=client,
        actor=by,
        actor_label=actor_label or (str(by.user) if by else ""),
        kind=kind,
        changes=changes or {},
        data=data or {},
    )

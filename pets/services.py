"""Every operation that changes an animal. Pages and the API call these.

Each checks that the actor may change the owner (same practice, a role that changes clients,
a professional's own client), is atomic, and records its event on the owner's timeline.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import EventKind
from audit.services import as_history_value, changed_fields, record_event
from clients.models import Client, Status
from clients.services import check_can_change_client
from pets.models import Animal
from practices.models import Member

# The fields of an animal a user edits (owner, practice and `is_active` have their own ways).
ANIMAL_FIELDS = (
    "name", "species", "breed", "sex", "neutered", "birth_date", "microchip", "colour", "notes",
)  # fmt: skip


def history_key(field: str) -> str:
    """The key of an animal's field in the owner's history (kept apart from the card's)."""
    return f"animal_{field}"


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(ANIMAL_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))


def _check_owner(client: Client) -> None:
    if client.status == Status.FORGOTTEN:
        raise ValidationError(_("A forgotten client cannot have animals."))


def _save(animal: Animal, update_fields: list[str] | None = None) -> None:
    """Validate (per field, the microchip's uniqueness included) and save. A concurrent save of
    the same microchip passes the check and fails on the constraint: the same message then."""
    animal.full_clean(exclude=["practice", "client"])
    try:
        with transaction.atomic():
            animal.save(update_fields=update_fields)
    except IntegrityError:
        raise ValidationError(
            {"microchip": _("Another animal of the practice has this microchip.")}
        ) from None


@transaction.atomic
def add_animal(*, by: Member, client: Client, **fields: Any) -> Animal:
    check_can_change_client(client, by)
    _check_fields(fields)
    _check_owner(client)
    animal = Animal(practice_id=client.practice_id, client=client, **fields)
    _save(animal)
    record_event(
        practice=client.practice,
        client=client,
        by=by,
        kind=EventKind.ANIMAL_ADDED,
        data={"animal": animal.pk},
        changes={
            history_key(f): [None, as_history_value(getattr(animal, f))]
            for f in ("name", "species", "microchip")
            if getattr(animal, f)
        },
    )
    return animal


@transaction.atomic
def update_animal(animal: Animal, *, by: Member, **fields: Any) -> Animal:
    """Change any of ANIMAL_FIELDS; records only what changed (nothing if nothing did)."""
    client = animal.client
    check_can_change_client(client, by)
    _check_fields(fields)
    # Lock the row: two edits of one animal record their changes one after the other.
    locked = Animal.objects.select_for_update().get(pk=animal.pk, practice_id=by.practice_id)
    before = {f: getattr(locked, f) for f in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    changes = changed_fields(before, fields)
    if changes:
        _save(locked, update_fields=list(fields))
        record_event(
            practice=client.practice,
            client=client,
            by=by,
            kind=EventKind.ANIMAL_CHANGED,
            data={"animal": locked.pk, "name": locked.name},
            changes={history_key(f): change for f, change in changes.items()},
        )
    locked.client = client
    return locked


@transaction.atomic
def set_animals_active(
    animals_or_client: Animal | Client | Iterable[Animal], *, by: Member, active: bool
) -> int:
    """Mark animals inactive (or active again): one animal, several, or all of a client's.
    Returns how many changed; one event per owner names them."""
    if isinstance(animals_or_client, Client):
        owners = {animals_or_client.pk: animals_or_client}
        rows = Animal.objects.filter(client_id=animals_or_client.pk)
    else:
        animals = (
            [animals_or_client]
            if isinstance(animals_or_client, Animal)
            else list(animals_or_client)
        )
        owners = {a.client_id: a.client for a in animals}
        rows = Animal.objects.filter(pk__in=[a.pk for a in animals])
    for client in owners.values():
        check_can_change_client(client, by)
        if active:
            _check_owner(client)
    # Lock what changes: a concurrent toggle waits, then finds nothing left to change.
    changing = list(
        rows.filter(practice_id=by.practice_id, client_id__in=owners, is_active=not active)
        .select_for_update()
        .order_by("name", "pk")
        .values_list("pk", "client_id", "name")
    )
    if not changing:
        return 0
    count = Animal.objects.filter(pk__in=[pk for pk, _, _ in changing]).update(is_active=active)
    for client_id, client in owners.items():
        names = [name for _, owner, name in changing if owner == client_id]
        if names:
            record_event(
                practice=client.practice,
                client=client,
                by=by,
                kind=EventKind.ANIMAL_REACTIVATED if active else EventKind.ANIMAL_DEACTIVATED,
                data={"animals": [pk for pk, owner, _ in changing if owner == client_id]},
                changes={"animals": [None, names]},
            )
    return count

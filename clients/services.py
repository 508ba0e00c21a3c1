"""Every operation that changes a client. Pages, the API and the command line call these.

Each one checks the actor's role, works inside the actor's practice, is atomic, and writes its
event in the same transaction.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Event, EventKind
from audit.services import changed_fields, record_event
from clients.models import Client, ClientProfessional, Status, StatusCount
from clients.signals import card_changed
from practices import roles
from practices.models import Member, Practice, Professional, Role

# The fields of the card a user edits (everything but code, status and the derived fields).
CARD_FIELDS = (
    "full_name", "preferred_name", "birth_date", "national_id", "email", "phone", "whatsapp",
    "notes", "billing_name", "billing_tax_id", "default_fee", "payment_method",
    "receives_invoices", "street", "street2", "postal_code", "city", "region", "country",
    "referral_source", "insurance", "insurance_number", "emergency_contact_name",
    "emergency_contact_phone", "tags", "guardian_name", "guardian_relation",
    "guardian_national_id", "guardian_email", "guardian_phone", "guardian_whatsapp",
    "billing_to_guardian_email", "billing_to_guardian_whatsapp", "documents_to_guardian_email",
    "documents_to_guardian_whatsapp", "anamnesis_group", "first_contact_at",
)  # fmt: skip
REGISTRATION_STATUSES = (Status.ACTIVE, Status.WAITLIST)
CODE_DIGITS = 6


class StaleVersion(Exception):
    """The client changed since the caller read it; nothing was written."""

    def __init__(self, current: int):
        super().__init__(f"stale version; current version is {current}")
        self.current = current


@dataclass(frozen=True)
class CardData:
    """Validated card values (from ClientForm.cleaned_data) and the responsible professionals."""

    fields: Mapping[str, Any]
    professionals: list[Professional]


def _check_can(member: Member, permission: str) -> None:
    if not member.can(permission):
        raise PermissionDenied(_("Your role does not allow this."))


def _check_professionals(practice: Practice, professionals: Iterable[Professional]) -> None:
    professionals = list(professionals)
    if not professionals:
        raise ValidationError({"professionals": _("Choose at least one responsible professional.")})
    if any(p.practice_id != practice.pk for p in professionals):
        raise ValidationError({"professionals": _("Unknown professional.")})


def _check_anamnesis_group(practice: Practice, fields: Mapping[str, Any]) -> None:
    group = fields.get("anamnesis_group")
    if group is not None and group.practice_id != practice.pk:
        raise ValidationError({"anamnesis_group": _("Unknown anamnesis group.")})


def _own_professional(member: Member) -> Professional | None:
    return getattr(member, "professional", None) if member.role == Role.PROFESSIONAL else None


def bump_status_counts(practice: Practice, deltas: Mapping[str, int]) -> None:
    """Apply {status: +n/-n} to the practice's tab counts (same transaction as the change)."""
    for status, delta in deltas.items():
        if not delta:
            continue
        rows = StatusCount.objects.filter(practice=practice, status=status)
        if not rows.update(count=F("count") + delta):
            StatusCount.objects.bulk_create(
                [StatusCount(practice=practice, status=status)], ignore_conflicts=True
            )
            rows.update(count=F("count") + delta)


def _next_code(practice: Practice) -> str:
    # Lock the practice row: two receptionists registering at once get different codes.
    number = (
        Practice.objects.select_for_update()
        .filter(pk=practice.pk)
        .values_list("next_client_number", flat=True)
        .get()
    )
    code = f"{number:0{CODE_DIGITS}d}"
    # A code changed by hand may have taken a number the counter has not reached yet.
    while Client.objects.filter(practice=practice, code=code).exists():
        number += 1
        code = f"{number:0{CODE_DIGITS}d}"
    Practice.objects.filter(pk=practice.pk).update(next_client_number=number + 1)
    return code


def _set_professionals(client: Client, professionals: Iterable[Professional]) -> None:
    wanted = {p.pk for p in professionals}
    current = set(client.professional_links.values_list("professional_id", flat=True))
    client.professional_links.filter(professional_id__in=current - wanted).delete()
    ClientProfessional.objects.bulk_create(
        [
            ClientProfessional(practice_id=client.practice_id, client=client, professional_id=pk)
            for pk in wanted - current
        ]
    )


@transaction.atomic
def register_client(
    *, practice: Practice, by: Member, data: CardData, status: str = Status.ACTIVE
) -> Client:
    """A new client card, active or on the waitlist, with an automatic code."""
    if by.practice_id != practice.pk:
        raise PermissionDenied
    _check_can(by, roles.ADD_CLIENT)
    if status not in REGISTRATION_STATUSES:
        raise ValidationError({"status": _("A new client is either active or on the waitlist.")})
    professionals = list(data.professionals)
    own = _own_professional(by)
    if own is not None and own not in professionals:
        # A professional registers their own clients; they would not see it otherwise.
        professionals.append(own)
    _check_professionals(practice, professionals)

    fields = {k: v for k, v in data.fields.items() if k in CARD_FIELDS}
    _check_anamnesis_group(practice, fields)
    if fields.get("first_contact_at") is None:
        fields.pop("first_contact_at", None)
    client = Client(practice=practice, status=status, **fields)
    client.code = _next_code(practice)
    client.full_clean(exclude=["professionals", "anamnesis_group"], validate_unique=False)
    client.refresh_search_fields()
    client.save()
    _set_professionals(client, professionals)
    bump_status_counts(practice, {status: +1})
    record_event(
        practice=practice,
        client=client,
        by=by,
        kind=EventKind.CLIENT_CREATED,
        changes=changed_fields(
            {}, {**fields, "professionals": sorted(p.name for p in professionals)}
        ),
        data={"code": client.code, "status": status},
    )
    return client


def check_can_change_client(client: Client, by: Member) -> None:
    """`by` may change `client` (or book and bill for them): same practice, a role that
    changes clients, and for a professional, one of their own clients."""
    if by.practice_id != client.practice_id:
        raise PermissionDenied
    _check_can(by, roles.CHANGE_CLIENT)
    if not by.can(roles.VIEW_ALL_CLIENTS):
        own = _own_professional(by)
        if own is None or not client.professional_links.filter(professional=own).exists():
            raise PermissionDenied(_("You can only change the clients you are responsible for."))


@transaction.atomic
def update_client(
    client: Client,
    *,
    by: Member,
    fields: Mapping[str, Any],
    professionals: list[Professional] | None = None,
    expected_version: int | None = None,
) -> Client:
    """Change card fields (any subset of CARD_FIELDS) and, if given, the professionals.

    With `expected_version`, refuses (StaleVersion) when the card changed since it was read.
    """
    check_can_change_client(client, by)
    # Lock the row: a concurrent edit waits and then sees the new version.
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(locked.version)
    unknown = set(fields) - set(CARD_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in unknown})
    _check_anamnesis_group(locked.practice, fields)

    before = {f: getattr(locked, f) for f in fields}
    for field, value in fields.items():
        setattr(locked, field, value)
    changes = changed_fields(before, fields)

    if professionals is not None:
        own = _own_professional(by)
        if own is not None and own not in professionals:
            raise ValidationError(
                {"professionals": _("You cannot remove yourself from your own client.")}
            )
        _check_professionals(locked.practice, professionals)
        old = sorted(locked.professionals.values_list("name", flat=True))
        new = sorted(p.name for p in professionals)
        if old != new:
            changes["professionals"] = [old, new]
            _set_professionals(locked, professionals)

    if not changes:
        return locked
    locked.full_clean(exclude=["professionals", "anamnesis_group"], validate_unique=False)
    locked.refresh_search_fields()
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    record_event(
        practice=locked.practice,
        client=locked,
        by=by,
        kind=EventKind.CLIENT_UPDATED,
        changes=changes,
    )
    card_changed.send(sender=Client, client=locked, fields=set(changes))
    return locked


@transaction.atomic
def change_client_code(client: Client, *, by: Member, code: str) -> Client:
    """Give the client another code (discouraged). It must stay unique in the practice; the old
    code remains findable in the client's history."""
    check_can_change_client(client, by)
    _check_can(by, roles.CHANGE_CLIENT_CODE)
    code = code.strip()
    if not code:
        raise ValidationError({"code": _("The code cannot be empty.")})
    # Lock the practice row, as _next_code does: codes are assigned one at a time.
    Practice.objects.select_for_update().filter(pk=client.practice_id).exists()
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if code == locked.code:
        return locked
    if Client.objects.filter(practice_id=locked.practice_id, code=code).exists():
        raise ValidationError({"code": _("Another client already has the code %s.") % code})
    old = locked.code
    locked.code = code
    locked.former_codes = [*locked.former_codes, old]
    locked.refresh_search_fields()
    locked.version = F("version") + 1
    locked.save(
        update_fields=["code", "former_codes", "search_text", "sort_key", "version", "updated_at"]
    )
    locked.refresh_from_db()
    record_event(
        practice=locked.practice,
        client=locked,
        by=by,
        kind=EventKind.CLIENT_CODE_CHANGED,
        changes={"code": [old, code]},
    )
    return locked


# Status changes that touch nothing but the card. The lifecycle operations with effects on
# linked records (sessions, messages, sales) build on this one.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    Status.ACTIVE: {Status.WAITLIST, Status.INACTIVE},
    Status.WAITLIST: {Status.ACTIVE, Status.INACTIVE},
    Status.INACTIVE: {Status.ACTIVE, Status.WAITLIST},
}


@transaction.atomic
def change_status(clients: Iterable[Client], *, by: Member, status: str, reason: str = "") -> int:
    """Move clients to `status` (set-based), one event each; returns how many moved.

    Refuses the whole batch (nothing written) if any client cannot make that move."""
    # Lock and re-read the rows (a concurrent change must not be applied twice), once each,
    # and only in the actor's practice.
    pks = {c.pk for c in clients}
    clients = list(
        Client.objects.select_for_update().filter(pk__in=pks, practice_id=by.practice_id)
    )
    if len(clients) != len(pks):
        raise PermissionDenied
    for client in clients:
        check_can_change_client(client, by)
        if status not in STATUS_TRANSITIONS.get(client.status, set()):
            raise ValidationError(
                {
                    "status": _("%(name)s cannot go from %(old)s to %(new)s.")
                    % {
                        "name": client.full_name,
                        "old": client.get_status_display(),
                        "new": Status(status).label,
                    }
                }
            )
    if not clients:
        return 0
    now = timezone.now()
    Client.objects.filter(pk__in=pks).update(
        status=status, status_reason=reason, status_changed_at=now, version=F("version") + 1
    )
    deltas: dict[str, int] = {status: len(clients)}
    for client in clients:
        deltas[client.status] = deltas.get(client.status, 0) - 1
    bump_status_counts(by.practice, deltas)
    Event.objects.bulk_create(
        [
            Event(
                practice_id=by.practice_id,
                client_id=client.pk,
                actor=by,
                actor_label=str(by.user),
                kind=EventKind.CLIENT_STATUS_CHANGED,
                created_at=now,
                changes={"status": [client.status, status]}
                | ({"status_reason": [client.status_reason or None, reason]} if reason else {}),
            )
            for client in clients
        ]
    )
    return len(clients)

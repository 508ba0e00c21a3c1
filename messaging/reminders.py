"""Session reminders: one scheduled message per upcoming session, kept in step with it.

The agenda's operations call `sync_reminders` with the sessions they booked, moved, cancelled,
paused or resumed, inside their own transaction; the practice settings page calls it for every
upcoming session when the reminder settings change.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging import delivery, routing, texts
from messaging.models import Channel, Message, MessageKind, MessageStatus, MessageTemplate
from scheduling.models import Session, SessionStatus

REMINDER_AUTHOR = "Clientbook"


def _reason_for_none(session: Session, now: datetime.datetime) -> str:
    """Why this session gets no reminder (in the practice's language), or ""."""
    practice, client = session.practice, session.client
    if session.status == SessionStatus.CANCELLED:
        return _("The session was cancelled.")
    if session.status != SessionStatus.SCHEDULED:
        return _("The session is no longer scheduled.")
    if session.starts_at <= now:
        return _("The session is in the past.")
    if not practice.reminder_channel:
        return _("The practice sends no reminders.")
    channel = practice.reminder_channel
    to = routing.route(practice, client, channel, routing.default_recipient(client, channel))
    return to.problem


def _texts(session: Session, templates: dict) -> tuple[str, str]:
    """(subject, body) of the session's reminder: the practice's reminder template in its
    language (for the channel, else for any channel), else the built-in text."""
    practice = session.practice
    channel = practice.reminder_channel
    template = templates.get((practice.pk, channel)) or templates.get((practice.pk, ""))
    if template is not None:
        subject, body = template.subject, template.body
    else:
        subject, body = texts.default_reminder(practice.language, email=channel == Channel.EMAIL)
    values = texts.placeholder_values(
        client=session.client,
        practice=practice,
        starts_at=session.starts_at,
        professional_name=session.professional.name,
    )
    if channel == Channel.EMAIL and not subject:
        with translation.override(practice.language):
            subject = _("Reminder: your session on {session_date}")
    return texts.render(subject, values)[:200], texts.render(body, values)


def _reminder_templates(practices: dict) -> dict:
    """{(practice id, channel or ""): template} of each practice's reminder templates in its
    language (one query)."""
    if not practices:
        return {}
    wanted = Q()
    for practice in practices.values():
        wanted |= Q(practice_id=practice.pk, language=practice.language)
    found = {}
    for template in MessageTemplate.objects.filter(wanted, kind=MessageKind.REMINDER).order_by(
        "-updated_at"
    ):
        found.setdefault((template.practice_id, template.channel), template)
    return found


@transaction.atomic
def sync_reminders(session_ids: Iterable[int]) -> None:
    """Each given session that is scheduled, in the future, in a practice that sends reminders,
    with a client who can be reached on that channel, gets exactly one scheduled reminder, at
    its start less the practice's lead time (at once if that is already past), with the text
    of the session's local date and time; the others lose their scheduled reminder, with the
    reason. A session already reminded of at its current time is not reminded again.

    Set-based: a few queries whatever the number of sessions. Call it in the transaction that
    changed the sessions (before removing sessions, or not at all: a removed session's
    reminder is dropped by the delete itself); deliveries are queued once it commits."""
    ids = sorted(set(session_ids))
    if not ids:
        return
    now = timezone.now()
    sessions = list(
        Session.objects.filter(pk__in=ids).select_related("practice", "client", "professional")
    )
    # Locked: a worker must not pick a reminder up while it is being moved or dropped.
    existing: dict[int, list[Message]] = defaultdict(list)
    for message in (
        Message.objects.select_for_update(of=("self",))
        .filter(session_id__in=ids, kind=MessageKind.REMINDER)
        .exclude(status=MessageStatus.CANCELLED)
        .order_by("pk")
    ):
        existing[message.session_id].append(message)
    templates = _reminder_templates({s.practice_id: s.practice for s in sessions})

    create: list[Message] = []
    update: list[Message] = []
    cancel: dict[str, list[int]] = defaultdict(list)
    for session in sessions:
        practice = session.practice
        scheduled = [m for m in existing[session.pk] if m.status == MessageStatus.SCHEDULED]
        with translation.override(practice.language):
            reason = _reason_for_none(session, now)
        if reason:
            cancel[reason] += [m.pk for m in scheduled]
            continue
        channel = practice.reminder_channel
        done = any(
            m.status != MessageStatus.SCHEDULED
            and m.reminder_for == session.starts_at
            and m.channel == channel
            for m in existing[session.pk]
        )
        if done:
            with translation.override(practice.language):
                cancel[_("The client was already reminded of this session.")] += [
                    m.pk for m in scheduled
                ]
            continue
        recipient_kind = routing.default_recipient(session.client, channel)
        subject, body = _texts(session, templates)
        send_at = max(
            session.starts_at - datetime.timedelta(hours=practice.reminder_hours_before), now
        )
        fields = {
            "channel": channel,
            "recipient_kind": recipient_kind,
            "recipient": routing.address(session.client, channel, recipient_kind),
            "subject": subject,
            "body": body,
            "send_at": send_at,
            "reminder_for": session.starts_at,
        }
        if scheduled:
            reminder = scheduled[0]
            if any(getattr(reminder, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(reminder, name, value)
                update.append(reminder)
        else:
            create.append(
                Message(
                    practice=practice,
                    client=session.client,
                    session=session,
                    kind=MessageKind.REMINDER,
                    created_by_label=REMINDER_AUTHOR,
                    **fields,
                )
            )

    for reason, pks in cancel.items():
        if pks:
            Message.objects.filter(pk__in=pks, status=MessageStatus.SCHEDULED).update(
                status=MessageStatus.CANCELLED, cancel_reason=reason[:200]
            )
    if update:
        Message.objects.bulk_update(
            update,
            [
                "channel",
                "recipient_kind",
                "recipient",
                "subject",
                "body",
                "send_at",
                "reminder_for",
            ],
        )
    created = Message.objects.bulk_create(create)
    for message in [*update, *created]:
        delivery.enqueue_on_commit(message)


def resync_practice(practice_id: int, *, chunk: int = 500) -> int:
    """Bring the reminders of all the practice's upcoming sessions in step with its settings
    (after they change). Returns how many sessions were looked at."""
    now = timezone.now()
    ids = list(
        Session.objects.filter(
            practice_id=practice_id, status=SessionStatus.SCHEDULED, starts_at__gt=now
        )
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )
    # And the sessions no longer upcoming whose reminder is still scheduled.
    ids += list(
        Message.objects.filter(
            practice_id=practice_id,
            kind=MessageKind.REMINDER,
            status=MessageStatus.SCHEDULED,
            session__isnull=False,
        )
        .exclude(session__status=SessionStatus.SCHEDULED, session__starts_at__gt=now)
        .values_list("session_id", flat=True)
    )
    for start in range(0, len(ids), chunk):
        sync_reminders(ids[start : start + chunk])
    return len(ids)


# The card's fields that decide where a reminder goes (and in which words).
ROUTING_FIELDS = {
    "full_name", "preferred_name", "birth_date", "email", "phone", "whatsapp",
    "guardian_name", "guardian_email", "guardian_phone", "guardian_whatsapp",
    "documents_to_guardian_email", "documents_to_guardian_whatsapp",
}  # fmt: skip


def follow_card(sender, *, client, fields: set[str], **kwargs) -> None:
    """A changed phone, e-mail or guardian: the client's scheduled reminders go to the new
    address (receiver of clients.signals.card_changed)."""
    if not fields & ROUTING_FIELDS:
        return
    sync_reminders(
        Session.objects.filter(
            client=client, status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()
        ).values_list("pk", flat=True)
    )

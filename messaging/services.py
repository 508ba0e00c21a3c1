"""Every operation on messages and message templates. Pages, the API and the command line
call these; the agenda calls `sync_reminders`, the client's lifecycle
`cancel_scheduled_messages`.

Each checks the actor's role, keeps to the actor's practice, is atomic, and writes its event
in the same transaction. Messages are queued for delivery only once that transaction commits.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.models import EventKind
from audit.services import record_event
from clients.models import Client
from clients.services import check_can_change_client
from messaging import attachments, delivery, routing
from messaging.models import (
    Channel,
    Message,
    MessageKind,
    MessageStatus,
    MessageTemplate,
    RecipientKind,
)
from messaging.reminders import resync_practice, sync_reminders
from messaging.texts import check_placeholders
from practices import roles
from practices.models import Member, Practice

__all__ = [
    "cancel_message",
    "cancel_scheduled_messages",
    "count_scheduled_messages",
    "delete_template",
    "resync_practice",
    "save_template",
    "send_message",
    "sync_reminders",
]

# The longest text per channel: 10 SMS segments; WhatsApp's limit; a long e-mail.
MAX_LENGTH = {Channel.SMS: 1600, Channel.WHATSAPP: 4096, Channel.EMAIL: 20000}
MAX_AHEAD = datetime.timedelta(days=366)
# A "now" that took a while to arrive (a slow form) is still now.
PAST_TOLERANCE = datetime.timedelta(minutes=5)


def _no_nul(**texts: str) -> None:
    # PostgreSQL cannot store NUL; SQLite would, and the two must agree.
    bad = {
        field: _("This text contains a NUL character.") for field, t in texts.items() if "\x00" in t
    }
    if bad:
        raise ValidationError(bad)


def _when(send_at: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    if send_at is None:
        return now
    if timezone.is_naive(send_at):
        raise ValueError("send_at must be an aware datetime")
    if send_at < now - PAST_TOLERANCE:
        raise ValidationError({"send_at": _("Choose a time in the future.")})
    if send_at > now + MAX_AHEAD:
        raise ValidationError({"send_at": _("A message can be scheduled at most a year ahead.")})
    return max(send_at, now)


@transaction.atomic
def send_message(
    *,
    by: Member,
    client: Client,
    channel: str,
    body: str,
    subject: str = "",
    send_at: datetime.datetime | None = None,
    recipient: str | None = None,
    attachment: str = "",
    attachment_name: str = "",
    purpose: routing.Purpose = "documents",
) -> Message:
    """Write a message to the client (or the guardian: `recipient` "client" or "guardian",
    None for the card's routing of papers of `purpose`, "documents" or "billing", see
    messaging.routing), sent now or at `send_at`.

    `attachment`: a file sent with it by e-mail or WhatsApp, as a reference "kind:id" to the
    object it is made from (messaging.attachments); the file is made at delivery, so it is the
    document as it is then. `attachment_name` is what the history shows (by default the file's
    name).

    Refused with a ValidationError naming the field: `client` not active, `channel` off (SMS
    without the module, or a file by SMS), `recipient` without an address on the channel,
    `body` empty or too long, `send_at` in the past or more than a year ahead, `attachment`
    that cannot be made."""
    check_can_change_client(client, by)
    practice = by.practice
    if purpose not in routing.PURPOSES:
        raise ValueError(f"purpose must be one of {routing.PURPOSES}, not {purpose!r}")
    if attachment_name and not attachment:
        raise ValueError("attachment_name without an attachment")
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose SMS, e-mail or WhatsApp.")})
    if attachment and channel == Channel.SMS:
        raise ValidationError({"channel": _("A file cannot go by SMS; choose e-mail or WhatsApp.")})
    if recipient not in (None, *RecipientKind.values):
        raise ValidationError({"recipient": _("Choose the client or the guardian.")})
    problem = routing.channel_problem(practice, client, channel)
    if problem:
        raise ValidationError({"client" if not client.is_active else "channel": problem})
    to = routing.route(
        practice,
        client,
        channel,
        recipient or routing.default_recipient(client, channel, purpose=purpose),
    )
    if to.problem:
        raise ValidationError({"recipient": to.problem})
    body, subject = body.strip(), subject.strip() if channel == Channel.EMAIL else ""
    _no_nul(body=body, subject=subject)
    if not body:
        raise ValidationError({"body": _("Write the message.")})
    if len(body) > MAX_LENGTH[channel]:
        raise ValidationError(
            {"body": _("At most %(max)s characters by %(channel)s (this text: %(length)s).")
             % {"max": MAX_LENGTH[channel], "channel": Channel(channel).label, "length": len(body)}}
        )  # fmt: skip
    if len(subject) > 200:
        raise ValidationError({"subject": _("At most 200 characters.")})
    if channel == Channel.EMAIL and not subject:
        subject = _("Message from %s") % practice.name
    if attachment:
        attachment_name = _checked_attachment(attachment, attachment_name, practice)
    now = timezone.now()
    when = _when(send_at, now)
    message = Message.objects.create(
        practice=practice,
        client=client,
        kind=MessageKind.MANUAL,
        channel=channel,
        recipient_kind=to.recipient_kind,
        recipient=to.address,
        subject=subject[:200],
        body=body,
        attachment=attachment,
        attachment_name=attachment_name,
        send_at=when,
        created_by=by,
        created_by_label=str(by.user),
    )
    later = when > now + datetime.timedelta(minutes=1)
    record_event(
        practice=practice,
        client=client,
        by=by,
        kind=EventKind.MESSAGE_SCHEDULED if later else EventKind.MESSAGE_QUEUED,
        data={
            "message": message.pk,
            "channel": channel,
            "recipient": to.recipient_kind,
            **({"attachment": attachment_name} if attachment else {}),
        },
    )
    delivery.enqueue_on_commit(message)
    return message


def _checked_attachment(reference: str, name: str, practice: Practice) -> str:
    """The name to show for the file of `reference`, once it is known that it can be made.

    The file is made once here rather than asking its app whether the object exists: one
    function per kind for the apps to write, and a file that cannot be made for any reason
    (not only a missing object) is refused now, to the person sending it, instead of failing
    later in the worker. It costs one rendering per message, written one at a time; and it
    runs in the caller's transaction, so a document issued in the same transaction is seen."""
    name = " ".join(name.split())
    _no_nul(attachment=reference, attachment_name=name)
    if len(name) > 200:
        raise ValidationError({"attachment_name": _("At most 200 characters.")})
    if len(reference) > Message._meta.get_field("attachment").max_length:
        # Stored as it is, and made again from what was stored: it must fit whole.
        raise ValidationError({"attachment": _("“%s” is not a reference to a file.") % reference})
    try:
        made = attachments.render(reference, practice)
    except attachments.AttachmentMissing as missing:
        raise ValidationError({"attachment": missing.reason}) from None
    return name or made.filename[:200]


def _locked_message(message: Message, by: Member) -> Message:
    if message.practice_id != by.practice_id:
        raise PermissionDenied
    locked = (
        Message.objects.select_for_update(of=("self",))
        .select_related("client", "practice")
        .get(pk=message.pk)
    )
    check_can_change_client(locked.client, by)
    return locked


@transaction.atomic
def cancel_message(message: Message, *, by: Member, reason: str = "") -> Message:
    """Cancel a scheduled message (one being sent, or already sent, cannot be)."""
    locked = _locked_message(message, by)
    if locked.status != MessageStatus.SCHEDULED:
        raise ValidationError(
            {"status": _("Only a scheduled message can be cancelled (this one: %s).")
             % locked.get_status_display()}
        )  # fmt: skip
    reason = " ".join(reason.split())
    _no_nul(reason=reason)
    locked.status = MessageStatus.CANCELLED
    locked.cancel_reason = (reason or _("Cancelled by %s") % by.user)[:200]
    locked.save(update_fields=["status", "cancel_reason"])
    record_event(
        practice=locked.practice,
        client=locked.client,
        by=by,
        kind=EventKind.MESSAGE_CANCELLED,
        data={"message": locked.pk, "channel": locked.channel},
        changes={"cancel_reason": [None, locked.cancel_reason]},
    )
    return locked


def cancel_scheduled_messages(client_ids: Iterable[int], *, by: Member, reason: str) -> int:
    """Cancel every scheduled message (reminders included) of these clients of `by`'s
    practice, in one UPDATE; returns how many. For the client's lifecycle (deactivate, forget,
    delete), which checks the rights and records its own events."""
    ids = list(client_ids)
    if not ids:
        return 0
    return Message.objects.filter(
        practice_id=by.practice_id, client_id__in=ids, status=MessageStatus.SCHEDULED
    ).update(status=MessageStatus.CANCELLED, cancel_reason=reason[:200])


def count_scheduled_messages(client_ids: Iterable[int], *, by: Member) -> int:
    """How many scheduled messages `cancel_scheduled_messages` would cancel (for previews)."""
    return Message.objects.filter(
        practice_id=by.practice_id, client_id__in=list(client_ids), status=MessageStatus.SCHEDULED
    ).count()


def _check_manage(by: Member) -> None:
    if not by.can(roles.MANAGE_PRACTICE):
        raise PermissionDenied(_("Your role does not allow this."))


@transaction.atomic
def save_template(
    *,
    by: Member,
    name: str,
    body: str,
    language: str,
    kind: str = MessageKind.MANUAL,
    channel: str = "",
    subject: str = "",
    template: MessageTemplate | None = None,
) -> MessageTemplate:
    """Create or change a message template of the practice (owner and admin). A placeholder
    that does not exist is refused, naming it."""
    _check_manage(by)
    if template is not None and template.practice_id != by.practice_id:
        raise PermissionDenied
    template = template or MessageTemplate(practice_id=by.practice_id)
    name, subject, body = " ".join(name.split()), subject.strip(), body.strip()
    _no_nul(name=name, subject=subject, body=body)
    check_placeholders(subject=subject, body=body)
    before = {"name": template.name, "body": template.body} if template.pk else {}
    template.name, template.kind, template.channel, template.language = (
        name,
        kind,
        channel,
        language,
    )
    template.subject, template.body = subject, body
    template.full_clean(exclude=["practice"], validate_constraints=False)
    if (
        MessageTemplate.objects.filter(practice_id=by.practice_id, name=name, language=language)
        .exclude(pk=template.pk)
        .exists()
    ):
        raise ValidationError({"name": _("A template with this name and language exists.")})
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise ValidationError(
            {"name": _("A template with this name and language exists.")}
        ) from None
    record_event(
        practice=by.practice,
        by=by,
        kind=EventKind.MESSAGE_TEMPLATE_SAVED,
        data={"template": template.pk, "name": name, **({"was": before} if before else {})},
    )
    _reminders_follow(template)
    return template


def _reminders_follow(template: MessageTemplate) -> None:
    """A reminder template changed: the scheduled reminders are written anew, after commit
    and in the background (a practice may have thousands)."""
    if template.kind == MessageKind.REMINDER:
        from messaging.tasks import resync_reminders

        practice_id = template.practice_id
        transaction.on_commit(lambda: resync_reminders.enqueue(practice_id), robust=True)


@transaction.atomic
def delete_template(template: MessageTemplate, *, by: Member) -> None:
    _check_manage(by)
    if template.practice_id != by.practice_id:
        raise PermissionDenied
    record_event(
        practice=by.practice,
        by=by,
        kind=EventKind.MESSAGE_TEMPLATE_DELETED,
        data={"template": template.pk, "name": template.name},
    )
    template.delete()
    _reminders_follow(template)


def describe(message: Message) -> str:
    """ "SMS to +48…, 5 Jan 2027, 10:00": for messages to the user."""
    when = formats.date_format(timezone.localtime(message.send_at), "DATETIME_FORMAT")
    return _("%(channel)s to %(to)s, %(when)s") % {
        "channel": message.get_channel_display(),
        "to": message.recipient,
        "when": when,
    }

"""Delivering messages, run by the worker (messaging.tasks).

A message goes scheduled → sending → sent (or failed, or back to scheduled for a retry). The
rules that keep a message from being delivered twice:

- Only a worker that finds the message `scheduled` and due, under a row lock, may send it; it
  marks it `sending` and commits before calling the channel. Another worker, a task queued
  twice, or the sweep then finds it `sending` (or `sent`) and leaves it alone.
- The channel gets the message's uuid as an idempotency key (HTTP providers: the
  Idempotency-Key header; e-mail: the Message-ID).
- A message left `sending` (the worker died during the call) is never sent again blindly: the
  sweep, once it is STUCK_AFTER old, retries it only through a channel that is idempotent
  (the outbox, an HTTP provider that honours the key); otherwise it fails, saying that it
  may or may not have arrived.

Retries: timeouts, connection errors, 429 and 5xx are tried again after 1, 5, 25… minutes
(settings.MESSAGING_RETRY_SECONDS * 5^n, or the provider's Retry-After if longer), up to
settings.MESSAGING_MAX_ATTEMPTS attempts; then the message fails with the last reason.
Refusals (4xx) fail at once, with the provider's reason.

A message with a file (messaging.attachments) has it made just before the channel is called,
from the object as it is then. When it cannot be made (the document is gone), the message
fails with that reason and is not retried: the document will not come back by waiting.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import EventKind
from audit.services import record_event
from clients.models import Status
from messaging import attachments
from messaging.channels import DeliveryError, get_channel
from messaging.models import Channel, Message, MessageKind, MessageStatus

logger = logging.getLogger(__name__)

# The sweep leaves a due message this long to the task queued for it before queueing another.
SWEEP_GRACE = datetime.timedelta(minutes=2)
# A message `sending` for this long was interrupted (a channel call takes seconds).
STUCK_AFTER = datetime.timedelta(minutes=10)
SWEEP_BATCH = 500
WORKER = "Clientbook"


def max_attempts() -> int:
    return int(getattr(settings, "MESSAGING_MAX_ATTEMPTS", 4))


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 5, 25… minutes by default."""
    base = int(getattr(settings, "MESSAGING_RETRY_SECONDS", 60))
    return datetime.timedelta(seconds=base * 5 ** max(attempts - 1, 0))


def enqueue(message_id: int, send_at: datetime.datetime) -> None:
    """Queue the delivery task to run at `send_at`. A task backend that cannot defer tasks
    gets only due messages; the sweep (send_due_messages) queues the others when due."""
    from messaging.tasks import deliver_message

    task = deliver_message
    if send_at > timezone.now():
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=send_at)
    task.enqueue(message_id)


def enqueue_on_commit(message: Message) -> None:
    """Queue the delivery once the transaction that wrote the message commits: nothing is
    sent for a message that was rolled back. If queueing fails, the sweep catches up."""
    message_id, send_at = message.pk, message.send_at
    transaction.on_commit(lambda: enqueue(message_id, send_at), robust=True)


def _why_not_now(message: Message) -> str:
    """Why a due message must not go after all (checked at send time), or ""."""
    if message.client.status != Status.ACTIVE:
        return _("The client is no longer active (%(status)s).") % {
            "status": message.client.get_status_display()
        }
    if message.kind == MessageKind.REMINDER and message.session_id is None:
        return _("The session was removed.")
    if message.channel == Channel.SMS and not message.practice.sms_enabled:
        return _("The practice's SMS module was turned off.")
    if not message.recipient:
        return _("There is no address to send it to.")
    return ""


def deliver(message_id: int) -> str:
    """Send one message if it is scheduled and due. Returns what happened: "sent", "retry",
    "failed", "cancelled", or why nothing was done ("missing", "not due", its status)."""
    now = timezone.now()
    with transaction.atomic():
        # Locked (and, on SQLite, inside a write transaction): of two workers, the second
        # waits here and then finds the message `sending`.
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("practice", "client")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "missing"
        if message.status != MessageStatus.SCHEDULED:
            return str(message.status)
        if message.send_at > now:
            return "not due"
        with translation.override(message.practice.language):
            problem = _why_not_now(message)
        if problem:
            message.status, message.cancel_reason = MessageStatus.CANCELLED, problem[:200]
            message.save(update_fields=["status", "cancel_reason"])
            return "cancelled"
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.attempted_at = now
        message.save(update_fields=["status", "attempts", "attempted_at"])
    with translation.override(message.practice.language):
        return _attempt(message)


def _attempt(message: Message) -> str:
    channel = get_channel(message.channel)
    try:
        file = (
            attachments.render(message.attachment, message.practice) if message.attachment else None
        )
        provider_id = channel.send(message, file)
    except attachments.AttachmentMissing as missing:
        reason = _("The file %(name)s cannot be sent: %(reason)s") % {
            "name": message.attachment_name or message.attachment,
            "reason": missing.reason,
        }
        return _not_delivered(message, reason, via=channel.via)
    except DeliveryError as error:
        return _not_delivered(
            message, error.reason, via=channel.via, retry=error.retry, wait=error.retry_after
        )
    except Exception as error:
        # A bug or a misconfiguration: it may have happened after the send, so no retry.
        logger.exception("delivery of message %s failed", message.pk)
        return _not_delivered(
            message, _("Delivery failed: %s") % (error or type(error).__name__), via=channel.via
        )
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        provider_id=provider_id[:200],
        via=channel.via,
        last_error="",
    )
    return "sent"


def _not_delivered(
    message: Message, reason: str, *, via: str, retry: bool = False, wait: float | None = None
) -> str:
    with transaction.atomic():
        rows = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING)
        if retry and message.attempts < max_attempts():
            delay = max(retry_delay(message.attempts), datetime.timedelta(seconds=wait or 0))
            message.send_at = timezone.now() + delay
            rows.update(
                status=MessageStatus.SCHEDULED,
                send_at=message.send_at,
                last_error=reason[:500],
                via=via,
            )
            enqueue_on_commit(message)
            return "retry"
        if retry:
            reason = _("%(reason)s (given up after %(attempts)s attempts)") % {
                "reason": reason,
                "attempts": message.attempts,
            }
        if rows.update(status=MessageStatus.FAILED, last_error=reason[:500], via=via):
            _record_failure(message)
    return "failed"


def _record_failure(message: Message) -> None:
    record_event(
        practice=message.practice,
        client=message.client,
        by=None,
        actor_label=WORKER,
        kind=EventKind.MESSAGE_FAILED,
        data={"message": message.pk, "channel": message.channel, "kind": message.kind},
    )


def sweep(now: datetime.datetime | None = None) -> int:
    """The periodic safety net: queue due messages whose task was lost (a crash, a backend
    that cannot defer), and settle messages left `sending` by a worker that died. Returns how
    many messages it queued or settled."""
    now = now or timezone.now()
    due = list(
        Message.objects.filter(status=MessageStatus.SCHEDULED, send_at__lte=now - SWEEP_GRACE)
        .order_by("send_at")
        .values_list("pk", "send_at")[:SWEEP_BATCH]
    )
    for pk, send_at in due:
        enqueue(pk, send_at)
    stuck = list(
        Message.objects.filter(
            status=MessageStatus.SENDING, attempted_at__lte=now - STUCK_AFTER
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in stuck:
        _settle_interrupted(pk, now)
    return len(due) + len(stuck)


@transaction.atomic
def _settle_interrupted(pk: int, now: datetime.datetime) -> None:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("practice", "client")
        .filter(pk=pk, status=MessageStatus.SENDING, attempted_at__lte=now - STUCK_AFTER)
        .first()
    )
    if message is None:
        return
    with translation.override(message.practice.language):
        if get_channel(message.channel).idempotent and message.attempts < max_attempts():
            # Sending again carries the same idempotency key: the provider does not send twice.
            message.status, message.send_at = MessageStatus.SCHEDULED, now
            message.last_error = _("Delivery was interrupted; trying again.")
            message.save(update_fields=["status", "send_at", "last_error"])
            enqueue_on_commit(message)
            return
        message.status = MessageStatus.FAILED
        message.last_error = _(
            "Delivery was interrupted: the message may or may not have arrived. Check with the "
            "client before sending it again."
        )
        message.save(update_fields=["status", "last_error"])
        _record_failure(message)

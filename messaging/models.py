"""Messages to clients (SMS, e-mail, WhatsApp) and the practice's message templates.

A message is a row from the moment it is written: scheduled (to go at `send_at`), sending (a
worker holds it), then sent, failed or cancelled. The row keeps the address it went to and the
text that was sent, so the card's history says exactly what the client received.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from practices.models import Member, Practice


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")


class RecipientKind(models.TextChoices):
    CLIENT = "client", _("Client")
    GUARDIAN = "guardian", _("Guardian")


class MessageKind(models.TextChoices):
    MANUAL = "manual", _("Message")
    REMINDER = "reminder", _("Session reminder")


class MessageStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


def SET_NULL_AND_DROP_REMINDER(collector, field, sub_objs, using):
    """`on_delete` of Message.session: the message stays in the client's history without its
    session, and a reminder still scheduled for a session that is being removed is cancelled
    in the same delete (it would remind the client of nothing)."""
    model = field.model
    dropped = list(
        sub_objs.filter(kind=MessageKind.REMINDER, status=MessageStatus.SCHEDULED).values_list(
            "pk", flat=True
        )
    )
    if dropped:
        rows = model.objects.using(using).filter(pk__in=dropped)
        collector.add_field_update(model._meta.get_field("status"), MessageStatus.CANCELLED, rows)
        collector.add_field_update(
            model._meta.get_field("cancel_reason"), gettext("The session was removed."), rows
        )
    collector.add_field_update(field, None, sub_objs)


SET_NULL_AND_DROP_REMINDER.lazy_sub_objs = True  # type: ignore[attr-defined]


class Message(models.Model):
    # The idempotency key sent to providers: a retry of the same message carries the same key.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="messages")
    session = models.ForeignKey(
        "scheduling.Session",
        on_delete=SET_NULL_AND_DROP_REMINDER,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,  # message_session_reminder starts with it
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=MessageKind, default=MessageKind.MANUAL
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    recipient_kind = models.CharField(
        _("recipient"), max_length=10, choices=RecipientKind, default=RecipientKind.CLIENT
    )
    # The address used: a phone number in E.164 or an e-mail address.
    recipient = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # A file sent with it (e-mail, WhatsApp): the reference "kind:id" of the object it is made
    # from (messaging.attachments), made again at delivery; and the name the history shows.
    attachment = models.CharField(_("attached file"), max_length=100, blank=True)
    attachment_name = models.CharField(_("attached file's name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus, default=MessageStatus.SCHEDULED
    )
    # When it is to go; for a retry, when the next attempt is due.
    send_at = models.DateTimeField(_("send at"), default=timezone.now)
    # For a reminder: the session start it announces (a moved session gets a new reminder).
    reminder_for = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    attempted_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("reason for failure"), max_length=500, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=200, blank=True)
    # The channel backend that delivered it ("outbox", "email", "http"): the history marks
    # messages only recorded in the outbox, which no one actually received.
    via = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who wrote it, kept readable if the membership goes ("Clientbook" for reminders).
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # The card's history, newest first.
            models.Index(fields=["practice", "client", "-send_at"], name="message_client_time"),
            # The worker's queue of due messages, across practices (not a list of a practice).
            models.Index(fields=["status", "send_at"], name="message_due"),
            # A session's reminders (sync_reminders).
            models.Index(fields=["session", "kind", "status"], name="message_session_reminder"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(kind="reminder", status="scheduled"),
                name="message_one_scheduled_reminder",
            ),
            # An SMS cannot carry a file (send_message refuses it; the delivery relies on it).
            models.CheckConstraint(
                condition=~models.Q(channel="sms") | models.Q(attachment=""),
                name="message_no_file_by_sms",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.status})"

    @property
    def is_cancellable(self) -> bool:
        return self.status == MessageStatus.SCHEDULED


class MessageTemplate(models.Model):
    """A text the practice reuses, with placeholders (see messaging.texts.PLACEHOLDERS).
    Reminder templates replace the built-in reminder text in their language."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("used for"), max_length=10, choices=MessageKind, default=MessageKind.MANUAL
    )
    # Blank: any channel.
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject (e-mail)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "name", "language"], name="message_template_unique_name"
            )
        ]
        indexes = [
            models.Index(fields=["practice", "kind", "language"], name="message_template_kind")
        ]

    def __str__(self) -> str:
        return self.name

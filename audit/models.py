"""The client's history: one event per change, who made it, when, and what changed."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practices.models import Member, Practice


class EventKind(models.TextChoices):
    CLIENT_CREATED = "client.created", _("Client registered")
    CLIENT_UPDATED = "client.updated", _("Card changed")
    CLIENT_CODE_CHANGED = "client.code_changed", _("Client code changed")
    CLIENT_STATUS_CHANGED = "client.status_changed", _("Status changed")
    SESSION_BOOKED = "session.booked", _("Session booked")
    SERIES_BOOKED = "series.booked", _("Recurring sessions booked")
    SERIES_PAUSED = "series.paused", _("Recurring sessions paused")
    SERIES_RESUMED = "series.resumed", _("Recurring sessions resumed")
    SERIES_CHANGED = "series.changed", _("Recurring sessions changed")
    SERIES_ENDED = "series.ended", _("Recurring sessions removed")
    SERIES_EXTENDED = "series.extended", _("Recurring sessions extended")
    SESSION_RESCHEDULED = "session.rescheduled", _("Session rescheduled")
    SESSION_CANCELLED = "session.cancelled", _("Session cancelled")
    SESSION_DELETED = "session.deleted", _("Session removed")
    SESSION_ATTENDED = "session.attended", _("Session attended")
    SESSION_MISSED = "session.missed", _("Session missed")
    MESSAGE_QUEUED = "message.queued", _("Message sent")
    MESSAGE_SCHEDULED = "message.scheduled", _("Message scheduled")
    MESSAGE_CANCELLED = "message.cancelled", _("Scheduled message cancelled")
    MESSAGE_FAILED = "message.failed", _("Message not delivered")
    MESSAGE_TEMPLATE_SAVED = "message_template.saved", _("Message template saved")
    MESSAGE_TEMPLATE_DELETED = "message_template.deleted", _("Message template deleted")
    ANIMAL_ADDED = "animal.added", _("Animal added")
    ANIMAL_CHANGED = "animal.changed", _("Animal changed")
    ANIMAL_DEACTIVATED = "animal.deactivated", _("Animal marked inactive")
    ANIMAL_REACTIVATED = "animal.reactivated", _("Animal reactivated")
    DOCUMENT_ISSUED = "sale.issued", _("Sales document issued")
    CREDIT_NOTE_ISSUED = "sale.credited", _("Credit note issued")
    DOCUMENT_SENT = "sale.sent", _("Sales document sent")
    PAYMENT_RECORDED = "payment.recorded", _("Payment recorded")
    PAYMENT_REVERSED = "payment.reversed", _("Payment reversed")
    SETTLEMENT_MADE = "settlement.made", _("Collective settlement")
    SETTLEMENT_REVERSED = "settlement.reversed", _("Collective settlement reversed")
    CATALOG_CHANGED = "catalog.changed", _("Catalog changed")
    STOCK_CHANGED = "stock.changed", _("Stock changed")
    ATTACHMENT_ADDED = "attachment.added", _("File attached")
    ATTACHMENT_REMOVED = "attachment.removed", _("Attached file removed")
    CLIENT_DOCUMENT_CREATED = "document.created", _("Document created")
    CLIENT_DOCUMENT_REMOVED = "document.removed", _("Document removed")
    DOCUMENT_TEMPLATE_SAVED = "document_template.saved", _("Document template saved")
    DOCUMENT_TEMPLATE_DELETED = "document_template.deleted", _("Document template deleted")
    ANAMNESIS_SAVED = "anamnesis.saved", _("Anamnesis saved")
    ANAMNESIS_FORM_CHANGED = "anamnesis.form_changed", _("Anamnesis form changed")
    PRACTICE_SETTINGS_CHANGED = "practice.settings_changed", _("Practice settings changed")


class Event(models.Model):
    """Modelled on zulip's RealmAuditLog: `changes` maps each changed field to [old, new]."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        # SET_NULL: deleting a client for good leaves its tombstone event behind.
        "clients.Client",
        on_delete=models.SET_NULL,
        null=True,
        related_name="events",
    )
    actor = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, related_name="+")
    # Who it was, kept readable if the membership goes ("API", "demo", a name).
    actor_label = models.CharField(max_length=200, blank=True)
    # An EventKind value; no `choices` here, so a new kind needs no migration.
    kind = models.CharField(_("event"), max_length=40)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    changes = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="event_client_time")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def title(self) -> str:
        try:
            return str(EventKind(self.kind).label)
        except ValueError:
            return self.kind

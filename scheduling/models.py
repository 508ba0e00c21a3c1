"""The practice's agenda: its services (approaches) and rooms, and the clients' sessions.

Times are stored in UTC; a session's local time is that of its practice's time zone.
"""

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from practices.models import Practice, Professional


class Service(models.Model):
    """What a session is (PsicoManager's "serviços (abordagens)"): its usual length and price."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name"), max_length=120)
    default_duration = models.PositiveSmallIntegerField(_("default duration (minutes)"), default=50)
    default_price = models.DecimalField(
        _("default price"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # How the service is sold (billing): the unit on a sales line and the tax rate, in percent.
    unit = models.CharField(_("unit"), max_length=20, default="", blank=True)
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="service_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="room_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """Recurring sessions, kept in local terms (see scheduling.recurrence); its sessions are
    materialized up to `materialized_through`, and further by the worker when open-ended."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY_DAY = "monthly_day", _("Monthly, same day of the month")
        MONTHLY_WEEKDAY = "monthly_weekday", _("Monthly, same weekday of the month")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="series")
    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, null=True, blank=True)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True)
    # In a veterinary practice: the client's animal the sessions are for.
    animal = models.ForeignKey(
        "pets.Animal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="series",
        verbose_name=_("animal"),
    )
    start_date = models.DateField(_("first date"))
    start_time = models.TimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    frequency = models.CharField(_("repeats"), max_length=20, choices=Frequency)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    count = models.PositiveSmallIntegerField(_("number of sessions"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    materialized_through = models.DateField()
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recurring series")
        verbose_name_plural = _("recurring series")
        indexes = [models.Index(fields=["practice", "client"], name="series_client")]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} {self.start_time:%H:%M}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Missed (no-show)")
    CANCELLED = "cancelled", _("Cancelled")


class CancelledBy(models.TextChoices):
    CLIENT = "client", _("By the client")
    PRACTICE = "practice", _("By the practice")
    # By the practice, when the series was paused: resuming the series books these again.
    PAUSE = "pause", _("Series paused")


class Session(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="sessions")
    professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="sessions"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    # In a veterinary practice: the client's animal the session is for. No index of its own:
    # session_animal (animal, starts_at) serves the lookups by animal.
    animal = models.ForeignKey(
        "pets.Animal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("animal"),
        db_index=False,
    )
    # For a series' session: the date its rule gave it, kept when the session is moved (as
    # iCalendar's RECURRENCE-ID). Series edits match sessions to dates by it.
    occurrence_date = models.DateField(null=True, blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus, default=SessionStatus.SCHEDULED
    )
    cancelled_by = models.CharField(_("cancelled"), max_length=20, choices=CancelledBy, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        # The agenda reads by professional, by room and by client, each in time order; the
        # conflict check reads the first two; the card's Animals panel reads by animal.
        indexes = [
            models.Index(fields=["practice", "professional", "starts_at"], name="session_prof"),
            models.Index(fields=["practice", "room", "starts_at"], name="session_room"),
            models.Index(fields=["practice", "client", "starts_at"], name="session_client"),
            models.Index(fields=["practice", "starts_at"], name="session_day"),
            models.Index(fields=["animal", "starts_at"], name="session_animal"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

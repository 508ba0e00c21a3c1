"""Tenancy: the practice, the people who work in it, and their roles."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager):
    """Users log in with their e-mail; `username` is kept equal to it for Django's tools."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username).lower()
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # E-mail addresses are stored lower-case; people type them any way.
        return self.get(email__iexact=username.strip())

    def create_superuser(self, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, email, password, **extra_fields)


class User(AbstractUser):
    email = models.EmailField(_("e-mail"), unique=True)
    # Empty: use the language of the practice the user is working in.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = EmailUserManager()

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        self.username = self.email
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.get_full_name() or self.email


MAX_REMINDER_HOURS = 24 * 14


class ReminderChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Practice(models.Model):
    class Kind(models.TextChoices):
        THERAPY = "therapy", _("Therapy / psychology")
        VETERINARY = "veterinary", _("Veterinary")
        GENERAL = "general", _("General")

    class Country(models.TextChoices):
        BRAZIL = "BR", _("Brazil")
        CANADA = "CA", _("Canada")
        POLAND = "PL", _("Poland")
        FRANCE = "FR", _("France")
        OTHER = "XX", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.GENERAL)
    country = models.CharField(_("country"), max_length=2, choices=Country, default=Country.OTHER)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    deletion_grace_days = models.PositiveSmallIntegerField(
        _("deletion grace period (days)"), default=7
    )
    sms_enabled = models.BooleanField(_("SMS module"), default=False)
    # Session reminders (messaging.reminders): the channel they go by, blank for none, and how
    # long before the session. The values are those of messaging.models.Channel.
    reminder_channel = models.CharField(
        _("session reminders"), max_length=10, blank=True, choices=ReminderChannel
    )
    reminder_hours_before = models.PositiveSmallIntegerField(
        _("hours before the session"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REMINDER_HOURS)],
    )
    # Billing: whether a sale may take a good's stock below zero (it is warned about either way).
    forbid_negative_stock = models.BooleanField(_("forbid selling below zero stock"), default=False)
    # The next automatic client code; guarded by a row lock in clients.services.
    next_client_number = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def phone_region(self) -> str | None:
        """The region phone numbers typed without a country code belong to."""
        return None if self.country == self.Country.OTHER else self.country


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    PROFESSIONAL = "professional", _("Professional")
    RECEPTION = "reception", _("Reception")


class Member(models.Model):
    """A user's membership of one practice, with a role."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="member_unique_per_practice")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.practice})"

    def can(self, permission: str) -> bool:
        from practices.roles import has_permission

        return has_permission(self.role, permission)


class ProfessionalQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Professional(models.Model):
    """A practitioner of the practice, who may or may not log in (linked to a member)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="professionals")
    member = models.OneToOneField(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="professional"
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ProfessionalQuerySet.as_manager()

    class Meta:
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")
        ordering = ["name"]
        indexes = [models.Index(fields=["practice", "name"], name="professional_practice_name")]

    def __str__(self) -> str:
        return self.name

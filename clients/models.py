"""The client card: who the client is, how to reach and bill them, and where they are in their
life with the practice. State changes go through clients.services, never through save() here."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from clientbook.lib.text import digits, fold
from practices.models import Practice, Professional

ADULT_AGE = 18


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    WAITLIST = "waitlist", _("Waitlist")
    INACTIVE = "inactive", _("Inactive")
    FORGOTTEN = "forgotten", _("Forgotten")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    TRANSFER = "transfer", _("Bank transfer")
    PIX = "pix", _("Pix")
    INSURANCE = "insurance", _("Insurance")
    OTHER = "other", _("Other")


class ClientQuerySet(models.QuerySet):
    def with_status(self, status: str | None) -> "ClientQuerySet":
        return self if status in (None, "", "all") else self.filter(status=status)

    def responsible(self, professional: Professional | int) -> "ClientQuerySet":
        return self.filter(professional_links__professional=professional)


class Client(models.Model):
    PHONE_FIELDS = (
        "phone", "whatsapp", "emergency_contact_phone", "guardian_phone", "guardian_whatsapp"
    )  # fmt: skip

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="clients")
    code = models.CharField(_("client code"), max_length=20)
    # Codes the client had before a change of code: still found by search.
    former_codes = models.JSONField(default=list, blank=True, editable=False)
    professionals = models.ManyToManyField(
        Professional,
        through="ClientProfessional",
        related_name="clients",
        verbose_name=_("responsible professionals"),
    )

    # Personal information.
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_name = models.CharField(_("preferred / social name"), max_length=200, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    national_id = models.CharField(_("national ID"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    whatsapp = PhoneNumberField(_("WhatsApp"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Financial information.
    billing_name = models.CharField(_("billing name"), max_length=200, blank=True)
    billing_tax_id = models.CharField(_("billing tax ID"), max_length=40, blank=True)
    default_fee = models.DecimalField(
        _("default fee"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod, blank=True
    )
    receives_invoices = models.BooleanField(_("receives invoices"), default=True)

    # Address.
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    street2 = models.CharField(_("complement / district"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state / province"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)

    # Additional data.
    referral_source = models.CharField(_("referral source"), max_length=200, blank=True)
    insurance = models.CharField(_("insurance"), max_length=200, blank=True)
    insurance_number = models.CharField(_("insurance number"), max_length=60, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = PhoneNumberField(_("emergency contact phone"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)

    # Guardian (for minors, or anyone who needs a responsible person).
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    guardian_relation = models.CharField(_("relation"), max_length=100, blank=True)
    guardian_national_id = models.CharField(_("guardian's national ID"), max_length=40, blank=True)
    guardian_email = models.EmailField(_("guardian's e-mail"), blank=True)
    guardian_phone = PhoneNumberField(_("guardian's phone"), blank=True)
    guardian_whatsapp = PhoneNumberField(_("guardian's WhatsApp"), blank=True)
    billing_to_guardian_email = models.BooleanField(
        _("send billing to the guardian's e-mail"), default=False
    )
    billing_to_guardian_whatsapp = models.BooleanField(
        _("send billing to the guardian's WhatsApp"), default=False
    )
    documents_to_guardian_email = models.BooleanField(
        _("send documents to the guardian's e-mail"), default=False
    )
    documents_to_guardian_whatsapp = models.BooleanField(
        _("send documents to the guardian's WhatsApp"), default=False
    )

    anamnesis_group = models.ForeignKey(
        "intake.AnamnesisGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("anamnesis group"),
    )

    # Life with the practice.
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    first_contact_at = models.DateTimeField(_("first contact"), default=timezone.now)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped by every change: the API's optimistic concurrency (a stale version gets 409/412).
    version = models.PositiveIntegerField(default=1)

    # Derived, for search and sorting (see refresh_search_fields); never shown.
    search_text = models.TextField(default="", editable=False)
    sort_key = models.CharField(max_length=200, default="", editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(fields=["practice", "code"], name="client_code_unique"),
        ]
        # Every list index starts with the practice, then the tab, then the sort column, then
        # the id that breaks ties (keyset pagination). The "All" tab has its own.
        indexes = [
            models.Index(fields=["practice", "status", "sort_key", "id"], name="client_tab_name"),
            models.Index(fields=["practice", "sort_key", "id"], name="client_all_name"),
            models.Index(fields=["practice", "status", "code"], name="client_tab_code"),
            models.Index(
                fields=["practice", "status", "first_contact_at", "id"], name="client_tab_contact"
            ),
            models.Index(
                fields=["practice", "status", "created_at", "id"], name="client_tab_created"
            ),
            models.Index(fields=["practice", "created_at", "id"], name="client_all_created"),
            models.Index(fields=["practice", "first_contact_at", "id"], name="client_all_contact"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    def age(self, today: datetime.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        today = today or timezone.localdate()
        before_birthday = (today.month, today.day) < (self.birth_date.month, self.birth_date.day)
        return today.year - self.birth_date.year - before_birthday

    @property
    def is_minor(self) -> bool:
        age = self.age()
        return age is not None and age < ADULT_AGE

    @property
    def needs_guardian(self) -> bool:
        """A minor with no guardian on the card: warned about, never blocked."""
        return self.is_minor and not self.guardian_name

    def refresh_search_fields(self) -> None:
        """What search matches (names, contacts, code, IDs) and the accent-free sort key."""
        phones = [p for p in (self.phone, self.whatsapp, self.guardian_phone) if p]
        parts = [
            self.full_name,
            self.preferred_name,
            self.email,
            self.guardian_name,
            self.guardian_email,
            self.code,
            *self.former_codes,
            *(digits(code) for code in (self.code, *self.former_codes)),
            self.national_id,
            digits(self.national_id),
            self.billing_tax_id and digits(self.billing_tax_id),
        ]
        for phone in phones:
            # E.164 digits ("5511987654321") and the national number ("11987654321"), so
            # any usual way of typing it is a substring of one of them.
            parts += [digits(phone.as_e164), str(phone.national_number)]
        self.search_text = " ".join(fold(str(p)) for p in parts if p)
        self.sort_key = fold(self.full_name)[:200]


class ClientProfessional(models.Model):
    """A professional responsible for a client. Carries the practice, as every table does."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="professional_links")
    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="client_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "professional"], name="client_professional_unique"
            )
        ]
        indexes = [
            models.Index(fields=["professional", "client"], name="clientprof_by_professional")
        ]

    def __str__(self) -> str:
        return f"{self.professional_id} → {self.client_id}"


class StatusCount(models.Model):
    """How many clients of a practice are in each status, kept by the services in the same
    transaction as the change, so the list's tab counts never scan the practice."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "status"], name="status_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.status}: {self.count}"

"""A client's papers: files attached to the card, and documents written from the practice's
templates (certificates, declarations, reports). Each belongs to one client and one practice."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from practices.models import Member, Practice


class Attachment(models.Model):
    """A file uploaded to a client's card.

    The file lives in the default storage under `storage_name`, "<practice id>/<random>": never
    a name the user chose, and never reachable by a URL of its own (MEDIA_URL is not served);
    it is read only through documents.views, after documents.access has checked the reader.
    A CharField rather than a FileField for that reason: nothing offers `.url` to a template.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    # The name the file had on the uploader's computer, made safe for display and download.
    original_name = models.CharField(_("file name"), max_length=200)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    # Found from the content (documents.files), never taken from the browser.
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, related_name="+")
    # Who it was, kept readable if the membership goes.
    uploaded_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="attachment_client")
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or self.original_name


class TemplateKind(models.TextChoices):
    CERTIFICATE = "certificate", _("Attendance certificate")
    DECLARATION = "declaration", _("Declaration")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class DocumentTemplate(models.Model):
    """A text of the practice with placeholders ({client_name}, {session_date}…), from which
    documents for clients are written (see documents.placeholders)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=TemplateKind, default=TemplateKind.CERTIFICATE
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "name"],
                name="document_template_unique_name",
                violation_error_message=_("The practice already has a template of this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    """A document written for a client from a template. Its text was filled in once, when it
    was made, and is its own: changing or deleting the template later changes nothing here."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="documents")
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The session it is about (an attendance certificate), if any; its date and time are in
    # the text already, so losing the session later loses nothing of the document.
    session = models.ForeignKey(
        "scheduling.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, related_name="+")
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="document_client")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def pdf_name(self) -> str:
        """The file name of its PDF: the title and the date, safe on any system."""
        from documents.files import safe_name

        return safe_name(f"{self.title} {timezone.localdate(self.created_at):%Y-%m-%d}.pdf")

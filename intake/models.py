"""How clients come in: anamnesis groups (the question sets a client's card can name), their
questions, and each client's answers, kept as revisions."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practices.models import Member, Practice


class AnamnesisGroup(models.Model):
    """A named anamnesis form of the practice; naming one on a card enables that form."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("anamnesis group")
        verbose_name_plural = _("anamnesis groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="anamnesis_group_unique")
        ]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("One choice from a list")
    DATE = "date", _("Date")
    NUMBER = "number", _("Number")


class AnamnesisQuestion(models.Model):
    """A question of a group's form. A retired question is no longer asked, and is kept so
    that the answers given to it stay readable in the client's history."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(AnamnesisGroup, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(
        _("kind of answer"), max_length=20, choices=QuestionKind, default=QuestionKind.SHORT_TEXT
    )
    # For a choice: the options, in order.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    is_active = models.BooleanField(_("asked"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("anamnesis question")
        verbose_name_plural = _("anamnesis questions")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["group", "position"], name="question_group_position")]

    def __str__(self) -> str:
        return self.text

    @property
    def field_name(self) -> str:
        """The name of its answer in forms and in the services' errors."""
        return f"question_{self.pk}"


class AnamnesisRevision(models.Model):
    """One save of a client's anamnesis: every answer as it then was, who saved it and when.

    `answers` maps each question's id (as text) to its answer (text, true/false, ISO date,
    a number as text, or null); `questions` keeps each answered question's text as it was asked,
    so a later rewording or retirement leaves the history as it was read."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="anamnesis_revisions"
    )
    group = models.ForeignKey(
        AnamnesisGroup, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    group_name = models.CharField(max_length=100, blank=True)
    number = models.PositiveIntegerField(_("revision"))
    answers = models.JSONField(default=dict)
    questions = models.JSONField(default=dict)
    saved_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, related_name="+")
    saved_by_label = models.CharField(max_length=200, blank=True)
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("anamnesis revision")
        verbose_name_plural = _("anamnesis revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "number"], name="anamnesis_revision_unique_number"
            )
        ]
        indexes = [models.Index(fields=["practice", "client", "-number"], name="anamnesis_client")]

    def __str__(self) -> str:
        return f"{self.client_id} #{self.number}"

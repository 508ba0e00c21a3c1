"""How clients come in: anamnesis groups (the question sets a client's card can name)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from practices.models import Practice


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

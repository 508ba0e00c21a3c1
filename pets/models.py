"""The animals of a veterinary practice's clients: each belongs to one owner and one practice."""

import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from practices.models import Practice


class Species(models.TextChoices):
    DOG = "dog", _("Dog")
    CAT = "cat", _("Cat")
    BIRD = "bird", _("Bird")
    RABBIT = "rabbit", _("Rabbit")
    RODENT = "rodent", _("Rodent")
    REPTILE = "reptile", _("Reptile")
    HORSE = "horse", _("Horse")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


# ISO 11784/11785 transponders carry a 15-digit number.
microchip_validator = RegexValidator(
    r"^\d{15}$", _("A microchip number has exactly 15 digits."), code="microchip"
)


class Animal(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="animals", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=100)
    species = models.CharField(_("species"), max_length=20, choices=Species.choices)
    breed = models.CharField(_("breed"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    neutered = models.BooleanField(_("neutered"), default=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    microchip = models.CharField(
        _("microchip number"), max_length=15, blank=True, validators=[microchip_validator]
    )
    colour = models.CharField(_("colour"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("animal")
        verbose_name_plural = _("animals")
        ordering = ["-is_active", "name", "pk"]
        indexes = [models.Index(fields=["practice", "client"], name="animal_practice_client")]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "microchip"],
                condition=~Q(microchip=""),
                name="animal_microchip_unique_in_practice",
                violation_error_message=_("Another animal of the practice has this microchip."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age(self) -> int | None:
        """Whole years since birth, or None when the birth date is not known."""
        if self.birth_date is None:
            return None
        today = datetime.date.today()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

from django import forms

from pets.models import Animal
from pets.services import ANIMAL_FIELDS


class AnimalForm(forms.ModelForm):
    class Meta:
        model = Animal
        fields = ANIMAL_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "microchip": forms.TextInput(attrs={"inputmode": "numeric", "pattern": r"\d{15}"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

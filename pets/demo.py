"""The demo veterinary practice's animals: one or two for most clients, added through the
same service as the pages (so each owner's timeline tells it)."""

import datetime
import random

from django.utils import timezone

from clients.models import Client
from pets.models import Sex, Species
from pets.services import add_animal, set_animals_active
from practices.models import Member, Practice, Role

NAMES = [
    "Burek", "Azor", "Reksio", "Luna", "Mruczek", "Filemon", "Tosia", "Kropka", "Misia",
    "Figa", "Bella", "Max", "Pusia", "Kajtek", "Łatek", "Śnieżka", "Żaba", "Fred", "Nela",
]  # fmt: skip
BREEDS = {
    Species.DOG: ["Mieszaniec", "Labrador", "Owczarek niemiecki", "Jamnik", "Golden retriever"],
    Species.CAT: ["Europejski", "Maine coon", "Brytyjski krótkowłosy", "Dachowiec"],
    Species.RABBIT: ["Baran", "Karzełek"],
    Species.BIRD: ["Papużka falista", "Nimfa"],
    Species.RODENT: ["Świnka morska", "Chomik syryjski"],
}
COLOURS = ["czarny", "biały", "rudy", "pręgowany", "łaciaty", "szary", "brązowy"]


def add_demo_animals(practice: Practice, rng: random.Random) -> int:
    """Animals for about two clients in three of a veterinary practice; a few inactive."""
    if practice.kind != Practice.Kind.VETERINARY:
        return 0
    reception = Member.objects.get(practice=practice, role=Role.RECEPTION)
    today = timezone.localdate(timezone.now(), practice.tz)
    made = 0
    for client in Client.objects.filter(practice=practice).order_by("pk"):
        if rng.random() > 0.65:
            continue
        for _n in range(1 if rng.random() < 0.75 else 2):
            species = rng.choices(list(BREEDS), weights=[50, 38, 5, 4, 3])[0]
            chipped = species in (Species.DOG, Species.CAT) and rng.random() < 0.8
            animal = add_animal(
                by=reception,
                client=client,
                name=rng.choice(NAMES),
                species=species,
                breed=rng.choice(BREEDS[species]),
                sex=rng.choice([Sex.MALE, Sex.FEMALE]),
                neutered=rng.random() < 0.5,
                birth_date=today - datetime.timedelta(days=rng.randint(120, 5000)),
                # 616: Poland's ISO 3166 code, as Polish transponders begin.
                microchip=f"616{rng.randrange(10**12):012d}" if chipped else "",
                colour=rng.choice(COLOURS),
            )
            made += 1
            if rng.random() < 0.05:
                set_animals_active(animal, by=reception, active=False)
    return made

"""Animals in the REST API (veterinary practices): a client's animals, adding one, changing
one, marking one inactive or active again.

The same access layer and services (animals/services.py) as the pages."""

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from api.routes import BODY_ERRORS, ERRORS, NO_NUL, Day, Id, SafeStr, Str100
from clients.access import get_client_for_member
from pets.access import get_animal_for_member
from pets.models import Animal, Sex, Species
from pets.services import add_animal, set_animals_active, update_animal
from practices.models import Member

router = Router(tags=["animals"])

SpeciesIn = Literal[tuple(Species.values)]  # type: ignore[valid-type]
SexIn = Literal[tuple(Sex.values)]  # type: ignore[valid-type]
AnimalName = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
Microchip = Annotated[
    str, Field(pattern=r"^(\d{15})?$", description="15 digits, or empty for none.")
]


class AnimalOut(Schema):
    id: int
    client: int = Field(description="The owner.")
    name: str
    species: str
    breed: str
    sex: str
    neutered: bool
    birth_date: datetime.date | None
    microchip: str
    colour: str
    notes: str
    active: bool
    created_at: datetime.datetime


class AnimalIn(Schema):
    name: AnimalName
    species: SpeciesIn
    breed: Str100 = ""
    sex: SexIn = "unknown"
    neutered: StrictBool = False
    birth_date: Day | None = None
    microchip: Microchip = Field("", description="15 digits; unique in the practice.")
    colour: Str100 = ""
    notes: SafeStr = ""


class AnimalPatchIn(Schema):
    """Only the fields sent change; `null` leaves a field as it is, except `birth_date`,
    which it clears."""

    name: AnimalName | None = None
    species: SpeciesIn | None = None
    breed: Str100 | None = None
    sex: SexIn | None = None
    neutered: StrictBool | None = None
    birth_date: Day | None = None
    microchip: Microchip | None = None
    colour: Str100 | None = None
    notes: SafeStr | None = None


class AnimalActiveIn(Schema):
    active: StrictBool


def animal_out(animal: Animal) -> dict[str, Any]:
    return {
        "id": animal.pk,
        "client": animal.client_id,
        "name": animal.name,
        "species": animal.species,
        "breed": animal.breed,
        "sex": animal.sex,
        "neutered": animal.neutered,
        "birth_date": animal.birth_date,
        "microchip": animal.microchip,
        "colour": animal.colour,
        "notes": animal.notes,
        "active": animal.is_active,
        "created_at": animal.created_at,
    }


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined]


@router.get("/clients/{client_id}/animals", response={200: list[AnimalOut], **ERRORS})
def list_animals(request: HttpRequest, client_id: Id):
    """The client's animals, active ones first, by name."""
    client = get_client_for_member(_member(request), client_id)
    return [animal_out(a) for a in client.animals.all()]


@router.post("/clients/{client_id}/animals", response={201: AnimalOut, **BODY_ERRORS})
def create_animal(request: HttpRequest, client_id: Id, payload: AnimalIn):
    """Add an animal to the client. A microchip already used in the practice is refused (422)."""
    member = _member(request)
    client = get_client_for_member(member, client_id, write=True)
    animal = add_animal(by=member, client=client, **payload.dict())
    return Status(201, animal_out(animal))


@router.patch("/animals/{animal_id}", response={200: AnimalOut, **BODY_ERRORS})
def change_animal(request: HttpRequest, animal_id: Id, payload: AnimalPatchIn):
    """Change the fields sent; the owner's timeline records what changed."""
    member = _member(request)
    animal = get_animal_for_member(member, animal_id, write=True)
    sent = payload.dict(exclude_unset=True)
    fields = {k: v for k, v in sent.items() if v is not None or k == "birth_date"}
    return animal_out(update_animal(animal, by=member, **fields))


@router.post("/animals/{animal_id}/active", response={200: AnimalOut, **BODY_ERRORS})
def set_active(request: HttpRequest, animal_id: Id, payload: AnimalActiveIn):
    """Mark the animal inactive (`false`) or active again (`true`); repeating it changes
    nothing."""
    member = _member(request)
    animal = get_animal_for_member(member, animal_id, write=True)
    set_animals_active(animal, by=member, active=payload.active)
    animal.refresh_from_db(fields=["is_active"])
    return animal_out(animal)

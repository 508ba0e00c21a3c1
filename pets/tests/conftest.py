"""Fixtures of the animals tests: practice A turned into an English veterinary practice (it
has every role, a professional among them), and a dog of Ana's client."""

import pytest
from django.utils import translation

from clients.models import Client
from pets.models import Animal
from pets.services import add_animal
from practices.models import Practice


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def vet(a) -> Practice:
    Practice.objects.filter(pk=a.practice.pk).update(kind=Practice.Kind.VETERINARY, language="en")
    a.practice.refresh_from_db()
    for row in (a.owner, a.admin, a.reception, a.professional, *a.clients.values()):
        row.practice = a.practice  # the same, refreshed, instance everywhere
    return a.practice


@pytest.fixture
def ana_client(a, vet) -> Client:
    return a.clients["Ana's client"]


@pytest.fixture
def rex(a, ana_client) -> Animal:
    return add_animal(
        by=a.reception, client=ana_client, name="Rex", species="dog", sex="male",
        microchip="616093900012345",
    )  # fmt: skip

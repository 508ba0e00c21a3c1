"""Animals in the API, and their rows in test_api_tenancy.py's tables."""

from typing import Any

import pytest
from django.test import Client as HttpClient

from api.models import ApiToken
from audit.models import Event, EventKind
from clientbook.testing import PracticeWorld
from clients.models import Client
from pets.models import Animal
from practices.models import Member, Practice

pytestmark = pytest.mark.django_db

LIST = ("GET", "/clients/{client_id}/animals")
CREATE = ("POST", "/clients/{client_id}/animals")
PATCH = ("PATCH", "/animals/{animal_id}")
ACTIVE = ("POST", "/animals/{animal_id}/active")


class Api:
    """A member's token on every call (test_api_tenancy.py imports this module, so not its)."""

    def __init__(self, member: Member):
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {ApiToken.issue(member)[1]}"}

    def call(self, method: str, path: str, body: Any = None):
        send = getattr(self.http, method.lower())
        if body is None:
            return send(f"/api/v1{path}", headers=self.headers)
        return send(f"/api/v1{path}", body, "application/json", headers=self.headers)


def dog(client: Client, **fields: Any) -> Animal:
    fields.setdefault("name", "Rex")
    return Animal.objects.create(
        practice_id=client.practice_id, client=client, species="dog", **fields
    )


def rows() -> list:
    return list(Animal.objects.order_by("pk").values())


# For test_api_tenancy.py: another practice's token, and each role's rights.


def _cross_list(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
    expected = intruder.call("GET", "/clients/999999/animals")
    assert expected.status_code == 404
    for client in a.clients.values():
        dog(client)
        response = intruder.call("GET", f"/clients/{client.pk}/animals")
        assert (response.status_code, response.json()) == (404, expected.json())


def _cross_create(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
    before = rows()
    for client in a.clients.values():
        body = {"name": "Smuggled", "species": "cat"}
        assert intruder.call("POST", f"/clients/{client.pk}/animals", body).status_code == 404
    assert rows() == before


def _cross_by_id(method: str, suffix: str, body: dict):
    def attempt(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
        made = [dog(client) for client in a.clients.values()]
        before = rows()
        expected = intruder.call(method, f"/animals/999999{suffix}", body)
        assert expected.status_code == 404
        for animal in made:
            response = intruder.call(method, f"/animals/{animal.pk}{suffix}", body)
            assert (response.status_code, response.json()) == (404, expected.json())
        assert rows() == before

    return attempt


CROSS_PRACTICE = {
    LIST: _cross_list,
    CREATE: _cross_create,
    PATCH: _cross_by_id("PATCH", "", {"name": "Smuggled"}),
    ACTIVE: _cross_by_id("POST", "/active", {"active": False}),
}
# The animal of PATCH and ACTIVE belongs to João, a client of Bruno (so not of Ana's).
RIGHTS = {
    LIST: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
           "professional/own": 200},
    CREATE: {"owner": 201, "admin": 201, "reception": 201, "professional/others": 404,
             "professional/own": 201},
    PATCH: {"owner": 200, "admin": 200, "reception": 200, "professional": 404},
    ACTIVE: {"owner": 200, "admin": 200, "reception": 200, "professional": 404},
}  # fmt: skip
BODIES = {
    CREATE: {"name": "Mia", "species": "cat"},
    PATCH: {"breed": "Beagle"},
    ACTIVE: {"active": False},
}


def fill_path(path: str, world: PracticeWorld) -> str:
    """An animal id for the routes that take one: a new dog of João's."""
    if "{animal_id}" in path:
        path = path.replace("{animal_id}", str(dog(world.clients["João da Silva"]).pk))
    return path


# The routes.


@pytest.fixture
def reception(a) -> Api:
    Practice.objects.filter(pk=a.practice.pk).update(kind="veterinary", language="en")
    return Api(a.reception)


def test_it_adds_lists_changes_and_deactivates_an_animal(a, reception):
    client = a.clients["Ana's client"]
    body = {"name": "Mia", "species": "cat", "sex": "female", "microchip": "616093900000001"}
    response = reception.call("POST", f"/clients/{client.pk}/animals", body)
    assert response.status_code == 201
    mia = response.json()
    assert (mia["client"], mia["active"], mia["birth_date"]) == (client.pk, True, None)
    dog(a.clients["João da Silva"])
    listed = reception.call("GET", f"/clients/{client.pk}/animals").json()
    assert [x["name"] for x in listed] == ["Mia"]

    path = f"/animals/{mia['id']}"
    response = reception.call("PATCH", path, {"breed": "Maine Coon", "name": None})
    assert response.status_code == 200
    assert (response.json()["breed"], response.json()["name"]) == ("Maine Coon", "Mia")
    response = reception.call("POST", f"{path}/active", {"active": False})
    assert response.json()["active"] is False
    # In the order they were written (PostgreSQL returns unordered rows in any order).
    kinds = list(Event.objects.filter(client=client).order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.ANIMAL_ADDED, EventKind.ANIMAL_CHANGED,
                          EventKind.ANIMAL_DEACTIVATED]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "species": "cat"}, "name"),
        ({"name": "Mia", "species": "dragon"}, "species"),
        ({"name": "Mia", "species": "cat", "microchip": "12345"}, "microchip"),
        ({"name": "Mia", "species": "cat", "microchip": "616093900000009"}, "microchip"),
    ],
)
def test_bad_input_is_refused_naming_the_field(a, reception, body, field):
    client = a.clients["Ana's client"]
    dog(client, microchip="616093900000009")
    before = rows()
    response = reception.call("POST", f"/clients/{client.pk}/animals", body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert rows() == before


def test_a_professional_reaches_only_their_own_clients_animals(a, reception):
    ana = Api(a.professional)
    own, others = dog(a.clients["Ana's client"]), dog(a.clients["João da Silva"])
    assert ana.call("PATCH", f"/animals/{own.pk}", {"colour": "black"}).status_code == 200
    assert ana.call("PATCH", f"/animals/{others.pk}", {"colour": "black"}).status_code == 404
    others.refresh_from_db()
    assert others.colour == ""

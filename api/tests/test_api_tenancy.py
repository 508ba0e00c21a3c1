"""Tenancy and roles on every route of the API.

The routes come from the OpenAPI document, so a new route fails these tests until it is given
its cross-practice attempt (CROSS_PRACTICE) and its rights per role (RIGHTS).
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from api.models import ApiToken
from api.routes import api
from api.tests import test_agenda_api as agenda_api
from api.tests import test_animals_api as animals_api
from api.tests import test_billing_api as billing_api
from api.tests import test_documents_api as documents_api
from api.tests import test_messages_api as messages_api
from audit.models import Event
from clientbook.testing import PracticeWorld
from clients.models import Client, ClientProfessional
from practices.models import Member, Practice

JSON = "application/json"
PREFIX = "/api/v1"
OPERATIONS = sorted(
    (method.upper(), path.removeprefix(PREFIX))
    for path, operations in api.get_openapi_schema()["paths"].items()
    for method in operations
)
LIST, PROFESSIONALS, CREATE = ("GET", "/clients"), ("GET", "/professionals"), ("POST", "/clients")
GET, PATCH = ("GET", "/clients/{client_id}"), ("PATCH", "/clients/{client_id}")
CODE, EVENTS = ("POST", "/clients/{client_id}/code"), ("GET", "/clients/{client_id}/events")


def label(operation: tuple[str, str]) -> str:
    return " ".join(operation)


class Api:
    """A test client that sends a member's token with every call."""

    def __init__(self, member: Member):
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {ApiToken.issue(member)[1]}"}

    def call(self, method: str, path: str, body: Any = None, *, headers=None, **params: Any):
        send = getattr(self.http, method.lower())
        headers = {**self.headers, **(headers or {})}
        if body is None:
            return send(PREFIX + path, params, headers=headers)
        return send(PREFIX + path, body, JSON, headers=headers)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Files the tests attach go to a temporary folder, not the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def snapshot() -> tuple:
    """Everything a refused call must leave as it was, in every practice."""
    return (
        list(Client.objects.order_by("pk").values()),
        list(ClientProfessional.objects.order_by("pk").values_list("client", "professional")),
        list(Event.objects.order_by("pk").values_list("pk", flat=True)),
        list(Practice.objects.order_by("pk").values_list("next_client_number", flat=True)),
    )


def body_for(operation: tuple[str, str], client: Client | None, world: PracticeWorld) -> Any:
    """A request body that the route accepts when the caller has the right."""
    body = {
        CREATE: {"full_name": "New Client", "professionals": [world.other_professional.pk]},
        PATCH: {"notes": "Changed by the API.", "version": client.version if client else 1},
        CODE: {"code": "NEW-1"},
        **messages_api.BODIES,
        **agenda_api.BODIES,
        **animals_api.BODIES,
        **billing_api.BODIES,
        **documents_api.BODIES,
    }.get(operation)
    return body(world) if callable(body) else body


def request(caller: Api, operation: tuple[str, str], client: Client | None, world) -> Any:
    method, path = operation
    if client is not None:
        path = path.replace("{client_id}", str(client.pk))
    path = agenda_api.fill_path(messages_api.fill_path(path, world), world)
    path = animals_api.fill_path(path, world)
    path = billing_api.fill_path(path, world)
    path = documents_api.fill_path(path, world)
    body = body_for(operation, client, world)
    if operation in documents_api.MULTIPART:
        return documents_api.MULTIPART[operation](caller, path)
    if operation == LIST:
        return caller.call(method, path, status="all")
    if operation in agenda_api.PARAMS:
        return caller.call(method, path, **agenda_api.PARAMS[operation](world))
    return caller.call(method, path, body)


# Another practice's token.


def _by_id(operation: tuple[str, str]) -> Callable:
    def attempt(intruder: Api, a: PracticeWorld, b: PracticeWorld) -> None:
        nobody = Client(pk=999_999, version=1)
        expected = request(intruder, operation, nobody, b)
        assert expected.status_code == 404
        for client in a.clients.values():
            response = request(intruder, operation, client, b)
            # Exactly what a client that does not exist gets: no hint that this one does.
            assert (response.status_code, response.json()) == (404, expected.json()), client
        if operation == PATCH:
            for client in a.clients.values():
                path = f"/clients/{client.pk}"
                for headers in [{"If-Match": '"1"'}, {"If-Match": '"7"'}, {}]:
                    response = intruder.call("PATCH", path, {"notes": "x"}, headers=headers)
                    assert response.status_code == 404, headers

    return attempt


def _list(intruder: Api, a: PracticeWorld, b: PracticeWorld) -> None:
    a_ids = {c.pk for c in a.clients.values()}
    queries: list[dict] = [{"status": "all"}, {"status": "all", "limit": 200}]
    queries += [{"status": "all", "q": name.split()[0]} for name in a.clients]
    queries += [{"q": a.clients["Ana's client"].code}, {"q": "98765"}, {"q": "conceicao"}]
    queries += [{"professional": p.pk} for p in a.practice.professionals.all()]
    for params in queries:
        response = intruder.call("GET", "/clients", **params)
        assert response.status_code == 200, params
        assert not a_ids & {item["id"] for item in response.json()["items"]}, params
    for params in [
        {"q": "conceicao"},
        *({"professional": p.pk} for p in a.practice.professionals.all()),
    ]:
        assert intruder.call("GET", "/clients", **params).json()["count"] == 0, params
    names = {i["full_name"] for i in intruder.call("GET", "/clients").json()["items"]}
    assert names == {c.full_name for c in b.clients.values()}  # the look-alikes, B's own


def _professionals(intruder: Api, a: PracticeWorld, b: PracticeWorld) -> None:
    response = intruder.call("GET", "/professionals")
    assert {p["id"] for p in response.json()} == {b.other_professional.pk}


def _create(intruder: Api, a: PracticeWorld, b: PracticeWorld) -> None:
    for professional in a.practice.professionals.all():
        body = {"full_name": "Smuggled", "professionals": [professional.pk]}
        response = intruder.call("POST", "/clients", body)
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["professionals"]
        body["professionals"] = [b.other_professional.pk, professional.pk]
        assert intruder.call("POST", "/clients", body).status_code == 422


CROSS_PRACTICE: dict[tuple[str, str], Callable] = {
    LIST: _list,
    PROFESSIONALS: _professionals,
    CREATE: _create,
    GET: _by_id(GET),
    PATCH: _by_id(PATCH),
    CODE: _by_id(CODE),
    EVENTS: _by_id(EVENTS),
    **messages_api.CROSS_PRACTICE,
    **agenda_api.CROSS_PRACTICE,
    **animals_api.CROSS_PRACTICE,
    **billing_api.CROSS_PRACTICE,
    **documents_api.CROSS_PRACTICE,
}


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=label)
@pytest.mark.parametrize("intruder_role", ["owner", "reception"])
def test_another_practices_token_finds_nothing_and_changes_nothing(a, b, operation, intruder_role):
    attempt = CROSS_PRACTICE.get(operation)
    if attempt is None:
        pytest.fail(f"{label(operation)} has no cross-practice test: add it to CROSS_PRACTICE")
    before = snapshot()
    attempt(Api(b.member(intruder_role)), a, b)
    assert snapshot() == before


# Roles in their own practice. "others" is a client of Bruno (not Ana's), "own" is Ana's.

ROLES = ["owner", "admin", "reception", "professional"]
RIGHTS: dict[tuple[str, str], dict[str, int]] = {
    # Every role reads the list and the professionals and registers clients.
    LIST: dict.fromkeys(ROLES, 200),
    PROFESSIONALS: dict.fromkeys(ROLES, 200),
    CREATE: dict.fromkeys(ROLES, 201),
    # A professional sees and changes only the clients they are responsible for: a colleague's
    # client does not exist for them (404).
    GET: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
          "professional/own": 200},
    PATCH: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
            "professional/own": 200},
    EVENTS: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
             "professional/own": 200},
    # Changing a code is for the owner and admins.
    CODE: {"owner": 200, "admin": 200, "reception": 403, "professional/others": 404,
           "professional/own": 403},
    **messages_api.RIGHTS,
    **agenda_api.RIGHTS,
    **animals_api.RIGHTS,
    **billing_api.RIGHTS,
    **documents_api.RIGHTS,
}  # fmt: skip
CASES = [
    (operation, role, target)
    for operation in OPERATIONS
    for role in ROLES
    for target in (["others", "own"] if "{client_id}" in operation[1] else [None])
]


def _case_id(case) -> str:
    operation, role, target = case
    return f"{label(operation)}-{role}" + (f"-{target}" if target else "")


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_each_role_has_exactly_its_rights(a, case):
    operation, role, target = case
    rights = RIGHTS.get(operation)
    if rights is None:
        pytest.fail(f"{label(operation)} has no rights per role: add it to RIGHTS")
    key = f"{role}/{target}" if role == "professional" and target else role
    client = {"others": a.clients["João da Silva"], "own": a.clients["Ana's client"]}.get(target)
    before = snapshot()

    response = request(Api(a.member(role)), operation, client, a)

    assert response.status_code == rights[key], response.content
    if response.status_code >= 400:
        assert snapshot() == before
        assert response.json()["detail"]


@pytest.mark.django_db
def test_a_professional_lists_only_their_own_clients(a):
    ana = Api(a.professional)
    response = ana.call("GET", "/clients", status="all")
    assert [i["full_name"] for i in response.json()["items"]] == ["Conceição Araújo"]
    assert response.json()["count"] == 1
    assert ana.call("GET", "/clients", q="joao").json() == {
        "items": [],
        "count": 0,
        "next_cursor": None,
        "previous_cursor": None,
    }
    assert ana.call("GET", "/clients", professional=a.other_professional.pk).json()["count"] == 0


@pytest.mark.django_db
def test_a_professional_registers_clients_who_are_then_their_own(a):
    ana = Api(a.professional)
    bruno = a.other_professional
    response = ana.call("POST", "/clients", {"full_name": "Nova", "professionals": [bruno.pk]})
    assert response.status_code == 201
    assert response.json()["professionals"] == sorted([a.professional.professional.pk, bruno.pk])
    assert ana.call("GET", f"/clients/{response.json()['id']}").status_code == 200


@pytest.mark.django_db
def test_a_professional_changes_their_client_but_cannot_leave_it(a):
    ana = Api(a.professional)
    own = a.clients["Ana's client"]
    path = f"/clients/{own.pk}"
    response = ana.call("PATCH", path, {"city": "Niterói", "version": 1})
    assert response.status_code == 200
    before = snapshot()

    response = ana.call("PATCH", path, {"professionals": [a.other_professional.pk], "version": 2})

    assert response.status_code == 422
    assert "professionals" in response.json()["errors"]
    assert snapshot() == before


@pytest.mark.django_db
def test_reception_cannot_change_a_code(a):
    joao = a.clients["João da Silva"]
    before = snapshot()
    response = Api(a.reception).call("POST", f"/clients/{joao.pk}/code", {"code": "R-1"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Seu perfil não permite esta ação."}
    assert snapshot() == before


def test_every_route_of_the_document_is_covered():
    # The two tables name exactly the routes of the document: none stale, none missing.
    assert set(CROSS_PRACTICE) == set(OPERATIONS)
    assert set(RIGHTS) == set(OPERATIONS)

"""The clients API: the list (tabs, search, filter, keyset pages), reading, registering and
changing a client with optimistic concurrency, changing the code, and the history."""

import base64
import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from api.models import ApiToken
from api.routes import CardIn, api
from audit.models import Event
from clientbook.testing import make_client
from clients.forms import ClientForm
from clients.models import Client, ClientProfessional, Status, StatusCount
from clients.services import change_status
from practices.models import Member, Practice

CLIENTS = "/api/v1/clients"
JSON = "application/json"


class Api:
    """A test client that sends a member's token with every call."""

    def __init__(self, member: Member):
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {ApiToken.issue(member)[1]}"}

    def get(self, url: str, **params):
        return self.http.get(url, params, headers=self.headers)

    def post(self, url: str, body: dict):
        return self.http.post(url, body, JSON, headers=self.headers)

    def patch(self, url: str, body: dict, **headers):
        return self.http.patch(url, body, JSON, headers={**self.headers, **headers})


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def names(response) -> list[str]:
    return [item["full_name"] for item in response.json()["items"]]


def snapshot() -> tuple:
    """Everything a refused call must leave as it was."""
    return (
        list(Client.objects.order_by("pk").values()),
        list(ClientProfessional.objects.order_by("pk").values_list("client", "professional")),
        list(StatusCount.objects.order_by("pk").values_list("status", "count")),
        list(Practice.objects.order_by("pk").values_list("next_client_number", flat=True)),
        Event.objects.count(),
    )


@pytest.fixture
def api_as(a):
    return lambda role: Api(a.member(role))


@pytest.fixture
def reception(a) -> Api:
    return Api(a.reception)


# The list.


@pytest.mark.django_db
def test_the_list_shows_one_tab_with_its_count(a, reception):
    waiting = make_client(a.reception, "Wanda Waits", status=Status.WAITLIST)
    gone = make_client(a.reception, "Ivo Inactive")
    change_status([gone], by=a.reception, status=Status.INACTIVE)

    active = reception.get(CLIENTS)
    assert sorted(names(active)) == sorted(c.full_name for c in a.clients.values())
    assert active.json()["count"] == 5
    assert ids(reception.get(CLIENTS, status="waitlist")) == [waiting.pk]
    assert reception.get(CLIENTS, status="waitlist").json()["count"] == 1
    assert ids(reception.get(CLIENTS, status="inactive")) == [gone.pk]
    assert reception.get(CLIENTS, status="forgotten").json() == {
        "items": [],
        "count": 0,
        "next_cursor": None,
        "previous_cursor": None,
    }
    everyone = reception.get(CLIENTS, status="all")
    assert everyone.json()["count"] == 7
    assert {waiting.pk, gone.pk} <= set(ids(everyone))
    assert reception.get(CLIENTS, status="archived").status_code == 422


@pytest.mark.django_db
def test_a_list_item_has_the_summary_of_the_card(a, reception):
    conceicao = a.clients["Ana's client"]
    (item,) = reception.get(CLIENTS, q="conceicao").json()["items"]
    assert item == {
        "id": conceicao.pk,
        "code": conceicao.code,
        "full_name": "Conceição Araújo",
        "preferred_name": "",
        "status": "active",
        "email": "conceicao@example.com",
        "phone": "+5511987654321",
        "professionals": [a.professional.professional.pk],
        "first_contact_at": item["first_contact_at"],
    }
    # JSON times have milliseconds (Django's encoder).
    shown = datetime.datetime.fromisoformat(item["first_contact_at"])
    assert abs(shown - conceicao.first_contact_at) < datetime.timedelta(milliseconds=1)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["joao", "JOÃO", "João", "silva joao", "da sil"])
def test_q_finds_joao_however_typed_and_only_in_the_practice(a, b, reception, query):
    assert ids(reception.get(CLIENTS, q=query)) == [a.clients["João da Silva"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["(11) 98765-4321", "11987654321", "+55 11 98765 4321", "98765-4321", "4321", "+5511987654321"],
)
def test_q_finds_a_phone_typed_in_any_format(a, reception, query):
    assert ids(reception.get(CLIENTS, q=query)) == [a.clients["Ana's client"].pk]


@pytest.mark.django_db
def test_q_finds_a_code_and_an_email(a, reception):
    joao, conceicao = a.clients["João da Silva"], a.clients["Ana's client"]
    assert ids(reception.get(CLIENTS, q=joao.code)) == [joao.pk]
    assert ids(reception.get(CLIENTS, q="conceicao@example.com")) == [conceicao.pk]
    assert ids(reception.get(CLIENTS, q="conceicao@")) == [conceicao.pk]
    assert ids(reception.get(CLIENTS, q="nobody@example.com")) == []


@pytest.mark.django_db
def test_the_count_follows_the_search(a, reception):
    response = reception.get(CLIENTS, q="lukasz")
    assert names(response) == ["Łukasz Wiśniewski"]
    assert response.json()["count"] == 1


@pytest.mark.django_db
def test_professional_filters_by_the_responsible_professional(a, reception):
    ana, bruno = a.professional.professional, a.other_professional
    assert ids(reception.get(CLIENTS, professional=ana.pk)) == [a.clients["Ana's client"].pk]
    brunos = reception.get(CLIENTS, professional=bruno.pk)
    assert sorted(names(brunos)) == sorted(name for name in a.clients if name != "Ana's client")
    assert brunos.json()["count"] == 4
    assert names(reception.get(CLIENTS, professional=bruno.pk, q="zoe")) == ["Zoë Ødegaard"]
    assert ids(reception.get(CLIENTS, professional=ana.pk, q="zoe")) == []


@pytest.fixture
def crowd(a) -> list[Client]:
    """23 more clients, with names, first contacts and registration times that tie, so only
    the id can order them within a tie."""
    when = datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)
    made = [
        make_client(
            a.reception,
            f"Crowd {i % 5}",
            professionals=[a.other_professional],
            first_contact_at=when + datetime.timedelta(days=i % 3),
        )
        for i in range(23)
    ]
    Client.objects.filter(pk__in=[c.pk for c in made[:10]]).update(created_at=when)
    return made


def walk(api: Api, *, forward: bool = True, **params) -> list[list[int]]:
    """Every page, following next_cursor (or previous_cursor from the last page)."""
    pages, cursor = [], None
    key, follow = ("after", "next_cursor") if forward else ("before", "previous_cursor")
    if not forward:
        cursor = _last_page_cursor(api, **params)
    while True:
        response = api.get(CLIENTS, **params, **({key: cursor} if cursor else {}))
        assert response.status_code == 200
        pages.append(ids(response))
        cursor = response.json()[follow]
        if cursor is None:
            return pages
        assert len(pages) < 50, "the cursors loop"


def _last_page_cursor(api: Api, **params) -> str:
    cursor = None
    while True:
        response = api.get(CLIENTS, **params, **({"after": cursor} if cursor else {}))
        if response.json()["next_cursor"] is None:
            return response.json()["previous_cursor"]
        cursor = response.json()["next_cursor"]


SORTS = ["name", "-name", "code", "-code", "contact", "-contact", "registered", "-registered"]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", SORTS)
def test_next_cursor_walks_every_client_once_in_order(a, crowd, reception, sort):
    everyone = ids(reception.get(CLIENTS, status="all", sort=sort, limit=200))
    assert len(everyone) == 28

    pages = walk(reception, status="all", sort=sort, limit=6)

    assert [len(page) for page in pages] == [6, 6, 6, 6, 4]
    assert [pk for page in pages for pk in page] == everyone


@pytest.mark.django_db
@pytest.mark.parametrize("sort", SORTS)
def test_previous_cursor_walks_back_to_the_first_page(a, crowd, reception, sort):
    forward = walk(reception, sort=sort, limit=6)
    backward = walk(reception, forward=False, sort=sort, limit=6)
    # From the last page back: the pages before it, in reverse, ending on the first page.
    assert backward == forward[-2::-1]


@pytest.mark.django_db
def test_the_walk_keeps_to_the_search_and_the_filter(a, crowd, reception):
    params = {"q": "crowd", "professional": a.other_professional.pk, "limit": 4}
    seen = [pk for page in walk(reception, **params) for pk in page]
    assert sorted(seen) == sorted(c.pk for c in crowd)
    assert reception.get(CLIENTS, **params).json()["count"] == 23


@pytest.mark.django_db
def test_a_malformed_cursor_is_refused_or_starts_over(a, reception):
    assert reception.get(CLIENTS, after="not base64!").status_code == 422
    # Well-formed but not a cursor of ours: the first page, not an error.
    assert reception.get(CLIENTS, after="bm9wZQ").json()["previous_cursor"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(("limit", "status"), [(0, 422), (-1, 422), (201, 422), ("x", 422)])
def test_limit_is_between_1_and_200(a, reception, limit, status):
    response = reception.get(CLIENTS, limit=limit)
    assert response.status_code == status
    assert "limit" in response.json()["errors"]


@pytest.mark.django_db
def test_limit_sizes_the_page(a, reception):
    assert len(ids(reception.get(CLIENTS, limit=1))) == 1
    assert reception.get(CLIENTS, limit=1).json()["next_cursor"] is not None
    assert len(ids(reception.get(CLIENTS, limit=200))) == 5


@pytest.mark.django_db
def test_a_page_costs_five_queries_however_long(a, crowd, reception, django_assert_num_queries):
    reception.get(CLIENTS)  # the token's first use also records it (one UPDATE)
    # The token with its member, practice, user and professional; the tab counts (kept by the
    # services, no scan); the page's ids (from the indexes); those rows; their professionals.
    with django_assert_num_queries(5):
        assert len(ids(reception.get(CLIENTS, limit=200))) == 28
    # Searching, the counts are counted on the matching clients instead.
    with django_assert_num_queries(5):
        assert len(ids(reception.get(CLIENTS, q="crowd", limit=200))) == 23


@pytest.mark.django_db
def test_a_card_and_its_history_cost_three_queries(a, reception, django_assert_num_queries):
    joao = a.clients["João da Silva"]
    reception.get(CLIENTS)
    # The token; the client with its practice and group; its professionals (or its events).
    with django_assert_num_queries(3):
        reception.get(f"{CLIENTS}/{joao.pk}")
    with django_assert_num_queries(3):
        reception.get(f"{CLIENTS}/{joao.pk}/events")


# One client.


@pytest.mark.django_db
def test_get_returns_the_card_with_its_etag(a, reception):
    conceicao = a.clients["Ana's client"]
    response = reception.get(f"{CLIENTS}/{conceicao.pk}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    card = response.json()
    assert card["id"] == conceicao.pk
    assert card["code"] == conceicao.code
    assert card["full_name"] == "Conceição Araújo"
    assert card["birth_date"] == "1980-05-17"
    assert card["phone"] == "+5511987654321"
    assert card["professionals"] == [a.professional.professional.pk]
    assert card["version"] == 1
    assert card["is_minor_without_guardian"] is False


@pytest.mark.django_db
def test_get_an_unknown_client_is_404(a, reception):
    response = reception.get(f"{CLIENTS}/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Cliente não encontrado."}  # in Olga's Portuguese


# Registering.


@pytest.mark.django_db
def test_post_registers_a_client_with_only_a_name_and_a_professional(a, reception):
    response = reception.post(
        CLIENTS, {"full_name": "Maria Souza", "professionals": [a.other_professional.pk]}
    )

    assert response.status_code == 201
    card = response.json()
    maria = Client.objects.get(pk=card["id"])
    assert response.headers["Location"] == f"{CLIENTS}/{maria.pk}"
    assert response.headers["ETag"] == '"1"'
    assert card["full_name"] == maria.full_name == "Maria Souza"
    assert card["code"] == maria.code == "000006"
    assert card["status"] == "active"
    assert card["professionals"] == [a.other_professional.pk]
    assert card["receives_invoices"] is True
    assert card["tags"] == []
    assert maria.practice == a.practice
    assert maria.pk in ids(reception.get(CLIENTS, q="maria"))
    assert Event.objects.filter(client=maria, kind="client.created").count() == 1


@pytest.mark.django_db
def test_post_registers_onto_the_waitlist_with_the_card_fields(a, reception):
    response = reception.post(
        CLIENTS,
        {
            "full_name": "Paulo Lima",
            "professionals": [a.other_professional.pk],
            "status": "waitlist",
            "national_id": "52998224725",
            "phone": "(11) 91234-5678",
            "default_fee": "150.00",
            "tags": ["couple", "evening"],
            "first_contact_at": "2024-05-17T14:30:00-03:00",
        },
    )
    assert response.status_code == 201, response.json()
    card = response.json()
    assert card["status"] == "waitlist"
    assert card["national_id"] == "529.982.247-25"
    assert card["phone"] == "+5511912345678"
    assert card["default_fee"] == "150.00"
    assert card["tags"] == ["couple", "evening"]
    assert datetime.datetime.fromisoformat(card["first_contact_at"]) == datetime.datetime(
        2024, 5, 17, 17, 30, tzinfo=datetime.UTC
    )
    waitlist = reception.get(CLIENTS, status="waitlist")
    assert ids(waitlist) == [card["id"]]
    assert waitlist.json()["count"] == 1


@pytest.mark.django_db
def test_a_date_time_without_offset_is_in_the_practices_time_zone(a, reception):
    response = reception.post(
        CLIENTS,
        {"full_name": "Tânia", "professionals": [a.other_professional.pk],
         "first_contact_at": "2024-05-17T14:30:00"},
    )  # fmt: skip
    assert datetime.datetime.fromisoformat(
        response.json()["first_contact_at"]
    ) == datetime.datetime(2024, 5, 17, 17, 30, tzinfo=datetime.UTC)  # São Paulo is UTC-3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"national_id": "123.456.789-00"}, "national_id"),
        ({"professionals": [999999]}, "professionals"),
        ({"professionals": []}, "professionals"),
        ({"full_name": None}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"email": "maria-at-example"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "20000101"}, "birth_date"),
        ({"first_contact_at": 0}, "first_contact_at"),
        ({"first_contact_at": "0001-01-01T00:00:00+14:00"}, "first_contact_at"),
        ({"default_fee": -1}, "default_fee"),
        ({"default_fee": "1e3"}, "default_fee"),
        ({"receives_invoices": "yes"}, "receives_invoices"),
        ({"payment_method": "barter"}, "payment_method"),
        ({"notes": "nul \x00 byte"}, "notes"),
        ({"postal_code": "123"}, "postal_code"),
        ({"anamnesis_group": 999999}, "anamnesis_group"),
        ({"status": "inactive"}, "status"),
    ],
)
def test_post_refuses_invalid_input_naming_the_field_and_writes_nothing(a, reception, body, field):
    before = snapshot()
    data = {"full_name": "Maria Souza", "professionals": [a.other_professional.pk], **body}
    data = {k: v for k, v in data.items() if v is not None}

    response = reception.post(CLIENTS, data)

    assert response.status_code == 422
    assert response.json()["detail"] == "Dados inválidos."  # practice A works in pt-BR
    assert field in response.json()["errors"]
    assert snapshot() == before


@pytest.mark.django_db
def test_post_refuses_another_practices_professional(a, b, reception):
    before = snapshot()
    response = reception.post(
        CLIENTS, {"full_name": "Maria", "professionals": [b.other_professional.pk]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "professionals": [f"Profissional desconhecido: {b.other_professional.pk}."]
    }
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", "null", "1", '"x"', "{", ""])
def test_post_refuses_a_body_that_is_not_a_json_object(a, reception, body):
    before = snapshot()
    response = reception.http.post(CLIENTS, body, JSON, headers=reception.headers)
    assert response.status_code in (400, 422)
    assert snapshot() == before


# Changing.


@pytest.fixture
def joao(a) -> Client:
    return a.clients["João da Silva"]


@pytest.mark.django_db
def test_patch_changes_only_the_fields_sent(a, reception, joao):
    response = reception.patch(
        f"{CLIENTS}/{joao.pk}", {"email": "joao@example.com", "city": "Recife", "version": 1}
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    card = response.json()
    assert card["version"] == 2
    assert (card["email"], card["city"]) == ("joao@example.com", "Recife")
    joao.refresh_from_db()
    assert (joao.email, joao.city, joao.version) == ("joao@example.com", "Recife", 2)
    assert joao.full_name == "João da Silva"
    assert list(joao.professionals.all()) == [a.other_professional]
    assert reception.get(f"{CLIENTS}/{joao.pk}").headers["ETag"] == '"2"'


@pytest.mark.django_db
def test_patch_with_null_clears_a_field(a, reception, joao):
    filled = {"email": "joao@example.com", "birth_date": "1990-02-03", "version": 1}
    assert reception.patch(f"{CLIENTS}/{joao.pk}", filled).json()["birth_date"] == "1990-02-03"
    cleared = {"email": None, "birth_date": None, "version": 2}
    response = reception.patch(f"{CLIENTS}/{joao.pk}", cleared)
    assert response.status_code == 200
    assert (response.json()["email"], response.json()["birth_date"]) == ("", None)


@pytest.mark.django_db
def test_patch_changes_the_professionals(a, reception, joao):
    ana, bruno = a.professional.professional, a.other_professional
    response = reception.patch(
        f"{CLIENTS}/{joao.pk}", {"professionals": [ana.pk, bruno.pk], "version": 1}
    )
    assert response.json()["professionals"] == sorted([ana.pk, bruno.pk])
    assert set(joao.professionals.all()) == {ana, bruno}


@pytest.mark.django_db
def test_patch_that_changes_nothing_keeps_the_version(a, reception, joao):
    response = reception.patch(f"{CLIENTS}/{joao.pk}", {"full_name": "João da Silva", "version": 1})
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert not Event.objects.filter(client=joao, kind="client.updated").exists()


@pytest.mark.django_db
def test_patch_with_a_stale_version_is_409_and_writes_nothing(a, reception, joao):
    reception.patch(f"{CLIENTS}/{joao.pk}", {"notes": "first", "version": 1})
    before = snapshot()

    response = reception.patch(f"{CLIENTS}/{joao.pk}", {"notes": "second", "version": 1})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "O cliente foi alterado depois que você o leu.",
        "current_version": 2,
    }
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("etag", ['"1"', 'W/"1"', "1"])
def test_patch_with_if_match_applies_when_current(a, reception, joao, etag):
    response = reception.patch(f"{CLIENTS}/{joao.pk}", {"notes": "ok"}, **{"If-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'


@pytest.mark.django_db
def test_patch_with_a_stale_if_match_is_412_and_writes_nothing(a, reception, joao):
    reception.patch(f"{CLIENTS}/{joao.pk}", {"notes": "first"}, **{"If-Match": '"1"'})
    before = snapshot()

    stale = reception.patch(f"{CLIENTS}/{joao.pk}", {"notes": "second"}, **{"If-Match": '"1"'})
    garbled = reception.patch(f"{CLIENTS}/{joao.pk}", {"notes": "third"}, **{"If-Match": "*"})

    assert stale.status_code == 412
    assert stale.json() == {
        "detail": "O cliente foi alterado depois que você o leu.",
        "current_version": 2,
    }
    assert garbled.status_code == 412
    assert garbled.json()["current_version"] == 2
    assert snapshot() == before


@pytest.mark.django_db
def test_patch_without_a_version_is_428_and_writes_nothing(a, reception, joao):
    before = snapshot()
    response = reception.patch(f"{CLIENTS}/{joao.pk}", {"notes": "blind write"})
    assert response.status_code == 428
    assert "version" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"national_id": "111.111.111-11"}, "national_id"),
        ({"full_name": None}, "full_name"),
        ({"full_name": ""}, "full_name"),
        ({"professionals": []}, "professionals"),
        ({"professionals": [999999]}, "professionals"),
        ({"email": "nope"}, "email"),
        ({"version": "1"}, "version"),
    ],
)
def test_patch_refuses_invalid_input_naming_the_field(a, reception, joao, body, field):
    before = snapshot()
    response = reception.patch(f"{CLIENTS}/{joao.pk}", {"version": 1, **body})
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert snapshot() == before


# The code.


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_change_the_code_and_the_old_one_still_finds_the_client(
    a, api_as, joao, role
):
    api = api_as(role)
    old = joao.code

    response = api.post(f"{CLIENTS}/{joao.pk}/code", {"code": "SP-2024/07"})

    assert response.status_code == 200
    assert response.json()["code"] == "SP-2024/07"
    assert response.json()["version"] == 2
    assert ids(api.get(CLIENTS, q=old)) == [joao.pk]
    assert ids(api.get(CLIENTS, q="SP-2024/07")) == [joao.pk]


@pytest.mark.django_db
def test_a_code_already_taken_is_422_and_changes_nothing(a, joao):
    api = Api(a.owner)
    taken = a.clients["Zoë Ødegaard"].code
    before = snapshot()

    response = api.post(f"{CLIENTS}/{joao.pk}/code", {"code": taken})

    assert response.status_code == 422
    assert "code" in response.json()["errors"]
    assert taken in response.json()["errors"]["code"][0]
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["two words", "", "x" * 21, "semi;colon", "nul\x00"])
def test_a_malformed_code_is_422(a, joao, code):
    before = snapshot()
    response = Api(a.owner).post(f"{CLIENTS}/{joao.pk}/code", {"code": code})
    assert response.status_code == 422
    assert "code" in response.json()["errors"]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_code_may_have_letters_of_any_alphabet(a, joao):
    response = Api(a.owner).post(f"{CLIENTS}/{joao.pk}/code", {"code": "ŁÓDŹ-7"})
    assert response.status_code == 200
    assert response.json()["code"] == "ŁÓDŹ-7"


# The history.


@pytest.mark.django_db
def test_events_show_each_change_with_old_and_new_values_newest_first(a, reception, joao):
    reception.patch(
        f"{CLIENTS}/{joao.pk}", {"email": "joao@example.com", "city": "Recife", "version": 1}
    )
    reception.patch(f"{CLIENTS}/{joao.pk}", {"city": "Olinda", "version": 2})
    Api(a.owner).post(f"{CLIENTS}/{joao.pk}/code", {"code": "J-1"})

    events = reception.get(f"{CLIENTS}/{joao.pk}/events").json()

    assert [e["kind"] for e in events] == [
        "client.code_changed",
        "client.updated",
        "client.updated",
        "client.created",
    ]
    code, city, first, _ = events
    assert code["changes"] == [{"field": "code", "old": joao.code, "new": "J-1"}]
    assert code["actor"] == "Olga Owner"
    assert city["changes"] == [{"field": "city", "old": "Recife", "new": "Olinda"}]
    assert city["actor"] == "Rita Reception"
    assert {c["field"]: (c["old"], c["new"]) for c in first["changes"]} == {
        "email": ("", "joao@example.com"),
        "city": ("", "Recife"),
    }
    assert [e["id"] for e in reception.get(f"{CLIENTS}/{joao.pk}/events", limit=2).json()] == [
        code["id"],
        city["id"],
    ]


# The document.


def test_every_text_field_of_the_card_fits_its_column():
    from clients.models import Client as Model

    for name, info in CardIn.model_fields.items():
        column = Model._meta.get_field(name) if name != "professionals" else None
        max_length = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
        if column is not None and getattr(column, "max_length", None) and max_length:
            assert max_length <= column.max_length, name


def test_every_operation_declares_its_errors():
    paths = api.get_openapi_schema()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            declared = {str(status) for status in operation["responses"]}
            assert {"401", "403", "404", "422"} <= declared, (method, path)
            if "requestBody" in operation:
                assert "400" in declared, (method, path)


# Bugs outside the API, in what it calls (clients/). Each test passes once its bug is fixed;
# until then it is an expected failure, on the database where the bug shows.

ON_SQLITE = connection.vendor == "sqlite"
ON_POSTGRES = connection.vendor == "postgresql"


def cursor(*values: Any) -> str:
    """A cursor the server did not make (it is base64 of JSON, easy to craft)."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["after", "before"])
def test_a_cursor_with_an_id_beyond_64_bits_is_not_a_500(a, reception, key):
    assert reception.get(CLIENTS, **{key: cursor("joao", 2**70)}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["after", "before"])
def test_a_cursor_with_a_nul_byte_is_not_a_500(a, reception, key):
    assert reception.get(CLIENTS, **{key: cursor("jo\x00ao", 1)}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("world", "when"), [("a", "9999-12-31T23:59"), ("b", "0001-01-01T00:00")])
def test_the_card_form_refuses_a_first_contact_that_cannot_be_stored(request, world, when):
    world = request.getfixturevalue(world)
    data = {
        "full_name": "X",
        "professionals": [world.other_professional.pk],
        "first_contact_at": when,
    }
    with timezone.override(world.practice.tz):  # as the page runs: in the practice's zone
        form = ClientForm(data=data, practice=world.practice, member=world.owner, only=data)
        assert not form.is_valid()
    assert "first_contact_at" in form.errors


@pytest.mark.django_db
def test_the_card_form_refuses_a_professional_id_beyond_64_bits(a):
    data = {"full_name": "X", "professionals": [str(2**70)]}
    form = ClientForm(data=data, practice=a.practice, member=a.owner, only=data)
    assert not form.is_valid()
    assert "professionals" in form.errors

"""Changing a client's code through the page: owner and admin only, unique in the practice,
the old code kept findable."""

import html
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from audit.models import Event, EventKind
from clientbook.testing import LOOKALIKE_NAMES, logged_in, make_user
from clients.models import Client


def change_code(client) -> str:
    return reverse("clients:change_code", args=[client.pk])


def code_errors(response) -> list[str]:
    block = re.search(r'<div class="field has-error">.*?</div>', response.content.decode(), re.S)
    if block is None:
        return []
    return [html.unescape(m) for m in re.findall(r'<p class="error">(.*?)</p>', block[0])]


def state(client) -> tuple:
    fresh = Client.objects.get(pk=client.pk)
    return fresh.code, fresh.former_codes, fresh.version, Event.objects.count()


# Tenancy.


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_change_a_clients_code(a, role):
    client = a.clients["João da Silva"]
    http = logged_in(a.member(role))
    assert http.get(change_code(client)).status_code == 200
    response = http.post(change_code(client), {"code": "JS-2024"})
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:card", args=[client.pk])
    assert Client.objects.get(pk=client.pk).code == "JS-2024"


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_reception_and_professionals_get_403_and_change_nothing(a, role):
    # Ana's own client too: being responsible for a client does not give this right.
    for client in (a.clients["João da Silva"], a.clients["Ana's client"]):
        http = logged_in(a.member(role))
        before = state(client)
        assert http.get(change_code(client)).status_code == 403
        assert http.post(change_code(client), {"code": "NEW-1"}).status_code == 403
        assert state(client) == before


def test_a_user_with_no_practice_gets_the_no_practice_page(a):
    client = a.clients["João da Silva"]
    http = HttpClient()
    http.force_login(make_user("nobody@example.test"))
    before = state(client)
    response = http.post(change_code(client), {"code": "NEW-1"})
    assert response.status_code == 403
    assert "practices/no_practice.html" in [t.name for t in response.templates]
    assert state(client) == before


@pytest.mark.parametrize("name", [*LOOKALIKE_NAMES, "Ana's client"])
def test_another_practice_gets_404_for_every_client_and_changes_nothing(a, b, name):
    client = a.clients[name]
    http = logged_in(b.owner)
    before = state(client)
    assert http.get(change_code(client)).status_code == 404
    assert http.post(change_code(client), {"code": "STOLEN"}).status_code == 404
    assert state(client) == before


# What it does.


def test_the_old_code_is_kept_and_still_finds_the_client(a):
    client = a.clients["João da Silva"]
    old = client.code
    http = logged_in(a.owner)
    http.post(change_code(client), {"code": "JS-1"})
    http.post(change_code(client), {"code": "JS-2"})
    fresh = Client.objects.get(pk=client.pk)
    assert fresh.code == "JS-2"
    assert fresh.former_codes == [old, "JS-1"]
    for query in (old, "JS-1", "JS-2"):
        found = http.get(reverse("clients:list"), {"q": query}).context["page"].rows
        assert found == [fresh], query


def test_the_change_is_recorded_with_the_old_and_new_code(a):
    client = a.clients["João da Silva"]
    logged_in(a.admin).post(change_code(client), {"code": "JS-1"})
    event = Event.objects.filter(client=client).latest("pk")
    assert event.kind == EventKind.CLIENT_CODE_CHANGED
    assert event.actor == a.admin
    assert event.changes == {"code": [client.code, "JS-1"]}


@pytest.mark.usefixtures("english")
def test_the_page_warns_that_changing_the_code_is_discouraged(a):
    client = a.clients["João da Silva"]
    page = html.unescape(logged_in(a.owner).get(change_code(client)).content.decode())
    assert "Changing a client's code is discouraged" in page
    assert f"The current code {client.code} will stay in the client's history" in page


@pytest.mark.usefixtures("english")
def test_a_code_another_client_has_is_refused_and_nothing_is_written(a):
    client = a.clients["João da Silva"]
    taken = a.clients["Zoë Ødegaard"].code
    before = state(client)
    response = logged_in(a.owner).post(change_code(client), {"code": taken})
    assert response.status_code == 200
    assert code_errors(response) == [f"Another client already has the code {taken}."]
    assert state(client) == before


def test_a_code_used_in_another_practice_is_free_here(a, b):
    logged_in(a.owner).post(change_code(a.clients["João da Silva"]), {"code": "SHARED-1"})
    other = b.clients["Zoë Ødegaard"]
    response = logged_in(b.owner).post(change_code(other), {"code": "SHARED-1"})
    assert response.status_code == 302
    assert Client.objects.get(pk=other.pk).code == "SHARED-1"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("JS 1", "Use letters, digits, dots, dashes and slashes only."),
        ("<b>1</b>", "Use letters, digits, dots, dashes and slashes only."),
        ("A" * 21, "Ensure this value has at most 20 characters (it has 21)."),
    ],
)
def test_an_unusable_code_is_refused_with_a_message(a, typed, message):
    client = a.clients["João da Silva"]
    before = state(client)
    response = logged_in(a.owner).post(change_code(client), {"code": typed})
    assert response.status_code == 200
    assert code_errors(response) == [message]
    assert state(client) == before


def test_the_same_code_again_changes_nothing(a):
    client = a.clients["João da Silva"]
    before = state(client)
    response = logged_in(a.owner).post(change_code(client), {"code": f" {client.code} "})
    assert response.status_code == 302
    assert state(client) == before


def test_only_get_and_post_are_allowed(a):
    http = logged_in(a.owner)
    assert http.put(change_code(a.clients["João da Silva"])).status_code == 405

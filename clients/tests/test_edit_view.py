"""Editing a client's card through the page: who may, what the timeline records, and
optimistic concurrency (a stale form writes nothing)."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.test import Client as HttpClient
from django.urls import reverse

from audit.models import Event, EventKind
from clientbook.testing import LOOKALIKE_NAMES, logged_in, make_client, make_user, years_ago
from clients.models import Client
from clients.services import update_client
from practices import roles
from practices.models import Role


def edit(client) -> str:
    return reverse("clients:edit", args=[client.pk])


def card(client) -> str:
    return reverse("clients:card", args=[client.pk])


class _FormValues(HTMLParser):
    """What a browser submits for the page's card form, untouched by the user."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.inside = False
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form" and "card-form" in (attrs.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.setdefault(name, []).append(attrs.get("value") or "on")
            elif kind not in ("submit", "button", "reset"):
                self.values.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea" and name:
            self.textarea = name
            self.values.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            chosen = [v for v, selected in self.options if selected] or [self.options[0][0]]
            self.values.setdefault(self.select, []).extend(chosen)
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea][-1] += data


def form_values(response) -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(response.content.decode())
    for name, values in parser.values.items():
        # A browser drops the newline that follows <textarea>.
        parser.values[name] = [v.removeprefix("\n") for v in values]
    return parser.values


def errors(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, message in re.findall(
        r'<p class="error" id="id_(\w+)_error">(.*?)</p>', response.content.decode()
    ):
        found.setdefault(name, []).append(html.unescape(message))
    return found


def row(client) -> dict:
    return model_to_dict(Client.objects.get(pk=client.pk), exclude=["professionals"]) | {
        "professionals": set(Client.objects.get(pk=client.pk).professionals.all()),
        "version": Client.objects.get(pk=client.pk).version,
    }


def timeline(response) -> str:
    found = re.search(r'<aside class="panel timeline".*?</aside>', response.content.decode(), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[0]))


# Tenancy.


@pytest.mark.parametrize("role", ["owner", "admin", "reception"])
def test_owner_admin_and_reception_edit_any_client_of_their_practice(a, role):
    client = a.clients["João da Silva"]
    http = logged_in(a.member(role))
    values = form_values(http.get(edit(client)))
    values["city"] = ["Recife"]
    response = http.post(edit(client), values)
    assert response.status_code == 302
    assert response["Location"] == card(client)
    assert Client.objects.get(pk=client.pk).city == "Recife"


def test_a_professional_edits_their_own_client(a):
    client = a.clients["Ana's client"]
    http = logged_in(a.professional)
    values = form_values(http.get(edit(client)))
    values["city"] = ["Campinas"]
    assert http.post(edit(client), values).status_code == 302
    assert Client.objects.get(pk=client.pk).city == "Campinas"


@pytest.mark.parametrize("name", LOOKALIKE_NAMES)
def test_a_professional_gets_404_for_a_colleagues_client_and_changes_nothing(a, name):
    client = a.clients[name]
    http = logged_in(a.professional)
    before, events = row(client), Event.objects.count()
    assert http.get(edit(client)).status_code == 404
    response = http.post(
        edit(client), {"full_name": "Taken Over", "professionals": [a.professional.professional.pk]}
    )
    assert response.status_code == 404
    assert row(client) == before
    assert Event.objects.count() == events


@pytest.fixture
def reception_may_not_change(a, monkeypatch):
    """A role without the right to change clients (no role lacks it today; the view must still
    check it)."""
    monkeypatch.setitem(
        roles._ROLE_PERMISSIONS,
        Role.RECEPTION,
        frozenset({roles.VIEW_ALL_CLIENTS, roles.ADD_CLIENT}),
    )


@pytest.mark.usefixtures("reception_may_not_change")
def test_a_role_without_the_right_to_change_gets_403_and_changes_nothing(a):
    client = a.clients["João da Silva"]
    http = logged_in(a.reception)
    before, events = row(client), Event.objects.count()
    assert http.get(edit(client)).status_code == 403
    response = http.post(
        edit(client), {"full_name": "Changed", "professionals": [a.other_professional.pk]}
    )
    assert response.status_code == 403
    assert row(client) == before
    assert Event.objects.count() == events


def test_a_user_with_no_practice_gets_the_no_practice_page(a):
    client = a.clients["João da Silva"]
    http = HttpClient()
    http.force_login(make_user("nobody@example.test"))
    before = row(client)
    response = http.post(edit(client), {"full_name": "X", "professionals": [1]})
    assert response.status_code == 403
    assert "practices/no_practice.html" in [t.name for t in response.templates]
    assert row(client) == before


@pytest.mark.parametrize("name", [*LOOKALIKE_NAMES, "Ana's client"])
def test_another_practice_gets_404_for_every_client_and_changes_nothing(a, b, name):
    client = a.clients[name]
    http = logged_in(b.owner)
    before, events = row(client), Event.objects.count()
    assert http.get(edit(client)).status_code == 404
    response = http.post(
        edit(client),
        {
            "full_name": "Taken Over",
            "professionals": [b.other_professional.pk],
            "version": before["version"],
        },
    )
    assert response.status_code == 404
    assert row(client) == before
    assert Event.objects.count() == events


# What an edit records.


def test_the_form_posted_back_unchanged_records_no_event(a):
    client = a.clients["Ana's client"]
    http = logged_in(a.reception)
    events = Event.objects.filter(client=client).count()
    response = http.post(edit(client), form_values(http.get(edit(client))))
    assert response.status_code == 302
    assert Event.objects.filter(client=client).count() == events
    assert Client.objects.get(pk=client.pk).version == client.version


def test_an_edit_records_only_the_fields_the_user_changed(a):
    client = a.clients["Ana's client"]
    http = logged_in(a.reception)
    values = form_values(http.get(edit(client)))
    values["phone"] = ["(11) 91234-5678"]
    assert http.post(edit(client), values).status_code == 302
    event = Event.objects.filter(client=client).latest("pk")
    assert event.kind == EventKind.CLIENT_UPDATED
    assert event.actor == a.reception
    assert event.changes == {"phone": ["+5511987654321", "+5511912345678"]}


def test_the_first_contact_typed_to_the_minute_keeps_the_stored_time(a):
    client = a.clients["Ana's client"]
    stored = Client.objects.get(pk=client.pk).first_contact_at
    http = logged_in(a.reception)
    values = form_values(http.get(edit(client)))
    values["notes"] = ["First visit went well."]
    http.post(edit(client), values)
    assert Client.objects.get(pk=client.pk).first_contact_at == stored


@pytest.mark.usefixtures("english")
def test_the_card_shows_who_changed_which_field_from_what_to_what(a):
    client = a.clients["Ana's client"]
    http = logged_in(a.reception)
    values = form_values(http.get(edit(client)))
    values["phone"] = ["(11) 91234-5678"]
    values["full_name"] = ["Conceição Araújo Lima"]
    values["professionals"] = [str(a.professional.professional.pk), str(a.other_professional.pk)]
    response = http.post(edit(client), values, follow=True)
    entries = timeline(response)
    assert "Card changed · Rita Reception" in entries
    assert "Phone : (11) 98765-4321 → (11) 91234-5678" in entries
    assert "Full name : Conceição Araújo → Conceição Araújo Lima" in entries
    assert "Responsible professionals : Ana Analyst → Ana Analyst, Bruno Brito" in entries
    assert ("success", "Card saved.") in [
        (m.level_tag, str(m)) for m in get_messages(response.wsgi_request)
    ]


def test_a_cleared_field_is_shown_as_emptied(a):
    client = a.clients["Ana's client"]
    http = logged_in(a.owner)
    values = form_values(http.get(edit(client)))
    values["email"] = [""]
    response = http.post(edit(client), values, follow=True)
    assert "conceicao@example.com → —" in timeline(response)


# Validation and concurrency.


@pytest.mark.usefixtures("english")
def test_an_invalid_edit_shows_the_message_on_the_field_and_writes_nothing(a):
    client = a.clients["Ana's client"]
    http = logged_in(a.reception)
    before, events = row(client), Event.objects.count()
    values = form_values(http.get(edit(client)))
    values["full_name"] = [""]
    values["national_id"] = ["111.111.111-12"]
    response = http.post(edit(client), values)
    assert response.status_code == 200
    assert set(errors(response)) == {"full_name", "national_id"}
    assert row(client) == before
    assert Event.objects.count() == events


@pytest.mark.usefixtures("english")
def test_a_professional_cannot_take_themselves_off_their_client(a):
    client = a.clients["Ana's client"]
    http = logged_in(a.professional)
    before = row(client)
    values = form_values(http.get(edit(client)))
    values["professionals"] = [str(a.other_professional.pk)]
    response = http.post(edit(client), values)
    assert response.status_code == 200
    assert errors(response) == {
        "professionals": ["You cannot remove yourself from your own client."]
    }
    assert row(client) == before


def test_the_form_carries_the_version_it_was_read_at(a):
    client = a.clients["João da Silva"]
    assert form_values(logged_in(a.reception).get(edit(client)))["version"] == [str(client.version)]


@pytest.mark.usefixtures("english")
def test_a_stale_form_gets_an_error_and_writes_nothing(a):
    client = a.clients["João da Silva"]
    http = logged_in(a.reception)
    values = form_values(http.get(edit(client)))  # read at version 1
    # Meanwhile a colleague saves the card.
    update_client(client, by=a.owner, fields={"city": "Olinda"})
    before, events = row(client), Event.objects.count()
    values["city"] = ["Recife"]
    response = http.post(edit(client), values)
    assert response.status_code == 200
    assert "Someone else changed this card while you were editing it (now version 2)" in (
        html.unescape(response.content.decode())
    )
    assert row(client) == before
    assert Client.objects.get(pk=client.pk).city == "Olinda"
    assert Event.objects.count() == events


def test_after_a_stale_error_the_reloaded_form_saves(a):
    client = a.clients["João da Silva"]
    http = logged_in(a.reception)
    update_client(client, by=a.owner, fields={"city": "Olinda"})
    values = form_values(http.get(edit(client)))
    values["city"] = ["Recife"]
    assert http.post(edit(client), values).status_code == 302
    assert Client.objects.get(pk=client.pk).version == 3


def test_a_garbled_version_is_refused_without_writing(a):
    client = a.clients["João da Silva"]
    http = logged_in(a.reception)
    before = row(client)
    values = form_values(http.get(edit(client)))
    values["version"] = ["two"]
    values["city"] = ["Recife"]
    response = http.post(edit(client), values)
    assert response.status_code in (200, 400)
    assert row(client) == before


# Minors and methods.


def test_editing_a_minor_without_a_guardian_warns_but_saves(a):
    client = make_client(a.reception, "Young One")
    http = logged_in(a.reception)
    values = form_values(http.get(edit(client)))
    values["birth_date"] = [years_ago(8).isoformat()]
    response = http.post(edit(client), values, follow=True)
    assert response.redirect_chain == [(card(client), 302)]
    assert Client.objects.get(pk=client.pk).needs_guardian
    assert 'class="msg msg-warning"' in response.content.decode()


def test_only_get_and_post_are_allowed(a):
    http = logged_in(a.reception)
    assert http.put(edit(a.clients["João da Silva"])).status_code == 405
    assert http.delete(edit(a.clients["João da Silva"])).status_code == 405

"""The client card: who may see it, what it shows, its timeline, and what it costs."""

import datetime
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from audit.models import Event
from clientbook.testing import LOOKALIKE_NAMES, logged_in, make_client, make_user, years_ago
from clients.models import Client
from clients.services import change_client_code, change_status, update_client
from pets.services import add_animal
from practices.models import Professional
from practices.services import set_user_language


def card(client) -> str:
    return reverse("clients:card", args=[client.pk])


def text(response) -> str:
    """The page's text with tags and runs of white space collapsed, as a person reads it."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def timeline(response) -> str:
    found = re.search(r'<aside class="panel timeline".*?</aside>', response.content.decode(), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[0]))


# Tenancy.


@pytest.mark.parametrize("role", ["owner", "admin", "reception"])
def test_owner_admin_and_reception_open_any_card_of_their_practice(a, role):
    http = logged_in(a.member(role))
    for client in a.clients.values():
        response = http.get(card(client))
        assert response.status_code == 200
        assert response.context["client"] == client


def test_a_professional_opens_the_card_of_their_own_client(a):
    response = logged_in(a.professional).get(card(a.clients["Ana's client"]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", LOOKALIKE_NAMES)
def test_a_professional_gets_404_for_a_colleagues_client(a, name):
    response = logged_in(a.professional).get(card(a.clients[name]))
    assert response.status_code == 404


def test_a_user_with_no_practice_gets_the_no_practice_page(a):
    http = HttpClient()
    http.force_login(make_user("nobody@example.test"))
    response = http.get(card(a.clients["João da Silva"]))
    assert response.status_code == 403
    assert "practices/no_practice.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_practice_gets_404_for_every_client_and_changes_nothing(a, b, method):
    http = logged_in(b.owner)
    rows = list(Client.objects.order_by("pk").values())
    events = Event.objects.count()
    for client in a.clients.values():
        response = getattr(http, method)(
            card(client), **({"data": {"code": "X"}} if method == "post" else {})
        )
        assert response.status_code == 404
        assert client.code not in response.content.decode()
    assert list(Client.objects.order_by("pk").values()) == rows
    assert Event.objects.count() == events


def test_another_practices_look_alike_client_is_not_shown_for_its_id(a, b):
    # Same name in both practices: the id decides, never the name.
    response = logged_in(b.owner).get(card(b.clients["João da Silva"]))
    assert response.context["client"].practice == b.practice


def test_a_missing_or_huge_id_is_a_404(a):
    http = logged_in(a.owner)
    assert http.get("/clients/999999/").status_code == 404
    assert http.get("/clients/99999999999999999999999999/").status_code == 404


# What the card shows.


def test_the_card_shows_the_fields_in_the_practices_formats(a):
    # The user reads the practice's language, Brazilian Portuguese: day/month/year.
    client = a.clients["Ana's client"]
    response = logged_in(a.reception).get(card(client))
    page = text(response)
    assert client.code in page
    assert "(11) 98765-4321" in page  # national format in Brazil, stored as E.164
    assert "17/05/1980" in page
    assert "conceicao@example.com" in page
    assert "Ana Analyst" in page


def test_dates_and_times_are_shown_in_the_practices_time_zone(a):
    # 02:30 UTC on the 10th is 23:30 on the 9th in São Paulo.
    client = make_client(
        a.reception,
        "Late Contact",
        first_contact_at=datetime.datetime(2024, 1, 10, 2, 30, tzinfo=datetime.UTC),
    )
    assert "09/01/2024 23:30" in text(logged_in(a.reception).get(card(client)))


def test_a_foreign_phone_is_shown_in_international_format(a):
    client = make_client(a.reception, "Piotr Nowak", phone="+48601234567")
    assert "+48 601 234 567" in text(logged_in(a.reception).get(card(client)))


def test_a_minors_card_without_a_guardian_warns(a):
    client = make_client(a.reception, "Young One", birth_date=years_ago(9))
    response = logged_in(a.reception).get(card(client))
    assert 'class="msg msg-warning"' in response.content.decode()


def test_a_minors_card_with_a_guardian_does_not_warn(a):
    client = make_client(
        a.reception,
        "Young One",
        birth_date=years_ago(9),
        guardian_name="Parent One",
    )
    response = logged_in(a.reception).get(card(client))
    assert 'class="msg msg-warning"' not in response.content.decode()
    assert "Parent One" in text(response)


def test_reception_may_edit_but_not_change_the_code(a):
    client = a.clients["João da Silva"]
    page = logged_in(a.reception).get(card(client)).content.decode()
    assert reverse("clients:edit", args=[client.pk]) in page
    assert reverse("clients:change_code", args=[client.pk]) not in page


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_may_change_the_code(a, role):
    client = a.clients["João da Silva"]
    page = logged_in(a.member(role)).get(card(client)).content.decode()
    assert reverse("clients:change_code", args=[client.pk]) in page


# The timeline.


@pytest.mark.usefixtures("english")
def test_the_timeline_shows_who_changed_which_field_from_what_to_what(a):
    client = a.clients["Ana's client"]
    update_client(client, by=a.reception, fields={"phone": "+5511912345678", "city": "Santos"})
    entries = timeline(logged_in(a.owner).get(card(client)))
    assert "Rita Reception" in entries
    assert "Phone : (11) 98765-4321 → (11) 91234-5678" in entries
    assert "City : — → Santos" in entries


@pytest.mark.usefixtures("english")
def test_the_timeline_shows_the_newest_event_first(a):
    client = a.clients["João da Silva"]
    change_status([client], by=a.owner, status="waitlist", reason="No free slot")
    change_client_code(client, by=a.owner, code="JS-1")
    entries = timeline(logged_in(a.owner).get(card(client)))
    code = entries.index("Client code changed")
    status = entries.index("Status changed")
    created = entries.index("Client registered")
    assert code < status < created
    assert "Status : Active → Waitlist" in entries
    assert "Status reason : — → No free slot" in entries
    assert f"Client code : {client.code} → JS-1" in entries
    assert "Olga Owner" in entries


@pytest.mark.usefixtures("english")
def test_the_timeline_shows_changes_of_professionals_by_name(a):
    client = a.clients["João da Silva"]
    ana = a.professional.professional
    update_client(client, by=a.owner, fields={}, professionals=[ana])
    entries = timeline(logged_in(a.owner).get(card(client)))
    assert "Responsible professionals : Bruno Brito → Ana Analyst" in entries


@pytest.mark.usefixtures("english")
def test_the_timeline_holds_only_this_clients_events(a, b):
    client = a.clients["João da Silva"]
    update_client(a.clients["Zoë Ødegaard"], by=a.owner, fields={"city": "Recife"})
    update_client(b.clients["João da Silva"], by=b.owner, fields={"city": "Kraków"})
    entries = timeline(logged_in(a.owner).get(card(client)))
    assert "Recife" not in entries
    assert "Kraków" not in entries
    assert entries.count("Client registered") == 1


# Query counts.

# 1 session, 2 user, 3 the user's memberships with their practices (middleware; also the
# practice switcher), 4 the client with its practice and anamnesis group, 5 its
# professionals, 6 its events (actor label stored on the event), 7-9 its sessions panel:
# the next sessions, the last ones, the recurring series (scheduling.selectors.client_agenda),
# 10-11 its sales panel: what the client owes and the latest documents (billing), 12 its
# latest messages (messaging's panel). The documents and anamnesis panels load themselves
# (htmx), and the animals panel asks nothing in a therapy practice (practice A); in a
# veterinary one it adds 13, the client's animals, 14, their next and last sessions, all the
# animals' in one prefetch, and 15, their latest sale lines (none of these without animals).
CARD_QUERIES = 12
VETERINARY_CARD_QUERIES = CARD_QUERIES + 3


def test_the_card_takes_twelve_queries(a, django_assert_num_queries):
    client = a.clients["Ana's client"]
    http = logged_in(a.owner)
    with django_assert_num_queries(CARD_QUERIES):
        response = http.get(card(client))
    assert response.status_code == 200


def test_a_veterinary_card_takes_three_more_queries_for_any_number_of_animals(
    b, django_assert_num_queries
):
    client = b.clients["João da Silva"]
    for i in range(3):
        add_animal(by=b.owner, client=client, name=f"Pet {i}", species="dog")
    http = logged_in(b.owner)
    with django_assert_num_queries(VETERINARY_CARD_QUERIES):
        response = http.get(card(client))
    assert response.content.decode().count('class="animal"') == 3


@pytest.mark.parametrize("changes", [0, 40])
def test_the_card_takes_the_same_queries_with_one_event_or_forty(
    a, django_assert_num_queries, changes
):
    client = a.clients["Ana's client"]
    extra = [Professional.objects.create(practice=a.practice, name=f"Extra {i}") for i in range(3)]
    update_client(client, by=a.owner, fields={}, professionals=[*extra, a.other_professional])
    for i in range(changes):
        member = [a.owner, a.admin, a.reception][i % 3]
        update_client(client, by=member, fields={"notes": f"note {i}", "city": f"City {i}"})
    http = logged_in(a.owner)
    with django_assert_num_queries(CARD_QUERIES):  # nothing per event or per professional
        response = http.get(card(client))
    assert len(response.context["timeline"]) == changes + 2


def test_a_polish_user_reads_dates_the_polish_way(a):

    client = a.clients["Ana's client"]  # born 17 May 1980
    set_user_language(a.reception.user, "pl")
    http = logged_in(a.reception)
    assert "17.05.1980" in http.get(f"/clients/{client.pk}/").content.decode()


def test_the_default_fee_is_shown_in_the_practices_currency(a):
    client = a.clients["João da Silva"]
    update_client(client, by=a.owner, fields={"default_fee": 150})
    html = logged_in(a.reception).get(f"/clients/{client.pk}/").content.decode()
    assert "R$\xa0150,00" in html or "R$&nbsp;150,00" in html

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event, EventKind
from clientbook.testing import logged_in
from pets.models import Animal
from pets.services import add_animal, set_animals_active
from pets.tests.routes import ANIMAL, animal_rows
from scheduling.models import Session
from scheduling.services import book_session


def card(client) -> str:
    return reverse("clients:card", args=[client.pk])


def test_the_card_of_a_veterinary_client_lists_its_animals(a, ana_client, rex):
    page = logged_in(a.reception).get(card(ana_client)).content.decode()
    assert 'id="client-animals"' in page
    assert "Rex" in page
    assert "616093900012345" in page
    assert reverse("animals:add", args=[ana_client.pk]) in page
    assert reverse("animals:edit", args=[rex.pk]) in page
    assert "Mark inactive" in page
    assert "Mark all inactive" in page
    assert "Reactivate all" not in page


def test_a_therapy_practice_has_no_animal_panel(a):
    page = logged_in(a.owner).get(card(a.clients["Ana's client"])).content.decode()
    assert 'id="client-animals"' not in page


def test_adding_an_animal_from_the_card(a, ana_client):
    http = logged_in(a.reception)
    assert http.get(reverse("animals:add", args=[ana_client.pk])).status_code == 200
    response = http.post(
        reverse("animals:add", args=[ana_client.pk]),
        {**ANIMAL, "name": "Mia", "birth_date": "2020-03-01", "colour": "tabby"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(card(ana_client))
    mia = Animal.objects.get()
    assert (mia.client, mia.practice, mia.colour) == (ana_client, a.practice, "tabby")
    assert Event.objects.filter(client=ana_client, kind=EventKind.ANIMAL_ADDED).exists()


def test_errors_are_named_per_field_and_nothing_is_written(a, ana_client, rex):
    response = logged_in(a.reception).post(
        reverse("animals:add", args=[ana_client.pk]),
        {"name": "", "species": "cat", "sex": "female", "microchip": "123"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "microchip"}
    response = logged_in(a.reception).post(
        reverse("animals:add", args=[ana_client.pk]),
        {**ANIMAL, "name": "Twin", "microchip": rex.microchip},
    )
    assert set(response.context["form"].errors) == {"microchip"}
    assert 'id="id_microchip_error"' in response.content.decode()
    assert Animal.objects.count() == 1


def test_editing_an_animal(a, ana_client, rex):
    http = logged_in(a.professional)  # Ana's own client
    assert http.get(reverse("animals:edit", args=[rex.pk])).status_code == 200
    response = http.post(
        reverse("animals:edit", args=[rex.pk]),
        {"name": "Rex", "species": "dog", "sex": "male", "breed": "Beagle", "neutered": "on"},
    )
    assert response.status_code == 302
    rex.refresh_from_db()
    assert (rex.breed, rex.neutered, rex.microchip) == ("Beagle", True, "")


def test_marking_one_and_all_inactive_then_reactivating(a, ana_client, rex):
    mia = Animal.objects.create(practice=a.practice, client=ana_client, name="Mia", species="cat")
    http = logged_in(a.reception)
    assert http.post(reverse("animals:active", args=[rex.pk]), {"active": "0"}).status_code == 302
    assert list(Animal.objects.filter(is_active=True)) == [mia]
    page = http.get(card(ana_client)).content.decode()
    assert "Reactivate all" in page
    assert "Mark all inactive" in page
    http.post(reverse("animals:client_active", args=[ana_client.pk]), {"active": "0"})
    assert not Animal.objects.filter(is_active=True).exists()
    http.post(reverse("animals:client_active", args=[ana_client.pk]), {"active": "1"})
    assert Animal.objects.filter(is_active=True).count() == 2


def test_the_toggles_answer_only_post(a, ana_client, rex):
    http = logged_in(a.reception)
    assert http.get(reverse("animals:active", args=[rex.pk])).status_code == 405
    assert http.get(reverse("animals:client_active", args=[ana_client.pk])).status_code == 405


def test_another_practice_gets_404_for_every_client_and_changes_nothing(a, b, vet, rex):
    before = (animal_rows(), Event.objects.count())
    http = logged_in(b.owner)
    for client in a.clients.values():
        assert http.get(reverse("animals:add", args=[client.pk])).status_code == 404
        assert http.post(reverse("animals:add", args=[client.pk]), ANIMAL).status_code == 404
        url = reverse("animals:client_active", args=[client.pk])
        assert http.post(url, {"active": "0"}).status_code == 404
    assert (animal_rows(), Event.objects.count()) == before


def test_another_practice_gets_404_for_every_animal_and_changes_nothing(a, b, vet, rex):
    before = (animal_rows(), Event.objects.count())
    http = logged_in(b.owner)
    assert http.get(reverse("animals:edit", args=[rex.pk])).status_code == 404
    assert http.post(reverse("animals:edit", args=[rex.pk]), ANIMAL).status_code == 404
    assert http.post(reverse("animals:active", args=[rex.pk]), {"active": "0"}).status_code == 404
    assert (animal_rows(), Event.objects.count()) == before


@pytest.mark.parametrize("name", ["add", "client_active"])
def test_a_professional_gets_404_for_a_colleagues_client_and_changes_nothing(a, vet, name):
    colleagues = a.clients["João da Silva"]
    Animal.objects.create(practice=a.practice, client=colleagues, name="Bolt", species="dog")
    before = (animal_rows(), Event.objects.count())
    http = logged_in(a.professional)
    url = reverse(f"animals:{name}", args=[colleagues.pk])
    assert http.post(url, {**ANIMAL, "active": "0"}).status_code == 404
    assert (animal_rows(), Event.objects.count()) == before


def test_a_professional_gets_404_for_a_colleagues_clients_animal(a, vet):
    colleagues = a.clients["João da Silva"]
    bolt = Animal.objects.create(practice=a.practice, client=colleagues, name="Bolt", species="dog")
    before = (animal_rows(), Event.objects.count())
    http = logged_in(a.professional)
    assert http.get(reverse("animals:edit", args=[bolt.pk])).status_code == 404
    assert http.post(reverse("animals:edit", args=[bolt.pk]), ANIMAL).status_code == 404
    assert http.post(reverse("animals:active", args=[bolt.pk]), {"active": "0"}).status_code == 404
    assert (animal_rows(), Event.objects.count()) == before


# Each animal's sessions on the panel.


def _book(a, client, animal, days: float) -> Session:
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    return book_session(
        by=a.reception, client=client, professional=a.professional.professional,
        starts_at=starts, animal=animal,
    )  # fmt: skip


def _panel(response) -> str:
    html = response.content.decode()
    return re.search(r'<section [^>]*id="client-animals".*?</section>', html, re.S)[0]


def _session_links(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/agenda/sessions/(\d+)/\?next=', html)]


def test_the_panel_lists_each_animals_next_and_last_sessions(a, ana_client, rex):
    mia = add_animal(by=a.reception, client=ana_client, name="Mia", species="cat")
    ahead = [_book(a, ana_client, rex, days) for days in (4, 1, 3, 2)]
    behind = [_book(a, ana_client, rex, -days) for days in (2, 4, 1, 3)]
    _book(a, ana_client, None, 5)  # for no animal: not on the panel
    panel = _panel(logged_in(a.reception).get(card(ana_client)))
    rex_row = re.search(rf'<article [^>]*id="animal-{rex.pk}".*?</article>', panel, re.S)[0]
    soonest = sorted(ahead, key=lambda s: s.starts_at)[:3]
    latest = sorted(behind, key=lambda s: s.starts_at, reverse=True)[:3]
    assert _session_links(rex_row) == [s.pk for s in soonest + latest]
    assert "%2Fclients%2F" not in rex_row  # quote() keeps the slashes of `next`
    assert f"?next=/clients/{ana_client.pk}/%23client-animals" in rex_row
    assert "To mark" in rex_row  # the past ones were not marked yet
    mia_row = re.search(rf'<article [^>]*id="animal-{mia.pk}".*?</article>', panel, re.S)[0]
    assert "No sessions for Mia yet." in mia_row
    book = reverse("scheduling:book")
    assert f'href="{book}?client={ana_client.pk}&amp;animal={mia.pk}&amp;next=' in mia_row


def test_an_inactive_animal_keeps_its_sessions_but_is_not_offered_a_booking(a, ana_client, rex):
    session = _book(a, ana_client, rex, 1)
    set_animals_active(rex, by=a.reception, active=False)
    panel = _panel(logged_in(a.reception).get(card(ana_client)))
    assert _session_links(panel) == [session.pk]
    assert f"animal={rex.pk}" not in panel


def test_the_panel_reads_every_animals_sessions_in_one_query(a, ana_client, rex):
    for days in (1, -1, 2, -2):
        _book(a, ana_client, rex, days)
    http = logged_in(a.reception)
    with CaptureQueriesContext(connection) as one:
        http.get(card(ana_client))
    for name, hour in (("Mia", 3), ("Bolt", 4)):
        animal = add_animal(by=a.reception, client=ana_client, name=name, species="cat")
        for days in (1, -1, 2, -2):
            _book(a, ana_client, animal, days + hour / 24)
    with CaptureQueriesContext(connection) as three:
        response = http.get(card(ana_client))
    assert len(_session_links(_panel(response))) == 12
    assert len(three) == len(one)

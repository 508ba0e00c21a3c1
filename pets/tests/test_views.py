import pytest
from django.urls import reverse

from audit.models import Event, EventKind
from clientbook.testing import logged_in
from pets.models import Animal
from pets.tests.routes import ANIMAL, animal_rows


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

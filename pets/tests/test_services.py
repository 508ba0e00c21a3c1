import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Event, EventKind
from clients.models import Client, Status
from clients.timeline import timeline_entries
from pets.models import Animal
from pets.services import add_animal, set_animals_active, update_animal


def events(client: Client, kind: str) -> list[Event]:
    return list(Event.objects.filter(client=client, kind=kind).order_by("pk"))


def test_adding_an_animal_records_it_on_the_owners_timeline(a, ana_client, rex):
    assert rex.practice_id == a.practice.pk
    assert list(ana_client.animals.all()) == [rex]
    (event,) = events(ana_client, EventKind.ANIMAL_ADDED)
    assert event.actor == a.reception
    assert event.changes["animal_name"] == [None, "Rex"]
    (entry,) = timeline_entries([event])
    assert entry.title == "Animal added"
    assert [(c.label, c.new) for c in entry.changes][:2] == [("Name", "Rex"), ("Species", "Dog")]


@pytest.mark.parametrize("microchip", ["12345", "61609390001234X", "6160939000123456"])
def test_a_microchip_needs_fifteen_digits(a, ana_client, microchip):
    with pytest.raises(ValidationError) as error:
        add_animal(by=a.owner, client=ana_client, name="Mia", species="cat", microchip=microchip)
    assert "microchip" in error.value.error_dict
    assert not Animal.objects.exists()


def test_a_microchip_is_unique_in_the_practice_but_not_across_practices(a, b, ana_client, rex):
    with pytest.raises(ValidationError) as error:
        add_animal(
            by=a.owner, client=ana_client, name="Mia", species="cat", microchip=rex.microchip
        )
    assert "microchip" in error.value.error_dict
    other = b.clients["João da Silva"]
    add_animal(by=b.owner, client=other, name="Burek", species="dog", microchip=rex.microchip)
    # Without a microchip, any number of animals.
    add_animal(by=a.owner, client=ana_client, name="Tom", species="cat")
    add_animal(by=a.owner, client=ana_client, name="Jerry", species="rodent")
    assert Animal.objects.filter(microchip="").count() == 2


def test_a_missing_name_or_unknown_species_is_named_per_field(a, ana_client):
    with pytest.raises(ValidationError) as error:
        add_animal(by=a.owner, client=ana_client, name="", species="dragon")
    assert {"name", "species"} <= set(error.value.error_dict)


def test_updating_records_only_what_changed(a, ana_client, rex):
    update_animal(rex, by=a.owner, name="Rex", breed="Beagle", neutered=True)
    (event,) = events(ana_client, EventKind.ANIMAL_CHANGED)
    assert event.changes == {"animal_breed": ["", "Beagle"], "animal_neutered": [False, True]}
    rex.refresh_from_db()
    assert rex.breed == "Beagle"
    update_animal(rex, by=a.owner, breed="Beagle")
    assert len(events(ana_client, EventKind.ANIMAL_CHANGED)) == 1


def test_another_practice_cannot_touch_the_animal(a, b, ana_client, rex):
    with pytest.raises(PermissionDenied):
        update_animal(rex, by=b.owner, name="Stolen")
    with pytest.raises(PermissionDenied):
        add_animal(by=b.owner, client=ana_client, name="Stolen", species="cat")
    with pytest.raises(PermissionDenied):
        set_animals_active(ana_client, by=b.owner, active=False)
    rex.refresh_from_db()
    assert (rex.name, rex.is_active, Animal.objects.count()) == ("Rex", True, 1)


def test_a_professional_changes_only_their_own_clients_animals(a, vet):
    theirs = a.clients["João da Silva"]  # Bruno's client
    dog = add_animal(by=a.owner, client=theirs, name="Bolt", species="dog")
    with pytest.raises(PermissionDenied):
        set_animals_active(dog, by=a.professional, active=False)
    own = add_animal(by=a.professional, client=a.clients["Ana's client"], name="Kit", species="cat")
    assert set_animals_active(own, by=a.professional, active=False) == 1


def test_marking_all_inactive_and_reactivating_changes_only_what_must(a, ana_client, rex):
    cat = add_animal(by=a.owner, client=ana_client, name="Mia", species="cat")
    set_animals_active(cat, by=a.owner, active=False)
    assert set_animals_active(ana_client, by=a.owner, active=False) == 1  # Rex only
    assert not ana_client.animals.filter(is_active=True).exists()
    deactivated = events(ana_client, EventKind.ANIMAL_DEACTIVATED)
    assert [e.changes["animals"][1] for e in deactivated] == [["Mia"], ["Rex"]]
    assert set_animals_active(ana_client, by=a.owner, active=False) == 0
    assert len(events(ana_client, EventKind.ANIMAL_DEACTIVATED)) == 2
    assert set_animals_active([rex, cat], by=a.owner, active=True) == 2
    (event,) = events(ana_client, EventKind.ANIMAL_REACTIVATED)
    assert event.changes["animals"][1] == ["Mia", "Rex"]


def test_a_forgotten_client_gets_no_animals(a, ana_client, rex):
    set_animals_active(rex, by=a.owner, active=False)
    Client.objects.filter(pk=ana_client.pk).update(status=Status.FORGOTTEN)
    ana_client.refresh_from_db()
    with pytest.raises(ValidationError):
        add_animal(by=a.owner, client=ana_client, name="Mia", species="cat")
    with pytest.raises(ValidationError):
        set_animals_active(ana_client, by=a.owner, active=True)
    assert not Animal.objects.filter(is_active=True).exists()


def test_unknown_fields_are_refused(a, ana_client, rex):
    with pytest.raises(ValidationError):
        update_animal(rex, by=a.owner, practice_id=999)
    with pytest.raises(ValidationError):
        add_animal(by=a.owner, client=ana_client, name="X", species="cat", is_active=False)

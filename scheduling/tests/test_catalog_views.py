"""The practice's services and rooms: listed, added, changed and deactivated by the owner
and the administrator, through save_service and save_room."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clientbook.testing import logged_in
from scheduling.models import Room, Service
from scheduling.services import save_room, save_service
from scheduling.tests.helpers import english, text


@pytest.fixture
def catalog(a, b):
    english(a, b)
    return {
        "service": save_service(
            by=a.owner, name="Psicoterapia", default_duration=50, default_price=Decimal("200")
        ),
        "room": save_room(by=a.owner, name="Sala 1"),
        "b_service": save_service(
            by=b.owner, name="Psicoterapia", default_duration=30, default_price=None
        ),
        "b_room": save_room(by=b.owner, name="Sala 1"),
    }


def rows() -> tuple:
    return (
        list(Service.objects.order_by("pk").values()),
        list(Room.objects.order_by("pk").values()),
    )


# Services.


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_the_owner_and_the_administrator_list_the_services_with_their_prices(a, catalog, role):
    response = logged_in(a.member(role)).get(reverse("scheduling:services"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["services"]] == [catalog["service"].pk]
    page = text(response)
    assert "Psicoterapia 50 minutes R$ 200.00 — 0 % Active" in page.replace("\xa0", " ")


def test_adding_a_service(a, catalog):
    response = logged_in(a.admin).post(
        reverse("scheduling:service_create"),
        {
            "name": " Avaliação ",
            "default_duration": "90",
            "default_price": "350.00",
            "is_active": "on",
        },
    )
    assert response["Location"] == reverse("scheduling:services")
    service = Service.objects.get(practice=a.practice, name="Avaliação")
    assert (service.default_duration, service.default_price, service.is_active) == (
        90,
        Decimal("350.00"),
        True,
    )


def test_changing_a_service(a, catalog):
    service = catalog["service"]
    http = logged_in(a.owner)
    form = http.get(reverse("scheduling:service_edit", args=[service.pk])).context["form"]
    assert (form["name"].value(), form["default_duration"].value()) == ("Psicoterapia", 50)
    http.post(
        reverse("scheduling:service_edit", args=[service.pk]),
        {
            "name": "Psicoterapia individual",
            "default_duration": "45",
            "default_price": "",
            "is_active": "on",
        },
    )
    service.refresh_from_db()
    assert (service.name, service.default_duration, service.default_price) == (
        "Psicoterapia individual",
        45,
        None,
    )


def test_a_service_is_sold_by_its_unit_with_its_tax_rate(a, catalog):
    http = logged_in(a.owner)
    http.post(
        reverse("scheduling:service_create"),
        {"name": "Supervisão", "default_duration": "60", "unit": " h ", "tax_rate": "8.25"},
    )
    service = Service.objects.get(practice=a.practice, name="Supervisão")
    assert (service.unit, service.tax_rate) == ("h", Decimal("8.25"))
    page = text(http.get(reverse("scheduling:services"))).replace("\xa0", " ")
    assert "Supervisão 60 minutes — h 8.25 % Inactive" in page
    form = http.get(reverse("scheduling:service_edit", args=[service.pk])).context["form"]
    assert (form["unit"].value(), form["tax_rate"].value()) == ("h", Decimal("8.25"))
    # Emptied, the rate is 0; deactivating keeps the unit and the rate.
    http.post(
        reverse("scheduling:service_edit", args=[service.pk]),
        {"name": "Supervisão", "default_duration": "60", "unit": "h", "tax_rate": ""},
    )
    http.post(reverse("scheduling:service_active", args=[service.pk]), {"active": "1"})
    service.refresh_from_db()
    assert (service.unit, service.tax_rate, service.is_active) == ("h", Decimal(0), True)


def test_a_tax_rate_is_a_percentage_with_two_decimals(a, catalog):
    http = logged_in(a.owner)
    for rate in ("100.01", "-1", "7.125", "abc"):
        response = http.post(
            reverse("scheduling:service_create"),
            {"name": "Avaliação", "default_duration": "60", "tax_rate": rate},
        )
        assert set(response.context["form"].errors) == {"tax_rate"}, rate
    response = http.post(
        reverse("scheduling:service_create"),
        {"name": "Avaliação", "default_duration": "60", "unit": "x" * 21},
    )
    assert set(response.context["form"].errors) == {"unit"}
    assert Service.objects.filter(practice=a.practice).count() == 1


def test_a_service_needs_a_unique_name_and_a_sensible_duration(a, catalog):
    response = logged_in(a.owner).post(
        reverse("scheduling:service_create"),
        {"name": "psicoterapia", "default_duration": "2", "default_price": "-5"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["The practice already has a service of this name."]
    assert set(errors) == {"name", "default_duration", "default_price"}
    assert Service.objects.filter(practice=a.practice).count() == 1


def test_the_same_name_in_another_practice_is_no_clash(a, catalog):
    logged_in(a.owner).post(
        reverse("scheduling:service_create"),
        {"name": "Sala 1", "default_duration": "50"},
    )
    assert Service.objects.filter(practice=a.practice, name="Sala 1").exists()


def test_deactivating_and_reactivating_a_service(a, catalog):
    service = catalog["service"]
    http = logged_in(a.owner)
    response = http.post(reverse("scheduling:service_active", args=[service.pk]), {"active": "0"})
    assert response["Location"] == reverse("scheduling:services")
    service.refresh_from_db()
    assert not service.is_active
    assert "Service “Psicoterapia” deactivated." in text(http.get(response["Location"]))
    http.post(reverse("scheduling:service_active", args=[service.pk]), {"active": "1"})
    service.refresh_from_db()
    assert service.is_active


def test_an_inactive_service_is_not_offered_when_booking(a, catalog):
    service = catalog["service"]
    logged_in(a.owner).post(
        reverse("scheduling:service_active", args=[service.pk]), {"active": "0"}
    )
    form = logged_in(a.reception).get(reverse("scheduling:book")).context["form"]
    assert list(form.fields["service"].queryset) == []


# Rooms.


def test_rooms_are_listed_added_changed_and_deactivated(a, catalog):
    http = logged_in(a.owner)
    assert [r.name for r in http.get(reverse("scheduling:rooms")).context["rooms"]] == ["Sala 1"]
    http.post(reverse("scheduling:room_create"), {"name": "Sala 2", "is_active": "on"})
    room = Room.objects.get(practice=a.practice, name="Sala 2")
    http.post(
        reverse("scheduling:room_edit", args=[room.pk]), {"name": "Sala Azul", "is_active": "on"}
    )
    room.refresh_from_db()
    assert room.name == "Sala Azul"
    http.post(reverse("scheduling:room_active", args=[room.pk]), {"active": "0"})
    room.refresh_from_db()
    assert not room.is_active
    response = http.post(reverse("scheduling:room_create"), {"name": "SALA 1", "is_active": "on"})
    assert response.context["form"].errors == {
        "name": ["The practice already has a room of this name."]
    }


# Who may.

PAGES = [
    ("services", None, "get"),
    ("service_create", None, "post"),
    ("service_edit", "service", "post"),
    ("service_active", "service", "post"),
    ("rooms", None, "get"),
    ("room_create", None, "post"),
    ("room_edit", "room", "post"),
    ("room_active", "room", "post"),
]
DATA = {"name": "Taken over", "default_duration": "30", "active": "0", "is_active": ""}


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_reception_and_professionals_get_403_and_change_nothing(a, catalog, role):
    before = rows()
    http = logged_in(a.member(role))
    for name, obj, method in PAGES:
        args = [catalog[obj].pk] if obj else []
        response = getattr(http, method)(reverse(f"scheduling:{name}", args=args), DATA)
        assert response.status_code == 403, name
        if method == "post" and name.endswith(("create", "edit")):
            assert http.get(reverse(f"scheduling:{name}", args=args)).status_code == 403
    assert rows() == before


def test_another_practice_gets_404_for_every_service_and_room_and_changes_nothing(a, b, catalog):
    before = rows()
    http = logged_in(b.owner)
    for name, obj, _method in PAGES:
        if obj is None:
            continue
        for each in ("get", "post"):
            if name.endswith("active") and each == "get":
                continue
            response = getattr(http, each)(
                reverse(f"scheduling:{name}", args=[catalog[obj].pk]), DATA
            )
            assert response.status_code == 404, (name, each)
    assert rows() == before


def test_another_practice_lists_and_adds_only_its_own(a, b, catalog):
    http = logged_in(b.owner)
    assert list(http.get(reverse("scheduling:services")).context["services"]) == [
        catalog["b_service"]
    ]
    assert list(http.get(reverse("scheduling:rooms")).context["rooms"]) == [catalog["b_room"]]
    http.post(reverse("scheduling:room_create"), {"name": "Gabinet 2", "is_active": "on"})
    assert Room.objects.get(name="Gabinet 2").practice == b.practice

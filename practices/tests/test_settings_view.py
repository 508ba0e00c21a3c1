"""The practice settings page: the SMS module and session reminders, for owner and admin."""

import pytest
from django.urls import reverse

from audit.models import Event, EventKind
from clientbook.testing import logged_in
from practices.models import Practice
from practices.services import set_user_language

SETTINGS = reverse("practices:settings")


@pytest.fixture
def english(a):
    """Practice A's people read English (the practice works in Brazilian Portuguese)."""
    for member in (a.owner, a.admin):
        set_user_language(member.user, "en")


def practice_rows() -> list:
    return list(
        Practice.objects.order_by("pk").values_list(
            "pk", "sms_enabled", "reminder_channel", "reminder_hours_before"
        )
    )


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_turn_on_sms_and_reminders(a, role, english):
    http = logged_in(a.member(role))
    assert http.get(SETTINGS).status_code == 200
    response = http.post(
        SETTINGS, {"sms_enabled": "on", "reminder_channel": "sms", "reminder_hours_before": "48"}
    )
    assert response.status_code == 302
    a.practice.refresh_from_db()
    assert (a.practice.sms_enabled, a.practice.reminder_channel) == (True, "sms")
    assert a.practice.reminder_hours_before == 48
    event = Event.objects.get(kind=EventKind.PRACTICE_SETTINGS_CHANGED)
    assert event.client is None
    assert event.changes["reminder_channel"] == ["", "sms"]


def test_sms_reminders_need_the_sms_module(a, english):
    response = logged_in(a.owner).post(
        SETTINGS, {"reminder_channel": "sms", "reminder_hours_before": "24"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reminder_channel"] == [
        "Reminders by SMS need the SMS module: turn it on."
    ]
    a.practice.refresh_from_db()
    assert a.practice.reminder_channel == ""


def test_hours_out_of_range_are_refused(a, english):
    response = logged_in(a.owner).post(
        SETTINGS, {"reminder_channel": "email", "reminder_hours_before": "0"}
    )
    assert "reminder_hours_before" in response.context["form"].errors


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_reception_and_professionals_get_403_and_change_nothing(a, role):
    before = practice_rows()
    http = logged_in(a.member(role))
    assert http.get(SETTINGS).status_code == 403
    response = http.post(SETTINGS, {"sms_enabled": "on", "reminder_hours_before": "2"})
    assert response.status_code == 403
    assert practice_rows() == before


def test_another_practices_owner_changes_only_their_own_practice(a, b):
    http = logged_in(b.owner)
    assert http.get(SETTINGS).context["form"].instance.pk == b.practice.pk
    response = http.post(
        SETTINGS, {"sms_enabled": "on", "reminder_channel": "sms", "reminder_hours_before": "12"}
    )
    assert response.status_code == 302
    rows = {pk: rest for pk, *rest in practice_rows()}
    assert rows[a.practice.pk] == [False, "", 24]
    assert rows[b.practice.pk] == [True, "sms", 12]


# Sales below zero stock (billing): a sale of more than a warehouse holds is refused or made.


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_forbid_selling_below_zero_stock(a, role, english):
    http = logged_in(a.member(role))
    page = http.get(SETTINGS).content.decode()
    assert 'name="forbid_negative_stock"' in page
    response = http.post(SETTINGS, {"reminder_hours_before": "24", "forbid_negative_stock": "on"})
    assert response.status_code == 302
    a.practice.refresh_from_db()
    assert a.practice.forbid_negative_stock
    # Nothing else changed, and the change is on the practice's history.
    assert (a.practice.sms_enabled, a.practice.reminder_channel) == (False, "")
    event = Event.objects.get(kind=EventKind.PRACTICE_SETTINGS_CHANGED)
    assert list(event.changes) == ["forbid_negative_stock"]
    # Unticked, sales below zero are allowed again.
    http.post(SETTINGS, {"reminder_hours_before": "24"})
    a.practice.refresh_from_db()
    assert not a.practice.forbid_negative_stock


def test_reception_cannot_forbid_selling_below_zero_stock(a, b):
    response = logged_in(a.reception).post(
        SETTINGS, {"reminder_hours_before": "24", "forbid_negative_stock": "on"}
    )
    assert response.status_code == 403
    # Nor does another practice's owner change A's setting along with their own.
    logged_in(b.owner).post(
        SETTINGS, {"reminder_hours_before": "24", "forbid_negative_stock": "on"}
    )
    flags = dict(Practice.objects.values_list("pk", "forbid_negative_stock"))
    assert flags == {a.practice.pk: False, b.practice.pk: True}

"""The agenda's URLs for the route inventory (clientbook/tests/test_routes.py): how to build
each for practice A's data, and what practice B's owner must (not) see on the URLs that
carry no id of A's."""

from collections.abc import Callable

from django.test import Client as HttpClient
from django.urls import reverse

from clientbook.testing import PracticeWorld
from scheduling.models import Room, Series, Service, Session
from scheduling.tests.helpers import agenda_of, english, session_links, text

Requests = Callable[[PracticeWorld], list[tuple[str, dict]]]


def _data(payload: dict, a: PracticeWorld) -> dict:
    return {k: v(a) if callable(v) else v for k, v in payload.items()}


def each_session(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        sessions = agenda_of(a).all_sessions()
        return [(reverse(url_name, args=[s.pk]), _data(payload, a)) for s in sessions]

    return build


def each_series(url_name: str, **payload) -> Requests:
    return lambda a: [(reverse(url_name, args=[agenda_of(a).series.pk]), _data(payload, a))]


def each_service(url_name: str, **payload) -> Requests:
    return lambda a: [(reverse(url_name, args=[agenda_of(a).service.pk]), _data(payload, a))]


def each_room(url_name: str, **payload) -> Requests:
    return lambda a: [(reverse(url_name, args=[agenda_of(a).room.pk]), _data(payload, a))]


SESSION_STATE = (
    "pk", "practice_id", "client_id", "professional_id", "room_id", "starts_at", "ends_at",
    "status", "cancelled_by", "cancel_reason",
)  # fmt: skip


def scheduling_rows() -> tuple:
    """The agenda's state, for "nothing changed"."""
    return (
        list(
            Session.objects.order_by("pk").values_list(
                "pk",
                "practice_id",
                "client_id",
                "professional_id",
                "room_id",
                "starts_at",
                "ends_at",
                "status",
                "cancelled_by",
                "cancel_reason",
            )
        ),
        list(Series.objects.order_by("pk").values_list("pk", "paused_at", "materialized_through")),
        list(Service.objects.order_by("pk").values_list("pk", "name", "is_active")),
        list(Room.objects.order_by("pk").values_list("pk", "name", "is_active")),
    )


def agenda_shows_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    theirs, own = agenda_of(a), agenda_of(b)
    hidden = {s.pk for s in theirs.all_sessions()}
    day = theirs.monday.isoformat()
    for params in (
        {},
        {"view": "day", "date": day},
        {"view": "week", "date": day, "scope": "all"},
        {"view": "week", "date": day, "scope": f"professional-{a.other_professional.pk}"},
        {"view": "day", "date": day, "scope": f"room-{theirs.room.pk}"},
    ):
        response = http.get(reverse("scheduling:agenda"), params)
        assert response.status_code == 200
        assert not session_links(response) & hidden, params
    shown = session_links(http.get(reverse("scheduling:agenda"), {"view": "day", "date": day}))
    assert shown == own.monday_sessions()


def booking_offers_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    english(b)
    theirs = agenda_of(a)
    before = scheduling_rows()
    form = http.get(reverse("scheduling:book")).context["form"]
    assert set(form.fields["professional"].queryset) == {b.other_professional}
    assert not set(form.fields["client"].queryset) & set(a.clients.values())
    response = http.post(
        reverse("scheduling:book"),
        {
            "client": a.clients["João da Silva"].pk,
            "professional": a.other_professional.pk,
            "service": theirs.service.pk,
            "room": theirs.room.pk,
            "date": "2030-01-07",
            "time": "10:00",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"client", "professional", "service", "room"}
    assert scheduling_rows() == before


def picker_finds_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    for query in ("silva", "joao", a.clients["João da Silva"].code):
        response = http.get(reverse("scheduling:client_options"), {"client_q": query})
        found = {c.pk for c in response.context["results"]}
        assert found, query
        assert found <= {c.pk for c in b.clients.values()}, query


def catalog_lists_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    agenda_of(a)
    own = agenda_of(b)
    services = http.get(reverse("scheduling:services")).context["services"]
    assert [s.pk for s in services] == [own.service.pk]
    rooms = http.get(reverse("scheduling:rooms")).context["rooms"]
    assert [r.pk for r in rooms] == [own.room.pk]


def catalog_adds_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    english(b)
    theirs = agenda_of(a)
    http.post(reverse("scheduling:service_create"), {"name": "Nowa", "default_duration": "30"})
    http.post(reverse("scheduling:room_create"), {"name": "Nowy", "is_active": "on"})
    assert Service.objects.get(name="Nowa").practice == b.practice
    assert Room.objects.get(name="Nowy").practice == b.practice
    # A's names are free in B (and A's rows untouched).
    response = http.post(reverse("scheduling:room_create"), {"name": theirs.room.name})
    assert response.status_code == 302
    assert "already" not in text(response)
    assert Room.objects.get(pk=theirs.room.pk).practice == a.practice

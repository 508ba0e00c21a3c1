"""The agenda in the API: booking, reading, moving, cancelling, marking and removing
sessions; recurring series booked, changed, paused, resumed and ended; tenancy."""

import datetime
import re

import pytest
from django.utils import timezone

from api.tests.test_clients_api import Api
from pets.models import Animal
from pets.services import add_animal, set_animals_active
from practices.services import set_user_language
from scheduling.models import Series, Session, SessionStatus
from scheduling.services import save_room, save_service

SESSIONS = "/api/v1/sessions"
SERIES = "/api/v1/series"


@pytest.fixture(autouse=True)
def english(a, b):
    for member in (a.reception, a.professional, b.owner):
        set_user_language(member.user, "en")


@pytest.fixture
def api(a):
    return Api(a.reception)


@pytest.fixture
def monday(a) -> datetime.date:
    today = timezone.localdate(timezone.now(), a.practice.tz)
    return today + datetime.timedelta(days=7 - today.weekday())


def booking(a, monday, **fields):
    return {
        "client": a.clients["João da Silva"].pk,
        "professional": a.other_professional.pk,
        "starts_at": f"{monday}T18:00",
        **fields,
    }


def test_a_session_is_booked_in_the_practices_time_and_read_back(a, api, monday):
    service = save_service(by=a.owner, name="Psicoterapia", default_duration=50, default_price=200)
    room = save_room(by=a.owner, name="Sala 1")
    response = api.post(SESSIONS, booking(a, monday, service=service.pk, room=room.pk))
    assert response.status_code == 201, response.json()
    body = response.json()
    starts = datetime.datetime.fromisoformat(body["starts_at"])
    assert starts.astimezone(a.practice.tz).time() == datetime.time(18)
    assert (body["duration_minutes"], body["price"], body["room"]) == (50, "200.00", room.pk)
    assert api.get(f"{SESSIONS}/{body['id']}").json() == body
    listed = api.get(SESSIONS, start=str(monday), end=str(monday)).json()
    assert [s["id"] for s in listed] == [body["id"]]
    assert api.get(SESSIONS, start=str(monday), end=str(monday), room=room.pk + 1).json() == []


def test_a_clash_is_refused_naming_it_and_nothing_is_booked(a, api, monday):
    assert api.post(SESSIONS, booking(a, monday)).status_code == 201
    other = booking(a, monday, client=a.clients["Zoë Ødegaard"].pk, starts_at=f"{monday}T18:30")
    response = api.post(SESSIONS, other)
    assert response.status_code == 422
    assert "Bruno Brito already has a session" in response.json()["errors"]["starts_at"][0]
    assert Session.objects.count() == 1


def test_a_session_is_moved_cancelled_and_removed(a, api, monday):
    session = api.post(SESSIONS, booking(a, monday)).json()
    url = f"{SESSIONS}/{session['id']}"
    moved = api.post(f"{url}/reschedule", {"starts_at": f"{monday}T09:00", "duration_minutes": 30})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["duration_minutes"] == 30
    cancelled = api.post(f"{url}/cancel", {"cancelled_by": "client", "reason": "Doente"})
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "Doente",
    )
    assert api.post(f"{url}/mark", {"status": "attended"}).status_code == 422
    assert api.http.delete(url, headers=api.headers).status_code == 422  # history now
    second = api.post(SESSIONS, booking(a, monday, starts_at=f"{monday}T11:00")).json()
    assert api.http.delete(f"{SESSIONS}/{second['id']}", headers=api.headers).status_code == 204
    assert not Session.objects.filter(pk=second["id"]).exists()


def test_the_range_is_checked(a, api, monday):
    response = api.get(SESSIONS, start=str(monday), end=str(monday - datetime.timedelta(days=1)))
    assert response.status_code == 422
    assert "end" in response.json()["errors"]
    too_long = api.get(SESSIONS, start=str(monday), end=str(monday + datetime.timedelta(days=92)))
    assert too_long.status_code == 422


def test_a_series_is_booked_changed_paused_resumed_and_ended(a, api, monday):
    response = api.post(
        SERIES,
        {
            "client": a.clients["João da Silva"].pk,
            "professional": a.other_professional.pk,
            "start_date": str(monday),
            "time": "18:00",
            "frequency": "weekly",
            "count": 6,
            "duration_minutes": 50,
        },
    )
    assert response.status_code == 201, response.json()
    series = response.json()
    assert len(series["sessions_to_come"]) == 6
    url = f"{SERIES}/{series['id']}"
    third = series["sessions_to_come"][2]
    split = api.post(f"{url}/change", {"from_session": third, "time": "08:30"})
    assert split.status_code == 200, split.json()
    new = split.json()
    assert (new["time"], new["count"], len(new["sessions_to_come"])) == ("08:30", 4, 4)
    assert len(api.get(url).json()["sessions_to_come"]) == 2
    paused = api.post(f"{SERIES}/{new['id']}/pause", {"reason": "Férias"}).json()
    assert (paused["paused"], paused["sessions_to_come"]) == (True, [])
    resumed = api.post(f"{SERIES}/{new['id']}/resume", {}).json()
    assert len(resumed["sessions_to_come"]) == 4
    ended = api.post(f"{SERIES}/{new['id']}/end", {})
    assert ended.json() == {"removed": 4}
    assert not Series.objects.filter(pk=new["id"]).exists()


def test_a_series_in_an_implausible_year_is_refused_not_a_500(a, api, monday):
    for start in ("0001-01-01", str(monday - datetime.timedelta(days=400))):
        response = api.post(
            SERIES,
            {
                "client": a.clients["João da Silva"].pk,
                "professional": a.other_professional.pk,
                "start_date": start,
                "time": "18:00",
                "frequency": "monthly_weekday",
            },
        )
        assert response.status_code == 422, start
        assert "start_date" in response.json()["errors"]


def test_a_series_with_both_ends_is_refused(a, api, monday):
    response = api.post(
        SERIES,
        {
            "client": a.clients["João da Silva"].pk,
            "professional": a.other_professional.pk,
            "start_date": str(monday),
            "time": "18:00",
            "frequency": "weekly",
            "count": 3,
            "until": str(monday + datetime.timedelta(weeks=8)),
        },
    )
    assert response.status_code == 422
    assert "until" in response.json()["errors"]


def test_another_practice_gets_404_for_every_agenda_id_and_changes_nothing(a, b, monday):
    service = save_service(by=a.owner, name="Psicoterapia", default_duration=50, default_price=200)
    room = save_room(by=a.owner, name="Sala 1")
    own = Api(a.reception)
    session = own.post(SESSIONS, booking(a, monday)).json()
    series = own.post(
        SERIES,
        {
            "client": a.clients["Zoë Ødegaard"].pk,
            "professional": a.other_professional.pk,
            "start_date": str(monday),
            "time": "09:00",
            "frequency": "weekly",
            "count": 3,
        },
    ).json()
    before = sorted(Session.objects.values_list("pk", "starts_at", "status", "room"))
    other = Api(b.owner)
    b_client = next(iter(b.clients.values())).pk
    for url, body in [
        (f"{SESSIONS}/{session['id']}/reschedule", {"starts_at": f"{monday}T07:00"}),
        (f"{SESSIONS}/{session['id']}/cancel", {"cancelled_by": "practice"}),
        (f"{SESSIONS}/{session['id']}/mark", {"status": "attended"}),
        (f"{SERIES}/{series['id']}/pause", {}),
        (f"{SERIES}/{series['id']}/resume", {}),
        (f"{SERIES}/{series['id']}/change", {"time": "07:00"}),
        (f"{SERIES}/{series['id']}/end", {}),
        (SESSIONS, booking(a, monday, starts_at=f"{monday}T12:00")),
        (
            SESSIONS,
            {
                "client": b_client,
                "professional": b.other_professional.pk,
                "starts_at": f"{monday}T12:00",
                "room": room.pk,
                "service": service.pk,
            },
        ),
    ]:
        assert other.post(url, body).status_code == 404, url
    for url in (f"{SESSIONS}/{session['id']}", f"{SERIES}/{series['id']}"):
        assert other.get(url).status_code == 404
        assert other.http.delete(url, headers=other.headers).status_code in (404, 405)
    assert other.get(SESSIONS, start=str(monday), end=str(monday)).json() == []
    assert other.get("/api/v1/services").json() == []
    assert other.get("/api/v1/rooms").json() == []
    assert sorted(Session.objects.values_list("pk", "starts_at", "status", "room")) == before


def test_services_give_their_unit_and_tax_rate(a, api):
    save_service(
        by=a.owner, name="Psicoterapia", default_duration=50, default_price=200, unit="session",
        tax_rate=5,
    )  # fmt: skip
    [service] = api.get("/api/v1/services").json()
    assert (service["unit"], service["tax_rate"]) == ("session", "5.00")


# Animals, in a veterinary practice (practice B).

NOT_THE_CLIENTS = {"animal": ["Choose one of the client's animals."]}


@pytest.fixture
def kennel(b):
    joao = b.clients["João da Silva"]
    rex = add_animal(by=b.owner, client=joao, name="Rex", species="dog")
    mia = add_animal(by=b.owner, client=joao, name="Mia", species="cat")
    return joao, rex, mia


def b_booking(b, monday, **fields):
    return {
        "client": b.clients["João da Silva"].pk,
        "professional": b.other_professional.pk,
        "starts_at": f"{monday}T10:00",
        **fields,
    }


def test_a_session_and_a_series_are_booked_for_an_animal(b, monday, kennel):
    joao, rex, mia = kennel
    vet = Api(b.owner)
    response = vet.post(SESSIONS, b_booking(b, monday, animal=rex.pk))
    assert response.status_code == 201, response.json()
    session = response.json()
    assert (session["animal"], session["animal_name"]) == (rex.pk, "Rex")
    assert vet.get(f"{SESSIONS}/{session['id']}").json() == session
    listed = vet.get(SESSIONS, start=str(monday), end=str(monday)).json()
    assert [(s["id"], s["animal_name"]) for s in listed] == [(session["id"], "Rex")]
    series = vet.post(
        SERIES,
        {
            "client": joao.pk,
            "professional": b.other_professional.pk,
            "start_date": str(monday),
            "time": "12:00",
            "frequency": "weekly",
            "count": 3,
            "animal": mia.pk,
        },
    ).json()
    assert (series["animal"], series["animal_name"]) == (mia.pk, "Mia")
    assert set(Session.objects.filter(series=series["id"]).values_list("animal", flat=True)) == {
        mia.pk
    }
    # A change may give the series another animal, or none.
    url = f"{SERIES}/{series['id']}/change"
    changed = vet.post(url, {"animal": rex.pk}).json()
    assert (changed["animal"], changed["animal_name"]) == (rex.pk, "Rex")
    unchanged = vet.post(url, {"time": "13:00"}).json()  # omitted: kept
    assert unchanged["animal"] == rex.pk
    cleared = vet.post(url, {"animal": None}).json()
    assert (cleared["animal"], cleared["animal_name"]) == (None, None)
    assert not Session.objects.filter(series=series["id"], animal__isnull=False).exists()


def test_a_session_without_an_animal_says_so(a, api, monday):
    body = api.post(SESSIONS, booking(a, monday)).json()
    assert (body["animal"], body["animal_name"]) == (None, None)


def test_another_clients_or_an_inactive_animal_is_refused_on_the_field(b, monday, kennel):
    _joao, rex, _mia = kennel
    azor = add_animal(by=b.owner, client=b.clients["Zoë Ødegaard"], name="Azor", species="dog")
    vet = Api(b.owner)
    response = vet.post(SESSIONS, b_booking(b, monday, animal=azor.pk))
    assert (response.status_code, response.json()["errors"]) == (422, NOT_THE_CLIENTS)
    set_animals_active(rex, by=b.owner, active=False)
    response = vet.post(SESSIONS, b_booking(b, monday, animal=rex.pk))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["animal"]
    assert not Session.objects.exists()


def test_another_practices_animal_is_refused_like_an_id_that_does_not_exist(a, b, monday, kennel):
    stranger = Animal.objects.create(
        practice=a.practice, client=a.clients["João da Silva"], name="Rex", species="dog"
    )
    vet = Api(b.owner)
    unknown = vet.post(SESSIONS, b_booking(b, monday, animal=999_999))
    assert (unknown.status_code, unknown.json()["errors"]) == (422, NOT_THE_CLIENTS)
    for url, body in [
        (SESSIONS, b_booking(b, monday, animal=stranger.pk)),
        (
            SERIES,
            {
                "client": b.clients["João da Silva"].pk,
                "professional": b.other_professional.pk,
                "start_date": str(monday),
                "time": "12:00",
                "frequency": "weekly",
                "count": 2,
                "animal": stranger.pk,
            },
        ),
    ]:
        response = vet.post(url, body)
        assert (response.status_code, response.json()) == (422, unknown.json()), url
    assert not Session.objects.exists()
    assert not Series.objects.exists()


def test_a_therapy_practice_cannot_name_an_animal(a, api, monday):
    animal = Animal.objects.create(
        practice=a.practice, client=a.clients["João da Silva"], name="Rex", species="dog"
    )
    response = api.post(SESSIONS, booking(a, monday, animal=animal.pk))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "animal": ["Only a veterinary practice books sessions for an animal."]
    }
    assert not Session.objects.exists()


def test_a_professional_sees_only_their_clients_sessions(a, monday):
    Api(a.reception).post(SESSIONS, booking(a, monday))
    ana = Api(a.professional)
    assert ana.get(SESSIONS, start=str(monday), end=str(monday)).json() == []
    session = Session.objects.get()
    assert ana.get(f"{SESSIONS}/{session.pk}").status_code == 404
    assert session.status == SessionStatus.SCHEDULED


def test_every_schema_of_the_api_has_its_own_name():
    """The OpenAPI document names schemas by class name: two `CancelIn` in two modules would
    silently describe one with the other's fields."""
    from collections import Counter

    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = Counter(s.__name__ for s in subclasses(Schema) if s.__module__.startswith("api."))
    assert [name for name, n in names.items() if n > 1] == []


# For test_api_tenancy.py: another practice's token, and each role's rights, on every agenda
# route. The targets are João's (a client of Bruno, so not of Ana the professional).

SERVICES, ROOMS = ("GET", "/services"), ("GET", "/rooms")
LIST_SESSIONS, BOOK = ("GET", "/sessions"), ("POST", "/sessions")
READ_SESSION, REMOVE = ("GET", "/sessions/{session_id}"), ("DELETE", "/sessions/{session_id}")
RESCHEDULE = ("POST", "/sessions/{session_id}/reschedule")
CANCEL = ("POST", "/sessions/{session_id}/cancel")
MARK = ("POST", "/sessions/{session_id}/mark")
BOOK_SERIES, READ_SERIES = ("POST", "/series"), ("GET", "/series/{series_id}")
PAUSE, RESUME = ("POST", "/series/{series_id}/pause"), ("POST", "/series/{series_id}/resume")
CHANGE, END = ("POST", "/series/{series_id}/change"), ("POST", "/series/{series_id}/end")


def _next_monday(world) -> datetime.date:
    today = timezone.localdate(timezone.now(), world.practice.tz)
    return today + datetime.timedelta(days=7 - today.weekday())


def _at(world, weeks: int, hour: int) -> datetime.datetime:
    day = _next_monday(world) + datetime.timedelta(weeks=weeks)
    return datetime.datetime.combine(day, datetime.time(hour), world.practice.tz)


def _session(world, *, past: bool = False, series=None) -> Session:
    """A session of João's, made directly (no timeline event: the tenancy tests compare the
    events before and after a refused call)."""
    starts = timezone.now() - datetime.timedelta(hours=2) if past else _at(world, 1, 8)
    return Session.objects.create(
        practice=world.practice,
        client=world.clients["João da Silva"],
        professional=world.other_professional,
        series=series,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=50),
    )


def _series(world, *, paused: bool = False) -> Series:
    monday = _next_monday(world)
    series = Series.objects.create(
        practice=world.practice,
        client=world.clients["João da Silva"],
        professional=world.other_professional,
        start_date=monday,
        start_time=datetime.time(7),
        duration_minutes=50,
        frequency="weekly",
        count=3,
        materialized_through=monday + datetime.timedelta(weeks=2),
        paused_at=timezone.now() if paused else None,
    )
    for week in range(3):
        starts = _at(world, week, 7)
        Session.objects.create(
            practice=world.practice,
            client=series.client,
            professional=series.professional,
            series=series,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=50),
            **({"status": "cancelled", "cancelled_by": "pause"} if paused else {}),
        )
    return series


def fill_path(path: str, world) -> str:
    """A session or series of João's for the routes that take one (a past session to mark,
    a paused series to resume)."""
    if "{session_id}" in path:
        path = path.replace("{session_id}", str(_session(world, past=path.endswith("/mark")).pk))
    if "{series_id}" in path:
        path = path.replace("{series_id}", str(_series(world, paused=path.endswith("/resume")).pk))
    return path


PARAMS = {
    LIST_SESSIONS: lambda world: {
        "start": str(_next_monday(world)),
        "end": str(_next_monday(world) + datetime.timedelta(days=30)),
    }
}
BODIES = {
    BOOK: lambda w: {"client": w.clients["João da Silva"].pk,
                     "professional": w.other_professional.pk,
                     "starts_at": _at(w, 2, 12).isoformat()},
    BOOK_SERIES: lambda w: {"client": w.clients["João da Silva"].pk,
                            "professional": w.other_professional.pk,
                            "start_date": str(_next_monday(w) + datetime.timedelta(weeks=3)),
                            "time": "15:00", "frequency": "weekly", "count": 3},
    RESCHEDULE: lambda w: {"starts_at": _at(w, 4, 9).isoformat()},
    CANCEL: {"cancelled_by": "client", "reason": "Viagem"},
    MARK: {"status": "attended"},
    PAUSE: {"reason": "Férias"},
    RESUME: {},
    CHANGE: {"time": "07:30"},
    END: {},
}  # fmt: skip
STAFF = ("owner", "admin", "reception")
RIGHTS = {
    SERVICES: dict.fromkeys((*STAFF, "professional"), 200),
    ROOMS: dict.fromkeys((*STAFF, "professional"), 200),
    LIST_SESSIONS: dict.fromkeys((*STAFF, "professional"), 200),
    BOOK: {**dict.fromkeys(STAFF, 201), "professional": 404},
    BOOK_SERIES: {**dict.fromkeys(STAFF, 201), "professional": 404},
    REMOVE: {**dict.fromkeys(STAFF, 204), "professional": 404},
    **{
        operation: {**dict.fromkeys(STAFF, 200), "professional": 404}
        for operation in (READ_SESSION, RESCHEDULE, CANCEL, MARK, READ_SERIES, PAUSE, RESUME,
                          CHANGE, END)
    },
}  # fmt: skip


def _rows() -> list:
    return sorted(Session.objects.values_list("pk", "starts_at", "status", "room", "series"))


def _cross_by_id(operation):
    def attempt(intruder, a, b) -> None:
        method, path = operation
        body = BODIES.get(operation)
        body = body(b) if callable(body) else body
        own = fill_path(path, a)  # A's session or series
        nobody = re.sub(r"/\d+", "/999999", own, count=1)
        before = (_rows(), list(Series.objects.values_list("pk", "paused_at")))
        expected = intruder.call(method, nobody, body)
        response = intruder.call(method, own, body)
        assert (response.status_code, response.json()) == (404, expected.json()), own
        assert (_rows(), list(Series.objects.values_list("pk", "paused_at"))) == before

    return attempt


def _cross_book(operation):
    def attempt(intruder, a, b) -> None:
        body = BODIES[operation](a)  # A's client and professional, from B's token
        before = _rows()
        assert intruder.call(*operation, body).status_code == 404
        body["client"] = b.clients["João da Silva"].pk  # B's own client, A's professional
        assert intruder.call(*operation, body).status_code == 404
        # B's own client and professional, A's animal: refused as an animal that does not
        # exist (422 on the field, the same words), never booked.
        a_animal = Animal.objects.create(
            practice=a.practice, client=a.clients["João da Silva"], name="Rex", species="dog"
        )
        body = {**BODIES[operation](b), "animal": 2**62}
        unknown = intruder.call(*operation, body)
        assert (unknown.status_code, list(unknown.json()["errors"])) == (422, ["animal"])
        response = intruder.call(*operation, {**body, "animal": a_animal.pk})
        assert (response.status_code, response.json()) == (422, unknown.json())
        assert _rows() == before

    return attempt


def _cross_lists(intruder, a, b) -> None:
    _session(a)
    _series(a)
    params = PARAMS[LIST_SESSIONS](a)
    for query in (
        params,
        {**params, "client": a.clients["João da Silva"].pk},
        {**params, "professional": a.other_professional.pk},
    ):
        assert intruder.call("GET", "/sessions", **query).json() == []
    assert intruder.call("GET", "/services").json() == []
    assert intruder.call("GET", "/rooms").json() == []


CROSS_PRACTICE = {
    SERVICES: _cross_lists, ROOMS: _cross_lists, LIST_SESSIONS: _cross_lists,
    BOOK: _cross_book(BOOK), BOOK_SERIES: _cross_book(BOOK_SERIES),
    **{
        operation: _cross_by_id(operation)
        for operation in (READ_SESSION, REMOVE, RESCHEDULE, CANCEL, MARK, READ_SERIES, PAUSE,
                          RESUME, CHANGE, END)
    },
}  # fmt: skip

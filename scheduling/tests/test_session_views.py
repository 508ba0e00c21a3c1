"""A session's page and its actions (reschedule, cancel, mark), and a series' pause and
resume: each through the services, each back where the user came from with a message."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event, EventKind
from clientbook.testing import LOOKALIKE_NAMES, logged_in
from pets.services import add_animal
from scheduling.models import CancelledBy, Session, SessionStatus
from scheduling.recurrence import WEEKLY, Rule
from scheduling.services import book_series, book_session, pause_series
from scheduling.tests.helpers import agenda_of, at, english, text

NEXT = "/agenda/?view=week&date=2030-01-07&scope=all"


@pytest.fixture
def world(a, b):
    english(a, b)
    return agenda_of(a)


def url(name: str, obj) -> str:
    return reverse(f"scheduling:{name}", args=[obj.pk])


def state(*sessions: Session) -> list[tuple]:
    return [
        Session.objects.filter(pk=s.pk)
        .values_list("starts_at", "ends_at", "room_id", "status", "cancelled_by", "cancel_reason")
        .first()
        for s in sessions
    ]


def message(response) -> str:
    return " ".join(m.message for m in response.wsgi_request._messages)


# The session's page.


def test_the_session_shows_its_client_times_status_and_series(a, world):
    first = world.series.sessions.order_by("starts_at").first()
    response = logged_in(a.reception).get(url("session", first), {"next": NEXT})
    assert response.status_code == 200
    page = text(response)
    assert "João da Silva" in page
    assert "18:00–19:00 (60 minutes)" in page
    assert "Scheduled" in page
    assert f"Weekly · Monday 18:00 · from {world.monday.isoformat()} · 4 sessions" in page
    html = response.content.decode()
    assert f'href="{reverse("clients:card", args=[first.client_id])}"' in html
    assert f"{url('reschedule', first)}?next=/agenda/%3Fview%3Dweek" in html
    assert url("series_pause", world.series) in html
    assert url("mark", first) not in html  # not begun yet


def test_a_past_session_offers_marking_not_moving(a, world):
    response = logged_in(a.reception).get(url("session", world.past))
    html = response.content.decode()
    assert url("mark", world.past) in html
    assert url("reschedule", world.past) not in html
    assert "R$" not in html  # no price: no service


def test_in_the_dialog_the_session_comes_alone(a, world):
    response = logged_in(a.reception).get(
        url("session", world.past), headers={"HX-Request": "true", "HX-Target": "dialog-body"}
    )
    assert "<html" not in response.content.decode()
    assert 'method="dialog"' in response.content.decode()


# Rescheduling.


def test_rescheduling_moves_the_session_in_local_time_and_goes_back(a, world):
    session = world.sessions["Zoë Ødegaard"]
    form = logged_in(a.reception).get(url("reschedule", session)).context["form"]
    assert (form["time"].value().strftime("%H:%M"), form["duration"].value()) == ("12:00", 50)
    day = world.monday + datetime.timedelta(days=1)
    response = logged_in(a.reception).post(
        url("reschedule", session),
        {"date": day.isoformat(), "time": "16:30", "duration": "60", "room": "", "next": NEXT},
    )
    assert response.status_code == 302
    assert response["Location"] == NEXT
    session.refresh_from_db()
    assert session.starts_at == at(a, day, 16, 30)
    assert session.duration == datetime.timedelta(hours=1)
    assert "Session of Zoë Ødegaard moved to " in message(response)
    assert Event.objects.filter(kind=EventKind.SESSION_RESCHEDULED, client=session.client).exists()


def test_a_clash_when_rescheduling_is_named_next_to_the_time(a, world):
    session = world.sessions["Zoë Ødegaard"]
    before = state(session)
    response = logged_in(a.reception).post(
        url("reschedule", session),
        {"date": world.monday.isoformat(), "time": "09:30", "duration": "", "room": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "time": [f"Bruno Brito already has a session at {world.monday.isoformat()} 09:00."]
    }
    assert 'value="09:30"' in response.content.decode()
    assert state(session) == before


def test_a_session_that_has_begun_is_not_moved(a, world):
    before = state(world.past)
    response = logged_in(a.reception).post(
        url("reschedule", world.past),
        {"date": world.monday.isoformat(), "time": "07:00", "duration": "", "room": ""},
    )
    assert "A session that has begun is marked, not moved." in text(response)
    assert state(world.past) == before


# Cancelling.


def test_cancelling_with_who_and_why_goes_back_to_the_agenda(a, world):
    session = world.sessions["João da Silva"]
    response = logged_in(a.reception).post(
        url("cancel", session), {"cancelled_by": "client", "reason": "Doente", "next": NEXT}
    )
    assert response["Location"] == NEXT
    session.refresh_from_db()
    assert (session.status, session.cancelled_by, session.cancel_reason) == (
        SessionStatus.CANCELLED,
        CancelledBy.CLIENT,
        "Doente",
    )
    assert message(response).startswith("Session of João da Silva on ")


def test_cancelling_asks_who_cancels_and_offers_no_pause(a, world):
    session = world.sessions["João da Silva"]
    response = logged_in(a.reception).post(url("cancel", session), {"reason": "x"})
    assert response.context["form"].errors == {
        "cancelled_by": ["Who cancels: the client or the practice?"]
    }
    assert 'value="pause"' not in response.content.decode()
    response = logged_in(a.reception).post(url("cancel", session), {"cancelled_by": "pause"})
    assert "cancelled_by" in response.context["form"].errors
    assert state(session)[0][3] == SessionStatus.SCHEDULED


def test_without_next_a_change_goes_back_to_the_sessions_day(a, world):
    session = world.sessions["João da Silva"]
    response = logged_in(a.reception).post(url("cancel", session), {"cancelled_by": "practice"})
    assert response["Location"] == f"/agenda/?view=day&date={world.monday.isoformat()}"


# Marking.


def test_a_begun_session_is_marked_attended_or_missed(a, world):
    http = logged_in(a.reception)
    response = http.post(url("mark", world.past), {"status": "attended", "next": NEXT})
    assert response["Location"] == NEXT
    assert state(world.past)[0][3] == SessionStatus.ATTENDED
    assert message(response).endswith(": Attended.")
    http.post(url("mark", world.past), {"status": "no_show"})
    assert state(world.past)[0][3] == SessionStatus.NO_SHOW


def test_an_attended_session_offers_its_attendance_certificate(a, world):
    http = logged_in(a.reception)
    certificate = (
        reverse("documents:create", args=[world.past.client_id]) + f"?session={world.past.pk}"
    )
    assert certificate not in http.get(url("session", world.past)).content.decode()
    http.post(url("mark", world.past), {"status": "attended"})
    assert certificate in http.get(url("session", world.past)).content.decode()


def test_a_session_to_come_is_not_marked_and_the_user_is_told_why(a, world):
    session = world.sessions["João da Silva"]
    response = logged_in(a.reception).post(url("mark", session), {"status": "attended"})
    assert response.status_code == 302
    assert message(response) == "A session can be marked once it has begun."
    assert state(session)[0][3] == SessionStatus.SCHEDULED


def test_marking_is_a_post(a, world):
    assert logged_in(a.reception).get(url("mark", world.past)).status_code == 405


# Pausing and resuming a series.


def test_pausing_shows_what_it_cancels_then_cancels_it(a, world):
    http = logged_in(a.reception)
    response = http.get(url("series_pause", world.series))
    assert "4 future sessions will be cancelled by the practice." in text(response)
    card = reverse("clients:card", args=[world.series.client_id])
    response = http.post(url("series_pause", world.series), {"reason": "Férias", "next": card})
    assert response["Location"] == card
    assert message(response) == "Series paused: 4 future sessions cancelled."
    world.series.refresh_from_db()
    assert world.series.paused_at is not None
    assert set(world.series.sessions.values_list("cancel_reason", flat=True)) == {"Férias"}


def test_resuming_books_the_paused_sessions_again(a, world):
    pause_series(world.series, by=a.reception)
    http = logged_in(a.reception)
    response = http.get(url("series_resume", world.series))
    assert "4 sessions cancelled by the pause are still to come" in text(response)
    response = http.post(url("series_resume", world.series), {})
    assert message(response) == "Series resumed: 4 sessions booked."
    assert world.series.sessions.filter(status=SessionStatus.SCHEDULED).count() == 4


def test_a_resume_into_a_taken_time_lists_the_clash_and_stays_paused(a, world):
    pause_series(world.series, by=a.reception)
    book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.other_professional,
        starts_at=at(a, world.monday + datetime.timedelta(weeks=1), 18, 30),
    )
    response = logged_in(a.reception).post(url("series_resume", world.series), {})
    assert response.status_code == 200
    assert "Bruno Brito already has a session at" in text(response)
    world.series.refresh_from_db()
    assert world.series.paused_at is not None


def test_pausing_twice_is_refused_with_a_reason(a, world):
    pause_series(world.series, by=a.reception)
    response = logged_in(a.reception).post(url("series_pause", world.series), {})
    assert "This series is already paused." in text(response)


# Tenancy and who may see which session.

SESSION_PAGES = ["session", "reschedule", "cancel", "mark", "remove"]
SERIES_PAGES = ["series_pause", "series_resume", "series_change", "series_end"]
# The session's page is read, marking is sent: the other method is refused (405) first.
NOT_ALLOWED = {("session", "post"), ("mark", "get")}


def everything() -> tuple:
    return (
        list(Session.objects.order_by("pk").values()),
        list(Event.objects.order_by("pk").values_list("pk", flat=True)),
    )


def payload(name: str) -> dict:
    return {
        "reschedule": {"date": "2030-01-07", "time": "07:00", "duration": "30", "room": ""},
        "cancel": {"cancelled_by": "client", "reason": "x"},
        "mark": {"status": "attended"},
        "series_pause": {"reason": "x"},
        "series_change": {"date": "2030-01-07", "time": "07:00", "repeats": "weekly", "count": "2"},
        "series_end": {"what": "all"},
    }.get(name, {})


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_practice_gets_404_for_every_session_and_series_and_changes_nothing(
    a, b, world, method
):
    agenda_of(b)
    before = everything()
    http = logged_in(b.owner)
    for session in world.all_sessions():
        for name in SESSION_PAGES:
            response = getattr(http, method)(url(name, session), payload(name))
            assert response.status_code == (405 if (name, method) in NOT_ALLOWED else 404)
    for name in SERIES_PAGES:
        response = getattr(http, method)(url(name, world.series), payload(name))
        assert response.status_code == 404
    assert everything() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_professional_gets_404_for_a_colleagues_clients_sessions_and_changes_nothing(
    a, world, method
):
    before = everything()
    http = logged_in(a.professional)
    for name in LOOKALIKE_NAMES:
        session = world.sessions[name]
        for page in SESSION_PAGES:
            if (page, method) in NOT_ALLOWED:
                continue
            response = getattr(http, method)(url(page, session), payload(page))
            assert response.status_code == 404, (page, name)
    for page in SERIES_PAGES:
        assert getattr(http, method)(url(page, world.series), payload(page)).status_code == 404
    assert everything() == before


def test_a_professional_works_on_their_own_clients_sessions(a, world):
    session = world.sessions["Conceição Araújo"]
    http = logged_in(a.professional)
    assert http.get(url("session", session)).status_code == 200
    http.post(url("cancel", session), {"cancelled_by": "practice"})
    assert state(session)[0][3] == SessionStatus.CANCELLED


def test_a_missing_or_huge_id_is_a_404(a, world):
    http = logged_in(a.reception)
    assert http.get("/agenda/sessions/999999/").status_code == 404
    assert http.get("/agenda/sessions/99999999999999999999999/").status_code == 404
    assert http.post("/agenda/series/99999999999999999999999/pause/").status_code == 404


def test_after_a_change_in_the_dialog_the_whole_page_goes_back(a, world):
    session = world.sessions["João da Silva"]
    response = logged_in(a.reception).post(
        url("cancel", session),
        {"cancelled_by": "client", "next": NEXT},
        headers={"HX-Request": "true", "HX-Target": "dialog-body"},
    )
    assert (response.status_code, response["HX-Redirect"]) == (204, NEXT)
    assert timezone.now() < session.starts_at


# Removing a session booked by mistake; changing and ending a series.


def test_a_session_booked_by_mistake_is_removed(a, world):
    session = world.sessions["Zoë Ødegaard"]
    http = logged_in(a.reception)
    assert "booked by mistake" in text(http.get(url("remove", session)))
    response = http.post(url("remove", session), {"next": NEXT})
    assert response["Location"] == NEXT
    assert not Session.objects.filter(pk=session.pk).exists()
    assert message(response).startswith("Session of Zoë Ødegaard on ")
    assert Event.objects.filter(kind=EventKind.SESSION_DELETED, client=session.client).exists()


def test_a_past_session_is_not_removed(a, world):
    before = state(world.past)
    response = logged_in(a.reception).post(url("remove", world.past), {})
    assert response.status_code == 200
    assert "Only a session still to come can be removed" in text(response)
    assert state(world.past) == before


def series_sessions(world) -> list[Session]:
    return list(world.series.sessions.order_by("starts_at"))


def test_changing_a_series_from_one_of_its_sessions_splits_it_there(a, world):
    first, second, *_rest = series_sessions(world)
    http = logged_in(a.reception)
    form = http.get(url("series_change", world.series), {"from": second.pk}).context["form"]
    assert form["date"].value() == (world.monday + datetime.timedelta(weeks=1))
    assert form["count"].value() == 3  # from the second on
    assert form["repeats"].value() == "weekly"
    data = {
        "from": second.pk,
        "what": "following",
        "professional": a.professional.professional.pk,
        "date": (world.monday + datetime.timedelta(weeks=1, days=1)).isoformat(),
        "time": "08:00",
        "duration": "45",
        "repeats": "weekly",
        "interval": "1",
        "ends": "count",
        "count": "3",
        "next": NEXT,
    }
    response = http.post(url("series_change", world.series), data)
    assert response["Location"] == NEXT
    assert message(response) == "Series changed: 3 sessions to come with Ana Analyst."
    assert state(first)[0][3] == SessionStatus.SCHEDULED  # the first is untouched
    moved = Session.objects.filter(
        client=world.series.client, professional=a.professional.professional
    )
    tuesday = world.monday + datetime.timedelta(weeks=1, days=1)
    assert sorted(moved.values_list("starts_at", flat=True)) == [
        at(a, tuesday + datetime.timedelta(weeks=i), 8) for i in range(3)
    ]


def test_changing_all_the_sessions_to_come(a, world):
    http = logged_in(a.reception)
    form = http.get(url("series_change", world.series)).context["form"]
    assert "what" not in form.fields
    response = http.post(
        url("series_change", world.series),
        {
            "professional": a.other_professional.pk,
            "date": world.monday.isoformat(),
            "time": "19:00",
            "repeats": "weekly",
            "interval": "1",
            "ends": "count",
            "count": "4",
        },
    )
    assert response["Location"] == reverse("clients:card", args=[world.series.client_id])
    times = {
        s.astimezone(a.practice.tz).time()
        for s in Session.objects.filter(client=world.series.client, starts_at__gt=timezone.now())
        .exclude(pk__in=[s.pk for s in world.sessions.values()])
        .values_list("starts_at", flat=True)
    }
    assert times == {datetime.time(19)}


def test_a_series_change_into_a_taken_time_is_named_and_nothing_changes(a, world):
    before = everything()
    response = logged_in(a.reception).post(
        url("series_change", world.series),
        {
            "professional": a.other_professional.pk,
            "date": world.monday.isoformat(),
            "time": "09:30",
            "repeats": "weekly",
            "interval": "1",
            "ends": "count",
            "count": "4",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["time"] == [
        f"Bruno Brito already has a session at {world.monday.isoformat()} 09:00."
    ]
    assert everything() == before


def test_a_session_of_another_series_cannot_be_the_start_of_a_change(a, world):
    other = world.sessions["Zoë Ødegaard"]  # no series
    http = logged_in(a.reception)
    assert http.get(url("series_change", world.series), {"from": other.pk}).status_code == 404
    assert http.get(url("series_end", world.series), {"from": other.pk}).status_code == 404


def test_ending_a_series_from_one_of_its_sessions(a, world):
    first, second, *_rest = series_sessions(world)
    http = logged_in(a.reception)
    page = text(http.get(url("series_end", world.series), {"from": second.pk}))
    assert "This session and the following ones (3 sessions, from " in page
    assert "All the sessions still to come (4 sessions)" in page
    response = http.post(url("series_end", world.series), {"from": second.pk, "what": "following"})
    assert message(response) == "3 sessions removed; the series ends there."
    assert list(world.series.sessions.all()) == [first]


def test_ending_all_of_a_paused_series(a, world):
    pause_series(world.series, by=a.reception)
    response = logged_in(a.reception).post(url("series_end", world.series), {"what": "all"})
    assert response.status_code == 302
    assert not Session.objects.filter(series=world.series, starts_at__gt=timezone.now()).exists()


# Animals, in a veterinary practice (practice B).


def _vet_series(b):
    english(b)
    joao = b.clients["João da Silva"]
    rex = add_animal(by=b.owner, client=joao, name="Rex", species="dog")
    mia = add_animal(by=b.owner, client=joao, name="Mia", species="cat")
    today = timezone.localdate(timezone.now(), b.practice.tz)
    monday = today + datetime.timedelta(days=7 - today.weekday())
    series = book_series(
        by=b.reception, client=joao, professional=b.other_professional, start_date=monday,
        at=datetime.time(10), rule=Rule(WEEKLY, count=3), animal=rex,
    )  # fmt: skip
    return series, rex, mia, monday


def test_the_session_names_its_animal_next_to_the_client(b):
    series, _rex, _mia, _monday = _vet_series(b)
    first = series.sessions.order_by("starts_at").first()
    page = text(logged_in(b.reception).get(url("session", first)))
    assert "Client João da Silva" in page
    assert "Animal Rex (Dog)" in page


def test_changing_a_series_can_give_it_another_animal(b):
    series, rex, mia, monday = _vet_series(b)
    http = logged_in(b.reception)
    response = http.get(url("series_change", series))
    assert response.context["form"]["animal"].value() == rex.pk
    assert "(Rex)" in text(response)
    response = http.post(
        url("series_change", series),
        {
            "animal": mia.pk,
            "professional": b.other_professional.pk,
            "date": monday.isoformat(),
            "time": "10:00",
            "repeats": "weekly",
            "interval": "1",
            "ends": "count",
            "count": "3",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert set(series.sessions.values_list("animal", flat=True)) == {mia.pk}

"""Booking, moving, cancelling and marking sessions, with the conflict check."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Event, EventKind
from clients.models import Status
from clients.services import change_status
from scheduling.models import CancelledBy, Series, Session, SessionStatus
from scheduling.recurrence import WEEKLY, Rule
from scheduling.services import (
    book_series,
    book_session,
    cancel_session,
    mark_session,
    pause_series,
    reschedule_session,
    resume_series,
    save_room,
    save_service,
)

HOUR = datetime.timedelta(hours=1)


def book(a, client, starts_at, **kwargs):
    kwargs.setdefault("professional", a.other_professional)
    return book_session(by=a.reception, client=client, starts_at=starts_at, **kwargs)


def test_it_books_with_the_services_duration_and_price_and_records_it(a, monday, therapy):
    client = a.clients["João da Silva"]
    session = book(a, client, monday, service=therapy)
    assert session.ends_at - session.starts_at == datetime.timedelta(minutes=50)
    assert session.price == Decimal("200.00")
    event = Event.objects.get(client=client, kind=EventKind.SESSION_BOOKED)
    assert event.data == {"session": session.pk}
    assert event.changes["professional"] == [None, "Bruno Brito"]


def test_the_same_professional_cannot_be_booked_twice_at_once(a, monday):
    book(a, a.clients["João da Silva"], monday, duration=HOUR)
    with pytest.raises(ValidationError) as refused:
        book(a, a.clients["Zoë Ødegaard"], monday + datetime.timedelta(minutes=30))
    assert "Bruno Brito already has a session at" in str(refused.value)
    assert Session.objects.count() == 1


def test_the_same_room_cannot_be_booked_twice_at_once(a, monday, room):
    book(a, a.clients["João da Silva"], monday, duration=HOUR, room=room)
    with pytest.raises(ValidationError) as refused:
        book(
            a,
            a.clients["Zoë Ødegaard"],
            monday + datetime.timedelta(minutes=59),
            professional=a.professional.professional,
            room=room,
        )
    assert "Sala 1 is taken at" in str(refused.value)


def test_back_to_back_sessions_and_cancelled_ones_do_not_conflict(a, monday, room):
    first = book(a, a.clients["João da Silva"], monday, duration=HOUR, room=room)
    book(a, a.clients["Zoë Ødegaard"], monday + HOUR, duration=HOUR, room=room)
    cancel_session(first, by=a.reception, cancelled_by=CancelledBy.CLIENT, reason="Doente")
    book(a, a.clients["Émilie Tremblay"], monday, duration=HOUR, room=room)
    assert Session.objects.filter(status=SessionStatus.SCHEDULED).count() == 2


def test_an_inactive_client_cannot_be_booked_and_is_told_why(a, monday):
    client = a.clients["João da Silva"]
    change_status([client], by=a.owner, status=Status.INACTIVE)
    client.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        book(a, client, monday)
    assert "Only active clients can be booked (João da Silva: Inactive)" in str(refused.value)


def test_a_professional_books_only_their_own_clients(a, monday):
    ana = a.professional
    own = a.clients["Ana's client"]
    book_session(by=ana, client=own, professional=ana.professional, starts_at=monday)
    with pytest.raises(PermissionDenied):
        book_session(
            by=ana,
            client=a.clients["João da Silva"],
            professional=ana.professional,
            starts_at=monday + HOUR,
        )


def test_another_practices_client_professional_or_room_is_refused(a, b, monday, room):
    with pytest.raises(PermissionDenied):
        book(a, b.clients["João da Silva"], monday)
    with pytest.raises(PermissionDenied):
        book(a, a.clients["João da Silva"], monday, professional=b.other_professional)
    other_room = save_room(by=b.owner, name="Gabinet 1")
    with pytest.raises(PermissionDenied):
        book(a, a.clients["João da Silva"], monday, room=other_room)
    assert not Session.objects.exists()


def test_rescheduling_checks_conflicts_but_not_against_itself(a, monday):
    session = book(a, a.clients["João da Silva"], monday, duration=HOUR)
    other = book(a, a.clients["Zoë Ødegaard"], monday + 2 * HOUR, duration=HOUR)
    moved = reschedule_session(
        session, by=a.reception, starts_at=monday + datetime.timedelta(minutes=30)
    )
    assert moved.starts_at == monday + datetime.timedelta(minutes=30)
    with pytest.raises(ValidationError):
        reschedule_session(other, by=a.reception, starts_at=monday + HOUR)
    event = Event.objects.get(kind=EventKind.SESSION_RESCHEDULED)
    assert event.changes["session"][0] != event.changes["session"][1]


def test_past_sessions_are_marked_never_moved(a):
    started = timezone.now() - datetime.timedelta(minutes=10)
    session = book(a, a.clients["João da Silva"], started)
    mark_session(session, by=a.reception, status=SessionStatus.ATTENDED)
    with pytest.raises(ValidationError):
        reschedule_session(session, by=a.reception, starts_at=started + HOUR)
    with pytest.raises(ValidationError):
        cancel_session(session, by=a.reception, cancelled_by=CancelledBy.PRACTICE)
    session.refresh_from_db()
    assert (session.status, session.starts_at) == (SessionStatus.ATTENDED, started)


def test_a_session_that_has_begun_is_not_moved_even_unmarked(a):
    started = timezone.now() - datetime.timedelta(minutes=10)
    session = book(a, a.clients["João da Silva"], started)
    with pytest.raises(ValidationError) as refused:
        reschedule_session(session, by=a.reception, starts_at=started + 24 * HOUR)
    assert "has begun" in refused.value.message_dict["starts_at"][0]


def test_a_future_session_cannot_be_marked_attended(a, monday):
    session = book(a, a.clients["João da Silva"], monday)
    with pytest.raises(ValidationError):
        mark_session(session, by=a.reception, status=SessionStatus.NO_SHOW)


def test_only_owner_and_admin_define_services_and_rooms(a):
    save_service(by=a.admin, name="Avaliação", default_duration=90, default_price=None)
    for member in (a.reception, a.professional):
        with pytest.raises(PermissionDenied):
            save_room(by=member, name="Sala 2")


def test_a_session_in_the_clients_timeline_reads_in_local_time(a, monday):
    client = a.clients["João da Silva"]
    book(a, client, monday)
    event = Event.objects.get(client=client, kind=EventKind.SESSION_BOOKED)
    assert event.changes["session"][1].endswith("18:00")


def test_a_weekly_series_is_booked_at_the_same_local_time_every_week(a, monday, room):
    series = book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=monday.date(),
        at=datetime.time(18),
        rule=Rule(WEEKLY, count=10),
        duration=HOUR,
        room=room,
    )
    sessions = list(series.sessions.order_by("starts_at"))
    assert len(sessions) == 10
    assert {timezone.localtime(s.starts_at, a.practice.tz).time() for s in sessions} == {
        datetime.time(18)
    }
    event = Event.objects.get(kind=EventKind.SERIES_BOOKED)
    assert event.data == {"series": series.pk, "sessions": 10}


def test_a_series_is_refused_whole_naming_each_clash(a, monday):
    book(a, a.clients["Zoë Ødegaard"], monday + datetime.timedelta(weeks=2), duration=HOUR)
    book(a, a.clients["Émilie Tremblay"], monday + datetime.timedelta(weeks=5), duration=HOUR)
    with pytest.raises(ValidationError) as refused:
        book_series(
            by=a.reception,
            client=a.clients["João da Silva"],
            professional=a.other_professional,
            start_date=monday.date(),
            at=datetime.time(18, 30),
            rule=Rule(WEEKLY, count=8),
        )
    assert len(refused.value.message_dict["starts_at"]) == 2
    assert Session.objects.count() == 2
    assert not Series.objects.exists()


def test_an_open_ended_series_is_made_up_to_the_horizon(a, monday):
    series = book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=monday.date(),
        at=datetime.time(9),
        rule=Rule(WEEKLY),
        horizon=datetime.timedelta(weeks=8),
    )
    assert 7 <= series.sessions.count() <= 9
    assert series.materialized_through <= monday.date() + datetime.timedelta(weeks=8)


def weekly(a, monday, count=6):
    return book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=monday.date(),
        at=datetime.time(18),
        rule=Rule(WEEKLY, count=count),
    )


def test_pausing_a_series_cancels_its_future_sessions_and_resuming_books_them_again(a, monday):
    series = weekly(a, monday)
    assert pause_series(series, by=a.reception, reason="Férias") == 6
    assert not series.sessions.filter(status=SessionStatus.SCHEDULED).exists()
    assert set(series.sessions.values_list("cancel_reason", flat=True)) == {"Férias"}
    assert resume_series(series, by=a.reception) == 6
    assert series.sessions.filter(status=SessionStatus.SCHEDULED).count() == 6
    kinds = list(
        Event.objects.filter(client=series.client).values_list("kind", flat=True).order_by("pk")
    )
    assert kinds[-2:] == [EventKind.SERIES_PAUSED, EventKind.SERIES_RESUMED]


def test_a_series_resumed_into_a_taken_slot_is_refused_and_stays_paused(a, monday):
    series = weekly(a, monday)
    pause_series(series, by=a.reception)
    book(a, a.clients["Zoë Ødegaard"], monday + datetime.timedelta(weeks=1))
    with pytest.raises(ValidationError):
        resume_series(series, by=a.reception)
    series.refresh_from_db()
    assert series.paused_at is not None
    assert not series.sessions.filter(status=SessionStatus.SCHEDULED).exists()


def test_pausing_keeps_the_sessions_already_held(a):
    start = timezone.localtime(timezone.now(), a.practice.tz) - datetime.timedelta(weeks=1, hours=1)
    series = book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=start.date(),
        at=start.time().replace(second=0, microsecond=0),
        rule=Rule(WEEKLY, count=4),
    )
    held = series.sessions.order_by("starts_at").first()
    mark_session(held, by=a.reception, status=SessionStatus.ATTENDED)
    assert pause_series(series, by=a.reception) == 2  # the two still to come
    held.refresh_from_db()
    assert held.status == SessionStatus.ATTENDED


def test_another_practice_cannot_pause_a_series(a, b, monday):
    series = weekly(a, monday)
    with pytest.raises(PermissionDenied):
        pause_series(series, by=b.owner)
    assert series.sessions.filter(status=SessionStatus.SCHEDULED).count() == 6

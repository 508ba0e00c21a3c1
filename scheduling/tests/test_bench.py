"""The agenda `make bench` seeds (scheduling/bench.py), at a small size: rows the services
could have written (no professional or room booked twice, history marked, series whole),
and a naive baseline that refuses what the booking service refuses."""

import datetime
import io
import itertools
from collections import defaultdict
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import Status
from scheduling import services
from scheduling.bench import (
    AgendaSpec,
    NaiveCheck,
    agenda_seeded,
    drop_agenda,
    free_slots,
    seed_agenda,
)
from scheduling.models import Series, Session, SessionStatus
from scheduling.services import book_session

SPEC = AgendaSpec(sessions=300, days_back=14, days_ahead=14)
# The seed's "now": sessions before it are history, after it to come (and bookable).
NOW = timezone.now()


@pytest.fixture
def seeded(a):
    seed_agenda(a.practice, SPEC, seed=1, batch=100, out=io.StringIO(), now=NOW)
    return a


def overlapping(sessions: list[Session], key: str) -> list[tuple[int, int]]:
    by_owner = defaultdict(list)
    for session in sessions:
        if getattr(session, key) is not None:
            by_owner[getattr(session, key)].append(session)
    clashes = []
    for mine in by_owner.values():
        mine.sort(key=lambda s: s.starts_at)
        clashes += [(x.pk, y.pk) for x, y in itertools.pairwise(mine) if y.starts_at < x.ends_at]
    return clashes


def test_it_seeds_the_sessions_asked_with_no_professional_or_room_booked_twice(seeded):
    sessions = list(Session.objects.filter(practice=seeded.practice).select_related("client"))
    assert len(sessions) == SPEC.sessions
    assert agenda_seeded(seeded.practice, SPEC)
    assert not agenda_seeded(seeded.practice, AgendaSpec(sessions=301))
    assert overlapping(sessions, "professional_id") == []
    assert overlapping(sessions, "room_id") == []
    # Both professionals work, the busier one more.
    per_professional = sorted(
        sum(s.professional_id == p.pk for s in sessions)
        for p in seeded.practice.professionals.all()
    )
    assert 0 < per_professional[0] < per_professional[1]


def test_the_past_is_held_and_what_is_to_come_is_scheduled_for_active_clients(seeded):
    sessions = Session.objects.filter(practice=seeded.practice).select_related("client")
    past = {s.status for s in sessions if s.starts_at < NOW}
    assert past <= {SessionStatus.ATTENDED, SessionStatus.NO_SHOW, SessionStatus.CANCELLED}
    assert SessionStatus.ATTENDED in past
    to_come = [s for s in sessions if s.starts_at >= NOW]
    assert to_come
    assert {s.status for s in to_come} == {SessionStatus.SCHEDULED}
    assert {s.client.status for s in to_come} == {Status.ACTIVE}
    tz = seeded.practice.tz
    for session in sessions:
        local = timezone.localtime(session.starts_at, tz)
        assert local.weekday() < 5
        assert datetime.time(8) <= local.time() <= datetime.time(18, 50)
        assert session.ends_at - session.starts_at == datetime.timedelta(minutes=50)


def test_series_sessions_are_the_weekly_occurrences_of_their_series(seeded):
    series = list(Series.objects.filter(practice=seeded.practice).prefetch_related("sessions"))
    assert series
    tz = seeded.practice.tz
    in_series = 0
    for one in series:
        sessions = sorted(one.sessions.all(), key=lambda s: s.starts_at)
        in_series += len(sessions)
        assert len(sessions) == one.count
        days = [timezone.localtime(s.starts_at, tz).date() for s in sessions]
        assert days[0] == one.start_date
        assert all((b - a).days == 7 for a, b in itertools.pairwise(days))
        assert {timezone.localtime(s.starts_at, tz).time() for s in sessions} == {one.start_time}
        assert {(s.client_id, s.professional_id, s.room_id) for s in sessions} == {
            (one.client_id, one.professional_id, one.room_id)
        }
    assert 0 < in_series < SPEC.sessions  # and single sessions besides


def test_the_free_slots_it_finds_are_bookable_and_the_naive_check_agrees(seeded):
    professional = seeded.other_professional
    client = seeded.clients["João da Silva"]
    # In the seeded weeks to come, between the professional's sessions.
    (start, room), (other, _room) = free_slots(seeded.practice, professional, after=NOW, count=2)
    assert start < NOW + datetime.timedelta(days=SPEC.days_ahead)
    naive = NaiveCheck()
    with mock.patch.object(services, "_check_free", naive):
        booked = book_session(
            by=seeded.reception, client=client, professional=professional, starts_at=start,
            room=room,
        )  # fmt: skip
        with pytest.raises(ValidationError):
            book_session(
                by=seeded.reception, client=client, professional=professional,
                starts_at=booked.starts_at + datetime.timedelta(minutes=20),
            )  # fmt: skip
    assert naive.calls == 2
    with pytest.raises(ValidationError):
        book_session(
            by=seeded.reception, client=client, professional=professional,
            starts_at=booked.starts_at + datetime.timedelta(minutes=20),
        )  # fmt: skip
    book_session(by=seeded.reception, client=client, professional=professional, starts_at=other)


def test_an_agenda_of_other_sizes_is_dropped_whole(seeded):
    drop_agenda(seeded.practice)
    assert not Session.objects.filter(practice=seeded.practice).exists()
    assert not Series.objects.filter(practice=seeded.practice).exists()
    seed_agenda(seeded.practice, SPEC, seed=2, batch=1000, out=io.StringIO(), now=NOW)
    assert agenda_seeded(seeded.practice, SPEC)

"""Changing and removing "this and the following" sessions or the whole series, removing one
session, resuming after a pause, and the worker making open-ended series up to the horizon."""

import calendar
import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Event, EventKind
from clients.models import Client, Status
from clients.services import change_status
from practices.models import Practice
from practices.services import set_user_language
from scheduling.models import CancelledBy, Series, Session, SessionStatus
from scheduling.recurrence import MONTHLY_DAY, WEEKLY, Rule
from scheduling.services import (
    SeriesPlan,
    book_series,
    book_session,
    cancel_session,
    change_series,
    delete_session,
    end_series,
    extend_series,
    mark_session,
    pause_series,
    reschedule_session,
    resume_series,
    save_room,
)

HOUR = datetime.timedelta(hours=1)


def weekly(a, start: datetime.datetime, count: int | None = 6, **kwargs) -> Series:
    return book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=start.date(),
        at=start.time(),
        rule=Rule(WEEKLY, count=count),
        duration=HOUR,
        **kwargs,
    )


def local_times(sessions) -> list[datetime.time]:
    return [timezone.localtime(s.starts_at, s.practice.tz).time() for s in sessions]


def scheduled(series: Series) -> list[Session]:
    sessions = series.sessions.filter(status=SessionStatus.SCHEDULED).select_related("practice")
    return list(sessions.order_by("starts_at"))


def test_changing_the_whole_series_moves_every_session_to_come(a, monday):
    series = weekly(a, monday)
    plan = dataclasses.replace(SeriesPlan.of(series), at=datetime.time(19, 30))
    changed = change_series(series, by=a.reception, plan=plan)
    assert changed.pk == series.pk
    sessions = scheduled(series)
    assert len(sessions) == 6
    assert set(local_times(sessions)) == {datetime.time(19, 30)}
    assert sessions[0].starts_at.date() == monday.date()
    event = Event.objects.get(kind=EventKind.SERIES_CHANGED)
    assert event.client == series.client
    assert (event.data["removed"], event.data["changed"]) == (0, 6)  # moved, not remade


def test_changing_this_and_the_following_splits_the_series(a, monday):
    series = weekly(a, monday)
    third = scheduled(series)[2]
    plan = SeriesPlan.of(series, third)
    assert plan.rule.count == 4  # what is left of the six from the third on
    new = change_series(
        series,
        by=a.reception,
        plan=dataclasses.replace(plan, at=datetime.time(8), start_date=plan.start_date),
        from_session=third,
    )
    assert new.pk != series.pk
    series.refresh_from_db()
    assert [s.starts_at for s in scheduled(series)] == [
        monday,
        monday + datetime.timedelta(weeks=1),
    ]
    assert series.until == third.starts_at.astimezone(a.practice.tz).date() - datetime.timedelta(
        days=1
    )
    assert set(local_times(scheduled(new))) == {datetime.time(8)}
    assert len(scheduled(new)) == 4
    assert Session.objects.get(pk=third.pk).series == new  # the same session, moved


def test_a_change_that_clashes_is_refused_whole_and_changes_nothing(a, monday):
    series = weekly(a, monday)
    book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.other_professional,
        starts_at=monday + datetime.timedelta(weeks=3, hours=2),
        duration=HOUR,
    )
    before = sorted(series.sessions.values_list("pk", "starts_at", "status"))
    plan = dataclasses.replace(SeriesPlan.of(series), at=datetime.time(20))
    with pytest.raises(ValidationError) as refused:
        change_series(series, by=a.reception, plan=plan, from_session=scheduled(series)[1])
    assert "already has a session" in refused.value.message_dict["starts_at"][0]
    assert sorted(series.sessions.values_list("pk", "starts_at", "status")) == before
    assert Series.objects.count() == 1


def past_series(a, weeks_ago: int = 1, count: int = 4) -> Series:
    start = timezone.localtime(timezone.now(), a.practice.tz) - datetime.timedelta(
        weeks=weeks_ago, hours=1
    )
    return weekly(a, start.replace(second=0, microsecond=0), count=count)


def test_sessions_already_held_are_never_rewritten(a):
    series = past_series(a)
    held = series.sessions.order_by("starts_at").first()
    mark_session(held, by=a.reception, status=SessionStatus.ATTENDED)
    plan = dataclasses.replace(SeriesPlan.of(series), at=datetime.time(7))
    change_series(series, by=a.reception, plan=plan)
    held_after = Session.objects.get(pk=held.pk)
    assert (held_after.starts_at, held_after.status) == (held.starts_at, SessionStatus.ATTENDED)
    to_come = [s for s in scheduled(series) if s.starts_at > timezone.now()]
    assert set(local_times(to_come)) == {datetime.time(7)}
    assert len(to_come) == 2  # of four: one held, one begun an hour ago, two to come


def test_a_past_session_cannot_start_an_edit(a):
    series = past_series(a)
    held = series.sessions.order_by("starts_at").first()
    with pytest.raises(ValidationError):
        end_series(series, by=a.reception, from_session=held)


def test_removing_this_and_the_following_ends_the_series_before_it(a, monday):
    series = weekly(a, monday)
    fourth = scheduled(series)[3]
    assert end_series(series, by=a.reception, from_session=fourth) == 3
    series.refresh_from_db()
    assert len(scheduled(series)) == 3
    assert series.until < fourth.starts_at.date()
    assert Event.objects.filter(kind=EventKind.SERIES_ENDED, client=series.client).exists()


def test_removing_a_whole_series_to_come_leaves_nothing_but_its_event(a, monday):
    series = weekly(a, monday)
    assert end_series(series, by=a.reception) == 6
    assert not Series.objects.exists()
    assert not Session.objects.exists()
    assert Event.objects.get(kind=EventKind.SERIES_ENDED).data["removed"] == 6


def test_removing_a_series_keeps_its_history(a):
    series = past_series(a)
    assert end_series(series, by=a.reception) == 2
    assert series.sessions.count() == 2  # the one held last week and the one begun today


def test_a_removed_session_is_gone_and_a_held_one_cannot_be_removed(a, monday):
    series = weekly(a, monday)
    second = scheduled(series)[1]
    delete_session(second, by=a.reception)
    assert not Session.objects.filter(pk=second.pk).exists()
    assert Event.objects.get(kind=EventKind.SESSION_DELETED).data["session"] == second.pk
    pause_series(series, by=a.reception)
    resume_series(series, by=a.reception)
    assert second.starts_at not in [s.starts_at for s in scheduled(series)]
    held = past_series(a, weeks_ago=3).sessions.order_by("starts_at").first()
    with pytest.raises(ValidationError):
        delete_session(held, by=a.reception)


def test_resuming_leaves_the_sessions_the_client_cancelled_cancelled(a, monday):
    series = weekly(a, monday)
    holiday = scheduled(series)[2]
    cancel_session(holiday, by=a.reception, cancelled_by=CancelledBy.CLIENT, reason="Viagem")
    assert pause_series(series, by=a.reception) == 5
    assert resume_series(series, by=a.reception) == 5
    holiday.refresh_from_db()
    assert (holiday.status, holiday.cancelled_by) == (SessionStatus.CANCELLED, CancelledBy.CLIENT)
    assert series.sessions.count() == 6  # no session was made twice


def test_another_practice_cannot_change_or_remove_a_series(a, b, monday):
    series = weekly(a, monday)
    with pytest.raises(PermissionDenied):
        change_series(series, by=b.owner, plan=SeriesPlan.of(series))
    with pytest.raises(PermissionDenied):
        end_series(series, by=b.owner)
    with pytest.raises(PermissionDenied):
        delete_session(scheduled(series)[0], by=b.owner)
    assert len(scheduled(series)) == 6


def test_the_worker_keeps_open_ended_series_made_up_to_the_horizon(a, monday):
    series = weekly(a, monday, count=None, horizon=datetime.timedelta(weeks=4))
    first = series.sessions.count()
    made = extend_series(horizon=datetime.timedelta(weeks=12))
    assert made == series.sessions.count() - first >= 7
    assert set(local_times(scheduled(series))) == {monday.time()}
    assert extend_series(horizon=datetime.timedelta(weeks=12)) == 0  # nothing twice
    event = Event.objects.get(kind=EventKind.SERIES_EXTENDED)
    assert event.actor is None
    assert event.data["sessions"] == made


def test_the_worker_leaves_out_a_clash_and_says_so_in_the_timeline(a, monday):
    series = weekly(a, monday, count=None, horizon=datetime.timedelta(weeks=2))
    taken = monday + datetime.timedelta(weeks=6)
    book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.other_professional,
        starts_at=taken,
        duration=HOUR,
    )
    extend_series(horizon=datetime.timedelta(weeks=10))
    assert taken not in [s.starts_at for s in scheduled(series)]
    event = Event.objects.get(kind=EventKind.SERIES_EXTENDED, client=series.client)
    assert event.data["clashes"] == 1
    assert "already has a session" in event.changes["not_booked"][1]


def test_the_worker_does_not_extend_paused_series_or_inactive_clients(a, monday):
    paused = weekly(a, monday, count=None, horizon=datetime.timedelta(weeks=2))
    pause_series(paused, by=a.reception)
    other = book_series(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.professional.professional,
        start_date=monday.date(),
        at=datetime.time(9),
        rule=Rule(WEEKLY),
        horizon=datetime.timedelta(weeks=2),
    )
    change_status([other.client], by=a.owner, status=Status.INACTIVE)
    assert extend_series(horizon=datetime.timedelta(weeks=10)) == 0


def test_the_card_shows_the_series_history(a, monday):
    from django.urls import reverse

    from clientbook.testing import logged_in

    series = weekly(a, monday, count=None, horizon=datetime.timedelta(weeks=2))
    end_series(series, by=a.reception, from_session=scheduled(series)[1])
    set_user_language(a.owner.user, "en")
    response = logged_in(a.owner).get(reverse("clients:card", args=[series.client_id]))
    assert response.status_code == 200
    assert "Recurring sessions removed" in response.content.decode()


def test_a_change_keeps_cancelled_dates_cancelled_and_moved_sessions_where_they_are(a, monday):
    series = weekly(a, monday, count=4)
    _first, second, third, _fourth = scheduled(series)
    cancel_session(third, by=a.reception, cancelled_by=CancelledBy.CLIENT, reason="Viagem")
    moved = reschedule_session(second, by=a.reception, starts_at=second.starts_at + 4 * HOUR)
    plan = dataclasses.replace(SeriesPlan.of(series), price=Decimal("250.00"))
    change_series(series, by=a.reception, plan=plan)
    assert Session.objects.filter(series=series).count() == 4  # nothing booked again
    third.refresh_from_db()
    assert third.status == SessionStatus.CANCELLED
    assert Session.objects.get(pk=moved.pk).starts_at == moved.starts_at
    assert {s.price for s in scheduled(series)} == {Decimal("250.00")}
    # A change of the time applies to every session to come, the moved one too.
    plan = dataclasses.replace(SeriesPlan.of(series), at=datetime.time(20))
    change_series(series, by=a.reception, plan=plan)
    assert set(local_times(scheduled(series))) == {datetime.time(20)}
    assert Session.objects.filter(series=series).count() == 4


def test_a_monthly_series_on_the_31st_keeps_its_day_when_split(a):
    today = timezone.localdate(timezone.now(), a.practice.tz)
    day = today + datetime.timedelta(days=1)
    while day.day != 31:
        day += datetime.timedelta(days=1)
    series = book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=day,
        at=datetime.time(10),
        rule=Rule(MONTHLY_DAY, count=6),
        horizon=datetime.timedelta(days=400),
    )
    sessions = scheduled(series)
    short = next(s for s in sessions if s.occurrence_date.day != 31)  # a short month
    new = change_series(
        series,
        by=a.reception,
        plan=dataclasses.replace(SeriesPlan.of(series, short), at=datetime.time(11)),
        from_session=short,
        horizon=datetime.timedelta(days=400),
    )
    days = [s.occurrence_date for s in scheduled(new)]
    assert all(d.day == 31 or d.day == calendar.monthrange(d.year, d.month)[1] for d in days), days
    assert len(scheduled(series)) + len(days) == 6


def test_resuming_checks_a_session_moved_to_another_room_in_that_room(a, monday, room):
    other_room = save_room(by=a.owner, name="Sala 2")
    series = weekly(a, monday, count=3, room=room)
    first = scheduled(series)[0]
    reschedule_session(first, by=a.reception, starts_at=first.starts_at, room=other_room)
    pause_series(series, by=a.reception)
    book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.professional.professional,
        starts_at=first.starts_at,
        room=other_room,
        duration=HOUR,
    )
    with pytest.raises(ValidationError) as refused:
        resume_series(series, by=a.reception)
    assert "Sala 2 is taken" in refused.value.message_dict["room"][0]


def test_the_worker_never_books_in_the_past_after_a_long_gap(a):
    series = past_series(a, weeks_ago=30, count=None)
    # Made up to twenty weeks ago only (the worker stopped, or the client was away).
    gap = timezone.now() - datetime.timedelta(weeks=20)
    series.sessions.filter(starts_at__gt=gap).delete()
    Series.objects.filter(pk=series.pk).update(materialized_through=gap.date())
    before = set(series.sessions.values_list("pk", flat=True))
    extend_series()
    made = series.sessions.exclude(pk__in=before)
    assert made.exists()
    assert not made.filter(starts_at__lt=timezone.now()).exists()


def test_a_change_moves_reminders_instead_of_sending_new_ones(a, monday):
    from messaging.models import Message, MessageKind

    Practice.objects.filter(pk=a.practice.pk).update(reminder_channel="email")
    a.clients["João da Silva"].practice.refresh_from_db()
    Client.objects.filter(pk=a.clients["João da Silva"].pk).update(email="joao@example.com")
    series = weekly(a, monday, count=3)
    reminders = Message.objects.filter(kind=MessageKind.REMINDER)
    assert reminders.count() == 3
    plan = dataclasses.replace(SeriesPlan.of(series), room=save_room(by=a.owner, name="Sala 9"))
    change_series(series, by=a.reception, plan=plan)
    assert reminders.count() == 3
    assert reminders.filter(status="scheduled").count() == 3


def test_a_reminder_follows_a_new_e_mail_on_the_card(a, monday):
    from clients.services import update_client
    from messaging.models import Message, MessageKind

    Practice.objects.filter(pk=a.practice.pk).update(reminder_channel="email")
    joao = Client.objects.get(pk=a.clients["João da Silva"].pk)
    update_client(joao, by=a.reception, fields={"email": "joao@example.com"})
    weekly(a, monday, count=2)
    update_client(joao, by=a.reception, fields={"email": "joao.silva@example.org"})
    reminders = Message.objects.filter(kind=MessageKind.REMINDER, status="scheduled")
    assert set(reminders.values_list("recipient", flat=True)) == {"joao.silva@example.org"}
    assert reminders.count() == 2


def test_a_series_begins_at_most_a_year_ago(a):
    with pytest.raises(ValidationError) as refused:
        book_series(
            by=a.reception,
            client=a.clients["João da Silva"],
            professional=a.other_professional,
            start_date=datetime.date(1, 1, 1),
            at=datetime.time(9),
            rule=Rule(MONTHLY_DAY),
        )
    assert "start_date" in refused.value.message_dict
    assert not Session.objects.exists()

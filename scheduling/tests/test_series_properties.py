"""Properties of series edits over generated series (Hypothesis): an edit never touches a
past occurrence, "this and the following" splits the series exactly there, and making a
series up to a later horizon never books an occurrence twice."""

import dataclasses
import datetime

from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from practices.models import Practice
from scheduling.models import Series, Session, SessionStatus
from scheduling.recurrence import MONTHLY_DAY, MONTHLY_WEEKDAY, WEEKLY, Rule
from scheduling.services import SeriesPlan, book_series, change_series, extend_series

PROPERTIES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

rules = st.builds(
    Rule,
    frequency=st.sampled_from([WEEKLY, MONTHLY_DAY, MONTHLY_WEEKDAY]),
    interval=st.integers(1, 3),
    count=st.one_of(st.none(), st.integers(2, 15)),
)
times = st.builds(datetime.time, st.integers(6, 21), st.sampled_from([0, 15, 30, 45]))


ZONES = st.sampled_from(["America/Sao_Paulo", "Europe/Warsaw", "America/Toronto"])


def _book(
    a, rule: Rule, weeks_ago: int, at: datetime.time, horizon_weeks: int = 26, zone: str = ""
) -> Series:
    Session.objects.all().delete()
    Series.objects.all().delete()
    if zone:
        Practice.objects.filter(pk=a.practice.pk).update(time_zone=zone)
        a.practice.refresh_from_db()
        a.clients["João da Silva"].practice = a.practice
    today = timezone.localdate(timezone.now(), a.practice.tz)
    return book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=today - datetime.timedelta(weeks=weeks_ago),
        at=at,
        rule=rule,
        duration=datetime.timedelta(minutes=50),
        horizon=datetime.timedelta(weeks=horizon_weeks),
    )


def _rows(series_ids) -> list[tuple]:
    return sorted(
        Session.objects.filter(series__in=series_ids).values_list("pk", "starts_at", "status")
    )


@PROPERTIES
@given(
    rule=rules,
    weeks_ago=st.integers(0, 8),
    at=times,
    new_at=times,
    pick=st.integers(0, 50),
    zone=ZONES,
)
def test_this_and_the_following_splits_exactly_there_and_keeps_the_past(
    a, rule, weeks_ago, at, new_at, pick, zone
):
    series = _book(a, rule, weeks_ago, at, zone=zone)
    now = timezone.now()
    to_come = list(series.sessions.filter(starts_at__gt=now).order_by("starts_at"))
    if not to_come:
        return
    pivot = to_come[pick % len(to_come)]
    before = [r for r in _rows([series.pk]) if r[1] < pivot.starts_at]
    dates = sorted(Session.objects.values_list("occurrence_date", flat=True))
    plan = dataclasses.replace(SeriesPlan.of(series, pivot), at=new_at)
    tz = a.practice.tz
    assume(datetime.datetime.combine(plan.start_date, new_at, tz) > timezone.now())
    new = change_series(series, by=a.reception, plan=plan, from_session=pivot)
    # Nothing before the pivot moved or changed status.
    assert [r for r in _rows([series.pk]) if r[1] < pivot.starts_at] == before
    # The old series keeps exactly what came before; the new one starts at the pivot's date.
    if new.pk != series.pk:
        assert all(s.starts_at < pivot.starts_at for s in Session.objects.filter(series=series))
    else:  # nothing came before: the series itself changed
        assert not before
    first_new = Session.objects.filter(series=new).order_by("starts_at").first()
    assert first_new.starts_at.astimezone(tz).date() == pivot.starts_at.astimezone(tz).date()
    assert first_new.starts_at.astimezone(tz).time() == new_at
    # Only the time changed: the same dates as before, each at the new local time.
    assert sorted(Session.objects.values_list("occurrence_date", flat=True)) == dates
    for session in Session.objects.filter(series=new).select_related("practice"):
        assert session.starts_at.astimezone(tz).date() == session.occurrence_date
        assert session.starts_at.astimezone(tz).time() == new_at or _skipped(session, new_at, tz)


def _skipped(session: Session, at: datetime.time, tz) -> bool:
    """The wall-clock time did not exist that day (clocks went forward over it)."""
    naive = datetime.datetime.combine(session.occurrence_date, at)
    return naive.replace(tzinfo=tz).astimezone(datetime.UTC).astimezone(tz).time() != at


@PROPERTIES
@given(rule=rules, at=times, first=st.integers(4, 20), more=st.integers(0, 30), zone=ZONES)
def test_a_later_horizon_never_books_an_occurrence_twice(a, rule, at, first, more, zone):
    series = _book(a, rule, 0, at, horizon_weeks=first, zone=zone)
    extend_series(horizon=datetime.timedelta(weeks=first + more))
    extend_series(horizon=datetime.timedelta(weeks=first + more))
    starts = list(series.sessions.values_list("starts_at", flat=True))
    assert len(starts) == len(set(starts))
    if rule.count is not None:
        assert len(starts) <= rule.count
    scheduled = series.sessions.filter(status=SessionStatus.SCHEDULED).order_by("starts_at")
    tz = a.practice.tz
    assert {s.starts_at.astimezone(tz).time() for s in scheduled} <= {
        at,
        at.replace(hour=(at.hour + 1) % 24),
    }

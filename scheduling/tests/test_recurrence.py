"""When recurring sessions fall: month ends, nth weekdays, daylight-saving changes."""

import datetime
import zoneinfo
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.recurrence import (
    MONTHLY_DAY,
    MONTHLY_WEEKDAY,
    WEEKLY,
    Rule,
    local_moment,
    occurrence_dates,
)

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
TORONTO = zoneinfo.ZoneInfo("America/Toronto")
SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")
D = datetime.date


def test_a_weekly_series_every_two_weeks_ending_after_a_count():
    dates = list(occurrence_dates(Rule(WEEKLY, interval=2, count=4), D(2026, 3, 2)))
    assert dates == [D(2026, 3, 2), D(2026, 3, 16), D(2026, 3, 30), D(2026, 4, 13)]


def test_a_series_ending_on_a_date_includes_that_date():
    dates = list(occurrence_dates(Rule(WEEKLY, until=D(2026, 3, 16)), D(2026, 3, 2)))
    assert dates == [D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 16)]


def test_an_open_ended_series_stops_at_the_horizon_and_needs_one():
    rule = Rule(WEEKLY)
    assert list(occurrence_dates(rule, D(2026, 1, 5), through=D(2026, 1, 19)))[-1] == D(2026, 1, 19)
    with pytest.raises(ValueError, match="horizon"):
        list(occurrence_dates(rule, D(2026, 1, 5)))


def test_the_31st_falls_back_to_the_last_day_of_short_months():
    dates = list(occurrence_dates(Rule(MONTHLY_DAY, count=5), D(2026, 1, 31)))
    assert dates == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31)]
    assert list(occurrence_dates(Rule(MONTHLY_DAY, count=2), D(2028, 1, 31)))[1] == D(2028, 2, 29)


def test_the_same_weekday_of_the_month_and_the_last_one():
    # 10 March 2026 is the 2nd Tuesday; 31 March the last (5th) Tuesday.
    second = list(occurrence_dates(Rule(MONTHLY_WEEKDAY, count=3), D(2026, 3, 10)))
    assert second == [D(2026, 3, 10), D(2026, 4, 14), D(2026, 5, 12)]
    last = list(occurrence_dates(Rule(MONTHLY_WEEKDAY, count=3), D(2026, 3, 31)))
    assert last == [D(2026, 3, 31), D(2026, 4, 28), D(2026, 5, 26)]


@pytest.mark.parametrize("tz", [WARSAW, TORONTO])
def test_a_weekly_1800_session_stays_at_1800_across_daylight_saving(tz):
    # March to November covers both changes in Europe and in North America.
    days = occurrence_dates(Rule(WEEKLY, count=40), D(2026, 3, 2))
    moments = [local_moment(day, datetime.time(18), tz) for day in days]
    assert {(m.hour, m.minute) for m in moments} == {(18, 0)}
    assert len({m.utcoffset() for m in moments}) == 2  # the UTC instant did move


def test_a_time_skipped_by_the_clock_change_moves_forward_by_the_gap():
    # Warsaw, 29 March 2026: 02:00 jumps to 03:00.
    moment = local_moment(D(2026, 3, 29), datetime.time(2, 30), WARSAW)
    assert (moment.hour, moment.minute) == (3, 30)


def test_a_time_that_happens_twice_is_the_first():
    # Warsaw, 25 October 2026: 02:00-03:00 happens twice; the first is still summer time.
    moment = local_moment(D(2026, 10, 25), datetime.time(2, 30), WARSAW)
    assert moment.utcoffset() == datetime.timedelta(hours=2)


rules = st.builds(
    Rule,
    frequency=st.sampled_from([WEEKLY, MONTHLY_DAY, MONTHLY_WEEKDAY]),
    interval=st.integers(1, 4),
    count=st.integers(1, 60),
)
starts = st.dates(D(2000, 1, 1), D(2090, 12, 31))


@given(rules, starts)
def test_occurrences_are_strictly_increasing_and_as_many_as_asked(rule, start):
    dates = list(occurrence_dates(rule, start))
    assert len(dates) == rule.count
    assert dates[0] == start
    assert all(a < b for a, b in pairwise(dates))


@given(rules, starts, st.integers(1, 400))
def test_a_horizon_gives_a_prefix_of_the_whole_series(rule, start, days):
    """Extending the horizon only adds later occurrences: never a duplicate or a change."""
    whole = list(occurrence_dates(rule, start))
    through = start + datetime.timedelta(days=days)
    assert list(occurrence_dates(rule, start, through=through)) == [
        d for d in whole if d <= through
    ]


@given(
    st.dates(D(2020, 1, 1), D(2040, 12, 31)),
    st.times(),
    st.sampled_from([WARSAW, TORONTO, SAO_PAULO]),
)
def test_a_local_moment_keeps_the_wall_clock_unless_the_clock_skipped_it(day, at, tz):
    moment = local_moment(day, at.replace(tzinfo=None), tz)
    shown = (moment.date(), moment.time().replace(tzinfo=None))
    wall = datetime.datetime.combine(day, at.replace(tzinfo=None))
    assert moment.tzinfo is tz
    assert shown == (wall.date(), wall.time()) or (
        datetime.timedelta(0) < moment.replace(tzinfo=None) - wall <= datetime.timedelta(hours=1)
    )

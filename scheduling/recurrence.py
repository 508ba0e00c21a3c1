"""When the sessions of a recurring series fall: pure functions, no database.

A series is kept in local terms (a date, a wall-clock time and the practice's time zone), so
a weekly 18:00 session stays at 18:00 across daylight-saving changes; each occurrence is
turned into an aware datetime only when it is materialized.
"""

import calendar
import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

WEEKLY = "weekly"
MONTHLY_DAY = "monthly_day"  # the same day of the month (the 31st falls back to the last day)
MONTHLY_WEEKDAY = "monthly_weekday"  # the same weekday of the month (2nd Tuesday, last Friday)
FREQUENCIES = (WEEKLY, MONTHLY_DAY, MONTHLY_WEEKDAY)


@dataclass(frozen=True)
class Rule:
    frequency: str
    interval: int = 1  # every N weeks or N months
    count: int | None = None  # ends after this many occurrences
    until: datetime.date | None = None  # or on this date (inclusive); neither: open-ended

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if self.interval < 1 or (self.count is not None and self.count < 1):
            raise ValueError("interval and count must be positive")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _month_day(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> datetime.date:
    """The nth (1-4) given weekday of the month, or the last one when nth is 5."""
    days = [
        day
        for day in range(1, calendar.monthrange(year, month)[1] + 1)
        if datetime.date(year, month, day).weekday() == weekday
    ]
    return datetime.date(year, month, days[nth - 1] if nth <= 4 else days[-1])


def occurrence_dates(
    rule: Rule, start: datetime.date, *, through: datetime.date | None = None
) -> Iterator[datetime.date]:
    """The dates of the series from `start`, in order, until the rule ends or `through`
    (inclusive) is passed. An open-ended rule needs `through`."""
    if rule.count is None and rule.until is None and through is None:
        raise ValueError("an open-ended series needs a horizon")
    ends = [d for d in (rule.until, through) if d is not None]
    last = min(ends) if ends else None
    nth = (start.day - 1) // 7 + 1  # which weekday of its month the start is (5: the last)
    made = 0
    step = 0
    while rule.count is None or made < rule.count:
        if rule.frequency == WEEKLY:
            day = start + datetime.timedelta(weeks=step * rule.interval)
        else:
            year, month = _add_months(start.year, start.month, step * rule.interval)
            if rule.frequency == MONTHLY_DAY:
                day = _month_day(year, month, start.day)
            else:
                day = _nth_weekday(year, month, start.weekday(), nth)
        if last is not None and day > last:
            return
        yield day
        made += 1
        step += 1


def local_moment(day: datetime.date, at: datetime.time, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The aware datetime of a wall-clock time on a day. A time that does not exist that day
    (the hour skipped when clocks go forward) moves forward by the gap, as a wall clock does;
    a time that happens twice (clocks go back) is the first of the two."""
    # Through UTC and back: a skipped time comes out after the gap (fold=0 reads it with the
    # offset before the change); an existing one comes out unchanged.
    naive = datetime.datetime.combine(day, at)
    return naive.replace(tzinfo=tz, fold=0).astimezone(datetime.UTC).astimezone(tz)

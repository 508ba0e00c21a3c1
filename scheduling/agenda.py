"""The agenda pages' layout: sessions placed on a time grid (a column per professional, per
room or per day) or in a week table (a row per professional or room), in the practice's
local time. Pure Python over the rows the selectors read; every label and link is made here
once, so the template only loops.

The page's style sheet may not be written inline (the Content-Security-Policy forbids it),
so a block's place on the grid is said with classes: `at-h3 at-m25` starts it 3 h 25 min
after the grid's first hour, `len-h0 len-m50` makes it 50 minutes tall (app.css turns them
into lengths).
"""

import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from html import escape  # the standard library's: plain strings only, no lazy-string checks
from urllib.parse import quote, urlencode

from django.utils import dateformat, formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practices.models import Professional
from scheduling.models import Room, Series, SessionStatus
from scheduling.selectors import AgendaSession

# The hours a day shows unless sessions fall outside them (a practice setting, later).
DEFAULT_HOURS = (7, 21)
# A free slot one clicks to book starts on a multiple of this.
SLOT_MINUTES = 30
# Overlapping sessions side by side in one column (cancelled ones under scheduled ones):
# beyond this they share the last lane.
MAX_LANES = 6
STEP = 5  # positions in 5-minute steps
DAY_MINUTES = 24 * 60
VIEWS = ("day", "week")


@dataclass(frozen=True)
class Scope:
    """Whose agenda: the whole practice (a column per professional, or per room), one
    professional, or one room."""

    kind: str  # "all", "rooms", "professional" or "room"
    pk: int | None = None

    @property
    def value(self) -> str:
        return f"{self.kind}-{self.pk}" if self.pk is not None else self.kind

    @property
    def is_practice(self) -> bool:
        return self.pk is None

    @property
    def by_room(self) -> bool:
        return self.kind in ("rooms", "room")


def parse_scope(
    value: str, *, professionals: Iterable[int], rooms: Iterable[int], default: Scope
) -> Scope:
    """The scope a URL asks for; anything unknown (another practice's professional) is the
    default."""
    if value in ("all", "rooms"):
        return Scope(value)
    kind, _sep, pk = value.partition("-")
    if pk.isdigit():
        if kind == "professional" and int(pk) in set(professionals):
            return Scope(kind, int(pk))
        if kind == "room" and int(pk) in set(rooms):
            return Scope(kind, int(pk))
    return default


def week_start(day: datetime.date) -> datetime.date:
    """The first day of `day`'s week, as the user's language counts weeks (0: Sunday)."""
    first = int(formats.get_format("FIRST_DAY_OF_WEEK"))
    return day - datetime.timedelta(days=(day.isoweekday() % 7 - first) % 7)


@dataclass(frozen=True)
class AgendaParams:
    """What an agenda URL asks for; `query()` writes it back with some parts changed."""

    view: str
    day: datetime.date
    scope: Scope
    show_cancelled: bool = True

    @property
    def first_day(self) -> datetime.date:
        return self.day if self.view == "day" else week_start(self.day)

    @property
    def days(self) -> int:
        return 1 if self.view == "day" else 7

    @property
    def step(self) -> datetime.timedelta:
        return datetime.timedelta(days=self.days)

    @property
    def is_grid(self) -> bool:
        """A time grid (day views, and the week of one professional or room); otherwise the
        week table of the whole practice."""
        return self.view == "day" or not self.scope.is_practice

    def query(self, **changes) -> str:
        params = replace(self, **changes)
        pairs = {"view": params.view, "date": params.day.isoformat(), "scope": params.scope.value}
        if not params.show_cancelled:
            pairs["cancelled"] = "hide"
        return "?" + urlencode(pairs)


def parse_day(value: str, default: datetime.date) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return default
    return day if 1900 <= day.year <= 9998 else default


def time_label(moment: datetime.datetime | datetime.time) -> str:
    fmt = formats.get_format("TIME_FORMAT")
    if fmt == "H:i":  # every language here: written directly, a week has a thousand of them
        return f"{moment.hour:02d}:{moment.minute:02d}"
    return dateformat.time_format(moment, fmt)


def _position(start: int, length: int, *, prefix: str = "at") -> str:
    return f"{prefix}-h{start // 60} {prefix}-m{start % 60 // STEP * STEP}"


def _length(minutes: int) -> str:
    minutes = max(STEP, math.ceil(minutes / STEP) * STEP)
    return f"len-h{minutes // 60} len-m{minutes % 60}"


STATUS_LABELS = {
    SessionStatus.ATTENDED: "✓",
    SessionStatus.NO_SHOW: "✗",
    SessionStatus.CANCELLED: "⊘",
}


@dataclass
class Placed:
    """A session in local terms: its day and its minutes from that day's midnight."""

    session: AgendaSession
    day: datetime.date
    start: int
    end: int
    start_label: str
    end_label: str


def place(sessions: Iterable[AgendaSession], tz) -> list[Placed]:
    placed = []
    for session in sessions:
        start = session.starts_at.astimezone(tz)
        end = session.ends_at.astimezone(tz)
        start_minute = start.hour * 60 + start.minute
        # A session past midnight is drawn to the end of its first day.
        end_minute = DAY_MINUTES if end.date() > start.date() else end.hour * 60 + end.minute
        placed.append(
            Placed(
                session=session,
                day=start.date(),
                start=start_minute,
                end=max(end_minute, start_minute + STEP),
                start_label=time_label(start),
                end_label=time_label(end),
            )
        )
    return placed


def hour_range(placed: Iterable[Placed]) -> tuple[int, int]:
    """The working hours, widened to show every session."""
    first, last = DEFAULT_HOURS
    for item in placed:
        first = min(first, item.start // 60)
        last = max(last, math.ceil(item.end / 60))
    return first, min(last, 24)


def lanes(items: list[Placed]) -> dict[int, tuple[int, int]]:
    """Side-by-side lanes for overlapping sessions: id(item) -> (lane, lanes in its group)."""
    result: dict[int, tuple[int, int]] = {}
    group: list[tuple[Placed, int]] = []
    ends: list[int] = []  # the end of the last session in each lane of the group
    group_end = -1

    def close() -> None:
        for item, lane in group:
            result[id(item)] = (lane, min(len(ends), MAX_LANES))

    for item in sorted(items, key=lambda p: (p.start, -p.end)):
        if item.start >= group_end and group:
            close()
            group, ends = [], []
        lane = next((i for i, end in enumerate(ends) if end <= item.start), len(ends))
        if lane == len(ends):
            ends.append(item.end)
        else:
            ends[lane] = item.end
        group.append((item, min(lane, MAX_LANES - 1)))
        group_end = max(group_end, item.end)
    if group:
        close()
    return result


# A week of a large practice draws a thousand blocks: each is written here, escaped, in
# one string, which costs a tenth of a template loop doing the same.


@dataclass
class Block:
    session: AgendaSession
    visible: bool
    start: str
    when: str
    detail: str
    status: str
    classes: str
    href: str
    status_label: str = ""
    busy_label: str = ""

    @property
    def html(self) -> SafeString:
        if not self.visible:
            return mark_safe(
                f'<div class="{self.classes}" title="{self.when}"><span class="line">'
                f'<span class="when">{self.start}</span> '
                f'<span class="who">{escape(self.busy_label)}</span></span></div>'
            )
        status = escape(self.status_label)
        title = " · ".join(t for t in (self.when, self.detail, self.status and status) if t)
        icon = f'<span class="icon" aria-hidden="true">{self.status}</span>' if self.status else ""
        what = f'<span class="what">{escape(self.detail)}</span>' if self.detail else ""
        state = f'<span class="state">{status}</span>' if self.status else ""
        who = f'<strong class="who">{escape(self.session.client_name)}</strong>'
        return mark_safe(
            f'<a class="{self.classes}" href="{escape(self.href)}" '
            f'data-session="{self.session.pk}" title="{escape(title)}">'
            f'<span class="line">{icon}<span class="when">{self.start}</span> '
            f"{who}{_animal(self.session)}</span>{what}{state}</a>"
        )


@dataclass
class Slot:
    label: str
    classes: str
    href: str

    @property
    def html(self) -> SafeString:
        # Hidden from assistive technology: the column's "+" link books the same way.
        return mark_safe(
            f'<a class="slot {self.classes}" href="{escape(self.href)}" tabindex="-1" '
            f'aria-hidden="true"><span>+ {self.label}</span></a>'
        )


@dataclass
class Column:
    key: str
    label: str
    sublabel: str
    day: datetime.date
    add_href: str
    href: str = ""
    is_today: bool = False
    is_inactive: bool = False
    blocks: list[Block] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    now_classes: str = ""


@dataclass
class Grid:
    first_hour: int
    last_hour: int
    hours: list[str]
    columns: list[Column]

    @property
    def classes(self) -> str:
        return f"hours-{self.last_hour - self.first_hour}"


@dataclass
class Links:
    """How the layout writes its links: a session's page and the booking form, each with a
    `next` leading back to the page the user is on."""

    session: Callable[[int], str]
    day: Callable[[datetime.date], str]  # the agenda's day view of a date
    book: str
    back: str

    def session_href(self, pk: int) -> str:
        return f"{self.session(pk)}?next={quote(self.back)}"

    def book_href(
        self,
        day: datetime.date,
        *,
        at: str = "",
        professional: int | None = None,
        room: int | None = None,
    ) -> str:
        params = {"date": day.isoformat()}
        if at:
            params["time"] = at
        if professional is not None:
            params["professional"] = str(professional)
        if room is not None:
            params["room"] = str(room)
        params["next"] = self.back
        return f"{self.book}?{urlencode(params)}"


def _animal(session: AgendaSession) -> str:
    """The animal's name beside its owner's (a veterinary practice's session), escaped."""
    if not session.animal_name:
        return ""
    return f' <span class="animal">({escape(session.animal_name)})</span>'


def _who(session: AgendaSession) -> str:
    """The client, and the animal beside it, as plain text."""
    if not session.animal_name:
        return session.client_name
    return f"{session.client_name} ({session.animal_name})"


def _detail(session: AgendaSession, *, by_room: bool) -> str:
    """The service, and the room (or, on a room's agenda, the professional)."""
    other = session.professional_name if by_room else session.room_name
    return " · ".join(d for d in (session.service_name, other) if d)


def status_labels() -> dict[str, str]:
    """Each status in the user's language, translated once per page."""
    return {value: str(label) for value, label in SessionStatus.choices}


def _block(
    item: Placed,
    lane: tuple[int, int],
    first_minute: int,
    *,
    by_room: bool,
    links: Links,
    labels: dict[str, str],
    busy: str,
):
    session = item.session
    visible = session.client_visible
    length = item.end - item.start
    classes = [
        "block",
        f"st-{session.status if visible else 'busy'}",
        _position(item.start - first_minute, length),
        _length(length),
        f"lanes-{lane[1]} lane-{lane[0]}",
    ]
    # What fits: a short block shows its start and client on one line; a longer one adds
    # the service and room, and from an hour and a quarter the status in words.
    if length < 40:
        classes.append("short")
    elif length < 75:
        classes.append("medium")
    when = f"{item.start_label}–{item.end_label}"
    if not visible:
        return Block(
            session, False, item.start_label, when, "", "", " ".join(classes), "", busy_label=busy
        )
    detail = _detail(session, by_room=by_room)
    return Block(
        session=session,
        visible=True,
        start=item.start_label,
        when=when,
        detail=detail,
        status=STATUS_LABELS.get(session.status, ""),
        classes=" ".join(classes),
        href=links.session_href(session.pk),
        status_label=labels[session.status],
    )


def _fill(
    column: Column,
    items: list[Placed],
    *,
    first_hour: int,
    last_hour: int,
    professional: int | None,
    room: int | None,
    by_room: bool,
    links: Links,
    now: datetime.datetime,
) -> None:
    first_minute = first_hour * 60
    placed_lanes = lanes(items)
    labels, busy = status_labels(), _("Busy")
    column.blocks = [
        _block(
            item,
            placed_lanes[id(item)],
            first_minute,
            by_room=by_room,
            links=links,
            labels=labels,
            busy=busy,
        )
        for item in items
    ]
    for minute in range(first_minute, last_hour * 60, SLOT_MINUTES):
        label = time_label(datetime.time(minute // 60, minute % 60))
        column.slots.append(
            Slot(
                label=label,
                classes=_position(minute - first_minute, SLOT_MINUTES),
                href=links.book_href(column.day, at=label, professional=professional, room=room),
            )
        )
    column.is_today = column.day == now.date()
    now_minute = now.hour * 60 + now.minute
    if column.is_today and first_minute <= now_minute < last_hour * 60:
        column.now_classes = _position(now_minute - first_minute, 0)


def _owner(session: AgendaSession, *, by_room: bool) -> int | None:
    """The row or column a session goes in: its room's, or its professional's."""
    return session.room_id if by_room else session.professional_id


def _people(
    items: list[Placed],
    professionals: list[Professional],
    rooms: list[Room],
    *,
    by_room: bool,
) -> list[tuple[str, int | None, str, str, bool]]:
    """The rows or columns of the whole practice: (key, id, name, title, inactive) of each
    active professional (or room) and of any other that has a session in the range."""
    used = {_owner(i.session, by_room=by_room) for i in items}
    people: list[tuple[str, int | None, str, str, bool]] = [
        (f"{'r' if by_room else 'p'}{p.pk}", p.pk, p.name, getattr(p, "title", ""), not p.is_active)
        for p in (rooms if by_room else professionals)
        if p.is_active or p.pk in used
    ]
    if by_room and None in used:
        people.append(("r-none", None, _("No room"), "", False))
    return people


def day_label(day: datetime.date) -> str:
    return dateformat.format(day, "D j")


def time_grid(
    params: AgendaParams,
    sessions: list[AgendaSession],
    *,
    professionals: list[Professional],
    rooms: list[Room],
    tz,
    now: datetime.datetime,
    links: Links,
) -> Grid:
    """The day of the whole practice (a column per professional or room), or the day or
    week of one professional or room (a column per day)."""
    placed = place(sessions, tz)
    first_hour, last_hour = hour_range(placed)
    now = now.astimezone(tz)
    scope = params.scope
    by_room = scope.by_room
    columns: list[tuple[Column, list[Placed], int | None, int | None]] = []
    if params.view == "day" and scope.is_practice:
        people = _people(placed, professionals, rooms, by_room=by_room)
        for key, pk, name, title, inactive in people:
            mine = [i for i in placed if _owner(i.session, by_room=by_room) == pk]
            professional, room = (None, pk) if by_room else (pk, None)
            column = Column(
                key=key,
                label=name,
                sublabel=title,
                day=params.day,
                add_href=links.book_href(params.day, professional=professional, room=room),
                is_inactive=inactive,
            )
            columns.append((column, mine, professional, room))
    else:
        professional = scope.pk if scope.kind == "professional" else None
        room = scope.pk if scope.kind == "room" else None
        for offset in range(params.days):
            day = params.first_day + datetime.timedelta(days=offset)
            column = Column(
                key=day.isoformat(),
                label=day_label(day),
                sublabel=dateformat.format(day, formats.get_format("DATE_FORMAT")),
                day=day,
                add_href=links.book_href(day, professional=professional, room=room),
                href=links.day(day),
            )
            columns.append((column, [i for i in placed if i.day == day], professional, room))
    for column, items, professional, room in columns:
        _fill(
            column,
            items,
            first_hour=first_hour,
            last_hour=last_hour,
            professional=professional,
            room=room,
            by_room=by_room,
            links=links,
            now=now,
        )
    hours = [time_label(datetime.time(h)) for h in range(first_hour, last_hour)]
    return Grid(first_hour, last_hour, hours, [c for c, *_rest in columns])


@dataclass
class Chip:
    session: AgendaSession
    visible: bool
    time: str
    label: str
    detail: str
    classes: str
    href: str
    status: str = ""
    status_label: str = ""
    busy_label: str = ""

    @property
    def html(self) -> SafeString:
        when = f'<span class="when">{self.time}</span>'
        if not self.visible:
            return mark_safe(
                f'<span class="{self.classes}">{when} {escape(self.busy_label)}</span>'
            )
        status = escape(self.status_label)
        title = " · ".join(
            t for t in (escape(self.label), escape(self.detail), self.status and status) if t
        )
        icon = f'<span class="icon" aria-hidden="true">{self.status}</span> ' if self.status else ""
        heard = f'<span class="visually-hidden"> ({status})</span>' if self.status else ""
        return mark_safe(
            f'<a class="{self.classes}" href="{escape(self.href)}" data-session="{self.session.pk}"'
            f' title="{title}">{icon}{when} {escape(self.label)}{heard}</a>'
        )


@dataclass
class Cell:
    day: datetime.date
    day_label: str
    chips: list[Chip]
    add_href: str
    is_today: bool
    add_label: str = ""


@dataclass
class Row:
    key: str
    label: str
    sublabel: str
    is_inactive: bool
    cells: list[Cell]


@dataclass
class Day:
    day: datetime.date
    label: str
    is_today: bool
    href: str


@dataclass
class WeekTable:
    days: list[Day]
    rows: list[Row]


def week_table(
    params: AgendaParams,
    sessions: list[AgendaSession],
    *,
    professionals: list[Professional],
    rooms: list[Room],
    tz,
    now: datetime.datetime,
    links: Links,
) -> WeekTable:
    """The week of the whole practice: a row per professional (or room), a cell per day
    listing its sessions in time order."""
    placed = place(sessions, tz)
    by_room = params.scope.by_room
    today = now.astimezone(tz).date()
    days = [params.first_day + datetime.timedelta(days=i) for i in range(7)]
    labels = {day: day_label(day) for day in days}
    cells: dict[tuple[int | None, datetime.date], list[Chip]] = {}
    statuses, busy = status_labels(), _("Busy")
    for item in placed:
        session = item.session
        key = _owner(session, by_room=by_room)
        if session.client_visible:
            chip = Chip(
                session=session,
                visible=True,
                time=item.start_label,
                label=_who(session),
                detail=_detail(session, by_room=by_room),
                classes=f"chip st-{session.status}",
                href=links.session_href(session.pk),
                status=STATUS_LABELS.get(session.status, ""),
                status_label=statuses[session.status],
            )
        else:
            chip = Chip(
                session, False, item.start_label, "", "", "chip st-busy", "", busy_label=busy
            )
        cells.setdefault((key, item.day), []).append(chip)
    rows = []
    add_label = _("Book a session: %(who)s, %(day)s")
    for key, pk, name, title, inactive in _people(placed, professionals, rooms, by_room=by_room):
        professional, room = (None, pk) if by_room else (pk, None)
        rows.append(
            Row(
                key=key,
                label=name,
                sublabel=title,
                is_inactive=inactive,
                cells=[
                    Cell(
                        day=day,
                        day_label=labels[day],
                        chips=cells.get((pk, day), []),
                        add_href=links.book_href(day, professional=professional, room=room),
                        is_today=day == today,
                        add_label=add_label % {"who": name, "day": labels[day]},
                    )
                    for day in days
                ],
            )
        )
    return WeekTable(
        days=[Day(day, labels[day], day == today, links.day(day)) for day in days], rows=rows
    )


def series_summary(series: Series) -> str:
    """A series in words: "Weekly, every 2 weeks · Monday 18:00 · from 2026-03-09 · 10 sessions"."""
    parts = [series.get_frequency_display()]
    if series.interval > 1:
        if series.frequency == Series.Frequency.WEEKLY:
            every = ngettext("every %(n)s week", "every %(n)s weeks", series.interval)
        else:
            every = ngettext("every %(n)s month", "every %(n)s months", series.interval)
        parts[0] += ", " + every % {"n": series.interval}
    at = time_label(series.start_time)
    if series.frequency == Series.Frequency.WEEKLY:
        at = f"{dateformat.format(series.start_date, 'l')} {at}"
    parts.append(at)
    parts.append(_("from %s") % formats.date_format(series.start_date, "SHORT_DATE_FORMAT"))
    if series.count:
        count = series.count
        parts.append(ngettext("%(n)s session", "%(n)s sessions", count) % {"n": count})
    elif series.until:
        parts.append(_("until %s") % formats.date_format(series.until, "SHORT_DATE_FORMAT"))
    else:
        parts.append(_("no end date"))
    return " · ".join(parts)

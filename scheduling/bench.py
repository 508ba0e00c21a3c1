"""The agenda's part of `make bench`: two years of sessions in the big practice (one back, one
ahead), then the week agenda of one professional and of the whole practice, the API's week of
one professional, and booking a session with its conflict check, each next to a baseline. The
management command (clientbook/management/commands/bench.py) drives it.

Seeding writes rows with bulk_create, not through scheduling.services (a conflict check, an
event and the reminders per session would take hours), but the rows are ones the services
could have written: each professional works Monday to Friday in fourteen 50-minute slots from
08:00 (the last ends at 19:40), one session per slot, so a professional's sessions never
overlap; a session has a room only where that room is free at that time (the others are
online), so rooms never overlap either. Busier professionals fill more of their slots. About
half the sessions belong to weekly series (a regular client at the same weekday and time for
weeks on end), the others are single sessions. Past sessions were attended, missed or
cancelled; sessions to come are scheduled, with an active client. Rows are inserted in the
order they would have been booked (a series all at once, a few days before its first session),
so they lie in the tables as a real practice's would. No events and no reminders are written:
the agenda never reads them.
"""

import datetime
import json
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO
from unittest import mock
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone, translation

from api.models import ApiToken
from clientbook.lib.bench import (
    BenchError,
    Requester,
    Scenario,
    Timing,
    profile,
    time_pair,
)
from clients.models import Client, ClientProfessional, Status
from practices.models import Member, Practice, Professional, Role
from scheduling import services
from scheduling.agenda import week_start
from scheduling.models import CancelledBy, Room, Series, Service, Session, SessionStatus
from scheduling.selectors import day_start
from scheduling.services import book_session, save_room, save_service

# The targets of the issue (#3). Times are p95 in ms, set for SQLite on one machine.
AGENDA_P95_MS = 50.0
BOOKING_P95_MS = 30.0

ROOMS = [f"Sala {n}" for n in range(1, 9)]
SERVICES = [  # name, minutes, price, share of the sessions
    ("Psicoterapia individual", 50, "200.00", 0.8),
    ("Avaliação psicológica", 50, "250.00", 0.1),
    ("Orientação de pais", 50, "180.00", 0.1),
]
FIRST_SLOT = datetime.time(8)
SLOT = datetime.timedelta(minutes=50)
SLOTS_PER_DAY = 14
WORKDAYS = 5  # Monday to Friday
# How busy each professional is, relative to the practice's average (repeated in turn).
BUSYNESS = (0.7, 0.85, 1.0, 1.15, 1.3)
MAX_FILL = 0.95  # no professional is booked in more than this share of their slots
SERIES_SHARE = 0.5  # of each professional's sessions, those of weekly series
SERIES_WEEKS = (6, 40)  # how long a client keeps a weekly slot
ROOM_SHARE = 0.85  # sessions held in a room, when one is free; the others are online
PAST = {SessionStatus.ATTENDED: 0.82, SessionStatus.NO_SHOW: 0.07, SessionStatus.CANCELLED: 0.11}
PAST_STATUSES, PAST_WEIGHTS = list(PAST), list(PAST.values())
CANCEL_REASONS = ["Doença", "Viagem", "Imprevisto no trabalho", "Remarcou"]
TOKEN_NAME = "bench"

NAIVE = (
    "the same booking with its conflict check done naively: every session of the "
    "professional and of the room loaded into Python and tested for an overlap"
)


# Seeding.


@dataclass(frozen=True)
class AgendaSpec:
    sessions: int = 100_000
    days_back: int = 365
    days_ahead: int = 365


def agenda_seeded(practice: Practice, spec: AgendaSpec) -> bool:
    """Whether the practice holds the bench's agenda with these sizes."""
    return (
        Room.objects.filter(practice=practice).count() == len(ROOMS)
        and Service.objects.filter(practice=practice).count() == len(SERVICES)
        and Session.objects.filter(practice=practice).count() == spec.sessions
    )


def agenda_exists(practice: Practice) -> bool:
    return (
        Session.objects.filter(practice=practice).exists()
        or Room.objects.filter(practice=practice).exists()
        or Service.objects.filter(practice=practice).exists()
    )


def drop_agenda(practice: Practice) -> None:
    """Remove an agenda of other sizes (the bench's own practice only)."""
    with transaction.atomic():
        Session.objects.filter(practice=practice).delete()
        Series.objects.filter(practice=practice).delete()
        Room.objects.filter(practice=practice).delete()
        Service.objects.filter(practice=practice).delete()


@dataclass
class _Planned:
    """A session to insert: its slot (day index, slot index) and who, where, what."""

    booked: datetime.datetime  # when it would have been booked: the insertion order
    professional: int
    day: int
    slot: int
    client: int
    room: int | None
    service: Service
    series: int | None  # index into the planned series


class AgendaPlanner:
    """The sessions of a practice's professionals, slot by slot, with no overlap of a
    professional or a room."""

    def __init__(
        self,
        practice: Practice,
        spec: AgendaSpec,
        rng: random.Random,
        *,
        rooms: list[Room],
        services: list[Service],
        now: datetime.datetime | None = None,
    ):
        self.practice = practice
        self.rng = rng
        self.rooms = [room.pk for room in rooms]
        self.services = services
        self.service_weights = [share for *_rest, share in SERVICES][: len(services)]
        self.now = now or timezone.now()
        tz = practice.tz
        today = timezone.localdate(self.now, tz)
        first = today - datetime.timedelta(days=spec.days_back)
        span = spec.days_back + spec.days_ahead + 1
        every_day = (first + datetime.timedelta(days=i) for i in range(span))
        self.days = [day for day in every_day if day.weekday() < WORKDAYS]
        self.times = [self._slot_time(slot) for slot in range(SLOTS_PER_DAY)]
        # The UTC start of each slot of each day (stored as the services store it).
        self.starts = [
            [
                datetime.datetime.combine(d, t, tzinfo=tz).astimezone(datetime.UTC)
                for t in self.times
            ]
            for d in self.days
        ]
        self.by_weekday: dict[int, list[int]] = defaultdict(list)
        for index, day in enumerate(self.days):
            self.by_weekday[day.weekday()].append(index)
        self.room_taken: dict[tuple[int, int], set[int]] = defaultdict(set)
        self.series: list[Series] = []
        self.planned: list[_Planned] = []
        self._load_clients()

    @staticmethod
    def _slot_time(slot: int) -> datetime.time:
        minutes = FIRST_SLOT.hour * 60 + FIRST_SLOT.minute + slot * SLOT.seconds // 60
        return datetime.time(minutes // 60, minutes % 60)

    @property
    def capacity(self) -> int:
        """The slots of one professional."""
        return len(self.days) * SLOTS_PER_DAY

    def _load_clients(self) -> None:
        """Each professional's clients: active ones for sessions to come, active or since
        gone inactive for the past (forgotten clients are left out)."""
        self.active: dict[int, list[int]] = defaultdict(list)
        self.former: dict[int, list[int]] = defaultdict(list)
        links = ClientProfessional.objects.filter(
            practice=self.practice, client__status__in=[Status.ACTIVE, Status.INACTIVE]
        ).values_list("professional_id", "client_id", "client__status")
        for professional, client, status in links.order_by("client_id", "professional_id"):
            (self.active if status == Status.ACTIVE else self.former)[professional].append(client)
        self.any_active = list(
            Client.objects.filter(practice=self.practice, status=Status.ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not self.any_active:
            raise ValueError(f"{self.practice} has no active client to book")

    def _client(self, professional: int, *, future: bool) -> int:
        rng = self.rng
        active = self.active.get(professional) or self.any_active
        former = self.former.get(professional, [])
        # Past sessions: mostly clients still active, some who have since left.
        if not future and former and rng.random() < 0.2:
            return rng.choice(former)
        return rng.choice(active)

    def _service(self) -> Service:
        return self.rng.choices(self.services, self.service_weights)[0]

    def _room(self, days: list[int], slot: int) -> int | None:
        """A room free in this slot on each of these days (taken for them), or none."""
        if not self.rooms or self.rng.random() >= ROOM_SHARE:
            return None
        for room in self.rng.sample(self.rooms, len(self.rooms)):
            if all(room not in self.room_taken[day, slot] for day in days):
                for day in days:
                    self.room_taken[day, slot].add(room)
                return room
        return None

    def quotas(self, professionals: list[int], sessions: int) -> list[int]:
        """How many sessions each professional has: `sessions` in all, busier ones more."""
        cap = int(self.capacity * MAX_FILL)
        if sessions > cap * len(professionals):
            raise ValueError(
                f"At most {cap * len(professionals):,} sessions fit in the slots of "
                f"{len(professionals)} professionals over {len(self.days)} working days."
            )
        weights = [BUSYNESS[i % len(BUSYNESS)] for i in range(len(professionals))]
        quotas = [min(cap, int(sessions * w / sum(weights))) for w in weights]
        while (short := sessions - sum(quotas)) > 0:
            # The rounding, and what the busiest could not take, to the others in turn.
            for i in sorted(range(len(quotas)), key=lambda i: -weights[i]):
                if short and quotas[i] < cap:
                    quotas[i] += 1
                    short -= 1
        return quotas

    def plan(self, professional: int, quota: int) -> None:
        rng = self.rng
        taken: set[tuple[int, int]] = set()
        # Weekly series first: a regular client keeps a weekday and time for some weeks,
        # then another client takes the slot, after a gap.
        target = int(quota * SERIES_SHARE)
        made = 0
        positions = [(w, s) for w in range(WORKDAYS) for s in range(SLOTS_PER_DAY)]
        rng.shuffle(positions)
        for weekday, slot in positions:
            days = self.by_weekday[weekday]
            at = rng.randint(0, 6)
            while at < len(days) and made < target:
                run = days[at : at + min(rng.randint(*SERIES_WEEKS), target - made)]
                self._plan_series(professional, slot, run)
                taken.update((day, slot) for day in run)
                made += len(run)
                at += len(run) + rng.randint(0, 6)
            if made >= target:
                break
        # Single sessions in free slots.
        free = [
            (day, slot)
            for day in range(len(self.days))
            for slot in range(SLOTS_PER_DAY)
            if (day, slot) not in taken
        ]
        for day, slot in rng.sample(free, quota - made):
            start = self.starts[day][slot]
            self.planned.append(
                _Planned(
                    booked=start - datetime.timedelta(hours=rng.randint(2, 21 * 24)),
                    professional=professional,
                    day=day,
                    slot=slot,
                    client=self._client(professional, future=start > self.now),
                    room=self._room([day], slot),
                    service=self._service(),
                    series=None,
                )
            )

    def _plan_series(self, professional: int, slot: int, run: list[int]) -> None:
        first, last = self.starts[run[0]][slot], self.starts[run[-1]][slot]
        client = self._client(professional, future=last > self.now)
        room = self._room(run, slot)
        service = self._service()
        index = len(self.series)
        self.series.append(
            Series(
                practice=self.practice,
                client_id=client,
                professional_id=professional,
                service=service,
                room_id=room,
                start_date=self.days[run[0]],
                start_time=self.times[slot],
                duration_minutes=SLOT.seconds // 60,
                price=service.default_price,
                frequency=Series.Frequency.WEEKLY,
                count=len(run),
                materialized_through=self.days[run[-1]],
            )
        )
        # Booked all at once, a few days before the first session, as book_series does.
        booked = first - datetime.timedelta(hours=self.rng.randint(2, 10 * 24))
        self.planned.extend(
            _Planned(booked, professional, day, slot, client, room, service, index) for day in run
        )

    def session(self, planned: _Planned, series: list[Series]) -> Session:
        start = self.starts[planned.day][planned.slot]
        status, cancelled_by, reason = SessionStatus.SCHEDULED, "", ""
        if start < self.now:
            status = self.rng.choices(PAST_STATUSES, PAST_WEIGHTS)[0]
            if status == SessionStatus.CANCELLED:
                client = self.rng.random() < 0.75
                cancelled_by = CancelledBy.CLIENT if client else CancelledBy.PRACTICE
                reason = self.rng.choice(CANCEL_REASONS)
        return Session(
            practice=self.practice,
            client_id=planned.client,
            professional_id=planned.professional,
            service=planned.service,
            room_id=planned.room,
            series=series[planned.series] if planned.series is not None else None,
            starts_at=start,
            ends_at=start + SLOT,
            price=planned.service.default_price,
            status=status,
            cancelled_by=cancelled_by,
            cancel_reason=reason,
        )


def _setup(practice: Practice) -> tuple[list[Room], list[Service]]:
    """The practice's rooms and services, through the services (a handful of rows)."""
    owner = Member.objects.select_related("practice").get(practice=practice, role=Role.OWNER)
    with transaction.atomic():
        rooms = [save_room(by=owner, name=name) for name in ROOMS]
        services = [
            save_service(
                by=owner, name=name, default_duration=minutes, default_price=Decimal(price)
            )
            for name, minutes, price, _share in SERVICES
        ]
    return rooms, services


def seed_agenda(
    practice: Practice,
    spec: AgendaSpec,
    *,
    seed: int,
    batch: int,
    out: TextIO = sys.stderr,
    now: datetime.datetime | None = None,
) -> int:
    """Give the practice (which has professionals and clients, and no agenda yet) its rooms,
    services, series and `spec.sessions` sessions. Returns the number of series. The caller
    runs ANALYZE afterwards (clientbook.lib.bench.analyze)."""
    rng = random.Random(f"{seed}-agenda")
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # as for the clients (clients/bench.py)
    rooms, offered = _setup(practice)
    planner = AgendaPlanner(practice, spec, rng, rooms=rooms, services=offered, now=now)
    professionals = list(
        Professional.objects.filter(practice=practice, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not professionals:
        raise ValueError(f"{practice} has no professional")
    for professional, quota in zip(
        professionals, planner.quotas(professionals, spec.sessions), strict=True
    ):
        planner.plan(professional, quota)
    out.write(
        f"  agenda: planned {len(planner.planned):,} sessions, {len(planner.series):,} series "
        f"in {time.perf_counter() - started:.1f} s\n"
    )
    out.flush()
    with transaction.atomic():
        series = Series.objects.bulk_create(planner.series, batch_size=batch)
    planner.planned.sort(key=lambda p: p.booked)
    written = 0
    writing = time.perf_counter()
    for offset in range(0, len(planner.planned), batch):
        chunk = planner.planned[offset : offset + batch]
        with transaction.atomic():
            Session.objects.bulk_create(planner.session(p, series) for p in chunk)
        written += len(chunk)
        out.write(
            f"  agenda: {written:,}/{len(planner.planned):,} sessions, "
            f"{written / (time.perf_counter() - writing):,.0f}/s\n"
        )
        out.flush()
    return len(series)


# Measuring.


@dataclass
class AgendaProbe:
    """A week in the middle of the seeded agenda, its busiest professional, and free slots
    of theirs to book."""

    day: datetime.date  # a Wednesday in the middle of the sessions
    first_day: datetime.date  # the week as the agenda shows it (the user's first weekday)
    start: datetime.datetime
    end: datetime.datetime
    empty_day: datetime.date  # a Wednesday of a week without sessions
    professional: Professional
    professionals: int  # in the practice
    sessions: int  # in the practice
    client: Client  # an active client of the professional's, to book
    service: Service
    free: list[tuple[datetime.datetime, Room]] = field(default_factory=list)


def _wednesday(day: datetime.date) -> datetime.date:
    """Whether weeks start on Sunday or Monday, a Wednesday's week holds its Monday to Friday."""
    return day + datetime.timedelta(days=2 - day.weekday())


def probe(member: Member, *, slots: int) -> AgendaProbe:
    practice = member.practice
    tz = practice.tz
    sessions = Session.objects.filter(practice=practice)
    bounds = sessions.aggregate(first=Min("starts_at"), last=Max("starts_at"), n=Count("pk"))
    if not bounds["n"]:
        raise BenchError(f"{practice} has no sessions")
    middle = bounds["first"] + (bounds["last"] - bounds["first"]) / 2
    day = _wednesday(timezone.localdate(middle, tz))
    with translation.override(member.user.language or practice.language):
        first_day = week_start(day)
    start, end = day_start(first_day, tz), day_start(first_day + datetime.timedelta(days=7), tz)
    busiest = (
        sessions.filter(starts_at__gte=start, starts_at__lt=end)
        .values("professional")
        .annotate(n=Count("pk"))
        .order_by("-n", "professional")
        .first()
    )
    if busiest is None:
        raise BenchError(f"no sessions in the week of {first_day}")
    professional = Professional.objects.get(pk=busiest["professional"])
    client = (
        Client.objects.select_related("practice")
        .filter(
            practice=practice,
            status=Status.ACTIVE,
            pk__in=ClientProfessional.objects.filter(professional=professional).values("client_id"),
        )
        .order_by("pk")
        .first()
    )
    if client is None:
        raise BenchError(f"{professional} has no active client to book")
    found = AgendaProbe(
        day=day,
        first_day=first_day,
        start=start,
        end=end,
        empty_day=_wednesday(timezone.localdate(bounds["last"], tz) + datetime.timedelta(days=28)),
        professional=professional,
        professionals=Professional.objects.filter(practice=practice, is_active=True).count(),
        sessions=bounds["n"],
        client=client,
        service=Service.objects.filter(practice=practice).order_by("pk").first(),
    )
    found.free = free_slots(
        practice,
        professional,
        after=max(timezone.now(), end),
        count=slots,
    )
    return found


def free_slots(
    practice: Practice,
    professional: Professional,
    *,
    after: datetime.datetime,
    count: int,
    weeks: int = 26,
) -> list[tuple[datetime.datetime, Room]]:
    """`count` slots of the working grid after `after`, in time order, where the professional
    and a room are both free (the busiest weeks come first: right after `after`)."""
    tz = practice.tz
    rooms = list(Room.objects.filter(practice=practice, is_active=True).order_by("pk"))
    until = after + datetime.timedelta(weeks=weeks)
    # The scheduled sessions of each local day (the seeded ones never cross midnight).
    busy: dict[datetime.date, list[tuple]] = defaultdict(list)
    for row in Session.objects.filter(
        practice=practice,
        status=SessionStatus.SCHEDULED,
        starts_at__lt=until + SLOT,
        ends_at__gt=after,
    ).values_list("starts_at", "ends_at", "professional_id", "room_id"):
        busy[timezone.localdate(row[0], tz)].append(row)
    found: list[tuple[datetime.datetime, Room]] = []
    day = timezone.localdate(after, tz) + datetime.timedelta(days=1)
    turn = 0
    while len(found) < count and day_start(day, tz) < until:
        if day.weekday() < WORKDAYS:
            for slot in range(SLOTS_PER_DAY):
                at = AgendaPlanner._slot_time(slot)
                start = datetime.datetime.combine(day, at, tzinfo=tz)
                end = start + SLOT
                clashing = [b for b in busy[day] if b[0] < end and b[1] > start]
                if any(b[2] == professional.pk for b in clashing):
                    continue
                taken = {b[3] for b in clashing}
                free_rooms = [room for room in rooms if room.pk not in taken]
                if free_rooms:
                    # Rooms in turn, so the bookings do not all test the same room.
                    found.append((start, free_rooms[turn % len(free_rooms)]))
                    turn += 1
                if len(found) == count:
                    break
        day += datetime.timedelta(days=1)
    if len(found) < count:
        raise BenchError(f"only {len(found)} free slots of {professional} in {weeks} weeks")
    return found


def api_token(member: Member) -> str:
    """A fresh API token for the bench's receptionist (the previous bench token removed)."""
    ApiToken.objects.filter(member=member, name=TOKEN_NAME).delete()
    return ApiToken.issue(member, TOKEN_NAME)[1]


def agenda_url(day: datetime.date, scope: str) -> str:
    query = urlencode({"view": "week", "date": day.isoformat(), "scope": scope})
    return f"{reverse('scheduling:agenda')}?{query}"


def api_url(found: AgendaProbe, first_day: datetime.date) -> str:
    last_day = first_day + datetime.timedelta(days=6)
    query = urlencode({"start": first_day, "end": last_day, "professional": found.professional.pk})
    return f"/api/v1/sessions?{query}"


def scenarios(found: AgendaProbe, *, token: str) -> list[Scenario]:
    """The week pages, each next to the admin's changelist of the same week's sessions (all
    on one page for one professional; its first 100 for the whole practice)."""
    admin = reverse("admin:scheduling_session_changelist")
    week = urlencode(
        {"starts_at__gte": found.start.isoformat(), "starts_at__lt": found.end.isoformat()}
    )
    own = f"professional__id__exact={found.professional.pk}"
    return [
        Scenario(
            "agenda: week of one professional",
            agenda_url(found.day, f"professional-{found.professional.pk}"),
            f"{admin}?{own}&{week}",
            "agenda",
            target_ms=AGENDA_P95_MS,
        ),
        Scenario(
            f"agenda: week of the practice, {found.professionals} professionals",
            agenda_url(found.day, "all"),
            f"{admin}?{week}",
            "agenda",
        ),
        Scenario(
            "API: sessions of the week, one professional",
            api_url(found, found.first_day),
            f"{admin}?{own}&{week}",
            "api",
            headers={"Authorization": f"Bearer {token}"},
        ),
    ]


SESSION_LINK = re.compile(rb"/agenda/sessions/(\d+)/")


def shown(scenario: Scenario, content: bytes) -> int:
    """How many sessions our page showed: the sessions it links to, or the API's rows."""
    if scenario.kind == "api":
        return len(json.loads(content))
    return len(set(SESSION_LINK.findall(content)))


def empty_url(scenario: Scenario, found: AgendaProbe) -> str:
    """The same page for a week without sessions."""
    if scenario.kind == "api":
        return api_url(found, found.empty_day - datetime.timedelta(days=3))
    return scenario.ours.replace(found.day.isoformat(), found.empty_day.isoformat())


class NaiveCheck:
    """scheduling.services._check_free as a first attempt would write it: every session of
    the professional and of the room loaded as objects, each tested in Python."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *, practice, professional, room, times, ignore=None) -> None:
        self.calls += 1
        sessions = list(Session.objects.filter(practice=practice, professional=professional))
        if room is not None:
            sessions += Session.objects.filter(practice=practice, room=room)
        problems: dict[str, list[str]] = {}
        for start, end in times:
            for session in sessions:
                if (
                    session.status == SessionStatus.SCHEDULED
                    and (ignore is None or session.pk != ignore.pk)
                    and session.starts_at < end
                    and session.ends_at > start
                ):
                    name = "starts_at" if session.professional_id == professional.pk else "room"
                    problems.setdefault(name, []).append(f"taken by session {session.pk}")
        if problems:
            raise ValidationError(problems)


def time_booking(member: Member, found: AgendaProbe, *, repeat: int, warmup: int) -> Scenario:
    """book_session for a free slot of the busiest professional, a different slot each time,
    each in a transaction rolled back; alternating with the same booking checked naively."""
    scenario = Scenario(
        "booking: a free slot of the busiest professional",
        "scheduling.services.book_session (in a transaction, rolled back)",
        "the same with services._check_free replaced by NaiveCheck",
        "booking",
        target_ms=BOOKING_P95_MS,
        base_note=NAIVE,
    )
    slots = iter(found.free)
    naive = NaiveCheck()

    def book() -> None:
        start, room = next(slots)
        with transaction.atomic():
            try:
                book_session(
                    by=member,
                    client=found.client,
                    professional=found.professional,
                    starts_at=start,
                    service=found.service,
                    room=room,
                )
            except ValidationError as error:
                raise BenchError(f"booking {start} in {room} was refused: {error}") from error
            transaction.set_rollback(True)

    def book_naively() -> None:
        with mock.patch.object(services, "_check_free", naive):
            book()

    def timed(fn: Callable[[], None], cpu: list[float]) -> float:
        cpu_at, started = time.process_time(), time.perf_counter()
        fn()
        cpu.append((time.process_time() - cpu_at) * 1000)
        return (time.perf_counter() - started) * 1000

    for _ in range(warmup):
        book()
        book_naively()
    mine: list[float] = []
    theirs: list[float] = []
    mine_cpu: list[float] = []
    theirs_cpu: list[float] = []
    for _ in range(repeat):
        mine.append(timed(book, mine_cpu))
        # The patch is made and undone around the booking, outside its time.
        with mock.patch.object(services, "_check_free", naive):
            theirs.append(timed(book, theirs_cpu))
    scenario.ours_timing = Timing(mine, cpu_ms=mine_cpu)
    scenario.baseline_timing = Timing(theirs, cpu_ms=theirs_cpu)
    for fn, timing in ((book, scenario.ours_timing), (book_naively, scenario.baseline_timing)):
        timing.queries, timing.db_ms, timing.slow_queries = profile(fn)
    if not naive.calls:
        raise BenchError("book_session no longer calls services._check_free: update NaiveCheck")
    return scenario


@dataclass
class AgendaResult:
    scenarios: list[Scenario]
    probe: AgendaProbe
    # Per page: its queries for the seeded week and for a week without sessions.
    growth: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        found = self.probe
        return {
            "sessions": found.sessions,
            "professionals": found.professionals,
            "week": [found.first_day.isoformat(), (found.end - found.start).days],
            "professional": found.professional.name,
            "query_growth": self.growth,
        }


def slots_needed(repeat: int, warmup: int) -> int:
    # Ours and the naive booking, each timed, warmed up and profiled once.
    return 2 * (repeat + warmup + 1)


def measure(
    member: Member,
    ours: Requester,
    admin: Requester,
    *,
    repeat: int,
    warmup: int,
    out: TextIO,
) -> AgendaResult:
    found = probe(member, slots=slots_needed(repeat, warmup))
    items = scenarios(found, token=api_token(member))
    growth = []
    total = len(items) + 1
    for i, item in enumerate(items, 1):
        out.write(f"  [agenda {i}/{total}] {item.name}\n")
        out.flush()
        time_pair(ours, admin, item, repeat=repeat, warmup=warmup)
        item.shown = shown(item, ours.last_content)
        empty = empty_url(item, found)
        ours.get(empty, item.headers or None)
        if shown(item, ours.last_content):
            raise BenchError(f"{empty} was to show no sessions")
        assert item.ours_timing
        growth.append(
            {
                "name": item.name,
                "sessions": item.shown,
                "queries": item.ours_timing.queries,
                "empty_queries": ours.profile(empty, item.headers or None)[0],
            }
        )
    if not items[0].shown:
        raise BenchError(f"{items[0].ours} shows no sessions")
    out.write(f"  [agenda {total}/{total}] booking\n")
    out.flush()
    items.append(time_booking(member, found, repeat=repeat, warmup=warmup))
    return AgendaResult(items, found, growth)

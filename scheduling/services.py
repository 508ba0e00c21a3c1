"""Every operation on the agenda. Pages, the API and the command line call these.

Each checks the actor's rights on the client, keeps to the actor's practice, is atomic, and
writes its event into the client's timeline in the same transaction. Past sessions are
history: they are marked (attended, missed) but never moved.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.models import EventKind
from audit.services import record_event
from clients.models import Client, Status
from clients.services import check_can_change_client
from pets.models import Animal
from practices import roles
from practices.models import Member, Practice, Professional
from scheduling.models import CancelledBy, Room, Series, Service, Session, SessionStatus
from scheduling.recurrence import Rule, local_moment, occurrence_dates

MAX_DURATION = datetime.timedelta(hours=12)
# How far ahead the sessions of an open-ended series exist as rows.
SERIES_HORIZON = datetime.timedelta(days=182)
# How far back a series may begin (its past sessions are booked as a record).
MAX_SERIES_PAST = datetime.timedelta(days=366)


def _same_practice(practice_id: int, *objects) -> None:
    if any(obj is not None and obj.practice_id != practice_id for obj in objects):
        raise PermissionDenied


def _local(moment: datetime.datetime, practice: Practice) -> str:
    return formats.date_format(timezone.localtime(moment, practice.tz), "SHORT_DATETIME_FORMAT")


def _clashes(
    *,
    practice: Practice,
    professional: Professional,
    room: Room | None,
    times: list[tuple[datetime.datetime, datetime.datetime]],
    ignore: Session | None = None,
    ignore_ids: Iterable[int] = (),
) -> dict[int, tuple[str, str]]:
    """{index of a time: (field, message)} for the times that overlap a scheduled session
    of the same professional or room (one query for all the times of a series)."""
    if not times:
        return {}
    first = min(start for start, _ in times)
    taken = Session.objects.filter(
        practice=practice,
        status=SessionStatus.SCHEDULED,
        starts_at__lt=max(end for _, end in times),
        # No session lasts longer than MAX_DURATION: a lower bound on the start lets the
        # (practice, professional, starts_at) and (practice, room, starts_at) indexes serve a
        # range instead of every session before `end`.
        starts_at__gt=first - MAX_DURATION,
        ends_at__gt=first,
    ).filter(Q(professional=professional) | Q(room=room) if room else Q(professional=professional))
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if ignore_ids:
        taken = taken.exclude(pk__in=list(ignore_ids))
    # Sorted here, not in SQL: an ORDER BY makes SQLite prefer the practice-wide index.
    taken = sorted(taken.select_related("room"), key=lambda s: s.starts_at)
    found: dict[int, tuple[str, str]] = {}
    for index, (start, end) in enumerate(times):
        for clash in taken:
            if clash.starts_at < end and clash.ends_at > start:
                when = _local(clash.starts_at, practice)
                if clash.professional_id == professional.pk:
                    found[index] = (
                        "starts_at",
                        _("%(who)s already has a session at %(when)s.")
                        % {"who": professional.name, "when": when},
                    )
                else:
                    found[index] = (
                        "room",
                        _("%(room)s is taken at %(when)s.") % {"room": clash.room, "when": when},
                    )
                break
    return found


def _check_free(
    *,
    practice: Practice,
    professional: Professional,
    room: Room | None,
    times: list[tuple[datetime.datetime, datetime.datetime]],
    ignore: Session | None = None,
    ignore_ids: Iterable[int] = (),
) -> None:
    """Refuse times that overlap a scheduled session of the same professional or room,
    naming each conflict. Callers hold the professional's (and room's) row lock."""
    problems: dict[str, list[str]] = {}
    for field, message in _clashes(
        practice=practice,
        professional=professional,
        room=room,
        times=times,
        ignore=ignore,
        ignore_ids=ignore_ids,
    ).values():
        problems.setdefault(field, []).append(message)
    if problems:
        raise ValidationError(problems)


def _sessions_changed(ids: Iterable[int]) -> None:
    """Sessions were booked, moved, cancelled or are about to be removed: their reminders
    follow (scheduled, moved or dropped), in the same transaction."""
    from messaging.reminders import sync_reminders  # messaging builds on the agenda

    sync_reminders(list(ids))


def _lock(professional: Professional, room: Room | None) -> None:
    # Two receptionists booking the same professional or room at once: the second waits here
    # and then sees the first one's session in the conflict check.
    Professional.objects.select_for_update().filter(pk=professional.pk).exists()
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).exists()


def _check_times(starts_at: datetime.datetime, duration: datetime.timedelta) -> None:
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    if not datetime.timedelta(minutes=5) <= duration <= MAX_DURATION:
        raise ValidationError({"duration": _("A session lasts from 5 minutes to 12 hours.")})


def not_the_clients_animal() -> ValidationError:
    """The refusal of an animal that is not the client's: another client's, another
    practice's, or no animal at all (the API's unknown ids), alike, so that an id says
    nothing about what it is."""
    return ValidationError({"animal": _("Choose one of the client's animals.")})


def check_animal(animal: Animal | None, *, client: Client) -> None:
    """A session or series may name one of the client's active animals, in a veterinary
    practice only."""
    if animal is None:
        return
    if client.practice.kind != Practice.Kind.VETERINARY:
        raise ValidationError(
            {"animal": _("Only a veterinary practice books sessions for an animal.")}
        )
    if animal.practice_id != client.practice_id or animal.client_id != client.pk:
        raise not_the_clients_animal()
    if not animal.is_active:
        raise ValidationError(
            {"animal": _("%(name)s is marked inactive: reactivate it on the card to book it.")
             % {"name": animal.name}}
        )  # fmt: skip


def _animal_change(animal: Animal | None) -> dict[str, list]:
    """The animal in a booking's event, by name (the timeline reads "Animals: Rex")."""
    return {"animals": [None, animal.name]} if animal is not None else {}


def _check_bookable(
    *,
    by: Member,
    client: Client,
    professional: Professional,
    service: Service | None,
    room: Room | None,
    duration: datetime.timedelta | None,
    price: Decimal | None,
) -> tuple[datetime.timedelta, Decimal | None]:
    """Who may book what for whom; returns the duration and price, the service's by default."""
    _same_practice(by.practice_id, client, professional, service, room)
    check_can_change_client(client, by)
    if client.status != Status.ACTIVE:
        raise ValidationError(
            {"client": _("Only active clients can be booked (%(name)s: %(status)s).")
             % {"name": client.full_name, "status": client.get_status_display()}}
        )  # fmt: skip
    if not professional.is_active:
        raise ValidationError({"professional": _("This professional no longer works here.")})
    if duration is None:
        duration = datetime.timedelta(minutes=service.default_duration if service else 50)
    if price is None and service is not None:
        price = service.default_price
    return duration, price


@transaction.atomic
def book_session(
    *,
    by: Member,
    client: Client,
    professional: Professional,
    starts_at: datetime.datetime,
    duration: datetime.timedelta | None = None,
    service: Service | None = None,
    room: Room | None = None,
    price: Decimal | None = None,
    animal: Animal | None = None,
) -> Session:
    """A session for an active client (in a veterinary practice, for one of the client's
    active animals, if any); duration and price default to the service's."""
    duration, price = _check_bookable(
        by=by, client=client, professional=professional, service=service, room=room,
        duration=duration, price=price,
    )  # fmt: skip
    check_animal(animal, client=client)
    _check_times(starts_at, duration)
    practice = client.practice
    _lock(professional, room)
    ends_at = starts_at + duration
    _check_free(
        practice=practice, professional=professional, room=room, times=[(starts_at, ends_at)]
    )
    session = Session.objects.create(
        practice=practice,
        client=client,
        professional=professional,
        service=service,
        room=room,
        animal=animal,
        starts_at=starts_at,
        ends_at=ends_at,
        price=price,
    )
    record_event(
        practice=practice,
        client=client,
        by=by,
        kind=EventKind.SESSION_BOOKED,
        data={"session": session.pk, **({"animal": animal.pk} if animal else {})},
        changes={
            "session": [None, _local(starts_at, practice)],
            "professional": [None, professional.name],
            **({"room": [None, room.name]} if room else {}),
            **_animal_change(animal),
        },
    )
    _sessions_changed([session.pk])
    return session


Occurrence = tuple[datetime.date, datetime.datetime, datetime.datetime]


def _series_times(
    series: Series,
    *,
    after: datetime.date | None,
    through: datetime.date,
    not_before: datetime.datetime | None = None,
) -> list[Occurrence]:
    """(rule date, start, end) of the series' occurrences dated after `after` up to
    `through`, at its local time, those starting before `not_before` left out."""
    tz = series.practice.tz
    duration = datetime.timedelta(minutes=series.duration_minutes)
    starts = (
        (day, local_moment(day, series.start_time, tz))
        for day in occurrence_dates(series_rule(series), series.start_date, through=through)
        if after is None or day > after
    )
    return [
        (day, start, start + duration)
        for day, start in starts
        if not_before is None or start >= not_before
    ]


def _spans(occurrences: list[Occurrence]) -> list[tuple[datetime.datetime, datetime.datetime]]:
    return [(start, end) for _day, start, end in occurrences]


def _make_sessions(series: Series, occurrences: list[Occurrence]) -> list[Session]:
    return Session.objects.bulk_create(
        Session(
            practice_id=series.practice_id,
            client_id=series.client_id,
            professional_id=series.professional_id,
            service_id=series.service_id,
            room_id=series.room_id,
            animal_id=series.animal_id,
            series=series,
            occurrence_date=day,
            starts_at=start,
            ends_at=end,
            price=series.price,
        )
        for day, start, end in occurrences
    )


def _horizon_date(practice: Practice, horizon: datetime.timedelta) -> datetime.date:
    return timezone.localdate(timezone.now(), practice.tz) + horizon


@transaction.atomic
def book_series(
    *,
    by: Member,
    client: Client,
    professional: Professional,
    start_date: datetime.date,
    at: datetime.time,
    rule: Rule,
    duration: datetime.timedelta | None = None,
    service: Service | None = None,
    room: Room | None = None,
    price: Decimal | None = None,
    animal: Animal | None = None,
    horizon: datetime.timedelta = SERIES_HORIZON,
) -> Series:
    """Recurring sessions at the same local time. Occurrences are made up to the rule's end
    or the horizon (open-ended series grow with the worker); each carries the series'
    animal, if any. Refused whole, naming every clash, if any occurrence overlaps the
    professional's or the room's sessions."""
    duration, price = _check_bookable(
        by=by, client=client, professional=professional, service=service, room=room,
        duration=duration, price=price,
    )  # fmt: skip
    check_animal(animal, client=client)
    practice = client.practice
    if start_date < timezone.localdate(timezone.now(), practice.tz) - MAX_SERIES_PAST:
        raise ValidationError(
            {"start_date": _("A series can begin at most a year ago (to record past sessions).")}
        )
    _check_times(local_moment(start_date, at, practice.tz), duration)
    series = Series(
        practice=practice,
        client=client,
        professional=professional,
        service=service,
        room=room,
        animal=animal,
        start_date=start_date,
        start_time=at,
        duration_minutes=int(duration.total_seconds() // 60),
        price=price,
        frequency=rule.frequency,
        interval=rule.interval,
        count=rule.count,
        until=rule.until,
        materialized_through=_horizon_date(practice, horizon),
    )
    occurrences = _series_times(series, after=None, through=series.materialized_through)
    if not occurrences:
        raise ValidationError({"start_date": _("This series has no session to book.")})
    times = _spans(occurrences)
    _lock(professional, room)
    _check_free(practice=practice, professional=professional, room=room, times=times)
    series.save()
    sessions = _make_sessions(series, occurrences)
    record_event(
        practice=practice,
        client=client,
        by=by,
        kind=EventKind.SERIES_BOOKED,
        data={
            "series": series.pk,
            "sessions": len(times),
            **({"animal": animal.pk} if animal else {}),
        },
        changes={
            "series": [None, f"{series.get_frequency_display()}, {_local(times[0][0], practice)}"],
            "professional": [None, professional.name],
            **_animal_change(animal),
        },
    )
    _sessions_changed(s.pk for s in sessions)
    return series


def series_rule(series: Series) -> Rule:
    return Rule(series.frequency, series.interval, series.count, series.until)


def _locked_series(series: Series, by: Member) -> Series:
    if series.practice_id != by.practice_id:
        raise PermissionDenied
    locked = (
        Series.objects.select_for_update(of=("self",))
        .select_related("client", "practice", "professional", "service", "room", "animal")
        .get(pk=series.pk)
    )
    check_can_change_client(locked.client, by)
    return locked


@transaction.atomic
def pause_series(series: Series, *, by: Member, reason: str = "") -> int:
    """Stop a series for now: its future scheduled sessions are cancelled by the practice
    ("series paused"; the past ones stay as they are). Returns how many were cancelled."""
    locked = _locked_series(series, by)
    if locked.paused_at is not None:
        raise ValidationError({"series": _("This series is already paused.")})
    now = timezone.now()
    future = Session.objects.filter(
        series=locked, status=SessionStatus.SCHEDULED, starts_at__gt=now
    )
    ids = list(future.values_list("pk", flat=True))
    cancelled = future.update(
        status=SessionStatus.CANCELLED,
        cancelled_by=CancelledBy.PAUSE,
        cancel_reason=reason or _("Series paused"),
    )
    locked.paused_at = now
    locked.save(update_fields=["paused_at"])
    record_event(
        practice=locked.practice,
        client=locked.client,
        by=by,
        kind=EventKind.SERIES_PAUSED,
        data={"series": locked.pk, "cancelled": cancelled},
        changes={
            "series": [str(locked), None],
            **({"cancel_reason": [None, reason]} if reason else {}),
        },
    )
    _sessions_changed(ids)
    return cancelled


@transaction.atomic
def resume_series(
    series: Series, *, by: Member, horizon: datetime.timedelta = SERIES_HORIZON
) -> int:
    """Start a paused series again: the sessions its pause cancelled that are still to come
    are scheduled again, and the series is made up to the horizon; refused whole (naming
    each clash) if any of them overlaps another session. Returns how many are scheduled."""
    locked = _locked_series(series, by)
    if locked.paused_at is None:
        raise ValidationError({"series": _("This series is not paused.")})
    duration = datetime.timedelta(minutes=locked.duration_minutes)
    _check_bookable(
        by=by, client=locked.client, professional=locked.professional, service=locked.service,
        room=locked.room, duration=duration, price=locked.price,
    )  # fmt: skip
    practice, now = locked.practice, timezone.now()
    back = list(
        Session.objects.filter(
            series=locked,
            status=SessionStatus.CANCELLED,
            cancelled_by=CancelledBy.PAUSE,
            starts_at__gt=now,
        ).select_related("professional", "room")
    )
    through = max(locked.materialized_through, _horizon_date(practice, horizon))
    new = _series_times(locked, after=locked.materialized_through, through=through, not_before=now)
    # Each session comes back with its own professional and room (one moved to another room
    # is checked there); the new ones with the series'.
    groups: dict[tuple, list] = {(locked.professional, locked.room): _spans(new)}
    for session in back:
        groups.setdefault((session.professional, session.room), []).append(
            (session.starts_at, session.ends_at)
        )
    for professional, room in groups:
        _lock(professional, room)
    problems: dict[str, list[str]] = {}
    for (professional, room), times in groups.items():
        try:
            _check_free(practice=practice, professional=professional, room=room, times=times)
        except ValidationError as clash:
            for field, messages in clash.message_dict.items():
                problems.setdefault(field, []).extend(messages)
    if problems:
        raise ValidationError(problems)
    times = [(s.starts_at, s.ends_at) for s in back] + _spans(new)
    Session.objects.filter(pk__in=[s.pk for s in back]).update(
        status=SessionStatus.SCHEDULED, cancelled_by="", cancel_reason=""
    )
    made = _make_sessions(locked, new)
    locked.paused_at = None
    locked.materialized_through = through
    locked.save(update_fields=["paused_at", "materialized_through"])
    record_event(
        practice=practice,
        client=locked.client,
        by=by,
        kind=EventKind.SERIES_RESUMED,
        data={"series": locked.pk, "sessions": len(times)},
        changes={"series": [None, str(locked)]},
    )
    _sessions_changed([s.pk for s in back] + [s.pk for s in made])
    return len(times)


@dataclass(frozen=True)
class SeriesPlan:
    """What a series becomes from a given occurrence on: its first date (of that part), local
    time, rule (a count counts from that date), and what each session is."""

    start_date: datetime.date
    at: datetime.time
    rule: Rule
    professional: Professional
    duration: datetime.timedelta
    service: Service | None = None
    room: Room | None = None
    price: Decimal | None = None
    animal: Animal | None = None

    @classmethod
    def of(cls, series: Series, start: Session | None = None) -> "SeriesPlan":
        """The series as it stands, from `start` (or its next session) on: what an edit
        form shows before the user changes anything."""
        start = start or (
            series.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now())
            .order_by("starts_at")
            .first()
        )
        start_date = (
            _occurrence_day(start)
            if start
            else timezone.localdate(timezone.now(), series.practice.tz)
        )
        return cls(
            start_date=start_date,
            at=series.start_time,
            rule=Rule(
                series.frequency,
                series.interval,
                remaining_count(series, start_date),
                series.until,
            ),
            professional=series.professional,
            duration=datetime.timedelta(minutes=series.duration_minutes),
            service=series.service,
            room=series.room,
            price=series.price,
            animal=series.animal,
        )


def remaining_count(series: Series, from_date: datetime.date) -> int | None:
    """How many of a counted series' occurrences are dated on or after `from_date`."""
    if series.count is None:
        return None
    before = sum(
        1
        for _day in occurrence_dates(
            series_rule(series), series.start_date, through=from_date - datetime.timedelta(days=1)
        )
    )
    return max(series.count - before, 1)


def _occurrence_day(session: Session) -> datetime.date:
    """The date the series' rule gave the session (its local date if it has none)."""
    return session.occurrence_date or timezone.localdate(session.starts_at, session.practice.tz)


def _series_scope(
    locked: Series, from_session: Session | None
) -> tuple[datetime.datetime, models.QuerySet[Session]]:
    """Where an edit of "this and the following" (or, without a session, of the whole
    series) begins, and the series' scheduled sessions from there on."""
    now = timezone.now()
    if from_session is None:
        pivot = now
    else:
        if from_session.series_id != locked.pk:
            raise ValidationError({"session": _("This session is not part of the series.")})
        if from_session.starts_at <= now or from_session.status != SessionStatus.SCHEDULED:
            raise ValidationError(
                {"session": _("Past sessions are history: choose a session still to come.")}
            )
        pivot = from_session.starts_at
    return pivot, Session.objects.filter(
        series=locked, status=SessionStatus.SCHEDULED, starts_at__gte=pivot
    ).filter(starts_at__gt=now)


def _end_before(locked: Series, pivot: datetime.datetime, day: datetime.date | None = None) -> bool:
    """End the series before `day` (by default `pivot`'s date); False if it had no session
    before `pivot` (nothing of it is left)."""
    earlier = locked.sessions.filter(starts_at__lt=pivot).exists()
    if earlier:
        last_day = (day or timezone.localdate(pivot, locked.practice.tz)) - datetime.timedelta(
            days=1
        )
        locked.until = min(locked.until or last_day, last_day)
        locked.materialized_through = min(locked.materialized_through, last_day)
    return earlier


def _pk(row: models.Model | None) -> int | None:
    return row.pk if row is not None else None


def _name(animal: Animal | None) -> str | None:
    return animal.name if animal is not None else None


def _describe(series: Series, first: datetime.datetime | None) -> str:
    when = _local(first, series.practice) if first else ""
    return ", ".join(
        v for v in (series.get_frequency_display(), when, series.professional.name) if v
    )


def _count_before(series: Series, day: datetime.date) -> int:
    """How many of the series' rule dates come before `day`."""
    through = day - datetime.timedelta(days=1)
    if through < series.start_date:
        return 0
    return sum(
        1 for _day in occurrence_dates(series_rule(series), series.start_date, through=through)
    )


@transaction.atomic
def change_series(
    series: Series,
    *,
    by: Member,
    plan: SeriesPlan,
    from_session: Session | None = None,
    horizon: datetime.timedelta = SERIES_HORIZON,
) -> Series:
    """Change "this and the following" sessions (from `from_session` on) or, without it,
    every session still to come. Sessions already held, and those cancelled, stay as they
    were (a date cancelled is not booked again); the others are changed in place, so their
    reminders follow them. A change from a session in the middle splits the series: the
    first part ends the day before, and a new series carries the change. A session moved
    on its own keeps its time unless the change is to the time. Refused whole, naming every
    clash."""
    locked = _locked_series(series, by)
    if locked.paused_at is not None:
        raise ValidationError({"series": _("Resume this series before changing it.")})
    duration, price = _check_bookable(
        by=by, client=locked.client, professional=plan.professional, service=plan.service,
        room=plan.room, duration=plan.duration, price=plan.price,
    )  # fmt: skip
    # The animal is checked only when it changes: a series keeps its animal even if the
    # animal was marked inactive since, as its sessions do.
    if _pk(plan.animal) != locked.animal_id:
        check_animal(plan.animal, client=locked.client)
    practice, now = locked.practice, timezone.now()
    tz = practice.tz
    _check_times(local_moment(plan.start_date, plan.at, tz), duration)
    pivot, _scoped = _series_scope(locked, from_session)
    pivot_day = _occurrence_day(from_session) if from_session else SeriesPlan.of(locked).start_date
    before = _describe(locked, pivot)
    old_duration = datetime.timedelta(minutes=locked.duration_minutes)
    # The same dates as before (the user changed what, not when): the rule keeps its anchor
    # (the 31st stays the 31st after a short month), and its count counts from there.
    same_dates = (
        plan.start_date == pivot_day
        and plan.rule.frequency == locked.frequency
        and plan.rule.interval == locked.interval
    )
    same_times = same_dates and plan.at == locked.start_time and duration == old_duration
    target = locked
    if from_session is not None and _end_before(locked, pivot, pivot_day):
        locked.save(update_fields=["until", "materialized_through"])
        target = Series(practice=practice, client=locked.client)
    if same_dates:
        anchor, earlier = locked.start_date, _count_before(locked, pivot_day)
    else:
        anchor, earlier = plan.start_date, 0
    before_animal = locked.animal
    target.professional, target.service, target.room = plan.professional, plan.service, plan.room
    target.animal = plan.animal
    target.start_date, target.start_time = anchor, plan.at
    target.duration_minutes = int(duration.total_seconds() // 60)
    target.price = price
    target.frequency, target.interval = plan.rule.frequency, plan.rule.interval
    target.count = plan.rule.count + earlier if plan.rule.count is not None else None
    target.until = plan.rule.until
    target.materialized_through = _horizon_date(practice, horizon)
    wanted = {
        day: (start, end)
        for day, start, end in _series_times(
            target,
            after=pivot_day - datetime.timedelta(days=1),
            through=target.materialized_through,
        )
    }
    if not wanted:
        raise ValidationError({"start_date": _("This series has no session to book.")})
    # The series' sessions from the pivot's date on, whatever their status.
    from_pivot = list(
        Session.objects.filter(series=locked, starts_at__gte=pivot)
        .exclude(starts_at__lte=now)
        .select_related("practice")
    )
    keep, drop, placed = [], [], set()
    for session in from_pivot:
        day = _occurrence_day(session)
        if session.status != SessionStatus.SCHEDULED:
            placed.add(day)  # cancelled on that date: not booked again
        elif day in wanted and day not in placed:
            placed.add(day)
            if not same_times:
                session.starts_at, session.ends_at = wanted[day]
            session.occurrence_date = day
            keep.append(session)
        else:
            drop.append(session.pk)
    new = [(day, *span) for day, span in wanted.items() if day not in placed]
    spans = [(s.starts_at, s.ends_at) for s in keep] + _spans(new)
    if min((start for start, _end in spans), default=now + MAX_DURATION) <= now:
        raise ValidationError(
            {"start_date": _("The changed series would begin in the past: choose a later start.")}
        )
    _lock(plan.professional, plan.room)
    _check_free(
        practice=practice, professional=plan.professional, room=plan.room, times=spans,
        ignore_ids=[s.pk for s in keep] + drop,
    )  # fmt: skip
    target.save()
    if drop:
        Session.objects.filter(pk__in=drop).update(
            status=SessionStatus.CANCELLED, cancelled_by=CancelledBy.PRACTICE
        )
        _sessions_changed(drop)
        Session.objects.filter(pk__in=drop).delete()
    for session in keep:
        session.series = target
        session.professional, session.service, session.room = (
            plan.professional, plan.service, plan.room,
        )  # fmt: skip
        session.price, session.animal = price, plan.animal
    Session.objects.bulk_update(
        keep,
        ["series", "professional", "service", "room", "price", "animal", "starts_at", "ends_at",
         "occurrence_date"],
    )  # fmt: skip
    # What stays cancelled on its date moves with its date.
    Session.objects.filter(
        series=locked, starts_at__gte=pivot, status=SessionStatus.CANCELLED
    ).update(series=target)
    made = _make_sessions(target, new)
    first = min(start for start, _end in spans) if spans else pivot
    record_event(
        practice=practice,
        client=locked.client,
        by=by,
        kind=EventKind.SERIES_CHANGED,
        data={
            "series": locked.pk,
            "new_series": target.pk,
            "removed": len(drop),
            "changed": len(keep),
            "sessions": len(keep) + len(made),
        },
        changes={
            "series": [before, _describe(target, first)],
            **(
                {"animals": [_name(before_animal), _name(plan.animal)]}
                if _pk(before_animal) != _pk(plan.animal)
                else {}
            ),
        },
    )
    _sessions_changed([s.pk for s in keep] + [s.pk for s in made])
    return target


@transaction.atomic
def end_series(series: Series, *, by: Member, from_session: Session | None = None) -> int:
    """Remove "this and the following" sessions (from `from_session` on) or, without it,
    every session still to come, and end the series there. Sessions already held, and
    cancelled ones, stay as history. Returns how many were removed."""
    locked = _locked_series(series, by)
    pivot, removed = _series_scope(locked, from_session)
    before = _describe(locked, pivot)
    ids = list(removed.values_list("pk", flat=True))
    Session.objects.filter(pk__in=ids).update(
        status=SessionStatus.CANCELLED, cancelled_by=CancelledBy.PRACTICE
    )
    _sessions_changed(ids)
    Session.objects.filter(pk__in=ids).delete()
    # Sessions the pause cancelled past the end would otherwise come back on resume.
    locked.sessions.filter(cancelled_by=CancelledBy.PAUSE, starts_at__gte=pivot).delete()
    record_event(
        practice=locked.practice,
        client=locked.client,
        by=by,
        kind=EventKind.SERIES_ENDED,
        data={"series": locked.pk, "removed": len(ids)},
        changes={"series": [before, None]},
    )
    if _end_before(locked, pivot) or locked.sessions.exists():
        locked.save(update_fields=["until", "materialized_through"])
    else:
        locked.delete()
    return len(ids)


def extend_series(*, horizon: datetime.timedelta = SERIES_HORIZON) -> int:
    """Keep the sessions of running series made up to the horizon (the worker runs this
    daily). An occurrence that would clash with another session is not booked; the clash
    goes into the client's timeline. Each series in its own transaction. Returns how many
    sessions were made."""
    made = 0
    today = timezone.localdate(timezone.now(), datetime.UTC)
    due = (
        Series.objects.filter(
            paused_at__isnull=True,
            client__status=Status.ACTIVE,
            professional__is_active=True,
            materialized_through__lt=today + horizon - datetime.timedelta(days=1),
        )
        .filter(Q(until__isnull=True) | Q(until__gt=F("materialized_through")))
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            made += _extend_one(pk, horizon)
    return made


def _extend_one(pk: int, horizon: datetime.timedelta) -> int:
    series = (
        Series.objects.select_for_update(of=("self",))
        .select_related("practice", "client", "professional", "room")
        .filter(pk=pk, paused_at__isnull=True)
        .first()
    )
    if series is None:
        return 0
    practice = series.practice
    through = _horizon_date(practice, horizon)
    times = _series_times(
        series, after=series.materialized_through, through=through, not_before=timezone.now()
    )
    _lock(series.professional, series.room)
    clashes = _clashes(
        practice=practice, professional=series.professional, room=series.room, times=_spans(times)
    )
    free = [t for i, t in enumerate(times) if i not in clashes]
    made = _make_sessions(series, free)
    series.materialized_through = through
    series.save(update_fields=["materialized_through"])
    if times:
        record_event(
            practice=practice,
            client=series.client,
            by=None,
            kind=EventKind.SERIES_EXTENDED,
            data={"series": series.pk, "sessions": len(made), "clashes": len(clashes)},
            changes={
                "series": [None, _describe(series, times[0][1])],
                **(
                    {
                        "not_booked": [
                            None,
                            "; ".join(message for _field, message in clashes.values()),
                        ]
                    }
                    if clashes
                    else {}
                ),
            },
        )
    _sessions_changed(s.pk for s in made)
    return len(made)


def _locked_session(session: Session, by: Member) -> Session:
    if session.practice_id != by.practice_id:
        raise PermissionDenied
    locked = (
        Session.objects.select_for_update(of=("self",))
        .select_related("client", "practice")
        .get(pk=session.pk)
    )
    check_can_change_client(locked.client, by)
    return locked


@transaction.atomic
def reschedule_session(
    session: Session,
    *,
    by: Member,
    starts_at: datetime.datetime,
    duration: datetime.timedelta | None = None,
    room: Room | None = None,
    keep_room: bool = True,
) -> Session:
    """Move a scheduled session; the conflict check ignores the session itself."""
    locked = _locked_session(session, by)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            {"starts_at": _("Only a scheduled session can be moved (this one: %s).")
             % locked.get_status_display()}
        )  # fmt: skip
    if locked.starts_at <= timezone.now():
        raise ValidationError(
            {"starts_at": _("This session has begun: it is history and cannot be moved.")}
        )
    room = locked.room if keep_room and room is None else room
    _same_practice(by.practice_id, room)
    duration = duration or locked.duration
    _check_times(starts_at, duration)
    _lock(locked.professional, room)
    _check_free(
        practice=locked.practice, professional=locked.professional, room=room,
        times=[(starts_at, starts_at + duration)], ignore=locked,
    )  # fmt: skip
    before = _local(locked.starts_at, locked.practice)
    locked.starts_at, locked.ends_at, locked.room = starts_at, starts_at + duration, room
    locked.save(update_fields=["starts_at", "ends_at", "room"])
    record_event(
        practice=locked.practice,
        client=locked.client,
        by=by,
        kind=EventKind.SESSION_RESCHEDULED,
        data={"session": locked.pk},
        changes={"session": [before, _local(starts_at, locked.practice)]},
    )
    _sessions_changed([locked.pk])
    return locked


@transaction.atomic
def cancel_session(session: Session, *, by: Member, cancelled_by: str, reason: str = "") -> Session:
    """Cancel a scheduled session, by the client or by the practice, with a reason."""
    locked = _locked_session(session, by)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            {
                "status": _("This session cannot be cancelled (status: %s).")
                % locked.get_status_display()
            }
        )
    locked.status, locked.cancelled_by, locked.cancel_reason = (
        SessionStatus.CANCELLED,
        cancelled_by,
        reason,
    )
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(update_fields=["status", "cancelled_by", "cancel_reason"])
    record_event(
        practice=locked.practice,
        client=locked.client,
        by=by,
        kind=EventKind.SESSION_CANCELLED,
        data={"session": locked.pk},
        changes={
            "session": [_local(locked.starts_at, locked.practice), None],
            **({"cancel_reason": [None, reason]} if reason else {}),
        },
    )
    _sessions_changed([locked.pk])
    return locked


@transaction.atomic
def delete_session(session: Session, *, by: Member) -> None:
    """Remove a session booked by mistake. Only a scheduled session still to come: held,
    missed and cancelled sessions are history. A series' occurrence removed this way is
    not made again."""
    locked = _locked_session(session, by)
    if locked.status != SessionStatus.SCHEDULED or locked.starts_at <= timezone.now():
        raise ValidationError(
            {"session": _("Only a session still to come can be removed; this one is history.")}
        )
    record_event(
        practice=locked.practice,
        client=locked.client,
        by=by,
        kind=EventKind.SESSION_DELETED,
        data={"session": locked.pk, "series": locked.series_id},
        changes={"session": [_local(locked.starts_at, locked.practice), None]},
    )
    locked.status = SessionStatus.CANCELLED
    locked.save(update_fields=["status"])
    _sessions_changed([locked.pk])
    locked.delete()


@transaction.atomic
def mark_session(session: Session, *, by: Member, status: str) -> Session:
    """Record that a session that has begun was attended or missed (no-show)."""
    if status not in (SessionStatus.ATTENDED, SessionStatus.NO_SHOW):
        raise ValidationError({"status": _("Mark a session attended or missed.")})
    locked = _locked_session(session, by)
    if locked.status == SessionStatus.CANCELLED:
        raise ValidationError({"status": _("A cancelled session cannot be marked.")})
    if locked.starts_at > timezone.now():
        raise ValidationError({"status": _("A session can be marked once it has begun.")})
    if locked.status == status:
        return locked
    old = locked.get_status_display()
    locked.status = status
    locked.save(update_fields=["status"])
    record_event(
        practice=locked.practice,
        client=locked.client,
        by=by,
        kind=EventKind.SESSION_ATTENDED
        if status == SessionStatus.ATTENDED
        else EventKind.SESSION_MISSED,
        data={"session": locked.pk},
        changes={"status": [old, locked.get_status_display()]},
    )
    return locked


@transaction.atomic
def save_service(
    *, by: Member, name: str, default_duration: int, default_price: Decimal | None,
    service: Service | None = None, is_active: bool = True, unit: str | None = None,
    tax_rate: Decimal | None = None,
) -> Service:  # fmt: skip
    """Create or change one of the practice's services (owner and admin). `unit` and
    `tax_rate` (how it is sold) stay as they are when not given."""
    if not by.can(roles.MANAGE_PRACTICE):
        raise PermissionDenied(_("Your role does not allow this."))
    service = service or Service(practice_id=by.practice_id)
    _same_practice(by.practice_id, service)
    service.name, service.default_duration, service.default_price, service.is_active = (
        name.strip(), default_duration, default_price, is_active,
    )  # fmt: skip
    if unit is not None:
        service.unit = unit.strip()
    if tax_rate is not None:
        service.tax_rate = tax_rate
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def save_room(*, by: Member, name: str, room: Room | None = None, is_active: bool = True) -> Room:
    """Create or change one of the practice's rooms (owner and admin)."""
    if not by.can(roles.MANAGE_PRACTICE):
        raise PermissionDenied(_("Your role does not allow this."))
    room = room or Room(practice_id=by.practice_id)
    _same_practice(by.practice_id, room)
    room.name, room.is_active = name.strip(), is_active
    room.full_clean()
    room.save()
    return room

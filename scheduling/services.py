"""Every operation on the agenda. Pages, the API and the command line call these.

Each checks the actor's rights on the client, keeps to the actor's practice, is atomic, and
writes its event into the client's timeline in the same transaction. Past sessions are
history: they are marked (attended, missed) but never moved.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.models import EventKind
from audit.services import record_event
from clients.models import Client, Status
from clients.services import check_can_change_client
from practices import roles
from practices.models import Member, Practice, Professional
from scheduling.models import CancelledBy, Room, Series, Service, Session, SessionStatus
from scheduling.recurrence import Rule, local_moment, occurrence_dates

MAX_DURATION = datetime.timedelta(hours=12)
# How far ahead the sessions of an open-ended series exist as rows.
SERIES_HORIZON = datetime.timedelta(days=182)


def _same_practice(practice_id: int, *objects) -> None:
    if any(obj is not None and obj.practice_id != practice_id for obj in objects):
        raise PermissionDenied


def _local(moment: datetime.datetime, practice: Practice) -> str:
    return formats.date_format(timezone.localtime(moment, practice.tz), "SHORT_DATETIME_FORMAT")


def _check_free(
    *,
    practice: Practice,
    professional: Professional,
    room: Room | None,
    times: list[tuple[datetime.datetime, datetime.datetime]],
    ignore: Session | None = None,
) -> None:
    """Refuse times that overlap a scheduled session of the same professional or room,
    naming each conflict (one query for all the times of a series). Callers hold the
    professional's (and room's) row lock."""
    if not times:
        return
    taken = Session.objects.filter(
        practice=practice,
        status=SessionStatus.SCHEDULED,
        starts_at__lt=max(end for _, end in times),
        ends_at__gt=min(start for start, _ in times),
    ).filter(Q(professional=professional) | Q(room=room) if room else Q(professional=professional))
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    taken = list(taken.select_related("room").order_by("starts_at"))
    problems: dict[str, list[str]] = {}
    for start, end in times:
        for clash in taken:
            if clash.starts_at < end and clash.ends_at > start:
                when = _local(clash.starts_at, practice)
                if clash.professional_id == professional.pk:
                    problems.setdefault("starts_at", []).append(
                        _("%(who)s already has a session at %(when)s.")
                        % {"who": professional.name, "when": when}
                    )
                else:
                    problems.setdefault("room", []).append(
                        _("%(room)s is taken at %(when)s.") % {"room": clash.room, "when": when}
                    )
                break
    if problems:
        raise ValidationError(problems)


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
) -> Session:
    """A session for an active client; duration and price default to the service's."""
    duration, price = _check_bookable(
        by=by, client=client, professional=professional, service=service, room=room,
        duration=duration, price=price,
    )  # fmt: skip
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
        starts_at=starts_at,
        ends_at=ends_at,
        price=price,
    )
    record_event(
        practice=practice,
        client=client,
        by=by,
        kind=EventKind.SESSION_BOOKED,
        data={"session": session.pk},
        changes={
            "session": [None, _local(starts_at, practice)],
            "professional": [None, professional.name],
            **({"room": [None, room.name]} if room else {}),
        },
    )
    return session


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
    horizon: datetime.timedelta = SERIES_HORIZON,
) -> Series:
    """Recurring sessions at the same local time. Occurrences are made up to the rule's end
    or the horizon (open-ended series grow with the worker). Refused whole, naming every
    clash, if any occurrence overlaps the professional's or the room's sessions."""
    duration, price = _check_bookable(
        by=by, client=client, professional=professional, service=service, room=room,
        duration=duration, price=price,
    )  # fmt: skip
    practice = client.practice
    tz = practice.tz
    through = timezone.localdate(timezone.now(), tz) + horizon
    days = list(occurrence_dates(rule, start_date, through=through))
    if not days:
        raise ValidationError({"start_date": _("This series has no session to book.")})
    times = [(start, start + duration) for start in (local_moment(d, at, tz) for d in days)]
    _check_times(times[0][0], duration)
    _lock(professional, room)
    _check_free(practice=practice, professional=professional, room=room, times=times)
    series = Series.objects.create(
        practice=practice,
        client=client,
        professional=professional,
        service=service,
        room=room,
        start_date=start_date,
        start_time=at,
        duration_minutes=int(duration.total_seconds() // 60),
        price=price,
        frequency=rule.frequency,
        interval=rule.interval,
        count=rule.count,
        until=rule.until,
        materialized_through=days[-1],
    )
    Session.objects.bulk_create(
        Session(
            practice=practice,
            client=client,
            professional=professional,
            service=service,
            room=room,
            series=series,
            starts_at=start,
            ends_at=end,
            price=price,
        )
        for start, end in times
    )
    record_event(
        practice=practice,
        client=client,
        by=by,
        kind=EventKind.SERIES_BOOKED,
        data={"series": series.pk, "sessions": len(times)},
        changes={
            "series": [None, f"{series.get_frequency_display()}, {_local(times[0][0], practice)}"],
            "professional": [None, professional.name],
        },
    )
    return series


def series_rule(series: Series) -> Rule:
    return Rule(series.frequency, series.interval, series.count, series.until)


def _locked_series(series: Series, by: Member) -> Series:
    if series.practice_id != by.practice_id:
        raise PermissionDenied
    locked = (
        Series.objects.select_for_update(of=("self",))
        .select_related("client", "practice", "professional", "service", "room")
        .get(pk=series.pk)
    )
    check_can_change_client(locked.client, by)
    return locked


@transaction.atomic
def pause_series(series: Series, *, by: Member, reason: str = "") -> int:
    """Stop a series for now: its future scheduled sessions are cancelled by the practice
    (the past ones stay as they are). Returns how many were cancelled."""
    locked = _locked_series(series, by)
    if locked.paused_at is not None:
        raise ValidationError({"series": _("This series is already paused.")})
    now = timezone.now()
    cancelled = Session.objects.filter(
        series=locked, status=SessionStatus.SCHEDULED, starts_at__gt=now
    ).update(
        status=SessionStatus.CANCELLED,
        cancelled_by=CancelledBy.PRACTICE,
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
    return cancelled


@transaction.atomic
def resume_series(
    series: Series, *, by: Member, horizon: datetime.timedelta = SERIES_HORIZON
) -> int:
    """Start a paused series again: its occurrences from now on are booked anew, up to the
    horizon, and refused whole (naming each clash) if any overlaps. Returns how many."""
    locked = _locked_series(series, by)
    if locked.paused_at is None:
        raise ValidationError({"series": _("This series is not paused.")})
    duration = datetime.timedelta(minutes=locked.duration_minutes)
    _check_bookable(
        by=by, client=locked.client, professional=locked.professional, service=locked.service,
        room=locked.room, duration=duration, price=locked.price,
    )  # fmt: skip
    practice, now = locked.practice, timezone.now()
    through = timezone.localdate(now, practice.tz) + horizon
    starts = [
        moment
        for moment in (
            local_moment(day, locked.start_time, practice.tz)
            for day in occurrence_dates(series_rule(locked), locked.start_date, through=through)
        )
        if moment > now
    ]
    times = [(start, start + duration) for start in starts]
    _lock(locked.professional, locked.room)
    _check_free(practice=practice, professional=locked.professional, room=locked.room, times=times)
    Session.objects.bulk_create(
        Session(
            practice=practice,
            client=locked.client,
            professional=locked.professional,
            service=locked.service,
            room=locked.room,
            series=locked,
            starts_at=start,
            ends_at=end,
            price=locked.price,
        )
        for start, end in times
    )
    locked.paused_at = None
    if times:
        locked.materialized_through = timezone.localdate(times[-1][0], practice.tz)
    locked.save(update_fields=["paused_at", "materialized_through"])
    record_event(
        practice=practice,
        client=locked.client,
        by=by,
        kind=EventKind.SERIES_RESUMED,
        data={"series": locked.pk, "sessions": len(times)},
        changes={"series": [None, str(locked)]},
    )
    return len(times)


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
    return locked


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
    service: Service | None = None, is_active: bool = True,
) -> Service:  # fmt: skip
    """Create or change one of the practice's services (owner and admin)."""
    if not by.can(roles.MANAGE_PRACTICE):
        raise PermissionDenied(_("Your role does not allow this."))
    service = service or Service(practice_id=by.practice_id)
    _same_practice(by.practice_id, service)
    service.name, service.default_duration, service.default_price, service.is_active = (
        name.strip(), default_duration, default_price, is_active,
    )  # fmt: skip
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

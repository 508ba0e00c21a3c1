"""The agenda in the REST API: services, rooms, sessions and recurring series.

The same access layer (scheduling/access.py) and services (scheduling/services.py) as the
pages. Times go out in UTC with an offset; a time sent without an offset is read in the
practice's time zone. A series' `time` and dates are local to the practice."""

import dataclasses
import datetime
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from api.routes import BODY_ERRORS, ERRORS, Day, Fee, Id, IdIn, Str200, When
from clients.access import get_client_for_member
from pets.models import Animal
from practices.models import Member, Professional
from scheduling.access import (
    get_room_for_member,
    get_series_for_member,
    get_service_for_member,
    get_session_for_member,
    visible_sessions,
)
from scheduling.models import Room, Series, Service, Session, SessionStatus
from scheduling.recurrence import FREQUENCIES, Rule, local_moment
from scheduling.services import (
    SeriesPlan,
    book_series,
    book_session,
    cancel_session,
    change_series,
    delete_session,
    end_series,
    mark_session,
    not_the_clients_animal,
    pause_series,
    remaining_count,
    reschedule_session,
    resume_series,
)

router = Router(tags=["agenda"])

# How many days one GET /sessions may span.
MAX_SPAN = 92

Minutes = Annotated[int, Field(ge=5, le=720), BeforeValidator(lambda v: _whole(v))]
Count = Annotated[int, Field(ge=1, le=520), BeforeValidator(lambda v: _whole(v))]
Interval = Annotated[int, Field(ge=1, le=52), BeforeValidator(lambda v: _whole(v))]
Frequency = Literal[FREQUENCIES]  # type: ignore[valid-type]
HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _whole(value: Any) -> Any:
    if isinstance(value, str | bool):
        raise PydanticCustomError("json_number", _("Input should be a JSON number."))
    return value


def _hhmm(value: Any) -> Any:
    if not isinstance(value, str) or not HHMM.fullmatch(value):
        raise PydanticCustomError("hhmm", _("Enter a time as HH:MM."))
    return value


def _plausible_day(value: datetime.date) -> datetime.date:
    if not 1900 <= value.year <= 9998:
        raise PydanticCustomError("date_range", _("Enter a date between 1900 and 9998."))
    return value


# A series' dates: plausible years only (year 1 would overflow on the way to UTC).
SeriesDay = Annotated[Day, AfterValidator(_plausible_day)]

LocalTime = Annotated[
    datetime.time,
    BeforeValidator(_hhmm),
    WithJsonSchema({"type": "string", "pattern": f"^{HHMM.pattern}$", "example": "18:00"}),
]


class ServiceOut(Schema):
    id: int
    name: str
    default_duration: int
    default_price: Decimal | None
    unit: str = Field(description="How a sale counts the service, such as “h” or “session”.")
    tax_rate: Decimal = Field(description="Percent, 0 to 100.")
    is_active: bool


class RoomOut(Schema):
    id: int
    name: str
    is_active: bool


class SessionOut(Schema):
    id: int
    client: int
    professional: int
    service: int | None
    room: int | None
    series: int | None
    animal: int | None = Field(description="The client's animal (veterinary practices).")
    animal_name: str | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    duration_minutes: int
    price: Decimal | None
    status: str
    cancelled_by: str
    cancel_reason: str


class SeriesOut(Schema):
    id: int
    client: int
    professional: int
    service: int | None
    room: int | None
    animal: int | None = Field(description="The client's animal (veterinary practices).")
    animal_name: str | None
    start_date: datetime.date
    time: str = Field(description="Local time of the practice, HH:MM.")
    duration_minutes: int
    price: Decimal | None
    frequency: str
    interval: int
    count: int | None
    until: datetime.date | None
    paused: bool
    sessions_to_come: list[int]


class SessionIn(Schema):
    client: IdIn
    professional: IdIn
    starts_at: When
    duration_minutes: Minutes | None = Field(None, description="The service's by default.")
    service: IdIn | None = None
    room: IdIn | None = None
    price: Fee | None = Field(None, description="The service's by default.")
    animal: IdIn | None = Field(
        None, description="One of the client's active animals (veterinary practices only)."
    )


class RescheduleIn(Schema):
    starts_at: When
    duration_minutes: Minutes | None = None
    room: IdIn | None = Field(None, description="Omitted: the session keeps its room.")


class SessionCancelIn(Schema):
    cancelled_by: Literal["client", "practice"]
    reason: Str200 = ""


class SessionMarkIn(Schema):
    status: Literal["attended", "no_show"]


class SeriesIn(Schema):
    client: IdIn
    professional: IdIn
    start_date: SeriesDay
    time: LocalTime = Field(description="Local time of the practice, HH:MM.")
    frequency: Frequency
    interval: Interval = 1
    count: Count | None = Field(
        None, description="Ends after this many sessions; neither count nor until: open-ended."
    )
    until: SeriesDay | None = None
    duration_minutes: Minutes | None = None
    service: IdIn | None = None
    room: IdIn | None = None
    price: Fee | None = None
    animal: IdIn | None = Field(
        None, description="One of the client's active animals (veterinary practices only)."
    )


class SeriesChangeIn(Schema):
    """Omitted fields keep the series' values (from `from_session` on)."""

    from_session: IdIn | None = Field(
        None, description="Change this session and the following; omitted: every one to come."
    )
    start_date: SeriesDay | None = None
    time: LocalTime | None = None
    frequency: Frequency | None = None
    interval: Interval | None = None
    count: Count | None = None
    until: SeriesDay | None = None
    duration_minutes: Minutes | None = None
    professional: IdIn | None = None
    service: IdIn | None = None
    room: IdIn | None = None
    price: Fee | None = None
    animal: IdIn | None = Field(None, description="`null`: no animal any more.")


class SeriesPauseIn(Schema):
    reason: Str200 = ""


class SeriesEndIn(Schema):
    from_session: IdIn | None = Field(
        None, description="Remove this session and the following; omitted: every one to come."
    )


class SeriesRemoved(Schema):
    removed: int


def _animal_out(row: Session | Series) -> dict[str, Any]:
    return {
        "animal": row.animal_id,
        "animal_name": row.animal.name if row.animal_id else None,
    }


def session_out(session: Session) -> dict[str, Any]:
    return {
        "id": session.pk,
        "client": session.client_id,
        "professional": session.professional_id,
        "service": session.service_id,
        "room": session.room_id,
        "series": session.series_id,
        **_animal_out(session),
        "starts_at": session.starts_at.astimezone(datetime.UTC),
        "ends_at": session.ends_at.astimezone(datetime.UTC),
        "duration_minutes": int(session.duration.total_seconds() // 60),
        "price": session.price,
        "status": session.status,
        "cancelled_by": session.cancelled_by,
        "cancel_reason": session.cancel_reason,
    }


def series_out(series: Series) -> dict[str, Any]:
    # A series split from another keeps the rule's first date (its anchor) and counts from
    # it; the API shows the series' own first date and what its count is from there.
    first = (
        series.sessions.order_by("occurrence_date")
        .values_list("occurrence_date", flat=True)
        .first()
        or series.start_date
    )
    to_come = series.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now())
    return {
        "id": series.pk,
        "client": series.client_id,
        "professional": series.professional_id,
        "service": series.service_id,
        "room": series.room_id,
        **_animal_out(series),
        "start_date": first,
        "time": f"{series.start_time:%H:%M}",
        "duration_minutes": series.duration_minutes,
        "price": series.price,
        "frequency": series.frequency,
        "interval": series.interval,
        "count": remaining_count(series, first),
        "until": series.until,
        "paused": series.paused_at is not None,
        "sessions_to_come": list(to_come.order_by("starts_at").values_list("pk", flat=True)),
    }


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined]


def _professional(member: Member, pk: int) -> Professional:
    return get_object_or_404(Professional, practice_id=member.practice_id, pk=pk)


def _animal(member: Member, pk: int | None) -> Animal | None:
    """The practice's animal `pk`. Any other id (another practice's too) is refused as the
    booking service refuses another client's animal: 422 on `animal`, the same words."""
    if pk is None:
        return None
    animal = Animal.objects.filter(practice_id=member.practice_id, pk=pk).first()
    if animal is None:
        raise not_the_clients_animal()
    return animal


def _aware(value: datetime.datetime, member: Member) -> datetime.datetime:
    """A time sent without an offset is the practice's wall-clock time."""
    if timezone.is_aware(value):
        return value
    return local_moment(value.date(), value.time(), member.practice.tz)


def _minutes(value: int | None) -> datetime.timedelta | None:
    return datetime.timedelta(minutes=value) if value is not None else None


@router.get("/services", response={200: list[ServiceOut], **ERRORS})
def list_services(request: HttpRequest):
    """The practice's services (approaches), with their default duration and price."""
    return Service.objects.filter(practice_id=_member(request).practice_id)


@router.get("/rooms", response={200: list[RoomOut], **ERRORS})
def list_rooms(request: HttpRequest):
    return Room.objects.filter(practice_id=_member(request).practice_id)


@router.get("/sessions", response={200: list[SessionOut], **ERRORS})
def list_sessions(
    request: HttpRequest,
    start: Day,
    end: Day,
    professional: Id | None = None,
    room: Id | None = None,
    client: Id | None = None,
    status: Literal["scheduled", "attended", "no_show", "cancelled"] | None = None,
):
    """Sessions from `start` to `end` (local dates of the practice, both included, at most
    92 days), in time order; filtered by professional, room, client or status."""
    if not 1900 <= start.year <= 9998:
        raise ValidationError({"start": _("Enter a date between 1900 and 9998.")})
    if not 0 <= (end - start).days < MAX_SPAN:
        raise ValidationError(
            {"end": _("End on or after the start, at most %d days later.") % MAX_SPAN}
        )
    member = _member(request)
    tz = member.practice.tz
    sessions = visible_sessions(member).filter(
        starts_at__gte=datetime.datetime.combine(start, datetime.time(), tz),
        starts_at__lt=datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time(), tz
        ),
    )
    for name, value in (
        ("professional", professional),
        ("room", room),
        ("client", client),
        ("status", status),
    ):
        if value is not None:
            sessions = sessions.filter(**{name: value})
    return [session_out(s) for s in sessions.select_related("animal").order_by("starts_at", "pk")]


@router.post("/sessions", response={201: SessionOut, **BODY_ERRORS})
def create_session(request: HttpRequest, payload: SessionIn):
    """Book a session. A clash with the professional's or the room's sessions is refused
    (422) with a message naming it."""
    member = _member(request)
    session = book_session(
        by=member,
        client=get_client_for_member(member, payload.client, write=True),
        professional=_professional(member, payload.professional),
        starts_at=_aware(payload.starts_at, member),
        duration=_minutes(payload.duration_minutes),
        service=get_service_for_member(member, payload.service) if payload.service else None,
        room=get_room_for_member(member, payload.room) if payload.room else None,
        price=payload.price,
        animal=_animal(member, payload.animal),
    )
    return Status(201, session_out(session))


@router.get("/sessions/{session_id}", response={200: SessionOut, **ERRORS})
def get_session(request: HttpRequest, session_id: Id):
    return session_out(get_session_for_member(_member(request), session_id))


@router.post("/sessions/{session_id}/reschedule", response={200: SessionOut, **BODY_ERRORS})
def reschedule(request: HttpRequest, session_id: Id, payload: RescheduleIn):
    """Move a scheduled session (never a past one)."""
    member = _member(request)
    session = get_session_for_member(member, session_id)
    keep_room = "room" not in payload.model_fields_set
    session = reschedule_session(
        session,
        by=member,
        starts_at=_aware(payload.starts_at, member),
        duration=_minutes(payload.duration_minutes),
        room=get_room_for_member(member, payload.room) if payload.room else None,
        keep_room=keep_room,
    )
    return session_out(session)


@router.post("/sessions/{session_id}/cancel", response={200: SessionOut, **BODY_ERRORS})
def cancel(request: HttpRequest, session_id: Id, payload: SessionCancelIn):
    """Cancel a scheduled session, by the client or by the practice, with a reason."""
    member = _member(request)
    session = get_session_for_member(member, session_id)
    return session_out(
        cancel_session(session, by=member, cancelled_by=payload.cancelled_by, reason=payload.reason)
    )


@router.post("/sessions/{session_id}/mark", response={200: SessionOut, **BODY_ERRORS})
def mark(request: HttpRequest, session_id: Id, payload: SessionMarkIn):
    """Record a session that has begun as attended or missed (no-show)."""
    member = _member(request)
    session = get_session_for_member(member, session_id)
    return session_out(mark_session(session, by=member, status=payload.status))


@router.delete("/sessions/{session_id}", response={204: None, **ERRORS})
def remove_session(request: HttpRequest, session_id: Id):
    """Remove a session still to come (booked by mistake); past sessions are history."""
    member = _member(request)
    delete_session(get_session_for_member(member, session_id), by=member)
    return Status(204, None)


@router.post("/series", response={201: SeriesOut, **BODY_ERRORS})
def create_series(request: HttpRequest, payload: SeriesIn):
    """Book recurring sessions at the same local time: weekly (every `interval` weeks) or
    monthly (same day, or same weekday of the month), ending after `count` sessions, on
    `until`, or open-ended. Refused whole (422) naming every clash."""
    member = _member(request)
    series = book_series(
        by=member,
        client=get_client_for_member(member, payload.client, write=True),
        professional=_professional(member, payload.professional),
        start_date=payload.start_date,
        at=payload.time,
        rule=_rule(payload.frequency, payload.interval, payload.count, payload.until),
        duration=_minutes(payload.duration_minutes),
        service=get_service_for_member(member, payload.service) if payload.service else None,
        room=get_room_for_member(member, payload.room) if payload.room else None,
        price=payload.price,
        animal=_animal(member, payload.animal),
    )
    return Status(201, series_out(series))


def _rule(frequency: str, interval: int, count: int | None, until: datetime.date | None) -> Rule:
    if count is not None and until is not None:
        raise ValidationError(
            {"until": _("End after a number of sessions or on a date, not both.")}
        )
    return Rule(frequency, interval, count, until)


@router.get("/series/{series_id}", response={200: SeriesOut, **ERRORS})
def get_series(request: HttpRequest, series_id: Id):
    return series_out(get_series_for_member(_member(request), series_id))


@router.post("/series/{series_id}/pause", response={200: SeriesOut, **BODY_ERRORS})
def pause(request: HttpRequest, series_id: Id, payload: SeriesPauseIn):
    """Pause: the sessions to come are cancelled by the practice ("series paused")."""
    member = _member(request)
    series = get_series_for_member(member, series_id)
    pause_series(series, by=member, reason=payload.reason)
    series.refresh_from_db()
    return series_out(series)


@router.post("/series/{series_id}/resume", response={200: SeriesOut, **ERRORS})
def resume(request: HttpRequest, series_id: Id):
    """Resume: what the pause cancelled, still to come, is scheduled again."""
    member = _member(request)
    series = get_series_for_member(member, series_id)
    resume_series(series, by=member)
    series.refresh_from_db()
    return series_out(series)


@router.post("/series/{series_id}/change", response={200: SeriesOut, **BODY_ERRORS})
def change(request: HttpRequest, series_id: Id, payload: SeriesChangeIn):
    """Change this session and the following (`from_session`) or every session to come.
    From a session in the middle the series splits: the answer is the new series."""
    member = _member(request)
    series = get_series_for_member(member, series_id)
    start = get_session_for_member(member, payload.from_session) if payload.from_session else None
    plan = SeriesPlan.of(series, start)
    given = payload.model_fields_set
    rule = plan.rule
    if given & {"frequency", "interval", "count", "until"}:
        rule = _rule(
            payload.frequency or rule.frequency,
            payload.interval or rule.interval,
            payload.count if "count" in given else (None if "until" in given else rule.count),
            payload.until if "until" in given else (None if "count" in given else rule.until),
        )
    changes: dict[str, Any] = {"rule": rule}
    if payload.start_date is not None:
        changes["start_date"] = payload.start_date
    if "price" in given:
        changes["price"] = payload.price
    if "time" in given and payload.time is not None:
        changes["at"] = payload.time
    if payload.duration_minutes is not None:
        changes["duration"] = _minutes(payload.duration_minutes)
    if payload.professional is not None:
        changes["professional"] = _professional(member, payload.professional)
    if "service" in given:
        changes["service"] = (
            get_service_for_member(member, payload.service) if payload.service else None
        )
    if "room" in given:
        changes["room"] = get_room_for_member(member, payload.room) if payload.room else None
    if "animal" in given:
        changes["animal"] = _animal(member, payload.animal)
    result = change_series(
        series, by=member, plan=dataclasses.replace(plan, **changes), from_session=start
    )
    return series_out(result)


@router.post("/series/{series_id}/end", response={200: SeriesRemoved, **BODY_ERRORS})
def end(request: HttpRequest, series_id: Id, payload: SeriesEndIn):
    """Remove this session and the following (`from_session`) or every session to come, and
    end the series there; held and cancelled sessions stay as history."""
    member = _member(request)
    series = get_series_for_member(member, series_id)
    start = get_session_for_member(member, payload.from_session) if payload.from_session else None
    return {"removed": end_series(series, by=member, from_session=start)}

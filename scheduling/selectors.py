"""Reading the agenda: the sessions of a range for the agenda pages, the clients a member may
book, a client's sessions and series for the card. Each is a fixed number of queries, however
many sessions there are."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from clients.access import visible_clients
from clients.models import Client, ClientProfessional, Status
from clients.selectors import search
from practices import roles
from practices.models import Member, Professional
from scheduling.models import CancelledBy, Room, Series, Service, Session, SessionStatus
from scheduling.recurrence import local_moment


@dataclass(slots=True)
class AgendaSession:
    """What the agenda shows of a session: read as plain values, not as five model objects
    (session, client, service, room, professional), which a busy week of a large practice
    would make by the thousand."""

    pk: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    series_id: int | None
    client_id: int
    professional_id: int
    room_id: int | None
    client_name: str
    service_name: str | None
    room_name: str | None
    professional_name: str
    # In a veterinary practice, the animal the session is for.
    animal_name: str | None
    # Whether the member may see the client (a professional sees a colleague's session
    # only as a busy time).
    client_visible: bool = True


AGENDA_COLUMNS = (
    "pk", "starts_at", "ends_at", "status", "series_id", "client_id", "professional_id",
    "room_id", "client__full_name", "service__name", "room__name", "professional__name",
    "animal__name",
)  # fmt: skip


def day_start(day: datetime.date, tz) -> datetime.datetime:
    """The aware moment a local day begins (midnight, or the first hour after a gap)."""
    return local_moment(day, datetime.time(0), tz)


def agenda_sessions(
    member: Member,
    *,
    first_day: datetime.date,
    days: int,
    professional: int | None = None,
    room: int | None = None,
    cancelled: bool = True,
) -> list[AgendaSession]:
    """The sessions starting in `days` local days from `first_day`, of one professional, one
    room or the whole practice, in time order: one query, served by the indexes on
    (practice, professional | room, starts_at) or (practice, starts_at).

    Every session comes with `client_visible`: whether `member` may see its client. A
    professional sees a colleague's session only as a busy time (its client's name is not
    theirs to read), and a colleague's cancelled session not at all (it keeps no one busy)."""
    tz = member.practice.tz
    sessions = Session.objects.filter(
        practice_id=member.practice_id,
        starts_at__gte=day_start(first_day, tz),
        starts_at__lt=day_start(first_day + datetime.timedelta(days=days), tz),
    )
    if professional is not None:
        sessions = sessions.filter(professional_id=professional)
    if room is not None:
        sessions = sessions.filter(room_id=room)
    if not cancelled:
        sessions = sessions.exclude(status=SessionStatus.CANCELLED)
    sees_all = member.can(roles.VIEW_ALL_CLIENTS)
    if not sees_all:
        own = getattr(member, "professional", None)
        links = ClientProfessional.objects.filter(client_id=OuterRef("client_id"), professional=own)
        visible = Exists(links) if own is not None else Value(False, output_field=BooleanField())
        sessions = sessions.annotate(client_visible=visible).filter(
            Q(client_visible=True) | ~Q(status=SessionStatus.CANCELLED)
        )
    columns = AGENDA_COLUMNS if sees_all else (*AGENDA_COLUMNS, "client_visible")
    # The joins are those of select_related: the client, and the service, room,
    # professional and animal (outer joins where they may be missing).
    return [
        AgendaSession(*row) for row in sessions.order_by("starts_at", "pk").values_list(*columns)
    ]


def practice_professionals(member: Member) -> list[Professional]:
    return list(
        Professional.objects.filter(practice_id=member.practice_id).only(
            "pk", "name", "title", "is_active", "practice_id"
        )
    )


def practice_rooms(member: Member) -> list[Room]:
    return list(Room.objects.filter(practice_id=member.practice_id))


def practice_services(member: Member) -> list[Service]:
    return list(Service.objects.filter(practice_id=member.practice_id))


def bookable_clients(member: Member, query: str, *, limit: int = 10) -> list[Client]:
    """The active clients `member` may see whose name, code, phone or e-mail matches `query`
    (the client list's search), first `limit` by name. No query, no clients."""
    if not query.strip():
        return []
    clients = search(visible_clients(member).filter(status=Status.ACTIVE), query)
    return list(
        clients.order_by("sort_key", "pk").only(
            "pk", "practice_id", "code", "full_name", "preferred_name", "birth_date", "status"
        )[:limit]
    )


def responsible_professional(member: Member, client: int) -> int | None:
    """The first (by name) active professional responsible for a client: whom a booking
    from the card is with, unless the user chooses otherwise."""
    return (
        ClientProfessional.objects.filter(
            practice_id=member.practice_id, client_id=client, professional__is_active=True
        )
        .order_by("professional__name")
        .values_list("professional_id", flat=True)
        .first()
    )


@dataclass
class ClientAgenda:
    upcoming: list[Session]
    past: list[Session]
    series: list[Series]


def client_agenda(
    client: Client, *, limit: int = 8, now: datetime.datetime | None = None
) -> ClientAgenda:
    """A client's next and last sessions and their recurring series (with how many sessions
    each still has to come): three queries. The caller has checked the client is visible."""
    now = now or timezone.now()
    sessions = Session.objects.filter(practice_id=client.practice_id, client=client)
    sessions = sessions.select_related("professional", "service", "room", "animal")
    upcoming = list(sessions.filter(starts_at__gte=now).order_by("starts_at", "pk")[:limit])
    past = list(sessions.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:limit])
    series = list(
        Series.objects.filter(practice_id=client.practice_id, client=client)
        .select_related("professional", "service", "room")
        .annotate(
            to_come=Count(
                "sessions",
                filter=Q(sessions__status=SessionStatus.SCHEDULED, sessions__starts_at__gt=now),
            )
        )
        .order_by("-created_at", "-pk")
    )
    return ClientAgenda(upcoming=upcoming, past=past, series=series)


def series_sessions_to_come(series: Series, *, now: datetime.datetime | None = None) -> int:
    """How many scheduled sessions of `series` lie ahead (what pausing it cancels)."""
    return Session.objects.filter(
        practice_id=series.practice_id,
        series=series,
        status=SessionStatus.SCHEDULED,
        starts_at__gt=now or timezone.now(),
    ).count()


def series_paused_sessions_to_come(series: Series, *, now: datetime.datetime | None = None):
    """How many sessions the pause of `series` cancelled that are still to come (what
    resuming it schedules again, before it makes the series up to the horizon)."""
    return Session.objects.filter(
        practice_id=series.practice_id,
        series=series,
        status=SessionStatus.CANCELLED,
        cancelled_by=CancelledBy.PAUSE,
        starts_at__gt=now or timezone.now(),
    ).count()


def series_sessions_ahead(series: Series, start: Session | None) -> dict[str, int]:
    """How many scheduled sessions of `series` are still to come: from `start` on
    ("following") and in all ("all"); what ending it there would remove. One query."""
    ahead = Session.objects.filter(
        practice_id=series.practice_id,
        series=series,
        status=SessionStatus.SCHEDULED,
        starts_at__gt=timezone.now(),
    )
    if start is None:
        return {**ahead.aggregate(all=Count("pk")), "following": 0}
    return ahead.aggregate(
        all=Count("pk"), following=Count("pk", filter=Q(starts_at__gte=start.starts_at))
    )


def animal_sessions(*, now: datetime.datetime, limit: int = 3) -> Prefetch:
    """For the card's Animals panel: each animal's next `limit` sessions and its last `limit`,
    as `panel_sessions` in time order, read in one query for all the animals (prefetch it on
    the animals). A window numbers each animal's sessions outwards from `now`, forwards for
    those to come and backwards for the past; the index on (animal, starts_at) serves it."""
    ahead = Q(starts_at__gte=now)
    rank = Window(
        RowNumber(),
        partition_by=[F("animal_id"), ExpressionWrapper(ahead, output_field=BooleanField())],
        # To come: the soonest first. Past: the first key is NULL for all, so the latest first.
        order_by=[
            Case(When(ahead, then=F("starts_at"))).asc(),
            F("starts_at").desc(),
            F("pk").desc(),
        ],
    )
    sessions = (
        Session.objects.annotate(panel_rank=rank)
        .filter(panel_rank__lte=limit)
        .select_related("professional", "service")
        .order_by("starts_at", "pk")
    )
    return Prefetch("sessions", queryset=sessions, to_attr="panel_sessions")

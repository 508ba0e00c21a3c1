"""Agenda data for the page tests, built through the services (the real paths).

`agenda_of(a)` gives practice A a service, a room, a session of each look-alike client next
Monday (Bruno's clients, booked by reception), one of Ana's client, a past session still to
mark, and a weekly series; it is idempotent, so a route builder may call it as often as it
likes. Practice B gets its own look-alike agenda with `agenda_of(b)`.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from clientbook.testing import PracticeWorld
from practices.services import set_user_language
from scheduling.models import Room, Series, Service, Session
from scheduling.recurrence import WEEKLY, Rule
from scheduling.services import book_series, book_session, save_room, save_service

HOUR = datetime.timedelta(hours=1)


def next_monday(world: PracticeWorld, *, weeks: int = 1) -> datetime.date:
    """A Monday at least a few days ahead, in the practice's time zone."""
    today = timezone.localdate(timezone.now(), world.practice.tz)
    return today + datetime.timedelta(days=7 * weeks - today.weekday())


def at(world: PracticeWorld, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=world.practice.tz)


@dataclass
class AgendaWorld:
    service: Service
    room: Room
    monday: datetime.date
    sessions: dict[str, Session] = field(default_factory=dict)
    past: Session | None = None
    series: Series | None = None

    def monday_sessions(self) -> set[int]:
        """The sessions of next Monday: one per client, and the series' first at 18:00."""
        first = self.series.sessions.order_by("starts_at").first()
        return {s.pk for s in self.sessions.values()} | {first.pk}

    def all_sessions(self) -> list[Session]:
        return [*self.sessions.values(), self.past, *self.series.sessions.all()]


def agenda_of(world: PracticeWorld) -> AgendaWorld:
    practice = world.practice
    manager = world.owner
    booker = world.reception or world.owner
    service = Service.objects.filter(practice=practice, name="Psicoterapia").first()
    if service is None:
        service = save_service(
            by=manager, name="Psicoterapia", default_duration=50, default_price=Decimal("200.00")
        )
        save_room(by=manager, name="Sala 1")
    room = Room.objects.get(practice=practice, name="Sala 1")
    monday = next_monday(world)
    result = AgendaWorld(service=service, room=room, monday=monday)
    existing = Session.objects.filter(practice=practice, series=None).select_related("client")
    if existing.exists():
        for session in existing.order_by("starts_at"):
            if session.starts_at < timezone.now():
                result.past = session
            else:
                result.sessions[session.client.full_name] = session
        result.series = Series.objects.get(practice=practice)
        return result
    bruno = world.other_professional
    for hour, (name, client) in enumerate(world.clients.items(), start=9):
        professional = bruno
        if name == "Ana's client":
            professional = world.professional.professional
        result.sessions[client.full_name] = book_session(
            by=booker,
            client=client,
            professional=professional,
            starts_at=at(world, monday, hour),
            service=service,
            room=room if professional == bruno and hour == 9 else None,
        )
    first = next(iter(world.clients.values()))
    result.past = book_session(
        by=booker,
        client=first,
        professional=bruno,
        starts_at=timezone.now() - datetime.timedelta(days=1, hours=2),
        duration=HOUR,
    )
    result.series = book_series(
        by=booker,
        client=first,
        professional=bruno,
        start_date=monday,
        at=datetime.time(18),
        rule=Rule(WEEKLY, count=4),
        duration=HOUR,
    )
    return result


def english(*worlds: PracticeWorld) -> None:
    """The personas read English, so a test can quote the page's words."""
    for world in worlds:
        for member in (world.owner, world.admin, world.reception, world.professional):
            if member is not None:
                set_user_language(member.user, "en")


def text(response) -> str:
    """The page's text with tags and runs of white space collapsed, as a person reads it."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def session_links(response) -> set[int]:
    return {
        int(pk) for pk in re.findall(r'href="/agenda/sessions/(\d+)/', response.content.decode())
    }

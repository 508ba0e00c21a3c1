"""The demo practices' agenda: services, rooms, and a few weeks of history and of sessions
to come, booked through the same services as the pages (so the timeline tells it too)."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from clients.models import Client, Status
from pets.models import Animal
from practices.models import Member, Practice, Role
from scheduling.models import CancelledBy, Series, SessionStatus
from scheduling.recurrence import MONTHLY_WEEKDAY, WEEKLY, Rule
from scheduling.services import (
    book_series,
    book_session,
    cancel_session,
    mark_session,
    save_room,
    save_service,
)

SERVICES = {
    Practice.Kind.THERAPY: [
        ("Psicoterapia individual", 50, "200.00"),
        ("Terapia de casal", 80, "320.00"),
        ("Avaliação psicológica", 60, "250.00"),
    ],
    Practice.Kind.VETERINARY: [
        ("Konsultacja", 30, "150.00"),
        ("Szczepienie", 20, "90.00"),
        ("Zabieg", 60, "400.00"),
    ],
}
ROOMS = {
    Practice.Kind.THERAPY: ["Sala 1", "Sala 2", "Sala Infantil"],
    Practice.Kind.VETERINARY: ["Gabinet 1", "Gabinet 2", "Sala zabiegowa"],
}
HOURS = range(8, 20)
WEEKS_OF_HISTORY = 4


def add_demo_agenda(practice: Practice, rng: random.Random) -> int:
    """Book the practice's regular clients into weekly (or monthly) series that began a few
    weeks ago, mark what was held, and add single sessions. Returns the series booked."""
    owner = Member.objects.get(practice=practice, role=Role.OWNER)
    reception = Member.objects.get(practice=practice, role=Role.RECEPTION)
    services = [
        save_service(by=owner, name=name, default_duration=minutes, default_price=Decimal(price))
        for name, minutes, price in SERVICES.get(practice.kind, SERVICES[Practice.Kind.THERAPY])
    ]
    rooms = [
        save_room(by=owner, name=name)
        for name in ROOMS.get(practice.kind, ROOMS[Practice.Kind.THERAPY])
    ]
    tz = practice.tz
    today = timezone.localdate(timezone.now(), tz)
    monday = today - datetime.timedelta(days=today.weekday(), weeks=WEEKS_OF_HISTORY)
    clients = list(
        Client.objects.filter(practice=practice, status=Status.ACTIVE)
        .prefetch_related("professionals", "animals")
        .order_by("pk")
    )
    # Each weekly slot (weekday, hour) is given once per professional and once per room.
    taken: set[tuple] = set()
    series_made = 0
    for client in rng.sample(clients, k=len(clients) * 2 // 5):
        professional = client.professionals.all()[0]
        slot = _free_slot(rng, taken, professional.pk, rooms)
        if slot is None:
            continue
        weekday, hour, room = slot
        monthly = rng.random() < 0.1
        book_series(
            by=reception,
            client=client,
            professional=professional,
            start_date=monday + datetime.timedelta(days=weekday),
            at=datetime.time(hour, rng.choice((0, 0, 30))) if not monthly else datetime.time(hour),
            rule=Rule(MONTHLY_WEEKDAY if monthly else WEEKLY, count=rng.choice((None, 12, 20))),
            service=services[0] if rng.random() < 0.8 else rng.choice(services),
            room=room,
            animal=_animal(client, rng),
        )
        series_made += 1
    _hold_the_past(practice, reception, rng)
    # A few single sessions this week and next, where the agenda is free.
    for client in rng.sample(clients, k=min(len(clients), 25)):
        professional = client.professionals.all()[0]
        slot = _free_slot(rng, taken, professional.pk, rooms)
        if slot is None:
            continue
        weekday, hour, room = slot
        day = today + datetime.timedelta(days=rng.randint(1, 10))
        day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
        book_session(
            by=reception,
            client=client,
            professional=professional,
            starts_at=datetime.datetime.combine(day, datetime.time(hour), tz),
            service=rng.choice(services),
            room=room,
            animal=_animal(client, rng),
        )
    return series_made


def _animal(client: Client, rng: random.Random) -> Animal | None:
    """One of the client's active animals (a veterinary practice's clients have them)."""
    animals = [a for a in client.animals.all() if a.is_active]
    return rng.choice(animals) if animals else None


def _free_slot(rng: random.Random, taken: set, professional: int, rooms: list):
    for _attempt in range(40):
        weekday, hour, room = rng.randrange(5), rng.choice(HOURS), rng.choice(rooms)
        # An hour and a half apart covers a 50- to 80-minute session starting on the half hour.
        keys = {("p", professional, weekday, hour), ("r", room.pk, weekday, hour)}
        near = {(k[0], k[1], weekday, hour + d) for k in keys for d in (-1, 1)}
        if not (keys | near) & taken:
            taken.update(keys)
            return weekday, hour, room
    return None


def _hold_the_past(practice: Practice, by: Member, rng: random.Random) -> None:
    """What was booked before now happened: mostly attended, some missed or cancelled."""
    now = timezone.now()
    for series in Series.objects.filter(practice=practice).prefetch_related("sessions"):
        for session in series.sessions.all():
            if session.starts_at >= now or session.status != SessionStatus.SCHEDULED:
                continue
            roll = rng.random()
            if roll < 0.05:
                cancel_session(
                    session, by=by, cancelled_by=CancelledBy.CLIENT, reason=_reason(practice, rng)
                )
            else:
                status = SessionStatus.NO_SHOW if roll < 0.12 else SessionStatus.ATTENDED
                mark_session(session, by=by, status=status)


def _reason(practice: Practice, rng: random.Random) -> str:
    if practice.country == "PL":
        return rng.choice(["Choroba", "Wyjazd", "Zmiana planów"])
    return rng.choice(["Doença", "Viagem", "Imprevisto no trabalho"])

"""`{% load animals %}{% client_animals client %}`: the card's animal panel (veterinary only)."""

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import formats, timezone

from billing.models import DEBT_KINDS, DocumentLine
from pets.models import Animal
from practices import roles
from practices.models import Practice
from scheduling.agenda import time_label
from scheduling.models import Session, SessionStatus
from scheduling.selectors import animal_sessions

register = template.Library()

# How many sessions to come, and how many past, the panel lists for each animal; and how
# many of its latest sale lines.
SESSIONS_EACH = 3
SALES_EACH = 3


@dataclass
class SessionLine:
    session: Session
    when: str
    detail: str
    href: str
    to_mark: bool


@dataclass
class AnimalRow:
    animal: Animal
    upcoming: list[SessionLine]
    past: list[SessionLine]
    sales: list[DocumentLine]


def _recent_sale_lines(client, animals: list[Animal]) -> dict[int, list[DocumentLine]]:
    """The last few sale lines of each animal (credit notes included), in one query: the
    client's latest lines that name an animal, grouped here."""
    if not animals:
        return {}
    lines = (
        DocumentLine.objects.filter(
            practice_id=client.practice_id,
            client_id=client.pk,
            animal_id__in=[a.pk for a in animals],
            document__kind__in=DEBT_KINDS,
        )
        .select_related("document")
        .order_by("-issue_date", "-pk")[: SALES_EACH * len(animals) * 4]
    )
    grouped: dict[int, list[DocumentLine]] = {}
    for line in lines:
        shown = grouped.setdefault(line.animal_id, [])
        if len(shown) < SALES_EACH:
            shown.append(line)
    return grouped


def _line(session: Session, tz, *, back: str, now: datetime.datetime) -> SessionLine:
    start = timezone.localtime(session.starts_at, tz)
    details = [session.professional.name]
    if session.service_id:
        details.append(session.service.name)
    return SessionLine(
        session=session,
        when=f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} {time_label(start)}",
        detail=" · ".join(details),
        href=f"{reverse('scheduling:session', args=[session.pk])}?next={back}",
        to_mark=session.status == SessionStatus.SCHEDULED and session.starts_at <= now,
    )


@register.inclusion_tag("pets/_panel.html", takes_context=True)
def client_animals(context, client) -> dict:
    """The owner's animals, active first, each with its next and last few sessions, with add,
    edit, book and mark inactive/active, and its latest sale lines. Only in a veterinary
    practice, where it costs three queries (the animals, their sessions in one prefetch, their
    sale lines; the last two none without animals);
    elsewhere none (the card has the practice)."""
    if client.practice.kind != Practice.Kind.VETERINARY:
        return {"show": False}
    request = context.get("request")
    member = context.get("member") or getattr(request, "member", None)
    now = timezone.now()
    animals = list(client.animals.prefetch_related(animal_sessions(now=now, limit=SESSIONS_EACH)))
    tz = client.practice.tz
    back = quote(reverse("clients:card", args=[client.pk]) + "#client-animals")
    sales = _recent_sale_lines(client, animals)
    rows = []
    for animal in animals:
        lines = [_line(s, tz, back=back, now=now) for s in animal.panel_sessions]
        rows.append(
            AnimalRow(
                animal=animal,
                upcoming=[line for line in lines if line.session.starts_at >= now],
                past=[line for line in reversed(lines) if line.session.starts_at < now],
                sales=sales.get(animal.pk, []),
            )
        )
    can_change = member is not None and member.can(roles.CHANGE_CLIENT)
    return {
        "show": True,
        "client": client,
        "currency": client.practice.currency,
        "rows": rows,
        "any_active": any(a.is_active for a in animals),
        "any_inactive": any(not a.is_active for a in animals),
        "can_change": can_change,
        # Booking needs an active owner, as on the card's sessions panel.
        "can_book": can_change and client.is_active,
        "book_url": reverse("scheduling:book"),
        "back": back,
        "csrf_token": context.get("csrf_token"),
    }

"""The client card's sessions panel: `{% load agenda %}{% client_sessions client %}`."""

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import formats, timezone

from clients.models import Client
from practices import roles
from scheduling import selectors
from scheduling.agenda import series_summary, time_label
from scheduling.models import Series, Session, SessionStatus

register = template.Library()


@dataclass
class Line:
    session: Session
    when: str
    detail: str
    href: str
    to_mark: bool = False


def _line(session: Session, tz, *, back: str, now: datetime.datetime) -> Line:
    start = timezone.localtime(session.starts_at, tz)
    details = [session.professional.name]
    if session.animal_id:  # a veterinary practice's: the animal comes first
        details.insert(0, session.animal.name)
    if session.service_id:
        details.append(session.service.name)
    if session.room_id:
        details.append(session.room.name)
    return Line(
        session=session,
        when=f"{formats.date_format(start, 'D')} {formats.date_format(start, 'SHORT_DATE_FORMAT')}"
        f" {time_label(start)}",
        detail=" · ".join(details),
        href=f"{reverse('scheduling:session', args=[session.pk])}?next={back}",
        to_mark=session.status == SessionStatus.SCHEDULED and session.starts_at <= now,
    )


@dataclass
class SeriesLine:
    series: Series
    summary: str
    to_come: int
    action: str  # pause, or resume
    change: str
    end: str


@register.inclusion_tag("scheduling/_client_sessions.html", takes_context=True)
def client_sessions(context, client: Client) -> dict:
    """The client's next and last sessions and recurring series, with "Book a session" and
    each series' pause or resume: three queries (see selectors.client_agenda)."""
    request = context["request"]
    member = request.member
    now = timezone.now()
    agenda = selectors.client_agenda(client, now=now)
    tz = client.practice.tz
    card = reverse("clients:card", args=[client.pk])
    back = quote(card)
    can_change = member.can(roles.CHANGE_CLIENT)
    series = []
    for item in agenda.series:
        name = "scheduling:series_resume" if item.paused_at else "scheduling:series_pause"
        series.append(
            SeriesLine(
                series=item,
                summary=series_summary(item),
                to_come=item.to_come,
                action=f"{reverse(name, args=[item.pk])}?next={back}",
                change=f"{reverse('scheduling:series_change', args=[item.pk])}?next={back}",
                end=f"{reverse('scheduling:series_end', args=[item.pk])}?next={back}",
            )
        )
    return {
        "client": client,
        "upcoming": [_line(s, tz, back=back, now=now) for s in agenda.upcoming],
        "past": [_line(s, tz, back=back, now=now) for s in agenda.past],
        "series": series,
        "can_change": can_change,
        "can_book": can_change and client.is_active,
        "book_url": f"{reverse('scheduling:book')}?client={client.pk}&next={back}",
    }

"""The client card's sessions: the next ones, the last ones, the recurring series with
pause or resume, and "Book a session"; three queries however many sessions."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientbook.testing import logged_in
from clients.models import Status
from clients.services import change_status
from scheduling.models import SessionStatus
from scheduling.services import book_session, mark_session, pause_series
from scheduling.tests.helpers import agenda_of, at, english


@pytest.fixture
def world(a, b):
    english(a, b)
    return agenda_of(a)


def panel(response) -> str:
    html = response.content.decode()
    found = re.search(r'<section class="panel client-sessions".*?</section>', html, re.S)
    assert found, "no sessions panel"
    return re.sub(r"\s+", " ", found[0])


def card(client) -> str:
    return reverse("clients:card", args=[client.pk])


def test_the_card_lists_the_next_and_last_sessions_and_the_series(a, world):
    client = a.clients["João da Silva"]
    mark_session(world.past, by=a.reception, status=SessionStatus.ATTENDED)
    html = panel(logged_in(a.reception).get(card(client)))
    monday = world.monday.isoformat()
    assert f"Mon {monday} 09:00" in html
    assert f"Mon {monday} 18:00" in html  # the series' first session
    assert "Bruno Brito · Psicoterapia · Sala 1" in html
    assert "Attended" in html  # the past one
    assert f"Weekly · Monday 18:00 · from {monday} · 4 sessions" in html
    assert "4 to come" in html
    back = "?next=/clients/"
    assert f'href="/agenda/sessions/{world.past.pk}/{back}{client.pk}/"' in html
    assert f'href="/agenda/series/{world.series.pk}/pause/{back}{client.pk}/"' in html
    assert f'href="/agenda/book/?client={client.pk}&amp;next=/clients/{client.pk}/"' in html


def test_a_past_session_not_yet_marked_says_so(a, world):
    html = panel(logged_in(a.reception).get(card(a.clients["João da Silva"])))
    assert "To mark" in html


def test_a_paused_series_offers_to_resume(a, world):
    pause_series(world.series, by=a.reception)
    html = panel(logged_in(a.reception).get(card(a.clients["João da Silva"])))
    assert "Paused" in html
    assert f"/agenda/series/{world.series.pk}/resume/" in html


def test_an_inactive_client_is_not_offered_a_booking(a, world):
    client = a.clients["Zoë Ødegaard"]
    change_status([client], by=a.owner, status=Status.INACTIVE)
    html = panel(logged_in(a.reception).get(card(client)))
    assert "/agenda/book/" not in html
    assert "Only active clients can be booked." in html


def test_a_client_without_sessions(a, world):
    client = a.clients["Émilie Tremblay"]
    for session in world.sessions.values():
        if session.client == client:
            session.delete()
    html = panel(logged_in(a.reception).get(card(client)))
    assert "No sessions booked." in html
    assert "No past sessions." in html


def card_queries(member, client) -> int:
    http = logged_in(member)
    http.get(card(client))
    with CaptureQueriesContext(connection) as queries:
        assert http.get(card(client)).status_code == 200
    return len(queries)


def test_the_panel_takes_the_same_queries_with_one_session_or_thirty(a, world):
    client = a.clients["Zoë Ødegaard"]
    few = card_queries(a.reception, client)
    for day in range(30):
        book_session(
            by=a.reception,
            client=client,
            professional=a.professional.professional,
            starts_at=at(a, world.monday + datetime.timedelta(days=day - 15), 7),
        )
    assert card_queries(a.reception, client) == few

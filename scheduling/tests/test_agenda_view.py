"""The agenda page: day and week, per professional, per room and for the whole practice, in
the practice's time zone; who sees which names; what it costs."""

import datetime
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientbook.testing import LOOKALIKE_NAMES, logged_in, make_client
from pets.services import add_animal
from practices.services import set_user_language
from scheduling.models import CancelledBy, SessionStatus
from scheduling.services import book_session, cancel_session, mark_session, save_room
from scheduling.tests.helpers import agenda_of, at, english, next_monday, session_links, text

AGENDA = reverse("scheduling:agenda")


@pytest.fixture
def world(a, b):
    english(a, b)
    return agenda_of(a)


def get(member, **params):
    return logged_in(member).get(AGENDA, params)


def column(response, key: str) -> str:
    """The HTML of one column of the time grid (a professional "p<id>", a room "r<id>", or a
    day "YYYY-MM-DD")."""
    html = response.content.decode()
    found = re.search(rf'<section [^>]*data-column="{key}".*?</section>', html, re.S)
    assert found, f"no column {key}"
    return found[0]


def columns(response) -> list[str]:
    return re.findall(r'data-column="([^"]+)"', response.content.decode())


# What the agenda shows.


def test_the_day_of_the_practice_has_a_column_per_professional(a, world):
    response = get(a.reception, view="day", date=world.monday.isoformat())
    assert response.status_code == 200
    ana, bruno = a.professional.professional, a.other_professional
    assert columns(response) == [f"p{ana.pk}", f"p{bruno.pk}"]  # by name
    assert "Conceição Araújo" in column(response, f"p{ana.pk}")
    for name in LOOKALIKE_NAMES:
        assert name in column(response, f"p{bruno.pk}")
    assert session_links(response) == world.monday_sessions()


def test_the_week_of_a_professional_shows_each_session_on_its_local_day_and_time(a, world):
    bruno = a.other_professional
    response = get(
        a.reception, view="week", date=world.monday.isoformat(), scope=f"professional-{bruno.pk}"
    )
    assert len(columns(response)) == 7
    monday = column(response, world.monday.isoformat())
    # Stored in UTC (21:00), shown at 18:00 in São Paulo: the series' first session.
    assert '<span class="when">18:00</span>' in monday
    assert "at-h11 at-m0" in monday  # 18:00 is 11 hours after the grid's 07:00
    assert "Conceição Araújo" not in text(response)  # Ana's client, Ana's agenda


def test_a_late_session_is_on_its_local_day_and_widens_the_hours(a, world):
    # 22:30 in São Paulo is 01:30 UTC the next day.
    tuesday = world.monday + datetime.timedelta(days=1)
    book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.other_professional,
        starts_at=at(a, tuesday, 22, 30),
        duration=datetime.timedelta(minutes=60),
    )
    response = get(
        a.reception,
        view="week",
        date=tuesday.isoformat(),
        scope=f"professional-{a.other_professional.pk}",
    )
    assert "Zoë Ødegaard" in column(response, tuesday.isoformat())
    assert "Zoë Ødegaard" not in column(
        response, (tuesday + datetime.timedelta(days=1)).isoformat()
    )
    grid = response.context["grid"]
    assert (grid.first_hour, grid.last_hour) == (7, 24)


def test_an_early_session_widens_the_hours_the_other_way(a, world):
    book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.professional.professional,
        starts_at=at(a, world.monday, 6, 15),
    )
    grid = get(a.reception, view="day", date=world.monday.isoformat()).context["grid"]
    assert (grid.first_hour, grid.last_hour) == (6, 21)
    assert grid.hours[0] == "06:00"


def test_statuses_are_drawn_distinctly_and_cancelled_sessions_can_be_hidden(a, world):
    cancelled = world.sessions["João da Silva"]
    cancel_session(cancelled, by=a.reception, cancelled_by=CancelledBy.CLIENT, reason="Doente")
    day = world.monday.isoformat()
    response = get(a.reception, view="day", date=day)
    html = response.content.decode()
    block = re.search(rf'<a class="([^"]+)" href="/agenda/sessions/{cancelled.pk}/', html)
    assert "st-cancelled" in block[1]
    assert "Cancelled" in column(response, f"p{a.other_professional.pk}")
    assert 'href="/agenda/?view=day&amp;date=' + day in html  # the toggle keeps the page
    hidden = get(a.reception, view="day", date=day, cancelled="hide")
    assert cancelled.pk not in session_links(hidden)
    assert "Show cancelled" in text(hidden)
    # Navigating keeps them hidden.
    assert "cancelled=hide" in hidden.context["nav"]["next"]


def test_held_and_missed_sessions_are_marked_on_the_grid(a, world):
    past = world.past
    mark_session(past, by=a.reception, status=SessionStatus.NO_SHOW)
    day = (past.starts_at.astimezone(a.practice.tz)).date()
    response = get(a.reception, view="day", date=day.isoformat())
    html = column(response, f"p{a.other_professional.pk}")
    assert "st-no_show" in html
    assert "Missed (no-show)" in html


def test_the_agenda_of_a_room_shows_only_its_sessions(a, world):
    response = get(
        a.reception, view="day", date=world.monday.isoformat(), scope=f"room-{world.room.pk}"
    )
    in_room = {s.pk for s in world.sessions.values() if s.room_id == world.room.pk}
    assert in_room
    assert session_links(response) == in_room
    assert response.context["scope_name"] == "Sala 1"


def test_the_practice_by_room_has_a_column_per_room_and_one_for_sessions_without(a, world):
    save_room(by=a.owner, name="Sala 2")
    response = get(a.reception, view="day", date=world.monday.isoformat(), scope="rooms")
    keys = columns(response)
    assert keys[0] == f"r{world.room.pk}"
    assert len(keys) == 3
    assert keys[-1] == "r-none"
    assert "No room" in text(response)
    # On a room's column the block names the professional instead of the room.
    assert "Bruno Brito" in column(response, f"r{world.room.pk}")


def test_the_week_of_the_practice_is_a_table_of_professionals_and_days(a, world):
    response = get(a.reception, view="week", date=world.monday.isoformat(), scope="all")
    assert response.context["grid"] is None
    table = response.context["table"]
    assert [row.label for row in table.rows] == ["Ana Analyst", "Bruno Brito"]
    monday_cell = next(c for c in table.rows[1].cells if c.day == world.monday)
    # Bruno's Monday: the four look-alike clients, then the series at 18:00.
    assert [chip.time for chip in monday_cell.chips] == [
        "09:00",
        "10:00",
        "11:00",
        "12:00",
        "18:00",
    ]
    html = response.content.decode()
    assert html.count('class="cell-add"') == 14


def test_previous_next_today_and_go_to_date(a, world):
    day = world.monday
    response = get(a.reception, view="week", date=day.isoformat(), scope="all")
    nav = response.context["nav"]

    def date_of(url: str) -> str:
        return parse_qs(urlparse(url).query)["date"][0]

    assert date_of(nav["previous"]) == (day - datetime.timedelta(days=7)).isoformat()
    assert date_of(nav["next"]) == (day + datetime.timedelta(days=7)).isoformat()
    assert parse_qs(urlparse(nav["day"]).query)["view"] == ["day"]
    html = response.content.decode()
    assert '<input id="agenda-date" type="date" name="date"' in html
    assert f'value="{day.isoformat()}"' in html


def test_a_week_starts_on_the_day_the_users_language_starts_it(a, world):
    # English (as the formats here say): Monday. Brazilian Portuguese: Sunday.
    response = get(a.reception, view="week", date=world.monday.isoformat(), scope="all")
    assert response.context["table"].days[0].day == world.monday
    set_user_language(a.reception.user, "pt-br")
    response = get(a.reception, view="week", date=world.monday.isoformat(), scope="all")
    assert response.context["table"].days[0].day == world.monday - datetime.timedelta(days=1)


def test_a_free_slot_links_to_the_booking_form_with_its_professional_date_and_time(a, world):
    bruno = a.other_professional
    response = get(a.reception, view="day", date=world.monday.isoformat())
    html = column(response, f"p{bruno.pk}")
    href = re.search(r'<a class="slot at-h7 at-m30" href="([^"]+)"', html)[1].replace("&amp;", "&")
    url = urlparse(href)
    assert url.path == reverse("scheduling:book")
    query = parse_qs(url.query)
    assert query["date"] == [world.monday.isoformat()]
    assert query["time"] == ["14:30"]
    assert query["professional"] == [str(bruno.pk)]
    assert query["next"][0].startswith("/agenda/?view=day")


def test_an_unknown_view_scope_or_date_falls_back_to_the_default(a, world):
    response = get(a.reception, view="year", date="2026-02-31", scope="professional-999999")
    assert response.status_code == 200
    assert response.context["params"].view == "day"
    assert response.context["params"].scope.kind == "all"


# Who sees what.


def test_a_professional_opens_their_own_week_by_default(a, world):
    response = logged_in(a.professional).get(AGENDA)
    params = response.context["params"]
    assert (params.view, params.scope.pk) == ("week", a.professional.professional.pk)


def test_a_professional_sees_a_colleagues_sessions_only_as_busy(a, world):
    response = get(a.professional, view="day", date=world.monday.isoformat(), scope="all")
    page = text(response)
    assert "Conceição Araújo" in page  # their own client
    for name in LOOKALIKE_NAMES:
        assert name not in page
    assert session_links(response) == {world.sessions["Conceição Araújo"].pk}
    bruno = column(response, f"p{a.other_professional.pk}")
    assert bruno.count("Busy") == 5  # four sessions and the series' first
    assert "Psicoterapia" not in bruno


def test_a_professional_sees_the_names_of_clients_they_share_with_a_colleague(a, world):
    shared = make_client(
        a.reception,
        "Shared Client",
        professionals=[a.other_professional, a.professional.professional],
    )
    book_session(
        by=a.reception,
        client=shared,
        professional=a.other_professional,
        starts_at=at(a, world.monday, 16),
    )
    response = get(a.professional, view="day", date=world.monday.isoformat(), scope="all")
    assert "Shared Client" in column(response, f"p{a.other_professional.pk}")


def test_a_professional_does_not_see_a_colleagues_cancelled_sessions(a, world):
    session = world.sessions["João da Silva"]
    cancel_session(session, by=a.reception, cancelled_by=CancelledBy.PRACTICE)
    response = get(a.professional, view="day", date=world.monday.isoformat(), scope="all")
    assert column(response, f"p{a.other_professional.pk}").count("Busy") == 4


def test_another_practice_sees_only_its_own_agenda(a, b, world):
    agenda_of(b)
    for params in (
        {"view": "day", "date": world.monday.isoformat()},
        {"view": "week", "date": world.monday.isoformat(), "scope": "all"},
        {
            "view": "week",
            "date": world.monday.isoformat(),
            "scope": f"professional-{a.other_professional.pk}",
        },
        {"view": "day", "date": world.monday.isoformat(), "scope": f"room-{world.room.pk}"},
    ):
        response = get(b.owner, **params)
        assert response.status_code == 200
        shown = session_links(response)
        assert shown, params
        assert not shown & {s.pk for s in world.all_sessions()}, params
        assert "Ana Analyst" not in text(response)


# What it costs.


def agenda_queries(member, **params) -> int:
    http = logged_in(member)
    http.get(AGENDA, params)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert http.get(AGENDA, params).status_code == 200
    return len(queries)


def crowd(a, day: datetime.date, count: int) -> None:
    """`count` more sessions that day, of clients Ana shares with nobody."""
    for i in range(count):
        client = make_client(a.reception, f"Extra {i}", professionals=[a.other_professional])
        book_session(
            by=a.reception,
            client=client,
            professional=a.other_professional if i % 2 else a.professional.professional,
            starts_at=at(a, day + datetime.timedelta(days=i % 5), 7, 0)
            + datetime.timedelta(minutes=10 * (i // 5)),
            duration=datetime.timedelta(minutes=5),
        )


# The agenda's queries: the session, the user, the memberships (middleware), the
# professionals, the rooms, and the sessions of the range with their client, service, room
# and professional, whatever the number of sessions.
AGENDA_QUERIES = 6


@pytest.mark.parametrize(
    "params",
    [
        {"view": "day"},
        {"view": "week", "scope": "all"},
        {"view": "week", "scope": "rooms"},
        {"view": "week", "scope": "professional"},
    ],
)
@pytest.mark.parametrize("role", ["reception", "professional"])
def test_the_agenda_takes_the_same_queries_with_few_sessions_or_many(a, world, params, role):
    params = {"date": world.monday.isoformat(), **params}
    if params.get("scope") == "professional":
        params["scope"] = f"professional-{a.other_professional.pk}"
    member = a.member(role)
    few = agenda_queries(member, **params)
    crowd(a, world.monday, 40)
    assert agenda_queries(member, **params) == few == AGENDA_QUERIES


# Daylight-saving time.


def test_a_session_keeps_its_wall_clock_place_on_the_day_clocks_change(a, world):
    # Toronto moves its clocks forward at 02:00 on 14 March 2027: that day has 23 hours,
    # and a 09:00 session is still drawn at 09:00 (the day's first hour is 07:00).
    type(a.practice).objects.filter(pk=a.practice.pk).update(time_zone="America/Toronto")
    a.practice.refresh_from_db()
    day = datetime.date(2027, 3, 14)
    for hour in (9, 1):
        book_session(
            by=a.reception,
            client=a.clients["Zoë Ødegaard"],
            professional=a.other_professional,
            starts_at=at(a, day, hour),
        )
    response = get(
        a.reception,
        view="day",
        date=day.isoformat(),
        scope=f"professional-{a.other_professional.pk}",
    )
    html = column(response, day.isoformat())
    assert html.count("Zoë Ødegaard") == 2
    assert response.context["grid"].first_hour == 1  # widened for the 01:00 session
    assert '<span class="when">09:00</span>' in html
    assert "at-h8 at-m0" in html  # 09:00 is 8 hours after 01:00, on the wall clock
    # The day before and the day after show neither.
    for other in (day - datetime.timedelta(days=1), day + datetime.timedelta(days=1)):
        response = get(
            a.reception,
            view="day",
            date=other.isoformat(),
            scope=f"professional-{a.other_professional.pk}",
        )
        assert "Zoë Ødegaard" not in text(response)


def test_names_are_escaped_on_the_grid_and_in_the_week_table(a, world):
    client = make_client(
        a.reception, '<script>alert("x")</script> & Co', professionals=[a.other_professional]
    )
    book_session(
        by=a.reception,
        client=client,
        professional=a.other_professional,
        starts_at=at(a, world.monday, 16),
    )
    for params in ({"view": "day"}, {"view": "week", "scope": "all"}):
        html = get(a.reception, date=world.monday.isoformat(), **params).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html


def test_a_veterinary_agenda_names_the_animal_next_to_the_client(b):
    english(b)
    joao = b.clients["João da Silva"]
    rex = add_animal(by=b.owner, client=joao, name="Rex <3", species="dog")
    monday = next_monday(b)
    book_session(
        by=b.reception, client=joao, professional=b.other_professional,
        starts_at=at(b, monday, 10), animal=rex,
    )  # fmt: skip
    day = get(b.reception, view="day", date=monday.isoformat())
    assert (
        '<strong class="who">João da Silva</strong> <span class="animal">(Rex &lt;3)</span>'
        in column(day, f"p{b.other_professional.pk}")
    )
    week = get(b.reception, view="week", date=monday.isoformat(), scope="all")
    assert "João da Silva (Rex &lt;3)" in week.content.decode()

"""The agenda as reception uses it: book a free slot from the week, book a weekly series
from the card and find its sessions, cancel one with a reason; a clash named in the form;
the week as a day list on a phone; no console errors."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from scheduling.models import CancelledBy, Series, Session, SessionStatus
from scheduling.recurrence import WEEKLY, Rule
from scheduling.services import book_series, book_session, save_room, save_service


def next_monday(a) -> datetime.date:
    today = timezone.localdate(timezone.now(), a.practice.tz)
    return today + datetime.timedelta(days=7 - today.weekday())


def at(a, day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=a.practice.tz)


@pytest.fixture
def therapy(a):
    return save_service(
        by=a.owner, name="Psicoterapia", default_duration=50, default_price=Decimal("200.00")
    )


def show(page: Page, whose: str) -> None:
    """Chooses whose agenda to show (the select submits itself)."""
    with page.expect_navigation():
        page.get_by_label("Whose agenda").select_option(label=whose)


@pytest.mark.browser
def test_reception_books_a_free_slot_of_the_week_and_sees_it_there(log_in, page: Page, a, therapy):
    monday = next_monday(a)
    bruno = a.other_professional
    log_in(a.reception)
    page.get_by_role("link", name="Agenda", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    show(page, "Bruno Brito")
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_role("link", name="Next week").click()
    page.wait_for_url(f"**date={monday.isoformat()}**")

    # 10:00 on Monday: the seventh half hour from 07:00.
    page.locator(f"section[data-column='{monday.isoformat()}'] a.slot").nth(6).click()
    dialog = page.get_by_role("dialog", name="Book a session")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Start")).to_have_value("10:00")
    expect(dialog.get_by_role("textbox", name="Date", exact=True)).to_have_value(monday.isoformat())
    expect(dialog.get_by_label("Professional")).to_have_value(str(bruno.pk))

    dialog.get_by_role("searchbox").press_sequentially("odeg")
    choice = dialog.get_by_role("radio", name=re.compile("Zoë Ødegaard"))
    choice.check()
    dialog.get_by_label("Service").select_option(label="Psicoterapia")
    expect(dialog.get_by_label("Duration (minutes)")).to_have_value("50")
    expect(dialog.get_by_label("Price")).to_have_value("200.00")
    dialog.get_by_role("button", name="Book", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        "Session booked: Zoë Ødegaard with Bruno Brito"
    )
    expect(page.get_by_role("dialog")).to_be_hidden()
    column = page.locator(f"section[data-column='{monday.isoformat()}']")
    block = column.locator("a.block", has_text="Zoë Ødegaard")
    expect(block).to_contain_text("10:00")
    expect(block).to_contain_text("Psicoterapia")
    session = Session.objects.get(client=a.clients["Zoë Ødegaard"])
    assert session.starts_at == at(a, monday, 10)
    assert session.professional == bruno
    assert session.price == Decimal("200.00")


@pytest.mark.browser
def test_a_clash_is_named_in_the_dialog_and_what_was_typed_stays(log_in, page: Page, a):
    monday = next_monday(a)
    book_session(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        starts_at=at(a, monday, 10),
    )
    log_in(a.reception)
    page.goto(page.url.replace("/clients/", f"/agenda/?view=day&date={monday.isoformat()}"))
    bruno = page.locator(f"section[data-column='p{a.other_professional.pk}']")
    bruno.locator("a.slot").nth(8).click()  # 11:00, free
    dialog = page.get_by_role("dialog", name="Book a session")
    dialog.get_by_role("searchbox").press_sequentially("tremblay")
    dialog.get_by_role("radio", name=re.compile("Émilie Tremblay")).check()
    dialog.get_by_label("Start").fill("10:30")
    dialog.get_by_role("button", name="Book", exact=True).click()
    expect(
        dialog.get_by_text(re.compile(r"Bruno Brito already has a session at .* 10:00"))
    ).to_be_visible()
    expect(dialog.get_by_label("Start")).to_have_value("10:30")
    expect(dialog.get_by_role("radio", name=re.compile("Émilie Tremblay"))).to_be_checked()
    assert Session.objects.count() == 1


@pytest.mark.browser
def test_a_weekly_series_booked_from_the_card_shows_in_the_card_and_the_week(
    log_in, live_server, page: Page, a
):
    client = a.clients["João da Silva"]
    room = save_room(by=a.owner, name="Sala 1")
    monday = next_monday(a)
    log_in(a.reception)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_role("region", name="Sessions").get_by_role("link", name="Book a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a session")
    expect(page.get_by_role("radio", name=re.compile("João da Silva"))).to_be_checked()
    page.get_by_label("Professional").select_option(label="Bruno Brito")
    page.get_by_label("Room").select_option(label="Sala 1")
    page.get_by_role("textbox", name="Date", exact=True).fill(monday.isoformat())
    page.get_by_label("Start").fill("18:00")
    page.get_by_label("Repeats").select_option(label="Weekly")
    page.get_by_label("After a number of sessions").check()
    page.get_by_role("spinbutton", name="Number of sessions").fill("4")
    page.get_by_role("button", name="Book", exact=True).click()

    page.wait_for_url(f"**/clients/{client.pk}/")
    expect(page.get_by_role("status")).to_contain_text("4 sessions booked: João da Silva")
    panel = page.get_by_role("region", name="Sessions")
    upcoming = panel.locator(".session-lines").first.locator("li")
    expect(upcoming).to_have_count(4)
    expect(upcoming.first).to_contain_text(f"{monday.isoformat()} 18:00")
    expect(panel.locator(".series-lines")).to_contain_text("Weekly · Monday 18:00")
    series = Series.objects.get(client=client)
    assert (series.count, series.room) == (4, room)

    # From a session to the professional's week: the series is there, and the week after.
    upcoming.first.get_by_role("link").click()
    page.get_by_role("link", name="Week of the professional").click()
    for week in range(2):
        day = monday + datetime.timedelta(weeks=week)
        block = page.locator(f"section[data-column='{day.isoformat()}'] a.block")
        expect(block).to_contain_text("João da Silva")
        expect(block).to_contain_text("18:00")
        page.get_by_role("link", name="Next week").click()


@pytest.mark.browser
def test_reception_cancels_a_session_with_a_reason_from_the_agenda(log_in, page: Page, a):
    monday = next_monday(a)
    session = book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.other_professional,
        starts_at=at(a, monday, 15),
    )
    log_in(a.reception)
    page.goto(page.url.replace("/clients/", f"/agenda/?view=day&date={monday.isoformat()}"))
    page.locator("a.block", has_text="Zoë Ødegaard").click()
    dialog = page.get_by_role("dialog", name="Session")
    expect(dialog).to_contain_text("Zoë Ødegaard")
    expect(dialog).to_contain_text("15:00–15:50")
    dialog.get_by_role("link", name="Cancel session").click()
    dialog = page.get_by_role("dialog", name="Cancel the session")
    dialog.get_by_label("By the client").check()
    dialog.get_by_label("Reason").fill("Doente")
    dialog.get_by_role("button", name="Cancel the session").click()

    expect(page.get_by_role("status")).to_contain_text("Session of Zoë Ødegaard on ")
    expect(page.locator("a.block", has_text="Zoë Ødegaard")).to_have_class(
        re.compile("st-cancelled")
    )
    session.refresh_from_db()
    assert (session.status, session.cancelled_by, session.cancel_reason) == (
        SessionStatus.CANCELLED,
        CancelledBy.CLIENT,
        "Doente",
    )
    # Hidden on request, and the time is free again.
    page.get_by_role("link", name="Hide cancelled").click()
    expect(page.locator("a.block", has_text="Zoë Ødegaard")).to_have_count(0)


@pytest.mark.browser
def test_on_a_phone_the_week_is_a_list_of_days(log_in, page: Page, a):
    monday = next_monday(a)
    book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.other_professional,
        starts_at=at(a, monday + datetime.timedelta(days=2), 9),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(a.reception)
    page.goto(
        page.url.replace(
            "/clients/",
            f"/agenda/?view=week&date={monday.isoformat()}&scope=professional-{a.other_professional.pk}",
        )
    )
    days = page.locator("section.agenda-col")
    expect(days).to_have_count(7)
    first, third = days.nth(0).bounding_box(), days.nth(2).bounding_box()
    assert third["y"] > first["y"] + first["height"]  # one under the other
    assert first["width"] > 300
    expect(days.nth(0)).to_contain_text("No sessions.")
    expect(days.nth(2).locator("a.block")).to_contain_text("09:00 Zoë Ødegaard")
    expect(page.locator(".gutter")).to_be_hidden()


@pytest.mark.browser
def test_the_agenda_pages_log_nothing_in_the_console(log_in, page: Page, a, therapy):
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    monday = next_monday(a)
    session = book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.other_professional,
        starts_at=at(a, monday, 9),
    )
    log_in(a.owner)
    base = page.url.replace("/clients/", "")
    for path in [
        f"/agenda/?view=day&date={monday.isoformat()}",
        f"/agenda/?view=week&date={monday.isoformat()}&scope=all",
        f"/agenda/?view=week&date={monday.isoformat()}&scope=rooms",
        f"/agenda/book/?client={session.client_id}",
        f"/agenda/sessions/{session.pk}/",
        "/agenda/services/",
        "/agenda/rooms/",
        f"/clients/{session.client_id}/",
    ]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
    page.goto(base + f"/agenda/?view=day&date={monday.isoformat()}")
    page.locator("a.block").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert problems == []


@pytest.mark.browser
def test_reception_moves_one_session_of_a_weekly_series(log_in, page: Page, a):
    monday = next_monday(a)
    series = book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=monday,
        at=datetime.time(18),
        rule=Rule(WEEKLY, count=3),
    )
    second = series.sessions.order_by("starts_at")[1]
    week = monday + datetime.timedelta(weeks=1)
    log_in(a.reception)
    page.goto(
        page.url.replace(
            "/clients/",
            f"/agenda/?view=week&date={week.isoformat()}&scope=professional-{a.other_professional.pk}",
        )
    )
    page.locator(f"section[data-column='{week.isoformat()}'] a.block").click()
    dialog = page.get_by_role("dialog", name="Session")
    expect(dialog).to_contain_text("Weekly · Monday 18:00")
    dialog.get_by_role("link", name="Reschedule").click()
    dialog = page.get_by_role("dialog", name="Reschedule the session")
    wednesday = week + datetime.timedelta(days=2)
    dialog.get_by_role("textbox", name="Date", exact=True).fill(wednesday.isoformat())
    dialog.get_by_label("Start").fill("09:30")
    dialog.get_by_role("button", name="Move the session").click()

    expect(page.get_by_role("status")).to_contain_text("Session of João da Silva moved to ")
    expect(page.locator(f"section[data-column='{wednesday.isoformat()}'] a.block")).to_contain_text(
        "09:30 João da Silva"
    )
    expect(page.locator(f"section[data-column='{week.isoformat()}'] a.block")).to_have_count(0)
    second.refresh_from_db()
    assert second.starts_at == datetime.datetime.combine(
        wednesday, datetime.time(9, 30), tzinfo=a.practice.tz
    )
    # The other sessions of the series stay where they were.
    others = series.sessions.exclude(pk=second.pk).values_list("starts_at", flat=True)
    assert {s.astimezone(a.practice.tz).time() for s in others} == {datetime.time(18)}

"""Animals on bookings, as reception of a veterinary practice (practice B) uses them: add an
animal from its owner's card, book a session for it from the agenda (choosing the client
draws the owner's animals into the form), find the session on the card's Animals panel, mark
the animal inactive, and see it is no longer offered when booking."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pets.models import Animal
from scheduling.models import Session


def next_monday(world) -> datetime.date:
    today = timezone.localdate(timezone.now(), world.practice.tz)
    return today + datetime.timedelta(days=7 - today.weekday())


@pytest.mark.browser
def test_an_animal_is_added_booked_found_on_its_card_and_retired(
    log_in, live_server, page: Page, b
):
    owner = b.clients["João da Silva"]
    monday = next_monday(b)
    log_in(b.reception)

    # Added from the owner's card.
    page.goto(f"{live_server.url}/clients/{owner.pk}/")
    animals = page.get_by_role("region", name="Animals")
    animals.get_by_role("link", name="Add an animal").click()
    page.get_by_label("Name").fill("Rex")
    page.get_by_label("Species").select_option(label="Dog")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/clients/{owner.pk}/**")
    expect(animals.get_by_role("heading", name=re.compile("Rex"))).to_be_visible()
    expect(animals).to_contain_text("No sessions for Rex yet.")
    rex = Animal.objects.get(client=owner)

    # Booked from the agenda's dialog: choosing the client lists the client's animals.
    page.get_by_role("link", name="Agenda", exact=True).click()
    page.get_by_role("link", name="Book a session").first.click()
    dialog = page.get_by_role("dialog", name="Book a session")
    expect(dialog).to_be_visible()
    animal = dialog.get_by_label("Animal")
    expect(animal.locator("option")).to_have_count(1)  # no client yet, no animal
    dialog.get_by_role("searchbox").press_sequentially("silva")
    dialog.get_by_role("radio", name=re.compile("João da Silva")).check()
    expect(animal.locator("option", has_text="Rex (Dog)")).to_have_count(1)
    animal.select_option(label="Rex (Dog)")
    dialog.get_by_label("Professional").select_option(label="Bruno Brito")
    dialog.get_by_role("textbox", name="Date", exact=True).fill(monday.isoformat())
    dialog.get_by_label("Start").fill("10:00")
    dialog.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Session booked: João da Silva")
    page.goto(f"{live_server.url}/agenda/?view=day&date={monday.isoformat()}")
    expect(page.locator("a.block", has_text="João da Silva")).to_contain_text("(Rex)")
    session = Session.objects.get(client=owner)
    assert session.animal == rex

    # On the card's Animals panel, with a link to the session's page.
    page.goto(f"{live_server.url}/clients/{owner.pk}/")
    rex_block = animals.get_by_role("article", name=re.compile("Rex"))
    sessions = rex_block.locator(".animal-sessions")
    expect(sessions).to_contain_text(f"{monday.isoformat()} 10:00")
    sessions.get_by_role("link", name=re.compile(monday.isoformat())).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session")
    expect(page.locator("dl.facts")).to_contain_text("Rex (Dog)")
    page.get_by_role("link", name="Back").click()
    page.wait_for_url(f"**/clients/{owner.pk}/**")

    # Marked inactive: its session stays on the panel, and booking no longer offers it.
    rex_block.get_by_role("button", name="Mark inactive").click()
    expect(page.get_by_role("status")).to_contain_text("Rex was marked inactive.")
    expect(rex_block.get_by_role("heading", level=3)).to_contain_text("Inactive")
    expect(rex_block.get_by_role("link", name=re.compile("Book a session"))).to_have_count(0)
    expect(sessions).to_contain_text(f"{monday.isoformat()} 10:00")
    page.get_by_role("region", name="Sessions").get_by_role("link", name="Book a session").click()
    expect(page.get_by_role("radio", name=re.compile("João da Silva"))).to_be_checked()
    expect(page.get_by_label("Animal").locator("option")).to_have_text(["— none —"])

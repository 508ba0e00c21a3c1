"""Editing a card: the change is saved and the timeline says who changed what, old → new."""

import re

import pytest
from playwright.sync_api import Page, expect

from audit.models import Event, EventKind
from clientbook.tests.browser.helpers import card_section


@pytest.mark.browser
def test_the_owner_changes_the_email_and_phone_and_the_timeline_shows_it(log_in, page: Page, a):
    client = a.clients["Ana's client"]
    log_in(a.owner)
    page.get_by_role("link", name="Conceição Araújo").click()
    page.wait_for_url(f"**/clients/{client.pk}/")
    page.get_by_role("link", name="Edit card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Conceição Araújo")

    email = page.get_by_label("E-mail", exact=True)
    expect(email).to_have_value("conceicao@example.com")
    email.fill("conceicao.araujo@example.com")
    page.get_by_label("Phone", exact=True).fill("(21) 99999-0001")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/clients/{client.pk}/")

    client.refresh_from_db()
    assert client.email == "conceicao.araujo@example.com"
    assert client.phone.as_e164 == "+5521999990001"
    event = Event.objects.filter(client=client).latest("created_at")
    assert event.kind == EventKind.CLIENT_UPDATED
    assert event.actor == a.owner
    assert {"email", "phone"} <= set(event.changes)

    expect(page.get_by_role("status")).to_have_text("Card saved.")
    personal = card_section(page, "personal")
    assert personal["E-mail"] == "conceicao.araujo@example.com"
    assert personal["Phone"] == "(21) 99999-0001"

    timeline = page.get_by_role("complementary", name="Timeline")
    latest = timeline.get_by_role("listitem").first
    expect(latest.locator(".event-head")).to_contain_text("Card changed · Olga Owner")
    changes = latest.locator("ul.changes > li")
    expect(changes.filter(has_text=re.compile(r"^E-mail"))).to_have_text(
        "E-mail: conceicao@example.com → conceicao.araujo@example.com"
    )
    expect(changes.filter(has_text=re.compile(r"^Phone"))).to_have_text(
        "Phone: (11) 98765-4321 → (21) 99999-0001"
    )
    # The registration stays below, by the receptionist.
    expect(timeline.locator("li.event").last).to_contain_text("Client registered · Rita Reception")


@pytest.mark.browser
def test_an_edit_records_only_what_the_person_changed(log_in, live_server, page: Page, a):
    client = a.clients["Ana's client"]
    first_contact_at = client.first_contact_at
    log_in(a.owner)
    page.goto(f"{live_server.url}/clients/{client.pk}/edit/")
    page.get_by_label("E-mail", exact=True).fill("conceicao.araujo@example.com")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/clients/{client.pk}/")

    latest = page.get_by_role("complementary", name="Timeline").locator("li.event").first
    expect(latest.locator("ul.changes > li")).to_have_count(1, timeout=1000)
    client.refresh_from_db()
    assert client.first_contact_at == first_contact_at
    event = Event.objects.filter(client=client).latest("created_at")
    assert set(event.changes) == {"email"}

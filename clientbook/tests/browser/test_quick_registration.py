"""Quick registration: only the full name and a professional, from the client list."""

import re

import pytest
from playwright.sync_api import Page, expect

from clientbook.tests.browser.helpers import CARD_URL
from clients.models import Client


@pytest.mark.browser
def test_it_registers_a_client_with_a_name_and_a_professional(log_in, page: Page, a):
    log_in(a.reception)
    page.get_by_role("link", name="Quick registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick registration")

    page.get_by_label("Full name").fill("Mariana Lopes")
    professionals = page.get_by_role("group", name="Responsible professionals")
    professionals.get_by_label("Bruno Brito").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(CARD_URL))

    client = Client.objects.get(practice=a.practice, full_name="Mariana Lopes")
    assert re.fullmatch(r"\d{6}", client.code)
    assert [p.name for p in client.professionals.all()] == ["Bruno Brito"]
    assert client.status == "active"
    assert page.url.endswith(f"/clients/{client.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mariana Lopes")
    expect(page.locator("#client-code")).to_have_text(client.code)
    expect(page.get_by_role("status")).to_contain_text(
        f"Mariana Lopes registered with code {client.code}."
    )
    expect(page.get_by_role("alert")).to_have_count(0)  # an adult: no guardian warning

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.wait_for_url("**/clients/")
    row = page.locator("#results tbody tr", has=page.get_by_role("link", name="Mariana Lopes"))
    expect(row).to_contain_text(client.code)
    expect(row).to_contain_text("Bruno Brito")

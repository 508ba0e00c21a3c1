"""Copying a client's code from the card to the clipboard."""

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.browser
def test_copy_puts_the_code_on_the_clipboard(log_in, live_server, page: Page, a):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    client = a.clients["João da Silva"]
    log_in(a.reception)
    page.get_by_role("link", name="João da Silva").click()
    page.wait_for_url(f"**/clients/{client.pk}/")
    expect(page.locator("#client-code")).to_have_text(client.code)

    # Not found by its name, which changes to "Copied" for a moment.
    copy = page.locator(".code-chip").get_by_role("button")
    expect(copy).to_have_text("Copy")
    expect(copy).to_have_accessible_name("Copy the code to the clipboard")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == client.code
    # Then it goes back to its label.
    expect(copy).to_have_text("Copy")

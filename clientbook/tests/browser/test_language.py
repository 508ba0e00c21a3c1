"""Choosing one's own language in the header: the page reloads in it, and it is remembered."""

import pytest
from playwright.sync_api import Page, expect

from practices.models import User


def choose_language(page: Page, code: str) -> None:
    # The select submits itself on change (static/clientbook/app.js); its label is translated,
    # so it is found by its id.
    page.locator("#language-switch").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("code", "clients"), [("pt-br", "Clientes"), ("pl", "Klienci")], ids=["pt-br", "pl"]
)
def test_the_language_select_switches_the_page(log_in, page: Page, a, code, clients):
    log_in(a.reception)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    expect(page.get_by_label("Language")).to_have_value("en")

    choose_language(page, code)
    page.wait_for_url("**/clients/")
    expect(page.get_by_role("heading", level=1)).to_have_text(clients)
    expect(page.locator("#language-switch")).to_have_value(code)
    assert User.objects.get(pk=a.reception.user.pk).language == code


@pytest.mark.browser
def test_the_language_follows_from_page_to_page_and_back_to_the_practices(log_in, page: Page, a):
    client = a.clients["João da Silva"]
    log_in(a.reception)
    page.get_by_role("link", name="João da Silva").click()
    page.wait_for_url(f"**/clients/{client.pk}/")

    # Back on the same card, in Polish.
    choose_language(page, "pl")
    page.wait_for_url(f"**/clients/{client.pk}/")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Klienci", exact=True)).to_be_visible()

    # The practice's language (pt-BR for practice A) again.
    page.locator("#language-switch").select_option("")
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    page.wait_for_url(f"**/clients/{client.pk}/")
    expect(nav.get_by_role("link", name="Clientes", exact=True)).to_be_visible()
    assert User.objects.get(pk=a.reception.user.pk).language == ""

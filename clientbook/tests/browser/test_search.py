"""Finding a client by typing: accents and case ignored, phones by their last digits,
results updated in place by htmx, and the same search without JavaScript."""

import pytest
from playwright.sync_api import Browser, Page, expect

from clientbook.tests.browser.helpers import client_names


def search_for(page: Page, text: str) -> None:
    """Types into the search box as a person does; htmx swaps the results in place."""
    box = page.get_by_role("searchbox", name="Search")
    box.clear()
    box.press_sequentially(text)
    page.wait_for_url(f"**q={text}**")


@pytest.mark.browser
def test_typing_finds_clients_without_accents_and_only_in_this_practice(log_in, page: Page, a, b):
    log_in(a.reception)
    expect(page.locator("#results tbody tr")).to_have_count(5)
    # A mark on the window survives only if the results are swapped in, not reloaded.
    page.evaluate("window.sameDocument = true")

    search_for(page, "joao")
    joao = a.clients["João da Silva"]
    expect(page.locator("#results tbody tr")).to_have_count(1)
    link = page.get_by_role("link", name="João da Silva")
    expect(link).to_be_visible()
    # The same name exists in practice B: the row found is A's.
    expect(link).to_have_attribute("href", f"/clients/{joao.pk}/")
    assert b.clients["João da Silva"].pk != joao.pk

    search_for(page, "lukasz")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="Łukasz Wiśniewski")).to_have_attribute(
        "href", f"/clients/{a.clients['Łukasz Wiśniewski'].pk}/"
    )

    search_for(page, "4321")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    row = page.locator("#results tbody tr")
    expect(row.get_by_role("link", name="Conceição Araújo")).to_be_visible()
    expect(row).to_contain_text("(11) 98765-4321")

    assert page.evaluate("window.sameDocument") is True


@pytest.mark.browser
def test_a_search_with_no_match_says_so(log_in, page: Page, a, b):
    log_in(a.reception)
    search_for(page, "tremblayx")
    expect(page.locator("#results")).to_contain_text("No client matches “tremblayx” here.")
    expect(page.locator("#results tbody tr")).to_have_count(0)


@pytest.mark.browser
def test_the_search_works_without_javascript(log_in, browser: Browser, live_server, a, b):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = log_in(a.reception, on=context.new_page())
        page.get_by_role("searchbox", name="Search").fill("joao")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/clients/?status=active&q=joao**")
        assert client_names(page) == ["João da Silva"]
        expect(page.get_by_role("link", name="João da Silva")).to_have_attribute(
            "href", f"/clients/{a.clients['João da Silva'].pk}/"
        )

        page.get_by_role("searchbox", name="Search").fill("lukasz")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**q=lukasz**")
        assert client_names(page) == ["Łukasz Wiśniewski"]
    finally:
        context.close()

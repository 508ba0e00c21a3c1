"""A registration without its required fields: the reasons next to the fields, nothing saved."""

import pytest
from playwright.sync_api import Page, expect

from clients.models import Client


@pytest.mark.browser
@pytest.mark.parametrize("link", ["Quick registration", "Register client"])
def test_it_shows_what_is_missing_next_to_each_field_and_saves_nothing(log_in, page: Page, a, link):
    before = Client.objects.count()
    log_in(a.reception)
    page.get_by_role("link", name=link).click()
    page.get_by_label("Preferred / social name").fill("Zé")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_have_text("Please correct the fields marked below.")
    full_name = page.locator(".field-full_name")
    expect(full_name.locator(".error")).to_have_text("This field is required.")
    professionals = page.locator(".field-professionals")
    expect(professionals.locator(".error")).to_have_text(
        "Choose at least one responsible professional."
    )
    # What was typed stays.
    expect(page.get_by_label("Preferred / social name")).to_have_value("Zé")
    assert page.url.endswith("/clients/new/" + ("?quick=1" if link.startswith("Quick") else ""))
    assert Client.objects.count() == before


@pytest.mark.browser
def test_the_full_name_error_is_announced_with_the_field(log_in, page: Page, a):
    log_in(a.reception)
    page.get_by_role("link", name="Quick registration").click()
    page.get_by_role("button", name="Save").click()

    full_name = page.get_by_role("textbox", name="Full name")
    expect(full_name).to_have_attribute("aria-invalid", "true")
    expect(full_name).to_have_accessible_description("This field is required.")
    expect(full_name).to_be_focused()


@pytest.mark.browser
def test_the_professionals_error_is_announced_with_the_group(log_in, page: Page, a):
    log_in(a.reception)
    page.get_by_role("link", name="Quick registration").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()

    professionals = page.get_by_role("group", name="Responsible professionals")
    expect(professionals).to_have_accessible_description(
        "Choose at least one responsible professional.", timeout=1000
    )

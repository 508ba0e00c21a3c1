"""A client with a phone from another country: it is shown with its country code, so a
receptionist dialling from the practice's country reaches the right number."""

import pytest
from playwright.sync_api import Page, expect

from clientbook.tests.browser.helpers import card_section
from clients.services import update_client

POLISH = "+48601234567"


@pytest.fixture
def lukasz(a):
    """Łukasz, in Brazilian practice A, with a Polish mobile and a Brazilian WhatsApp."""
    return update_client(
        a.clients["Łukasz Wiśniewski"],
        by=a.owner,
        fields={"phone": POLISH, "whatsapp": "+5511984470321"},
    )


@pytest.mark.browser
def test_the_card_shows_a_foreign_phone_with_its_country_code(log_in, page: Page, a, lukasz):
    log_in(a.reception)
    page.get_by_role("link", name="Łukasz Wiśniewski").click()
    page.wait_for_url(f"**/clients/{lukasz.pk}/")
    personal = card_section(page, "personal")
    assert personal["Phone"] == "+48 601 234 567"
    assert personal["WhatsApp"] == "(11) 98447-0321"


@pytest.mark.browser
def test_the_list_shows_a_foreign_phone_with_its_country_code(log_in, page: Page, a, lukasz):
    log_in(a.reception)
    row = page.locator("#results tbody tr", has=page.get_by_role("link", name="Łukasz"))
    expect(row).to_contain_text("+48 601 234 567", timeout=1000)

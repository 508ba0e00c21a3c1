"""The client list's tabs and pages: next and back, and the waitlist oldest first contact first."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clientbook.testing import make_client
from clientbook.tests.browser.helpers import client_names
from clients.models import Client, Status

FIRST_PAGE = [f"Cliente {i:03d}" for i in range(1, 51)]
SECOND_PAGE = [
    *(f"Cliente {i:03d}" for i in range(51, 61)),
    "Conceição Araújo",
    "Émilie Tremblay",
    "João da Silva",
    "Łukasz Wiśniewski",
    "Zoë Ødegaard",
]
ACTIVE = re.compile("^Active")
WAITLIST = re.compile("^Waitlist")


@pytest.fixture
def many(a):
    """60 more active clients ("Cliente 001"…) and three on the waitlist, made directly."""
    for i in range(1, 61):
        make_client(a.reception, f"Cliente {i:03d}", phone=f"+55119{i:08d}")
    now = timezone.now()
    for name, days in [("Wanda Recente", 3), ("Vera Antiga", 200), ("Xavier Meio", 40)]:
        make_client(
            a.reception,
            name,
            status=Status.WAITLIST,
            first_contact_at=now - datetime.timedelta(days=days),
        )
    assert Client.objects.filter(practice=a.practice, status=Status.ACTIVE).count() == 65


def go_to_the_second_page(page: Page) -> None:
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("65 clients")
    expect(page.locator("#results tbody tr")).to_have_count(50)
    assert client_names(page) == FIRST_PAGE
    expect(pages.get_by_role("link", name="Previous")).to_have_count(0)

    pages.get_by_role("link", name="Next").click()
    page.wait_for_url("**after=**")
    expect(page.locator("#results tbody tr")).to_have_count(15)
    assert client_names(page) == SECOND_PAGE
    expect(pages.get_by_role("link", name="Next")).to_have_count(0)


@pytest.mark.browser
def test_it_pages_forward_and_back_to_the_first_page(log_in, page: Page, a, many):
    log_in(a.reception)
    go_to_the_second_page(page)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="First").click()
    page.wait_for_url(re.compile(r"/clients/\?status=active&sort=name$"))
    expect(page.locator("#results tbody tr")).to_have_count(50)
    assert client_names(page) == FIRST_PAGE


@pytest.mark.browser
def test_previous_goes_back_one_page(log_in, page: Page, a, many):
    log_in(a.reception)
    go_to_the_second_page(page)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Previous").click()
    expect(page.locator("#results tbody tr")).to_have_count(50, timeout=3000)
    assert client_names(page) == FIRST_PAGE
    assert "before=" in page.url


@pytest.mark.browser
def test_the_waitlist_tab_lists_the_oldest_first_contact_first(log_in, page: Page, a, many):
    log_in(a.reception)
    tabs = page.get_by_role("navigation", name="Status")
    expect(tabs.get_by_role("link", name=ACTIVE)).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name=ACTIVE)).to_contain_text("65")
    expect(tabs.get_by_role("link", name=WAITLIST)).to_contain_text("3")
    page.evaluate("window.sameDocument = true")

    tabs.get_by_role("link", name=WAITLIST).click()
    page.wait_for_url("**status=waitlist**")
    expect(tabs.get_by_role("link", name=WAITLIST)).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name=ACTIVE)).not_to_have_attribute("aria-current", "page")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    assert client_names(page) == ["Vera Antiga", "Xavier Meio", "Wanda Recente"]
    expect(page.locator("#results tbody tr").first).to_contain_text("ago")
    assert page.evaluate("window.sameDocument") is True

    # The browser's Back button returns to the active tab.
    page.go_back()
    expect(tabs.get_by_role("link", name=ACTIVE)).to_have_attribute("aria-current", "page")
    expect(page.locator("#results tbody tr")).to_have_count(50)

"""Helpers for the browser tests: log in through the login page, in a chosen language."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from clientbook.testing import PASSWORD
from practices.models import Member
from practices.services import set_user_language

expect.set_options(timeout=10_000)

type LogIn = Callable[..., Page]


@pytest.fixture
def log_in(live_server, page: Page) -> LogIn:
    """Logs `member` in through the login page and lands on the client list.

    The user reads English unless `language` says otherwise (practice A's own language is
    pt-BR, so the tests' English texts would otherwise depend on the translation catalogs).
    """

    def log_in(member: Member, *, language: str = "en", on: Page = page) -> Page:
        set_user_language(member.user, language)
        on.goto(live_server.url + "/accounts/login/")
        on.fill("#id_username", member.user.email)
        on.fill("#id_password", PASSWORD)
        on.click("button[type=submit]")
        on.wait_for_url("**/clients/")
        return on

    return log_in

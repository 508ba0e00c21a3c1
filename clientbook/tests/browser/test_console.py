"""The main pages load with nothing reported in the browser's console (script errors,
Content-Security-Policy violations)."""

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect


@pytest.mark.browser
def test_the_main_pages_log_nothing_in_the_console(log_in, live_server, page: Page, a):
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    log_in(a.reception)
    for path in ["/clients/", "/clients/new/", f"/clients/{a.clients['João da Silva'].pk}/"]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(live_server.url + "/clients/")
    page.get_by_role("searchbox", name="Search").press_sequentially("joao")
    page.wait_for_url("**q=joao**")
    assert problems == []

"""Fixtures shared by every app's tests (see clientbook/testing.py for the personas)."""

import os

import pytest

from clientbook import testing

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by browser
# tests from that thread are safe (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def a(db) -> testing.PracticeWorld:
    """Practice A: a Brazilian therapy practice with every role and some clients."""
    return testing.build_practice_a()


@pytest.fixture
def b(db) -> testing.PracticeWorld:
    """Practice B: a Polish veterinary clinic with look-alike clients (same names as A's)."""
    return testing.build_practice_b()


def pytest_collection_modifyitems(config, items):
    # With CI=true nothing may be skipped: a skip is turned into a failure.
    if os.environ.get("CI", "").lower() == "true":
        for item in items:
            item.add_marker(pytest.mark.no_skip_in_ci)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("no_skip_in_ci") and call.when != "teardown":
        report.outcome = "failed"
        report.longrepr = f"Skipped with CI=true, which allows no skips: {report.longrepr}"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives the system Chromium (it cannot download its own browsers here)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }

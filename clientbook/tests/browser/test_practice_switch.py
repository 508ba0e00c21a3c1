"""A user who works in two practices switches between them with the header's select."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from clientbook.testing import make_user
from practices.middleware import SESSION_KEY
from practices.models import Role
from practices.services import add_member


def session_practice(page: Page) -> int | None:
    """The practice stored in the browser's server-side session."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=key).get(SESSION_KEY)


@pytest.mark.browser
def test_it_switches_practice_and_sees_the_other_practices_clients(
    log_in, live_server, page: Page, a, b
):
    user = make_user("both@a.test", "Marta", "Both")
    in_a = add_member(practice=a.practice, user=user, role=Role.RECEPTION)
    add_member(practice=b.practice, user=user, role=Role.RECEPTION)
    log_in(in_a)

    switch = page.get_by_label("Practice", exact=True)
    expect(switch.locator("option:checked")).to_have_text("Clínica A")
    expect(page.get_by_role("link", name="João da Silva")).to_have_attribute(
        "href", f"/clients/{a.clients['João da Silva'].pk}/"
    )
    expect(page.get_by_role("link", name="Conceição Araújo")).to_be_visible()

    switch.select_option(label="Lecznica B")
    expect(switch.locator("option:checked")).to_have_text("Lecznica B")
    page.wait_for_url("**/clients/")
    expect(page.get_by_role("link", name="João da Silva")).to_have_attribute(
        "href", f"/clients/{b.clients['João da Silva'].pk}/"
    )
    expect(page.locator("#results tbody tr")).to_have_count(4)
    expect(page.get_by_role("link", name="Conceição Araújo")).to_have_count(0)
    assert session_practice(page) == b.practice.pk

    # Practice A's card is now out of reach.
    response = page.goto(f"{live_server.url}/clients/{a.clients["Ana's client"].pk}/")
    assert response is not None
    assert response.status == 404

    page.goto(f"{live_server.url}/clients/")
    page.get_by_label("Practice", exact=True).select_option(label="Clínica A")
    expect(page.get_by_role("link", name="Conceição Araújo")).to_be_visible()
    assert session_practice(page) == a.practice.pk

"""Messages as reception sends them: an SMS from the client's messages (the card's panel) that
shows up in the history as sent; and the SMS action explaining itself when the module is off."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from messaging.models import Message
from messaging.services import save_template
from practices.models import Practice


@pytest.mark.browser
def test_reception_sends_an_sms_and_sees_it_sent_in_the_history(log_in, live_server, page: Page, a):
    Practice.objects.filter(pk=a.practice.pk).update(sms_enabled=True)
    client = a.clients["Ana's client"]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(a.reception)
    page.goto(f"{live_server.url}/messages/client/{client.pk}/")
    panel = page.get_by_role("region", name="Messages")
    expect(panel.get_by_text("No messages yet.")).to_be_visible()

    panel.get_by_role("link", name="SMS", exact=True).click()
    page.wait_for_url(re.compile(rf".*/messages/client/{client.pk}/new/\?channel=sms.*"))
    expect(page.get_by_role("radio", name="SMS")).to_be_checked()
    expect(page.get_by_role("radio", name="The client (Conceição Araújo)")).to_be_checked()
    page.get_by_label("Text").fill("Olá, Conceição! Até amanhã às 18h.")
    page.get_by_role("button", name="Send", exact=True).click()

    page.wait_for_url(f"**/messages/client/{client.pk}/")
    expect(page.get_by_role("status")).to_have_text("Message sent.")
    latest = page.locator("#client-messages li.message").first
    expect(latest.locator(".badge")).to_have_text("Sent")
    expect(latest.locator(".message-head")).to_contain_text("SMS → (11) 98765-4321")
    expect(latest.locator(".message-body")).to_have_text("Olá, Conceição! Até amanhã às 18h.")
    expect(latest.locator(".tag-outbox")).to_have_text("outbox")
    message = Message.objects.get(client=client)
    assert (message.status, message.recipient, message.created_by) == (
        "sent",
        "+5511987654321",
        a.reception,
    )
    assert errors == []


@pytest.mark.browser
def test_the_sms_action_explains_itself_when_the_module_is_off(log_in, live_server, page: Page, a):
    client = a.clients["Ana's client"]
    log_in(a.reception)
    page.goto(f"{live_server.url}/messages/client/{client.pk}/")
    panel = page.get_by_role("region", name="Messages")
    sms = panel.get_by_role("button", name="SMS", exact=True)
    expect(sms).to_be_disabled()
    expect(sms).to_have_accessible_description(re.compile("SMS module is off"))

    panel.get_by_role("link", name="Send a message").click()
    expect(page.get_by_role("radio", name="SMS")).to_be_disabled()
    # The page opens on the first channel that works: e-mail, to the client's address.
    expect(page.get_by_role("radio", name="E-mail")).to_be_checked()
    expect(page.get_by_text("SMS module is off").first).to_be_visible()


@pytest.mark.browser
def test_a_template_fills_the_text_and_a_scheduled_message_is_cancelled_in_place(
    log_in, live_server, page: Page, a
):
    client = a.clients["Ana's client"]
    save_template(
        by=a.owner, name="Welcome", language="en", channel="email", subject="Welcome",
        body="Welcome to {practice_name}, {client_name}!",
    )  # fmt: skip
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(a.reception)
    page.goto(f"{live_server.url}/messages/client/{client.pk}/")
    page.get_by_role("link", name="Send a message").click()
    page.get_by_label("Template").select_option(label="Welcome (English)")
    expect(page.get_by_label("Text")).to_have_value("Welcome to Clínica A, Conceição Araújo!")
    expect(page.get_by_label("Subject (e-mail)")).to_have_value("Welcome")
    expect(page.get_by_role("radio", name="E-mail")).to_be_checked()
    page.get_by_role("radio", name="Later, at").check()
    later = timezone.localtime(timezone.now() + datetime.timedelta(days=3), a.practice.tz)
    page.get_by_label("Date and time").fill(later.strftime("%Y-%m-%dT10:00"))
    page.get_by_role("button", name="Send", exact=True).click()

    page.wait_for_url(f"**/messages/client/{client.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Message scheduled for")
    latest = page.locator("#client-messages li.message").first
    expect(latest.locator(".badge")).to_have_text("Scheduled")
    expect(latest).to_contain_text("10:00")
    latest.get_by_role("button", name="Cancel this message").click()
    expect(page.locator("#client-messages li.message").first.locator(".badge")).to_have_text(
        "Cancelled"
    )
    expect(page.locator("#client-messages")).to_contain_text("Cancelled: Cancelled by Rita")
    assert Message.objects.get(client=client).status == "cancelled"
    assert errors == []  # the page's JSON data and script pass the CSP

"""The pages: the card's message panel, a client's messages, writing a message, cancelling
one, and the practice's templates. Each with its tenancy: the right role, 403 for a role
without the right, 404 for another practice (and for a professional's colleague's client)."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from clientbook.testing import LOOKALIKE_NAMES, logged_in
from messaging.models import Message, MessageStatus, MessageTemplate
from messaging.services import save_template, send_message
from practices.services import set_user_language

HOUR = datetime.timedelta(hours=1)


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def messages_snapshot() -> tuple:
    return (
        list(Message.objects.order_by("pk").values()),
        list(MessageTemplate.objects.order_by("pk").values()),
        Event.objects.count(),
    )


def new_url(client) -> str:
    return reverse("messaging:new", args=[client.pk])


def history(a, practice, client) -> dict[str, Message]:
    """One message of each status on the client's card."""
    base = {"practice": practice, "client": client, "channel": "sms", "recipient": "+5511987654321"}
    now = timezone.now()
    return {
        "sent": Message.objects.create(
            **base, body="Sent one", status="sent", sent_at=now - HOUR, send_at=now - HOUR,
            via="outbox",
        ),
        "scheduled": Message.objects.create(
            **base, body="Later one", status="scheduled", send_at=now + 5 * HOUR
        ),
        "failed": Message.objects.create(
            **base, body="Failed one", status="failed", send_at=now - 2 * HOUR,
            last_error="The provider answered 400: Invalid number",
        ),
        "cancelled": Message.objects.create(
            **base, body="Cancelled one", status="cancelled", send_at=now + HOUR,
            cancel_reason="Client called",
        ),
    }  # fmt: skip


# The card's panel (an inclusion tag the card template loads).


def render_panel(member, client) -> str:
    request = RequestFactory().get(f"/clients/{client.pk}/")
    request.member = member
    template = Template("{% load messaging %}{% client_messages client %}")
    context = Context({"client": client, "member": member, "request": request, "csrf_token": "t"})
    return template.render(context)


def test_the_panel_lists_each_status_with_its_time_reason_and_marker(
    a, practice, ana_client, django_assert_num_queries
):
    made = history(a, practice, ana_client)
    with django_assert_num_queries(1):  # the messages; the channels need no query
        html = render_panel(a.reception, ana_client)
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for status in ("Sent", "Scheduled", "Failed", "Cancelled"):
        assert status in flat
    assert "Not delivered: The provider answered 400: Invalid number" in flat
    assert "Cancelled: Client called" in flat
    assert "outbox" in flat
    assert "(11) 98765-4321" in flat  # in the practice's national format
    # Times in the practice's time zone (São Paulo), as the card shows them.
    local = timezone.localtime(made["scheduled"].send_at, practice.tz)
    assert local.strftime("%H:%M") in flat
    # Only the scheduled one can be cancelled.
    assert html.count('action="/messages/') == 1
    assert reverse("messaging:cancel", args=[made["scheduled"].pk]) in html
    card = f"/clients/{ana_client.pk}/"
    assert f'href="/messages/client/{ana_client.pk}/new/?next={card}"' in html


def test_the_panel_says_why_sms_cannot_be_sent(a, ana_client):
    html = render_panel(a.reception, ana_client)
    sms = re.search(
        r"<button type=\"button\" disabled[^>]*>SMS</button>\s*<small[^>]*>([^<]*)", html
    )
    assert sms is not None
    assert "SMS module is off" in sms[1]
    card = f"/clients/{ana_client.pk}/"
    assert f'href="/messages/client/{ana_client.pk}/new/?channel=email&amp;next={card}"' in html


def test_the_panel_of_a_client_without_contacts_explains_each_channel(a, practice):
    html = render_panel(a.reception, a.clients["João da Silva"])
    assert "No phone number." in html
    assert "No e-mail address." in html
    assert "No WhatsApp or phone number." in html


# A client's messages page.


@pytest.mark.parametrize("role", ["owner", "admin", "reception"])
def test_the_roles_that_see_all_clients_see_their_messages(a, practice, ana_client, role):
    history(a, practice, ana_client)
    response = logged_in(a.member(role)).get(reverse("messaging:client", args=[ana_client.pk]))
    assert response.status_code == 200
    assert "Later one" in text(response)


def test_htmx_gets_the_panel_alone(a, practice, ana_client):
    response = logged_in(a.reception).get(
        reverse("messaging:client", args=[ana_client.pk]), headers={"HX-Request": "true"}
    )
    assert response.content.decode().startswith('<section class="panel messages-panel"')


@pytest.mark.parametrize("name", LOOKALIKE_NAMES)
def test_a_professional_gets_404_for_a_colleagues_client(a, practice, name):
    http = logged_in(a.professional)
    client = a.clients[name]
    before = messages_snapshot()
    assert http.get(reverse("messaging:client", args=[client.pk])).status_code == 404
    assert http.get(new_url(client)).status_code == 404
    assert http.post(new_url(client), {"channel": "sms", "body": "x"}).status_code == 404
    assert messages_snapshot() == before
    assert http.get(new_url(a.clients["Ana's client"])).status_code == 200


def test_another_practice_gets_404_for_every_client_and_changes_nothing(a, b, practice):
    http = logged_in(b.owner)
    before = messages_snapshot()
    for client in a.clients.values():
        for url in (reverse("messaging:client", args=[client.pk]), new_url(client)):
            response = http.get(url)
            assert response.status_code == 404
            assert client.full_name not in response.content.decode()
        payload = {"channel": "email", "recipient": "client", "body": "Hi", "when": "now"}
        assert http.post(new_url(client), payload).status_code == 404
    assert messages_snapshot() == before


# Writing a message.


def test_reception_sends_an_sms_now(a, practice, ana_client, django_capture_on_commit_callbacks):
    http = logged_in(a.reception)
    page = http.get(new_url(ana_client))
    assert page.status_code == 200
    assert page.context["form"]["recipient"].value() == "client"
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            new_url(ana_client),
            {"channel": "sms", "recipient": "client", "body": "Olá!", "when": "now"},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("clients:card", args=[ana_client.pk])
    assert "Message sent." in text(response)
    message = Message.objects.get()
    assert (message.status, message.recipient, message.body) == ("sent", "+5511987654321", "Olá!")


def test_a_message_for_later_is_scheduled(a, practice, ana_client):
    later = timezone.localtime(timezone.now() + 26 * HOUR, practice.tz).replace(second=0)
    response = logged_in(a.reception).post(
        new_url(ana_client),
        {
            "channel": "email", "recipient": "client", "subject": "Consulta", "body": "Olá!",
            "when": "later", "send_at": later.strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )  # fmt: skip
    message = Message.objects.get()
    assert message.status == MessageStatus.SCHEDULED
    assert message.send_at == later.replace(microsecond=0)
    assert "Message scheduled for" in text(response)


def test_the_page_says_why_sms_is_off_and_the_service_refuses_it(a, ana_client):
    set_user_language(a.reception.user, "en")  # practice A without the `practice` fixture: pt-BR
    http = logged_in(a.reception)
    page = http.get(new_url(ana_client) + "?channel=sms")
    sms = re.search(r'<input type="radio" name="channel" value="sms"[^>]*>', page.content.decode())
    assert "disabled" in sms[0]
    assert "SMS module is off" in text(page)
    response = http.post(
        new_url(ana_client), {"channel": "sms", "recipient": "client", "body": "x", "when": "now"}
    )
    assert response.status_code == 200
    assert "SMS module is off" in response.context["form"].errors["channel"][0]
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field", "error"),
    [
        ({"when": "later"}, "send_at", "Choose when to send it."),
        (
            {"when": "later", "send_at": "2001-01-01T10:00"},
            "send_at",
            "Choose a time in the future.",
        ),
        ({"recipient": "guardian"}, "recipient", "The guardian has no phone number."),
        ({"body": ""}, "body", "This field is required."),
    ],
)
def test_bad_input_is_shown_on_its_field(a, practice, ana_client, payload, field, error):
    data = {"channel": "sms", "recipient": "client", "body": "Olá", "when": "now", **payload}
    response = logged_in(a.reception).post(new_url(ana_client), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert not Message.objects.exists()


def test_a_template_fills_in_the_text_for_the_client(a, practice, ana_client):
    template = save_template(
        by=a.owner,
        name="Welcome",
        language="en",
        body="Welcome, {client_name}, to {practice_name}!",
    )
    page = logged_in(a.reception).get(new_url(ana_client) + f"?template={template.pk}")
    assert page.context["form"]["body"].value() == "Welcome, Conceição Araújo, to Clínica A!"
    # For the page's script, every template filled in.
    assert '<script id="message-templates" type="application/json">' in page.content.decode()


# Cancelling.


def test_reception_cancels_a_scheduled_message_and_goes_back_to_the_card(a, practice, ana_client):
    made = history(a, practice, ana_client)
    card = reverse("clients:card", args=[ana_client.pk])
    url = reverse("messaging:cancel", args=[made["scheduled"].pk])
    response = logged_in(a.reception).post(url, {"next": card})
    assert response.status_code == 302
    assert response["Location"] == card
    made["scheduled"].refresh_from_db()
    assert made["scheduled"].status == MessageStatus.CANCELLED
    assert made["scheduled"].cancel_reason == "Cancelled by Rita Reception"


def test_htmx_cancelling_answers_with_the_updated_panel(a, practice, ana_client):
    made = history(a, practice, ana_client)
    response = logged_in(a.reception).post(
        reverse("messaging:cancel", args=[made["scheduled"].pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="panel messages-panel" id="client-messages"')
    assert 'action="/messages/' not in html  # nothing left to cancel


def test_a_sent_message_cannot_be_cancelled(a, practice, ana_client):
    made = history(a, practice, ana_client)
    response = logged_in(a.reception).post(
        reverse("messaging:cancel", args=[made["sent"].pk]), follow=True
    )
    assert "Only a scheduled message can be cancelled (this one: Sent)." in text(response)
    made["sent"].refresh_from_db()
    assert made["sent"].status == MessageStatus.SENT


def test_cancelling_is_a_post(a, practice, ana_client):
    made = history(a, practice, ana_client)
    url = reverse("messaging:cancel", args=[made["scheduled"].pk])
    assert logged_in(a.reception).get(url).status_code == 405


def test_another_practice_cannot_cancel_and_changes_nothing(a, b, practice, ana_client, minor):
    made = [*history(a, practice, ana_client).values(), *history(a, practice, minor).values()]
    before = messages_snapshot()
    http = logged_in(b.owner)
    for message in made:
        response = http.post(reverse("messaging:cancel", args=[message.pk]))
        assert response.status_code == 404
    assert messages_snapshot() == before


def test_a_professional_cannot_cancel_a_colleagues_clients_message(a, practice):
    made = history(a, practice, a.clients["João da Silva"])
    before = messages_snapshot()
    response = logged_in(a.professional).post(
        reverse("messaging:cancel", args=[made["scheduled"].pk])
    )
    assert response.status_code == 404
    assert messages_snapshot() == before


def test_a_professional_cancels_their_own_clients_message(a, practice, ana_client):
    message = send_message(
        by=a.professional, client=ana_client, channel="sms", body="x",
        send_at=timezone.now() + HOUR,
    )  # fmt: skip
    response = logged_in(a.professional).post(reverse("messaging:cancel", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED


# Templates.

TEMPLATES = reverse("messaging:templates")


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_manage_templates(a, practice, role):
    http = logged_in(a.member(role))
    assert http.get(TEMPLATES).status_code == 200
    response = http.post(
        TEMPLATES,
        {"name": "Lembrete", "kind": "reminder", "channel": "sms", "language": "pt-br",
         "body": "Olá {client_name}, {session_date} às {session_time}."},
    )  # fmt: skip
    assert response.status_code == 302
    template = MessageTemplate.objects.get()
    edit = reverse("messaging:template_edit", args=[template.pk])
    page = http.get(edit)
    assert page.context["form"]["name"].value() == "Lembrete"
    http.post(edit, {"name": "Lembrete 2", "kind": "reminder", "channel": "", "language": "en",
                     "body": "Hi {client_name}"})  # fmt: skip
    template.refresh_from_db()
    assert (template.name, template.channel, template.language) == ("Lembrete 2", "", "en")
    assert http.post(reverse("messaging:template_delete", args=[template.pk])).status_code == 302
    assert not MessageTemplate.objects.exists()


def test_an_unknown_placeholder_is_shown_on_the_field(a, practice):
    response = logged_in(a.owner).post(
        TEMPLATES, {"name": "X", "kind": "manual", "language": "en", "body": "Hi {nome}"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"][0].startswith("Unknown placeholder {nome}.")
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_reception_and_professionals_get_403_for_templates_and_change_nothing(a, practice, role):
    template = save_template(by=a.owner, name="Oi", language="en", body="Hi")
    before = messages_snapshot()
    http = logged_in(a.member(role))
    assert http.get(TEMPLATES).status_code == 403
    assert http.post(TEMPLATES, {"name": "X", "language": "en", "body": "x"}).status_code == 403
    edit = reverse("messaging:template_edit", args=[template.pk])
    assert http.post(edit, {"name": "X", "language": "en", "body": "x"}).status_code == 403
    delete = reverse("messaging:template_delete", args=[template.pk])
    assert http.post(delete).status_code == 403
    assert messages_snapshot() == before


def test_another_practice_sees_only_its_own_templates_and_gets_404_for_others(a, b, practice):
    mine = save_template(by=a.owner, name="Lembrete A", language="en", body="Hi")
    theirs = save_template(by=b.owner, name="Przypomnienie B", language="pl", body="Dzień dobry")
    before = messages_snapshot()
    http = logged_in(b.owner)
    page = http.get(TEMPLATES)
    assert list(page.context["templates"]) == [theirs]
    assert "Lembrete A" not in page.content.decode()
    edit = reverse("messaging:template_edit", args=[mine.pk])
    assert http.get(edit).status_code == 404
    payload = {"name": "Stolen", "kind": "manual", "language": "en", "body": "x"}
    assert http.post(edit, payload).status_code == 404
    assert http.post(reverse("messaging:template_delete", args=[mine.pk])).status_code == 404
    assert messages_snapshot() == before

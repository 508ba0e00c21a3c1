"""Messaging's URLs for the route inventory (clientbook/tests/test_routes.py): how to build
each for practice A's data, and what practice B's owner must (not) see on the URLs that carry
no id of A's."""

import datetime
from collections.abc import Callable

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clientbook.testing import PracticeWorld
from messaging.models import Message, MessageTemplate
from practices.models import Practice

Requests = Callable[[PracticeWorld], list[tuple[str, dict]]]

MESSAGE = {"channel": "email", "recipient": "client", "body": "Taken over", "when": "now"}
TEMPLATE = {"name": "Taken over", "kind": "manual", "language": "en", "body": "Hi {client_name}"}
SETTINGS = {"sms_enabled": "on", "reminder_channel": "sms", "reminder_hours_before": "2"}


def messaging_rows() -> tuple:
    """Messages, templates and the practices' message settings, for "nothing changed"."""
    return (
        list(
            Message.objects.order_by("pk").values_list(
                "pk", "practice_id", "client_id", "status", "send_at", "cancel_reason", "body"
            )
        ),
        list(
            MessageTemplate.objects.order_by("pk").values_list(
                "pk", "practice_id", "name", "language", "body"
            )
        ),
        list(
            Practice.objects.order_by("pk").values_list(
                "pk", "sms_enabled", "reminder_channel", "reminder_hours_before"
            )
        ),
    )


def each_client(url_name: str, **payload) -> Requests:
    return lambda a: [(reverse(url_name, args=[c.pk]), payload) for c in a.clients.values()]


def each_message(url_name: str, **payload) -> Requests:
    """A scheduled message for each of A's clients."""

    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        later = timezone.now() + datetime.timedelta(days=1)
        made = [
            Message.objects.create(
                practice=a.practice, client=client, channel="sms", recipient="+5511900000000",
                body="Olá", send_at=later,
            )
            for client in a.clients.values()
        ]  # fmt: skip
        return [(reverse(url_name, args=[m.pk]), payload) for m in made]

    return build


def each_template(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        template, _ = MessageTemplate.objects.get_or_create(
            practice=a.practice, name="Lembrete", language="pt-br", defaults={"body": "Olá"}
        )
        return [(reverse(url_name, args=[template.pk]), payload)]

    return build


def templates_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    MessageTemplate.objects.create(practice=a.practice, name="Lembrete A", language="en", body="x")
    theirs = MessageTemplate.objects.create(
        practice=b.practice, name="Szablon B", language="pl", body="x"
    )
    response = http.get(reverse("messaging:templates"))
    assert list(response.context["templates"]) == [theirs]
    assert "Lembrete A" not in response.content.decode()
    assert http.post(reverse("messaging:templates"), TEMPLATE).status_code == 302
    assert MessageTemplate.objects.get(name="Taken over").practice_id == b.practice.pk


def settings_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    assert http.get(reverse("practices:settings")).context["form"].instance.pk == b.practice.pk
    before = Practice.objects.filter(pk=a.practice.pk).values().get()
    assert http.post(reverse("practices:settings"), SETTINGS).status_code == 302
    assert Practice.objects.filter(pk=a.practice.pk).values().get() == before
    assert Practice.objects.get(pk=b.practice.pk).reminder_channel == "sms"


def templates_page() -> Requests:
    return lambda a: [(reverse("messaging:templates"), TEMPLATE)]

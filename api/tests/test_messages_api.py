"""The messages API: a client's messages, sending or scheduling one, cancelling one; and the
tables that test_api_tenancy.py reads for these routes (another practice's token, each
role's rights)."""

import datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from api.models import ApiToken
from audit.models import Event, EventKind
from clientbook.testing import PracticeWorld
from clients.models import Client
from messaging.models import Message, MessageStatus
from practices.models import Member, Practice

JSON = "application/json"
PREFIX = "/api/v1"
LIST = ("GET", "/clients/{client_id}/messages")
SEND = ("POST", "/clients/{client_id}/messages")
CANCEL = ("POST", "/messages/{message_id}/cancel")


class Api:
    """A test client that sends a member's token with every call."""

    def __init__(self, member: Member):
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {ApiToken.issue(member)[1]}"}

    def get(self, path: str, **params):
        return self.http.get(PREFIX + path, params, headers=self.headers)

    def post(self, path: str, body: Any):
        return self.http.post(PREFIX + path, body, JSON, headers=self.headers)


def scheduled(client: Client, **fields) -> Message:
    fields.setdefault("send_at", timezone.now() + datetime.timedelta(days=1))
    return Message.objects.create(
        practice_id=client.practice_id, client=client, channel="sms",
        recipient="+5511900000000", body="Olá", **fields,
    )  # fmt: skip


def rows() -> list:
    return list(Message.objects.order_by("pk").values())


# For test_api_tenancy.py: another practice's token, and each role's rights.


def _cross_list(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
    expected = intruder.call("GET", "/clients/999999/messages")
    assert expected.status_code == 404
    for client in a.clients.values():
        scheduled(client)
        response = intruder.call("GET", f"/clients/{client.pk}/messages")
        assert (response.status_code, response.json()) == (404, expected.json())


def _cross_send(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
    before = rows()
    for client in a.clients.values():
        for channel in ("sms", "email", "whatsapp"):
            body = {"channel": channel, "body": "Smuggled"}
            response = intruder.call("POST", f"/clients/{client.pk}/messages", body)
            assert response.status_code == 404
    assert rows() == before


def _cross_cancel(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
    made = [scheduled(client) for client in a.clients.values()]
    before = rows()
    expected = intruder.call("POST", "/messages/999999/cancel", {"reason": "x"})
    for message in made:
        response = intruder.call("POST", f"/messages/{message.pk}/cancel", {"reason": "x"})
        assert (response.status_code, response.json()) == (404, expected.json())
    assert rows() == before


CROSS_PRACTICE = {LIST: _cross_list, SEND: _cross_send, CANCEL: _cross_cancel}
# Sending an SMS while practice A's SMS module is off: a role with the right gets past the
# access checks to the refusal of the channel (422); cancelling is tried on a scheduled
# message of João, a client of Bruno (so not of Ana's).
RIGHTS = {
    LIST: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
           "professional/own": 200},
    SEND: {"owner": 422, "admin": 422, "reception": 422, "professional/others": 404,
           "professional/own": 422},
    CANCEL: {"owner": 200, "admin": 200, "reception": 200, "professional": 404},
}  # fmt: skip
BODIES = {SEND: {"channel": "sms", "body": "Olá"}, CANCEL: {"reason": "Changed plans"}}


def fill_path(path: str, world: PracticeWorld) -> str:
    """A message id for the routes that take one: a new scheduled message of João's."""
    if "{message_id}" in path:
        message = scheduled(world.clients["João da Silva"])
        path = path.replace("{message_id}", str(message.pk))
    return path


# The routes.


@pytest.fixture
def practice(a) -> Practice:
    """Practice A with the SMS module on, read in English."""
    Practice.objects.filter(pk=a.practice.pk).update(sms_enabled=True, language="en")
    return a.practice


@pytest.fixture
def reception(a, practice) -> Api:
    return Api(a.reception)


def test_it_lists_a_clients_messages_latest_first(a, reception):
    client = a.clients["Ana's client"]
    older = scheduled(client, send_at=timezone.now() + datetime.timedelta(hours=1))
    newer = scheduled(client, send_at=timezone.now() + datetime.timedelta(hours=2))
    scheduled(a.clients["João da Silva"])
    response = reception.get(f"/clients/{client.pk}/messages")
    assert response.status_code == 200
    assert [m["id"] for m in response.json()] == [newer.pk, older.pk]
    item = response.json()[0]
    assert item["status"] == "scheduled"
    assert item["recipient"] == "+5511900000000"
    assert item["outbox"] is False
    assert item["attachment_name"] == ""
    assert reception.get(f"/clients/{client.pk}/messages", limit=1).json()[0]["id"] == newer.pk


def test_it_sends_an_sms_now(a, reception, django_capture_on_commit_callbacks):
    client = a.clients["Ana's client"]
    with django_capture_on_commit_callbacks(execute=True):
        response = reception.post(
            f"/clients/{client.pk}/messages", {"channel": "sms", "body": "Oi"}
        )
    assert response.status_code == 201
    data = response.json()
    # Answered inside the test's transaction: delivery comes with the commit.
    assert (data["status"], data["recipient"], data["recipient_kind"]) == (
        "scheduled",
        "+5511987654321",
        "client",
    )
    response = reception.get(f"/clients/{client.pk}/messages")
    data = response.json()[0]
    assert data["status"] == "sent"
    assert data["outbox"] is True
    assert data["created_by"] == "Rita Reception"
    assert Event.objects.filter(client=client, kind=EventKind.MESSAGE_QUEUED).exists()


def test_a_message_with_a_file_gives_the_files_name(a, reception):
    client = a.clients["Ana's client"]
    Message.objects.create(
        practice_id=client.practice_id, client=client, channel="email",
        recipient="conceicao@example.com", body="Your invoice.", attachment="billing.document:12",
        attachment_name="Invoice FV/2026/0001.pdf",
    )  # fmt: skip
    [item] = reception.get(f"/clients/{client.pk}/messages").json()
    assert item["attachment_name"] == "Invoice FV/2026/0001.pdf"
    assert "attachment" not in item  # the reference is Clientbook's business


def test_a_time_without_an_offset_is_the_practices(a, reception, practice):
    client = a.clients["Ana's client"]
    local = (timezone.localtime(timezone.now(), practice.tz) + datetime.timedelta(days=2)).replace(
        second=0, microsecond=0
    )
    response = reception.post(
        f"/clients/{client.pk}/messages",
        {"channel": "email", "subject": "Consulta", "body": "Olá",
         "send_at": local.strftime("%Y-%m-%dT%H:%M:%S")},
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["status"] == "scheduled"
    assert Message.objects.get().send_at == local


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "sms", "body": "Oi", "recipient": "guardian"}, "recipient"),
        ({"channel": "sms", "body": "   "}, "body"),
        ({"channel": "sms", "body": "Oi", "send_at": "2020-01-01T10:00:00Z"}, "send_at"),
        ({"channel": "fax", "body": "Oi"}, "channel"),
        ({"channel": "sms", "body": "a\u0000b"}, "body"),
    ],
)
def test_bad_input_is_refused_naming_the_field(a, reception, body, field):
    client = a.clients["Ana's client"]
    response = reception.post(f"/clients/{client.pk}/messages", body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert not Message.objects.exists()


def test_errors_are_in_the_users_language(a):
    # Practice A works in Brazilian Portuguese, with its SMS module off.
    response = Api(a.reception).post(
        f"/clients/{a.clients['João da Silva'].pk}/messages", {"channel": "email", "body": "Oi"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] != "Invalid input."  # translated


def test_it_cancels_a_scheduled_message_once(a, reception):
    message = scheduled(a.clients["Ana's client"])
    response = reception.post(f"/messages/{message.pk}/cancel", {"reason": "Client called"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == (
        "cancelled",
        "Client called",
    )
    again = reception.post(f"/messages/{message.pk}/cancel", {})
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "Only a scheduled message can be cancelled (this one: Cancelled)."
    )


def test_a_professional_reaches_only_their_own_clients_messages(a, practice):
    ana = Api(a.professional)
    own, other = a.clients["Ana's client"], a.clients["João da Silva"]
    theirs = scheduled(other)
    assert ana.get(f"/clients/{other.pk}/messages").status_code == 404
    assert (
        ana.post(f"/clients/{other.pk}/messages", {"channel": "sms", "body": "x"}).status_code
        == 404
    )
    assert ana.post(f"/messages/{theirs.pk}/cancel", {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == MessageStatus.SCHEDULED
    response = ana.post(f"/clients/{own.pk}/messages", {"channel": "sms", "body": "Oi"})
    assert response.status_code == 201


def test_another_practices_token_finds_and_changes_nothing(a, b, practice):
    made = [scheduled(client) for client in a.clients.values()]
    before = rows()
    intruder = Api(b.owner)
    for message in made:
        assert intruder.get(f"/clients/{message.client_id}/messages").status_code == 404
        body = {"channel": "sms", "body": "x"}
        assert intruder.post(f"/clients/{message.client_id}/messages", body).status_code == 404
        assert intruder.post(f"/messages/{message.pk}/cancel", {}).status_code == 404
    assert rows() == before

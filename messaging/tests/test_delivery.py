"""Delivery: through a real (fake) HTTP provider on 127.0.0.1 that succeeds, refuses, fails,
is busy or too slow; retries with backoff that stop; never twice; checks at send time."""

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError, connection
from django.utils import timezone

from audit.models import Event, EventKind
from clients.models import Status
from clients.services import change_status
from messaging import delivery
from messaging.channels import Outbox, get_channel
from messaging.models import Message, MessageStatus
from messaging.tests.conftest import Answer

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def message(a, practice, ana_client) -> Message:
    """An SMS to Ana's client, due now, not yet delivered."""
    return Message.objects.create(
        practice=practice,
        client=ana_client,
        channel="sms",
        recipient="+5511987654321",
        body="Olá, Conceição!",
        send_at=timezone.now() - SECOND,
    )


def reload(message: Message) -> Message:
    message.refresh_from_db()
    return message


def make_due(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(send_at=timezone.now() - SECOND)


def test_the_provider_gets_the_message_with_the_credentials_and_the_idempotency_key(
    provider, message
):
    provider.answer(Answer(200, {"id": "SM123"}))
    assert delivery.deliver(message.pk) == "sent"
    message = reload(message)
    assert (message.status, message.provider_id, message.via) == ("sent", "SM123", "http")
    assert message.sent_at is not None
    assert message.attempts == 1
    [request] = provider.received
    assert request.path == "/v1/messages"
    assert request.headers["Authorization"] == "Bearer secret-token"
    assert request.headers["Idempotency-Key"] == str(message.uuid)
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {
        "id": str(message.uuid),
        "channel": "sms",
        "to": "+5511987654321",
        "text": "Olá, Conceição!",
    }


def test_a_refusal_fails_at_once_with_the_providers_reason(provider, message):
    provider.answer(Answer(400, {"error": {"message": "Invalid destination number"}}))
    assert delivery.deliver(message.pk) == "failed"
    message = reload(message)
    assert message.status == MessageStatus.FAILED
    assert message.last_error == "The provider answered 400: Invalid destination number"
    assert message.attempts == 1
    assert len(provider.received) == 1
    event = Event.objects.get(kind=EventKind.MESSAGE_FAILED)
    assert (event.client_id, event.actor, event.actor_label) == (
        message.client_id,
        None,
        "Clientbook",
    )


def test_a_refusal_in_plain_text_is_quoted(provider, message):
    provider.answer(Answer(403, "Account suspended"))
    delivery.deliver(message.pk)
    assert reload(message).last_error == "The provider answered 403: Account suspended"


def test_server_errors_are_retried_with_backoff_then_given_up(provider, message):
    provider.answer(*[Answer(503, {"message": "Maintenance"}) for _ in range(4)])
    waits = []
    for attempt in range(1, 4):
        before = timezone.now()
        assert delivery.deliver(message.pk) == "retry"
        message = reload(message)
        assert (message.status, message.attempts) == (MessageStatus.SCHEDULED, attempt)
        assert message.last_error == "The provider answered 503: Maintenance"
        waits.append(round((message.send_at - before).total_seconds() / 60))
        # Not due yet: a task run early does nothing.
        assert delivery.deliver(message.pk) == "not due"
        make_due(message)
    assert waits == [1, 5, 25]
    assert delivery.deliver(message.pk) == "failed"
    message = reload(message)
    assert message.status == MessageStatus.FAILED
    assert message.last_error == (
        "The provider answered 503: Maintenance (given up after 4 attempts)"
    )
    assert len(provider.received) == 4
    assert {r.headers["Idempotency-Key"] for r in provider.received} == {str(message.uuid)}


def test_too_many_requests_waits_as_long_as_the_provider_asks(provider, message):
    provider.answer(Answer(429, {"detail": "Slow down"}, headers={"Retry-After": "600"}))
    before = timezone.now()
    assert delivery.deliver(message.pk) == "retry"
    message = reload(message)
    assert message.last_error == "The provider answered 429: Slow down"
    assert 599 <= (message.send_at - before).total_seconds() <= 602


def test_a_provider_too_slow_to_answer_is_a_timeout_tried_again(provider, message):
    provider.answer(Answer(200, {"id": "late"}, delay=2))
    assert delivery.deliver(message.pk) == "retry"
    message = reload(message)
    assert message.last_error == "The provider did not answer within 0.5 seconds."
    assert message.status == MessageStatus.SCHEDULED


def test_a_provider_that_cannot_be_reached_is_tried_again(provider, settings, message):
    provider.close()
    settings.MESSAGING["sms"]["OPTIONS"] = {"url": provider.url, "timeout": 0.5}
    assert delivery.deliver(message.pk) == "retry"
    assert reload(message).last_error.startswith("The provider could not be reached: ")


def test_an_accepted_message_without_an_id_is_sent(provider, message):
    provider.answer(Answer(202, "queued"))
    assert delivery.deliver(message.pk) == "sent"
    assert (reload(message).status, reload(message).provider_id) == ("sent", "")


def test_a_message_is_not_delivered_twice_by_two_tasks(provider, message):
    assert delivery.deliver(message.pk) == "sent"
    assert delivery.deliver(message.pk) == "sent"  # the second finds it sent
    assert len(provider.received) == 1


def _in_thread(target, *args) -> tuple[threading.Thread, list]:
    result: list = []

    def run():
        try:
            result.append(target(*args))
        except OperationalError as error:
            # SQLite's in-memory test database answers "table is locked" where a database file
            # waits (busy_timeout): that worker's task fails, and the message stays for the
            # sweep. It never means a second send.
            result.append("locked" if "locked" in str(error) else error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_leaves_a_message_being_sent_alone(provider, message):
    gate = threading.Event()
    provider.answer(Answer(200, {"id": "first"}, gate=gate))
    first, result = _in_thread(delivery.deliver, message.pk)
    assert provider.arrived.wait(5)
    # The first worker is waiting for the provider's answer: the message is `sending`.
    assert delivery.deliver(message.pk) == "sending"
    gate.set()
    first.join(10)
    assert result == ["sent"]
    assert len(provider.received) == 1
    assert reload(message).provider_id == "first"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_deliver_once(provider, message):
    start = threading.Barrier(2)

    def deliver():
        start.wait(5)
        return delivery.deliver(message.pk)

    threads = [_in_thread(deliver) for _ in range(2)]
    for thread, _ in threads:
        thread.join(20)
    outcomes = sorted(result[0] for _, result in threads)
    assert len(provider.received) == 1
    if connection.vendor == "postgresql":
        # The second waits for the first one's row lock, then finds it sending (or sent).
        assert outcomes in (["sending", "sent"], ["sent", "sent"])
    else:
        assert set(outcomes) <= {"sent", "sending", "locked"}
        assert "sent" in outcomes or "locked" in outcomes


def test_an_interrupted_send_is_retried_with_the_same_key_when_the_channel_is_idempotent(
    provider, message, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - delivery.STUCK_AFTER - SECOND
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, attempted_at=long_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.sweep() == 1
    message = reload(message)
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert provider.received[0].headers["Idempotency-Key"] == str(message.uuid)


def test_an_interrupted_e_mail_is_not_sent_again_blindly(settings, a, practice, ana_client):
    settings.MESSAGING = {"email": {"BACKEND": "messaging.channels.Email"}}
    message = Message.objects.create(
        practice=practice, client=ana_client, channel="email", recipient="conceicao@example.com",
        body="Hi", status=MessageStatus.SENDING, attempts=1,
        attempted_at=timezone.now() - delivery.STUCK_AFTER - SECOND,
    )  # fmt: skip
    recent = Message.objects.create(
        practice=practice, client=ana_client, channel="email", recipient="x@example.com",
        body="Hi", status=MessageStatus.SENDING, attempts=1, attempted_at=timezone.now(),
    )  # fmt: skip
    assert delivery.sweep() == 1
    message = reload(message)
    assert message.status == MessageStatus.FAILED
    assert message.last_error.startswith("Delivery was interrupted: the message may or may not")
    assert reload(recent).status == MessageStatus.SENDING  # still in a worker's hands
    assert mail.outbox == []


def test_the_sweep_sends_due_messages_whose_task_was_lost(provider, a, practice, ana_client):
    def scheduled(at: datetime.datetime) -> Message:
        return Message.objects.create(
            practice=practice, client=ana_client, channel="sms", recipient="+5511987654321",
            body="x", send_at=at,
        )  # fmt: skip

    now = timezone.now()
    lost = scheduled(now - delivery.SWEEP_GRACE - SECOND)
    just_due = scheduled(now - SECOND)  # its own task is about to run
    later = scheduled(now + datetime.timedelta(hours=1))
    assert delivery.sweep() == 1
    assert reload(lost).status == MessageStatus.SENT
    assert reload(just_due).status == reload(later).status == MessageStatus.SCHEDULED
    assert len(provider.received) == 1


def test_a_client_deactivated_before_the_send_gets_nothing(provider, a, message, ana_client):
    change_status([ana_client], by=a.owner, status=Status.INACTIVE)
    assert delivery.deliver(message.pk) == "cancelled"
    message = reload(message)
    assert message.status == MessageStatus.CANCELLED
    assert message.cancel_reason == "The client is no longer active (Inactive)."
    assert provider.received == []


def test_an_sms_due_after_the_module_was_turned_off_is_not_sent(provider, practice, message):
    type(practice).objects.filter(pk=practice.pk).update(sms_enabled=False)
    assert delivery.deliver(message.pk) == "cancelled"
    assert reload(message).cancel_reason == "The practice's SMS module was turned off."
    assert provider.received == []


def test_the_outbox_records_the_message_as_delivered(settings, message):
    settings.MESSAGING = {}
    assert isinstance(get_channel("sms"), Outbox)
    assert delivery.deliver(message.pk) == "sent"
    assert (reload(message).via, reload(message).provider_id) == (
        "outbox",
        f"outbox-{message.uuid}",
    )


def test_a_broken_channel_fails_the_message_without_retrying(settings, message):
    settings.MESSAGING = {"sms": {"BACKEND": "messaging.channels.HttpProvider", "OPTIONS": {}}}
    assert delivery.deliver(message.pk) == "failed"
    assert reload(message).last_error == "Delivery failed: 'url'"


# E-mail through Django's mailers.


@pytest.fixture
def email(settings, a, practice, ana_client) -> Message:
    settings.MESSAGING = {"email": {"BACKEND": "messaging.channels.Email"}}
    return Message.objects.create(
        practice=practice, client=ana_client, channel="email", recipient="conceicao@example.com",
        subject="Consulta", body="Olá!", send_at=timezone.now() - SECOND,
    )  # fmt: skip


def test_an_e_mail_goes_through_the_mailer_with_the_message_id(email):
    assert delivery.deliver(email.pk) == "sent"
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.to) == ("Consulta", "Olá!", ["conceicao@example.com"])
    assert sent.extra_headers["Message-ID"] == f"<{email.uuid}@clientbook>"
    assert (reload(email).via, reload(email).provider_id) == ("email", f"<{email.uuid}@clientbook>")


class FailingMailer(BaseEmailBackend):
    error: Exception = OSError("nothing")

    def send_messages(self, email_messages):
        raise FailingMailer.error


@pytest.mark.parametrize(
    ("error", "outcome", "reason"),
    [
        (
            smtplib.SMTPRecipientsRefused({"a@x": (550, b"No such user")}),
            "failed",
            "The mail server refused the address: 550 No such user",
        ),
        (
            smtplib.SMTPDataError(554, b"Rejected as spam"),
            "failed",
            "The mail server answered: 554 Rejected as spam",
        ),
        (
            smtplib.SMTPDataError(451, b"Try again later"),
            "retry",
            "The mail server answered: 451 Try again later",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "retry",
            "The mail server could not be reached: [Errno 111] Connection refused",
        ),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            "failed",
            "The connection to the mail server broke off (Connection unexpectedly closed): "
            "the e-mail may or may not have arrived.",
        ),
        (
            TimeoutError("timed out"),
            "failed",
            "The connection to the mail server broke off (timed out): the e-mail may or may "
            "not have arrived.",
        ),
    ],
)
def test_mail_server_errors_fail_or_are_retried(settings, email, error, outcome, reason):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingMailer"}}
    FailingMailer.error = error
    assert delivery.deliver(email.pk) == outcome
    assert reload(email).last_error == reason

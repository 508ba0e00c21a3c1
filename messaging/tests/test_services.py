"""Writing, scheduling and cancelling messages; templates; what other modules call."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Event, EventKind
from clients.models import Status
from clients.services import change_status
from messaging.models import Channel, Message, MessageStatus, MessageTemplate, RecipientKind
from messaging.services import (
    cancel_message,
    cancel_scheduled_messages,
    count_scheduled_messages,
    delete_template,
    save_template,
    send_message,
)

HOUR = datetime.timedelta(hours=1)


def send(a, client, **kwargs):
    kwargs.setdefault("channel", Channel.SMS)
    kwargs.setdefault("body", "Olá!")
    return send_message(by=kwargs.pop("by", a.reception), client=client, **kwargs)


def errors(refused) -> dict:
    return {
        field: [str(m) for m in messages] for field, messages in refused.value.message_dict.items()
    }


# Sending.


def test_a_message_sent_now_goes_out_once_the_transaction_commits(
    a, practice, ana_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send(a, ana_client, body="  Olá, Conceição!  ")
        # Written, not yet sent: the delivery waits for the commit.
        assert Message.objects.get().status == MessageStatus.SCHEDULED
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert (message.recipient, message.recipient_kind) == ("+5511987654321", RecipientKind.CLIENT)
    assert message.body == "Olá, Conceição!"
    assert message.via == "outbox"
    assert message.provider_id == f"outbox-{message.uuid}"
    assert message.created_by == a.reception
    assert message.attempts == 1
    assert message.sent_at is not None
    event = Event.objects.get(client=ana_client, kind=EventKind.MESSAGE_QUEUED)
    assert event.actor == a.reception
    assert event.data == {"message": message.pk, "channel": "sms", "recipient": "client"}


def test_nothing_is_sent_when_the_transaction_rolls_back(
    a, practice, ana_client, django_capture_on_commit_callbacks
):
    def page_that_fails_after_writing() -> None:
        with transaction.atomic():
            send(a, ana_client)
            raise RuntimeError("the page failed after writing the message")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        page_that_fails_after_writing()
    assert callbacks == []
    assert not Message.objects.exists()


def test_a_scheduled_message_waits_for_its_time(
    a, practice, ana_client, django_capture_on_commit_callbacks
):
    later = timezone.now() + 3 * HOUR
    with django_capture_on_commit_callbacks(execute=True):
        message = send(a, ana_client, channel=Channel.EMAIL, subject="Hello", send_at=later)
    message.refresh_from_db()
    assert message.status == MessageStatus.SCHEDULED
    assert message.send_at == later
    assert message.subject == "Hello"
    assert Event.objects.filter(client=ana_client, kind=EventKind.MESSAGE_SCHEDULED).exists()


def test_an_e_mail_without_a_subject_gets_the_practices_name(a, practice, ana_client):
    message = send(a, ana_client, channel=Channel.EMAIL)
    assert message.subject == "Message from Clínica A"
    assert send(a, ana_client, subject="Ignored").subject == ""  # SMS have no subject


def test_a_minor_is_written_to_at_the_guardians_phone_unless_the_client_is_chosen(
    a, practice, minor
):
    assert send(a, minor).recipient == "+5511933334444"
    chosen = send(a, minor, recipient=RecipientKind.CLIENT)
    assert (chosen.recipient, chosen.recipient_kind) == ("+5511911112222", "client")


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"channel": "fax"}, "channel", "Choose SMS, e-mail or WhatsApp."),
        ({"recipient": "neighbour"}, "recipient", "Choose the client or the guardian."),
        ({"recipient": RecipientKind.GUARDIAN}, "recipient", "The guardian has no phone number."),
        ({"body": "   "}, "body", "Write the message."),
        ({"body": "x" * 1601}, "body", "At most 1600 characters by SMS (this text: 1601)."),
        ({"body": "a\x00b"}, "body", "This text contains a NUL character."),
        ({"send_at": timezone.now() - 2 * HOUR}, "send_at", "Choose a time in the future."),
        (
            {"send_at": timezone.now() + datetime.timedelta(days=400)},
            "send_at",
            "A message can be scheduled at most a year ahead.",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(a, practice, ana_client, kwargs, field, text):
    with pytest.raises(ValidationError) as refused:
        send(a, ana_client, **kwargs)
    assert errors(refused) == {field: [text]}
    assert not Message.objects.exists()


def test_sms_is_refused_when_the_module_is_off(a, ana_client):
    with pytest.raises(ValidationError) as refused:
        send(a, ana_client)
    assert list(errors(refused)) == ["channel"]
    assert "SMS module is off" in errors(refused)["channel"][0]


def test_a_client_without_a_phone_gets_no_sms(a, practice):
    with pytest.raises(ValidationError) as refused:
        send(a, a.clients["João da Silva"])
    assert errors(refused) == {"recipient": ["No phone number."]}


def test_an_inactive_client_gets_no_new_message(a, practice, ana_client):
    change_status([ana_client], by=a.owner, status=Status.INACTIVE)
    ana_client.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        send(a, ana_client, channel=Channel.EMAIL)
    assert list(errors(refused)) == ["client"]


def test_a_professional_writes_only_to_their_own_clients(a, practice, ana_client):
    assert send(a, ana_client, by=a.professional).created_by == a.professional
    joao = a.clients["João da Silva"]
    with pytest.raises(PermissionDenied):
        send(a, joao, by=a.professional, channel=Channel.EMAIL)


def test_another_practices_member_cannot_write_to_the_client(a, b, practice, ana_client):
    with pytest.raises(PermissionDenied):
        send(a, ana_client, by=b.owner)
    assert not Message.objects.exists()


# Cancelling.


def test_a_scheduled_message_is_cancelled_with_the_reason(a, practice, ana_client):
    message = send(a, ana_client, send_at=timezone.now() + HOUR)
    cancelled = cancel_message(message, by=a.reception, reason="  Client  called ")
    assert (cancelled.status, cancelled.cancel_reason) == (MessageStatus.CANCELLED, "Client called")
    event = Event.objects.get(kind=EventKind.MESSAGE_CANCELLED)
    assert event.changes == {"cancel_reason": [None, "Client called"]}
    assert event.client == ana_client


def test_without_a_reason_it_says_who_cancelled(a, practice, ana_client):
    message = send(a, ana_client, send_at=timezone.now() + HOUR)
    assert cancel_message(message, by=a.owner).cancel_reason == "Cancelled by Olga Owner"


def test_a_message_already_sent_cannot_be_cancelled(
    a, practice, ana_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(a, ana_client)
    with pytest.raises(ValidationError) as refused:
        cancel_message(message, by=a.reception)
    assert errors(refused) == {
        "status": ["Only a scheduled message can be cancelled (this one: Sent)."]
    }


def test_cancelling_checks_the_practice_and_the_professional(a, b, practice, ana_client, minor):
    message = send(a, a.clients["Ana's client"], send_at=timezone.now() + HOUR)
    with pytest.raises(PermissionDenied):
        cancel_message(message, by=b.owner)
    joao_message = Message.objects.create(
        practice=practice, client=a.clients["João da Silva"], channel="sms", recipient="+1",
        body="x", send_at=timezone.now() + HOUR,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        cancel_message(joao_message, by=a.professional)
    assert Message.objects.filter(status=MessageStatus.SCHEDULED).count() == 2


def test_cancel_scheduled_messages_is_one_update_in_the_practice(a, b, practice, ana_client, minor):
    soon = timezone.now() + HOUR
    for client in (ana_client, minor):
        send(a, client, send_at=soon)
        send(a, client, send_at=soon, channel=Channel.EMAIL)
    sent = Message.objects.create(
        practice=practice, client=minor, channel="sms", recipient="+1", body="x",
        status=MessageStatus.SENT,
    )  # fmt: skip
    ids = [ana_client.pk, minor.pk]
    assert count_scheduled_messages(ids, by=b.owner) == 0
    assert cancel_scheduled_messages(ids, by=b.owner, reason="x") == 0
    assert count_scheduled_messages(ids, by=a.owner) == 4
    with CaptureQueriesContext(connection) as queries:
        assert cancel_scheduled_messages(ids, by=a.owner, reason="Client deactivated") == 4
    assert len(queries) == 1
    assert set(Message.objects.exclude(pk=sent.pk).values_list("status", "cancel_reason")) == {
        (MessageStatus.CANCELLED, "Client deactivated")
    }
    assert cancel_scheduled_messages([], by=a.owner, reason="x") == 0


# Templates.


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(a, practice):
    with pytest.raises(ValidationError) as refused:
        save_template(
            by=a.owner, name="Aviso", language="en", subject="{client}",
            body="Hi {client_name}, {date} at {session_time}",
        )  # fmt: skip
    found = errors(refused)
    assert set(found) == {"subject", "body"}
    assert found["body"][0].startswith("Unknown placeholder {date}. The placeholders are: ")
    assert "{client}" in found["subject"][0]
    assert not MessageTemplate.objects.exists()


def test_owner_and_admin_save_and_delete_templates(a, practice):
    template = save_template(
        by=a.admin, name=" Lembrete ", language="pt-br", kind="reminder", channel="sms",
        body="Olá {client_name}, {session_date} às {session_time}.",
    )  # fmt: skip
    assert (template.name, template.practice) == ("Lembrete", practice)
    changed = save_template(
        by=a.owner, template=template, name="Lembrete", language="pt-br", body="Até {session_date}"
    )
    assert changed.pk == template.pk
    assert changed.kind == "manual"
    with pytest.raises(ValidationError) as refused:
        save_template(by=a.owner, name="Lembrete", language="pt-br", body="other")
    assert list(errors(refused)) == ["name"]
    delete_template(template, by=a.owner)
    assert not MessageTemplate.objects.exists()
    kinds = list(Event.objects.filter(client=None).values_list("kind", flat=True))
    assert kinds.count(EventKind.MESSAGE_TEMPLATE_SAVED) == 2
    assert EventKind.MESSAGE_TEMPLATE_DELETED in kinds


def test_reception_and_other_practices_cannot_change_templates(a, b, practice):
    template = save_template(by=a.owner, name="Oi", language="en", body="Hi")
    for member in (a.reception, a.professional):
        with pytest.raises(PermissionDenied):
            save_template(by=member, name="X", language="en", body="Hi")
    with pytest.raises(PermissionDenied):
        save_template(by=b.owner, template=template, name="Mine", language="en", body="Hi")
    with pytest.raises(PermissionDenied):
        delete_template(template, by=b.owner)
    template.refresh_from_db()
    assert template.name == "Oi"

"""Files sent with a message: the registry of renderers, sending one (refused by SMS, checked
when written, routed as the card routes billing papers), delivering it by e-mail, through a
WhatsApp provider and to the outbox, a file gone before delivery, and the history."""

import base64
import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import Event, EventKind
from clientbook.testing import logged_in, make_client
from messaging import attachments, delivery
from messaging.attachments import Attachment, AttachmentMissing
from messaging.models import Channel, Message, MessageStatus, RecipientKind
from messaging.services import send_message
from messaging.tests.test_views import render_panel
from practices.models import Practice

KIND = "test.paper"
PDF = b"%PDF-1.7\n\x00\xff binary, not text\n%%EOF\n"


@dataclass
class Papers:
    """The objects of a pretend app, by (practice, id); a missing one is a KeyError, which is a
    LookupError, as a renderer's lookup would raise."""

    files: dict[tuple[int, int], Attachment] = field(default_factory=dict)
    rendered: int = 0

    def add(self, practice: Practice, pk: int, filename: str = "Invoice FV-2026-0001.pdf"):
        self.files[(practice.pk, pk)] = Attachment(filename, "application/pdf", PDF)
        return attachments.ref(KIND, pk)

    def render(self, pk: int, practice: Practice) -> Attachment:
        self.rendered += 1
        return self.files[(practice.pk, pk)]


@pytest.fixture
def papers():
    found = Papers()
    with attachments.registered(KIND, found.render):
        yield found


def errors(refused) -> dict:
    return {
        field: [str(m) for m in messages] for field, messages in refused.value.message_dict.items()
    }


# The registry.


def test_a_reference_is_made_into_the_file_of_the_practice(a, b, practice, papers):
    reference = papers.add(practice, 12)
    assert reference == "test.paper:12"
    made = attachments.render(reference, practice)
    assert made == Attachment("Invoice FV-2026-0001.pdf", "application/pdf", PDF)
    # Another practice's message cannot reach this practice's object.
    with pytest.raises(AttachmentMissing):
        attachments.render(reference, b.practice)


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("test.paper:99", "The document this file is made from no longer exists."),
        ("nothing.here:1", "Clientbook cannot make files of the kind “nothing.here” (no app "
                           "provides them)."),
        ("test.paper:twelve", "“test.paper:twelve” is not a reference to a file."),
        ("test.paper: 12", "“test.paper: 12” is not a reference to a file."),
        ("test.paper:-1", "“test.paper:-1” is not a reference to a file."),
        ("12", "“12” is not a reference to a file."),
        ("", "“” is not a reference to a file."),
    ],
)  # fmt: skip
def test_a_reference_that_cannot_be_made_says_why(practice, papers, reference, reason):
    with pytest.raises(AttachmentMissing) as missing:
        attachments.render(reference, practice)
    assert missing.value.reason == reason


def test_a_renderer_may_say_itself_why_there_is_no_file(practice):
    def render(pk: int, practice: Practice) -> Attachment:
        raise AttachmentMissing("The invoice is still a draft.")

    with attachments.registered(KIND, render), pytest.raises(AttachmentMissing) as missing:
        attachments.render("test.paper:1", practice)
    assert missing.value.reason == "The invoice is still a draft."


def test_a_kind_has_one_renderer(papers):
    def other(pk: int, practice: Practice) -> Attachment:
        raise LookupError

    attachments.register("test.other", other)
    try:
        attachments.register("test.other", other)  # ready() run again: nothing happens
        with pytest.raises(ValueError, match="already has a renderer"):
            attachments.register("test.other", papers.render)
        with pytest.raises(ValueError, match="without ':'"):
            attachments.register("test:other", other)
    finally:
        attachments.unregister("test.other")
    with pytest.raises(AttachmentMissing, match="cannot make files"):
        attachments.render("test.other:1", Practice())


def test_registered_puts_back_the_renderer_it_replaced(practice, papers):
    papers.add(practice, 1)

    def fake(pk: int, practice: Practice) -> Attachment:
        return Attachment("fake.pdf", "application/pdf", b"")

    with attachments.registered(KIND, fake):
        assert attachments.render("test.paper:1", practice).filename == "fake.pdf"
    assert attachments.render("test.paper:1", practice).filename == "Invoice FV-2026-0001.pdf"


# Sending a message with a file.


def test_a_file_goes_with_an_e_mail_and_the_event_names_it(a, practice, ana_client, papers):
    reference = papers.add(practice, 12)
    message = send_message(
        by=a.reception, client=ana_client, channel=Channel.EMAIL, body="Your invoice.",
        attachment=reference, attachment_name="Invoice FV/2026/0001.pdf",
    )  # fmt: skip
    assert (message.attachment, message.attachment_name) == (
        "test.paper:12",
        "Invoice FV/2026/0001.pdf",
    )
    # Made once to check it can be; made again at delivery.
    assert papers.rendered == 1
    event = Event.objects.get(client=ana_client, kind=EventKind.MESSAGE_QUEUED)
    assert event.data == {
        "message": message.pk,
        "channel": "email",
        "recipient": "client",
        "attachment": "Invoice FV/2026/0001.pdf",
    }


def test_the_history_name_is_the_files_by_default(a, practice, ana_client, papers):
    reference = papers.add(practice, 12, filename="Receipt R-7.pdf")
    message = send_message(
        by=a.reception, client=ana_client, channel=Channel.WHATSAPP, body="Your receipt.",
        attachment=reference,
    )  # fmt: skip
    assert message.attachment_name == "Receipt R-7.pdf"


def test_a_message_without_a_file_records_no_file(a, practice, ana_client):
    message = send_message(by=a.reception, client=ana_client, channel=Channel.SMS, body="Oi")
    assert (message.attachment, message.attachment_name) == ("", "")
    assert "attachment" not in Event.objects.get(kind=EventKind.MESSAGE_QUEUED).data


def test_a_file_cannot_go_by_sms(a, practice, ana_client, papers):
    reference = papers.add(practice, 12)
    with pytest.raises(ValidationError) as refused:
        send_message(
            by=a.reception, client=ana_client, channel=Channel.SMS, body="Invoice",
            attachment=reference,
        )  # fmt: skip
    assert errors(refused) == {"channel": ["A file cannot go by SMS; choose e-mail or WhatsApp."]}
    assert not Message.objects.exists()
    assert papers.rendered == 0


def test_the_database_refuses_a_file_by_sms_too(practice, ana_client):
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            practice=practice, client=ana_client, channel="sms", recipient="+5511987654321",
            body="x", attachment="test.paper:1",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("test.paper:404", "The document this file is made from no longer exists."),
        ("unknown.kind:1", "Clientbook cannot make files of the kind “unknown.kind” (no app "
                           "provides them)."),
        ("test.paper:x", "“test.paper:x” is not a reference to a file."),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_made_is_refused_when_the_message_is_written(
    a, practice, ana_client, papers, reference, reason
):
    with pytest.raises(ValidationError) as refused:
        send_message(
            by=a.reception, client=ana_client, channel=Channel.EMAIL, body="Invoice",
            attachment=reference,
        )  # fmt: skip
    assert errors(refused) == {"attachment": [reason]}
    assert not Message.objects.exists()


def test_another_practices_object_is_refused(a, b, practice, ana_client, papers):
    reference = papers.add(b.practice, 12)
    with pytest.raises(ValidationError) as refused:
        send_message(
            by=a.reception, client=ana_client, channel=Channel.EMAIL, body="Invoice",
            attachment=reference,
        )  # fmt: skip
    assert list(errors(refused)) == ["attachment"]


def test_a_name_without_a_file_is_a_mistake(a, practice, ana_client):
    with pytest.raises(ValueError, match="attachment_name"):
        send_message(
            by=a.reception, client=ana_client, channel=Channel.EMAIL, body="x",
            attachment_name="Invoice.pdf",
        )  # fmt: skip


# Routing: billing papers follow the card's billing flags.


@pytest.fixture
def routed(a, practice):
    """An adult whose billing goes to the guardian's e-mail, and documents to the client's."""
    return make_client(
        a.reception, "Adulta", email="own@example.com", guardian_name="Rui",
        guardian_email="rui@example.com", billing_to_guardian_email=True,
    )  # fmt: skip


def test_a_billing_paper_goes_where_the_card_routes_billing(a, routed, papers):
    reference = papers.add(a.practice, 1)
    invoice = send_message(
        by=a.reception, client=routed, channel=Channel.EMAIL, body="Invoice",
        attachment=reference, purpose="billing",
    )  # fmt: skip
    assert (invoice.recipient_kind, invoice.recipient) == (
        RecipientKind.GUARDIAN,
        "rui@example.com",
    )
    certificate = send_message(
        by=a.reception, client=routed, channel=Channel.EMAIL, body="Certificate",
        attachment=reference,
    )  # fmt: skip
    assert (certificate.recipient_kind, certificate.recipient) == (
        RecipientKind.CLIENT,
        "own@example.com",
    )


def test_a_chosen_recipient_wins_over_the_billing_routing(a, routed):
    message = send_message(
        by=a.reception, client=routed, channel=Channel.EMAIL, body="x", purpose="billing",
        recipient=RecipientKind.CLIENT,
    )  # fmt: skip
    assert message.recipient == "own@example.com"


def test_an_unknown_purpose_is_a_mistake(a, practice, ana_client):
    with pytest.raises(ValueError, match="purpose"):
        send_message(
            by=a.reception, client=ana_client, channel=Channel.EMAIL, body="x",
            purpose="marketing",  # type: ignore[arg-type]
        )  # fmt: skip


# Delivery.

SECOND = datetime.timedelta(seconds=1)


def written(practice, client, channel: str, to: str, reference: str, **fields) -> Message:
    """A message with a file, due now, not yet delivered (written as send_message would)."""
    return Message.objects.create(
        practice=practice, client=client, channel=channel, recipient=to, body="Your invoice.",
        attachment=reference, attachment_name="Invoice FV/2026/0001.pdf",
        send_at=timezone.now() - SECOND, **fields,
    )  # fmt: skip


def test_an_e_mail_carries_the_file(settings, practice, ana_client, papers):
    settings.MESSAGING = {"email": {"BACKEND": "messaging.channels.Email"}}
    reference = papers.add(practice, 12)
    message = written(
        practice, ana_client, "email", "conceicao@example.com", reference, subject="Invoice"
    )
    assert delivery.deliver(message.pk) == "sent"
    [sent] = mail.outbox
    assert sent.attachments == [("Invoice FV-2026-0001.pdf", PDF, "application/pdf")]
    assert sent.body == "Your invoice."
    # And it survives being put into MIME.
    [part] = [p for p in sent.message().walk() if p.get_filename()]
    assert part.get_content_type() == "application/pdf"
    assert part.get_payload(decode=True) == PDF


def test_the_whatsapp_provider_gets_the_file_in_base64(provider, practice, ana_client, papers):
    reference = papers.add(practice, 12)
    message = written(practice, ana_client, "whatsapp", "+5511987654321", reference)
    assert delivery.deliver(message.pk) == "sent"
    [request] = provider.received
    assert request.body == {
        "id": str(message.uuid),
        "channel": "whatsapp",
        "to": "+5511987654321",
        "text": "Your invoice.",
        "attachment": {
            "filename": "Invoice FV-2026-0001.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(PDF).decode(),
        },
    }
    assert base64.b64decode(request.body["attachment"]["content_base64"]) == PDF


def test_the_file_is_made_as_the_document_is_at_delivery(provider, practice, ana_client, papers):
    reference = papers.add(practice, 12)
    message = written(practice, ana_client, "whatsapp", "+5511987654321", reference)
    papers.add(practice, 12, filename="Invoice FV-2026-0001 (corrected).pdf")
    delivery.deliver(message.pk)
    assert provider.received[0].body["attachment"]["filename"] == (
        "Invoice FV-2026-0001 (corrected).pdf"
    )


def test_the_outbox_records_a_message_with_a_file(settings, practice, ana_client, papers):
    settings.MESSAGING = {}
    message = written(practice, ana_client, "whatsapp", "+5511987654321", papers.add(practice, 1))
    assert delivery.deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.via, message.attachment_name) == ("outbox", "Invoice FV/2026/0001.pdf")
    assert papers.rendered == 1


@pytest.mark.parametrize("backend", ["HttpProvider", "Outbox"])
def test_a_file_gone_before_delivery_fails_the_message_without_retrying(
    provider, settings, practice, ana_client, papers, backend
):
    settings.MESSAGING["whatsapp"]["BACKEND"] = f"messaging.channels.{backend}"
    message = written(practice, ana_client, "whatsapp", "+5511987654321", papers.add(practice, 1))
    papers.files.clear()  # the invoice was deleted
    assert delivery.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert message.last_error == (
        "The file Invoice FV/2026/0001.pdf cannot be sent: The document this file is made from "
        "no longer exists."
    )
    assert provider.received == []
    assert Event.objects.filter(kind=EventKind.MESSAGE_FAILED, client=ana_client).count() == 1
    # Nothing scheduled for later: a second task finds it failed.
    assert delivery.deliver(message.pk) == "failed"
    assert delivery.sweep(timezone.now() + datetime.timedelta(days=1)) == 0


def test_an_e_mail_whose_file_is_gone_is_not_sent(settings, practice, ana_client, papers):
    settings.MESSAGING = {"email": {"BACKEND": "messaging.channels.Email"}}
    message = written(practice, ana_client, "email", "conceicao@example.com", "test.paper:5")
    assert delivery.deliver(message.pk) == "failed"
    assert mail.outbox == []


# The history.


def test_the_history_shows_the_files_name(
    a, practice, ana_client, papers, django_assert_num_queries
):
    written(practice, ana_client, "email", "conceicao@example.com", papers.add(practice, 1))
    with django_assert_num_queries(1):  # the messages; the file is not made to be listed
        html = render_panel(a.reception, ana_client)
    assert papers.rendered == 0
    [item] = re.findall(r'<p class="message-attachment">(.*?)</p>', html)
    assert "📎" in item
    assert "Invoice FV/2026/0001.pdf" in item
    assert "Attached file:" in item  # for screen readers, beside the paperclip


def test_the_messages_page_shows_the_files_name(a, practice, ana_client, papers):
    written(practice, ana_client, "email", "conceicao@example.com", papers.add(practice, 1))
    response = logged_in(a.reception).get(reverse("messaging:client", args=[ana_client.pk]))
    assert response.status_code == 200
    assert "Invoice FV/2026/0001.pdf" in response.content.decode()

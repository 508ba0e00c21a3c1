"""The demo's messages: SMS reminders on, templates, and a history of every kind."""

import datetime

from messaging.demo import add_demo_messages
from messaging.models import Message, MessageKind, MessageStatus, MessageTemplate
from scheduling.services import book_session


def test_the_demo_practice_gets_reminders_templates_and_a_history(a, ana_client, monday):
    session = book_session(
        by=a.reception, client=ana_client, professional=a.professional.professional,
        starts_at=monday, duration=datetime.timedelta(minutes=50),
    )  # fmt: skip
    add_demo_messages(a.practice)
    a.practice.refresh_from_db()
    assert (a.practice.sms_enabled, a.practice.reminder_channel) == (True, "sms")
    assert MessageTemplate.objects.filter(practice=a.practice).count() == 2
    assert Message.objects.get(session=session).kind == MessageKind.REMINDER
    statuses = set(Message.objects.filter(kind="manual").values_list("status", flat=True))
    assert statuses == {
        MessageStatus.SENT, MessageStatus.SCHEDULED, MessageStatus.FAILED, MessageStatus.CANCELLED
    }  # fmt: skip
    assert Message.objects.get(status=MessageStatus.FAILED).last_error
    assert Message.objects.get(status=MessageStatus.CANCELLED).cancel_reason
    assert not Message.objects.exclude(practice=a.practice).exists()

"""Session reminders follow the agenda: booked → one reminder, moved → moved, cancelled or
removed → dropped; none when the practice sends none, for past sessions, or for a client who
cannot be reached."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from clientbook.testing import make_client
from clients.models import Status
from clients.services import change_status
from messaging.models import Message, MessageKind, MessageStatus
from messaging.reminders import sync_reminders
from messaging.services import save_template
from practices.models import Practice
from practices.services import update_practice_settings
from scheduling.models import CancelledBy, Session
from scheduling.recurrence import WEEKLY, Rule
from scheduling.services import (
    book_series,
    book_session,
    cancel_session,
    delete_session,
    pause_series,
    reschedule_session,
    resume_series,
)

DAY, HOUR = datetime.timedelta(days=1), datetime.timedelta(hours=1)


@pytest.fixture
def reminders(practice) -> Practice:
    """Practice A sends SMS reminders 24 hours ahead."""
    Practice.objects.filter(pk=practice.pk).update(reminder_channel="sms", reminder_hours_before=24)
    practice.refresh_from_db()
    return practice


def book(a, client, starts_at, **kwargs) -> Session:
    session = book_session(
        by=a.reception,
        client=client,
        professional=a.professional.professional,
        starts_at=starts_at,
        duration=datetime.timedelta(minutes=50),
        **kwargs,
    )
    sync_reminders([session.pk])  # what the agenda calls; again here, to show it is idempotent
    return session


def reminders_of(session: Session) -> list[Message]:
    return list(Message.objects.filter(session=session, kind=MessageKind.REMINDER).order_by("pk"))


def local_date(moment: datetime.datetime, practice: Practice) -> str:
    return formats.date_format(timezone.localtime(moment, practice.tz).date(), "DATE_FORMAT")


def test_a_booked_session_gets_one_reminder_a_day_before(a, reminders, ana_client, monday):
    session = book(a, ana_client, monday)
    sync_reminders([session.pk])
    [reminder] = reminders_of(session)
    assert reminder.status == MessageStatus.SCHEDULED
    assert reminder.send_at == monday - DAY
    assert reminder.reminder_for == monday
    assert (reminder.channel, reminder.recipient) == ("sms", "+5511987654321")
    assert reminder.created_by_label == "Clientbook"
    assert reminder.body == (
        "Hello Conceição Araújo, this is a reminder of your session with Ana Analyst at "
        f"Clínica A on {local_date(monday, reminders)} at 18:00."
    )


def test_a_rescheduled_session_moves_its_reminder(a, reminders, ana_client, monday):
    session = book(a, ana_client, monday)
    [before] = reminders_of(session)
    tuesday = monday + DAY - 8 * HOUR  # Tuesday 10:00
    reschedule_session(session, by=a.reception, starts_at=tuesday)
    sync_reminders([session.pk])
    [after] = reminders_of(session)
    assert after.pk == before.pk
    assert after.send_at == tuesday - DAY
    assert f"on {local_date(tuesday, reminders)} at 10:00." in after.body


def test_a_cancelled_session_drops_its_reminder(a, reminders, ana_client, monday):
    session = book(a, ana_client, monday)
    cancel_session(session, by=a.reception, cancelled_by=CancelledBy.CLIENT, reason="Sick")
    sync_reminders([session.pk])
    [reminder] = reminders_of(session)
    assert (reminder.status, reminder.cancel_reason) == (
        MessageStatus.CANCELLED,
        "The session was cancelled.",
    )


def test_a_removed_session_drops_its_reminder(a, reminders, ana_client, monday):
    session = book(a, ana_client, monday)
    [reminder] = reminders_of(session)
    delete_session(session, by=a.reception)
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.CANCELLED
    assert reminder.session is None


def test_deleting_a_session_by_any_means_drops_its_scheduled_reminder(
    a, reminders, ana_client, monday
):
    session = book(a, ana_client, monday)
    [reminder] = reminders_of(session)
    Session.objects.filter(pk=session.pk).delete()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.cancel_reason) == (
        MessageStatus.CANCELLED,
        "The session was removed.",
    )


def test_no_reminders_when_the_practice_sends_none(a, practice, ana_client, monday):
    session = book(a, ana_client, monday)
    assert reminders_of(session) == []


def test_a_past_session_gets_no_reminder(a, reminders, ana_client):
    session = book(a, ana_client, timezone.now() - 3 * HOUR)
    assert reminders_of(session) == []


def test_a_session_moved_to_the_past_loses_its_reminder(a, reminders, ana_client, monday):
    session = book(a, ana_client, monday)
    reschedule_session(session, by=a.reception, starts_at=timezone.now() - 2 * DAY)
    sync_reminders([session.pk])
    [reminder] = reminders_of(session)
    assert (reminder.status, reminder.cancel_reason) == (
        MessageStatus.CANCELLED,
        "The session is in the past.",
    )


def test_a_session_sooner_than_the_lead_time_is_reminded_at_once(
    a, reminders, ana_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = book(a, ana_client, timezone.now() + 3 * HOUR)
    [reminder] = reminders_of(session)
    assert reminder.status == MessageStatus.SENT
    assert reminder.via == "outbox"


def test_a_client_who_cannot_be_reached_gets_no_reminder(a, reminders, monday):
    session = book(a, a.clients["João da Silva"], monday)
    assert reminders_of(session) == []


def test_a_minors_reminder_goes_to_the_guardian(a, reminders, minor, monday):
    session = book(a, minor, monday)
    [reminder] = reminders_of(session)
    assert (reminder.recipient_kind, reminder.recipient) == ("guardian", "+5511933334444")


def test_the_practices_reminder_template_in_its_language_replaces_the_built_in_text(
    a, reminders, ana_client, monday
):
    save_template(
        by=a.owner, name="Lembrete", language="pt-br", kind="reminder",
        body="Ignored: not the practice's language {client_name}",
    )  # fmt: skip
    save_template(
        by=a.owner, name="Reminder", language="en", kind="reminder", channel="sms",
        body="{client_name}: {session_date} {session_time} with {professional_name}, "
        "{practice_name}",
    )  # fmt: skip
    session = book(a, ana_client, monday)
    [reminder] = reminders_of(session)
    assert reminder.body == (
        f"Conceição Araújo: {local_date(monday, reminders)} 18:00 with Ana Analyst, Clínica A"
    )


def test_an_e_mail_reminder_has_a_subject(a, reminders, ana_client, monday):
    Practice.objects.filter(pk=reminders.pk).update(reminder_channel="email")
    session = book(a, ana_client, monday)
    [reminder] = reminders_of(session)
    assert reminder.recipient == "conceicao@example.com"
    assert reminder.subject == f"Reminder: your session on {local_date(monday, reminders)}"


def test_a_client_already_reminded_is_not_reminded_again(a, reminders, ana_client, monday):
    session = book(a, ana_client, monday)
    Message.objects.filter(session=session).update(status=MessageStatus.SENT)
    sync_reminders([session.pk])
    assert [m.status for m in reminders_of(session)] == [MessageStatus.SENT]
    # Moved after the reminder went: the new time gets a reminder of its own.
    reschedule_session(session, by=a.reception, starts_at=monday + 2 * HOUR)
    sync_reminders([session.pk])
    assert [m.status for m in reminders_of(session)] == [
        MessageStatus.SENT,
        MessageStatus.SCHEDULED,
    ]


def test_an_inactive_clients_reminders_are_dropped(a, reminders, ana_client, monday):
    session = book(a, ana_client, monday)
    change_status([ana_client], by=a.owner, status=Status.INACTIVE)
    sync_reminders([session.pk])
    [reminder] = reminders_of(session)
    assert reminder.status == MessageStatus.CANCELLED
    assert reminder.cancel_reason == "Only active clients get messages (this client: Inactive)."


def test_a_series_gets_a_reminder_per_session_and_pausing_drops_them(
    a, reminders, ana_client, monday
):
    series = book_series(
        by=a.reception, client=ana_client, professional=a.professional.professional,
        start_date=timezone.localtime(monday, reminders.tz).date(), at=datetime.time(18),
        rule=Rule(WEEKLY, count=4), duration=datetime.timedelta(minutes=50),
    )  # fmt: skip
    sessions = list(series.sessions.order_by("starts_at"))
    sync_reminders(s.pk for s in sessions)
    reminders_sent = Message.objects.filter(session__series=series)
    assert reminders_sent.filter(status=MessageStatus.SCHEDULED).count() == 4
    assert {m.session.starts_at - m.send_at for m in reminders_sent} == {DAY}
    pause_series(series, by=a.reception)
    sync_reminders(s.pk for s in sessions)
    assert reminders_sent.filter(status=MessageStatus.SCHEDULED).count() == 0
    resume_series(series, by=a.reception)
    upcoming = series.sessions.filter(status="scheduled").values_list("pk", flat=True)
    sync_reminders(upcoming)
    assert Message.objects.filter(
        session__in=upcoming, status=MessageStatus.SCHEDULED
    ).count() == len(upcoming)


def test_sync_reminders_is_set_based(a, reminders, ana_client, monday):
    """Queries: the sessions; the reminders, locked; the templates; the bulk create (and, on a
    second call, the bulk update) — the same for 2 sessions as for 20."""

    def sessions(count: int, start: datetime.datetime) -> list[int]:
        client = make_client(a.reception, f"Client {start:%H}", phone="+5511900001111")
        return [
            book_session(
                by=a.reception, client=client, professional=a.other_professional,
                starts_at=start + i * DAY, duration=datetime.timedelta(minutes=50),
            ).pk
            for i in range(count)
        ]  # fmt: skip

    Practice.objects.filter(pk=reminders.pk).update(reminder_channel="")
    few, many = sessions(2, monday), sessions(20, monday + HOUR)
    Practice.objects.filter(pk=reminders.pk).update(reminder_channel="sms")
    counts = []
    for ids in (few, many):
        with CaptureQueriesContext(connection) as queries:
            sync_reminders(ids)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Message.objects.filter(status=MessageStatus.SCHEDULED).count() == 22


def test_changing_the_settings_brings_every_upcoming_reminder_in_step(
    a, reminders, ana_client, minor, monday, django_capture_on_commit_callbacks
):
    first, second = book(a, ana_client, monday), book(a, minor, monday + 2 * HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        update_practice_settings(
            reminders, by=a.owner, sms_enabled=True, reminder_channel="whatsapp",
            reminder_hours_before=48,
        )  # fmt: skip
    for session, to in ((first, "+5511987654321"), (second, "+5511955556666")):
        scheduled = [m for m in reminders_of(session) if m.status == MessageStatus.SCHEDULED]
        assert [(m.channel, m.recipient) for m in scheduled] == [("whatsapp", to)]
        assert scheduled[0].send_at == session.starts_at - 2 * DAY
    with django_capture_on_commit_callbacks(execute=True):
        update_practice_settings(
            reminders, by=a.owner, sms_enabled=True, reminder_channel="", reminder_hours_before=48
        )
    assert not Message.objects.filter(status=MessageStatus.SCHEDULED).exists()
    assert set(Message.objects.values_list("cancel_reason", flat=True)) == {
        "The practice sends no reminders."
    }


def test_a_changed_reminder_template_rewrites_the_scheduled_reminders(
    a, reminders, ana_client, monday, django_capture_on_commit_callbacks
):
    session = book(a, ana_client, monday)
    with django_capture_on_commit_callbacks(execute=True):
        save_template(
            by=a.owner,
            name="Reminder",
            kind=MessageKind.REMINDER,
            language="en",
            body="See you {session_date} at {session_time}, {client_name}!",
        )
    (reminder,) = reminders_of(session)
    assert reminder.body.startswith("See you")
    assert reminder.status == MessageStatus.SCHEDULED

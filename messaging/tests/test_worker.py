"""`clientbook worker`: the database task queue and the periodic tasks."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clientbook.periodic import enqueue_due, periodic_tasks
from messaging.models import MessageStatus
from messaging.services import send_message

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    """The production task backend: tasks wait in the database for a worker."""
    settings.TASKS = DATABASE_QUEUE
    settings.PERIODIC_TASKS = [("messaging.tasks.send_due_messages", 60)]


def test_the_configured_periodic_tasks_exist():
    paths = [p.path for p in periodic_tasks()]
    assert paths == ["messaging.tasks.send_due_messages", "scheduling.tasks.extend_series"]


def test_a_wrong_periodic_task_is_an_error_at_start(settings):
    settings.PERIODIC_TASKS = [("messaging.tasks.no_such_task", 60)]
    with pytest.raises(ImproperlyConfigured, match="no_such_task"):
        call_command("worker", batch=True)


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_what_was_queued_and_runs_the_periodic_tasks(
    a, practice, ana_client, queue
):
    message = send_message(by=a.reception, client=ana_client, channel="sms", body="Olá")
    # Committed, so queued; not yet sent: that is the worker's job.
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "messaging.tasks.deliver_message"
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}
    message.refresh_from_db()
    assert message.status == MessageStatus.SCHEDULED

    call_command("worker", batch=True, verbosity=0)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    done = dict(DBTaskResult.objects.values_list("task_path", "status"))
    assert done == {
        "messaging.tasks.deliver_message": "SUCCESSFUL",
        "messaging.tasks.send_due_messages": "SUCCESSFUL",
    }


@pytest.mark.django_db(transaction=True)
def test_a_message_for_later_waits_in_the_queue_until_its_time(a, practice, ana_client, queue):
    later = timezone.now() + datetime.timedelta(hours=2)
    message = send_message(
        by=a.reception, client=ana_client, channel="sms", body="Olá", send_at=later
    )
    [task] = DBTaskResult.objects.all()
    assert task.run_after == later
    call_command("worker", batch=True, periodic=False, verbosity=0)
    message.refresh_from_db()
    assert message.status == MessageStatus.SCHEDULED
    assert DBTaskResult.objects.get().status == "READY"


@pytest.mark.django_db(transaction=True)
def test_a_periodic_task_is_not_queued_again_while_a_run_waits(queue):
    tasks = periodic_tasks()
    assert enqueue_due(tasks, now=0.0) == ["messaging.tasks.send_due_messages"]
    assert enqueue_due(tasks, now=30.0) == []  # not yet due
    assert enqueue_due(tasks, now=61.0) == []  # due, but the first run still waits
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert enqueue_due(tasks, now=122.0) == ["messaging.tasks.send_due_messages"]
    assert DBTaskResult.objects.count() == 2

"""Background work of messaging, run by `clientbook worker` (django.tasks)."""

from django.tasks import task

from messaging import delivery, reminders


@task
def deliver_message(message_id: int) -> str:
    """Send one message when it is due (see messaging.delivery for the rules)."""
    return delivery.deliver(message_id)


@task
def send_due_messages() -> int:
    """Periodic (settings.PERIODIC_TASKS): due messages whose task was lost, stuck sends."""
    return delivery.sweep()


@task
def resync_reminders(practice_id: int) -> int:
    """After a practice's reminder settings change: its upcoming sessions' reminders."""
    return reminders.resync_practice(practice_id)

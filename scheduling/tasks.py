"""The agenda's background work, run by `clientbook worker` (see settings.PERIODIC_TASKS)."""

from django.tasks import task

from scheduling import services


@task
def extend_series() -> int:
    """Make running series' sessions up to the horizon; returns how many were made."""
    return services.extend_series()

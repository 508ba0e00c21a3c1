"""Periodic tasks (settings.PERIODIC_TASKS) for `clientbook worker`: each task is queued when
the worker starts and then every so many seconds, unless one of its runs is still waiting in
the queue (several workers then do not pile up copies of it)."""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connection
from django.tasks import Task
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass
class Periodic:
    path: str
    every: float
    task: Task
    due: float = 0.0


def periodic_tasks() -> list[Periodic]:
    """The tasks of settings.PERIODIC_TASKS, imported (a wrong path is an error at start)."""
    found = []
    for path, every in getattr(settings, "PERIODIC_TASKS", []):
        try:
            task = import_string(path)
        except ImportError as error:
            raise ImproperlyConfigured(f"PERIODIC_TASKS: cannot import {path}: {error}") from error
        if not isinstance(task, Task) or float(every) <= 0:
            raise ImproperlyConfigured(f"PERIODIC_TASKS: {path} is not a task with an interval")
        found.append(Periodic(path, float(every), task))
    return found


def _waiting(periodic: Periodic) -> bool:
    """Whether a run of this task is queued and not yet started (database backend only)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(periodic.task.get_backend(), DatabaseBackend):
        return False

    return DBTaskResult.objects.filter(task_path=periodic.task.module_path, status="READY").exists()


def enqueue_due(tasks: list[Periodic], now: float) -> list[str]:
    """Queue the tasks whose time has come; returns their paths."""
    queued = []
    for periodic in tasks:
        if now < periodic.due:
            continue
        periodic.due = now + periodic.every
        try:
            if not _waiting(periodic):
                periodic.task.enqueue()
                queued.append(periodic.path)
        except Exception:
            # The database may be briefly away: try again at the next interval.
            logger.exception("could not queue %s", periodic.path)
    return queued


class Scheduler(threading.Thread):
    """A daemon thread that queues the periodic tasks; the worker runs them."""

    def __init__(self, tasks: list[Periodic], *, clock: Callable[[], float] = time.monotonic):
        super().__init__(name="periodic-tasks", daemon=True)
        self.tasks, self.clock = tasks, clock
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                close_old_connections()
                for path in enqueue_due(self.tasks, self.clock()):
                    logger.info("queued %s", path)
                self.stopping.wait(1.0)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()

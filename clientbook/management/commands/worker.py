"""`clientbook worker`: runs the background tasks (django_tasks_db's db_worker) and queues the
periodic ones (settings.PERIODIC_TASKS). Run one or more beside the web servers."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from clientbook.periodic import Scheduler, enqueue_due, periodic_tasks


class Command(BaseCommand):
    help = "Run background tasks (messages, series) and queue the periodic ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when no task is ready (default 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Queue the periodic tasks once, run every ready task, then exit.",
        )
        parser.add_argument(
            "--no-periodic",
            dest="periodic",
            action="store_false",
            help="Do not queue the periodic tasks (another worker does).",
        )

    def handle(self, *args, interval: float, batch: bool, periodic: bool, **options) -> None:
        tasks = periodic_tasks() if periodic else []
        scheduler = None
        if batch:
            enqueue_due(tasks, 0.0)
        elif tasks:
            scheduler = Scheduler(tasks)
            scheduler.start()
        try:
            call_command(
                "db_worker",
                queue_name="*",
                interval=interval,
                batch=batch,
                reload=False,
                startup_delay=not batch,
                verbosity=options["verbosity"],
            )
        finally:
            if scheduler is not None:
                scheduler.stop()

"""`clientbook agenda`: a practice's sessions of some days as text or CSV (to print a day's
list or hand it to another tool), and `--extend` to make running series up to the horizon
now rather than at the worker's next round."""

import csv
import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, timezone, translation

from practices.models import Practice
from scheduling.models import Session
from scheduling.services import extend_series

COLUMNS = [
    "session", "date", "start", "end", "status", "client_code", "client", "professional",
    "room", "service", "series",
]  # fmt: skip


class Command(BaseCommand):
    help = "Print a practice's sessions of some days (text or CSV), or --extend the series."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--practice", help="Practice id or name")
        parser.add_argument("--date", help="First day, YYYY-MM-DD (default: today)")
        parser.add_argument("--days", type=int, default=1, help="How many days (1-92)")
        parser.add_argument("--professional", type=int, help="Only this professional's id")
        parser.add_argument("--format", choices=["text", "csv"], default="text")
        parser.add_argument(
            "--extend", action="store_true", help="Make running series up to the horizon now"
        )

    def handle(self, *args, **options) -> None:
        if options["extend"]:
            made = extend_series()
            self.stdout.write(f"{made} sessions made.")
            return
        if not options["practice"]:
            raise CommandError("Give --practice (an id or a name), or --extend.")
        practice = self._practice(options["practice"])
        tz = practice.tz
        try:
            first = (
                datetime.date.fromisoformat(options["date"])
                if options["date"]
                else timezone.localdate(timezone.now(), tz)
            )
        except ValueError:
            raise CommandError("--date: give a date as YYYY-MM-DD.") from None
        if not 1 <= options["days"] <= 92:
            raise CommandError("--days: from 1 to 92.")
        sessions = (
            Session.objects.filter(
                practice=practice,
                starts_at__gte=datetime.datetime.combine(first, datetime.time(), tz),
                starts_at__lt=datetime.datetime.combine(
                    first + datetime.timedelta(days=options["days"]), datetime.time(), tz
                ),
            )
            .select_related("client", "professional", "room", "service")
            .order_by("starts_at", "professional__name", "pk")
        )
        if options["professional"]:
            sessions = sessions.filter(professional_id=options["professional"])
        with translation.override(practice.language), timezone.override(tz):
            rows = [self._row(s, tz) for s in sessions]
            if options["format"] == "csv":
                writer = csv.writer(self.stdout, lineterminator="\n")
                writer.writerow(COLUMNS)
                writer.writerows([row[c] for c in COLUMNS] for row in rows)
                return
            day = None
            for row in rows:
                if row["date"] != day:
                    day = row["date"]
                    self.stdout.write(f"\n{row['day']}")
                self.stdout.write(
                    f"  {row['start']}–{row['end']}  {row['professional']:<28} "
                    f"{row['client']} ({row['client_code']})"
                    + (f", {row['room']}" if row["room"] else "")
                    + (f"  [{row['status_label']}]" if row["status"] != "scheduled" else "")
                )
            if not rows:
                self.stdout.write("No sessions.")

    def _practice(self, given: str) -> Practice:
        found = (
            Practice.objects.filter(pk=int(given))
            if given.isdigit()
            else Practice.objects.filter(name__iexact=given)
        ).first()
        if found is None:
            raise CommandError(f"No practice {given!r}.")
        return found

    @staticmethod
    def _row(session: Session, tz) -> dict:
        start = timezone.localtime(session.starts_at, tz)
        return {
            "session": session.pk,
            "date": start.date().isoformat(),
            "day": formats.date_format(start, "DATE_FORMAT"),
            "start": f"{start:%H:%M}",
            "end": f"{timezone.localtime(session.ends_at, tz):%H:%M}",
            "status": session.status,
            "status_label": session.get_status_display(),
            "client_code": session.client.code,
            "client": session.client.full_name,
            "professional": session.professional.name,
            "room": session.room.name if session.room else "",
            "service": session.service.name if session.service else "",
            "series": session.series_id or "",
        }

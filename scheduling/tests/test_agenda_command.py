"""`clientbook agenda`: a practice's days as text or CSV, and --extend."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scheduling.recurrence import WEEKLY, Rule
from scheduling.services import book_series, book_session


def run(*args) -> str:
    out = io.StringIO()
    call_command("agenda", *args, stdout=out)
    return out.getvalue()


def test_a_day_as_csv_lists_only_that_practices_sessions_of_that_day(a, b, monday):
    joao = a.clients["João da Silva"]
    book_session(by=a.reception, client=joao, professional=a.other_professional, starts_at=monday)
    book_session(
        by=a.reception,
        client=joao,
        professional=a.other_professional,
        starts_at=monday + datetime.timedelta(days=1),
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                run(
                    "--practice",
                    str(a.practice.pk),
                    "--date",
                    monday.date().isoformat(),
                    "--format",
                    "csv",
                )
            )
        )
    )
    assert [(r["start"], r["client"], r["professional"]) for r in rows] == [
        ("18:00", "João da Silva", "Bruno Brito")
    ]
    assert run("--practice", b.practice.name, "--date", monday.date().isoformat()).strip() == (
        "No sessions."
    )
    text = run("--practice", a.practice.name, "--date", monday.date().isoformat(), "--days", "2")
    assert text.count("João da Silva") == 2


def test_extend_makes_open_ended_series_up_to_the_horizon_now(a, monday):
    book_series(
        by=a.reception,
        client=a.clients["João da Silva"],
        professional=a.other_professional,
        start_date=monday.date(),
        at=datetime.time(9),
        rule=Rule(WEEKLY),
        horizon=datetime.timedelta(weeks=2),
    )
    assert int(run("--extend").split()[0]) >= 20


def test_bad_arguments_are_explained(a):
    with pytest.raises(CommandError, match="--practice"):
        run()
    with pytest.raises(CommandError, match="No practice"):
        run("--practice", "Nowhere")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--practice", str(a.practice.pk), "--date", "23/11/2026")
    with pytest.raises(CommandError, match="--days"):
        run("--practice", str(a.practice.pk), "--days", "400")

"""`clientbook bench` (`make bench`): seed a big practice with its clients, two years of
agenda and two years of sales, then time the client list, its searches and its tab counts, the
week agenda and booking, a client's turnover and its export, and issuing a sales document,
each next to a baseline (the Django admin's changelist; for booking, a naive conflict check;
for sales, naive versions in billing/bench.py). A benchmark, not a test: it reports the targets
it meets and misses, it never fails on a timing."""

import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from billing import bench as sales
from clientbook.lib.bench import (
    BenchError,
    Requester,
    Scenario,
    analyze,
    explain,
    progress,
    shorten,
    time_call,
    time_pair,
)
from clients import bench
from clients.access import visible_clients
from clients.selectors import status_counts
from practices.models import Practice, User
from scheduling import bench as agenda

# The big practice's counts may cost at most this much more than a small practice's.
COUNTS_GROWTH = 1.5


class Command(BaseCommand):
    help = (
        "Seed a big practice with its agenda and sales (reused if already seeded with the same "
        "sizes) and time the client list, search, tab counts, week agenda, booking, turnover "
        "and issuing against baselines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=200_000, help="The big practice")
        parser.add_argument(
            "--other-practices", type=int, default=2, help="Practices around the big one"
        )
        parser.add_argument(
            "--other-clients", type=int, default=20_000, help="Clients in each other practice"
        )
        parser.add_argument(
            "--sessions", type=int, default=100_000, help="Sessions in the big practice's agenda"
        )
        parser.add_argument(
            "--sales-lines",
            type=int,
            default=10_000,
            help="Document lines of the client whose turnover is timed (twice as many are "
            "sold to other clients)",
        )
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per page")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests first")
        parser.add_argument("--deep", type=int, default=100_000, help="Rows in, deep page")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed of the data")
        parser.add_argument("--batch", type=int, default=5_000, help="Rows per bulk insert")
        parser.add_argument(
            "--reseed", action="store_true", help="Seed afresh even if the sizes match"
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Print the plans of the two slowest queries of each of our pages",
        )
        parser.add_argument(
            "--json", default=str(Path(settings.VAR_DIR) / "bench.json"), help="Figures file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            options["clients"] < 1000
            or options["sessions"] < 1000
            or options["sales_lines"] < 200
            or options["repeat"] < 1
        ):
            raise CommandError(
                "Use at least 1,000 clients, 1,000 sessions, 200 sales lines and 1 repetition."
            )
        self._use_bench_database()
        specs = bench.practice_specs(
            options["clients"], options["other_practices"], options["other_clients"]
        )
        agenda_spec = agenda.AgendaSpec(sessions=options["sessions"])
        sales_spec = sales.SalesSpec(
            lines=options["sales_lines"], background=2 * options["sales_lines"]
        )
        # Production settings, less what a test client cannot do: DEBUG off (no query log,
        # cached templates), requests over HTTPS so nothing redirects, static files without
        # the manifest that only `collectstatic` writes.
        with (
            override_settings(
                DEBUG=False,
                ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
                STORAGES={
                    **settings.STORAGES,
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                },
            ),
            warnings.catch_warnings(),
        ):
            warnings.filterwarnings("ignore", message="No directory at")
            seed_seconds = self._prepare(specs, options)
            agenda_seconds = self._prepare_agenda(specs[0], agenda_spec, options)
            sales_seconds = self._prepare_sales(
                specs[0], sales_spec, options, agenda_reseeded=agenda_seconds is not None
            )
            load_before = os.getloadavg()
            try:
                report = self._measure(specs, options)
            except BenchError as error:
                raise CommandError(str(error)) from error
        report["seed_seconds"] = seed_seconds
        report["agenda_seed_seconds"] = agenda_seconds
        report["sales_seed_seconds"] = sales_seconds
        report["machine"] = {
            "cpus": os.cpu_count(),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }
        self._print(report)
        path = Path(options["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"Figures written to {path}")

    # The database.

    def _use_bench_database(self) -> None:
        """On SQLite, a database file of its own (var/bench.sqlite3) unless SQLITE_PATH names
        one: 240,000 clients do not belong in the development database."""
        if connection.vendor != "sqlite" or os.environ.get("SQLITE_PATH"):
            return
        connection.close()
        connection.settings_dict["NAME"] = str(Path(settings.VAR_DIR) / "bench.sqlite3")

    def _sqlite_file(self) -> Path | None:
        name = str(connection.settings_dict["NAME"])
        if connection.vendor != "sqlite" or name == ":memory:" or "mode=memory" in name:
            return None
        return Path(name)

    def _foreign_data(self) -> bool:
        tables = connection.introspection.table_names()
        return Practice._meta.db_table in tables and bench.foreign_data()

    def _prepare(self, specs: list[bench.PracticeSpec], options: dict) -> float | None:
        """Migrate, then reuse the seeded data if it has the sizes asked, else seed afresh.
        Returns the seconds seeding took, None when reused."""
        err = self.stderr
        sqlite_file = self._sqlite_file()
        if sqlite_file:
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        # Checked before migrating too: someone else's database is left exactly as it was.
        if self._foreign_data():
            raise CommandError(
                f"{connection.settings_dict['NAME']} holds practices or users the benchmark did "
                "not make; it seeds only an empty database or its own (make bench uses "
                "var/bench.sqlite3 or a throwaway PostgreSQL)."
            )
        call_command("migrate", interactive=False, verbosity=0)
        if not options["reseed"] and bench.seeded_as(specs):
            err.write(f"Reusing the seeded database {connection.settings_dict['NAME']}.")
            return None
        if bench.bench_practices() or User.objects.exists():
            err.write("The bench database has other sizes: seeding afresh.")
            if sqlite_file and "bench" in sqlite_file.name:
                connection.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
                call_command("migrate", interactive=False, verbosity=0)
            else:
                call_command("flush", interactive=False, verbosity=0)
        total = sum(s.clients for s in specs)
        err.write(
            f"Seeding {total:,} clients in {len(specs)} practices "
            f"({', '.join(f'{s.clients:,}' for s in specs)}) on {connection.vendor}…"
        )
        started = timezone.now()
        bench.seed(specs, seed=options["seed"], batch=options["batch"], out=err)
        seconds = (timezone.now() - started).total_seconds()
        err.write(f"Seeded in {seconds:,.0f} s ({total / seconds:,.0f} clients/s), analyzed.")
        return seconds

    def _prepare_agenda(
        self, spec: bench.PracticeSpec, agenda_spec: agenda.AgendaSpec, options: dict
    ) -> float | None:
        """The big practice's agenda: reused if it has the size asked (the clients were just
        seeded afresh with --reseed, and their agenda with them), else seeded afresh."""
        err = self.stderr
        practice = bench.bench_practices()[spec.name]
        if agenda.agenda_seeded(practice, agenda_spec):
            err.write(f"Reusing the seeded agenda ({agenda_spec.sessions:,} sessions).")
            return None
        if agenda.agenda_exists(practice):
            err.write("The agenda has other sizes: seeding it afresh.")
            agenda.drop_agenda(practice)
        days = agenda_spec.days_back + agenda_spec.days_ahead
        err.write(
            f"Seeding the agenda: {agenda_spec.sessions:,} sessions over {days} days in "
            f"{practice.name} on {connection.vendor}…"
        )
        started = timezone.now()
        try:
            series = agenda.seed_agenda(
                practice, agenda_spec, seed=options["seed"], batch=options["batch"], out=err
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        analyze()
        # The timings run on a new connection, with the settings' own pragmas (page cache).
        connection.close()
        seconds = (timezone.now() - started).total_seconds()
        err.write(
            f"Agenda seeded in {seconds:,.0f} s ({agenda_spec.sessions / seconds:,.0f} "
            f"sessions/s, {series:,} series), analyzed."
        )
        return seconds

    def _prepare_sales(
        self,
        spec: bench.PracticeSpec,
        sales_spec: sales.SalesSpec,
        options: dict,
        *,
        agenda_reseeded: bool,
    ) -> float | None:
        """The big practice's sales: reused if they have the sizes asked, else seeded afresh
        (also after the agenda was: its services, which the lines name, were made anew)."""
        err = self.stderr
        practice = bench.bench_practices()[spec.name]
        if not agenda_reseeded and sales.sales_seeded(practice, sales_spec):
            err.write(
                f"Reusing the seeded sales ({sales_spec.lines:,} lines of one client, "
                f"{sales_spec.background:,} of others)."
            )
            return None
        if sales.sales_exist(practice):
            err.write("The sales have other sizes: seeding them afresh.")
            sales.drop_sales(practice)
        err.write(
            f"Seeding the sales: {sales_spec.lines:,} lines of one client and "
            f"{sales_spec.background:,} of others over {sales_spec.days} days in "
            f"{practice.name} on {connection.vendor}…"
        )
        started = timezone.now()
        try:
            documents = sales.seed_sales(
                practice, sales_spec, seed=options["seed"], batch=options["batch"], out=err
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        analyze()
        connection.close()
        seconds = (timezone.now() - started).total_seconds()
        lines = sales_spec.lines + sales_spec.background
        err.write(
            f"Sales seeded in {seconds:,.0f} s ({lines / seconds:,.0f} lines/s, "
            f"{documents:,} documents), analyzed."
        )
        return seconds

    # The timings.

    def _measure(self, specs: list[bench.PracticeSpec], options: dict) -> dict[str, Any]:
        err = self.stderr
        repeat, warmup = options["repeat"], options["warmup"]
        practices = bench.bench_practices()
        big = bench.reception(practices[specs[0].name])
        ours = Requester(big.user)
        admin = Requester(User.objects.get(email=bench.SUPERUSER_EMAIL))
        found = bench.probe(
            big, deep=options["deep"], page_size=settings.CLIENTS_PAGE_SIZE, seed=options["seed"]
        )
        items = bench.scenarios(found)
        err.write(f"Timing {len(items)} pages, {repeat} times each (ours, then the admin's):")
        for item in progress(items, err):
            if item.query:
                item.matches = bench.matches(big, item.query)
            time_pair(ours, admin, item, repeat=repeat, warmup=warmup)
        err.write("Timing the agenda (ours, then the baseline):")
        agenda_result = agenda.measure(big, ours, admin, repeat=repeat, warmup=warmup, out=err)
        items += agenda_result.scenarios
        err.write("Timing the sales (ours, then the naive baseline):")
        sales_result = sales.measure(big, repeat=repeat, warmup=warmup, out=err)
        items += sales_result.scenarios

        # The counts alone: read from StatusCount for a small and the big practice (they
        # should cost the same), and what counting the big practice's rows would cost.
        calls = max(repeat, 200)
        counts: dict[str, Any] = {}
        members = {"big": big}
        if len(specs) > 1:
            members["small"] = bench.reception(practices[specs[1].name])
        for key, member in members.items():
            timing = time_call(
                lambda m=member: status_counts(m, visible_clients(m), filtered=False),
                repeat=calls,
                warmup=warmup,
            )
            counts[key] = {"clients": visible_clients(member).count(), **timing.as_dict()}
        scan = time_call(
            lambda: status_counts(big, visible_clients(big), filtered=True),
            repeat=max(repeat, 10),
            warmup=1,
        )
        counts["big_by_scan"] = {"clients": counts["big"]["clients"], **scan.as_dict()}

        explained: dict[str, list[str]] = {}
        if options["explain"]:
            for item in items:
                assert item.ours_timing
                lines = []
                for ms, sql in item.ours_timing.slow_queries[:2]:
                    lines += [f"{ms:.1f} ms: {shorten(sql)}", *explain(sql), ""]
                explained[item.name] = lines

        return {
            "engine": connection.vendor,
            "engine_version": self._engine_version(),
            "date": timezone.now().isoformat(timespec="seconds"),
            "sizes": {
                "big_practice": specs[0].clients,
                "other_practices": [s.clients for s in specs[1:]],
                "total": sum(s.clients for s in specs),
            },
            "repeat": repeat,
            "warmup": warmup,
            "page_size": settings.CLIENTS_PAGE_SIZE,
            "scenarios": [
                {
                    "name": item.name,
                    "kind": item.kind,
                    "ours_url": item.ours,
                    "baseline_url": item.baseline,
                    "baseline": item.base_note,
                    "active_matches": item.matches,
                    "shown": item.shown,
                    "ours": item.ours_timing.as_dict() if item.ours_timing else None,
                    "base": item.baseline_timing.as_dict() if item.baseline_timing else None,
                    "ratio": round(item.ratio, 1),
                }
                for item in items
            ],
            "counts": counts,
            "agenda": agenda_result.as_dict(),
            "sales": sales_result.as_dict(),
            "targets": self._targets(
                items, counts, agenda_result.growth, checks=sales_result.checks
            ),
            "explain": explained,
        }

    def _engine_version(self) -> str:
        with connection.cursor() as cursor:
            sqlite = connection.vendor == "sqlite"
            cursor.execute("SELECT sqlite_version()" if sqlite else "SHOW server_version")
            return str(cursor.fetchone()[0])

    def _targets(
        self,
        items: list[Scenario],
        counts: dict,
        growth: list[dict[str, Any]],
        *,
        checks: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        targets = []
        for item in items:
            assert item.ours_timing
            if item.target_ms is not None:
                targets.append(
                    {
                        "target": f"{item.name}: p95 ≤ {item.target_ms:g} ms",
                        "value": f"{item.ours_timing.p95:.1f} ms",
                        "met": item.ours_timing.p95 <= item.target_ms,
                    }
                )
        for item in items:
            if item.ratio_target is not None:
                targets.append(
                    {
                        "target": f"{item.name}: ≥ {item.ratio_target:g}× faster than the admin",
                        "value": f"{item.ratio:.1f}×",
                        "met": item.ratio >= item.ratio_target,
                    }
                )
        for page in growth:
            targets.append(
                {
                    "target": f"{page['name']}: its queries do not grow with the sessions shown",
                    "value": f"{page['queries']} queries for {page['sessions']:,} sessions, "
                    f"{page['empty_queries']} for none",
                    "met": page["queries"] == page["empty_queries"],
                }
            )
        if "small" in counts:
            small, big = counts["small"], counts["big"]
            growth = big["median_ms"] / small["median_ms"]
            targets.append(
                {
                    "target": (
                        f"tab counts do not grow with the practice: {big['clients']:,} clients "
                        f"≤ {COUNTS_GROWTH:g}× the time of {small['clients']:,}"
                    ),
                    "value": f"{big['median_ms']:.2f} vs {small['median_ms']:.2f} ms "
                    f"({growth:.2f}×)",
                    "met": growth <= COUNTS_GROWTH,
                }
            )
        return targets + checks

    # The report.

    def _print(self, report: dict[str, Any]) -> None:
        out = self.stdout
        sizes = report["sizes"]
        others = ", ".join(f"{n:,}" for n in sizes["other_practices"]) or "none"
        out.write("")
        out.write(
            f"Clientbook bench — {report['engine']} {report['engine_version']}, "
            f"{report['date']}: big practice {sizes['big_practice']:,} clients, "
            f"others {others} ({sizes['total']:,} in all); "
            f"{report['repeat']} requests each, times in ms"
        )
        header = ("scenario", "ours med", "ours p95", "base med", "base p95", "ratio", "q")
        rows = [
            (
                s["name"] + (f" ({s['shown']:,} sessions)" if s["shown"] is not None else ""),
                f"{s['ours']['median_ms']:.1f}",
                f"{s['ours']['p95_ms']:.1f}",
                f"{s['base']['median_ms']:.1f}",
                f"{s['base']['p95_ms']:.1f}",
                f"{s['ratio']:.1f}×",
                str(s["ours"]["queries"]),
            )
            for s in report["scenarios"]
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            first, *rest = cells
            return "  ".join(
                [first.ljust(widths[0])]
                + [c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)]
            )

        out.write(line(header))
        out.write("  ".join("-" * w for w in widths))
        for row in rows:
            out.write(line(row))
        out.write("(q: queries of our request; base: the baseline, below)")
        baselines: dict[str, list[str]] = {}
        for s in report["scenarios"]:
            baselines.setdefault(s["baseline"], []).append(s["name"])
        for note, names in sorted(baselines.items(), key=lambda item: len(item[1])):
            which = "the others" if len(names) > 1 else names[0]
            out.write(f"  base of {which}: {note}")
        machine = report["machine"]
        load = max(machine["load_before"][0], machine["load_after"][0])
        # This process keeps one CPU busy; more than that is someone else's work.
        if load > (machine["cpus"] or 1):
            out.write(
                self.style.WARNING(
                    f"The machine was busy (load {load:.1f} on {machine['cpus']} CPUs): the "
                    "times include waiting for a CPU; var/bench.json has each page's CPU time."
                )
            )
        out.write("")
        out.write(
            "Searches match (Active tab, big practice): "
            + ", ".join(
                f"{s['name'].removeprefix('search: ')} {s['active_matches']:,}"
                for s in report["scenarios"]
                if s["active_matches"] is not None
            )
        )
        out.write("")
        out.write("Tab counts alone (clients.selectors.status_counts, ms):")
        labels = {
            "small": "small practice, from StatusCount",
            "big": "big practice, from StatusCount",
            "big_by_scan": "big practice, counted on the rows (what a scan costs)",
        }
        for key, label in labels.items():
            if key in report["counts"]:
                c = report["counts"][key]
                out.write(
                    f"  {label} ({c['clients']:,} clients): median {c['median_ms']:.3f}, "
                    f"p95 {c['p95_ms']:.3f}"
                )
        out.write("")
        found = report["agenda"]
        first_day, days = found["week"]
        out.write(
            f"Agenda: {found['sessions']:,} sessions of {found['professionals']} professionals; "
            f"the week of {first_day} ({days} days), the busiest professional "
            f"{found['professional']}. Queries of each page:"
        )
        for page in found["query_growth"]:
            out.write(
                f"  {page['name']}: {page['queries']} for {page['sessions']:,} sessions, "
                f"{page['empty_queries']} for a week without"
            )
        out.write("")
        sold = report["sales"]
        out.write(
            f"Sales: the turnover client has {sold['client_lines']:,} lines on "
            f"{sold['client_documents']:,} documents from {sold['period'][0]} to "
            f"{sold['period'][1]} (total {sold['totals']['total']}); "
            f"{sold['background_lines']:,} lines of other clients. The page shows "
            f"{sold['page_lines']} lines with the totals, the export {sold['csv_rows']:,} rows; "
            f"the timing issued {sold['issued'][0]} … {sold['issued'][1]}."
        )
        out.write("")
        note = "" if report["engine"] == "sqlite" else " (times are SQLite targets)"
        out.write(f"Targets{note}:")
        for t in report["targets"]:
            mark = self.style.SUCCESS("met   ") if t["met"] else self.style.ERROR("MISSED")
            out.write(f"  {mark} {t['target']}: {t['value']}")
        missed = sum(not t["met"] for t in report["targets"])
        out.write(f"{len(report['targets']) - missed} met, {missed} missed.")
        for name, lines in report["explain"].items():
            out.write("")
            out.write(f"The slowest queries of {name!r}:")
            for text in lines:
                out.write(f"    {text}")
        sys.stdout.flush()

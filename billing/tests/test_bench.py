"""The sales `make bench` seeds and times (billing/bench.py), at a small size: rows the services
could have written (numbers in issue order with their sequences, lines that repeat their
document's client and date, credit notes on invoice lines, stock that adds up), each scenario
run once, and baselines that answer as ours do."""

import io
import itertools
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test.utils import override_settings
from django.urls import reverse

from billing.bench import (
    ISSUED_NOTE,
    SalesSpec,
    bench_urlconf,
    drop_sales,
    issuing_client,
    measure,
    naive_issue_document,
    numbering,
    probe,
    sales_exist,
    sales_seeded,
    seed_sales,
    turnover_client,
)
from billing.models import (
    Document,
    DocumentKind,
    DocumentLine,
    NumberSequence,
    StockLevel,
    StockMovement,
)
from billing.services import issue_document, today
from clientbook.testing import logged_in

# More credit notes than the bench's 6% of invoices, so that this small seed has some.
SPEC = SalesSpec(lines=120, background=80, credit_share=0.4)


@pytest.fixture
def seeded(a):
    seed_sales(a.practice, SPEC, seed=1, batch=100, out=io.StringIO())
    return a


def test_it_seeds_the_lines_asked_numbered_in_the_order_they_were_issued(seeded):
    practice = seeded.practice
    client = turnover_client(practice)
    assert DocumentLine.objects.filter(client=client).count() == SPEC.lines
    assert DocumentLine.objects.filter(practice=practice).count() == SPEC.lines + SPEC.background
    assert sales_seeded(practice, SPEC)
    assert not sales_seeded(practice, SalesSpec(lines=121, background=80, credit_share=0.4))
    documents = list(Document.objects.filter(practice=practice).order_by("issued_at"))
    assert {d.kind for d in documents} == {DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE}
    by_sequence = defaultdict(list)
    for document in documents:
        by_sequence[document.type_id, document.year].append(document.sequence)
        assert document.number.endswith(f"/{document.year}/{document.sequence:04d}")
        assert document.issue_date.year == document.year <= today(practice).year
    for (type_id, year), sequences in by_sequence.items():
        assert sequences == list(range(1, len(sequences) + 1))
        assert NumberSequence.objects.get(type_id=type_id, year=year).last == len(sequences)
    assert len(by_sequence) == NumberSequence.objects.filter(practice=practice).count()


def test_lines_repeat_their_document_and_credit_notes_correct_invoice_lines(seeded):
    lines = DocumentLine.objects.filter(practice=seeded.practice).select_related(
        "document", "corrects__document"
    )
    for line in lines:
        document = line.document
        assert (line.client_id, line.issue_date) == (document.client_id, document.issue_date)
        assert line.net + line.tax == line.total
        if document.kind == DocumentKind.CREDIT_NOTE:
            assert line.corrects.document == document.corrects
            assert line.quantity == -line.corrects.quantity < 0
            assert line.total == -line.corrects.total
    for document in Document.objects.filter(practice=seeded.practice):
        sums = document.lines.aggregate(net=Sum("net"), tax=Sum("tax"))
        assert (document.net_total, document.tax_total) == (sums["net"], sums["tax"])
        credited = sum((c.total for c in document.credit_notes.all()), Decimal(0))
        # Nothing is paid: an invoice owes its total less its credit notes, which owe nothing.
        expected = 0 if document.kind == DocumentKind.CREDIT_NOTE else document.total + credited
        assert document.open_amount == expected
    # Each good's level is the sum of its movements, the last of which says so.
    for level in StockLevel.objects.filter(practice=seeded.practice):
        movements = StockMovement.objects.filter(
            warehouse=level.warehouse, product=level.product
        ).order_by("created_at", "pk")
        assert level.quantity == sum(m.quantity for m in movements)
        assert movements.last().level_after == level.quantity
        assert all(
            b.level_after == a.level_after + b.quantity for a, b in itertools.pairwise(movements)
        )


def test_each_scenario_runs_once_and_finds_the_seeded_figures(seeded):
    lines = DocumentLine.objects.filter(client=turnover_client(seeded.practice))
    result = measure(seeded.reception, repeat=1, warmup=0, out=io.StringIO())
    found = result.probe
    assert found.lines == SPEC.lines
    assert found.background == SPEC.background
    assert found.totals == {
        name: sum(getattr(line, name) for line in lines) for name in ("net", "tax", "total")
    }
    assert result.page_lines == 100
    assert result.csv_rows == SPEC.lines
    assert [s.kind for s in result.scenarios] == ["turnover", "export", "issue"]
    for scenario in result.scenarios:
        assert scenario.ours_timing.samples_ms
        assert scenario.baseline_timing.samples_ms
        assert scenario.ours_timing.queries < scenario.baseline_timing.queries
    # Ours and the naive issue, each timed and profiled once: numbered on, without a twin.
    issued = Document.objects.filter(notes=ISSUED_NOTE).order_by("sequence")
    assert issued.count() == 4
    assert {d.client_id for d in issued} == {issuing_client(seeded.practice).pk}
    assert all(d.lines.count() == 20 for d in issued)
    assert result.numbering["ok"]
    assert all(check["met"] for check in result.checks)
    assert sales_seeded(seeded.practice, SPEC)  # what the timing issued is not the seed's


def totals_of(content: bytes) -> bytes:
    return re.search(rb'<dl class="totals">.*?</dl>', content, re.DOTALL).group()


def rows_of(content: bytes) -> list[bytes]:
    table = re.search(rb"<tbody>.*?</tbody>.*?</section>", content, re.DOTALL).group()
    return re.findall(rb"<tr>.*?</tr>|<nav.*?</nav>", table, re.DOTALL)


def test_the_naive_turnover_answers_as_ours_does(seeded):
    found = probe(seeded.reception)
    http = logged_in(seeded.reception)
    query = {"start": found.start, "end": found.end}
    with override_settings(ROOT_URLCONF=bench_urlconf()):
        ours = http.get(reverse("billing:turnover", args=[found.client.pk]), query)
        naive = http.get(reverse("naive_turnover", args=[found.client.pk]), query)
        naive_csv = http.get(
            reverse("naive_turnover", args=[found.client.pk]), {**query, "format": "csv"}
        )
    assert ours.status_code == naive.status_code == 200
    # The same page: the same totals, the same first 100 lines, the same link to more.
    assert totals_of(ours.content) == totals_of(naive.content)
    assert rows_of(ours.content) == rows_of(naive.content)
    assert len(rows_of(ours.content)) == 100 + 1  # and the pager
    assert len(naive_csv.content.decode().splitlines()) == SPEC.lines + 1


def test_issuing_goes_on_from_the_seeded_numbers_naively_or_not(seeded):
    found = probe(seeded.reception)
    arguments = {
        "by": seeded.reception,
        "client": found.issuing_client,
        "document_type": found.document_type,
        "lines": found.inputs,
        "warehouse": found.warehouse,
    }
    year = today(seeded.practice).year
    before = numbering(found.document_type, year)["documents"]
    first = issue_document(**arguments).document
    naive = naive_issue_document(**arguments)
    last = issue_document(**arguments).document
    assert [first.sequence, naive.sequence, last.sequence] == [before + 1, before + 2, before + 3]
    assert numbering(found.document_type, year)["ok"]
    assert naive.lines.count() == 20
    assert naive.total == first.total
    for level in StockLevel.objects.filter(warehouse=found.warehouse):
        moved = StockMovement.objects.filter(warehouse=level.warehouse, product=level.product)
        assert level.quantity == moved.aggregate(s=Sum("quantity"))["s"]


def test_sales_of_other_sizes_are_dropped_whole(seeded):
    drop_sales(seeded.practice)
    assert not sales_exist(seeded.practice)
    assert not NumberSequence.objects.filter(practice=seeded.practice).exists()
    seed_sales(seeded.practice, SPEC, seed=2, batch=1000, out=io.StringIO())
    assert sales_seeded(seeded.practice, SPEC)

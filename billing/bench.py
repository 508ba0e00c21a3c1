"""The sales' part of `make bench`: two years of sales in the big practice — one client with
10,000 document lines, and sales to many other clients around them — then the client's
turnover page and its CSV export, and issuing a 20-line document, each next to a naive
baseline. The management command (clientbook/management/commands/bench.py) drives it.

Seeding writes rows with bulk_create, not through billing.services (a locked number, a stock
movement and an event per document would take minutes), but the rows are ones the services
could have written: invoices of services and goods numbered per type and year in the order
they were issued, with the NumberSequence rows at the last number given (so issuing later
continues the sequence); lines carrying their document's client, date and practice; some
invoices partly corrected by a credit note whose lines refer to the lines they correct, its
amount taken off what is open on the invoice, its goods back in the warehouse; one stock
movement per good and document, after one delivery, with the stock levels they add up to.
The goods and the warehouse are made through the services. No events and no payments are
written: the turnover never reads them (so every invoice is still open).

The baselines (`naive_turnover`, `naive_issue_document`) are first attempts written here for
the comparison only: the app never uses them.
"""

import csv
import datetime
import random
import sys
import time
import types
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test.utils import override_settings
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.models import EventKind
from audit.services import record_event
from billing.amounts import ZERO, line_amounts, round_money
from billing.forms import PeriodForm
from billing.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentType,
    MovementReason,
    NumberSequence,
    Product,
    StockLevel,
    StockMovement,
    Warehouse,
)
from billing.services import (
    LineInput,
    active_type,
    build_lines,
    check_can_sell,
    format_address,
    issue_document,
    save_product,
    save_warehouse,
    today,
)
from billing.views import TURNOVER_KINDS, TURNOVER_PAGE
from clientbook import urls as project_urls
from clientbook.lib.bench import BenchError, Requester, Scenario, Timing, profile
from clients.access import get_client_for_user
from clients.models import Client, Status
from practices.access import member_required
from practices.models import Member, Practice, Role
from scheduling.models import Service
from scheduling.services import save_service

# The targets of the issue (#4). Times are p95 in ms, set for SQLite on one machine.
TURNOVER_P95_MS = 50.0
ISSUE_P95_MS = 50.0

WAREHOUSE = "Recepção"
GOODS = [  # name, unit, price, tax rate
    ("Livro de exercícios", "un", "89.90", "0"),
    ("Caderno de atividades", "un", "34.50", "0"),
    ("Baralho das emoções", "un", "59.00", "18"),
    ("Jogo de tabuleiro terapêutico", "un", "149.00", "18"),
    ("Diário de sentimentos", "un", "42.00", "0"),
    ("Kit de relaxamento", "kit", "120.00", "18"),
    ("Bola antiestresse", "un", "12.90", "18"),
    ("Ampulheta de 5 minutos", "un", "27.00", "18"),
    ("Massinha terapêutica", "pote", "15.50", "18"),
    ("Cartões de respiração", "jogo", "38.00", "18"),
    ("Livro infantil sobre ansiedade", "un", "54.90", "0"),
    ("Folhas de registro (bloco)", "bloco", "22.00", "0"),
]
# The practice's services when it has none (the agenda's seed makes its own first).
SERVICES = [("Psicoterapia individual", 50, "200.00"), ("Avaliação psicológica", 50, "250.00")]
LINES_PER_INVOICE = 20  # the turnover client's invoices; the others' have 1 to 20 lines
GOODS_SHARE = 0.5  # of the lines, goods (the others are services)
DISCOUNT_SHARE = 0.1  # lines with a 10% discount
CREDIT_SHARE = 0.06  # invoices partly corrected by a credit note
CREDIT_REASONS = ["Devolução do produto", "Cobrança em duplicidade", "Desconto combinado"]
DELIVERED = Decimal(1_000_000)  # each good's first delivery, before the first sale
DUE_DAYS = 14
# The documents the timing issues carry this note: they are not the seed's.
ISSUED_NOTE = "bench: issued while timing"
ISSUED_LINES = 10  # services, and as many goods, on each document the timing issues
# The naive turnover takes seconds a request: timed this many times (30 would add minutes to
# `make bench` for a figure a hundred times ours).
NAIVE_REPEAT = 5

NAIVE_TURNOVER = (
    "the same page (its totals and first 100 lines) made naively: every line of the period "
    "loaded, a query per line for its document (its kind and number), the totals added in "
    f"Python (bench-only view, billing/bench.py; {NAIVE_REPEAT} requests)"
)
NAIVE_EXPORT = (
    "a naive CSV export: the same lines loaded whole, a query per line for its document, the "
    f"file built in memory (bench-only view, billing/bench.py; {NAIVE_REPEAT} requests)"
)
NAIVE_ISSUE = (
    "a naive issue (billing.bench.naive_issue_document): the same checks and amounts, then "
    "the number as max(sequence) + 1, each line saved on its own, the stock read, changed and "
    "saved for each line of a good"
)


# Seeding.


@dataclass(frozen=True)
class SalesSpec:
    lines: int = 10_000  # the turnover client's document lines
    background: int = 20_000  # other clients' lines
    days: int = 730  # the sales span this many days, up to today
    credit_share: float = CREDIT_SHARE


def turnover_client(practice: Practice) -> Client | None:
    """The client whose turnover is timed: the practice's first active client."""
    return Client.objects.filter(practice=practice, status=Status.ACTIVE).order_by("pk").first()


def issuing_client(practice: Practice) -> Client | None:
    """The client the timed documents are issued to (another one: the turnover client's
    lines stay as seeded)."""
    return (
        Client.objects.filter(practice=practice, status=Status.ACTIVE).order_by("pk")[1:2].first()
    )


def seeded_lines(practice: Practice) -> QuerySet[DocumentLine]:
    """The practice's lines the seed wrote (not the documents issued while timing)."""
    return DocumentLine.objects.filter(practice=practice).exclude(document__notes=ISSUED_NOTE)


def sales_seeded(practice: Practice, spec: SalesSpec) -> bool:
    """Whether the practice holds the bench's sales with these sizes."""
    client = turnover_client(practice)
    return (
        client is not None
        and Warehouse.objects.filter(practice=practice, name=WAREHOUSE).exists()
        and Product.objects.filter(practice=practice, name__in=[g[0] for g in GOODS]).count()
        == len(GOODS)
        and DocumentLine.objects.filter(practice=practice, client=client).count() == spec.lines
        and seeded_lines(practice).count() == spec.lines + spec.background
    )


def sales_exist(practice: Practice) -> bool:
    return (
        Document.objects.filter(practice=practice).exists()
        or Product.objects.filter(practice=practice).exists()
        or Warehouse.objects.filter(practice=practice).exists()
    )


def drop_sales(practice: Practice) -> None:
    """Remove sales of other sizes (the bench's own practice only), in the order the
    protecting foreign keys allow."""
    with transaction.atomic():
        StockMovement.objects.filter(practice=practice).delete()
        StockLevel.objects.filter(practice=practice).delete()
        lines = DocumentLine.objects.filter(practice=practice)
        lines.filter(corrects__isnull=False).delete()
        lines.delete()
        documents = Document.objects.filter(practice=practice)
        documents.filter(corrects__isnull=False).delete()
        documents.delete()
        NumberSequence.objects.filter(practice=practice).delete()
        Product.objects.filter(practice=practice).delete()
        Warehouse.objects.filter(practice=practice).delete()


@dataclass
class _Planned:
    """A document to insert, with its lines; `corrects` and `credited` for a credit note."""

    day: datetime.date
    client: Client
    lines: list[DocumentLine]
    corrects: "_Planned | None" = None
    credited: list[int] = field(default_factory=list)  # positions of the corrected lines
    issued_at: datetime.datetime | None = None
    document: Document | None = None


class SalesPlanner:
    """Invoices of services and goods, and credit notes correcting some of them, for the
    turnover client and for many others, over `spec.days` days up to today."""

    def __init__(
        self,
        practice: Practice,
        spec: SalesSpec,
        rng: random.Random,
        *,
        services: list[Service],
        goods: list[Product],
        warehouse: Warehouse,
        issuer: Member,
    ):
        self.practice = practice
        self.spec = spec
        self.rng = rng
        self.services = services
        self.goods = goods
        self.warehouse = warehouse
        self.issuer = issuer
        self.today = today(practice)
        self.first_day = self.today - datetime.timedelta(days=spec.days - 1)
        self.planned: list[_Planned] = []
        # The last number given per document type and year.
        self.sequences: dict[tuple[DocumentType, int], int] = defaultdict(int)

    def _line(self, client: Client, position: int) -> DocumentLine:
        rng = self.rng
        product: Product | None = None
        service: Service | None = None
        if rng.random() < GOODS_SHARE:
            product = source = rng.choice(self.goods)
            quantity = Decimal(rng.choice((1, 1, 1, 2, 3)))
            price = product.price
        else:
            service = source = rng.choice(self.services)
            quantity = Decimal(rng.choice((1, 1, 2, 4)))
            price = service.default_price or Decimal("150.00")
        tax_rate, name, unit = source.tax_rate, source.name, source.unit
        discount = Decimal(10) if rng.random() < DISCOUNT_SHARE else Decimal(0)
        amounts = line_amounts(
            quantity=quantity, unit_price=price, discount_percent=discount, tax_rate=tax_rate
        )
        return DocumentLine(
            practice_id=self.practice.pk, client=client, position=position, service=service,
            product=product, description=name, unit=unit, quantity=quantity, unit_price=price,
            discount_percent=discount, tax_rate=tax_rate, net=amounts.net, tax=amounts.tax,
            total=amounts.total,
        )  # fmt: skip

    def plan(self, clients: Sequence[Client], lines: int, size: Callable[[], int]) -> None:
        """Invoices of `size()` lines to clients picked among `clients`, some followed by a
        credit note, until they hold `lines` lines in all; their days drawn over the span."""
        rng = self.rng
        invoices: list[_Planned] = []
        left = lines
        while left:
            count = min(size(), left)
            client = rng.choice(clients)
            invoice = _Planned(
                day=self.first_day,
                client=client,
                lines=[self._line(client, i + 1) for i in range(count)],
            )
            invoices.append(invoice)
            self.planned.append(invoice)
            left -= count
            if left and rng.random() < self.spec.credit_share:
                credited = sorted(rng.sample(range(count), min(rng.randint(1, 4), count, left)))
                self.planned.append(
                    _Planned(day=self.first_day, client=client, lines=[], corrects=invoice,
                             credited=credited)
                )  # fmt: skip
                left -= len(credited)
        days = sorted(rng.randrange(self.spec.days) for _ in invoices)
        for invoice, offset in zip(invoices, days, strict=True):
            invoice.day = self.first_day + datetime.timedelta(days=offset)
        for planned in self.planned:
            if planned.corrects is not None:
                later = planned.corrects.day + datetime.timedelta(days=rng.randint(0, 30))
                planned.day = min(later, self.today)

    def documents(self) -> list[_Planned]:
        """The planned documents in the order they were issued, each with its Document:
        numbered per type and year, amounts and open amounts as the services leave them."""
        rng = self.rng
        tz = self.practice.tz
        for planned in self.planned:
            # During opening hours; a credit note after its invoice, even on the same day.
            at = datetime.time(8 + rng.randrange(10), rng.randrange(60), rng.randrange(60))
            planned.issued_at = datetime.datetime.combine(planned.day, at, tzinfo=tz)
            if planned.corrects is not None:
                assert planned.corrects.issued_at is not None
                planned.issued_at = max(
                    planned.issued_at, planned.corrects.issued_at + datetime.timedelta(minutes=5)
                )
        ordered = sorted(self.planned, key=lambda p: p.issued_at or timezone.now())
        types_ = {
            kind: active_type(self.practice.pk, kind)
            for kind in (DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE)
        }
        for planned in ordered:
            self._document(planned, types_)
        return ordered

    def _document(self, planned: _Planned, types_: dict[str, DocumentType]) -> None:
        assert planned.issued_at is not None
        original = planned.corrects
        if original is not None:
            # As billing.services.credit_document: the credited lines, negated.
            for position in planned.credited:
                line = original.lines[position]
                amounts = line_amounts(
                    quantity=-line.quantity, unit_price=line.unit_price,
                    discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                )  # fmt: skip
                planned.lines.append(
                    DocumentLine(
                        practice_id=line.practice_id, client=line.client,
                        position=len(planned.lines) + 1, service=line.service,
                        product=line.product, corrects=line, description=line.description,
                        unit=line.unit, quantity=-line.quantity, unit_price=line.unit_price,
                        discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                        net=amounts.net, tax=amounts.tax, total=amounts.total,
                    )
                )  # fmt: skip
        kind = DocumentKind.INVOICE if original is None else DocumentKind.CREDIT_NOTE
        document_type = types_[kind]
        day = planned.day
        key = (document_type, day.year)
        self.sequences[key] += 1
        sequence = self.sequences[key]
        net = sum((line.net for line in planned.lines), ZERO)
        tax = sum((line.tax for line in planned.lines), ZERO)
        client = planned.client
        has_goods = any(line.product is not None for line in planned.lines)
        document = Document(
            practice_id=self.practice.pk,
            client=client,
            type=document_type,
            kind=kind,
            number=f"{document_type.prefix}/{day.year}/{sequence:04d}",
            year=day.year,
            sequence=sequence,
            issue_date=day,
            issued_at=planned.issued_at,
            issued_by=self.issuer,
            currency=self.practice.currency,
            client_code=client.code,
            billing_name=client.billing_name or client.full_name,
            billing_tax_id=client.billing_tax_id or client.national_id,
            billing_address=format_address(client),
            sale_date=day,
            due_date=day + datetime.timedelta(days=DUE_DAYS) if original is None else None,
            warehouse=self.warehouse if has_goods else None,
            corrects=original.document if original else None,
            notes=self.rng.choice(CREDIT_REASONS) if original else "",
            net_total=net,
            tax_total=tax,
            total=net + tax,
            open_amount=net + tax,
        )
        if original is not None:
            assert original.document is not None
            # As credit_document: first off what is still open on the invoice.
            applied = min(max(original.document.open_amount, ZERO), -document.total)
            document.open_amount = document.total + applied
            original.document.open_amount -= applied
        planned.document = document
        for line in planned.lines:
            line.issue_date = day


def _setup(practice: Practice) -> tuple[list[Service], list[Product], Warehouse]:
    """The practice's services (the agenda's, else made here), goods and warehouse, through
    the services (a handful of rows)."""
    owner = Member.objects.select_related("practice").get(practice=practice, role=Role.OWNER)
    with transaction.atomic():
        services = list(Service.objects.filter(practice=practice, is_active=True).order_by("pk"))
        if not services:
            services = [
                save_service(
                    by=owner, name=name, default_duration=minutes, default_price=Decimal(price)
                )
                for name, minutes, price in SERVICES
            ]
        goods = [
            save_product(
                by=owner, name=name, unit=unit, price=Decimal(price), tax_rate=Decimal(rate)
            )
            for name, unit, price, rate in GOODS
        ]
        warehouse = save_warehouse(by=owner, name=WAREHOUSE)
    return services, goods, warehouse


def seed_sales(
    practice: Practice,
    spec: SalesSpec,
    *,
    seed: int,
    batch: int,
    out: TextIO = sys.stderr,
) -> int:
    """Give the practice (which has active clients and no sales yet) its goods, warehouse and
    two years of sales: `spec.lines` lines of the turnover client, `spec.background` of other
    clients. Returns the number of documents. The caller runs ANALYZE afterwards
    (clientbook.lib.bench.analyze)."""
    if Document.objects.filter(practice=practice).exists():
        raise ValueError(f"{practice} has sales already")
    rng = random.Random(f"{seed}-sales")
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # as for the clients (clients/bench.py)
    client = turnover_client(practice)
    if client is None:
        raise ValueError(f"{practice} has no active client")
    issuer = Member.objects.get(practice=practice, role=Role.RECEPTION)
    services, goods, warehouse = _setup(practice)
    planner = SalesPlanner(
        practice, spec, rng, services=services, goods=goods, warehouse=warehouse, issuer=issuer
    )
    planner.plan([client], spec.lines, lambda: LINES_PER_INVOICE)
    if spec.background:
        # Most of these clients buy once or twice; among the practice's active clients.
        active = list(
            Client.objects.filter(practice=practice, status=Status.ACTIVE)
            .exclude(pk=client.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not active:
            raise ValueError(f"{practice} has no other active client")
        chosen = rng.sample(active, min(len(active), max(1, spec.background // 15)))
        buyers = list(Client.objects.filter(pk__in=chosen).order_by("pk"))
        planner.plan(buyers, spec.background, lambda: rng.randint(1, 20))
    planned = planner.documents()
    out.write(
        f"  sales: planned {len(planned):,} documents, {spec.lines + spec.background:,} lines "
        f"in {time.perf_counter() - started:.1f} s\n"
    )
    out.flush()

    levels = {good.pk: DELIVERED for good in goods}
    before_first = datetime.datetime.combine(
        planner.first_day - datetime.timedelta(days=1), datetime.time(9), tzinfo=practice.tz
    )
    with transaction.atomic():
        StockMovement.objects.bulk_create(
            StockMovement(
                practice=practice, warehouse=warehouse, product=good, quantity=DELIVERED,
                level_after=DELIVERED, reason=MovementReason.DELIVERY, by=issuer,
                created_at=before_first,
            )
            for good in goods
        )  # fmt: skip
    total = spec.lines + spec.background
    written = 0
    writing = time.perf_counter()
    chunk: list[_Planned] = []
    for index, one in enumerate(planned):
        chunk.append(one)
        size = sum(len(p.lines) for p in chunk)
        if size >= batch or index == len(planned) - 1:
            _write(chunk, levels, practice, warehouse, issuer)
            written += size
            chunk = []
            out.write(
                f"  sales: {written:,}/{total:,} lines, "
                f"{written / (time.perf_counter() - writing):,.0f}/s\n"
            )
            out.flush()
    with transaction.atomic():
        StockLevel.objects.bulk_create(
            StockLevel(practice=practice, warehouse=warehouse, product_id=pk, quantity=quantity)
            for pk, quantity in levels.items()
        )
        NumberSequence.objects.bulk_create(
            NumberSequence(practice=practice, type=document_type, year=year, last=last)
            for (document_type, year), last in planner.sequences.items()
        )
    return len(planned)


def _write(
    chunk: list[_Planned],
    levels: dict[int, Decimal],
    practice: Practice,
    warehouse: Warehouse,
    issuer: Member,
) -> None:
    """One batch of documents, in issue order: invoices, then the credit notes (which refer
    to invoices, and their lines to invoice lines), then the stock movements."""
    with transaction.atomic():
        for credit in (False, True):
            mine = [p for p in chunk if (p.corrects is not None) == credit]
            Document.objects.bulk_create([p.document for p in mine])
            for one in mine:
                for line in one.lines:
                    line.document = one.document
            DocumentLine.objects.bulk_create([line for p in mine for line in p.lines])
        movements = []
        for one in chunk:
            moved: dict[int, Decimal] = defaultdict(Decimal)
            for line in one.lines:
                if line.product_id is not None:
                    moved[line.product_id] -= line.quantity
            credit = one.corrects is not None
            for product_id in sorted(moved):  # as _sell_goods: one movement per good
                levels[product_id] += moved[product_id]
                movements.append(
                    StockMovement(
                        practice=practice, warehouse=warehouse, product_id=product_id,
                        quantity=moved[product_id], level_after=levels[product_id],
                        reason=MovementReason.RETURN if credit else MovementReason.SALE,
                        document=one.document, by=issuer, created_at=one.issued_at,
                    )
                )  # fmt: skip
        StockMovement.objects.bulk_create(movements)


# The naive baselines: first attempts, for the comparison only (the app never uses them).


def _naive_lines(request: HttpRequest, client: Client) -> tuple[PeriodForm, list[DocumentLine]]:
    form = PeriodForm(request.GET or None)
    lines = DocumentLine.objects.filter(practice_id=client.practice_id, client=client)
    if form.is_bound and form.is_valid():
        if form.cleaned_data["start"]:
            lines = lines.filter(issue_date__gte=form.cleaned_data["start"])
        if form.cleaned_data["end"]:
            lines = lines.filter(issue_date__lte=form.cleaned_data["end"])
    # A query per line for its document (no select_related), its kind checked in Python.
    return form, [
        line for line in lines.order_by("issue_date", "pk") if line.document.kind in TURNOVER_KINDS
    ]


@member_required
@require_GET
def naive_turnover(request: HttpRequest, client_pk: int) -> HttpResponse:
    """BASELINE ONLY, never served by the app: the first page of the turnover as a first
    attempt would make it (see NAIVE_TURNOVER); `?format=csv` the export likewise
    (NAIVE_EXPORT). It shows what ours shows, so the ratio is the method's, not the size of
    the page's."""
    client = get_client_for_user(request, client_pk)
    form, lines = _naive_lines(request, client)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(["Date", "Document", "Item", "Quantity", "Unit", "Net", "Tax", "Amount"])
        for line in lines:
            writer.writerow(
                [line.issue_date.isoformat(), line.document.number, line.description,
                 line.quantity, line.unit, line.net, line.tax, line.total]
            )  # fmt: skip
        return response
    query = request.GET.copy()
    query.pop("format", None)
    page = lines[:TURNOVER_PAGE]
    more = len(lines) > TURNOVER_PAGE
    ctx = {
        "client": client,
        "form": form,
        "lines": page,
        "totals": {
            name: sum((getattr(line, name) for line in lines), ZERO)
            for name in ("net", "tax", "total")
        },
        "next_after": f"{page[-1].issue_date.isoformat()}_{page[-1].pk}" if more else "",
        "query": query.urlencode(),
    }
    return render(request, "billing/turnover.html", ctx)


def bench_urlconf() -> types.ModuleType:
    """The project's URLs with the naive turnover page beside them, for the timing only."""
    module = types.ModuleType("billing.bench_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/naive-turnover/<int:client_pk>/", naive_turnover, name="naive_turnover"),
        *project_urls.urlpatterns,
    ]
    return module


@transaction.atomic
def naive_issue_document(
    *,
    by: Member,
    client: Client,
    document_type: DocumentType,
    lines: Sequence[LineInput],
    warehouse: Warehouse | None = None,
    notes: str = "",
) -> Document:
    """BASELINE ONLY, never used by the app: billing.services.issue_document as a first
    attempt would write it. The same checks, amounts and event; then the number as the
    largest one given plus one (two issuers at once would take the same), each line saved on
    its own, and each line of a good reading, changing and saving its stock level (two sales
    at once would lose one's change). It keeps NumberSequence at the number it took, so that
    the app's numbering goes on after it in the bench database."""
    check_can_sell(client, by)
    practice = by.practice
    built = build_lines(practice=practice, client=client, lines=lines, kind=document_type.kind)
    issued_on = today(practice)
    year = issued_on.year
    last = Document.objects.filter(type=document_type, year=year).aggregate(n=Max("sequence"))
    sequence = (last["n"] or 0) + 1
    net = sum((line.net for line in built), ZERO)
    tax = sum((line.tax for line in built), ZERO)
    document = Document(
        practice=practice, client=client, type=document_type, kind=document_type.kind,
        number=f"{document_type.prefix}/{year}/{sequence:04d}", year=year, sequence=sequence,
        issue_date=issued_on, issued_by=by, currency=practice.currency, client_code=client.code,
        billing_name=client.billing_name or client.full_name,
        billing_tax_id=client.billing_tax_id or client.national_id,
        billing_address=format_address(client), sale_date=issued_on, warehouse=warehouse,
        notes=notes, net_total=net, tax_total=tax, total=net + tax, open_amount=net + tax,
    )  # fmt: skip
    document.save()
    for line in built:
        line.document = document
        line.issue_date = issued_on
        line.save()
        if line.product_id is not None and warehouse is not None:
            level, _created = StockLevel.objects.get_or_create(
                practice=practice, warehouse=warehouse, product_id=line.product_id
            )
            level.quantity -= line.quantity
            level.save()
            StockMovement.objects.create(
                practice=practice, warehouse=warehouse, product_id=line.product_id,
                quantity=-line.quantity, level_after=level.quantity, reason=MovementReason.SALE,
                document=document, by=by,
            )  # fmt: skip
    NumberSequence.objects.update_or_create(
        type=document_type, year=year, defaults={"practice": practice, "last": sequence}
    )
    record_event(
        practice=practice,
        client=client,
        by=by,
        kind=EventKind.DOCUMENT_ISSUED,
        data={"document": document.pk, "number": document.number},
        changes={"sale": [None, f"{document.number} · {document.total} {document.currency}"]},
    )
    return document


# Measuring.


class StreamRequester(Requester):
    """A Requester that reads a streamed answer (the CSV export) to its end, in its time:
    the queries of a streamed answer run while it is read."""

    def get(self, url: str, headers: dict[str, str] | None = None) -> float:
        cpu = time.process_time()
        started = time.perf_counter()
        response = self.http.get(url, secure=True, headers=headers)
        content = _read(response)
        elapsed = (time.perf_counter() - started) * 1000
        self.cpu_ms.append((time.process_time() - cpu) * 1000)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}")
        self.last_content = content
        return elapsed

    def profile(
        self, url: str, headers: dict[str, str] | None = None
    ) -> tuple[int, float, list[tuple[float, str]]]:
        return profile(lambda: _read(self.http.get(url, secure=True, headers=headers)))


def time_pair(
    ours: Requester, naive: Requester, scenario: Scenario, *, repeat: int, warmup: int
) -> None:
    """clientbook.lib.bench.time_pair with the naive page requested only NAIVE_REPEAT times
    (and warmed up once), spread evenly among our requests so drift falls on both alike."""
    headers = scenario.headers or None
    times = min(repeat, NAIVE_REPEAT)
    for i in range(warmup):
        ours.get(scenario.ours, headers)
        if i == 0:
            naive.get(scenario.baseline)
    mine: list[float] = []
    theirs: list[float] = []
    ours.cpu_ms.clear()
    naive.cpu_ms.clear()
    for i in range(repeat):
        mine.append(ours.get(scenario.ours, headers))
        if i * times // repeat != (i + 1) * times // repeat:
            theirs.append(naive.get(scenario.baseline))
    scenario.ours_timing = Timing(mine, cpu_ms=list(ours.cpu_ms))
    scenario.baseline_timing = Timing(theirs, cpu_ms=list(naive.cpu_ms))
    for requester, url, sent, timing in (
        (ours, scenario.ours, headers, scenario.ours_timing),
        (naive, scenario.baseline, None, scenario.baseline_timing),
    ):
        timing.queries, timing.db_ms, timing.slow_queries = requester.profile(url, sent)


def _read(response: HttpResponse) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content


@dataclass
class SalesProbe:
    """The turnover client, their period and what it holds; what the timing issues."""

    client: Client
    start: datetime.date
    end: datetime.date
    lines: int  # in the period, of the kinds the turnover shows
    documents: int
    totals: dict[str, Decimal]
    background: int  # the practice's other seeded lines
    issuing_client: Client
    document_type: DocumentType
    warehouse: Warehouse
    inputs: list[LineInput]


def probe(member: Member) -> SalesProbe:
    practice = member.practice
    client = turnover_client(practice)
    other = issuing_client(practice)
    if client is None or other is None:
        raise BenchError(f"{practice} has no clients to sell to")
    lines = DocumentLine.objects.filter(
        practice=practice, client=client, document__kind__in=TURNOVER_KINDS
    )
    found = lines.aggregate(
        first=Min("issue_date"),
        n=Count("pk"),
        documents=Count("document", distinct=True),
        net=Sum("net"),
        tax=Sum("tax"),
        total=Sum("total"),
    )
    if not found["n"]:
        raise BenchError(f"{client} has no sales")
    warehouse = Warehouse.objects.get(practice=practice, name=WAREHOUSE)
    services = list(Service.objects.filter(practice=practice, is_active=True).order_by("pk"))
    goods = list(Product.objects.filter(practice=practice, is_active=True).order_by("pk"))
    if not services or len(goods) < ISSUED_LINES:
        raise BenchError(f"{practice} lacks the services or goods to sell")
    inputs = [LineInput(service=services[i % len(services)]) for i in range(ISSUED_LINES)]
    inputs += [LineInput(product=good) for good in goods[:ISSUED_LINES]]
    return SalesProbe(
        client=client,
        start=found["first"],
        end=today(practice),
        lines=found["n"],
        documents=found["documents"],
        # In cents: SQLite adds decimals as floating point numbers.
        totals={name: round_money(found[name]) for name in ("net", "tax", "total")},
        background=seeded_lines(practice).exclude(client=client).count(),
        issuing_client=Client.objects.select_related("practice").get(pk=other.pk),
        document_type=active_type(practice.pk, DocumentKind.INVOICE),
        warehouse=warehouse,
        inputs=inputs,
    )


def scenarios(found: SalesProbe) -> list[Scenario]:
    period = {"start": found.start.isoformat(), "end": found.end.isoformat()}
    ours = reverse("billing:turnover", args=[found.client.pk])
    naive = reverse("naive_turnover", args=[found.client.pk])
    page, export = urlencode(period), urlencode({**period, "format": "csv"})
    return [
        Scenario(
            f"turnover: a client's {found.lines:,} lines, first page",
            f"{ours}?{page}",
            f"{naive}?{page}",
            "turnover",
            target_ms=TURNOVER_P95_MS,
            base_note=NAIVE_TURNOVER,
        ),
        Scenario(
            f"turnover: CSV export of {found.lines:,} lines",
            f"{ours}?{export}",
            f"{naive}?{export}",
            "export",
            base_note=NAIVE_EXPORT,
        ),
    ]


def time_issuing(member: Member, found: SalesProbe, *, repeat: int, warmup: int) -> Scenario:
    """issue_document of 20 lines (10 services, 10 goods from one warehouse), alternating
    with naive_issue_document; each call issues (and commits) a new invoice."""
    scenario = Scenario(
        f"issuing: a document of {len(found.inputs)} lines",
        "billing.services.issue_document (committed)",
        "billing.bench.naive_issue_document (committed)",
        "issue",
        target_ms=ISSUE_P95_MS,
        base_note=NAIVE_ISSUE,
    )
    arguments = {
        "by": member,
        "client": found.issuing_client,
        "document_type": found.document_type,
        "lines": found.inputs,
        "warehouse": found.warehouse,
        "notes": ISSUED_NOTE,
    }

    def issue() -> None:
        issue_document(**arguments)

    def issue_naively() -> None:
        naive_issue_document(**arguments)

    def timed(fn: Callable[[], None], cpu: list[float]) -> float:
        cpu_at, started = time.process_time(), time.perf_counter()
        fn()
        cpu.append((time.process_time() - cpu_at) * 1000)
        return (time.perf_counter() - started) * 1000

    for _ in range(warmup):
        issue()
        issue_naively()
    mine: list[float] = []
    theirs: list[float] = []
    mine_cpu: list[float] = []
    theirs_cpu: list[float] = []
    for _ in range(repeat):
        mine.append(timed(issue, mine_cpu))
        theirs.append(timed(issue_naively, theirs_cpu))
    scenario.ours_timing = Timing(mine, cpu_ms=mine_cpu)
    scenario.baseline_timing = Timing(theirs, cpu_ms=theirs_cpu)
    for fn, timing in ((issue, scenario.ours_timing), (issue_naively, scenario.baseline_timing)):
        timing.queries, timing.db_ms, timing.slow_queries = profile(fn)
    return scenario


def numbering(document_type: DocumentType, year: int) -> dict[str, Any]:
    """Whether the type's numbers of the year run 1, 2, … n with no gap or twin, and its
    NumberSequence stands at n (where the next issue goes on from)."""
    sequences = sorted(
        Document.objects.filter(type=document_type, year=year).values_list("sequence", flat=True)
    )
    numbers = Document.objects.filter(type=document_type, year=year).values("number")
    last = (
        NumberSequence.objects.filter(type=document_type, year=year)
        .values_list("last", flat=True)
        .first()
    )
    return {
        "documents": len(sequences),
        "sequence_last": last,
        "unique_numbers": numbers.distinct().count(),
        "ok": sequences == list(range(1, len(sequences) + 1))
        and last == len(sequences)
        and numbers.distinct().count() == len(sequences),
    }


@dataclass
class SalesResult:
    scenarios: list[Scenario]
    probe: SalesProbe
    page_lines: int  # the lines on our first page
    csv_rows: int  # the rows of our export, without its header
    issued: list[str]  # the numbers the timing issued, first and last
    numbering: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        found = self.probe
        return {
            "client_lines": found.lines,
            "client_documents": found.documents,
            "period": [found.start.isoformat(), found.end.isoformat()],
            "totals": {name: str(value) for name, value in found.totals.items()},
            "background_lines": found.background,
            "page_lines": self.page_lines,
            "csv_rows": self.csv_rows,
            "issued": self.issued,
            "numbering": self.numbering,
        }

    @property
    def checks(self) -> list[dict[str, Any]]:
        found = self.probe
        book = self.numbering
        return [
            {
                "target": "the turnover export holds every line of the period",
                "value": f"{self.csv_rows:,} rows for {found.lines:,} lines",
                "met": self.csv_rows == found.lines,
            },
            {
                "target": "issuing numbers on from the seeded documents, without gap or twin",
                "value": f"{book['documents']:,} of the year, {self.issued[0]} … "
                f"{self.issued[-1]}, sequence at {book['sequence_last']}",
                "met": bool(book["ok"]),
            },
        ]


def measure(member: Member, *, repeat: int, warmup: int, out: TextIO) -> SalesResult:
    """The turnover page and export (ours beside the naive page, both requested as `member`,
    the client's receptionist), then issuing as `member`."""
    found = probe(member)
    mine, naive = StreamRequester(member.user), StreamRequester(member.user)
    with override_settings(ROOT_URLCONF=bench_urlconf()):
        items = scenarios(found)
        for i, item in enumerate(items, 1):
            out.write(f"  [sales {i}/{len(items) + 1}] {item.name}\n")
            out.flush()
            time_pair(mine, naive, item, repeat=repeat, warmup=warmup)
            if i == 1:
                page_lines = mine.last_content.count(b'href="/sales/documents/')
                if page_lines == 0:
                    raise BenchError(f"{item.ours} shows no lines")
            else:
                rows = list(csv.reader(mine.last_content.decode("utf-8-sig").splitlines()))
                csv_rows = len(rows) - 1
    out.write(f"  [sales {len(items) + 1}/{len(items) + 1}] issuing\n")
    out.flush()
    year = today(member.practice).year
    before = Document.objects.filter(type=found.document_type, year=year).aggregate(
        n=Max("sequence")
    )["n"]
    items.append(time_issuing(member, found, repeat=repeat, warmup=warmup))
    issued = list(
        Document.objects.filter(
            type=found.document_type, year=year, sequence__gt=before or 0, notes=ISSUED_NOTE
        )
        .order_by("sequence")
        .values_list("number", flat=True)
    )
    if not issued:
        raise BenchError("the timing issued no document")
    return SalesResult(
        scenarios=items,
        probe=found,
        page_lines=page_lines,
        csv_rows=csv_rows,
        issued=[issued[0], issued[-1]],
        numbering=numbering(found.document_type, year),
    )

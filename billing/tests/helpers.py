"""Small builders for the sales tests, all through the services (the real paths)."""

import datetime
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from billing.models import (
    DEBT_KINDS,
    Allocation,
    Document,
    DocumentType,
    StockLevel,
    StockMovement,
    Warehouse,
)
from billing.services import LineInput, SaleResult, issue_document
from clients.models import Client
from practices.models import Member, Professional
from scheduling.models import Service, Session, SessionStatus
from scheduling.services import book_session, mark_session


def D(value: str | int) -> Decimal:
    return Decimal(value)


def sell(
    by: Member,
    client: Client,
    document_type: DocumentType,
    *lines: LineInput,
    warehouse: Warehouse | None = None,
    **options: Any,
) -> SaleResult:
    return issue_document(
        by=by,
        client=client,
        document_type=document_type,
        lines=list(lines),
        warehouse=warehouse,
        **options,
    )


def past_session(
    by: Member,
    client: Client,
    professional: Professional,
    *,
    days_ago: int = 1,
    service: Service | None = None,
    status: str | None = SessionStatus.ATTENDED,
    price: Decimal | None = None,
) -> Session:
    """A session booked `days_ago` days back (at a distinct hour per day, so none clash),
    marked attended by default (`status=None`: left scheduled)."""
    starts_at = timezone.now() - datetime.timedelta(days=days_ago, hours=2)
    session = book_session(
        by=by, client=client, professional=professional, starts_at=starts_at, service=service,
        price=price,
    )  # fmt: skip
    if status is not None:
        session = mark_session(session, by=by, status=status)
    return session


def level(warehouse: Warehouse, product) -> Decimal:
    row = StockLevel.objects.filter(warehouse=warehouse, product=product).first()
    return row.quantity if row else Decimal(0)


# The sums below are made in Python: SQLite would add these signed decimals in floating point.


def moved(warehouse: Warehouse, product) -> Decimal:
    movements = StockMovement.objects.filter(warehouse=warehouse, product=product)
    return sum(movements.values_list("quantity", flat=True), Decimal(0))


def debt_documents(client: Client):
    return Document.objects.filter(client=client, kind__in=DEBT_KINDS)


def allocated(client: Client) -> Decimal:
    """What the client's payments not reversed put on their documents."""
    allocations = Allocation.objects.filter(
        payment__client=client, payment__reversed_at__isnull=True
    )
    return sum(allocations.values_list("amount", flat=True), Decimal(0))


def in_threads(work: Callable[[int], Any], n: int) -> list[Any]:
    """Runs work(0) … work(n - 1) in n threads started together; each closes its connection
    (as clients/tests/test_services.py does)."""
    start = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results

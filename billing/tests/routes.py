"""Sales URLs of a client for the route inventory (clientbook/tests/test_routes.py): how to build
each for practice A's data, and the rows that must not change."""

from collections.abc import Callable
from decimal import Decimal

from django.urls import reverse

from billing.models import Allocation, Document, DocumentKind, DocumentType, Payment, Settlement
from billing.services import LineInput, issue_document, record_payment, settle_documents
from clientbook.testing import PracticeWorld

Requests = Callable[[PracticeWorld], list[tuple[str, dict]]]

PAYMENT = {"documents": [], "amount": "1.00", "method": "cash", "paid_on": "2026-01-05"}


def sales_rows() -> tuple:
    return (
        list(
            Document.objects.order_by("pk").values_list("pk", "client_id", "total", "open_amount")
        ),
        list(Payment.objects.order_by("pk").values_list("pk", "amount", "reversed_at")),
        list(Settlement.objects.order_by("pk").values_list("pk", "total", "reversed_at")),
        Allocation.objects.count(),
    )


def _documents(a: PracticeWorld) -> list[Document]:
    """Two invoices for each of A's clients, one partly paid."""
    invoice = DocumentType.objects.get(practice=a.practice, kind=DocumentKind.INVOICE)
    made = []
    for client in a.clients.values():
        for _ in range(2):
            made.append(
                issue_document(
                    by=a.owner, client=client, document_type=invoice,
                    lines=[LineInput(description="Consultation", unit_price=Decimal("100"))],
                ).document
            )  # fmt: skip
    return made


def each_client(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        documents = _documents(a)
        data = dict(payload)
        if "documents" in data:
            data["documents"] = [d.pk for d in documents[:2]]
        return [(reverse(url_name, args=[c.pk]), data) for c in a.clients.values()]

    return build


def each_document(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        documents = _documents(a)
        data = dict(payload)
        for document in documents:
            for line in document.lines.all():
                data[f"quantity_{line.pk}"] = "1"
        return [(reverse(url_name, args=[d.pk]), data) for d in documents]

    return build


def each_payment(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        payments = [
            record_payment(
                by=a.owner, client=d.client, documents=[d], amount=Decimal("10"), method="cash"
            )
            for d in _documents(a)
        ]
        return [(reverse(url_name, args=[p.pk]), payload) for p in payments]

    return build


def each_settlement(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        documents = _documents(a)
        settlements = [
            settle_documents(by=a.owner, client=first.client, documents=[first, second],
                             method="cash")
            for first, second in zip(documents[::2], documents[1::2], strict=True)
        ]  # fmt: skip
        return [(reverse(url_name, args=[s.pk]), payload) for s in settlements]

    return build

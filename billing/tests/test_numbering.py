"""Numbering: per document type and year ("NF/2026/0001"), types and practices independent, no
gap after a rolled-back issue, and no twins or gaps when people issue at the same time. Also the
stock of one good sold from one warehouse by several desks at once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import Document, DocumentKind, DocumentType, NumberSequence, StockMovement
from billing.services import (
    LineInput,
    PaymentInput,
    add_document_type,
    adjust_stock,
    credit_document,
    issue_document,
    record_payment,
    save_document_type,
    settle_documents,
    today,
)
from billing.tests.helpers import D, in_threads, level, moved, sell
from clientbook.testing import make_client


def number(prefix: str, year: int, n: int) -> str:
    return f"{prefix}/{year}/{n:04d}"


def test_each_type_counts_its_own_numbers_in_the_year(
    a, joao, invoice_type, receipt_type, proforma_type, therapy
):
    year = today(a.practice).year
    first = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    second = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    receipt = sell(a.reception, joao, receipt_type, LineInput(service=therapy)).document
    proforma = sell(a.reception, joao, proforma_type, LineInput(service=therapy)).document
    third = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    assert [d.number for d in (first, second, receipt, proforma, third)] == [
        number("NF", year, 1), number("NF", year, 2), number("REC", year, 1),
        number("PF", year, 1), number("NF", year, 3),
    ]  # fmt: skip
    assert [(d.year, d.sequence) for d in (first, second, third)] == [
        (year, 1), (year, 2), (year, 3),
    ]  # fmt: skip

    credit = credit_document(by=a.reception, document=first, reason="Duplicate")
    payment = record_payment(
        by=a.reception, client=joao, documents=[second], amount=D("50.00"), method="cash"
    )
    settlement = settle_documents(by=a.reception, client=joao, documents=[second, third],
                                  method="pix")  # fmt: skip
    assert credit.number == number("NC", year, 1)
    assert payment.number == number("PG", year, 1)
    assert settlement.number == number("AC", year, 1)
    # The settlement's own payment is numbered among the payments.
    assert settlement.payment.number == number("PG", year, 2)


def test_a_new_year_starts_again_at_one(a, joao, invoice_type, therapy, monkeypatch):
    year = today(a.practice).year
    sell(a.reception, joao, invoice_type, LineInput(service=therapy))
    monkeypatch.setattr("billing.services.today", lambda practice: datetime.date(year + 1, 1, 2))
    next_year = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    assert (next_year.number, next_year.issue_date) == (
        number("NF", year + 1, 1), datetime.date(year + 1, 1, 2),
    )  # fmt: skip
    monkeypatch.undo()
    # A paper dated in the old year still continues the old year's sequence.
    assert sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document.number == (
        number("NF", year, 2)
    )


def test_practices_and_types_have_their_own_sequences(a, b, joao, invoice_type, therapy):
    year = today(a.practice).year
    sell(a.reception, joao, invoice_type, LineInput(service=therapy))
    second_type = add_document_type(by=a.owner, kind=DocumentKind.INVOICE, name="Invoice (SP)",
                                    prefix="nfsp")  # fmt: skip
    assert second_type.prefix == "NFSP"
    assert sell(a.reception, joao, second_type, LineInput(service=therapy)).document.number == (
        number("NFSP", year, 1)
    )
    b_type = DocumentType.objects.get(practice=b.practice, kind=DocumentKind.INVOICE)
    b_client = b.clients["João da Silva"]
    b_invoice = sell(
        b.owner, b_client, b_type, LineInput(description="Szczepienie", unit_price=D("80.00"))
    ).document
    assert b_invoice.number == number("FV", year, 1)
    assert (b_invoice.currency, b_invoice.practice_id) == ("PLN", b.practice.pk)


def test_a_new_prefix_keeps_the_numbers_already_given(a, joao, invoice_type, therapy):
    year = today(a.practice).year
    first = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    save_document_type(by=a.owner, document_type=invoice_type, name="Nota fiscal", prefix="NFE")
    second = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    first.refresh_from_db()
    assert (first.number, second.number) == (number("NF", year, 1), number("NFE", year, 2))


def test_an_issue_refused_after_taking_its_number_gives_it_back(
    a, joao, invoice_type, shampoo, therapy, front, stocked, no_negative_stock
):
    year = today(a.practice).year
    with pytest.raises(ValidationError) as caught:
        # The number is taken before the goods leave; the shortage refuses the whole sale.
        sell(a.reception, joao, invoice_type, LineInput(product=shampoo, quantity=D(11)),
             warehouse=front)  # fmt: skip
    assert list(caught.value.message_dict) == ["lines.0.quantity"]
    assert not NumberSequence.objects.filter(type=invoice_type).exists()
    document = sell(
        a.reception, joao, invoice_type, LineInput(product=shampoo, quantity=D(10)),
        warehouse=front,
    ).document  # fmt: skip
    assert document.number == number("NF", year, 1)
    with pytest.raises(ValidationError):
        sell(a.reception, joao, invoice_type, LineInput(product=shampoo), warehouse=front)
    assert sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document.number == (
        number("NF", year, 2)
    )


def test_a_refused_payment_at_issue_gives_both_numbers_back(a, joao, invoice_type, therapy):
    year = today(a.practice).year
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, joao, invoice_type, LineInput(service=therapy),
             payment=PaymentInput(method="cash", amount=D("150.01")))  # fmt: skip
    assert list(caught.value.message_dict) == ["amount"]
    assert not Document.objects.filter(client=joao).exists()
    paid = sell(a.reception, joao, invoice_type, LineInput(service=therapy),
                payment=PaymentInput(method="cash", amount=D("100.00")))  # fmt: skip
    assert (paid.document.number, paid.payment.number) == (
        number("NF", year, 1), number("PG", year, 1),
    )  # fmt: skip
    assert paid.document.open_amount == D("50.00")


# ---------------------------------------------------------------------------------------------
# At the same time: real threads, each with its own connection, writing at once.

THREADS = 8
EACH = 5


@pytest.mark.django_db(transaction=True)
def test_desks_issuing_at_once_get_distinct_gap_free_numbers(request, a, invoice_type, therapy):
    # One client per desk: the sales then contend on the number only (a sale locks its client).
    clients = [make_client(a.reception, f"At once {i}") for i in range(THREADS)]
    members = [a.owner, a.admin, a.reception, a.reception]
    year = today(a.practice).year
    request.getfixturevalue("threads_share_the_database")

    def issue(i: int) -> list[str]:
        return [
            issue_document(
                by=members[i % len(members)], client=clients[i], document_type=invoice_type,
                lines=[LineInput(service=therapy)],
            ).document.number
            for _ in range(EACH)
        ]  # fmt: skip

    numbers = [n for batch in in_threads(issue, THREADS) for n in batch]
    expected = [number("NF", year, n) for n in range(1, THREADS * EACH + 1)]
    assert sorted(numbers) == expected

    # What the database holds afterwards, read through a connection of its own as well.
    def check(_):
        return (
            sorted(Document.objects.filter(type=invoice_type).values_list("number", "sequence")),
            NumberSequence.objects.get(type=invoice_type, year=year).last,
        )

    stored, last = in_threads(check, 1)[0]
    assert stored == [(n, i) for i, n in enumerate(expected, start=1)]
    assert last == THREADS * EACH


@pytest.mark.django_db(transaction=True)
def test_desks_selling_one_good_at_once_take_exactly_what_they_sold(
    request, a, invoice_type, shampoo, front, back, stocked
):
    adjust_stock(by=a.owner, warehouse=front, product=shampoo, quantity=D(90), reason="delivery")
    clients = [make_client(a.reception, f"At once {i}") for i in range(THREADS)]
    request.getfixturevalue("threads_share_the_database")

    def quantity(i: int) -> Decimal:
        return D(i % 3 + 1)

    def sell_one(i: int) -> list[list[str]]:
        return [
            issue_document(
                by=a.reception, client=clients[i], document_type=invoice_type, warehouse=front,
                lines=[LineInput(product=shampoo, quantity=quantity(i))],
            ).warnings
            for _ in range(EACH)
        ]  # fmt: skip

    warnings = in_threads(sell_one, THREADS)
    sold = sum(quantity(i) * EACH for i in range(THREADS))
    assert sold == 75
    assert warnings == [[[]] * EACH] * THREADS

    def check(_):
        movements = list(
            StockMovement.objects.filter(warehouse=front, product=shampoo)
            .order_by("pk")
            .values_list("quantity", "level_after")
        )
        return level(front, shampoo), moved(front, shampoo), movements, level(back, shampoo)

    now, total_moved, movements, in_back = in_threads(check, 1)[0]
    assert now == total_moved == 100 - sold
    assert in_back == 5
    # Each movement starts where the one before it left off: no sale read a stale level.
    running = Decimal(0)
    for quantity_moved, level_after in movements:
        running += quantity_moved
        assert level_after == running
    assert len(movements) == 2 + THREADS * EACH  # the two deliveries and every sale


@pytest.mark.django_db(transaction=True)
def test_desks_selling_the_last_units_at_once_never_go_below_zero_when_forbidden(
    request, a, invoice_type, shampoo, front, stocked, no_negative_stock
):
    clients = [make_client(a.reception, f"At once {i}") for i in range(THREADS)]
    request.getfixturevalue("threads_share_the_database")

    def try_to_sell(i: int) -> bool:
        try:
            issue_document(
                by=a.reception, client=clients[i], document_type=invoice_type, warehouse=front,
                lines=[LineInput(product=shampoo, quantity=D(2))],
            )  # fmt: skip
        except ValidationError:
            return False
        return True

    sold = in_threads(try_to_sell, THREADS)
    assert sold.count(True) == 5  # 10 in stock, 2 each

    def check(_):
        year = today(a.practice).year
        return (
            level(front, shampoo),
            moved(front, shampoo),
            sorted(Document.objects.filter(type=invoice_type).values_list("sequence", flat=True)),
            NumberSequence.objects.get(type=invoice_type, year=year).last,
        )

    now, total_moved, sequences, last = in_threads(check, 1)[0]
    assert now == total_moved == 0
    # The refused sales gave their numbers back.
    assert sequences == [1, 2, 3, 4, 5]
    assert last == 5

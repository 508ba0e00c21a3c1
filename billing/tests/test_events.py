"""Every sales operation writes its event on the client's timeline, in the same transaction;
catalog and stock changes write theirs on the practice's. A refused operation writes none."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event, EventKind
from billing.services import (
    LineInput,
    PaymentInput,
    adjust_stock,
    credit_document,
    record_payment,
    reverse_payment,
    reverse_settlement,
    save_document_type,
    save_product,
    save_warehouse,
    settle_documents,
)
from billing.tests.helpers import D, sell


def new_events(since: int) -> list[Event]:
    return list(Event.objects.filter(pk__gt=since).order_by("pk"))


def last_pk() -> int:
    last = Event.objects.order_by("-pk").first()
    return last.pk if last else 0


@pytest.fixture
def invoice(a, joao, invoice_type, therapy):
    return sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document


def test_issuing_writes_one_event_on_the_clients_timeline(
    a, joao, invoice_type, therapy, shampoo, front, stocked
):
    since = last_pk()
    document = sell(a.reception, joao, invoice_type, LineInput(service=therapy),
                    LineInput(product=shampoo), warehouse=front).document  # fmt: skip
    # The goods leaving are part of the sale: no stock event of their own.
    (event,) = new_events(since)
    assert (event.kind, event.practice, event.client, event.actor) == (
        EventKind.DOCUMENT_ISSUED, a.practice, joao, a.reception,
    )  # fmt: skip
    assert event.data == {"document": document.pk, "number": document.number}
    assert event.changes == {"sale": [None, f"{document.number} · 174.59 BRL"]}


def test_a_payment_taken_at_issue_writes_its_own_event(a, joao, invoice_type, therapy):
    since = last_pk()
    result = sell(a.reception, joao, invoice_type, LineInput(service=therapy),
                  payment=PaymentInput(method="card"))  # fmt: skip
    assert [(e.kind, e.client) for e in new_events(since)] == [
        (EventKind.DOCUMENT_ISSUED, joao), (EventKind.PAYMENT_RECORDED, joao),
    ]  # fmt: skip
    assert new_events(since)[1].data == {
        "payment": result.payment.pk, "number": result.payment.number,
    }  # fmt: skip


def test_a_credit_note_writes_its_event(a, joao, invoice):
    since = last_pk()
    credit = credit_document(by=a.admin, document=invoice, reason="Mistake")
    (event,) = new_events(since)
    assert (event.kind, event.client, event.actor) == (
        EventKind.CREDIT_NOTE_ISSUED, joao, a.admin,
    )  # fmt: skip
    assert event.data == {"document": credit.pk, "number": credit.number, "corrects": invoice.pk}
    assert event.changes == {"credit_note": [invoice.number, f"{credit.number} · -150.00 BRL"]}


def test_a_payment_and_its_reversal_write_their_events(a, joao, invoice):
    since = last_pk()
    payment = record_payment(by=a.reception, client=joao, documents=[invoice],
                             amount=D("40.00"), method="pix")  # fmt: skip
    reverse_payment(by=a.owner, payment=payment, reason="Bounced")
    recorded, reversed_ = new_events(since)
    assert (recorded.kind, recorded.client, recorded.actor) == (
        EventKind.PAYMENT_RECORDED, joao, a.reception,
    )  # fmt: skip
    assert recorded.changes == {
        "payment": [None, f"{payment.number} · 40.00 BRL"],
        "sales_documents": [None, [invoice.number]],
    }
    assert (reversed_.kind, reversed_.client, reversed_.actor) == (
        EventKind.PAYMENT_REVERSED, joao, a.owner,
    )  # fmt: skip
    assert reversed_.data == {"payment": payment.pk, "number": payment.number}
    assert reversed_.changes == {
        "payment": [payment.number, None], "sales_documents": [None, [invoice.number]],
    }  # fmt: skip


def test_a_settlement_and_its_reversal_write_one_event_each(
    a, joao, invoice, invoice_type, therapy
):
    second = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    since = last_pk()
    settlement = settle_documents(by=a.reception, client=joao, documents=[invoice, second],
                                  method="cash")  # fmt: skip
    reverse_settlement(by=a.reception, settlement=settlement, reason="Wrong client")
    # The settlement's payment is told by the settlement's events, not events of its own.
    made, undone = new_events(since)
    assert (made.kind, made.client, undone.kind, undone.client) == (
        EventKind.SETTLEMENT_MADE, joao, EventKind.SETTLEMENT_REVERSED, joao,
    )  # fmt: skip
    assert made.data == {
        "settlement": settlement.pk, "number": settlement.number,
        "payment": settlement.payment.pk,
    }  # fmt: skip
    assert made.changes == {
        "settlement": [None, f"{settlement.number} · 300.00 BRL"],
        "sales_documents": [None, [invoice.number, second.number]],
    }
    assert undone.changes["settlement"] == [settlement.number, None]


def test_a_refused_operation_writes_no_event(a, joao, invoice, invoice_type, therapy):
    since = last_pk()
    with pytest.raises(ValidationError):
        record_payment(by=a.reception, client=joao, documents=[invoice], amount=D("150.01"),
                       method="cash")  # fmt: skip
    with pytest.raises(ValidationError):
        sell(a.reception, joao, invoice_type, LineInput(service=therapy, quantity=D(0)))
    with pytest.raises(ValidationError):
        credit_document(by=a.reception, document=invoice, reason="")
    assert new_events(since) == []


# ---------------------------------------------------------------------------------------------
# The catalog and stock.


def test_catalog_changes_write_what_changed(a, shampoo):
    since = last_pk()
    save_product(by=a.owner, product=shampoo, price=D("21.00"), unit="pc")
    save_product(by=a.owner, product=shampoo, price=D("21.00"))  # no change: no event
    warehouse = save_warehouse(by=a.admin, name="Van")
    product_event, warehouse_event = new_events(since)
    assert (product_event.kind, product_event.client, product_event.actor) == (
        EventKind.CATALOG_CHANGED, None, a.owner,
    )  # fmt: skip
    assert product_event.data == {"what": "good", "id": shampoo.pk, "name": "Shampoo"}
    assert product_event.changes == {"price": ["19.99", "21.00"]}
    assert warehouse_event.data == {"what": "warehouse", "id": warehouse.pk, "name": "Van"}
    assert warehouse_event.changes == {"name": [None, "Van"], "is_active": [None, True]}


def test_a_new_good_writes_its_fields(a):
    since = last_pk()
    product = save_product(by=a.owner, name="Candle", price=D("12.00"), tax_rate=D("8"))
    (event,) = new_events(since)
    assert event.data == {"what": "good", "id": product.pk, "name": "Candle"}
    assert event.changes == {
        "name": [None, "Candle"], "price": [None, "12.00"], "tax_rate": [None, "8"],
    }  # fmt: skip


def test_a_document_type_change_writes_its_event(a, invoice_type):
    since = last_pk()
    named = invoice_type.name  # as the practice's language names it
    save_document_type(by=a.owner, document_type=invoice_type, name="Fatura", prefix="NFE")
    (event,) = new_events(since)
    assert event.kind == EventKind.CATALOG_CHANGED
    assert event.data["what"] == "document_type"
    assert event.changes == {"name": [named, "Fatura"], "prefix": ["NF", "NFE"]}


def test_a_stock_change_writes_the_level_before_and_after(a, shampoo, front, stocked):
    since = last_pk()
    movement = adjust_stock(by=a.reception, warehouse=front, product=shampoo, quantity=D(5),
                            reason="delivery")  # fmt: skip
    (event,) = new_events(since)
    assert (event.kind, event.client, event.actor, event.practice) == (
        EventKind.STOCK_CHANGED, None, a.reception, a.practice,
    )  # fmt: skip
    assert event.data == {"warehouse": front.pk, "product": shampoo.pk, "movement": movement.pk}
    (before, after) = event.changes["Shampoo"]
    assert (D(before), D(after)) == (10, 15)

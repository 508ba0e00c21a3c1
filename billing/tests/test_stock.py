"""Stock: deliveries and corrections by hand (adjust_stock), goods leaving the warehouse a sale
names, shortages (a warning, or refused when the practice forbids them), credit notes bringing
goods back, and the preview of shortages. A level is always the sum of its movements."""

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import (
    MANUAL_REASONS,
    Document,
    MovementReason,
    NumberSequence,
    StockLevel,
    StockMovement,
)
from billing.services import (
    LineInput,
    adjust_stock,
    credit_document,
    save_product,
    save_warehouse,
    stock_shortages,
)
from billing.tests.helpers import D, level, moved, sell


def stock_written() -> tuple:
    return (
        Document.objects.count(),
        sorted(StockLevel.objects.values_list("warehouse_id", "product_id", "quantity")),
        StockMovement.objects.count(),
        sorted(NumberSequence.objects.values_list("type_id", "year", "last")),
    )


# ---------------------------------------------------------------------------------------------
# By hand.


def test_a_delivery_adds_one_movement(a, book, back):
    movement = adjust_stock(
        by=a.reception, warehouse=back, product=book, quantity=D("12.5"), reason="delivery",
        note="  Invoice 4471 from the publisher  ",
    )  # fmt: skip
    assert level(back, book) == D("12.5")
    assert (movement.quantity, movement.level_after, movement.reason, movement.note) == (
        D("12.5"), D("12.5"), MovementReason.DELIVERY, "Invoice 4471 from the publisher",
    )  # fmt: skip
    assert (movement.by, movement.document, movement.practice_id) == (
        a.reception, None, a.practice.pk,
    )  # fmt: skip


def test_a_count_corrects_the_level_down(a, shampoo, front, stocked):
    adjust_stock(by=a.owner, warehouse=front, product=shampoo, quantity=D(-3), reason="count")
    adjust_stock(by=a.owner, warehouse=front, product=shampoo, quantity=D(-7), reason="damage")
    assert level(front, shampoo) == moved(front, shampoo) == 0


def test_a_correction_below_zero_is_refused_and_writes_nothing(a, shampoo, front, stocked):
    before = stock_written()
    with pytest.raises(ValidationError) as caught:
        adjust_stock(by=a.owner, warehouse=front, product=shampoo, quantity=D(-11),
                     reason="internal")  # fmt: skip
    assert caught.value.message_dict == {"quantity": ["Only 10 in stock in Front desk."]}
    assert stock_written() == before


def test_a_delivery_is_accepted_when_the_level_is_below_zero(
    a, joao, invoice_type, shampoo, front, stocked
):
    sell(a.reception, joao, invoice_type, LineInput(product=shampoo, quantity=D(12)),
         warehouse=front)  # fmt: skip
    assert level(front, shampoo) == -2
    adjust_stock(by=a.owner, warehouse=front, product=shampoo, quantity=D(1), reason="delivery")
    assert level(front, shampoo) == -1
    # Taking more out is still refused.
    with pytest.raises(ValidationError):
        adjust_stock(by=a.owner, warehouse=front, product=shampoo, quantity=D(-1), reason="damage")
    assert level(front, shampoo) == moved(front, shampoo) == -1


@pytest.mark.parametrize("reason", MANUAL_REASONS)
def test_every_reason_a_person_picks_is_accepted(a, book, front, stocked, reason):
    movement = adjust_stock(by=a.owner, warehouse=front, product=book, quantity=D(1),
                            reason=reason)  # fmt: skip
    assert movement.reason == reason


@pytest.mark.parametrize(
    ("quantity", "reason", "field"),
    [
        ("1", MovementReason.SALE, "reason"),  # sales and returns come from documents
        ("1", MovementReason.RETURN, "reason"),
        ("1", "stolen", "reason"),
        ("0", "delivery", "quantity"),
        ("0.0001", "delivery", "quantity"),
    ],
)
def test_a_bad_adjustment_is_refused(a, book, front, stocked, quantity, reason, field):
    before = stock_written()
    with pytest.raises(ValidationError) as caught:
        adjust_stock(by=a.owner, warehouse=front, product=book, quantity=D(quantity),
                     reason=reason)  # fmt: skip
    assert list(caught.value.message_dict) == [field]
    assert stock_written() == before


def test_thousandths_are_accepted(a, book, front, stocked):
    adjust_stock(by=a.owner, warehouse=front, product=book, quantity=D("0.125"), reason="count")
    assert level(front, book) == D("3.125")


def test_a_professional_cannot_change_stock(a, book, front, stocked):
    before = stock_written()
    with pytest.raises(PermissionDenied):
        adjust_stock(by=a.professional, warehouse=front, product=book, quantity=D(1),
                     reason="delivery")  # fmt: skip
    assert stock_written() == before


def test_nobody_changes_another_practices_stock(a, b, book, front, stocked):
    theirs = save_product(by=b.owner, name="Workbook")
    their_warehouse = save_warehouse(by=b.owner, name="Front desk")
    for warehouse, product in ((their_warehouse, book), (front, theirs)):
        with pytest.raises(PermissionDenied):
            adjust_stock(by=a.owner, warehouse=warehouse, product=product, quantity=D(1),
                         reason="delivery")  # fmt: skip
    with pytest.raises(PermissionDenied):
        adjust_stock(by=b.owner, warehouse=front, product=book, quantity=D(1), reason="delivery")


# ---------------------------------------------------------------------------------------------
# Sales.


def test_a_sale_takes_goods_from_the_chosen_warehouse_only(
    a, joao, invoice_type, shampoo, book, front, back, stocked
):
    document = sell(
        a.reception, joao, invoice_type,
        LineInput(product=shampoo, quantity=D(2)), warehouse=back,
    ).document  # fmt: skip
    assert (level(back, shampoo), level(front, shampoo), level(front, book)) == (3, 10, 3)
    (movement,) = document.movements.all()
    assert (movement.warehouse, movement.quantity, movement.reason, movement.level_after) == (
        back, D(-2), MovementReason.SALE, D(3),
    )  # fmt: skip


def test_lines_of_one_good_leave_as_one_movement(
    a, joao, invoice_type, shampoo, book, front, stocked
):
    document = sell(
        a.reception, joao, invoice_type,
        LineInput(product=shampoo, quantity=D(2)), LineInput(product=book),
        LineInput(product=shampoo, quantity=D("1.5")), warehouse=front,
    ).document  # fmt: skip
    assert sorted(document.movements.values_list("product_id", "quantity")) == sorted(
        [(shampoo.pk, D("-3.5")), (book.pk, D(-1))]
    )
    assert level(front, shampoo) == D("6.5")


def test_a_shortage_is_a_warning_by_default(a, joao, invoice_type, shampoo, front, stocked):
    result = sell(a.reception, joao, invoice_type, LineInput(product=shampoo, quantity=D(12)),
                  warehouse=front)  # fmt: skip
    assert result.warnings == ["Shampoo: 10 in stock in Front desk, 12 sold."]
    assert level(front, shampoo) == moved(front, shampoo) == -2


def test_a_shortage_is_refused_when_the_practice_forbids_it(
    a, joao, invoice_type, therapy, shampoo, book, front, stocked, no_negative_stock
):
    before = stock_written()
    with pytest.raises(ValidationError) as caught:
        sell(
            a.reception, joao, invoice_type,
            LineInput(service=therapy), LineInput(product=book, quantity=D(4)),
            LineInput(product=shampoo), warehouse=front,
        )  # fmt: skip
    # The first line of the good that runs short carries the error.
    assert caught.value.message_dict == {
        "lines.1.quantity": [
            "Workbook: 3 in stock in Front desk, 4 sold. "
            "The practice does not sell below zero stock."
        ]
    }
    assert stock_written() == before
    # Down to exactly zero is fine.
    result = sell(a.reception, joao, invoice_type, LineInput(product=book, quantity=D(3)),
                  warehouse=front)  # fmt: skip
    assert result.warnings == []
    assert level(front, book) == 0


def test_a_credit_note_returns_the_goods_to_the_documents_warehouse(
    a, joao, invoice_type, therapy, shampoo, front, back, stocked
):
    document = sell(
        a.reception, joao, invoice_type,
        LineInput(service=therapy), LineInput(product=shampoo, quantity=D(3)), warehouse=back,
    ).document  # fmt: skip
    shampoo_line = document.lines.get(product=shampoo)
    credit = credit_document(by=a.reception, document=document, reason="Returned unopened",
                             quantities={shampoo_line.pk: D(2)})  # fmt: skip
    assert (level(back, shampoo), level(front, shampoo)) == (4, 10)
    (movement,) = credit.movements.all()
    assert (movement.warehouse, movement.quantity, movement.reason, movement.level_after) == (
        back, D(2), MovementReason.RETURN, D(4),
    )  # fmt: skip
    # The rest comes back with a full credit of what is left.
    credit_document(by=a.reception, document=document, reason="Returned")
    assert level(back, shampoo) == moved(back, shampoo) == 5


def test_stock_shortages_previews_each_good_that_runs_short(
    a, joao, therapy, shampoo, book, front, back, stocked
):
    lines = [
        LineInput(service=therapy),
        LineInput(product=shampoo, quantity=D(8)),
        LineInput(product=book, quantity=D(4)),
        LineInput(product=shampoo, quantity=D(3)),
    ]
    assert stock_shortages(warehouse=front, lines=lines) == [
        (1, shampoo, D(10), D(11)),
        (2, book, D(3), D(4)),
    ]
    # No book was ever delivered to the back room: nothing in stock there.
    assert stock_shortages(warehouse=back, lines=lines) == [
        (1, shampoo, D(5), D(11)),
        (2, book, D(0), D(4)),
    ]
    assert stock_shortages(warehouse=front, lines=lines[:2]) == []
    assert stock_shortages(warehouse=None, lines=lines) == []
    # It writes nothing.
    assert level(front, shampoo) == 10


# ---------------------------------------------------------------------------------------------
# The level is the sum of its movements, whatever happens (Hypothesis).

goods = itertools.count(1)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("adjust"), st.integers(0, 1), st.integers(-5, 20).filter(bool)),
        st.tuples(st.just("sell"), st.integers(0, 1), st.integers(1, 4000)),  # thousandths
        st.tuples(st.just("credit"), st.integers(0, 20), st.booleans()),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_every_level_is_the_sum_of_its_movements(a, joao, invoice_type, front, back, ops):
    # A good of its own for each example: the examples share the test's database.
    good = save_product(by=a.owner, name=f"Good {next(goods)}", price=D("2.50"))
    warehouses = [front, back]
    expected = {front.pk: Decimal(0), back.pk: Decimal(0)}
    sales = []
    for op, which, amount in ops:
        if op == "adjust":
            warehouse, quantity = warehouses[which], D(amount)
            try:
                adjust_stock(by=a.owner, warehouse=warehouse, product=good, quantity=quantity,
                             reason="delivery" if quantity > 0 else "count")  # fmt: skip
            except ValidationError:
                pass  # refused: nothing moved
            else:
                expected[warehouse.pk] += quantity
        elif op == "sell":
            warehouse, quantity = warehouses[which], Decimal(amount).scaleb(-3)
            document = sell(a.reception, joao, invoice_type,
                            LineInput(product=good, quantity=quantity),
                            warehouse=warehouse).document  # fmt: skip
            expected[warehouse.pk] -= quantity
            sales.append(document)
        elif sales:
            document = sales[which % len(sales)]
            line = document.lines.get()
            left = line.quantity + sum(c.quantity for c in line.corrections.all())
            quantity = left if amount else (left / 2).quantize(Decimal("0.001"))
            if quantity:
                credit_document(by=a.reception, document=document, reason="Back",
                                quantities={line.pk: quantity})  # fmt: skip
                expected[document.warehouse_id] += quantity
        for warehouse in warehouses:
            assert level(warehouse, good) == moved(warehouse, good) == expected[warehouse.pk]
            last = (
                StockMovement.objects.filter(warehouse=warehouse, product=good)
                .order_by("-pk")
                .first()
            )
            if last is not None:
                assert last.level_after == expected[warehouse.pk]

"""The arithmetic of a sale (billing/amounts.py): a line's net, tax and total rounded per line
half away from zero, and a payment spread over open documents oldest first. No database."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.amounts import allocate, line_amounts, round_money
from billing.tests.helpers import D

PROPERTIES = settings(max_examples=200, deadline=None)


def cents(places: int, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals with exactly `places` decimal places from low to high (in whole units)."""
    scale = 10**places
    return st.integers(low * scale, high * scale).map(
        lambda n: Decimal(n).scaleb(-places).quantize(Decimal(1).scaleb(-places))
    )


quantities = cents(3, 0, 10_000).filter(bool)
prices = cents(2, 0, 100_000)
percents = cents(2, 0, 100)


def exact_round(value: Fraction) -> Decimal:
    """An oracle for rounding to the cent, half away from zero, in exact fractions."""
    hundredths = abs(value) * 100
    whole = int(hundredths)
    if hundredths - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole if value >= 0 else -whole) / 100


# Rounding per line.


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("0.005", "0.01"),
        ("-0.005", "-0.01"),
        ("0.0049", "0.00"),
        ("2.675", "2.68"),  # 2.67 in binary floating point
        ("-2.675", "-2.68"),
        ("1.125", "1.13"),
        ("10", "10.00"),
    ],
)
def test_it_rounds_half_away_from_zero(amount, rounded):
    result = round_money(D(amount))
    assert result == D(rounded)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "rate", "net", "tax", "total"),
    [
        # 3 x 19.99 = 59.97; 23% of it is 13.7931.
        ("3", "19.99", "0", "23", "59.97", "13.79", "73.76"),
        # 10% off 150.00.
        ("1", "150.00", "10", "0", "135.00", "0.00", "135.00"),
        # A third of a unit: 3.33 (3.33 exactly at 0.333).
        ("0.333", "10.00", "0", "0", "3.33", "0.00", "3.33"),
        # Half of 0.05 is 0.025: the net goes up to 0.03.
        ("1", "0.05", "50", "0", "0.03", "0.00", "0.03"),
        # The tax is rounded from the rounded net: 0.50 x 1% = 0.005 → 0.01.
        ("1", "0.50", "0", "1", "0.50", "0.01", "0.51"),
        # A whole discount leaves nothing, tax included.
        ("2", "45.50", "100", "23", "0.00", "0.00", "0.00"),
        # Discount and tax together: 2 x 45.50 = 91.00, less 12.5% = 79.625 → 79.63; 8% → 6.3704.
        ("2", "45.50", "12.5", "8", "79.63", "6.37", "86.00"),
    ],
)
def test_a_lines_amounts(quantity, price, discount, rate, net, tax, total):
    amounts = line_amounts(
        quantity=D(quantity), unit_price=D(price), discount_percent=D(discount), tax_rate=D(rate)
    )
    assert (amounts.net, amounts.tax, amounts.total) == (D(net), D(tax), D(total))


def test_a_credited_line_rounds_to_the_exact_negation():
    # 0.025 rounds up to 0.03; its credit rounds down to -0.03, not -0.02 (as half-even would).
    sold = line_amounts(quantity=D(1), unit_price=D("0.05"), discount_percent=D(50), tax_rate=D(0))
    credited = line_amounts(
        quantity=D(-1), unit_price=D("0.05"), discount_percent=D(50), tax_rate=D(0)
    )
    assert credited.total == -sold.total == D("-0.03")


@PROPERTIES
@given(quantity=quantities, price=prices, discount=percents, rate=percents)
def test_a_credited_line_is_exactly_the_negation(quantity, price, discount, rate):
    sold = line_amounts(
        quantity=quantity, unit_price=price, discount_percent=discount, tax_rate=rate
    )
    credit = line_amounts(
        quantity=-quantity, unit_price=price, discount_percent=discount, tax_rate=rate
    )
    assert (credit.net, credit.tax, credit.total) == (-sold.net, -sold.tax, -sold.total)


@PROPERTIES
@given(quantity=quantities, price=prices, discount=percents, rate=percents)
def test_net_and_tax_make_the_total_each_rounded_to_the_cent(quantity, price, discount, rate):
    amounts = line_amounts(
        quantity=quantity, unit_price=price, discount_percent=discount, tax_rate=rate
    )
    assert amounts.net + amounts.tax == amounts.total
    for value in (amounts.net, amounts.tax, amounts.total):
        assert value.as_tuple().exponent == -2
    exact_net = Fraction(quantity) * Fraction(price) * (100 - Fraction(discount)) / 100
    assert amounts.net == exact_round(exact_net)
    assert amounts.tax == exact_round(Fraction(amounts.net) * Fraction(rate) / 100)
    assert amounts.net >= 0
    assert amounts.tax >= 0


# Allocation of a payment.


def test_it_pays_the_oldest_first():
    assert allocate(D("100.00"), [D("30.00"), D("50.00"), D("40.00")]) == [
        D("30.00"), D("50.00"), D("20.00"),
    ]  # fmt: skip


def test_it_skips_what_is_not_owed():
    # A settled document and a credit note (owed back) take nothing from a payment.
    assert allocate(D("60.00"), [D("0.00"), D("-20.00"), D("70.00")]) == [
        D("0.00"), D("0.00"), D("60.00"),
    ]  # fmt: skip


def test_what_the_documents_cannot_take_is_left_unallocated():
    assert allocate(D("100.00"), [D("30.00"), D("20.00")]) == [D("30.00"), D("20.00")]


open_amounts = st.lists(cents(2, -500, 2_000), min_size=1, max_size=8)


@PROPERTIES
@given(opens=open_amounts, data=st.data())
def test_a_payment_up_to_what_is_open_is_spread_whole(opens, data):
    owed = sum((max(o, D(0)) for o in opens), D("0.00"))
    if owed == 0:
        assert allocate(D("0.00"), opens) == [0] * len(opens)
        return
    amount = Decimal(data.draw(st.integers(1, int(owed * 100)))).scaleb(-2)
    parts = allocate(amount, opens)
    assert len(parts) == len(opens)
    assert sum(parts) == amount
    for part, open_amount in zip(parts, opens, strict=True):
        assert D(0) <= part <= max(open_amount, D(0))
    # Oldest first: once a document is left partly open, the later ones get nothing.
    for i, (part, open_amount) in enumerate(zip(parts, opens, strict=True)):
        if part < max(open_amount, D(0)):
            assert all(later == 0 for later in parts[i + 1 :])
            break


@PROPERTIES
@given(opens=open_amounts, extra=cents(2, 0, 1_000).filter(bool))
def test_a_payment_above_what_is_open_fills_every_document(opens, extra):
    owed = sum((max(o, D(0)) for o in opens), D("0.00"))
    parts = allocate(owed + extra, opens)
    assert parts == [max(o, D(0)) for o in opens]

"""The arithmetic of a sale, in exact decimals: a line's net, tax and total, rounded per line to
the cent (half away from zero, so a credit note's line is exactly the negation of the line it
corrects), and a payment spread over open documents."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, tax_rate: Decimal
) -> LineAmounts:
    """Prices are net of tax: net = quantity * unit price less the discount, rounded; tax =
    net * rate, rounded; total = net + tax."""
    net = round_money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)
    tax = round_money(net * tax_rate / HUNDRED)
    return LineAmounts(net=net, tax=tax, total=net + tax)


def allocate(amount: Decimal, open_amounts: Sequence[Decimal]) -> list[Decimal]:
    """Spread `amount` over documents in the order given (oldest first), each taking at most
    what is open on it. What the documents cannot take is left unallocated: the caller
    refuses a payment larger than what is open."""
    parts = []
    left = amount
    for open_amount in open_amounts:
        part = min(left, max(open_amount, ZERO))
        parts.append(part)
        left -= part
    return parts

"""Amounts as people in each country write them: R$ 150,00 · 150,00 zł · 150,00 € · $150.00."""

from decimal import Decimal

from django.utils import formats, translation

# Currency: (symbol, written before the number?). Where it depends on the language (the
# dollar: "$150.00" in English, "150,00 $" in French), English decides "before".
SYMBOLS = {
    "BRL": ("R$", True),
    "PLN": ("zł", False),
    "EUR": ("€", False),
    "CAD": ("$", None),
    "USD": ("$", None),
    "GBP": ("£", True),
}


def format_money(amount: Decimal | int | str, currency: str) -> str:
    number = formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)
    symbol, before = SYMBOLS.get(currency, (currency, False))
    if before is None:
        before = (translation.get_language() or "en").startswith("en")
    if before:
        return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol}\xa0{number}"
    return f"{number}\xa0{symbol}"

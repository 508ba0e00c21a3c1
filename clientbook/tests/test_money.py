from decimal import Decimal

import pytest
from django.utils import translation

from clientbook.lib.money import format_money


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("pt-br", "1500.5", "BRL", "R$\xa01.500,50"),
        ("pl", "1500.5", "PLN", "1\xa0500,50\xa0zł"),
        ("fr", "150", "EUR", "150,00\xa0€"),
        ("en", "150", "CAD", "$150.00"),
        ("fr", "150", "CAD", "150,00\xa0$"),
        ("en", "150", "XYZ", "150.00\xa0XYZ"),
    ],
)
def test_amounts_are_written_as_in_the_country(language, amount, currency, shown):
    with translation.override(language):
        assert format_money(Decimal(amount), currency) == shown

"""`{{ amount|money:currency }}`: an amount as people in the practice's country write it."""

from decimal import Decimal

from django import template

from clientbook.lib.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None, currency: str) -> str:
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency)


@register.filter
def quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros: 1, 2.5, 0.125."""
    from django.utils import formats

    if value is None:
        return ""
    return formats.number_format(Decimal(value).normalize(), use_l10n=True)

"""Answers to anamnesis questions: checked and stored by kind, shown as people read them, and
compared between two revisions.

Stored as JSON: text as text, yes/no as true/false, a choice as the option's text, a date as
"YYYY-MM-DD", a number as a decimal string ("72.5", so it never turns into a binary float),
and no answer as null.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from intake.models import QuestionKind

TEXT_LENGTH = {QuestionKind.SHORT_TEXT: 500, QuestionKind.LONG_TEXT: 10_000}
CHOICE_LENGTH = 100
MAX_CHOICES = 50
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)
# A number's size: up to 12 digits before the point and 4 after.
NUMBER_LIMIT = Decimal(10) ** 12
NUMBER_PLACES = 4


class Invalid(ValueError):
    """An answer that cannot be stored; the message says why, without naming the question."""


def clean(kind: str, value: Any, choices: list[str]) -> Any:
    """The answer to store for `value` (from a form or from JSON), or None for no answer.
    Raises Invalid."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind in TEXT_LENGTH:
        if not isinstance(value, str):
            raise Invalid(_("Answer with text."))
        value = value.strip() if kind == QuestionKind.LONG_TEXT else " ".join(value.split())
        if "\x00" in value:
            raise Invalid(_("The answer contains a NUL character."))
        if len(value) > TEXT_LENGTH[kind]:
            raise Invalid(_("At most %d characters.") % TEXT_LENGTH[kind])
        return value
    if kind == QuestionKind.YES_NO:
        if not isinstance(value, bool):
            raise Invalid(_("Answer yes or no."))
        return value
    if kind == QuestionKind.CHOICE:
        if not isinstance(value, str) or value not in choices:
            raise Invalid(_("Choose one of: %s.") % ", ".join(choices))
        return value
    if kind == QuestionKind.DATE:
        return _date(value).isoformat()
    if kind == QuestionKind.NUMBER:
        return _number(value)
    raise Invalid(_("This question cannot be answered."))


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise Invalid(_("Enter a date as YYYY-MM-DD."))
    if isinstance(value, str):
        try:
            value = parse_date(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise Invalid(_("Enter a date as YYYY-MM-DD."))
    if not EARLIEST <= value <= LATEST:
        raise Invalid(_("Enter a date between 1900 and 2100."))
    return value


def _number(value: Any) -> str:
    if isinstance(value, bool):
        raise Invalid(_("Enter a number."))
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise Invalid(_("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise Invalid(_("Enter a number of at most 12 digits before the decimal point."))
    number = number.normalize()  # 72.50 → 72.5
    if number.as_tuple().exponent < -NUMBER_PLACES:  # type: ignore[operator]
        raise Invalid(_("At most %d decimal places.") % NUMBER_PLACES)
    return "0" if number == 0 else format(number, "f")


def display(kind: str, value: Any) -> str:
    """A stored answer as the user reads it (in the active language); "" for none."""
    if value is None or value == "":
        return ""
    if kind == QuestionKind.YES_NO:
        return _("Yes") if value else _("No")
    if kind == QuestionKind.DATE:
        day = parse_date(str(value))
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else str(value)
    if kind == QuestionKind.NUMBER:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        places = max(0, -number.as_tuple().exponent)  # type: ignore[operator]
        return formats.number_format(number, places, use_l10n=True)
    return str(value)


@dataclass(frozen=True)
class Change:
    question: str
    old: str
    new: str


def changes(
    before: dict[str, Any], after: dict[str, Any], questions: dict[str, dict], order: list[str]
) -> list[Change]:
    """What changed from `before` to `after` (answers by question id), in the order of
    `order`, each as people read it. `questions`: each id's {"text", "kind"}."""
    found = []
    for key in [*order, *sorted((set(before) | set(after)) - set(order))]:
        old, new = before.get(key), after.get(key)
        if old == new or key not in questions:
            continue
        kind = questions[key]["kind"]
        found.append(Change(questions[key]["text"], display(kind, old), display(kind, new)))
    return found

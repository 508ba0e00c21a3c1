"""The texts of messages: placeholders, their values for a client and a session, and the
built-in reminder text of each language."""

import datetime
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import Client
from practices.models import Practice

PLACEHOLDERS: dict[str, str] = {
    "client_name": gettext_lazy("the client's name (the preferred name, if the card has one)"),
    "session_date": gettext_lazy("the session's date"),
    "session_time": gettext_lazy("the session's time"),
    "practice_name": gettext_lazy("the practice's name"),
    "professional_name": gettext_lazy("the professional's name"),
}
# `{name}`: anything between braces is meant as a placeholder, and must be one of the above.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(text: str) -> list[str]:
    return list(dict.fromkeys(m[0] for m in PLACEHOLDER.finditer(text) if m[1] not in PLACEHOLDERS))


def check_placeholders(**texts: str) -> None:
    """A ValidationError naming each field that uses a placeholder that does not exist."""
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    errors = {}
    for field, text in texts.items():
        unknown = unknown_placeholders(text)
        if unknown:
            errors[field] = _("Unknown placeholder %(names)s. The placeholders are: %(known)s.") % {
                "names": ", ".join(unknown),
                "known": known,
            }
    if errors:
        raise ValidationError(errors)


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with its placeholders filled in; an unknown one is left as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def placeholder_values(
    *,
    client: Client,
    practice: Practice,
    starts_at: datetime.datetime | None = None,
    professional_name: str = "",
    language: str | None = None,
) -> dict[str, str]:
    """Values in `language` (the practice's by default), times in the practice's time zone."""
    with translation.override(language or practice.language):
        local = timezone.localtime(starts_at, practice.tz) if starts_at else None
        return {
            "client_name": client.display_name,
            "practice_name": practice.name,
            "professional_name": professional_name,
            "session_date": formats.date_format(local.date(), "DATE_FORMAT") if local else "",
            "session_time": formats.time_format(local.time(), "TIME_FORMAT") if local else "",
        }


def default_reminder(language: str, *, email: bool) -> tuple[str, str]:
    """(subject, text) of the built-in reminder in `language`."""
    with translation.override(language):
        subject = _("Reminder: your session on {session_date}") if email else ""
        body = _(
            "Hello {client_name}, this is a reminder of your session with {professional_name} "
            "at {practice_name} on {session_date} at {session_time}."
        )
    return subject, body

"""The placeholders of document templates, their values for a client (and a session), and
filling a text in. `{name}`: anything between braces is meant as a placeholder, and must be one
of PLACEHOLDERS (a template using another is refused when it is saved)."""

import datetime
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import Client
from practices.models import Member, Practice

PLACEHOLDERS: dict[str, str] = {
    "client_name": gettext_lazy("the client's full name"),
    "client_code": gettext_lazy("the client's code"),
    "client_birth_date": gettext_lazy("the client's birth date"),
    "client_national_id": gettext_lazy("the client's national ID (CPF, PESEL…)"),
    "session_date": gettext_lazy("the session's date"),
    "session_time": gettext_lazy("the session's start and end time"),
    "session_duration": gettext_lazy("the session's length in minutes"),
    "professional_name": gettext_lazy(
        "the professional's name (the session's, otherwise yours or the client's)"
    ),
    "practice_name": gettext_lazy("the practice's name"),
    "today": gettext_lazy("today's date"),
}
# The ones that need a session: a template that uses any asks for one.
SESSION_PLACEHOLDERS = ("session_date", "session_time", "session_duration")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def used(text: str) -> list[str]:
    """The placeholders `text` uses, known or not, each once, in order."""
    return list(dict.fromkeys(m[1] for m in PLACEHOLDER.finditer(text)))


def unknown(text: str) -> list[str]:
    return [name for name in used(text) if name not in PLACEHOLDERS]


def needs_session(text: str) -> bool:
    return any(name in SESSION_PLACEHOLDERS for name in used(text))


def check(field: str, text: str) -> None:
    """A ValidationError on `field` naming each placeholder of `text` that does not exist."""
    wrong = unknown(text)
    if wrong:
        raise ValidationError(
            {
                field: _("Unknown placeholder %(names)s. The placeholders are: %(known)s.")
                % {
                    "names": ", ".join(f"{{{name}}}" for name in wrong),
                    "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                }
            }
        )


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with its placeholders filled in; anything else between braces stays as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def values(
    *,
    client: Client,
    practice: Practice,
    session=None,
    by: Member | None = None,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """Every placeholder's value, in the practice's language, times in its time zone.
    `session`: a scheduling.Session with its professional."""
    with translation.override(practice.language):
        tz = practice.tz
        professional = ""
        session_values = dict.fromkeys(SESSION_PLACEHOLDERS, "")
        if session is not None:
            start = timezone.localtime(session.starts_at, tz)
            end = timezone.localtime(session.ends_at, tz)
            minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
            session_values = {
                "session_date": _date(start.date()),
                "session_time": f"{formats.time_format(start.time(), 'TIME_FORMAT')}–"
                f"{formats.time_format(end.time(), 'TIME_FORMAT')}",
                "session_duration": str(minutes),
            }
            professional = session.professional.name
        if not professional and by is not None:
            own = getattr(by, "professional", None)
            professional = own.name if own is not None else ""
        if not professional:
            first = client.professionals.order_by("name").first()
            professional = first.name if first is not None else ""
        return {
            "client_name": client.full_name,
            "client_code": client.code,
            "client_birth_date": _date(client.birth_date),
            "client_national_id": client.national_id,
            **session_values,
            "professional_name": professional,
            "practice_name": practice.name,
            "today": _date(today or timezone.localdate(timezone.now(), tz)),
        }


def example_values(practice: Practice) -> dict[str, str]:
    """Values of a made-up client and session, for a template's preview."""
    with translation.override(practice.language):
        today = timezone.localdate(timezone.now(), practice.tz)
        return {
            "client_name": _("Maria Example"),
            "client_code": "C-0042",
            "client_birth_date": _date(datetime.date(1985, 3, 14)),
            "client_national_id": "123.456.789-09" if practice.country == "BR" else "85031412345",
            "session_date": _date(today),
            "session_time": f"{formats.time_format(datetime.time(14), 'TIME_FORMAT')}–"
            f"{formats.time_format(datetime.time(14, 50), 'TIME_FORMAT')}",
            "session_duration": "50",
            "professional_name": _("Dr. Example"),
            "practice_name": practice.name,
            "today": _date(today),
        }

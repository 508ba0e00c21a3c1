"""Operations on practices, members and professionals."""

from django.conf import settings
from django.db import transaction

from practices.models import Member, Practice, Professional, Role, User

COUNTRY_DEFAULTS = {
    "BR": {"language": "pt-br", "time_zone": "America/Sao_Paulo", "currency": "BRL"},
    "PL": {"language": "pl", "time_zone": "Europe/Warsaw", "currency": "PLN"},
    "CA": {"language": "en", "time_zone": "America/Toronto", "currency": "CAD"},
    "FR": {"language": "fr", "time_zone": "Europe/Paris", "currency": "EUR"},
}


def set_user_language(user: User, language: str) -> None:
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    user.language = language
    user.save(update_fields=["language"])


@transaction.atomic
def create_practice(*, name: str, country: str, kind: str, owner: User, **settings_) -> Practice:
    """A practice with its owner, the country's defaults for anything not given."""
    values = {**COUNTRY_DEFAULTS.get(country, {}), **settings_}
    practice = Practice.objects.create(name=name, country=country, kind=kind, **values)
    Member.objects.create(practice=practice, user=owner, role=Role.OWNER)
    return practice


@transaction.atomic
def add_member(
    *, practice: Practice, user: User, role: str, professional_name: str = "", title: str = ""
) -> Member:
    """A user joins the practice; a professional also gets their practitioner entry."""
    member = Member.objects.create(practice=practice, user=user, role=role)
    if role == Role.PROFESSIONAL or professional_name:
        Professional.objects.create(
            practice=practice,
            member=member,
            name=professional_name or str(user),
            title=title,
        )
    return member

"""Operations on practices, members and professionals."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from practices.models import (
    MAX_REMINDER_HOURS,
    Member,
    Practice,
    Professional,
    ReminderChannel,
    Role,
    User,
)

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


@transaction.atomic
def update_practice_settings(
    practice: Practice,
    *,
    by: Member,
    sms_enabled: bool,
    reminder_channel: str,
    reminder_hours_before: int,
    forbid_negative_stock: bool | None = None,
) -> Practice:
    """Change the practice's messaging settings and whether sales may take stock below zero
    (owner and admin; None: unchanged). When reminders change, the reminders of its upcoming
    sessions are brought in step by the worker once this commits."""
    from audit.models import EventKind
    from audit.services import changed_fields, record_event
    from practices import roles

    if by.practice_id != practice.pk or not by.can(roles.MANAGE_PRACTICE):
        raise PermissionDenied(_("Your role does not allow this."))
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if reminder_channel not in ("", *ReminderChannel.values):
        raise ValidationError({"reminder_channel": _("Choose SMS, e-mail, WhatsApp or none.")})
    if not 1 <= reminder_hours_before <= MAX_REMINDER_HOURS:
        raise ValidationError(
            {"reminder_hours_before": _("From 1 to %s hours.") % MAX_REMINDER_HOURS}
        )
    if reminder_channel == ReminderChannel.SMS and not sms_enabled:
        raise ValidationError(
            {"reminder_channel": _("Reminders by SMS need the SMS module: turn it on.")}
        )
    reminders = ("sms_enabled", "reminder_channel", "reminder_hours_before")
    names = (*reminders, "forbid_negative_stock")
    before = {name: getattr(locked, name) for name in names}
    locked.sms_enabled = sms_enabled
    locked.reminder_channel = reminder_channel
    locked.reminder_hours_before = reminder_hours_before
    if forbid_negative_stock is not None:
        locked.forbid_negative_stock = forbid_negative_stock
    changes = changed_fields(before, {name: getattr(locked, name) for name in names})
    if not changes:
        return locked
    locked.save(update_fields=list(names))
    record_event(practice=locked, by=by, kind=EventKind.PRACTICE_SETTINGS_CHANGED, changes=changes)
    if not changes.keys() & set(reminders):
        return locked

    def resync() -> None:
        # Imported here: messaging builds on practices, not the other way round.
        from messaging.tasks import resync_reminders

        resync_reminders.enqueue(locked.pk)

    transaction.on_commit(resync, robust=True)
    return locked

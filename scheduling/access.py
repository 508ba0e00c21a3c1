"""The one way to fetch the agenda's rows for a user: scoped by practice, and for a
professional by the clients they may see. Another practice's session, series, service or
room is a 404; so is a session of a client the user may not see (a colleague's client
simply does not exist for a professional, as on the client card)."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from clients.access import visible_clients
from practices import roles
from practices.models import Member
from scheduling.models import Room, Series, Service, Session


def visible_sessions(member: Member) -> QuerySet[Session]:
    sessions = Session.objects.filter(practice_id=member.practice_id)
    if member.can(roles.VIEW_ALL_CLIENTS):
        return sessions
    return sessions.filter(client__in=visible_clients(member).values("pk"))


def visible_series(member: Member) -> QuerySet[Series]:
    series = Series.objects.filter(practice_id=member.practice_id)
    if member.can(roles.VIEW_ALL_CLIENTS):
        return series
    return series.filter(client__in=visible_clients(member).values("pk"))


def _get(queryset: QuerySet, pk: int | str, message: str):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None


def get_session_for_member(member: Member, pk: int | str) -> Session:
    """The session `pk` with what its page shows, if `member` may see its client."""
    sessions = visible_sessions(member).select_related(
        "practice", "client", "professional", "service", "room", "series", "animal"
    )
    return _get(sessions, pk, _("No such session."))


def get_series_for_member(member: Member, pk: int | str) -> Series:
    series = visible_series(member).select_related(
        "practice", "client", "professional", "service", "room", "animal"
    )
    return _get(series, pk, _("No such series."))


def get_service_for_member(member: Member, pk: int | str) -> Service:
    return _get(Service.objects.filter(practice_id=member.practice_id), pk, _("No such service."))


def get_room_for_member(member: Member, pk: int | str) -> Room:
    return _get(Room.objects.filter(practice_id=member.practice_id), pk, _("No such room."))

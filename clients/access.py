"""The one way to fetch clients for a user: scoped by practice, and for a professional by
responsibility. Another practice's client is a 404, never someone else's data."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from clients.models import Client, ClientQuerySet
from practices import roles
from practices.models import Member


def visible_clients(member: Member) -> ClientQuerySet:
    clients = Client.objects.filter(practice_id=member.practice_id)
    if member.can(roles.VIEW_ALL_CLIENTS):
        return clients
    professional = getattr(member, "professional", None)
    if professional is None:
        return clients.none()
    return clients.responsible(professional)


def get_client_for_member(
    member: Member, pk: int | str, *, write: bool = False, permission: str | None = None
) -> Client:
    """The client `pk` if `member` may see it (404 otherwise: another practice's client, or a
    professional's colleague's client, simply does not exist for them); with `write`, 403
    unless the role may change clients."""
    try:
        client = visible_clients(member).select_related("practice", "anamnesis_group").get(pk=pk)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such client.")) from None
    if write and not member.can(roles.CHANGE_CLIENT):
        raise PermissionDenied(_("Your role does not allow changing clients."))
    if permission and not member.can(permission):
        raise PermissionDenied(_("Your role does not allow this."))
    return client


def get_client_for_user(request, pk: int | str, *, write: bool = False, permission=None) -> Client:
    return get_client_for_member(request.member, pk, write=write, permission=permission)

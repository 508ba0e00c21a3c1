"""The one way to fetch animals for a member: scoped like their owners (by practice, and for a
professional by responsibility). Another practice's animal is a 404."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from clients.access import get_client_for_member, visible_clients
from pets.models import Animal
from practices.models import Member


def visible_animals(member: Member) -> QuerySet[Animal]:
    return Animal.objects.filter(practice_id=member.practice_id, client__in=visible_clients(member))


def get_animal_for_member(member: Member, pk: int | str, *, write: bool = False) -> Animal:
    """The animal `pk` with its owner, if `member` may see the owner (404 otherwise); with
    `write`, 403 unless the role may change clients."""
    try:
        animal = Animal.objects.get(practice_id=member.practice_id, pk=pk)
    except (Animal.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such animal.")) from None
    try:
        animal.client = get_client_for_member(member, animal.client_id, write=write)
    except Http404:
        raise Http404(_("No such animal.")) from None
    return animal

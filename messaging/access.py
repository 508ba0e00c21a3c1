"""The one way to fetch a message for a member: of the member's practice, and of a client the
member may see (a professional: their own clients). Any other is a 404."""

from django.http import Http404
from django.utils.translation import gettext as _

from clients.access import get_client_for_member
from messaging.models import Message
from practices.models import Member


def get_message_for_member(member: Member, pk: int | str, *, write: bool = False) -> Message:
    """The message `pk`, with its client; with `write`, 403 unless the role changes clients."""
    try:
        message = Message.objects.get(practice_id=member.practice_id, pk=pk)
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such message.")) from None
    try:
        message.client = get_client_for_member(member, message.client_id, write=write)
    except Http404:
        raise Http404(_("No such message.")) from None
    return message

"""What the pages read: a client's papers for the card's panel, and the sessions a document
can be about."""

from django.db.models import QuerySet

from clients.models import Client, Status
from documents import files
from documents.models import Attachment, Document, DocumentTemplate
from practices import roles
from practices.models import Member
from scheduling.models import Session, SessionStatus

# The sessions a new document offers: the client's latest (and upcoming) ones.
SESSIONS_OFFERED = 60


def panel(member: Member, client: Client) -> dict:
    """The context of the Documents panel: the client's documents and attached files, newest
    first. Three queries: the documents, the files, whether the practice has templates."""
    documents = list(
        Document.objects.filter(practice_id=client.practice_id, client_id=client.pk)
        .select_related("session")
        .defer("body")
    )
    attachments = list(
        Attachment.objects.filter(practice_id=client.practice_id, client_id=client.pk)
    )
    for attachment in attachments:
        attachment.inline = files.is_inline(attachment.content_type)
    can_change = member.can(roles.CHANGE_CLIENT)
    return {
        "client": client,
        "practice": client.practice,
        "member": member,
        "documents": documents,
        "attachments": attachments,
        "can_change": can_change,
        "can_manage": member.can(roles.MANAGE_PRACTICE),
        "has_templates": DocumentTemplate.objects.filter(practice_id=client.practice_id).exists(),
        "forgotten": client.status == Status.FORGOTTEN,
        "accept": files.ACCEPT,
    }


def client_sessions(client: Client) -> QuerySet[Session]:
    """The client's sessions a document can be about: not cancelled, the latest first, at
    most SESSIONS_OFFERED. (A subquery, not a slice: a form's choice must stay filterable.)"""
    latest = (
        Session.objects.filter(practice_id=client.practice_id, client_id=client.pk)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("-starts_at")
        .values("pk")[:SESSIONS_OFFERED]
    )
    return (
        Session.objects.filter(pk__in=latest)
        .select_related("professional", "practice")
        .order_by("-starts_at")
    )

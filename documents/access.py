"""The one way to fetch a client's attachments and documents for a member: scoped like the
clients themselves (by practice, and for a professional by responsibility). Another practice's
row, or a colleague's client's for a professional, is a 404; with `write`, a role that may not
change clients gets 403."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from clients.access import get_client_for_member, visible_clients
from documents.models import Attachment, Document, DocumentTemplate
from practices.models import Member


def visible_attachments(member: Member) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        practice_id=member.practice_id, client__in=visible_clients(member).values("pk")
    )


def visible_documents(member: Member) -> QuerySet[Document]:
    return Document.objects.filter(
        practice_id=member.practice_id, client__in=visible_clients(member).values("pk")
    )


def _with_client(row, member: Member, *, write: bool, missing: str):
    try:
        row.client = get_client_for_member(member, row.client_id, write=write)
    except Http404:
        raise Http404(missing) from None
    return row


def get_attachment_for_member(member: Member, pk: int | str, *, write: bool = False) -> Attachment:
    """The attachment `pk` with its client, if `member` may see the client."""
    try:
        attachment = Attachment.objects.get(practice_id=member.practice_id, pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such file.")) from None
    return _with_client(attachment, member, write=write, missing=_("No such file."))


def get_document_for_member(member: Member, pk: int | str, *, write: bool = False) -> Document:
    """The document `pk` with its client (and its session), if `member` may see the client."""
    try:
        document = Document.objects.select_related("session").get(
            practice_id=member.practice_id, pk=pk
        )
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such document.")) from None
    return _with_client(document, member, write=write, missing=_("No such document."))


def practice_templates(member: Member) -> QuerySet[DocumentTemplate]:
    """The templates of the member's practice (any member may write documents from them)."""
    return DocumentTemplate.objects.filter(practice_id=member.practice_id)


def get_template_for_member(member: Member, pk: int | str) -> DocumentTemplate:
    try:
        return practice_templates(member).get(pk=pk)
    except (DocumentTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such template.")) from None

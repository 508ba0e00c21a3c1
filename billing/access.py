"""The one way to fetch sales papers and the catalog for a member: scoped by practice, and a
client's papers like the client (a professional sees only their own clients' papers). Another
practice's id is a 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from billing.models import Document, DocumentType, Payment, Product, Settlement, Warehouse
from clients.access import visible_clients
from practices import roles
from practices.models import Member


def visible[Paper: (Document, Payment, Settlement)](
    member: Member, model: type[Paper]
) -> QuerySet[Paper]:
    """The member's practice's papers of `model`; for a professional, only those of their own
    clients (papers kept without a client, after a deletion, only for those who see all)."""
    papers = model.objects.filter(practice_id=member.practice_id)
    if member.can(roles.VIEW_ALL_CLIENTS):
        return papers
    return papers.filter(client__in=visible_clients(member))


def get_paper_for_member[Paper: (Document, Payment, Settlement)](
    member: Member, model: type[Paper], pk: int | str, *, permission: str | None = None
) -> Paper:
    """The paper `pk` (document, payment, settlement) if `member` may see it, else 404; with
    `permission`, 403 unless the role has it."""
    try:
        paper = visible(member, model).select_related("client", "type").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such document.")) from None
    if permission and not member.can(permission):
        raise PermissionDenied(_("Your role does not allow this."))
    return paper


def get_catalog_row[Row: (Product, Warehouse, DocumentType)](
    member: Member, model: type[Row], pk: int | str, *, write: bool = False
) -> Row:
    """A good, warehouse or document type of the member's practice (404 otherwise); with
    `write`, 403 unless the role manages the practice."""
    try:
        row: Model = model.objects.get(practice_id=member.practice_id, pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    if write and not member.can(roles.MANAGE_PRACTICE):
        raise PermissionDenied(_("Your role does not allow this."))
    return row  # type: ignore[return-value]

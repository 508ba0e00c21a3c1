"""Every practice starts with one document type of each kind, named and prefixed as its
country writes them; the owner renames them or adds more in the catalog settings."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import translation

from billing.models import DocumentKind, DocumentType
from practices.models import Practice

# Number prefixes per practice language: invoice, receipt, pro-forma, credit note,
# settlement, payment receipt.
PREFIXES = {
    "pl": ("FV", "PAR", "PF", "KOR", "ZB", "KP"),
    "pt-br": ("NF", "REC", "PF", "NC", "AC", "PG"),
    "fr": ("FAC", "REC", "PRO", "AV", "REG", "PAI"),
}
DEFAULT_PREFIXES = ("INV", "RCP", "PRO", "CN", "SET", "PAY")
KINDS = (
    DocumentKind.INVOICE, DocumentKind.RECEIPT, DocumentKind.PROFORMA,
    DocumentKind.CREDIT_NOTE, DocumentKind.SETTLEMENT, DocumentKind.PAYMENT,
)  # fmt: skip


def create_default_document_types(practice: Practice) -> list[DocumentType]:
    prefixes = PREFIXES.get(practice.language.lower(), DEFAULT_PREFIXES)
    with translation.override(practice.language):
        types = [
            DocumentType(practice=practice, kind=kind, name=str(kind.label), prefix=prefix)
            for kind, prefix in zip(KINDS, prefixes, strict=True)
        ]
    return DocumentType.objects.bulk_create(types)


@receiver(post_save, sender=Practice, dispatch_uid="billing_default_document_types")
def practice_created(sender: type, instance: Practice, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        create_default_document_types(instance)

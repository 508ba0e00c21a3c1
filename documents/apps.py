from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The kind of reference ("documents.document:<id>") a message carries to send a generated
# document as PDF (messaging.attachments).
DOCUMENT_ATTACHMENT = "documents.document"


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from documents.pdf import render_attachment
        from messaging import attachments

        attachments.register(DOCUMENT_ATTACHMENT, render_attachment)

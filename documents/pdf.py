"""A generated document as PDF (clientbook.lib.pdf), and as a file a message can carry."""

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from clientbook.lib.pdf import Paper
from documents.models import Document
from practices.models import Practice


def document_pdf(document: Document) -> bytes:
    """The document on A4, in the practice's language: the practice's name on top, the
    title, the text as it was written (paragraphs kept); the footer names it and its date."""
    practice = document.client.practice
    with translation.override(practice.language):
        made = formats.date_format(
            timezone.localtime(document.created_at, practice.tz).date(), "DATE_FORMAT"
        )
        paper = Paper(
            title=document.title,
            practice_name=practice.name,
            footer=_("%(title)s, %(date)s") % {"title": document.title, "date": made},
        )
    paper.text(practice.name, bold=True, size=11)
    paper.space(10)
    paper.heading(document.title, size=15)
    paper.space(4)
    # The text as written (the templates carry their own date line: {today}).
    for paragraph in document.body.replace("\r\n", "\n").split("\n\n"):
        paper.text(paragraph.strip("\n"), size=11)
        paper.space(4)
    return paper.output()


def render_attachment(pk: int, practice: Practice):
    """messaging.attachments' renderer of "documents.document": the document `pk` of
    `practice` as a PDF (DoesNotExist when it is not there)."""
    from messaging.attachments import Attachment

    document = Document.objects.select_related("client__practice").get(
        pk=pk, practice_id=practice.pk
    )
    return Attachment(
        filename=document.pdf_name,
        content_type="application/pdf",
        content=document_pdf(document),
    )

"""Documents, files and anamnesis in the REST API: a client's attached files (list, upload as
multipart, download, delete), the practice's document templates, documents written from them
(list, create, get, PDF, delete), and the client's anamnesis (current answers with the
questions, saving answers against the revision read, the history).

The same access layer and services (documents/, intake/) as the pages."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from pydantic import StrictBool

from api.routes import BODY_ERRORS, ERRORS, NO_NUL, Error, Id, IdIn, IntIn, Str200
from clients.access import get_client_for_member
from clients.models import Client
from documents import files, placeholders
from documents.access import (
    get_attachment_for_member,
    get_document_for_member,
    practice_templates,
)
from documents.models import Attachment, Document
from documents.pdf import document_pdf
from documents.services import add_attachment, create_document, remove_attachment, remove_document
from documents.views import file_response
from intake import selectors as anamnesis
from intake.services import StaleRevision, save_anamnesis
from practices.models import Member
from scheduling.models import Session

router = Router(tags=["documents"])


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined]


def _binary(*content_types: str) -> dict:
    """The OpenAPI description of a 200 answer that is a file."""
    schema = {"type": "string", "format": "binary"}
    return {
        "responses": {
            200: {
                "description": "The file.",
                "content": {ct: {"schema": schema} for ct in content_types},
            }
        }
    }


# Attached files.


class AttachmentOut(Schema):
    id: int
    client: int
    title: str
    description: str
    file_name: str = Field(description="The name it was uploaded with, made safe.")
    content_type: str = Field(description="Found from the content, not from the upload.")
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    uploaded_by: str


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "client": attachment.client_id,
        "title": attachment.title,
        "description": attachment.description,
        "file_name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": attachment.created_at,
        "uploaded_by": attachment.uploaded_by_label,
    }


@router.get("/clients/{client_id}/attachments", response={200: list[AttachmentOut], **ERRORS})
def list_attachments(request: HttpRequest, client_id: Id):
    """The files attached to the client's card, newest first."""
    client = get_client_for_member(_member(request), client_id)
    rows = Attachment.objects.filter(practice_id=client.practice_id, client_id=client.pk)
    return [attachment_out(a) for a in rows]


@router.post(
    "/clients/{client_id}/attachments", response={201: AttachmentOut, 400: Error, **ERRORS}
)
def upload_attachment(
    request: HttpRequest,
    client_id: Id,
    file: File[UploadedFile],
    title: str = Form("", max_length=200, pattern=NO_NUL),
    description: str = Form("", max_length=5000, pattern=NO_NUL),
):
    """Attach a file (multipart/form-data: `file`, and optionally `title` and `description`).
    Accepted: PDF, JPEG, PNG, WebP, HEIC, plain text, DOCX, ODT, XLSX and DOC, recognised by
    the extension and by the content (a `.pdf` that is not a PDF is refused), up to the
    installation's ATTACHMENT_MAX_BYTES (10 MiB by default). Refusals: 422 on `file`."""
    member = _member(request)
    client = get_client_for_member(member, client_id, write=True)
    attachment = add_attachment(
        by=member, client=client, file=file, title=title, description=description
    )
    return Status(201, attachment_out(attachment))


@router.get(
    "/attachments/{attachment_id}/file",
    response=ERRORS,
    openapi_extra=_binary(*sorted({k.content_type.split(";")[0] for k in files.KINDS.values()})),
)
def download_attachment(request: HttpRequest, attachment_id: Id):
    """The file itself, with the type found when it was uploaded, as a download named as it
    was uploaded."""
    attachment = get_attachment_for_member(_member(request), attachment_id)
    return file_response(attachment, download=True)


@router.delete("/attachments/{attachment_id}", response={204: None, **ERRORS})
def delete_attachment(request: HttpRequest, attachment_id: Id):
    """Remove the file (from storage too); the client's timeline records it."""
    member = _member(request)
    attachment = get_attachment_for_member(member, attachment_id, write=True)
    remove_attachment(attachment, by=member)
    return Status(204, None)


# Templates and documents.


class TemplateOut(Schema):
    id: int
    name: str
    kind: str = Field(description="`certificate`, `declaration`, `report` or `other`.")
    body: str = Field(description="The text, with placeholders such as {client_name}.")
    placeholders: list[str] = Field(description="The placeholders the text uses.")
    needs_session: bool = Field(description="A document from it needs a session.")
    updated_at: datetime.datetime


@router.get("/document-templates", response={200: list[TemplateOut], **ERRORS})
def list_templates(request: HttpRequest):
    """The practice's document templates (written by its owner and administrators)."""
    return [
        {
            "id": t.pk,
            "name": t.name,
            "kind": t.kind,
            "body": t.body,
            "placeholders": placeholders.used(t.body),
            "needs_session": placeholders.needs_session(t.body),
            "updated_at": t.updated_at,
        }
        for t in practice_templates(_member(request))
    ]


class DocumentOut(Schema):
    id: int
    client: int
    template: int | None = Field(
        description="The template it was written from, if it still exists."
    )
    session: int | None
    kind: str
    title: str
    body: str = Field(description="Its text, filled in once when it was made.")
    created_at: datetime.datetime
    created_by: str


class DocumentIn(Schema):
    template: IdIn
    session: IdIn | None = Field(
        None, description="One of the client's sessions (needed by session placeholders)."
    )
    title: Str200 = Field("", description="The template's name by default.")
    body: Annotated[str, Field(min_length=1, max_length=50_000, pattern=NO_NUL)] | None = Field(
        None, description="The text as you want it; by default the template's, filled in."
    )


def document_out(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "client": document.client_id,
        "template": document.template_id,
        "session": document.session_id,
        "kind": document.kind,
        "title": document.title,
        "body": document.body,
        "created_at": document.created_at,
        "created_by": document.created_by_label,
    }


@router.get("/clients/{client_id}/documents", response={200: list[DocumentOut], **ERRORS})
def list_documents(request: HttpRequest, client_id: Id):
    """The documents written for the client, newest first."""
    client = get_client_for_member(_member(request), client_id)
    return [document_out(d) for d in client.documents.filter(practice_id=client.practice_id)]


@router.post("/clients/{client_id}/documents", response={201: DocumentOut, **BODY_ERRORS})
def make_document(request: HttpRequest, client_id: Id, payload: DocumentIn):
    """Write a document for the client from a template (for one of the client's sessions):
    the placeholders are filled in now, and the text is the document's own from then on."""
    member = _member(request)
    client = get_client_for_member(member, client_id, write=True)
    template = practice_templates(member).filter(pk=payload.template).first()
    if template is None:
        raise ValidationError({"template": _("Choose one of the practice's templates.")})
    session = None
    if payload.session is not None:
        session = (
            Session.objects.filter(practice_id=client.practice_id, client_id=client.pk)
            .select_related("professional")
            .filter(pk=payload.session)
            .first()
        )
        if session is None:
            raise ValidationError({"session": _("Choose one of this client's sessions.")})
    document = create_document(
        by=member,
        client=client,
        template=template,
        session=session,
        title=payload.title,
        body=payload.body,
    )
    return Status(201, document_out(document))


@router.get("/documents/{client_document_id}", response={200: DocumentOut, **ERRORS})
def get_document(request: HttpRequest, client_document_id: Id):
    return document_out(get_document_for_member(_member(request), client_document_id))


@router.get(
    "/documents/{client_document_id}/pdf", response=ERRORS, openapi_extra=_binary("application/pdf")
)
def document_as_pdf(request: HttpRequest, client_document_id: Id):
    """The document as PDF (A4, the practice's name on top)."""
    document = get_document_for_member(_member(request), client_document_id)
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, document.pdf_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.delete("/documents/{client_document_id}", response={204: None, **ERRORS})
def delete_document(request: HttpRequest, client_document_id: Id):
    """Remove a document written by mistake; the client's timeline records it."""
    member = _member(request)
    document = get_document_for_member(member, client_document_id, write=True)
    remove_document(document, by=member)
    return Status(204, None)


# Anamnesis.

AnswerValue = StrictBool | int | float | Annotated[str, Field(max_length=10_000, pattern=NO_NUL)]
QuestionKey = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,17}$")]


class QuestionOut(Schema):
    id: int
    position: int
    text: str
    kind: str = Field(
        description="`short_text`, `long_text`, `yes_no` (true/false), `choice` (one of "
        "`choices`), `date` (YYYY-MM-DD) or `number` (a JSON number or a decimal string)."
    )
    choices: list[str]
    required: bool
    help: str


class GroupOut(Schema):
    id: int
    name: str


class AnamnesisOut(Schema):
    client: int
    group: GroupOut | None = Field(description="The card's anamnesis group; null: none.")
    revision: int = Field(description="The latest revision (0: never saved). Send it back to save.")
    saved_at: datetime.datetime | None
    saved_by: str
    questions: list[QuestionOut] = Field(description="The questions asked, in order.")
    answers: dict[str, bool | str | None] = Field(
        description="The latest answers by question id (numbers as decimal strings), those of "
        "retired questions included (kept as they were)."
    )


class AnamnesisIn(Schema):
    revision: IntIn = Field(ge=0, description="The revision you read. Stale: 409.")
    answers: dict[QuestionKey, AnswerValue | None] = Field(
        max_length=500,
        description="Answers by question id; a question left out stays unanswered, and "
        "answers to retired questions are kept as they were.",
    )


class StaleAnamnesis(Schema):
    detail: str
    current_revision: int


def anamnesis_out(client: Client) -> dict[str, Any]:
    current = anamnesis.current(client)
    revision = current.revision if not current.other_form else None
    return {
        "client": client.pk,
        "group": {"id": current.group.pk, "name": current.group.name} if current.group else None,
        "revision": current.number,
        "saved_at": revision.saved_at if revision else None,
        "saved_by": revision.saved_by_label if revision else "",
        "questions": [
            {
                "id": q.pk,
                "position": position,
                "text": q.text,
                "kind": q.kind,
                "choices": q.choices,
                "required": q.required,
                "help": q.help_text,
            }
            for position, q in enumerate(current.questions, start=1)
        ],
        "answers": {row.key: row.value for row in current.rows if row.value is not None},
    }


@router.get("/clients/{client_id}/anamnesis", response={200: AnamnesisOut, **ERRORS})
def get_anamnesis(request: HttpRequest, client_id: Id):
    """The client's anamnesis: the questions of the card's group and the latest answers."""
    return anamnesis_out(get_client_for_member(_member(request), client_id))


@router.put(
    "/clients/{client_id}/anamnesis",
    response={200: AnamnesisOut, 409: StaleAnamnesis, **BODY_ERRORS},
)
def put_anamnesis(request: HttpRequest, client_id: Id, payload: AnamnesisIn):
    """Save the answers as a new revision (nothing is saved when nothing changed). `revision`
    is the one you read: if someone saved since, nothing is written and you get 409 with the
    current revision. A wrong or missing answer is 422 on `answers.<question id>`."""
    member = _member(request)
    client = get_client_for_member(member, client_id, write=True)
    try:
        save_anamnesis(client, by=member, answers=payload.answers, revision=payload.revision)
    except StaleRevision as stale:
        detail = _("The anamnesis was saved by someone else since revision %(read)d.") % {
            "read": payload.revision
        }
        return Status(409, {"detail": detail, "current_revision": stale.current})
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(
                {
                    key.replace("question_", "answers.", 1): messages
                    for key, messages in error.error_dict.items()
                }
            ) from None
        raise
    return anamnesis_out(client)


class AnswerChangeOut(Schema):
    question: str
    old: str
    new: str


class RevisionOut(Schema):
    revision: int
    group: str
    saved_at: datetime.datetime
    saved_by: str
    answers: dict[str, bool | str | None]
    questions: dict[str, str] = Field(description="Each answered question's text as it was asked.")
    changes: list[AnswerChangeOut] = Field(
        description="What changed since the revision before, as people read it."
    )


@router.get("/clients/{client_id}/anamnesis/history", response={200: list[RevisionOut], **ERRORS})
def anamnesis_history(request: HttpRequest, client_id: Id):
    """Every revision of the client's anamnesis, newest first, with what changed in each."""
    client = get_client_for_member(_member(request), client_id)
    return [
        {
            "revision": entry.revision.number,
            "group": entry.revision.group_name,
            "saved_at": entry.revision.saved_at,
            "saved_by": entry.revision.saved_by_label,
            "answers": entry.revision.answers,
            "questions": {k: v["text"] for k, v in entry.revision.questions.items()},
            "changes": [
                {"question": c.question, "old": c.old, "new": c.new} for c in entry.changes
            ],
        }
        for entry in anamnesis.history(client)
    ]

"""Every operation that changes a client's attachments and documents, and the practice's
document templates. Pages and the API call these.

Each checks the actor (same practice; a role that changes clients, and a professional's own
client; templates: owner and admin), is atomic, and records its event: on the client's
timeline for attachments and documents, on the practice's for templates.
"""

import hashlib
import logging
import secrets
from typing import IO, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from audit.models import EventKind
from audit.services import changed_fields, record_event
from clients.models import Client, Status
from clients.services import check_can_change_client
from documents import files, placeholders
from documents.models import Attachment, Document, DocumentTemplate, TemplateKind
from practices import roles
from practices.models import Member

logger = logging.getLogger(__name__)

TITLE_LENGTH = 200
DESCRIPTION_LENGTH = 5000
BODY_LENGTH = 50_000


class Upload(Protocol):
    """What add_attachment reads: a Django UploadedFile, or any File with these."""

    name: str | None
    size: int | None

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def chunks(self, chunk_size: int | None = None): ...


def _no_nul(**texts: str) -> None:
    # PostgreSQL cannot store NUL in text; the pages and the API refuse it too.
    bad = {n: _("This text contains a NUL character.") for n, t in texts.items() if "\x00" in t}
    if bad:
        raise ValidationError(bad)


def _lines(text: str) -> str:
    """A text as typed in a browser (CRLF line ends) stored with plain line feeds."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_not_forgotten(client: Client) -> None:
    if client.status == Status.FORGOTTEN:
        raise ValidationError({"client": _("A forgotten client's card takes no new papers.")})


def _check_manage(by: Member) -> None:
    if not by.can(roles.MANAGE_PRACTICE):
        raise PermissionDenied(_("Your role does not allow this."))


def _delete_files_on_commit(names: list[str]) -> None:
    """The stored files go once the rows are gone for good: after commit, so a rollback keeps
    both. A file that cannot be deleted is logged, not raised (the row is gone already)."""

    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("Could not delete the stored file %s", name)

    if names:
        transaction.on_commit(delete)


# Attachments.


def max_size_text() -> str:
    return filesizeformat(settings.ATTACHMENT_MAX_BYTES)


def accepted_text() -> str:
    """The accepted types as people know them: "PDF, JPEG, PNG, WebP, HEIC, TXT, …"."""
    return ", ".join(files.SHORT_NAMES)


def check_upload(upload: Upload) -> tuple[str, str]:
    """(the safe file name, the key of its kind in files.KINDS), or a ValidationError on
    `file` that says what is wrong: too big, empty, a type not accepted, or content that is
    not what the name says."""
    name = files.safe_name(upload.name or "")
    size = upload.size or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("“%(name)s” is %(size)s; a file may be at most %(max)s.")
                % {"name": name, "size": filesizeformat(size), "max": max_size_text()}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("“%s” is empty.") % name})
    kind_key = files.BY_EXTENSION.get(files.extension(name))
    if kind_key is None:
        raise ValidationError(
            {
                "file": _("“%(name)s”: files of this type are not accepted. Accepted: %(types)s.")
                % {"name": name, "types": accepted_text()}
            }
        )
    upload.seek(0)
    head = upload.read(files.HEAD_BYTES)
    found = files.sniff(head, upload)  # type: ignore[arg-type]
    upload.seek(0)
    if found != kind_key:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” is not a %(kind)s: its content does not match its name. "
                    "Check the file, or save it again in its real format."
                )
                % {"name": name, "kind": files.KINDS[kind_key].name}
            }
        )
    return name, kind_key


def _digest(upload: Upload) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def new_storage_name(practice_id: int) -> str:
    """Where a new file is stored: the practice's folder and 192 random bits. Nothing of the
    uploaded name goes into it, so a name like "../../x" can lead nowhere."""
    return f"{practice_id}/{secrets.token_urlsafe(24)}"


def add_attachment(
    *,
    by: Member,
    client: Client,
    file: Upload,
    title: str = "",
    description: str = "",
) -> Attachment:
    """Attach `file` to the client's card: checked by size (ATTACHMENT_MAX_BYTES), type (by
    its extension and by its content, see documents.files) and stored under a random name in
    the practice's folder. Records "attachment.added" on the client's timeline.

    The file is written to storage inside the transaction, and removed again if the
    transaction fails here; a rollback further out (none of the callers has one) would leave
    an orphaned file, which names no one."""
    check_can_change_client(client, by)
    title, description = " ".join(title.split()), description.strip()
    _no_nul(title=title, description=description)
    if len(title) > TITLE_LENGTH:
        raise ValidationError({"title": _("At most %d characters.") % TITLE_LENGTH})
    if len(description) > DESCRIPTION_LENGTH:
        raise ValidationError({"description": _("At most %d characters.") % DESCRIPTION_LENGTH})
    _check_not_forgotten(client)
    name, kind_key = check_upload(file)
    kind = files.KINDS[kind_key]
    sha256, size = _digest(file)
    if size > settings.ATTACHMENT_MAX_BYTES:  # a size that was not the real one
        raise ValidationError({"file": _("A file may be at most %s.") % max_size_text()})
    stored = default_storage.save(new_storage_name(client.practice_id), file)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                practice_id=client.practice_id,
                client=client,
                title=title,
                description=description,
                original_name=name,
                storage_name=stored,
                content_type=kind.content_type,
                size=size,
                sha256=sha256,
                uploaded_by=by,
                uploaded_by_label=str(by.user),
            )
            record_event(
                practice=client.practice,
                client=client,
                by=by,
                kind=EventKind.ATTACHMENT_ADDED,
                data={"attachment": attachment.pk, "type": kind_key, "size": size},
                changes={"attachment": [None, attachment.display_title]},
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, *, by: Member) -> bool:
    """Remove the attachment: its row now, its file from storage after commit. Records
    "attachment.removed". False if it was gone already (removed meanwhile by someone else)."""
    client = attachment.client
    check_can_change_client(client, by)
    # Lock the row: two removals at once record one event, and the second finds nothing.
    locked = (
        Attachment.objects.select_for_update()
        .filter(pk=attachment.pk, practice_id=by.practice_id)
        .first()
    )
    if locked is None:
        return False
    locked.delete()
    _delete_files_on_commit([locked.storage_name])
    record_event(
        practice=client.practice,
        client=client,
        by=by,
        kind=EventKind.ATTACHMENT_REMOVED,
        data={"attachment": attachment.pk},
        changes={"attachment": [locked.display_title, None]},
    )
    return True


@transaction.atomic
def remove_client_files(client: Client) -> tuple[int, int]:
    """Remove everything this app keeps about `client`: every attached file (rows now, the
    files in storage after commit) and every generated document (whose text holds the
    client's personal data). Returns (attachments, documents) removed.

    For the lifecycle (#5): forgetting a client erases its files, and deleting a client for
    good removes them with the rest. The caller has checked the actor's rights and records its
    own event (forget, delete); this records none, so that the tombstone the caller leaves
    names no file. Anamnesis answers are intake's: see intake.services.remove_client_anamnesis.
    """
    attachments = Attachment.objects.select_for_update().filter(
        practice_id=client.practice_id, client_id=client.pk
    )
    names = list(attachments.values_list("storage_name", flat=True))
    removed_attachments = attachments.delete()[0]
    removed_documents = Document.objects.filter(
        practice_id=client.practice_id, client_id=client.pk
    ).delete()[0]
    _delete_files_on_commit(names)
    return removed_attachments, removed_documents


def open_attachment(attachment: Attachment) -> IO[bytes]:
    """The stored file, for reading (FileNotFoundError when storage has lost it)."""
    return default_storage.open(attachment.storage_name, "rb")


# Templates.


def save_template(
    *,
    by: Member,
    name: str,
    body: str,
    kind: str = TemplateKind.CERTIFICATE,
    template: DocumentTemplate | None = None,
) -> DocumentTemplate:
    """Create or change a document template of the practice (owner and admin). A
    placeholder that does not exist is refused, naming it. Documents already written from the
    template keep their own text."""
    _check_manage(by)
    if template is not None and template.practice_id != by.practice_id:
        raise PermissionDenied
    template = template or DocumentTemplate(practice_id=by.practice_id)
    name, body = " ".join(name.split()), _lines(body)
    _no_nul(name=name, body=body)
    if len(body) > BODY_LENGTH:
        raise ValidationError({"body": _("At most %d characters.") % BODY_LENGTH})
    placeholders.check("body", body)
    before = {"name": template.name, "kind": template.kind, "body": template.body}
    created = template.pk is None
    template.name, template.kind, template.body = name, kind, body
    template.full_clean(exclude=["practice"], validate_constraints=False)
    taken = _("The practice already has a template of this name.")
    if (
        DocumentTemplate.objects.filter(practice_id=by.practice_id, name=name)
        .exclude(pk=template.pk)
        .exists()
    ):
        raise ValidationError({"name": taken})
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise ValidationError({"name": taken}) from None
    changes = changed_fields({} if created else before, {"name": name, "kind": kind})
    record_event(
        practice=by.practice,
        by=by,
        kind=EventKind.DOCUMENT_TEMPLATE_SAVED,
        data={
            "template": template.pk,
            "name": name,
            "created": created,
            "text_changed": not created and before["body"] != body,
        },
        changes=changes,
    )
    return template


@transaction.atomic
def delete_template(template: DocumentTemplate, *, by: Member) -> None:
    """Delete a template; the documents written from it keep their text."""
    _check_manage(by)
    if template.practice_id != by.practice_id:
        raise PermissionDenied
    record_event(
        practice=by.practice,
        by=by,
        kind=EventKind.DOCUMENT_TEMPLATE_DELETED,
        data={"template": template.pk, "name": template.name},
    )
    template.delete()


# Documents.


def _check_session(client: Client, session) -> None:
    if session is not None and (
        session.practice_id != client.practice_id or session.client_id != client.pk
    ):
        raise ValidationError({"session": _("Choose one of this client's sessions.")})


def preview_document(*, by: Member, client: Client, template: DocumentTemplate, session=None):
    """(title, text) a document from `template` would have now; nothing is written."""
    if template.practice_id != client.practice_id:
        raise ValidationError({"template": _("Choose one of the practice's templates.")})
    _check_session(client, session)
    if session is None and placeholders.needs_session(template.body):
        raise ValidationError(
            {"session": _("This template uses the session's date or time: choose a session.")}
        )
    values = placeholders.values(client=client, practice=client.practice, session=session, by=by)
    return template.name, placeholders.fill(template.body, values)


@transaction.atomic
def create_document(
    *,
    by: Member,
    client: Client,
    template: DocumentTemplate,
    session=None,
    title: str = "",
    body: str | None = None,
) -> Document:
    """Write a document for the client from `template` (for one of the client's sessions, if
    given): its placeholders are filled in now, once, and the text is the document's own.
    `body` is the text as the person edited it after the preview (used as it is); `title`
    defaults to the template's name. Records "document.created" on the client's timeline."""
    check_can_change_client(client, by)
    _check_not_forgotten(client)
    if template.practice_id != client.practice_id:
        raise ValidationError({"template": _("Choose one of the practice's templates.")})
    _check_session(client, session)
    title = " ".join(title.split())
    _no_nul(title=title, **({"body": body} if body is not None else {}))
    if body is None:
        default_title, body = preview_document(
            by=by, client=client, template=template, session=session
        )
    else:
        default_title, body = template.name, _lines(body)
        if not body:
            raise ValidationError({"body": _("The document has no text.")})
    if len(body) > BODY_LENGTH:
        raise ValidationError({"body": _("At most %d characters.") % BODY_LENGTH})
    title = title or default_title
    if len(title) > TITLE_LENGTH:
        raise ValidationError({"title": _("At most %d characters.") % TITLE_LENGTH})
    document = Document.objects.create(
        practice_id=client.practice_id,
        client=client,
        template=template,
        session=session,
        kind=template.kind,
        title=title,
        body=body,
        created_by=by,
        created_by_label=str(by.user),
    )
    record_event(
        practice=client.practice,
        client=client,
        by=by,
        kind=EventKind.CLIENT_DOCUMENT_CREATED,
        data={
            "document": document.pk,
            "template": template.pk,
            **({"session": session.pk} if session is not None else {}),
        },
        changes={"generated_document": [None, title]},
    )
    return document


@transaction.atomic
def remove_document(document: Document, *, by: Member) -> bool:
    """Remove a document written by mistake. Records "document.removed"; False if it was
    gone already."""
    client = document.client
    check_can_change_client(client, by)
    removed = Document.objects.filter(pk=document.pk, practice_id=by.practice_id).delete()[0]
    if not removed:
        return False
    record_event(
        practice=client.practice,
        client=client,
        by=by,
        kind=EventKind.CLIENT_DOCUMENT_REMOVED,
        data={"document": document.pk},
        changes={"generated_document": [document.title, None]},
    )
    return True

"""The pages of a client's papers: the Documents panel, attaching and removing files, reading
a file, writing a document from a template (view, print, PDF, send, remove), and the
practice's document templates.

Files are served here and only here, after documents.access has checked the reader: never
from a URL of the storage's own.
"""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientbook.http import PracticeRequest, safe_next
from clientbook.lib.forms import apply_errors
from clients.access import get_client_for_user
from clients.models import Client
from documents import files, placeholders, selectors
from documents.access import (
    get_attachment_for_member,
    get_document_for_member,
    get_template_for_member,
    practice_templates,
)
from documents.apps import DOCUMENT_ATTACHMENT
from documents.forms import DocumentForm, SendForm, TemplateForm, UploadForm
from documents.models import Attachment, DocumentTemplate, TemplateKind
from documents.pdf import document_pdf
from documents.services import (
    accepted_text,
    add_attachment,
    create_document,
    delete_template,
    max_size_text,
    open_attachment,
    preview_document,
    remove_attachment,
    remove_document,
    save_template,
)
from messaging import attachments as message_files
from messaging import routing
from messaging.models import Channel
from messaging.services import send_message
from practices import roles
from practices.access import member_required


def _card(client: Client) -> str:
    return reverse("clients:card", args=[client.pk]) + "#client-documents"


def _private(response: HttpResponse) -> HttpResponse:
    """A client's file: not kept by any cache (front-desk computers are shared), and read as
    the type it was checked to be, never sniffed as something else."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The panel, and files.


@member_required
@require_GET
def client_documents(request: PracticeRequest, client_pk: int) -> HttpResponse:
    """A client's documents and files with the upload form; htmx gets the panel alone (the
    card loads it so: the card itself asks nothing of this app)."""
    client = get_client_for_user(request, client_pk)
    ctx = selectors.panel(request.member, client)
    ctx["next"] = safe_next(request, reverse("documents:client", args=[client.pk]))
    ctx["upload_form"] = UploadForm()
    ctx["max_size"] = max_size_text()
    ctx["accepted"] = accepted_text()
    template = "documents/_panel.html" if request.htmx else "documents/client.html"
    return render(request, template, ctx)


@member_required
@require_http_methods(["GET", "POST"])
def upload(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk, write=True)
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attachment = add_attachment(
                by=request.member,
                client=client,
                file=data["file"],
                title=data["title"],
                description=data["description"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("“%s” was attached.") % attachment.display_title)
            return redirect(safe_next(request, _card(client)))
    ctx = {
        "client": client,
        "form": form,
        "next": safe_next(request, ""),
        "card_url": _card(client),
        "max_size": max_size_text(),
        "accepted": accepted_text(),
    }
    return render(request, "documents/upload.html", ctx)


def file_response(attachment: Attachment, *, download: bool) -> HttpResponse:
    """The stored file: shown in the browser for PDFs and images (unless `download`),
    downloaded otherwise, under its original (safe) name. 404 if storage has lost it."""
    try:
        handle = open_attachment(attachment)
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    as_attachment = download or not files.is_inline(attachment.content_type)
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    return _private(response)


@member_required
@require_GET
def attachment(request: PracticeRequest, pk: int) -> HttpResponse:
    found = get_attachment_for_member(request.member, pk)
    return file_response(found, download=request.GET.get("download") == "1")


@member_required
@require_http_methods(["GET", "POST"])
def attachment_remove(request: PracticeRequest, pk: int) -> HttpResponse:
    found = get_attachment_for_member(request.member, pk, write=True)
    client = found.client
    if request.method == "POST":
        if remove_attachment(found, by=request.member):
            messages.success(request, _("“%s” was removed.") % found.display_title)
        return redirect(safe_next(request, _card(client)))
    ctx = {
        "client": client,
        "attachment": found,
        "next": safe_next(request, ""),
        "card_url": _card(client),
    }
    return render(request, "documents/attachment_remove.html", ctx)


# Documents from templates.


@member_required
@require_http_methods(["GET", "POST"])
def create(request: PracticeRequest, client_pk: int) -> HttpResponse:
    """Write a document for the client in two steps: choose a template (and a session) and
    see the text it makes (a GET: `?template=` and `?session=`, which a session's page can
    link to); change the text if need be, and create the document (a POST)."""
    client = get_client_for_user(request, client_pk, write=True)
    templates = practice_templates(request.member)
    sessions = selectors.client_sessions(client)
    initial = {k: request.GET[k] for k in ("template", "session") if request.GET.get(k)}
    if "template" not in initial:
        # The only template; or, from a session's page, the first attendance certificate.
        only = list(templates[:2])
        if len(only) == 1:
            initial["template"] = str(only[0].pk)
        elif "session" in initial and (
            certificate := templates.filter(kind=TemplateKind.CERTIFICATE).first()
        ):
            initial["template"] = str(certificate.pk)
    form = DocumentForm(
        request.POST or None, initial=initial, templates=templates, sessions=sessions
    )
    preview_error = ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = create_document(
                    by=request.member,
                    client=client,
                    template=data["template"],
                    session=data["session"],
                    title=data["title"],
                    body=data["body"] or None,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The document “%s” was created.") % made.title)
                return redirect("documents:document", pk=made.pk)
        previewed = True  # the text as typed, with the errors
    else:
        template, session = _chosen(form, "template"), _chosen(form, "session")
        previewed = False
        if template is not None:
            try:
                title, body = preview_document(
                    by=request.member, client=client, template=template, session=session
                )
            except ValidationError as error:
                preview_error = " ".join(error.messages)
            else:
                form.initial |= {"title": title, "body": body}
                previewed = True
    ctx = {
        "client": client,
        "form": form,
        "previewed": previewed,
        "preview_error": preview_error,
        "has_templates": templates.exists(),
        "can_manage": request.member.can(roles.MANAGE_PRACTICE),
        "card_url": _card(client),
    }
    return render(request, "documents/create.html", ctx)


def _chosen(form: DocumentForm, name: str):
    """The valid choice of `name` the page was opened with, or None."""
    raw = form.initial.get(name)
    if raw in (None, ""):
        return None
    try:
        return form.fields[name].clean(raw)
    except ValidationError:
        return None


@member_required
@require_GET
def document(request: PracticeRequest, pk: int) -> HttpResponse:
    found = get_document_for_member(request.member, pk)
    client = found.client
    can_change = request.member.can(roles.CHANGE_CLIENT)
    ctx = {
        "client": client,
        "document": found,
        "can_change": can_change,
        "can_send": can_change and client.is_active,
        "card_url": _card(client),
    }
    return render(request, "documents/document.html", ctx)


@member_required
@require_GET
def print_view(request: PracticeRequest, pk: int) -> HttpResponse:
    found = get_document_for_member(request.member, pk)
    ctx = {"document": found, "client": found.client, "practice": found.client.practice}
    return _private(render(request, "documents/print.html", ctx))


@member_required
@require_GET
def pdf(request: PracticeRequest, pk: int) -> HttpResponse:
    found = get_document_for_member(request.member, pk)
    response = HttpResponse(document_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        request.GET.get("inline") != "1", found.pdf_name
    )
    return _private(response)


@member_required
@require_http_methods(["GET", "POST"])
def send(request: PracticeRequest, pk: int) -> HttpResponse:
    """Send the document as PDF by e-mail or WhatsApp, to the client or the guardian as the
    card routes documents (the documents_to_guardian_* options), or as chosen."""
    found = get_document_for_member(request.member, pk, write=True)
    client = found.client
    practice = client.practice
    channels = [
        option
        for option in routing.options(practice, client, purpose="documents")
        if option.channel in (Channel.EMAIL, Channel.WHATSAPP)
    ]
    channel = request.GET.get("channel", "")
    if channel not in (c.channel for c in channels):
        channel = next((c.channel for c in channels if c.usable), Channel.EMAIL)
    chosen = next(c for c in channels if c.channel == channel)
    initial = {
        "channel": channel,
        "recipient": chosen.default.recipient_kind,
        "subject": found.title,
        "body": _("Hello, please find attached: %(title)s.\n%(practice)s")
        % {"title": found.title, "practice": practice.name},
    }
    form = SendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            send_message(
                by=request.member,
                client=client,
                channel=data["channel"],
                recipient=data["recipient"],
                subject=data["subject"],
                body=data["body"],
                attachment=message_files.ref(DOCUMENT_ATTACHMENT, found.pk),
                attachment_name=found.pdf_name,
                purpose="documents",
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The document was sent."))
            return redirect("documents:document", pk=found.pk)
    ctx = {
        "client": client,
        "practice": practice,
        "document": found,
        "form": form,
        "channels": channels,
        "card_url": _card(client),
    }
    return render(request, "documents/send.html", ctx)


@member_required
@require_http_methods(["GET", "POST"])
def remove(request: PracticeRequest, pk: int) -> HttpResponse:
    found = get_document_for_member(request.member, pk, write=True)
    client = found.client
    if request.method == "POST":
        if remove_document(found, by=request.member):
            messages.success(request, _("The document “%s” was removed.") % found.title)
        return redirect(_card(client))
    ctx = {"client": client, "document": found, "card_url": _card(client)}
    return render(request, "documents/remove.html", ctx)


# The practice's templates (owner and admins).


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def templates(request: PracticeRequest) -> HttpResponse:
    """The practice's templates, and a form for a new one."""
    return _template_page(request, None)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def template_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    return _template_page(request, get_template_for_member(request.member, pk))


def _template_page(request: PracticeRequest, template: DocumentTemplate | None) -> HttpResponse:
    practice = request.practice
    # A copy: validating writes the typed values into the instance, and save_template reads
    # the template as it was for the history.
    form = TemplateForm(request.POST or None, instance=copy.copy(template) if template else None)
    preview = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            try:
                placeholders.check("body", data["body"])
            except ValidationError as error:
                apply_errors(form, error)
            else:
                preview = placeholders.fill(data["body"], placeholders.example_values(practice))
        else:
            try:
                saved = save_template(
                    by=request.member,
                    template=template,
                    name=data["name"],
                    kind=data["kind"],
                    body=data["body"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The template “%s” was saved.") % saved.name)
                return redirect("documents:templates")
    elif template is not None:
        preview = placeholders.fill(template.body, placeholders.example_values(practice))
    ctx = {
        "templates": practice_templates(request.member),
        "template": template,
        "form": form,
        "preview": preview,
        "placeholders": [(f"{{{name}}}", text) for name, text in placeholders.PLACEHOLDERS.items()],
    }
    return render(request, "documents/templates.html", ctx)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_POST
def template_delete(request: PracticeRequest, pk: int) -> HttpResponse:
    template = get_template_for_member(request.member, pk)
    delete_template(template, by=request.member)
    messages.success(request, _("The template “%s” was deleted.") % template.name)
    return redirect("documents:templates")

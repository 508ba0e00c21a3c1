"""The pages of messaging: a client's messages, writing one, and the practice's templates."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientbook.http import PracticeRequest, safe_next
from clientbook.lib.forms import apply_errors
from clients.access import get_client_for_user
from messaging import routing, selectors
from messaging.access import get_message_for_member
from messaging.forms import NewMessageForm, TemplateForm
from messaging.models import Channel, MessageTemplate
from messaging.services import cancel_message, delete_template, save_template, send_message
from messaging.texts import PLACEHOLDERS
from practices import roles
from practices.access import member_required


@member_required
def client_messages(request: PracticeRequest, client_pk: int) -> HttpResponse:
    """All of a client's messages (the card shows the latest); htmx gets the panel alone."""
    client = get_client_for_user(request, client_pk)
    ctx = selectors.panel(request.member, client, limit=None)
    ctx["next"] = reverse("messaging:client", args=[client.pk])
    template = "messaging/_panel.html" if request.htmx else "messaging/client_messages.html"
    return render(request, template, ctx)


@member_required
@require_http_methods(["GET", "POST"])
def new_message(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk, write=True)
    practice = request.practice
    channels = routing.options(practice, client)
    templates, filled = selectors.templates_for(client)
    channel = request.GET.get("channel", "")
    if channel not in Channel.values:
        channel = next((c.channel for c in channels if c.usable), Channel.SMS)
    chosen = next(c for c in channels if c.channel == channel)
    initial = {"channel": channel, "recipient": chosen.default.recipient_kind, "when": "now"}
    template_id = request.GET.get("template", "")
    if template_id in filled:
        initial |= {k: filled[template_id][k] for k in ("subject", "body")}
        initial["template"] = template_id
    form = NewMessageForm(request.POST or None, initial=initial, templates=templates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = send_message(
                by=request.member,
                client=client,
                channel=data["channel"],
                recipient=data["recipient"],
                subject=data["subject"],
                body=data["body"],
                send_at=data["send_at"] if data["when"] == "later" else None,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if data["when"] == "later":
                when = formats.date_format(timezone.localtime(message.send_at), "DATETIME_FORMAT")
                messages.success(request, _("Message scheduled for %s.") % when)
            else:
                messages.success(request, _("Message sent."))
            return redirect(safe_next(request, reverse("clients:card", args=[client.pk])))
    ctx = {
        "client": client,
        "form": form,
        "channels": channels,
        "template_texts": filled,
        "has_templates": bool(templates),
        "next": safe_next(request, ""),
        "card_url": reverse("clients:card", args=[client.pk]),
    }
    return render(request, "messaging/new_message.html", ctx)


@member_required
@require_POST
def cancel(request: PracticeRequest, pk: int) -> HttpResponse:
    """Cancel a scheduled message; htmx gets the updated panel, a form post goes back."""
    message = get_message_for_member(request.member, pk, write=True)
    client = message.client
    try:
        cancel_message(message, by=request.member, reason=request.POST.get("reason", "")[:200])
    except ValidationError as error:
        problem = " ".join(error.messages)
    else:
        problem = ""
    if request.htmx:
        # The panel itself shows what happened (a message sent meanwhile shows as sent).
        ctx = selectors.panel(request.member, client)
        ctx["next"] = safe_next(request, reverse("clients:card", args=[client.pk]))
        return render(request, "messaging/_panel.html", ctx)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("The scheduled message was cancelled."))
    return redirect(safe_next(request, reverse("clients:card", args=[client.pk])))


def _template_for(request: PracticeRequest, pk: int) -> MessageTemplate:
    template = MessageTemplate.objects.filter(practice_id=request.practice.pk, pk=pk).first()
    if template is None:
        raise Http404(_("No such template."))
    return template


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def templates(request: PracticeRequest) -> HttpResponse:
    """The practice's templates, and a form for a new one."""
    return _template_page(request, None)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def template_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    return _template_page(request, _template_for(request, pk))


def _template_page(request: PracticeRequest, template: MessageTemplate | None) -> HttpResponse:
    practice = request.practice
    form = TemplateForm(
        request.POST or None,
        # A copy: validating writes the typed values into the instance, and save_template
        # reads the template as it was for the history.
        instance=copy.copy(template) if template else None,
        initial={} if template else {"language": practice.language},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_template(
                by=request.member,
                template=template,
                name=data["name"],
                kind=data["kind"],
                channel=data["channel"],
                language=data["language"],
                subject=data["subject"],
                body=data["body"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Template saved."))
            return redirect("messaging:templates")
    ctx = {
        "form": form,
        "template": template,
        "templates": MessageTemplate.objects.filter(practice_id=practice.pk),
        "placeholders": [(f"{{{name}}}", help) for name, help in PLACEHOLDERS.items()],
    }
    return render(request, "messaging/templates.html", ctx)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_POST
def template_delete(request: PracticeRequest, pk: int) -> HttpResponse:
    template = _template_for(request, pk)
    delete_template(template, by=request.member)
    messages.success(request, _("Template deleted."))
    return redirect("messaging:templates")

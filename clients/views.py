from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from audit.models import Event
from clientbook.http import PracticeRequest
from clientbook.lib.forms import apply_errors
from clientbook.lib.phones import format_phone
from clients import selectors
from clients.access import get_client_for_user
from clients.forms import SECTIONS, ChangeCodeForm, ClientForm
from clients.models import Status
from clients.services import StaleVersion, change_client_code, register_client, update_client
from clients.timeline import card_facts, timeline_entries
from practices import roles
from practices.access import member_required
from practices.models import Professional

TAB_LABELS = {
    "active": gettext_lazy("Active"),
    "waitlist": gettext_lazy("Waitlist"),
    "inactive": gettext_lazy("Inactive"),
    "forgotten": gettext_lazy("Forgotten"),
    "all": gettext_lazy("All"),
}


@member_required
def client_list(request: PracticeRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    if status not in selectors.TABS:
        status = "active"
    q = request.GET.get("q", "").strip()[:200]
    professional_id = request.GET.get("professional", "")
    professional_id = int(professional_id) if professional_id.isdigit() else None
    debt = request.GET.get("debt") == "1"
    page, counts = selectors.client_list(
        request.member,
        status=status,
        q=q,
        professional=professional_id,
        debt=debt,
        sort=request.GET.get("sort"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=settings.CLIENTS_PAGE_SIZE,
    )
    _prepare_rows(page.rows, country=request.practice.country, waitlist=status == "waitlist")
    ctx = {
        "status": status,
        "q": q,
        "professional_id": professional_id,
        "debt": debt,
        "professionals": Professional.objects.filter(practice=request.practice).only("pk", "name"),
        "tabs": [(key, TAB_LABELS[key], counts[key]) for key in selectors.TABS],
        "count": counts[status],
        "page": page,
        "sort": page.sort,
        "descending": page.descending,
        "sorts": selectors.SORTS,
        "can_add": request.member.can(roles.ADD_CLIENT),
        # Rows link to base + id: one reverse() per page, not one per row.
        "card_base": reverse("clients:list"),
    }
    # htmx asks for the results alone, except to restore history (it then needs the page).
    partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    response = render(request, "clients/list.html#results" if partial else "clients/list.html", ctx)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _prepare_rows(rows: list, *, country: str, waitlist: bool) -> None:
    """Format each row's cells once, in Python: far cheaper than template filters per row."""
    date_format = formats.get_format("SHORT_DATE_FORMAT")
    for client in rows:
        client.phone_shown = format_phone(client.phone, country)
        client.professional_names = ", ".join(p.name for p in client.professionals.all())
        client.first_contact_shown = (
            _("%s ago") % timesince(client.first_contact_at, depth=1)
            if waitlist
            else dateformat.format(timezone.localtime(client.first_contact_at), date_format)
        )


@member_required(permission=roles.ADD_CLIENT)
@require_http_methods(["GET", "POST"])
def client_create(request: PracticeRequest) -> HttpResponse:
    quick = request.GET.get("quick") == "1" or request.POST.get("quick") == "1"
    form = ClientForm(
        request.POST or None,
        practice=request.practice,
        member=request.member,
        quick=quick,
        registering=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            client = register_client(
                practice=request.practice,
                by=request.member,
                data=form.card_data(),
                status=form.cleaned_data.get("status") or Status.ACTIVE,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s registered with code %(code)s.")
                % {"name": client.full_name, "code": client.code},
            )
            return redirect("clients:card", pk=client.pk)
    ctx = {"form": form, "quick": quick, "sections": _sections(form), "creating": True}
    return render(request, "clients/form.html", ctx)


@member_required
@require_http_methods(["GET", "POST"])
def client_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, write=True)
    form = ClientForm(
        request.POST or None, practice=request.practice, member=request.member, instance=client
    )
    posted_version = request.POST.get("version", "")
    if request.method == "POST" and not posted_version.isdigit():
        form.add_error(None, _("This form is out of date. Reload the card and try again."))
    if request.method == "POST" and form.is_valid():
        data = form.card_data()
        version = int(posted_version)
        try:
            client = update_client(
                client,
                by=request.member,
                fields=data.fields,
                professionals=data.professionals,
                expected_version=version,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except StaleVersion as error:
            form.add_error(
                None,
                _(
                    "Someone else changed this card while you were editing it (now version %s). "
                    "Reload the card and make your change again."
                )
                % error.current,
            )
        else:
            messages.success(request, _("Card saved."))
            return redirect("clients:card", pk=client.pk)
    ctx = {"form": form, "client": client, "sections": _sections(form), "creating": False}
    return render(request, "clients/form.html", ctx)


@member_required
def client_card(request: PracticeRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk)
    events = (
        Event.objects.filter(practice=request.practice, client=client)
        .select_related("actor__user")
        .order_by("-created_at", "-pk")[:200]
    )
    ctx = {
        "client": client,
        "professionals": list(client.professionals.all()),
        "sections": [(key, title, card_facts(client, names)) for key, title, names in SECTIONS],
        "timeline": timeline_entries(events, country=request.practice.country),
        "can_change": request.member.can(roles.CHANGE_CLIENT),
        "can_change_code": request.member.can(roles.CHANGE_CLIENT_CODE),
    }
    return render(request, "clients/card.html", ctx)


@member_required(permission=roles.CHANGE_CLIENT_CODE)
@require_http_methods(["GET", "POST"])
def client_change_code(request: PracticeRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, write=True, permission=roles.CHANGE_CLIENT_CODE)
    form = ChangeCodeForm(request.POST or None, initial={"code": client.code})
    if request.method == "POST" and form.is_valid():
        try:
            client = change_client_code(client, by=request.member, code=form.cleaned_data["code"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The client's code is now %s.") % client.code)
            return redirect("clients:card", pk=client.pk)
    return render(request, "clients/change_code.html", {"client": client, "form": form})


def _sections(form: ClientForm) -> list:
    return [
        (key, title, [form[name] for name in names if name in form.fields])
        for key, title, names in SECTIONS
        if any(name in form.fields for name in names)
    ]

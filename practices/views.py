import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientbook.http import PracticeRequest, safe_next
from practices import roles
from practices.access import member_required
from practices.forms import PracticeSettingsForm
from practices.middleware import SESSION_KEY
from practices.models import Member
from practices.services import set_user_language, update_practice_settings


def _back(request: PracticeRequest, default: str = "clients:list") -> HttpResponse:
    return redirect(safe_next(request, default))


@require_POST
@member_required
def switch_practice(request: PracticeRequest) -> HttpResponse:
    """Work in another practice the user belongs to (404 for any other)."""
    practice_id = request.POST.get("practice", "")
    if not practice_id.isdigit():
        raise Http404
    member = get_object_or_404(Member, user=request.user, is_active=True, practice_id=practice_id)
    request.session[SESSION_KEY] = member.practice_id
    return redirect("clients:list")


@require_POST
@member_required
def set_language(request: PracticeRequest) -> HttpResponse:
    """The user's own language; empty means the practice's."""
    try:
        set_user_language(request.user, request.POST.get("language", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Unknown language."))
    return _back(request)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def practice_settings(request: PracticeRequest) -> HttpResponse:
    """The practice's settings: the SMS module, session reminders and sales below zero stock
    (owner and admin)."""
    # A copy: the form writes what was typed into its instance, valid or not.
    form = PracticeSettingsForm(request.POST or None, instance=copy.copy(request.practice))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_practice_settings(
                request.practice,
                by=request.member,
                sms_enabled=data["sms_enabled"],
                reminder_channel=data["reminder_channel"],
                reminder_hours_before=data["reminder_hours_before"],
                forbid_negative_stock=data["forbid_negative_stock"],
            )
        except ValidationError as error:
            for field, errors in error.update_error_dict({}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("practices:settings")
    return render(request, "practices/settings.html", {"form": form})

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientbook.http import PracticeRequest
from practices.access import member_required
from practices.middleware import SESSION_KEY
from practices.models import Member
from practices.services import set_user_language


def _back(request: PracticeRequest, default: str = "clients:list") -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


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

"""A typed request for views of a practice: `practice` and `member` are set by the middleware."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from practices.models import Member, Practice, User


class PracticeRequest(HttpRequest):
    user: "User"
    practice: "Practice"
    member: "Member"
    htmx: "HtmxDetails"


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go after a change: the page the user came from (`next`, only on this site),
    else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default

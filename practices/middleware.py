from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from practices.models import Member

SESSION_KEY = "practice_id"


def current_member(request: HttpRequest) -> Member | None:
    """The membership the user works in now: the one chosen in the session, else the first."""
    user = request.user
    if not user.is_authenticated:
        return None
    members = Member.objects.filter(user=user, is_active=True).select_related("practice", "user")
    chosen = request.session.get(SESSION_KEY)
    member = None
    if chosen is not None:
        member = members.filter(practice_id=chosen).first()
    return member or members.order_by("practice__name", "pk").first()


class PracticeMiddleware:
    """Sets `request.practice` and `request.member`, and the language: the user's own choice,
    else the practice's, else the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        member = current_member(request)
        request.member = member  # type: ignore[attr-defined]
        request.practice = member.practice if member else None  # type: ignore[attr-defined]
        language = None
        if request.user.is_authenticated and request.user.language:
            language = request.user.language
        elif member is not None:
            language = member.practice.language
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        if member is not None:
            timezone.activate(member.practice.tz)
        else:
            timezone.deactivate()
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

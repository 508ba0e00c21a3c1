from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from practices.models import Member

SESSION_KEY = "practice_id"


def user_memberships(user) -> list[Member]:
    """The user's active memberships, by practice name (a user has one, or a few)."""
    if not user.is_authenticated:
        return []
    return list(
        Member.objects.filter(user=user, is_active=True)
        .select_related("practice", "user", "professional")
        .order_by("practice__name", "pk")
    )


def current_member(request: HttpRequest, memberships: list[Member] | None = None) -> Member | None:
    """The membership the user works in now: the one chosen in the session, else the first."""
    if memberships is None:
        memberships = user_memberships(request.user)
    chosen = request.session.get(SESSION_KEY) if memberships else None
    for member in memberships:
        if member.practice_id == chosen:
            return member
    return memberships[0] if memberships else None


class PracticeMiddleware:
    """Sets `request.practice` and `request.member`, and the language: the user's own choice,
    else the practice's, else the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memberships = user_memberships(request.user)
        member = current_member(request, memberships)
        request.memberships = memberships  # type: ignore[attr-defined]
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

"""A typed request for views of a practice: `practice` and `member` are set by the middleware."""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from practices.models import Member, Practice, User


class PracticeRequest(HttpRequest):
    user: "User"
    practice: "Practice"
    member: "Member"
    htmx: "HtmxDetails"

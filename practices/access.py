"""The one way views check who is asking: logged in, member of a practice, allowed."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from clientbook.http import PracticeRequest


def axes_username(request, credentials: dict | None) -> str:
    """The account a login attempt is for, as django-axes counts failures: the e-mail,
    lower-cased, so "Ana@X.test" and "ana@x.test" share one counter."""
    source = credentials or request.POST
    return str(source.get("username") or source.get("email") or "").strip().lower()


def member_required(
    view: Callable[..., HttpResponse] | None = None, *, permission: str | None = None
):
    """Logged in and a member of a practice; with `permission`, a role that has it (else 403)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: PracticeRequest, *args, **kwargs) -> HttpResponse:
            if request.member is None:
                return render(request, "practices/no_practice.html", status=403)
            if permission is not None and not request.member.can(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate

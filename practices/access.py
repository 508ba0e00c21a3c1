"""The one way views check who is asking: logged in, member of a practice, allowed."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render, resolve_url

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
        @wraps(view)
        def wrapped(request: PracticeRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if getattr(request, "htmx", False):
                    # A session that ended while typing a search: the whole page goes to the
                    # login, not the login form into the results.
                    login = (
                        f"{resolve_url(settings.LOGIN_URL)}?next={quote(request.get_full_path())}"
                    )
                    return HttpResponse(status=204, headers={"HX-Redirect": login})
                return redirect_to_login(request.get_full_path())
            if request.member is None:
                return render(request, "practices/no_practice.html", status=403)
            if permission is not None and not request.member.can(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate

"""Who may do what: the role table, the member_required gate, the membership the middleware
picks, and the one way to fetch a client (clients.access)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from clientbook.testing import make_client, make_user
from clients.access import get_client_for_member, visible_clients
from practices import roles
from practices.access import member_required
from practices.middleware import SESSION_KEY, current_member
from practices.models import Member, Role
from practices.services import add_member

ALL = [
    roles.VIEW_ALL_CLIENTS,
    roles.ADD_CLIENT,
    roles.CHANGE_CLIENT,
    roles.CHANGE_CLIENT_CODE,
    roles.MANAGE_PRACTICE,
]
EXPECTED = {
    Role.OWNER: set(ALL),
    Role.ADMIN: set(ALL),
    Role.RECEPTION: {roles.VIEW_ALL_CLIENTS, roles.ADD_CLIENT, roles.CHANGE_CLIENT},
    Role.PROFESSIONAL: {roles.ADD_CLIENT, roles.CHANGE_CLIENT},
}


# The role table.


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", ALL)
def test_each_role_has_exactly_its_permissions(role, permission):
    assert roles.has_permission(role, permission) == (permission in EXPECTED[role])
    assert Member(role=role).can(permission) == (permission in EXPECTED[role])


def test_an_unknown_role_or_permission_has_no_right():
    assert not roles.has_permission("superhero", roles.VIEW_ALL_CLIENTS)
    assert not roles.has_permission(Role.OWNER, "delete_everything")


# Which clients a member sees.


@pytest.mark.parametrize("role", ["owner", "admin", "reception"])
def test_owner_admin_and_reception_see_all_clients_of_their_practice_only(a, b, role):
    seen = set(visible_clients(a.member(role)))
    assert seen == set(a.clients.values())


def test_a_professional_sees_only_the_clients_they_are_responsible_for(a, b):
    shared = make_client(
        a.reception, "Shared", professionals=[a.professional.professional, a.other_professional]
    )
    assert set(visible_clients(a.professional)) == {a.clients["Ana's client"], shared}


def test_a_professional_member_without_a_practitioner_entry_sees_no_client(a):
    member = add_member(practice=a.practice, user=make_user("p2@a.test"), role=Role.PROFESSIONAL)
    member.professional.delete()
    member = Member.objects.get(pk=member.pk)
    assert list(visible_clients(member)) == []


# Fetching one client.


@pytest.mark.parametrize("role", ["owner", "admin", "reception", "professional"])
def test_another_practices_client_does_not_exist(a, b, role):
    for client in b.clients.values():
        with pytest.raises(Http404):
            get_client_for_member(a.member(role), client.pk)


def test_a_colleagues_client_does_not_exist_for_a_professional(a):
    with pytest.raises(Http404):
        get_client_for_member(a.professional, a.clients["João da Silva"].pk)
    assert get_client_for_member(a.professional, a.clients["Ana's client"].pk)


@pytest.mark.parametrize("pk", ["abc", None, "", "1.5", -1, 10**30])
def test_a_malformed_or_missing_id_is_a_404(a, pk):
    with pytest.raises(Http404):
        get_client_for_member(a.owner, pk)


def test_writing_needs_the_right_to_change(a, monkeypatch):
    client = a.clients["João da Silva"]
    assert get_client_for_member(a.reception, client.pk, write=True) == client
    monkeypatch.setitem(
        roles._ROLE_PERMISSIONS, Role.RECEPTION, frozenset({roles.VIEW_ALL_CLIENTS})
    )
    assert get_client_for_member(a.reception, client.pk) == client
    with pytest.raises(PermissionDenied):
        get_client_for_member(a.reception, client.pk, write=True)


def test_a_named_permission_is_checked_after_the_client_is_found(a, b):
    client = a.clients["João da Silva"]
    with pytest.raises(PermissionDenied):
        get_client_for_member(a.reception, client.pk, permission=roles.CHANGE_CLIENT_CODE)
    assert get_client_for_member(a.admin, client.pk, permission=roles.CHANGE_CLIENT_CODE)
    # Another practice's id stays a 404 even for an action the role may not do.
    with pytest.raises(Http404):
        get_client_for_member(b.reception, client.pk, permission=roles.CHANGE_CLIENT_CODE)


# The member_required gate.


@member_required
def plain_view(request):
    return HttpResponse(f"hello {request.member.role}")


@member_required(permission=roles.CHANGE_CLIENT_CODE)
def code_view(request):
    return HttpResponse("code")


def gated(view, user, member=None):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    request.member = member
    request.practice = member.practice if member else None
    request.session = SessionStore()
    return view(request)


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(db):
    response = gated(plain_view, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/somewhere/"


def test_a_member_passes_the_gate(a):
    response = gated(plain_view, a.reception.user, a.reception)
    assert response.content == b"hello reception"


def test_a_user_with_no_membership_gets_the_no_practice_page(db):
    response = gated(plain_view, make_user("nobody@example.test"))
    assert response.status_code == 403
    assert b"no_practice" not in response.content  # a page for people, not a template name
    assert b'action="/accounts/logout/"' in response.content


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_a_role_without_the_permission_is_refused(a, role):
    with pytest.raises(PermissionDenied):
        gated(code_view, a.member(role).user, a.member(role))


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_a_role_with_the_permission_passes(a, role):
    assert gated(code_view, a.member(role).user, a.member(role)).content == b"code"


# The membership the middleware picks.


def session_request(user, chosen=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    if chosen is not None:
        request.session[SESSION_KEY] = chosen
    return request


@pytest.fixture
def both(a, b) -> Member:
    """Rita works in both practices: reception in A, admin in B."""
    return add_member(practice=b.practice, user=a.reception.user, role=Role.ADMIN)


def test_without_a_choice_the_first_practice_by_name_is_used(a, b, both):
    assert current_member(session_request(a.reception.user)) == a.reception


def test_the_practice_chosen_in_the_session_is_used(a, b, both):
    assert current_member(session_request(a.reception.user, b.practice.pk)) == both


def test_a_chosen_practice_the_user_has_left_falls_back_to_another(a, b, both):
    Member.objects.filter(pk=both.pk).update(is_active=False)
    assert current_member(session_request(a.reception.user, b.practice.pk)) == a.reception


def test_a_chosen_practice_the_user_never_belonged_to_is_ignored(a, b):
    assert current_member(session_request(a.owner.user, b.practice.pk)) == a.owner


def test_an_inactive_membership_is_no_membership(a):
    Member.objects.filter(pk=a.reception.pk).update(is_active=False)
    assert current_member(session_request(a.reception.user)) is None


def test_an_anonymous_visitor_has_no_membership(db):
    assert current_member(session_request(AnonymousUser())) is None


def test_an_htmx_request_after_the_session_ended_sends_the_whole_page_to_the_login(db):
    from django.test import Client as HttpClient

    response = HttpClient().get("/clients/?q=jo%C3%A3o", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/accounts/login/?next=/clients/%3Fq%3Djo%25C3%25A3o"


def test_a_plain_request_after_the_session_ended_is_redirected_to_the_login(db):
    from django.test import Client as HttpClient

    response = HttpClient().get("/clients/?q=ana")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/clients/%3Fq%3Dana"

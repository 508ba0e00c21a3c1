"""Switching practice and choosing a language."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clientbook.testing import logged_in, make_user
from clients.models import Client
from practices.middleware import SESSION_KEY
from practices.models import Member, Role, User
from practices.services import add_member

SWITCH = reverse("practices:switch")
LANGUAGE = reverse("practices:language")
LIST = reverse("clients:list")


def listed(response) -> set[int]:
    return {c.pk for c in response.context["page"].rows}


@pytest.fixture
def both(a, b) -> Member:
    """Rita works in both practices: reception in A, admin in B."""
    return add_member(practice=b.practice, user=a.reception.user, role=Role.ADMIN)


# Switching practice.


def test_a_user_of_two_practices_starts_in_the_first_by_name(a, b, both):
    response = logged_in(a.reception).get(LIST)
    assert response.context["practice"] == a.practice
    assert listed(response) == {c.pk for c in a.clients.values()}


def test_switching_shows_the_other_practices_clients_and_its_ids_only(a, b, both):
    http = logged_in(a.reception)
    response = http.post(SWITCH, {"practice": b.practice.pk})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert http.session[SESSION_KEY] == b.practice.pk
    response = http.get(LIST)
    assert response.context["member"] == both
    assert listed(response) == {c.pk for c in b.clients.values()}
    # Working in B, A's client ids are another practice's: 404.
    assert (
        http.get(reverse("clients:card", args=[a.clients["João da Silva"].pk])).status_code == 404
    )
    assert (
        http.get(reverse("clients:card", args=[b.clients["João da Silva"].pk])).status_code == 200
    )


def test_switching_back_returns_to_the_first_practice(a, b, both):
    http = logged_in(a.reception)
    http.post(SWITCH, {"practice": b.practice.pk})
    http.post(SWITCH, {"practice": a.practice.pk})
    assert http.get(LIST).context["practice"] == a.practice


def test_the_role_follows_the_practice(a, b, both):
    http = logged_in(a.reception)
    card = reverse("clients:change_code", args=[a.clients["João da Silva"].pk])
    assert http.get(card).status_code == 403  # reception in A
    http.post(SWITCH, {"practice": b.practice.pk})
    card = reverse("clients:change_code", args=[b.clients["João da Silva"].pk])
    assert http.get(card).status_code == 200  # admin in B


def test_switching_to_a_practice_one_does_not_belong_to_is_a_404(a, b):
    http = logged_in(a.owner)
    response = http.post(SWITCH, {"practice": b.practice.pk})
    assert response.status_code == 404
    assert SESSION_KEY not in http.session
    assert http.get(LIST).context["practice"] == a.practice


def test_switching_to_a_practice_one_has_left_is_a_404(a, b, both):
    Member.objects.filter(pk=both.pk).update(is_active=False)
    http = logged_in(a.reception)
    assert http.post(SWITCH, {"practice": b.practice.pk}).status_code == 404
    assert http.get(LIST).context["practice"] == a.practice


def test_switching_to_no_or_an_unknown_practice_is_a_404(a):
    http = logged_in(a.owner)
    assert http.post(SWITCH, {}).status_code == 404
    assert http.post(SWITCH, {"practice": "999999"}).status_code == 404


@pytest.mark.parametrize("practice", ["", "abc"])
def test_switching_to_a_garbled_practice_id_is_a_404(a, practice):
    assert logged_in(a.owner).post(SWITCH, {"practice": practice}).status_code == 404


def test_switching_is_a_post(a, b, both):
    http = logged_in(a.reception)
    assert http.get(SWITCH, {"practice": b.practice.pk}).status_code == 405
    assert SESSION_KEY not in http.session


def test_switching_needs_a_login_and_a_practice(a, b):
    response = HttpClient().post(SWITCH, {"practice": a.practice.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    http = HttpClient()
    http.force_login(make_user("nobody@example.test"))
    assert http.post(SWITCH, {"practice": a.practice.pk}).status_code == 403


def test_the_switcher_lists_only_the_users_own_practices(a, b, both):
    page = logged_in(a.reception).get(LIST).content.decode()
    assert 'id="practice-switch"' in page
    assert f'<option value="{a.practice.pk}" selected>Clínica A</option>' in page
    assert f'<option value="{b.practice.pk}" >Lecznica B</option>' in page


def test_a_user_of_one_practice_sees_no_switcher(a, b):
    page = logged_in(a.owner).get(LIST).content.decode()
    assert 'id="practice-switch"' not in page
    assert "Lecznica B" not in page


# Language.


def test_each_practice_works_in_its_own_language_by_default(a, b):
    assert logged_in(a.reception).get(LIST)["Content-Language"] == "pt-br"
    assert logged_in(b.owner).get(LIST)["Content-Language"] == "pl"


def test_an_anonymous_visitor_gets_the_browsers_language(db):
    response = HttpClient().get(reverse("login"), headers={"Accept-Language": "fr"})
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_a_user_chooses_their_own_language(a):
    http = logged_in(a.reception)
    response = http.post(LANGUAGE, {"language": "pl", "next": "/clients/?status=waitlist"})
    assert response.status_code == 302
    assert response["Location"] == "/clients/?status=waitlist"
    assert User.objects.get(pk=a.reception.user.pk).language == "pl"
    response = http.get(LIST)
    assert response["Content-Language"] == "pl"
    assert '<html lang="pl">' in response.content.decode()


def test_a_users_language_is_theirs_alone(a):
    logged_in(a.reception).post(LANGUAGE, {"language": "fr"})
    assert logged_in(a.owner).get(LIST)["Content-Language"] == "pt-br"


def test_an_empty_choice_goes_back_to_the_practices_language(a):
    http = logged_in(a.reception)
    http.post(LANGUAGE, {"language": "en"})
    assert http.get(LIST)["Content-Language"] == "en"
    http.post(LANGUAGE, {"language": ""})
    assert User.objects.get(pk=a.reception.user.pk).language == ""
    assert http.get(LIST)["Content-Language"] == "pt-br"


def test_an_unknown_language_is_refused(a):
    http = logged_in(a.reception)
    assert http.post(LANGUAGE, {"language": "xx"}).status_code == 400
    assert User.objects.get(pk=a.reception.user.pk).language == ""


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/clients/", "javascript:alert(1)", ""]
)
def test_after_choosing_only_a_page_of_this_site_is_followed(a, target):
    response = logged_in(a.reception).post(LANGUAGE, {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_choosing_a_language_is_a_post_for_members(a):
    assert logged_in(a.reception).get(LANGUAGE, {"language": "pl"}).status_code == 405
    response = HttpClient().post(LANGUAGE, {"language": "pl"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    http = HttpClient()
    http.force_login(make_user("nobody@example.test"))
    assert http.post(LANGUAGE, {"language": "pl"}).status_code == 403
    assert User.objects.get(email="nobody@example.test").language == ""


def test_the_language_changes_nothing_in_the_practice(a, b):
    before = list(Client.objects.order_by("pk").values_list("pk", "version"))
    logged_in(b.owner).post(LANGUAGE, {"language": "en"})
    assert list(Client.objects.order_by("pk").values_list("pk", "version")) == before
    assert User.objects.get(pk=a.owner.user.pk).language == ""

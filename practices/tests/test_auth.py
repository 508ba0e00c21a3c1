"""Logging in and out, changing and resetting a password, login throttling, password hashing."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

import clientbook.settings as production
from clientbook.testing import PASSWORD, logged_in, make_user
from practices.models import User
from practices.services import set_user_language

LOGIN = reverse("login")
LOGOUT = reverse("logout")
LIST = reverse("clients:list")
NEW_PASSWORD = "violet submarine 42 lanterns"


@pytest.fixture
def english(a):
    for member in (a.owner, a.admin, a.reception, a.professional):
        set_user_language(member.user, "en")


def log_in(http: HttpClient, email: str, password: str = PASSWORD, **extra):
    return http.post(LOGIN, {"username": email, "password": password, **extra})


def is_logged_in(http: HttpClient) -> bool:
    return "_auth_user_id" in http.session


# Logging in and out.


def test_the_login_page_shows_the_form(db):
    response = HttpClient().get(LOGIN)
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_a_member_logs_in_with_their_e_mail_and_lands_on_the_client_list(a):
    http = HttpClient()
    response = log_in(http, "reception@a.test")
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert is_logged_in(http)
    assert http.get(LIST).status_code == 200


def test_logging_in_returns_to_the_page_asked_for(a):
    card = reverse("clients:card", args=[a.clients["João da Silva"].pk])
    http = HttpClient()
    response = http.get(card)
    assert response["Location"] == f"{LOGIN}?next={card}"
    response = log_in(http, "reception@a.test", next=card)
    assert response["Location"] == card


def test_logging_in_never_sends_to_another_site(a):
    response = log_in(HttpClient(), "reception@a.test", next="https://evil.example/")
    assert response["Location"] == LIST


def test_a_wrong_password_is_refused(a):
    http = HttpClient()
    response = log_in(http, "reception@a.test", "wrong password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_logged_in(http)


def test_the_e_mail_may_be_typed_with_capitals(a):
    http = HttpClient()
    response = log_in(http, "Reception@A.test")
    assert response.status_code == 302
    assert is_logged_in(http)


def test_a_deactivated_user_cannot_log_in(a):
    User.objects.filter(email="reception@a.test").update(is_active=False)
    http = HttpClient()
    assert log_in(http, "reception@a.test").status_code == 200
    assert not is_logged_in(http)


def test_a_user_with_no_practice_logs_in_to_the_no_practice_page(db):
    make_user("nobody@example.test")
    http = HttpClient()
    response = log_in(http, "nobody@example.test")
    assert response.status_code == 302
    response = http.get(response["Location"])
    assert response.status_code == 403
    assert "practices/no_practice.html" in [t.name for t in response.templates]


def test_logging_out_ends_the_session(a):
    http = logged_in(a.reception)
    response = http.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not is_logged_in(http)
    assert http.get(LIST)["Location"].startswith(LOGIN)


def test_logging_out_is_a_post(a):
    http = logged_in(a.reception)
    assert http.get(LOGOUT).status_code == 405
    assert is_logged_in(http)


# Changing one's password.


def test_changing_the_password_needs_a_login(db):
    response = HttpClient().get(reverse("password_change"))
    assert response["Location"].startswith(LOGIN)


def test_a_user_changes_their_password_and_stays_logged_in(a):
    http = logged_in(a.reception)
    response = http.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert http.get(reverse("password_change_done")).status_code == 200
    assert http.get(LIST).status_code == 200  # the session survived the change
    assert User.objects.get(email="reception@a.test").check_password(NEW_PASSWORD)


@pytest.mark.usefixtures("english")
def test_a_wrong_old_password_changes_nothing(a):
    http = logged_in(a.reception)
    response = http.post(
        reverse("password_change"),
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert User.objects.get(email="reception@a.test").check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short", "password123", "12345678901", "reception@a.test"])
def test_a_weak_new_password_is_refused(a, weak):
    http = logged_in(a.reception)
    response = http.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert User.objects.get(email="reception@a.test").check_password(PASSWORD)


# Resetting a forgotten password.


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", message.body)[1]


def test_a_forgotten_password_is_reset_through_a_mailed_link(a):
    http = HttpClient()
    response = http.post(reverse("password_reset"), {"email": "reception@a.test"})
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["reception@a.test"]
    link = reset_link(message)
    response = http.get(link)  # redirects to the same link with the token hidden in the session
    assert response.status_code == 302
    form_url = response["Location"]
    response = http.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")
    user = User.objects.get(email="reception@a.test")
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert log_in(HttpClient(), "reception@a.test", NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_once(a):
    http = HttpClient()
    http.post(reverse("password_reset"), {"email": "reception@a.test"})
    link = reset_link(mail.outbox[0])
    form_url = http.get(link)["Location"]
    http.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = HttpClient().get(link, follow=True)
    assert response.context["validlink"] is False


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(a):
    response = HttpClient().post(reverse("password_reset"), {"email": "stranger@example.test"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_reset_address_may_be_typed_with_capitals(a):
    HttpClient().post(reverse("password_reset"), {"email": "Reception@A.TEST"})
    (message,) = mail.outbox
    assert message.to == ["reception@a.test"]


def test_a_deactivated_user_gets_no_reset_mail(a):
    User.objects.filter(email="reception@a.test").update(is_active=False)
    HttpClient().post(reverse("password_reset"), {"email": "reception@a.test"})
    assert mail.outbox == []


# Login throttling (django-axes): 5 failures lock the account from that address.


def fail(http: HttpClient, email: str = "owner@a.test", times: int = 1):
    return [log_in(http, email, "wrong password").status_code for _ in range(times)]


def test_four_failures_do_not_lock(a):
    http = HttpClient()
    assert fail(http, times=4) == [200, 200, 200, 200]
    assert log_in(http, "owner@a.test").status_code == 302


def test_the_fifth_failure_shows_the_locked_out_page(a):
    http = HttpClient()
    fail(http, times=4)
    response = log_in(http, "owner@a.test", "wrong password")
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]


def test_after_five_failures_even_the_right_password_is_refused(a):
    http = HttpClient()
    fail(http, times=5)
    response = log_in(http, "owner@a.test")
    assert response.status_code == 429
    assert not is_logged_in(http)


def test_failures_are_counted_per_account(a):
    http = HttpClient()
    fail(http, times=5)
    assert AccessAttempt.objects.get().username == "owner@a.test"


def test_a_successful_login_starts_the_count_again(a):
    http = HttpClient()
    assert fail(http, times=4) == [200] * 4
    assert log_in(http, "owner@a.test").status_code == 302
    http.post(LOGOUT)
    assert fail(http, times=4) == [200] * 4


def test_failures_with_the_e_mail_in_other_capitals_count_for_the_same_account(a):
    http = HttpClient()
    for email in ["owner@a.test", "Owner@a.test", "OWNER@a.test", "owner@A.test", "OwNeR@a.test"]:
        fail(http, email)
    assert log_in(http, "owner@a.test").status_code == 429
    assert not is_logged_in(http)


def test_a_lock_on_one_account_leaves_the_others_alone(a):
    http = HttpClient()
    fail(http, times=5)
    response = log_in(http, "reception@a.test")
    assert response.status_code == 302
    assert is_logged_in(http)


def test_the_lock_lifts_after_fifteen_minutes(a):
    http = HttpClient()
    fail(http, times=5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert log_in(http, "owner@a.test").status_code == 302


# Password hashing.


def test_production_hashes_passwords_with_argon2():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_password_set_in_production_is_an_argon2_hash_that_logs_in(db, settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = make_user("argon@example.test")
    assert user.password.startswith("argon2$argon2id$")
    http = HttpClient()
    assert log_in(http, "argon@example.test").status_code == 302


def test_an_older_hash_is_upgraded_to_argon2_at_the_next_login(db, settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = make_user("legacy@example.test")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert log_in(HttpClient(), "legacy@example.test").status_code == 302
    assert User.objects.get(pk=user.pk).password.startswith("argon2$")

"""Bearer tokens: who a call acts as, and the `clientbook token` command that makes them."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.utils import timezone

from api.models import TOKEN_PREFIX, ApiToken
from clientbook.testing import logged_in
from practices.models import Member, Role
from practices.services import add_member

CLIENTS = "/api/v1/clients"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token_for(member: Member) -> str:
    return ApiToken.issue(member)[1]


def run_token(*args: str) -> tuple[str, str]:
    """`clientbook token ARGS…`: (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def names(response) -> set[str]:
    return {item["full_name"] for item in response.json()["items"]}


# Refused tokens.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer cb_not-a-token"},
        {"Authorization": "Basic b3duZXJAYS50ZXN0OnBhc3N3b3Jk"},
        {"Authorization": "Token cb_x"},
    ],
    ids=["missing", "empty", "unknown", "basic", "other-scheme"],
)
def test_a_call_without_a_valid_token_is_401(a, client, headers):
    for url in [CLIENTS, f"{CLIENTS}/{a.clients['João da Silva'].pk}", "/api/v1/professionals"]:
        response = client.get(url, headers=headers)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.django_db
def test_a_logged_in_session_is_not_enough(a):
    # The API is for tokens only: a browser session of the same user is not an API credential.
    assert logged_in(a.owner).get(CLIENTS).status_code == 401


@pytest.mark.django_db
def test_a_revoked_token_is_401(a, client):
    token, secret = ApiToken.issue(a.reception)
    assert client.get(CLIENTS, headers=bearer(secret)).status_code == 200
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    assert client.get(CLIENTS, headers=bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_the_token_of_a_member_who_left_is_401(a, client):
    secret = token_for(a.reception)
    Member.objects.filter(pk=a.reception.pk).update(is_active=False)
    assert client.get(CLIENTS, headers=bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_a_token_with_a_nul_byte_is_401_not_500(a, client):
    response = client.get(CLIENTS, headers={"Authorization": "Bearer cb_\x00"})
    assert response.status_code == 401


# What a token acts as.


@pytest.mark.django_db
def test_a_token_acts_in_its_members_practice_only(a, b, client):
    a_names = names(client.get(CLIENTS, headers=bearer(token_for(a.reception))))
    b_names = names(client.get(CLIENTS, headers=bearer(token_for(b.reception))))
    assert a_names == {*b_names, "Conceição Araújo"}  # the same names, but…
    response = client.get(CLIENTS, headers=bearer(token_for(b.owner)))
    b_ids = {item["id"] for item in response.json()["items"]}
    assert b_ids == {c.pk for c in b.clients.values()}  # …B's rows, not A's


@pytest.mark.django_db
def test_a_user_of_two_practices_gets_the_role_of_the_tokens_practice(a, b, client):
    # Rita is reception in A and becomes owner of B: her B token may change codes, her A token
    # may not, and neither sees the other practice's clients.
    rita_in_b = add_member(practice=b.practice, user=a.reception.user, role=Role.OWNER)
    in_a, in_b = token_for(a.reception), token_for(rita_in_b)
    a_client, b_client = a.clients["João da Silva"], b.clients["João da Silva"]

    def change_code(target, secret):
        url = f"{CLIENTS}/{target.pk}/code"
        return client.post(url, {"code": "X-1"}, "application/json", headers=bearer(secret))

    assert change_code(a_client, in_a).status_code == 403
    assert change_code(b_client, in_b).status_code == 200
    assert client.get(f"{CLIENTS}/{b_client.pk}", headers=bearer(in_a)).status_code == 404
    assert client.get(f"{CLIENTS}/{a_client.pk}", headers=bearer(in_b)).status_code == 404


@pytest.mark.django_db
def test_a_change_made_with_a_token_is_signed_by_its_user(a, client):
    joao = a.clients["João da Silva"]
    response = client.patch(
        f"{CLIENTS}/{joao.pk}",
        {"notes": "Prefers mornings.", "version": joao.version},
        "application/json",
        headers=bearer(token_for(a.admin)),
    )
    assert response.status_code == 200
    events = client.get(f"{CLIENTS}/{joao.pk}/events", headers=bearer(token_for(a.owner))).json()
    assert events[0]["actor"] == "Adam Admin"


@pytest.mark.django_db
def test_answers_are_in_the_language_of_the_tokens_user(a, client):
    # Practice A is Brazilian: its messages are in Portuguese unless the user chose otherwise.
    joao = a.clients["João da Silva"]
    url, body = f"{CLIENTS}/{joao.pk}", {"national_id": "111.111.111-11", "version": joao.version}
    response = client.patch(url, body, "application/json", headers=bearer(token_for(a.owner)))
    assert "CPF" in response.json()["errors"]["national_id"][0]
    assert "Informe" in response.json()["errors"]["national_id"][0]

    a.admin.user.language = "en"
    a.admin.user.save(update_fields=["language"])
    response = client.patch(url, body, "application/json", headers=bearer(token_for(a.admin)))
    assert response.json()["errors"]["national_id"] == [
        "Enter a valid CPF (11 digits, e.g. 123.456.789-09)."
    ]


@pytest.mark.django_db
def test_using_a_token_records_when_it_was_last_used(a, client):
    token, secret = ApiToken.issue(a.reception)
    assert token.last_used_at is None
    client.get(CLIENTS, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None


# The command line.


@pytest.mark.django_db
def test_token_create_prints_a_token_that_works_and_keeps_only_its_hash(a):
    secret, note = run_token("create", "reception@a.test", "--name", "zapier")

    assert secret.startswith(TOKEN_PREFIX)
    assert "shown once" in note
    assert "Rita Reception" in note
    token = ApiToken.objects.get()
    assert token.member == a.reception
    assert token.name == "zapier"
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    stored = [str(v) for v in ApiToken.objects.values_list().get()]
    assert not any(secret in value for value in stored)

    response = HttpClient().get(CLIENTS, headers=bearer(secret))
    assert response.status_code == 200
    assert len(response.json()["items"]) == 5


@pytest.mark.django_db
def test_token_create_finds_the_user_whatever_the_case_of_the_email(a):
    secret, _ = run_token("create", "Reception@A.test")
    assert ApiToken.objects.get().member == a.reception
    assert HttpClient().get(CLIENTS, headers=bearer(secret)).status_code == 200


@pytest.mark.django_db
def test_token_create_needs_practice_when_the_user_has_several(a, b):
    rita_in_b = add_member(practice=b.practice, user=a.reception.user, role=Role.OWNER)

    with pytest.raises(CommandError, match="several practices; add --practice") as error:
        run_token("create", "reception@a.test")
    assert "Clínica A" in str(error.value)
    assert "Lecznica B" in str(error.value)
    assert not ApiToken.objects.exists()

    run_token("create", "reception@a.test", "--practice", str(b.practice.pk))
    run_token("create", "reception@a.test", "--practice", "clínica a")
    assert [t.member for t in ApiToken.objects.order_by("pk")] == [rita_in_b, a.reception]


@pytest.mark.django_db
def test_token_create_refuses_a_stranger(a, b):
    with pytest.raises(CommandError, match="No active membership"):
        run_token("create", "nobody@a.test")
    with pytest.raises(CommandError, match="No active membership"):
        run_token("create", "reception@a.test", "--practice", str(b.practice.pk))
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_list_shows_prefixes_never_secrets(a):
    first, _ = run_token("create", "owner@a.test", "--name", "backup")
    second, _ = run_token("create", "owner@a.test")
    run_token("revoke", second[:10])

    listing, _ = run_token("list", "owner@a.test")
    lines = listing.splitlines()
    assert len(lines) == 2
    assert first not in listing
    assert second not in listing
    backup = next(line for line in lines if line.startswith(first[:10]))
    assert "Clínica A" in backup
    assert "backup" in backup
    assert "active" in backup
    assert "revoked" in next(line for line in lines if line.startswith(second[:10]))


@pytest.mark.django_db
def test_token_revoke_stops_the_token_at_once(a):
    secret, _ = run_token("create", "owner@a.test")
    other, _ = run_token("create", "owner@a.test")
    http = HttpClient()
    assert http.get(CLIENTS, headers=bearer(secret)).status_code == 200

    out, _ = run_token("revoke", secret[:10])

    assert out == "Revoked 1 token(s)."
    assert http.get(CLIENTS, headers=bearer(secret)).status_code == 401
    assert http.get(CLIENTS, headers=bearer(other)).status_code == 200
    with pytest.raises(CommandError, match="No active token"):
        run_token("revoke", secret[:10])

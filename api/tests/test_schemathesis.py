"""Fuzzing the API in-process from its own OpenAPI document (schemathesis).

Every operation gets positive and negative examples; each answer must be declared in the
document and match its schema, malformed input must be refused, and nothing may give a 500.
Runs against SQLite and PostgreSQL (a NUL byte, accepted by SQLite, is an error on PostgreSQL).
"""

import datetime
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api.models import ApiToken
from clientbook import testing
from clientbook.wsgi import application
from clients.models import Client
from intake.models import AnamnesisGroup
from pets.services import add_animal
from practices.models import Practice, Professional, User
from scheduling.models import Series, Session
from scheduling.recurrence import WEEKLY, Rule
from scheduling.services import book_series, save_room, save_service

# The test database, and each operation's examples in one transaction rolled back after it.
pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Like most HTTP APIs, this one ignores query parameters it does not know: not a violation.
schema.config.generation.allow_extra_parameters = False

# FUZZ_EXAMPLES=500 for a long hunt; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

# Filled by the `world` fixture, read by aim_at_the_practice.
SEEDED: dict[str, list[int]] = {
    "clients": [], "professionals": [], "anamnesis_groups": [], "sessions": [], "series": [],
    "services": [], "rooms": [], "animals": [],
}  # fmt: skip
# Which seeded ids a path parameter or a body field of one id takes.
ID_FIELDS = {
    "client_id": "clients", "session_id": "sessions", "series_id": "series",
    "client": "clients", "professional": "professionals", "service": "services",
    "room": "rooms", "from_session": "sessions", "animal_id": "animals",
}  # fmt: skip

# Rules a JSON schema cannot say, which the card form checks: check digits (CPF, PESEL, NIP),
# phone and e-mail syntax, the practice's postal codes and regions, ids that must exist in the
# practice, dates in a plausible range, a name that is not only spaces, a code already taken;
# and a fee's two decimals (JSON Schema's `multipleOf: 0.01` is unreliable on binary floats).
# A schema-valid body may get 422 for these, and only for these.
FORM_RULES = {
    "full_name", "professionals", "birth_date", "national_id", "email", "phone", "whatsapp",
    "billing_tax_id", "postal_code", "region", "emergency_contact_phone", "guardian_national_id",
    "guardian_email", "guardian_phone", "guardian_whatsapp", "anamnesis_group", "code",
    "first_contact_at", "default_fee",
}  # fmt: skip
# And the agenda's rules: a clash with another session, a client who is not active, a past
# session that cannot be moved, a series with no session in it, a status that cannot change.
AGENDA_RULES = {
    "starts_at", "client", "professional", "duration", "start_date", "until", "session",
    "series", "status", "room", "price", "start", "end",
}  # fmt: skip
# And messaging's: SMS off in the practice, a recipient without an address on the channel, a
# text of spaces or too long for the channel, a time in the past or over a year ahead.
MESSAGE_RULES = {"channel", "recipient", "body", "subject", "send_at", "client", "status"}
# And animals': a microchip already used in the practice.
ANIMAL_RULES = {"microchip"}


def _seeded(kind: str, value: Any, *, path: bool = False) -> Any:
    """Most valid ids become ids of the seeded practice. Only valid ones: an id out of range,
    or a string in a body, stays as it is, or a negative case would turn positive."""
    number = int(value) if path and isinstance(value, str) and value.isdigit() else value
    if type(number) is float and number.is_integer():
        number = int(number)  # JSON Schema's integers include 12.0
    ids = SEEDED[kind]
    if not ids or type(number) is not int or not 1 <= number < 2**63 or number % 4 == 0:
        return value
    found = ids[number % len(ids)]
    return str(found) if isinstance(value, str) else found


def aim_at_the_practice(case) -> None:
    """Send the fuzzing past the 404 and the 409: generated ids become real clients,
    professionals and groups of the practice, and a PATCH's `version` the current one.
    (In the test rather than a `map_case` hook, which the coverage phase does not call.)"""
    for name, value in (case.path_parameters or {}).items():
        if name in ID_FIELDS:
            case.path_parameters[name] = _seeded(ID_FIELDS[name], value, path=True)
    if isinstance(case.body, dict):
        body = case.body
        for name in body.keys() & ID_FIELDS.keys():
            body[name] = _seeded(ID_FIELDS[name], body[name])
        if isinstance(body.get("professionals"), list):
            body["professionals"] = [_seeded("professionals", p) for p in body["professionals"]]
        if "anamnesis_group" in body:
            body["anamnesis_group"] = _seeded("anamnesis_groups", body["anamnesis_group"])
        client_id = str((case.path_parameters or {}).get("client_id"))
        if type(body.get("version")) is int and client_id.isdigit() and int(client_id) < 2**63:
            current = Client.objects.filter(pk=int(client_id)).values_list("version", flat=True)
            body["version"] = current.first() or body["version"]


def positive_bodies_fail_only_on_form_rules(ctx, response, case) -> None:
    """Instead of schemathesis' positive_data_acceptance: a request the document accepts may
    still break a rule of the form or of the agenda, and must be refused for that only."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    assert response.status_code in {200, 201, 204, 401, 403, 404, 409, 412, 422, 428}, (
        f"a schema-valid request got {response.status_code}"
    )
    if response.status_code == 422:
        fields = set(json.loads(response.content)["errors"])
        rules = FORM_RULES | (
            AGENDA_RULES if "/sessions" in case.path or "/series" in case.path else set()
        )
        rules |= MESSAGE_RULES if "/messages" in case.path else set()
        rules |= ANIMAL_RULES if "/animals" in case.path else set()
        assert fields <= rules, f"a schema-valid body refused for {fields - rules}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[dict[str, str]]:
    """Practice A and an owner's token, committed for the whole module and deleted after.

    Hypothesis runs many examples in one test call and warns about function-scoped fixtures
    (such as `a`), which would not be reset between examples: the data is made once here."""
    # Django closes "old" connections when a request starts and ends; under a test that would
    # close the test database's connection (PostgreSQL: "the connection is closed").
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        a = testing.build_practice_a()
        _, secret = ApiToken.issue(a.owner, name="schemathesis")
        SEEDED["clients"] = [c.pk for c in a.clients.values()]
        SEEDED["professionals"] = list(
            Professional.objects.filter(practice=a.practice).values_list("pk", flat=True)
        )
        group = AnamnesisGroup.objects.create(practice=a.practice, name="Adults")
        SEEDED["anamnesis_groups"] = [group.pk]
        service = save_service(by=a.owner, name="Terapia", default_duration=50, default_price=None)
        room = save_room(by=a.owner, name="Sala 1")
        today = timezone.localdate(timezone.now(), a.practice.tz)
        series = book_series(
            by=a.owner,
            client=a.clients["João da Silva"],
            professional=a.other_professional,
            start_date=today + datetime.timedelta(days=1),
            at=datetime.time(18),
            rule=Rule(WEEKLY, count=8),
            service=service,
            room=room,
        )
        SEEDED["series"], SEEDED["services"], SEEDED["rooms"] = [series.pk], [service.pk], [room.pk]
        SEEDED["sessions"] = list(series.sessions.values_list("pk", flat=True))
        rex = add_animal(
            by=a.owner, client=a.clients["João da Silva"], name="Rex", species="dog",
            microchip="616093900000001",
        )  # fmt: skip
        SEEDED["animals"] = [rex.pk]
        try:
            yield {"Authorization": f"Bearer {secret}"}
        finally:
            for ids in SEEDED.values():
                ids.clear()
            users = list(
                User.objects.filter(memberships__practice=a.practice).values_list("pk", flat=True)
            )
            Session.objects.filter(practice=a.practice).delete()  # their professionals are
            Series.objects.filter(practice=a.practice).delete()  # protected from deletion
            Practice.objects.filter(pk=a.practice.pk).delete()
            User.objects.filter(pk__in=users).delete()
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_its_contract(case, world):
    aim_at_the_practice(case)
    excluded, additional = [], []
    # Instead of positive_data_acceptance: a request the document accepts may still break a
    # rule of the form or of the agenda (a range of dates that ends before it starts).
    excluded.append(positive_data_acceptance)
    additional.append(positive_bodies_fail_only_on_form_rules)
    if any(isinstance(value, dict) for value in (case.query or {}).values()):
        # An object in a query parameter goes out as its keys (`?key=value`, or nothing at all
        # for `{}`): parameters the API does not know and ignores, as said above.
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers=world, excluded_checks=excluded, additional_checks=additional)

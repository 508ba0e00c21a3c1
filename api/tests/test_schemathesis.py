"""Fuzzing the API in-process from its own OpenAPI document (schemathesis).

Every operation gets positive and negative examples; each answer must be declared in the
document and match its schema, malformed input must be refused, and nothing may give a 500.
Runs against SQLite and PostgreSQL (a NUL byte, accepted by SQLite, is an error on PostgreSQL).
"""

import datetime
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api.models import ApiToken
from billing.models import (
    Allocation,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentType,
    Payment,
    Settlement,
    StockMovement,
)
from billing.services import (
    LineInput,
    adjust_stock,
    issue_document,
    record_payment,
    save_product,
    save_warehouse,
    settle_documents,
)
from clientbook import testing
from clientbook.wsgi import application
from clients.models import Client
from documents.samples import sample_pdf
from documents.services import add_attachment, create_document, save_template
from intake.models import AnamnesisGroup, AnamnesisRevision
from intake.services import add_question
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
    "services": [], "rooms": [], "animals": [], "goods": [], "warehouses": [],
    "document_types": [], "documents": [], "payments": [], "settlements": [],
    "billable_sessions": [], "attachments": [], "client_documents": [],
    "document_templates": [], "questions": [],
}  # fmt: skip
# Which seeded ids a path parameter or a body field of one id takes.
ID_FIELDS = {
    "client_id": "clients", "session_id": "sessions", "series_id": "series",
    "client": "clients", "professional": "professionals", "service": "services",
    "room": "rooms", "from_session": "sessions", "animal_id": "animals", "animal": "animals",
    "good_id": "goods", "warehouse_id": "warehouses", "document_type_id": "document_types",
    "document_id": "documents", "payment_id": "payments", "settlement_id": "settlements",
    "good": "goods", "warehouse": "warehouses", "document_type": "document_types",
    "attachment_id": "attachments", "client_document_id": "client_documents",
    "template": "document_templates", "session": "sessions",
}  # fmt: skip
# And inside a sale's lines (a line's session is one that can be billed).
LINE_ID_FIELDS = {
    "service": "services", "good": "goods", "session": "billable_sessions", "animal": "animals",
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
# session that cannot be moved, a series with no session in it, a status that cannot change,
# an animal that is not the client's (or any animal in a therapy practice, as practice A is).
AGENDA_RULES = {
    "starts_at", "client", "professional", "duration", "start_date", "until", "session",
    "series", "status", "room", "price", "start", "end", "animal",
}  # fmt: skip
# And messaging's: SMS off in the practice, a recipient without an address on the channel, a
# text of spaces or too long for the channel, a time in the past or over a year ahead.
MESSAGE_RULES = {"channel", "recipient", "body", "subject", "send_at", "client", "status"}
# And animals': a microchip already used in the practice.
ANIMAL_RULES = {"microchip"}
# And documents' and anamnesis' (an answer's key is its question's id: "answers.12" is
# "answers"): a template or session of another client, a template whose placeholders need a
# session, a text of spaces; an answer of the wrong kind, a required question unanswered, an id
# that is not a question of the client's form.
DOCUMENT_RULES = {"template", "session", "body", "title", "answers"}
# And sales' (keys with their line index or line id taken out: "lines.2.quantity" is
# "lines.quantity"): a name or prefix taken, the last active type of a kind, a stock level
# below zero, a client who may not buy, a type that is not for sale or a closed warehouse, a
# line's price, quantity or total out of range, a session billed already, an animal of another
# client, dates out of range, more paid than is open, documents of another client or settled
# already, a paper reversed or corrected already; and two or three decimals (see above).
SALES_RULES = {
    "name", "prefix", "kind", "is_active", "price", "tax_rate", "quantity", "warehouse", "good",
    "reason", "client", "document_type", "lines", "lines.service", "lines.good",
    "lines.session", "lines.animal", "lines.quantity", "lines.unit_price",
    "lines.discount_percent", "lines.tax_rate", "lines.description", "sale_date", "due_date",
    "payment", "payment.amount", "payment.method", "payment.paid_on", "quantities", "documents",
    "amount", "paid_on", "method", "__all__",
}  # fmt: skip


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
        if isinstance(body.get("documents"), list):
            body["documents"] = [_seeded("documents", d) for d in body["documents"]]
        for line in body.get("lines") or []:
            if isinstance(line, dict):
                for name in line.keys() & LINE_ID_FIELDS.keys():
                    line[name] = _seeded(LINE_ID_FIELDS[name], line[name])
        client_id = str((case.path_parameters or {}).get("client_id"))
        if type(body.get("version")) is int and client_id.isdigit() and int(client_id) < 2**63:
            current = Client.objects.filter(pk=int(client_id)).values_list("version", flat=True)
            body["version"] = current.first() or body["version"]
        if isinstance(body.get("answers"), dict):
            body["answers"] = {
                _seeded("questions", key, path=True): value
                for key, value in body["answers"].items()
            }
        if (
            case.path.endswith("/anamnesis")
            and type(body.get("revision")) is int
            and body["revision"] >= 0  # a negative case stays one
            and client_id.isdigit()
            and int(client_id) < 2**63
        ):
            latest = AnamnesisRevision.objects.filter(client_id=int(client_id)).order_by("-number")
            body["revision"] = latest.values_list("number", flat=True).first() or 0


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
        if case.path.startswith("/api/v1/sales/"):
            fields = {re.sub(r"\.\d+", "", field) for field in fields}
            rules |= SALES_RULES
        if "/documents" in case.path or "/anamnesis" in case.path:
            fields = {field.split(".")[0] for field in fields}
            rules |= DOCUMENT_RULES
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
        _sales(a, service)
        forget_papers = _papers(a)
        try:
            yield {"Authorization": f"Bearer {secret}"}
        finally:
            for ids in SEEDED.values():
                ids.clear()
            users = list(
                User.objects.filter(memberships__practice=a.practice).values_list("pk", flat=True)
            )
            _delete_sales(a.practice)
            forget_papers()
            Session.objects.filter(practice=a.practice).delete()  # their professionals are
            Series.objects.filter(practice=a.practice).delete()  # protected from deletion
            Practice.objects.filter(pk=a.practice.pk).delete()
            User.objects.filter(pk__in=users).delete()
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _sales(a: testing.PracticeWorld, service) -> None:
    """The catalog, a billable session, four invoices of João's: one paid in part, one open,
    two settled together."""
    shampoo = save_product(by=a.owner, name="Shampoo", unit="pc", price=Decimal("19.99"))
    front = save_warehouse(by=a.owner, name="Front desk")
    adjust_stock(
        by=a.owner, warehouse=front, product=shampoo, quantity=Decimal(100), reason="delivery"
    )
    joao = a.clients["João da Silva"]
    invoice = DocumentType.objects.get(practice=a.practice, kind=DocumentKind.INVOICE)
    lines = [LineInput(service=service, unit_price=Decimal("150.00")), LineInput(product=shampoo)]
    documents = [
        issue_document(
            by=a.owner, client=joao, document_type=invoice, warehouse=front, lines=lines
        ).document
        for _ in range(4)
    ]
    payment = record_payment(
        by=a.owner, client=joao, documents=documents[:1], amount=Decimal(50), method="cash"
    )
    settlement = settle_documents(by=a.owner, client=joao, documents=documents[2:], method="pix")
    starts = timezone.now() - datetime.timedelta(days=2)
    attended = Session.objects.create(
        practice=a.practice, client=joao, professional=a.other_professional, starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=50), status="attended", price=Decimal(100),
    )  # fmt: skip
    SEEDED["goods"], SEEDED["warehouses"] = [shampoo.pk], [front.pk]
    SEEDED["document_types"] = list(
        DocumentType.objects.filter(practice=a.practice).values_list("pk", flat=True)
    )
    SEEDED["documents"] = [d.pk for d in documents]
    SEEDED["payments"] = [payment.pk, settlement.payment.pk]
    SEEDED["settlements"] = [settlement.pk]
    SEEDED["billable_sessions"] = [attended.pk]


def _delete_sales(practice: Practice) -> None:
    """Papers protect their types, goods and corrected documents from deletion."""
    Allocation.objects.filter(practice=practice).delete()
    Payment.objects.filter(practice=practice).delete()
    Settlement.objects.filter(practice=practice).delete()
    StockMovement.objects.filter(practice=practice).delete()
    DocumentLine.objects.filter(practice=practice, corrects__isnull=False).delete()
    DocumentLine.objects.filter(practice=practice).delete()
    Document.objects.filter(practice=practice, corrects__isnull=False).delete()
    Document.objects.filter(practice=practice).delete()


def _papers(a: testing.PracticeWorld) -> Callable[[], None]:
    """A file attached to João's card (stored in a temporary folder for the module), a
    template and a document written from it, and questions of each kind in the "Adults" form,
    which João's card names. Returns what undoes the folder."""
    folder = tempfile.TemporaryDirectory()
    media = override_settings(MEDIA_ROOT=folder.name)
    media.enable()
    joao = a.clients["João da Silva"]
    group = AnamnesisGroup.objects.get(practice=a.practice)
    Client.objects.filter(pk=joao.pk).update(anamnesis_group=group)
    joao.refresh_from_db()
    for kind in ("short_text", "long_text", "yes_no", "date", "number"):
        add_question(by=a.owner, group=group, text=f"Q {kind}", kind=kind)
    add_question(by=a.owner, group=group, text="Q choice", kind="choice", choices=["A", "B"])
    upload = SimpleUploadedFile("exame.pdf", sample_pdf("Exame"))
    attachment = add_attachment(by=a.owner, client=joao, file=upload)
    template = save_template(by=a.owner, name="Declaração", body="{client_name}, {today}.")
    document = create_document(by=a.owner, client=joao, template=template)
    SEEDED["attachments"], SEEDED["client_documents"] = [attachment.pk], [document.pk]
    SEEDED["document_templates"] = [template.pk]
    SEEDED["questions"] = list(group.questions.values_list("pk", flat=True))

    def undo() -> None:
        media.disable()
        folder.cleanup()

    return undo


# The multipart upload is left out: generated bytes are never a real PDF or image, so every
# example would only be refused on `file` (422) after writing a temporary file; the example
# tests (test_documents_api.py) cover that route with real files.
@schema.exclude(method="POST", path="/api/v1/clients/{client_id}/attachments").parametrize()
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
    if any(
        isinstance(value, dict) or (isinstance(value, list) and len(value) < 2)
        for value in (case.query or {}).values()
    ):
        # An object in a query parameter goes out as its keys (`?key=value`, or nothing at all
        # for `{}`): parameters the API does not know and ignores, as said above. A list of
        # one value goes out as that value (`?client=5`), an empty one as nothing at all.
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers=world, excluded_checks=excluded, additional_checks=additional)

"""Sales in the API: the catalog and stock, issuing documents (totals, warnings, payment at
once), reading and printing them, credit notes, payments and settlements with their
reversals, a client's billable sessions and balance, keyset pages; and the tables that
test_api_tenancy.py reads for these routes (another practice's token, each role's rights)."""

import datetime
import itertools
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import timezone

from api.models import ApiToken
from billing.models import (
    Allocation,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentType,
    Payment,
    Product,
    Settlement,
    StockLevel,
    StockMovement,
    Warehouse,
)
from billing.services import adjust_stock, save_product, save_warehouse
from clientbook.testing import PracticeWorld
from clients.models import Client
from pets.models import Animal
from practices.models import Member
from practices.services import set_user_language
from scheduling.models import Service, Session, SessionStatus
from scheduling.services import save_service

pytestmark = pytest.mark.django_db

JSON = "application/json"


class Api:
    """A member's token on every call (test_api_tenancy.py imports this module, so not its)."""

    def __init__(self, member: Member):
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {ApiToken.issue(member)[1]}"}

    def call(self, method: str, path: str, body: Any = None, **params: Any):
        send = getattr(self.http, method.lower())
        if body is None:
            return send(f"/api/v1{path}", params, headers=self.headers)
        return send(f"/api/v1{path}", body, JSON, headers=self.headers)


# Rows made directly, without the services: no timeline events, so the tenancy tests can
# compare the events before and after a refused call. Numbers far above the services' own.

NUMBERS = itertools.count(900_000)


def _today(world: PracticeWorld) -> datetime.date:
    return timezone.localdate(timezone.now(), world.practice.tz)


def make_good(world: PracticeWorld, **fields: Any) -> Product:
    fields.setdefault("name", f"Good {next(NUMBERS)}")
    return Product.objects.create(practice=world.practice, **fields)


def make_warehouse(world: PracticeWorld) -> Warehouse:
    return Warehouse.objects.create(practice=world.practice, name=f"Store {next(NUMBERS)}")


def make_type(world: PracticeWorld, kind: str = DocumentKind.INVOICE) -> DocumentType:
    number = next(NUMBERS)
    return DocumentType.objects.create(
        practice=world.practice, kind=kind, name=f"Type {number}", prefix=f"T{number}"
    )


def _type(world: PracticeWorld, kind: str) -> DocumentType:
    return DocumentType.objects.filter(practice=world.practice, kind=kind).order_by("pk").first()


def _numbered(world: PracticeWorld, client: Client, kind: str) -> dict[str, Any]:
    document_type, number, today = _type(world, kind), next(NUMBERS), _today(world)
    return {
        "practice": world.practice, "client": client, "type": document_type,
        "kind": kind, "number": f"{document_type.prefix}/{number}", "year": today.year,
        "sequence": number, "issue_date": today, "currency": world.practice.currency,
        "client_code": client.code, "billing_name": client.full_name,
    }  # fmt: skip


def make_document(world: PracticeWorld, client: Client, total: str = "150.00") -> Document:
    """An invoice of one line, all of it open."""
    amount = Decimal(total)
    document = Document.objects.create(
        **_numbered(world, client, DocumentKind.INVOICE), sale_date=_today(world),
        net_total=amount, tax_total=0, total=amount, open_amount=amount,
    )  # fmt: skip
    DocumentLine.objects.create(
        practice=world.practice, document=document, client=client, issue_date=_today(world),
        position=1, description="Consulta", quantity=1, unit_price=amount, tax_rate=0,
        net=amount, tax=0, total=amount,
    )  # fmt: skip
    return document


def _allocate(payment: Payment, document: Document, part: Decimal) -> None:
    Allocation.objects.create(
        practice_id=payment.practice_id, payment=payment, document=document, amount=part
    )
    Document.objects.filter(pk=document.pk).update(open_amount=document.open_amount - part)


def make_payment(world: PracticeWorld, client: Client, amount: str = "50.00") -> Payment:
    """A partial payment of a new invoice of the client's."""
    document = make_document(world, client)
    payment = Payment.objects.create(
        **_numbered(world, client, DocumentKind.PAYMENT), amount=Decimal(amount), method="pix",
        paid_on=_today(world),
    )  # fmt: skip
    _allocate(payment, document, payment.amount)
    return payment


def make_settlement(world: PracticeWorld, client: Client) -> Settlement:
    """Two new invoices of the client's, settled."""
    documents = [make_document(world, client, "100.00"), make_document(world, client, "50.00")]
    settlement = Settlement.objects.create(
        **_numbered(world, client, DocumentKind.SETTLEMENT), total=Decimal("150.00")
    )
    payment = Payment.objects.create(
        **_numbered(world, client, DocumentKind.PAYMENT), amount=Decimal("150.00"),
        method="cash", paid_on=_today(world), settlement=settlement,
    )  # fmt: skip
    for document in documents:
        _allocate(payment, document, document.open_amount)
    return settlement


def billing_rows() -> tuple:
    """Everything of sales a refused call must leave as it was, in every practice."""
    return (
        list(Product.objects.order_by("pk").values()),
        list(Warehouse.objects.order_by("pk").values()),
        list(DocumentType.objects.order_by("pk").values()),
        list(StockLevel.objects.order_by("pk").values()),
        list(StockMovement.objects.order_by("pk").values_list("pk", flat=True)),
        list(Document.objects.order_by("pk").values("pk", "open_amount")),
        list(DocumentLine.objects.order_by("pk").values_list("pk", flat=True)),
        list(Payment.objects.order_by("pk").values("pk", "reversed_at")),
        list(Settlement.objects.order_by("pk").values("pk", "reversed_at")),
        list(Allocation.objects.order_by("pk").values_list("pk", flat=True)),
    )


# For test_api_tenancy.py: another practice's token, and each role's rights. The papers of
# the routes that take one are João's (a client of Bruno, so not of Ana the professional).

GOODS, GOOD = "/sales/goods", "/sales/goods/{good_id}"
WAREHOUSES, WAREHOUSE = "/sales/warehouses", "/sales/warehouses/{warehouse_id}"
TYPES, TYPE = "/sales/document-types", "/sales/document-types/{document_type_id}"
DOCUMENTS, DOCUMENT = "/sales/documents", "/sales/documents/{document_id}"
PAYMENTS, PAYMENT = "/sales/payments", "/sales/payments/{payment_id}"
SETTLEMENTS, SETTLEMENT = "/sales/settlements", "/sales/settlements/{settlement_id}"
MOVEMENTS = "/sales/stock-movements"

LIST_GOODS, ADD_GOOD = ("GET", GOODS), ("POST", GOODS)
READ_GOOD, CHANGE_GOOD = ("GET", GOOD), ("PATCH", GOOD)
LIST_WAREHOUSES, ADD_WAREHOUSE = ("GET", WAREHOUSES), ("POST", WAREHOUSES)
CHANGE_WAREHOUSE, STOCK = ("PATCH", WAREHOUSE), ("GET", f"{WAREHOUSE}/stock")
LIST_MOVEMENTS, ADD_MOVEMENT = ("GET", MOVEMENTS), ("POST", MOVEMENTS)
LIST_TYPES, ADD_TYPE, CHANGE_TYPE = ("GET", TYPES), ("POST", TYPES), ("PATCH", TYPE)
LIST_DOCUMENTS, ISSUE = ("GET", DOCUMENTS), ("POST", DOCUMENTS)
READ_DOCUMENT, PDF = ("GET", DOCUMENT), ("GET", f"{DOCUMENT}/pdf")
CREDIT = ("POST", f"{DOCUMENT}/credit")
BILLABLE = ("GET", "/clients/{client_id}/billable-sessions")
BALANCE = ("GET", "/clients/{client_id}/balance")
LIST_PAYMENTS, PAY = ("GET", PAYMENTS), ("POST", PAYMENTS)
READ_PAYMENT, REVERSE_PAYMENT = ("GET", PAYMENT), ("POST", f"{PAYMENT}/reverse")
LIST_SETTLEMENTS, SETTLE = ("GET", SETTLEMENTS), ("POST", SETTLEMENTS)
READ_SETTLEMENT = ("GET", SETTLEMENT)
REVERSE_SETTLEMENT = ("POST", f"{SETTLEMENT}/reverse")


def _joao(world: PracticeWorld) -> Client:
    return world.clients["João da Silva"]


def fill_path(path: str, world: PracticeWorld) -> str:
    """A row of the world's practice for the routes that take one."""
    makers = {
        "{good_id}": lambda: make_good(world),
        "{warehouse_id}": lambda: make_warehouse(world),
        "{document_type_id}": lambda: make_type(world),
        "{document_id}": lambda: make_document(world, _joao(world)),
        "{payment_id}": lambda: make_payment(world, _joao(world)),
        "{settlement_id}": lambda: make_settlement(world, _joao(world)),
    }
    for name, make in makers.items():
        if name in path:
            path = path.replace(name, str(make().pk))
    return path


def _sale(world: PracticeWorld) -> dict[str, Any]:
    return {
        "client": _joao(world).pk,
        "document_type": _type(world, DocumentKind.INVOICE).pk,
        "lines": [{"description": "Consulta", "unit_price": "150.00"}],
    }


BODIES = {
    ADD_GOOD: {"name": "Shampoo", "price": "19.99"},
    CHANGE_GOOD: {"price": "25.00"},
    ADD_WAREHOUSE: {"name": "Front desk"},
    CHANGE_WAREHOUSE: {"name": "Back room"},
    ADD_MOVEMENT: lambda w: {"warehouse": make_warehouse(w).pk, "good": make_good(w).pk,
                             "quantity": "10", "reason": "delivery"},
    ADD_TYPE: {"kind": "receipt", "name": "Recibo avulso", "prefix": "RA"},
    CHANGE_TYPE: {"name": "Nota fiscal"},
    ISSUE: _sale,
    CREDIT: {"reason": "Cobrado em dobro"},
    PAY: lambda w: {"client": _joao(w).pk, "documents": [make_document(w, _joao(w)).pk],
                    "amount": "50.00", "method": "pix"},
    REVERSE_PAYMENT: {"reason": "Lançado por engano"},
    SETTLE: lambda w: {"client": _joao(w).pk, "method": "cash",
                       "documents": [make_document(w, _joao(w)).pk,
                                     make_document(w, _joao(w)).pk]},
    REVERSE_SETTLEMENT: {"reason": "Lançado por engano"},
}  # fmt: skip

EVERYONE = ("owner", "admin", "reception", "professional")
STAFF = ("owner", "admin", "reception")
MANAGERS = ("owner", "admin")


def _rights(allowed: tuple[str, ...], status: int, refused: int) -> dict[str, int]:
    return {role: status if role in allowed else refused for role in EVERYONE}


# Reading the catalog is for everyone; changing it for the owner and admins; stock for the
# front desk. A professional's sale or payment for João (not their client) names him as not
# found (422: an id in the body), and his papers do not exist for them (404).
RIGHTS = {
    LIST_GOODS: _rights(EVERYONE, 200, 0),
    READ_GOOD: _rights(EVERYONE, 200, 0),
    ADD_GOOD: _rights(MANAGERS, 201, 403),
    CHANGE_GOOD: _rights(MANAGERS, 200, 403),
    LIST_WAREHOUSES: _rights(EVERYONE, 200, 0),
    STOCK: _rights(EVERYONE, 200, 0),
    ADD_WAREHOUSE: _rights(MANAGERS, 201, 403),
    CHANGE_WAREHOUSE: _rights(MANAGERS, 200, 403),
    LIST_MOVEMENTS: _rights(EVERYONE, 200, 0),
    ADD_MOVEMENT: _rights(STAFF, 201, 403),
    LIST_TYPES: _rights(EVERYONE, 200, 0),
    ADD_TYPE: _rights(MANAGERS, 201, 403),
    CHANGE_TYPE: _rights(MANAGERS, 200, 403),
    LIST_DOCUMENTS: _rights(EVERYONE, 200, 0),
    LIST_PAYMENTS: _rights(EVERYONE, 200, 0),
    LIST_SETTLEMENTS: _rights(EVERYONE, 200, 0),
    ISSUE: _rights(STAFF, 201, 422),
    PAY: _rights(STAFF, 201, 422),
    SETTLE: _rights(STAFF, 201, 422),
    READ_DOCUMENT: _rights(STAFF, 200, 404),
    PDF: _rights(STAFF, 200, 404),
    CREDIT: _rights(STAFF, 201, 404),
    READ_PAYMENT: _rights(STAFF, 200, 404),
    REVERSE_PAYMENT: _rights(STAFF, 200, 404),
    READ_SETTLEMENT: _rights(STAFF, 200, 404),
    REVERSE_SETTLEMENT: _rights(STAFF, 200, 404),
    BILLABLE: {**dict.fromkeys(STAFF, 200), "professional/others": 404, "professional/own": 200},
    BALANCE: {**dict.fromkeys(STAFF, 200), "professional/others": 404, "professional/own": 200},
}


def _same_as_nobody(intruder, method: str, own: str, body: Any = None) -> None:
    """`own` (a path with practice A's id) answers exactly what an id never given answers."""
    nobody = re.sub(r"/\d+", "/999999", own, count=1)
    expected = intruder.call(method, nobody, body)
    assert expected.status_code == 404, nobody
    response = intruder.call(method, own, body)
    assert (response.status_code, response.json()) == (404, expected.json()), own


def _cross_by_id(operation: tuple[str, str]):
    def attempt(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
        method, path = operation
        body = BODIES.get(operation)
        body = body(b) if callable(body) else body
        for client in (_joao(a), a.clients["Ana's client"]):
            own = fill_path(path.replace("{client_id}", str(client.pk)), a)
            make_document(a, client)  # something to read, to bill or to correct
            before = billing_rows()
            _same_as_nobody(intruder, method, own, body)
            assert billing_rows() == before

    return attempt


def _cross_lists(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
    joao = _joao(a)
    good, warehouse = make_good(a), make_warehouse(a)
    StockMovement.objects.create(
        practice=a.practice, warehouse=warehouse, product=good, quantity=1, level_after=1,
        reason="delivery",
    )  # fmt: skip
    make_type(a)
    make_payment(a, joao)
    make_settlement(a, joao)
    for path, model, params in [
        (GOODS, Product, {}),
        (WAREHOUSES, Warehouse, {}),
        (TYPES, DocumentType, {}),
        (MOVEMENTS, StockMovement, {}),
        (MOVEMENTS, StockMovement, {"warehouse": warehouse.pk}),
        (MOVEMENTS, StockMovement, {"good": good.pk}),
        (DOCUMENTS, Document, {}),
        (DOCUMENTS, Document, {"client": joao.pk}),
        (DOCUMENTS, Document, {"open": "true", "limit": 200}),
        (PAYMENTS, Payment, {}),
        (PAYMENTS, Payment, {"client": joao.pk}),
        (SETTLEMENTS, Settlement, {}),
        (SETTLEMENTS, Settlement, {"client": joao.pk}),
    ]:
        response = intruder.call("GET", path, **params)
        assert response.status_code == 200, path
        items = response.json()
        items = items["items"] if isinstance(items, dict) else items
        a_ids = set(model.objects.filter(practice=a.practice).values_list("pk", flat=True))
        assert not a_ids & {item["id"] for item in items}, (path, params)
        if path != TYPES:  # B has its own document types, and no other sales rows
            assert items == [], (path, params)


def _created_in_b(intruder, path: str, body: dict, model, b: PracticeWorld) -> None:
    """B's owner makes the row in B (a name or prefix A uses is no obstacle; B's reception
    may not), then it is rolled back: the tenancy test checks that nothing changed."""
    with transaction.atomic():
        response = intruder.call("POST", path, body)
        assert response.status_code in (201, 403), response.json()
        if response.status_code == 201:
            assert model.objects.get(pk=response.json()["id"]).practice_id == b.practice.pk
        transaction.set_rollback(True)


def _cross_add_good(intruder, a, b) -> None:
    _created_in_b(intruder, GOODS, {"name": make_good(a).name}, Product, b)


def _cross_add_warehouse(intruder, a, b) -> None:
    _created_in_b(intruder, WAREHOUSES, {"name": make_warehouse(a).name}, Warehouse, b)


def _cross_add_type(intruder, a, b) -> None:
    prefix = make_type(a).prefix
    body = {"kind": "invoice", "name": "Faktura", "prefix": prefix}
    _created_in_b(intruder, TYPES, body, DocumentType, b)


def _refused_on(intruder, path: str, body: dict, field: str, a_value: Any, nobody: Any) -> None:
    """A's id in `field` of the body: a 422 on that field, word for word what an id never
    given gets."""
    expected = intruder.call("POST", path, _put(body, field, nobody))
    assert expected.status_code == 422, expected.json()
    response = intruder.call("POST", path, _put(body, field, a_value))
    assert (response.status_code, response.json()) == (422, expected.json()), field
    assert field in response.json()["errors"]


def _put(body: dict, field: str, value: Any) -> dict:
    body = {**body, "lines": [dict(line) for line in body.get("lines", [])]}
    if field.startswith("lines."):
        _, index, name = field.split(".")
        body["lines"][int(index)][name] = value
    else:
        body[field] = value
    return body


def _a_session(a: PracticeWorld) -> Session:
    starts = timezone.now() - datetime.timedelta(days=1)
    return Session.objects.create(
        practice=a.practice, client=_joao(a), professional=a.other_professional,
        starts_at=starts, ends_at=starts + datetime.timedelta(minutes=50),
        status=SessionStatus.ATTENDED, price=Decimal("150.00"),
    )  # fmt: skip


def _cross_add_movement(intruder, a, b) -> None:
    before = billing_rows()
    body = {"warehouse": make_warehouse(b).pk, "good": make_good(b).pk, "quantity": "5",
            "reason": "delivery"}  # fmt: skip
    _refused_on(intruder, MOVEMENTS, body, "warehouse", make_warehouse(a).pk, 999_999)
    _refused_on(intruder, MOVEMENTS, body, "good", make_good(a).pk, 999_999)
    assert billing_rows()[3:] == before[3:]


def _cross_issue(intruder, a, b) -> None:
    before = billing_rows()
    body = {**_sale(b), "warehouse": make_warehouse(b).pk}
    joao = _joao(a)
    service = Service.objects.create(practice=a.practice, name="Terapia", default_price=100)
    animal = Animal.objects.create(practice=a.practice, client=joao, name="Rex", species="dog")
    for field, a_value in [
        ("client", joao.pk),
        ("document_type", _type(a, DocumentKind.INVOICE).pk),
        ("warehouse", make_warehouse(a).pk),
        ("lines.0.service", service.pk),
        ("lines.0.good", make_good(a).pk),
        ("lines.0.session", _a_session(a).pk),
        ("lines.0.animal", animal.pk),
    ]:
        _refused_on(intruder, DOCUMENTS, body, field, a_value, 999_999)
    assert billing_rows()[3:] == before[3:]


def _cross_pay(path: str, count: int):
    def attempt(intruder, a, b) -> None:
        b_joao = _joao(b)
        body = {"client": b_joao.pk, "method": "cash",
                "documents": [make_document(b, b_joao).pk for _ in range(count)]}  # fmt: skip
        if path == PAYMENTS:
            body["amount"] = "10.00"
        a_documents = [make_document(a, _joao(a)).pk for _ in range(count)]
        before = billing_rows()
        _refused_on(intruder, path, body, "client", _joao(a).pk, 999_999)
        _refused_on(intruder, path, body, "documents", a_documents, [999_999] * count)
        assert billing_rows() == before

    return attempt


CROSS_PRACTICE = {
    **dict.fromkeys(
        [LIST_GOODS, LIST_WAREHOUSES, LIST_MOVEMENTS, LIST_TYPES, LIST_DOCUMENTS, LIST_PAYMENTS,
         LIST_SETTLEMENTS],
        _cross_lists,
    ),
    ADD_GOOD: _cross_add_good,
    ADD_WAREHOUSE: _cross_add_warehouse,
    ADD_TYPE: _cross_add_type,
    ADD_MOVEMENT: _cross_add_movement,
    ISSUE: _cross_issue,
    PAY: _cross_pay(PAYMENTS, 1),
    SETTLE: _cross_pay(SETTLEMENTS, 2),
    **{
        operation: _cross_by_id(operation)
        for operation in (READ_GOOD, CHANGE_GOOD, CHANGE_WAREHOUSE, STOCK, CHANGE_TYPE,
                          READ_DOCUMENT, PDF, CREDIT, BILLABLE, BALANCE, READ_PAYMENT,
                          REVERSE_PAYMENT, READ_SETTLEMENT, REVERSE_SETTLEMENT)
    },
}  # fmt: skip


# The routes.


@pytest.fixture(autouse=True)
def english(a):
    for member in (a.owner, a.reception, a.professional):
        set_user_language(member.user, "en")


@pytest.fixture
def reception(a) -> Api:
    return Api(a.reception)


@pytest.fixture
def therapy(a) -> Service:
    return save_service(
        by=a.owner, name="Psychotherapy", default_duration=50, default_price=Decimal("150.00")
    )


@pytest.fixture
def shampoo(a) -> Product:
    return save_product(
        by=a.owner, name="Shampoo", unit="pc", price=Decimal("19.99"), tax_rate=Decimal("23")
    )


@pytest.fixture
def front(a, shampoo) -> Warehouse:
    front = save_warehouse(by=a.owner, name="Front desk")
    adjust_stock(
        by=a.owner, warehouse=front, product=shampoo, quantity=Decimal(10), reason="delivery"
    )
    return front


@pytest.fixture
def invoice(a) -> DocumentType:
    return _type(a, DocumentKind.INVOICE)


def issue(api: Api, a, client: Client, lines: list[dict], **fields: Any):
    body = {"client": client.pk, "document_type": _type(a, DocumentKind.INVOICE).pk,
            "lines": lines, **fields}  # fmt: skip
    return api.call("POST", DOCUMENTS, body)


def consultation(api: Api, a, client: Client, price: str = "150.00") -> dict:
    response = issue(api, a, client, [{"description": "Consulta", "unit_price": price}])
    assert response.status_code == 201, response.json()
    return response.json()


def test_it_issues_a_service_and_a_good_with_exact_totals(a, reception, therapy, shampoo, front):
    joao = _joao(a)
    response = issue(
        reception, a, joao,
        [{"service": therapy.pk}, {"good": shampoo.pk, "quantity": "3"}],
        warehouse=front.pk, notes="Obrigado",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    sale = response.json()
    assert re.fullmatch(r"NF/\d{4}/0001", sale["number"])
    # 150.00 + 3 * 19.99 = 59.97 net, tax 23% = 13.79 (13.7931 rounded): strings, exact.
    assert (sale["net_total"], sale["tax_total"], sale["total"], sale["open_amount"]) == (
        "209.97", "13.79", "223.76", "223.76",
    )  # fmt: skip
    assert (sale["kind"], sale["client"], sale["currency"], sale["notes"]) == (
        "invoice", joao.pk, "BRL", "Obrigado",
    )  # fmt: skip
    assert sale["billed_to"]["name"] == "João da Silva"
    assert sale["billed_to"]["client_code"] == joao.code
    good = sale["lines"][1]
    assert good == {
        **good, "good": shampoo.pk, "service": None, "description": "Shampoo", "unit": "pc",
        "quantity": "3.000", "unit_price": "19.99", "tax_rate": "23.00", "net": "59.97",
        "tax": "13.79", "total": "73.76", "credited": "0.000",
    }  # fmt: skip
    assert sale["lines"][0]["service"] == therapy.pk
    assert (sale["warnings"], sale["payment"], sale["payments"]) == ([], None, [])
    assert reception.call("GET", f"{DOCUMENTS}/{sale['id']}").json() == {
        k: v for k, v in sale.items() if k not in ("warnings", "payment")
    }
    stock = reception.call("GET", f"{WAREHOUSES}/{front.pk}/stock").json()
    assert [(s["good"]["name"], s["quantity"]) for s in stock] == [("Shampoo", "7.000")]


def test_selling_below_zero_stock_warns(a, reception, shampoo, front):
    response = issue(
        reception, a, _joao(a), [{"good": shampoo.pk, "quantity": 12}], warehouse=front.pk
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == ["Shampoo: 10 in stock in Front desk, 12 sold."]


def test_a_payment_taken_at_once_closes_the_document(a, reception, therapy):
    response = issue(reception, a, _joao(a), [{"service": therapy.pk}], payment={"method": "pix"})
    assert response.status_code == 201, response.json()
    sale = response.json()
    assert sale["open_amount"] == "0.00"
    assert sale["payment"]["amount"] == "150.00"
    assert sale["payment"]["allocations"] == [
        {"document": sale["id"], "number": sale["number"], "amount": "150.00"}
    ]
    assert [p["payment"] for p in sale["payments"]] == [sale["payment"]["id"]]


def test_a_payment_larger_than_the_sale_is_refused_on_its_field(a, reception, therapy):
    response = issue(
        reception, a, _joao(a), [{"service": therapy.pk}],
        payment={"method": "pix", "amount": "150.01"},
    )  # fmt: skip
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["payment.amount"]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"quantity": "abc"}, "lines.1.quantity", 'Enter a number such as 150 or "150.00".'),
        ({"quantity": 0}, "lines.1.quantity", "Input should be greater than 0"),
        ({"unit_price": "1.001"}, "lines.1.unit_price", None),
        ({"tax_rate": "101"}, "lines.1.tax_rate", None),
        ({"unit_price": None}, "lines.1.unit_price", "Enter a price."),
        ({"good": 999_999}, "lines.1.good", "Not found."),
    ],
)
def test_a_bad_line_is_refused_naming_the_line_and_field(a, reception, line, field, message):
    lines = [
        {"description": "Consulta", "unit_price": "150.00"},
        {"description": "Outra", "unit_price": "10.00", **line},
    ]
    response = issue(reception, a, _joao(a), lines)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert not Document.objects.exists()


def test_a_stock_level_out_of_range_is_refused_on_the_lines(a, reception, shampoo, front):
    line = {"good": shampoo.pk, "quantity": "999999999.999", "unit_price": "0.01"}
    assert issue(reception, a, _joao(a), [line], warehouse=front.pk).status_code == 201
    response = issue(reception, a, _joao(a), [line], warehouse=front.pk)
    assert response.status_code == 422
    assert response.json()["errors"] == {"lines": ["This quantity is too large."]}


def test_a_line_of_good_and_service_is_refused_on_the_good(a, reception, therapy, shampoo):
    response = issue(reception, a, _joao(a), [{"service": therapy.pk, "good": shampoo.pk}])
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "lines.0.good": ["A line is a service or a good, not both."]
    }


def test_it_pays_partly_then_reverses(a, reception):
    joao = _joao(a)
    sale = consultation(reception, a, joao)
    body = {"client": joao.pk, "documents": [sale["id"]], "amount": "100.00", "method": "cash"}
    response = reception.call("POST", PAYMENTS, body)
    assert response.status_code == 201, response.json()
    payment = response.json()
    assert (payment["amount"], payment["method"], payment["reversed_at"]) == (
        "100.00", "cash", None,
    )  # fmt: skip
    assert payment["allocations"] == [
        {"document": sale["id"], "number": sale["number"], "amount": "100.00"}
    ]
    assert reception.call("GET", f"{DOCUMENTS}/{sale['id']}").json()["open_amount"] == "50.00"
    balance = reception.call("GET", f"/clients/{joao.pk}/balance").json()
    assert (balance["owed"], balance["currency"]) == ("50.00", "BRL")
    assert [d["id"] for d in balance["open_documents"]] == [sale["id"]]
    too_much = reception.call("POST", PAYMENTS, {**body, "amount": "50.01"})
    assert list(too_much.json()["errors"]) == ["amount"]

    url = f"{PAYMENTS}/{payment['id']}"
    assert reception.call("GET", url).json() == payment
    assert reception.call("POST", f"{url}/reverse", {"reason": " "}).status_code == 422
    response = reception.call("POST", f"{url}/reverse", {"reason": "Wrong client"})
    assert response.status_code == 200, response.json()
    assert response.json()["reverse_reason"] == "Wrong client"
    assert response.json()["reversed_at"]
    assert reception.call("GET", f"/clients/{joao.pk}/balance").json()["owed"] == "150.00"
    again = reception.call("POST", f"{url}/reverse", {"reason": "Twice"})
    assert again.status_code == 422
    listed = reception.call("GET", PAYMENTS, client=joao.pk).json()
    assert [p["id"] for p in listed["items"]] == [payment["id"]]


def test_it_settles_two_documents_and_reverses_the_settlement(a, reception):
    joao = _joao(a)
    first, second = consultation(reception, a, joao), consultation(reception, a, joao, "80.50")
    body = {"client": joao.pk, "documents": [first["id"], second["id"]], "method": "transfer",
            "reference": "TED 123"}  # fmt: skip
    response = reception.call("POST", SETTLEMENTS, body)
    assert response.status_code == 201, response.json()
    settlement = response.json()
    assert (settlement["total"], settlement["method"], settlement["reference"]) == (
        "230.50", "transfer", "TED 123",
    )  # fmt: skip
    assert {d["document"]: d["amount"] for d in settlement["documents"]} == {
        first["id"]: "150.00", second["id"]: "80.50",
    }  # fmt: skip
    assert reception.call("GET", f"/clients/{joao.pk}/balance").json()["owed"] == "0.00"
    payment = reception.call("GET", f"{PAYMENTS}/{settlement['payment']}").json()
    assert payment["settlement"] == settlement["id"]
    refused = reception.call("POST", f"{PAYMENTS}/{payment['id']}/reverse", {"reason": "x"})
    assert refused.status_code == 422  # reversed with its settlement

    url = f"{SETTLEMENTS}/{settlement['id']}"
    assert reception.call("GET", url).json() == settlement
    assert reception.call("GET", SETTLEMENTS).json()["items"] == [settlement]
    response = reception.call("POST", f"{url}/reverse", {"reason": "Cheque devolvido"})
    assert response.status_code == 200, response.json()
    assert response.json()["reverse_reason"] == "Cheque devolvido"
    assert reception.call("GET", f"/clients/{joao.pk}/balance").json()["owed"] == "230.50"


def test_one_document_is_not_a_settlement(a, reception):
    joao = _joao(a)
    sale = consultation(reception, a, joao)
    body = {"client": joao.pk, "documents": [sale["id"]], "method": "cash"}
    response = reception.call("POST", SETTLEMENTS, body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["documents"]


def test_a_credit_note_corrects_part_of_a_document(a, reception, therapy, shampoo, front):
    joao = _joao(a)
    response = issue(
        reception, a, joao, [{"service": therapy.pk}, {"good": shampoo.pk, "quantity": 3}],
        warehouse=front.pk,
    )  # fmt: skip
    sale = response.json()
    good_line = sale["lines"][1]["id"]
    url = f"{DOCUMENTS}/{sale['id']}/credit"
    too_many = reception.call("POST", url, {"reason": "Returned", "quantities": {good_line: 4}})
    assert too_many.status_code == 422
    assert list(too_many.json()["errors"]) == [f"quantities.{good_line}"]
    elsewhere = reception.call("POST", url, {"reason": "Returned", "quantities": {"999999": 1}})
    assert list(elsewhere.json()["errors"]) == ["quantities"]

    response = reception.call("POST", url, {"reason": "Returned", "quantities": {good_line: 1}})
    assert response.status_code == 201, response.json()
    note = response.json()
    assert (note["kind"], note["corrects"], note["notes"]) == (
        "credit_note", sale["id"], "Returned",
    )  # fmt: skip
    assert (note["total"], note["lines"][0]["quantity"], note["lines"][0]["corrects"]) == (
        "-24.59", "-1.000", good_line,
    )  # fmt: skip
    original = reception.call("GET", f"{DOCUMENTS}/{sale['id']}").json()
    assert original["open_amount"] == "199.17"  # 223.76 - 24.59
    assert original["lines"][1]["credited"] == "1.000"
    assert [n["id"] for n in original["credit_notes"]] == [note["id"]]
    stock = reception.call("GET", f"{WAREHOUSES}/{front.pk}/stock").json()
    assert stock[0]["quantity"] == "8.000"

    service_line = sale["lines"][0]["id"]
    response = reception.call("POST", url, {"reason": "Not held", "quantities": {service_line: 1}})
    assert response.json()["total"] == "-150.00"
    assert reception.call("GET", f"/clients/{joao.pk}/balance").json()["owed"] == "49.17"


def test_a_credit_note_without_quantities_corrects_all_that_is_left(a, reception):
    joao = _joao(a)
    sale = consultation(reception, a, joao)
    url = f"{DOCUMENTS}/{sale['id']}/credit"
    response = reception.call("POST", url, {"reason": "Cancelled"})
    assert response.status_code == 201, response.json()
    assert (response.json()["total"], response.json()["open_amount"]) == ("-150.00", "0.00")
    assert reception.call("GET", f"/clients/{joao.pk}/balance").json()["owed"] == "0.00"
    again = reception.call("POST", url, {"reason": "Again"})
    assert again.status_code == 422
    assert again.json()["errors"] == {"__all__": ["Nothing left to credit on this document."]}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_an_issued_document_cannot_be_changed_or_deleted(a, reception, method):
    sale = consultation(reception, a, _joao(a))
    before = billing_rows()
    response = reception.call(method, f"{DOCUMENTS}/{sale['id']}", {"total": "1.00"})
    assert response.status_code == 405
    assert billing_rows() == before


def test_the_pdf_is_the_document_printed(a, reception):
    sale = consultation(reception, a, _joao(a))
    response = reception.call("GET", f"{DOCUMENTS}/{sale['id']}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "NF-" in response["Content-Disposition"]


def test_a_professional_sees_only_their_own_clients_documents(a, reception):
    own = consultation(reception, a, a.clients["Ana's client"])
    others = consultation(reception, a, _joao(a))
    ana = Api(a.professional)
    listed = ana.call("GET", DOCUMENTS).json()["items"]
    assert [d["id"] for d in listed] == [own["id"]]
    assert ana.call("GET", DOCUMENTS, client=_joao(a).pk).json()["items"] == []
    assert ana.call("GET", f"{DOCUMENTS}/{own['id']}").status_code == 200
    for path in (f"{DOCUMENTS}/{others['id']}", f"{DOCUMENTS}/{others['id']}/pdf"):
        response = ana.call("GET", path)
        assert response.status_code == 404
        assert response.json() == {"detail": "No such document."}
    # Their own client's document exists for them, but correcting it is not their role's.
    credit = ana.call("POST", f"{DOCUMENTS}/{own['id']}/credit", {"reason": "Erro"})
    assert credit.status_code == 403


def test_reception_cannot_change_document_types(a, reception, invoice):
    before = billing_rows()
    response = reception.call("PATCH", f"{TYPES}/{invoice.pk}", {"name": "Fatura"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this."}
    response = reception.call("POST", TYPES, {"kind": "invoice", "name": "X", "prefix": "X"})
    assert response.status_code == 403
    assert billing_rows() == before


def test_the_owner_adds_and_changes_document_types(a, invoice):
    owner = Api(a.owner)
    response = owner.call("POST", TYPES, {"kind": "receipt", "name": "Recibo B", "prefix": "rb"})
    assert response.status_code == 201, response.json()
    assert (response.json()["prefix"], response.json()["is_active"]) == ("RB", True)
    refused = owner.call("POST", TYPES, {"kind": "credit_note", "name": "NC", "prefix": "NC2"})
    assert list(refused.json()["errors"]) == ["kind"]
    response = owner.call("PATCH", f"{TYPES}/{invoice.pk}", {"name": "Nota fiscal"})
    assert (response.json()["name"], response.json()["prefix"]) == ("Nota fiscal", "NF")
    last = owner.call("PATCH", f"{TYPES}/{invoice.pk}", {"is_active": False})
    assert list(last.json()["errors"]) == ["is_active"]
    kinds = [t["kind"] for t in owner.call("GET", TYPES).json()]
    assert sorted(set(kinds)) == sorted(DocumentKind.values)


def test_the_owner_keeps_the_catalog(a):
    owner = Api(a.owner)
    response = owner.call("POST", GOODS, {"name": "Shampoo", "price": 19.99, "tax_rate": "23"})
    assert response.status_code == 201, response.json()
    good = response.json()
    assert (good["price"], good["tax_rate"], good["unit"]) == ("19.99", "23.00", "")
    twin = owner.call("POST", GOODS, {"name": "Shampoo"})
    assert list(twin.json()["errors"]) == ["name"]
    changed = owner.call("PATCH", f"{GOODS}/{good['id']}", {"unit": "pc", "price": None})
    assert (changed.json()["unit"], changed.json()["price"]) == ("pc", "19.99")
    assert owner.call("GET", f"{GOODS}/{good['id']}").json() == changed.json()
    assert [g["name"] for g in owner.call("GET", GOODS).json()] == ["Shampoo"]

    warehouse = owner.call("POST", WAREHOUSES, {"name": "Front desk"}).json()
    closed = owner.call("PATCH", f"{WAREHOUSES}/{warehouse['id']}", {"is_active": False})
    assert closed.json() == {**warehouse, "is_active": False}
    assert owner.call("GET", WAREHOUSES).json() == [closed.json()]


def test_stock_moves_and_is_listed_newest_first(a, reception, shampoo):
    front, back = make_warehouse(a), make_warehouse(a)
    body = {"warehouse": front.pk, "good": shampoo.pk, "quantity": "10", "reason": "delivery"}
    response = reception.call("POST", MOVEMENTS, body)
    assert response.status_code == 201, response.json()
    assert (response.json()["quantity"], response.json()["level_after"]) == ("10.000", "10.000")
    assert response.json()["by"] == "Rita Reception"
    damaged = reception.call("POST", MOVEMENTS, {**body, "quantity": "-1.5", "reason": "damage"})
    assert damaged.json()["level_after"] == "8.500"
    short = reception.call("POST", MOVEMENTS, {**body, "quantity": -9, "reason": "count"})
    assert (short.status_code, list(short.json()["errors"])) == (422, ["quantity"])
    sale = reception.call("POST", MOVEMENTS, {**body, "reason": "sale"})
    assert list(sale.json()["errors"]) == ["reason"]
    reception.call("POST", MOVEMENTS, {**body, "warehouse": back.pk})

    listed = reception.call("GET", MOVEMENTS, warehouse=front.pk).json()
    assert [m["quantity"] for m in listed["items"]] == ["-1.500", "10.000"]
    assert len(reception.call("GET", MOVEMENTS, good=shampoo.pk).json()["items"]) == 3
    assert Api(a.professional).call("POST", MOVEMENTS, body).status_code == 403


def test_documents_come_in_keyset_pages_newest_first(a, reception):
    joao = _joao(a)
    made = [make_document(a, joao) for _ in range(5)]
    old = make_document(a, joao)
    Document.objects.filter(pk=old.pk).update(issue_date=_today(a) - datetime.timedelta(days=40))
    expected = [d.pk for d in reversed(made)] + [old.pk]
    seen, cursor = [], None
    while True:
        page = reception.call("GET", DOCUMENTS, limit=2, **({"after": cursor} if cursor else {}))
        seen += [d["id"] for d in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    back = reception.call("GET", DOCUMENTS, limit=2, before=page.json()["previous_cursor"])
    assert [d["id"] for d in back.json()["items"]] == expected[2:4]
    since = str(_today(a) - datetime.timedelta(days=7))
    recent = reception.call("GET", DOCUMENTS, start=since).json()["items"]
    assert [d["id"] for d in recent] == expected[:5]
    Document.objects.filter(pk=made[0].pk).update(open_amount=0)
    still_open = reception.call("GET", DOCUMENTS, open="true").json()["items"]
    assert made[0].pk not in {d["id"] for d in still_open}
    assert reception.call("GET", DOCUMENTS, kind="credit_note").json()["items"] == []


def test_the_lists_read_a_fixed_number_of_queries(a, django_assert_num_queries):
    for _ in range(3):
        make_payment(a, _joao(a))
        make_settlement(a, _joao(a))
    reception = Api(a.reception)
    reception.call("GET", DOCUMENTS)  # the token is touched once in five minutes
    # The token, the page of documents with their types.
    with django_assert_num_queries(2):
        response = reception.call("GET", DOCUMENTS)
    assert len(response.json()["items"]) == 9
    # The token, the page of payments, their allocations with their documents.
    with django_assert_num_queries(3):
        response = reception.call("GET", PAYMENTS)
    assert len(response.json()["items"]) == 6
    # The token, the page of settlements with their payments, the payments' allocations with
    # their documents.
    with django_assert_num_queries(3):
        response = reception.call("GET", SETTLEMENTS)
    assert len(response.json()["items"]) == 3


def test_billable_sessions_are_those_not_billed_yet(a, reception, therapy):
    joao = _joao(a)
    session = _a_session(a)
    Session.objects.filter(pk=session.pk).update(service=therapy)
    url = f"/clients/{joao.pk}/billable-sessions"
    listed = reception.call("GET", url).json()
    assert [(s["id"], s["status"], s["price"]) for s in listed] == [
        (session.pk, "attended", "150.00")
    ]
    response = issue(reception, a, joao, [{"session": session.pk}])
    assert response.status_code == 201, response.json()
    line = response.json()["lines"][0]
    assert (line["session"], line["service"], line["total"]) == (session.pk, therapy.pk, "150.00")
    assert reception.call("GET", url).json() == []
    twice = issue(reception, a, joao, [{"session": session.pk}])
    assert list(twice.json()["errors"]) == ["lines.0.session"]


def test_a_sale_to_another_practices_client_says_only_not_found(a, b, reception):
    response = issue(reception, a, _joao(b), [{"description": "x", "unit_price": 1}])
    assert response.status_code == 422
    assert response.json()["errors"] == {"client": ["No such client."]}

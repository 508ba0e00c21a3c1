"""Sales in the REST API, under /sales/ as on the pages: the catalog (goods, warehouses and
their stock, document types), sales documents (issued, read, printed, corrected by a credit
note; never changed or deleted), payments and collective settlements (recorded, reversed);
and a client's billable sessions and balance.

The same access layer (billing/access.py) and services (billing/services.py) as the pages.
Amounts go out as exact decimal strings ("150.00"; negative: owed back to the client),
quantities with three places ("1.000"). An id in the path that the caller may not see is a
404; one in the body (another practice's, or a colleague's client's for a professional) is
invalid input on that field, a 422 that says no more than "not found"."""

import base64
import datetime
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import quote

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DateField, DateTimeField, F, Prefetch, QuerySet, Sum
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, StrictBool, WithJsonSchema
from pydantic_core import PydanticCustomError

from api.agenda import SessionOut, session_out
from api.routes import BODY_ERRORS, ERRORS, NO_NUL, Day, Id, IdIn, Str20, Str40, Str100, Str200
from billing import pdf
from billing.access import get_catalog_row, get_paper_for_member, visible
from billing.models import (
    MANUAL_REASONS,
    SALE_KINDS,
    Allocation,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentType,
    Numbered,
    Payment,
    Product,
    Settlement,
    StockLevel,
    StockMovement,
    Warehouse,
)
from billing.services import (
    MAX_LINES,
    LineInput,
    PaymentInput,
    add_document_type,
    adjust_stock,
    balance,
    billable_sessions,
    credit_document,
    issue_document,
    open_documents,
    record_payment,
    reverse_payment,
    reverse_settlement,
    save_document_type,
    save_product,
    save_warehouse,
    settle_documents,
)
from clients.access import get_client_for_member, visible_clients
from clients.models import Client, PaymentMethod
from pets.access import visible_animals
from practices import roles
from practices.models import Member
from scheduling.access import visible_sessions
from scheduling.models import Service

router = Router(tags=["sales"])

CENT, THOUSANDTH = Decimal("0.01"), Decimal("0.001")

# Decimal inputs: a JSON number or a decimal string as the API writes them ("150.00").


def _decimal_text(pattern: str):
    def check(value: Any) -> Any:
        # Decimal() would also read " 1", "+1", "1e2" or "NaN"; and a JSON true is not 1.
        if isinstance(value, bool) or (isinstance(value, str) and not re.fullmatch(pattern, value)):
            raise PydanticCustomError("decimal", _('Enter a number such as 150 or "150.00".'))
        return value

    return check


def _decimal_schema(pattern: str, number: dict[str, Any], description: str) -> dict[str, Any]:
    # No `multipleOf`: binary floats make it disagree with itself.
    return {
        "anyOf": [{"type": "number", **number}, {"type": "string", "pattern": f"^{pattern}$"}],
        "description": description,
    }


MONEY_TEXT = r"[0-9]{1,10}(\.[0-9]{1,2})?"
QUANTITY_TEXT = r"[0-9]{1,9}(\.[0-9]{1,3})?"
SIGNED_QUANTITY_TEXT = r"-?[0-9]{1,9}(\.[0-9]{1,3})?"
PERCENT_TEXT = r"(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)"
MAX_MONEY, MAX_QUANTITY = Decimal("9999999999.99"), Decimal("999999999.999")

Money = Annotated[
    Decimal,
    Field(ge=0, le=MAX_MONEY, max_digits=12, decimal_places=2),
    BeforeValidator(_decimal_text(MONEY_TEXT)),
    WithJsonSchema(
        _decimal_schema(
            MONEY_TEXT, {"minimum": 0, "maximum": 9999999999.99}, "At most two decimals."
        )
    ),
]
Quantity = Annotated[
    Decimal,
    Field(gt=0, le=MAX_QUANTITY, max_digits=12, decimal_places=3),
    BeforeValidator(_decimal_text(QUANTITY_TEXT)),
    WithJsonSchema(
        _decimal_schema(
            QUANTITY_TEXT,
            {"exclusiveMinimum": 0, "maximum": 999999999.999},
            "Above zero, at most three decimals.",
        )
    ),
]
CREDIT_QUANTITY_SCHEMA = _decimal_schema(
    QUANTITY_TEXT, {"minimum": 0, "maximum": 999999999.999}, "At most three decimals."
)
CreditQuantity = Annotated[
    Decimal,
    Field(ge=0, le=MAX_QUANTITY, max_digits=12, decimal_places=3),
    BeforeValidator(_decimal_text(QUANTITY_TEXT)),
    WithJsonSchema(CREDIT_QUANTITY_SCHEMA),
]
StockQuantity = Annotated[
    Decimal,
    Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY, max_digits=12, decimal_places=3),
    BeforeValidator(_decimal_text(SIGNED_QUANTITY_TEXT)),
    WithJsonSchema(
        _decimal_schema(
            SIGNED_QUANTITY_TEXT,
            {"minimum": -999999999.999, "maximum": 999999999.999},
            "Signed: a delivery adds (+10), damage or a count removes (-2). Not zero.",
        )
    ),
]
Percent = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=5, decimal_places=2),
    BeforeValidator(_decimal_text(PERCENT_TEXT)),
    WithJsonSchema(
        _decimal_schema(PERCENT_TEXT, {"minimum": 0, "maximum": 100}, "Percent, 0 to 100.")
    ),
]
LINE_ID = r"^[1-9][0-9]{0,18}$"
CreditQuantities = Annotated[
    dict[Annotated[str, Field(pattern=LINE_ID)], CreditQuantity],
    WithJsonSchema(
        {
            "type": "object",
            "propertyNames": {"pattern": LINE_ID},
            "additionalProperties": CREDIT_QUANTITY_SCHEMA,
            "description": "Quantity to credit per line id; lines not named are not credited.",
        }
    ),
]

Cursor = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[A-Za-z0-9_=-]+$")]
Limit = Annotated[int, Field(ge=1, le=200)]
GoodName = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
WarehouseName = Annotated[str, Field(min_length=1, max_length=120, pattern=NO_NUL)]
TypeName = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
Prefix = Annotated[
    str,
    Field(
        min_length=1,
        max_length=10,
        pattern=r"^[A-Za-z0-9-]+$",
        description="Letters, digits and hyphens; kept in capitals. Unique in the practice.",
    ),
]
Reason = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
Notes = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]
MethodIn = Literal[tuple(PaymentMethod.values)]  # type: ignore[valid-type]
SaleKindIn = Literal[tuple(k.value for k in SALE_KINDS)]  # type: ignore[valid-type]
DocumentKindIn = Literal[  # type: ignore[valid-type]
    tuple(k.value for k in (*SALE_KINDS, DocumentKind.CREDIT_NOTE))
]
ManualReasonIn = Literal[tuple(r.value for r in MANUAL_REASONS)]  # type: ignore[valid-type]
DocumentIds = Annotated[list[IdIn], Field(min_length=1, max_length=MAX_LINES)]


# Schemas: the catalog.


class GoodOut(Schema):
    id: int
    name: str
    code: str
    unit: str
    price: Decimal = Field(description="Net of tax.")
    tax_rate: Decimal = Field(description="Percent, 0 to 100.")
    is_active: bool


class GoodIn(Schema):
    name: GoodName = Field(description="Unique in the practice.")
    code: Str40 = ""
    unit: Str20 = ""
    price: Money = Decimal(0)
    tax_rate: Percent = Decimal(0)
    is_active: StrictBool = True


class GoodPatchIn(Schema):
    """Only the fields sent change; `null` leaves a field as it is."""

    name: GoodName | None = None
    code: Str40 | None = None
    unit: Str20 | None = None
    price: Money | None = None
    tax_rate: Percent | None = None
    is_active: StrictBool | None = None


class WarehouseOut(Schema):
    id: int
    name: str
    is_active: bool


class WarehouseIn(Schema):
    name: WarehouseName = Field(description="Unique in the practice.")
    is_active: StrictBool = True


class WarehousePatchIn(Schema):
    name: WarehouseName | None = None
    is_active: StrictBool | None = None


class StockLevelOut(Schema):
    good: GoodOut
    quantity: Decimal = Field(description="In stock; below zero if sold short.")


class StockMovementOut(Schema):
    id: int
    warehouse: int
    good: int
    good_name: str
    quantity: Decimal = Field(description="Signed: +10 delivered, -1 sold.")
    level_after: Decimal
    reason: str
    note: str
    document: int | None = Field(description="The sale or credit note that moved it.")
    by: str
    created_at: datetime.datetime


class StockMovementPage(Schema):
    items: list[StockMovementOut]
    next_cursor: str | None
    previous_cursor: str | None


class StockMovementIn(Schema):
    warehouse: IdIn
    good: IdIn
    quantity: StockQuantity
    reason: ManualReasonIn
    note: Str200 = ""


class DocumentTypeOut(Schema):
    id: int
    kind: str
    name: str
    prefix: str
    is_active: bool


class DocumentTypeIn(Schema):
    kind: SaleKindIn = Field(description="New types are of the sale kinds only.")
    name: TypeName
    prefix: Prefix


class DocumentTypePatchIn(Schema):
    """Numbers already given keep their prefix. The last active type of a kind stays active."""

    name: TypeName | None = None
    prefix: Prefix | None = None
    is_active: StrictBool | None = None


# Schemas: documents, payments, settlements.


class BilledTo(Schema):
    """The buyer as the paper was issued to them (later changes to the card do not show)."""

    client_code: str
    name: str
    tax_id: str
    address: str


class SaleLineOut(Schema):
    id: int
    position: int
    service: int | None
    good: int | None
    session: int | None
    animal: int | None
    corrects: int | None = Field(description="On a credit note: the line it corrects.")
    description: str
    unit: str
    quantity: Decimal = Field(description="Negative on a credit note.")
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    credited: Decimal = Field(description="How much of the quantity credit notes took back.")


class SaleDocumentSummary(Schema):
    id: int
    number: str
    kind: str
    type: int
    type_name: str
    client: int | None
    billing_name: str
    issue_date: datetime.date
    sale_date: datetime.date
    due_date: datetime.date | None
    currency: str
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    open_amount: Decimal = Field(
        description="Still owed; negative on a credit note: owed back to the client."
    )
    corrects: int | None = Field(description="On a credit note: the document it corrects.")


class DocumentPaymentOut(Schema):
    payment: int
    number: str
    settlement: int | None
    method: str
    paid_on: datetime.date
    amount: Decimal
    reversed: bool


class SaleDocumentOut(SaleDocumentSummary):
    billed_to: BilledTo
    issued_at: datetime.datetime
    issued_by: str
    warehouse: int | None
    notes: str
    lines: list[SaleLineOut]
    credit_notes: list[SaleDocumentSummary] = Field(description="Credit notes correcting it.")
    payments: list[DocumentPaymentOut] = Field(description="What payments allocated to it.")


class SaleDocumentPage(Schema):
    items: list[SaleDocumentSummary]
    next_cursor: str | None
    previous_cursor: str | None


class AllocationOut(Schema):
    document: int
    number: str
    amount: Decimal


class PaymentOut(Schema):
    id: int
    number: str
    client: int | None
    billed_to: BilledTo
    issue_date: datetime.date
    currency: str
    amount: Decimal
    method: str
    paid_on: datetime.date
    reference: str
    note: str
    settlement: int | None = Field(description="The collective settlement it belongs to.")
    allocations: list[AllocationOut]
    reversed_at: datetime.datetime | None
    reverse_reason: str


class PaymentPage(Schema):
    items: list[PaymentOut]
    next_cursor: str | None
    previous_cursor: str | None


class SettlementOut(Schema):
    id: int
    number: str
    client: int | None
    billed_to: BilledTo
    issue_date: datetime.date
    currency: str
    total: Decimal
    payment: int
    method: str
    paid_on: datetime.date
    reference: str
    documents: list[AllocationOut] = Field(description="What it settled on each document.")
    reversed_at: datetime.datetime | None
    reverse_reason: str


class SettlementPage(Schema):
    items: list[SettlementOut]
    next_cursor: str | None
    previous_cursor: str | None


class SaleLineIn(Schema):
    """A service or a good (or neither, with a description and a price); a session bills it
    (its service, price and date by default). Unset fields come from the service, the good
    or the session."""

    service: IdIn | None = None
    good: IdIn | None = None
    session: IdIn | None = Field(None, description="An attended or missed session not billed yet.")
    animal: IdIn | None = Field(None, description="The client's animal (veterinary practices).")
    quantity: Quantity = Decimal(1)
    unit_price: Money | None = Field(None, description="Net of tax.")
    discount_percent: Percent = Decimal(0)
    tax_rate: Percent | None = None
    description: Str200 = ""
    unit: Str20 | None = None


class PaymentNowIn(Schema):
    method: MethodIn
    paid_on: Day | None = Field(None, description="Today if omitted.")
    amount: Money | None = Field(None, description="The whole total if omitted.")
    reference: Str100 = ""


class SaleIn(Schema):
    client: IdIn
    document_type: IdIn = Field(description="An active type of kind invoice, receipt or pro-forma.")
    warehouse: IdIn | None = Field(None, description="Where goods leave from (not a pro-forma).")
    lines: list[SaleLineIn] = Field(min_length=1, max_length=MAX_LINES)
    sale_date: Day | None = Field(None, description="Today if omitted; at most a year away.")
    due_date: Day | None = None
    notes: Notes = ""
    payment: PaymentNowIn | None = Field(None, description="Money taken at once.")


class SaleOut(SaleDocumentOut):
    warnings: list[str] = Field(description="Goods sold below zero stock, as sentences.")
    payment: PaymentOut | None = Field(description="The payment taken at once.")


class CreditIn(Schema):
    reason: Reason
    quantities: CreditQuantities | None = Field(
        None, description="Omitted: all that is left of every line."
    )


class PaymentIn(Schema):
    client: IdIn
    documents: DocumentIds = Field(description="Paid oldest first, each up to what is open.")
    amount: Money
    method: MethodIn
    paid_on: Day | None = Field(None, description="Today if omitted.")
    reference: Str100 = ""
    note: Str200 = ""


class SettlementIn(Schema):
    client: IdIn
    documents: DocumentIds = Field(description="At least two of the client's open documents.")
    method: MethodIn
    paid_on: Day | None = Field(None, description="Today if omitted.")
    reference: Str100 = ""


class ReversalIn(Schema):
    reason: Reason


class BalanceOut(Schema):
    client: int
    currency: str
    owed: Decimal = Field(description="Negative: the practice owes the client.")
    open_documents: list[SaleDocumentSummary] = Field(description="Oldest first.")


# Output.


def _money(value: Decimal) -> Decimal:
    # Exactly two places, and never "-0.00".
    return value.quantize(CENT) + 0


def _quantity(value: Decimal) -> Decimal:
    return value.quantize(THOUSANDTH) + 0


def good_out(good: Product) -> dict[str, Any]:
    return {
        "id": good.pk,
        "name": good.name,
        "code": good.code,
        "unit": good.unit,
        "price": _money(good.price),
        "tax_rate": _money(good.tax_rate),
        "is_active": good.is_active,
    }


def warehouse_out(warehouse: Warehouse) -> dict[str, Any]:
    return {"id": warehouse.pk, "name": warehouse.name, "is_active": warehouse.is_active}


def movement_out(movement: StockMovement) -> dict[str, Any]:
    return {
        "id": movement.pk,
        "warehouse": movement.warehouse_id,
        "good": movement.product_id,
        "good_name": movement.product.name,
        "quantity": _quantity(movement.quantity),
        "level_after": _quantity(movement.level_after),
        "reason": movement.reason,
        "note": movement.note,
        "document": movement.document_id,
        "by": str(movement.by.user) if movement.by else "",
        "created_at": movement.created_at,
    }


def type_out(document_type: DocumentType) -> dict[str, Any]:
    return {
        "id": document_type.pk,
        "kind": document_type.kind,
        "name": document_type.name,
        "prefix": document_type.prefix,
        "is_active": document_type.is_active,
    }


def _billed_to(paper: Numbered) -> dict[str, str]:
    return {
        "client_code": paper.client_code,
        "name": paper.billing_name,
        "tax_id": paper.billing_tax_id,
        "address": paper.billing_address,
    }


def document_summary(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "number": document.number,
        "kind": document.kind,
        "type": document.type_id,
        "type_name": document.type.name,
        "client": document.client_id,
        "billing_name": document.billing_name,
        "issue_date": document.issue_date,
        "sale_date": document.sale_date,
        "due_date": document.due_date,
        "currency": document.currency,
        "net_total": _money(document.net_total),
        "tax_total": _money(document.tax_total),
        "total": _money(document.total),
        "open_amount": _money(document.open_amount),
        "corrects": document.corrects_id,
    }


def _line_out(line: DocumentLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "position": line.position,
        "service": line.service_id,
        "good": line.product_id,
        "session": line.session_id,
        "animal": line.animal_id,
        "corrects": line.corrects_id,
        "description": line.description,
        "unit": line.unit,
        "quantity": _quantity(line.quantity),
        "unit_price": _money(line.unit_price),
        "discount_percent": _money(line.discount_percent),
        "tax_rate": _money(line.tax_rate),
        "net": _money(line.net),
        "tax": _money(line.tax),
        "total": _money(line.total),
        "credited": _quantity(-(line.credited or Decimal(0))),  # type: ignore[attr-defined]
    }


def document_out(document: Document) -> dict[str, Any]:
    """The document with its lines, credit notes and payments (four queries)."""
    document = Document.objects.select_related("type", "issued_by__user").get(pk=document.pk)
    lines = document.lines.annotate(credited=Sum("corrections__quantity")).order_by("position")
    allocations = document.allocations.select_related("payment").order_by("payment__pk")
    return {
        **document_summary(document),
        "billed_to": _billed_to(document),
        "issued_at": document.issued_at,
        "issued_by": str(document.issued_by.user) if document.issued_by else "",
        "warehouse": document.warehouse_id,
        "notes": document.notes,
        "lines": [_line_out(line) for line in lines],
        "credit_notes": [
            document_summary(note)
            for note in document.credit_notes.select_related("type").order_by("pk")
        ],
        "payments": [
            {
                "payment": a.payment_id,
                "number": a.payment.number,
                "settlement": a.payment.settlement_id,
                "method": a.payment.method,
                "paid_on": a.payment.paid_on,
                "amount": _money(a.amount),
                "reversed": a.payment.reversed_at is not None,
            }
            for a in allocations
        ],
    }


def _allocations_out(payment: Payment) -> list[dict[str, Any]]:
    return [
        {"document": a.document_id, "number": a.document.number, "amount": _money(a.amount)}
        for a in payment.allocations.all()
    ]


def _allocations(lookup: str) -> Prefetch:
    """What payment_out and settlement_out show of the allocations, in one query for a page."""
    allocations = Allocation.objects.select_related("document")
    return Prefetch(lookup, queryset=allocations.order_by("document__issue_date", "document_id"))


def payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "number": payment.number,
        "client": payment.client_id,
        "billed_to": _billed_to(payment),
        "issue_date": payment.issue_date,
        "currency": payment.currency,
        "amount": _money(payment.amount),
        "method": payment.method,
        "paid_on": payment.paid_on,
        "reference": payment.reference,
        "note": payment.note,
        "settlement": payment.settlement_id,
        "allocations": _allocations_out(payment),
        "reversed_at": payment.reversed_at,
        "reverse_reason": payment.reverse_reason,
    }


def settlement_out(settlement: Settlement) -> dict[str, Any]:
    payment = settlement.payment
    return {
        "id": settlement.pk,
        "number": settlement.number,
        "client": settlement.client_id,
        "billed_to": _billed_to(settlement),
        "issue_date": settlement.issue_date,
        "currency": settlement.currency,
        "total": _money(settlement.total),
        "payment": payment.pk,
        "method": payment.method,
        "paid_on": payment.paid_on,
        "reference": payment.reference,
        "documents": _allocations_out(payment),
        "reversed_at": settlement.reversed_at,
        "reverse_reason": settlement.reverse_reason,
    }


def _payments(member: Member) -> QuerySet[Payment]:
    return visible(member, Payment).prefetch_related(_allocations("allocations"))


def _settlements(member: Member) -> QuerySet[Settlement]:
    return (
        visible(member, Settlement)
        .select_related("payment")
        .prefetch_related(_allocations("payment__allocations"))
    )


# Keyset pages, newest first: a cursor is the (column, id) of the row it continues from.


def _encode_cursor(value: datetime.date, pk: int) -> str:
    raw = json.dumps([value.isoformat(), pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, field: DateField) -> tuple[datetime.date, int] | None:
    """A cursor comes from the URL: anything not shaped like ours is ignored (page 1), as the
    client list does."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if type(pk) is not int or not 0 < pk < 2**63 or not isinstance(value, str):
            return None
        if isinstance(field, DateTimeField):
            moment = parse_datetime(value)
            if moment is None or moment.tzinfo is None or not 1900 <= moment.year <= 9998:
                return None
            return moment, pk
        return datetime.date.fromisoformat(value), pk
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def _page(
    rows: QuerySet, column: str, *, after: str | None, before: str | None, limit: int
) -> tuple[list, str | None, str | None]:
    """One page of `rows`, newest `column` first (ties: newest id first), with the cursors of
    the next (older) and previous (newer) pages. Deep pages cost what page 1 costs."""
    field = rows.model._meta.get_field(column)
    key = Tuple(F(column), F("pk"))
    ordering = [F(column).desc(), F("pk").desc()]
    forward, cursor = True, None
    if after and (cursor := _decode_cursor(after, field)):
        rows = rows.filter(TupleLessThan(key, cursor))
    elif before and (cursor := _decode_cursor(before, field)):
        forward = False
        rows = rows.filter(TupleGreaterThan(key, cursor))
        ordering = [F(column).asc(), F("pk").asc()]
    found = list(rows.order_by(*ordering)[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    if not forward:
        found.reverse()
    next_cursor = previous_cursor = None
    if found:
        first, last = found[0], found[-1]
        if (forward and more) or (not forward and cursor):
            next_cursor = _encode_cursor(getattr(last, column), last.pk)
        if (forward and cursor) or (not forward and more):
            previous_cursor = _encode_cursor(getattr(first, column), first.pk)
    return found, next_cursor, previous_cursor


# Ids in a body, and the services' field names as this API calls them.


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined]


def _check_can(member: Member, permission: str) -> None:
    # Before looking at the body: a role without the right gets 403, whatever it sends.
    if not member.can(permission):
        raise PermissionDenied(_("Your role does not allow this."))


def _client(member: Member, pk: int) -> Client:
    client = visible_clients(member).select_related("practice").filter(pk=pk).first()
    if client is None:
        raise ValidationError({"client": _("No such client.")})
    return client


def _row(queryset: QuerySet, pk: int | None, field: str) -> Any:
    """The row `pk` of `queryset` (already scoped to what the member may see), or a 422 on
    `field` that says no more about another practice's id than about an id never given."""
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise ValidationError({field: _("Not found.")})
    return row


def _documents(member: Member, pks: list[int]) -> list[Document]:
    wanted = list(dict.fromkeys(pks))
    found = {d.pk: d for d in visible(member, Document).filter(pk__in=wanted)}
    if len(found) < len(wanted):
        raise ValidationError({"documents": _("No such document.")})
    return [found[pk] for pk in wanted]


@contextmanager
def _renamed(renames: dict[str, str]) -> Iterator[None]:
    """The services' field names as the body has them: each pattern of `renames` (a regular
    expression over the whole key) becomes its replacement."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        fields = {}
        for key, errors in error.error_dict.items():
            for pattern, replacement in renames.items():
                if match := re.fullmatch(pattern, key):
                    key = match.expand(replacement)
                    break
            fields.setdefault(key, []).extend(errors)
        raise ValidationError(fields) from None


# What issue_document calls a line's good, what record_payment (inside it) calls the payment,
# and a stock level out of range ("quantity", of no line in particular) as the body has them.
SALE_FIELDS = {
    r"lines\.(\d+)\.product": r"lines.\1.good",
    r"(amount|method|paid_on)": r"payment.\1",
    r"quantity": "lines",
}
CREDIT_FIELDS = {r"quantity_(\d+)": r"quantities.\1", r"quantity": "quantities"}


def _lines(member: Member, lines: list[SaleLineIn]) -> list[LineInput]:
    practice_id = member.practice_id
    sources: dict[str, QuerySet] = {
        "service": Service.objects.filter(practice_id=practice_id),
        "good": Product.objects.filter(practice_id=practice_id),
        "session": visible_sessions(member).select_related("service"),
        "animal": visible_animals(member),
    }
    found: dict[str, dict[int, Any]] = {}
    for name, queryset in sources.items():
        pks = {getattr(line, name) for line in lines} - {None}
        found[name] = queryset.in_bulk(pks) if pks else {}
    missing = {
        f"lines.{index}.{name}": _("Not found.")
        for index, line in enumerate(lines)
        for name in sources
        if getattr(line, name) is not None and getattr(line, name) not in found[name]
    }
    if missing:
        raise ValidationError(missing)
    inputs = []
    for line in lines:
        inputs.append(
            LineInput(
                quantity=line.quantity,
                service=found["service"].get(line.service),
                product=found["good"].get(line.good),
                session=found["session"].get(line.session),
                animal=found["animal"].get(line.animal),
                description=line.description,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
            )
        )
    return inputs


# The catalog.


@router.get("/sales/goods", response={200: list[GoodOut], **ERRORS})
def list_goods(request: HttpRequest):
    """The practice's goods, active and not, by name."""
    return [good_out(g) for g in Product.objects.filter(practice_id=_member(request).practice_id)]


@router.post("/sales/goods", response={201: GoodOut, **BODY_ERRORS})
def create_good(request: HttpRequest, payload: GoodIn):
    """Add a good (owner and admins)."""
    member = _member(request)
    _check_can(member, roles.MANAGE_PRACTICE)
    return Status(201, good_out(save_product(by=member, **payload.dict())))


@router.get("/sales/goods/{good_id}", response={200: GoodOut, **ERRORS})
def get_good(request: HttpRequest, good_id: Id):
    return good_out(get_catalog_row(_member(request), Product, good_id))


@router.patch("/sales/goods/{good_id}", response={200: GoodOut, **BODY_ERRORS})
def change_good(request: HttpRequest, good_id: Id, payload: GoodPatchIn):
    """Change the fields sent (owner and admins); documents issued keep what they said."""
    member = _member(request)
    good = get_catalog_row(member, Product, good_id, write=True)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return good_out(save_product(by=member, product=good, **fields))


@router.get("/sales/warehouses", response={200: list[WarehouseOut], **ERRORS})
def list_warehouses(request: HttpRequest):
    practice_id = _member(request).practice_id
    return [warehouse_out(w) for w in Warehouse.objects.filter(practice_id=practice_id)]


@router.post("/sales/warehouses", response={201: WarehouseOut, **BODY_ERRORS})
def create_warehouse(request: HttpRequest, payload: WarehouseIn):
    """Add a warehouse (owner and admins)."""
    member = _member(request)
    _check_can(member, roles.MANAGE_PRACTICE)
    warehouse = save_warehouse(by=member, name=payload.name, is_active=payload.is_active)
    return Status(201, warehouse_out(warehouse))


@router.patch("/sales/warehouses/{warehouse_id}", response={200: WarehouseOut, **BODY_ERRORS})
def change_warehouse(request: HttpRequest, warehouse_id: Id, payload: WarehousePatchIn):
    """Rename a warehouse, or close it (`is_active: false`) to sales."""
    member = _member(request)
    warehouse = get_catalog_row(member, Warehouse, warehouse_id, write=True)
    warehouse = save_warehouse(
        by=member,
        warehouse=warehouse,
        name=payload.name if payload.name is not None else warehouse.name,
        is_active=payload.is_active if payload.is_active is not None else warehouse.is_active,
    )
    return warehouse_out(warehouse)


@router.get("/sales/warehouses/{warehouse_id}/stock", response={200: list[StockLevelOut], **ERRORS})
def list_stock(request: HttpRequest, warehouse_id: Id):
    """What the warehouse holds of each good it has ever held, by the good's name."""
    warehouse = get_catalog_row(_member(request), Warehouse, warehouse_id)
    levels = (
        StockLevel.objects.filter(practice_id=warehouse.practice_id, warehouse=warehouse)
        .select_related("product")
        .order_by("product__name", "product__pk")
    )
    return [
        {"good": good_out(level.product), "quantity": _quantity(level.quantity)} for level in levels
    ]


@router.get("/sales/stock-movements", response={200: StockMovementPage, **ERRORS})
def list_movements(
    request: HttpRequest,
    warehouse: Id | None = None,
    good: Id | None = None,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: Limit = 50,
):
    """Stock movements, newest first, of one warehouse or good or all, by keyset pages: pass
    `next_cursor` as `after` for the next page."""
    movements = StockMovement.objects.filter(
        practice_id=_member(request).practice_id
    ).select_related("product", "by__user")
    if warehouse is not None:
        movements = movements.filter(warehouse_id=warehouse)
    if good is not None:
        movements = movements.filter(product_id=good)
    rows, next_cursor, previous_cursor = _page(
        movements, "created_at", after=after, before=before, limit=limit
    )
    return {
        "items": [movement_out(m) for m in rows],
        "next_cursor": next_cursor,
        "previous_cursor": previous_cursor,
    }


@router.post("/sales/stock-movements", response={201: StockMovementOut, **BODY_ERRORS})
def create_movement(request: HttpRequest, payload: StockMovementIn):
    """A delivery (+), or a correction after counting, damage or internal use (-). Refused
    when it would leave less than nothing in stock."""
    member = _member(request)
    _check_can(member, roles.MANAGE_STOCK)
    practice_id = member.practice_id
    warehouses = Warehouse.objects.filter(practice_id=practice_id)
    warehouse = _row(warehouses, payload.warehouse, "warehouse")
    good = _row(Product.objects.filter(practice_id=practice_id), payload.good, "good")
    movement = adjust_stock(
        by=member,
        warehouse=warehouse,
        product=good,
        quantity=payload.quantity,
        reason=payload.reason,
        note=payload.note,
    )
    movement = StockMovement.objects.select_related("product", "by__user").get(pk=movement.pk)
    return Status(201, movement_out(movement))


@router.get("/sales/document-types", response={200: list[DocumentTypeOut], **ERRORS})
def list_document_types(request: HttpRequest):
    """Every kind of paper the practice issues, with its number prefix."""
    practice_id = _member(request).practice_id
    return [type_out(t) for t in DocumentType.objects.filter(practice_id=practice_id)]


@router.post("/sales/document-types", response={201: DocumentTypeOut, **BODY_ERRORS})
def create_document_type(request: HttpRequest, payload: DocumentTypeIn):
    """Another type of invoice, receipt or pro-forma, numbered on its own (owner and admins)."""
    member = _member(request)
    _check_can(member, roles.MANAGE_PRACTICE)
    document_type = add_document_type(
        by=member, kind=payload.kind, name=payload.name, prefix=payload.prefix
    )
    return Status(201, type_out(document_type))


@router.patch(
    "/sales/document-types/{document_type_id}", response={200: DocumentTypeOut, **BODY_ERRORS}
)
def change_document_type(request: HttpRequest, document_type_id: Id, payload: DocumentTypePatchIn):
    """Rename a type, change its prefix or switch it off (owner and admins)."""
    member = _member(request)
    document_type = get_catalog_row(member, DocumentType, document_type_id, write=True)
    sent = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    document_type = save_document_type(
        by=member,
        document_type=document_type,
        name=sent.get("name", document_type.name),
        prefix=sent.get("prefix", document_type.prefix),
        is_active=sent.get("is_active", document_type.is_active),
    )
    return type_out(document_type)


# Sales documents.


@router.get("/sales/documents", response={200: SaleDocumentPage, **ERRORS})
def list_documents(
    request: HttpRequest,
    client: Id | None = None,
    kind: DocumentKindIn | None = None,
    start: Annotated[Day | None, Query(description="Issued on or after this date.")] = None,
    end: Annotated[Day | None, Query(description="Issued on or before this date.")] = None,
    open_only: Annotated[
        bool, Query(alias="open", description="Only documents with something still owed.")
    ] = False,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: Limit = 50,
):
    """Sales documents, newest first, by keyset pages: pass `next_cursor` as `after` for the
    next page. A professional sees their own clients' documents."""
    documents = visible(_member(request), Document).select_related("type")
    if client is not None:
        documents = documents.filter(client_id=client)
    if kind is not None:
        documents = documents.filter(kind=kind)
    if start is not None:
        documents = documents.filter(issue_date__gte=start)
    if end is not None:
        documents = documents.filter(issue_date__lte=end)
    if open_only:
        documents = documents.exclude(open_amount=0)
    rows, next_cursor, previous_cursor = _page(
        documents, "issue_date", after=after, before=before, limit=limit
    )
    return {
        "items": [document_summary(d) for d in rows],
        "next_cursor": next_cursor,
        "previous_cursor": previous_cursor,
    }


@router.post("/sales/documents", response={201: SaleOut, **BODY_ERRORS})
def create_document(request: HttpRequest, payload: SaleIn):
    """Issue an invoice, receipt or pro-forma, dated today and numbered in its type's
    sequence; goods leave the warehouse. An issued document is never changed: correct it with
    a credit note. `warnings` names goods sold below zero stock (where the practice allows
    it). Errors on a line name it: `lines.2.quantity`."""
    member = _member(request)
    _check_can(member, roles.SELL)
    practice_id = member.practice_id
    client = _client(member, payload.client)
    document_type = _row(
        DocumentType.objects.filter(practice_id=practice_id), payload.document_type, "document_type"
    )
    warehouses = Warehouse.objects.filter(practice_id=practice_id)
    warehouse = _row(warehouses, payload.warehouse, "warehouse")
    lines = _lines(member, payload.lines)
    now = payload.payment
    with _renamed(SALE_FIELDS):
        result = issue_document(
            by=member,
            client=client,
            document_type=document_type,
            lines=lines,
            warehouse=warehouse,
            sale_date=payload.sale_date,
            due_date=payload.due_date,
            notes=payload.notes,
            payment=PaymentInput(
                method=now.method, paid_on=now.paid_on, amount=now.amount, reference=now.reference
            )
            if now
            else None,
        )
    paid = result.payment
    return Status(
        201,
        {
            **document_out(result.document),
            "warnings": result.warnings,
            "payment": payment_out(_payments(member).get(pk=paid.pk)) if paid else None,
        },
    )


@router.get("/sales/documents/{document_id}", response={200: SaleDocumentOut, **ERRORS})
def get_document(request: HttpRequest, document_id: Id):
    """A document with its lines, totals, what is open, the buyer as billed, the credit notes
    that correct it and the payments allocated to it."""
    return document_out(get_paper_for_member(_member(request), Document, document_id))


@router.get(
    "/sales/documents/{document_id}/pdf",
    response=ERRORS,
    openapi_extra={
        "responses": {
            200: {
                "description": "The document as a PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_file(request: HttpRequest, document_id: Id):
    """The document printed, in the practice's language."""
    document = get_paper_for_member(_member(request), Document, document_id)
    response = HttpResponse(pdf.document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(pdf.filename(document))}"
    return response


@router.post(
    "/sales/documents/{document_id}/credit", response={201: SaleDocumentOut, **BODY_ERRORS}
)
def credit(request: HttpRequest, document_id: Id, payload: CreditIn):
    """Issue a credit note correcting an invoice or receipt: all that is left of it, or
    `quantities` per line id. It first reduces what is open on the document; the rest is owed
    back to the client. Goods return to the document's warehouse."""
    member = _member(request)
    document = get_paper_for_member(member, Document, document_id, permission=roles.CORRECT_SALES)
    quantities = None
    if payload.quantities is not None:
        quantities = {int(k): v for k, v in payload.quantities.items()}
        if set(quantities) - set(document.lines.values_list("pk", flat=True)):
            raise ValidationError({"quantities": _("A line to credit is not on this document.")})
    with _renamed(CREDIT_FIELDS):
        note = credit_document(
            by=member, document=document, reason=payload.reason, quantities=quantities
        )
    return Status(201, document_out(note))


@router.get("/clients/{client_id}/billable-sessions", response={200: list[SessionOut], **ERRORS})
def list_billable_sessions(request: HttpRequest, client_id: Id):
    """The client's attended (or missed) sessions not billed yet, oldest first: send their ids
    as lines' `session`."""
    client = get_client_for_member(_member(request), client_id)
    return [session_out(s) for s in billable_sessions(client).select_related("animal")]


@router.get("/clients/{client_id}/balance", response={200: BalanceOut, **ERRORS})
def client_balance(request: HttpRequest, client_id: Id):
    """What the client owes, and the documents still open, oldest first."""
    client = get_client_for_member(_member(request), client_id)
    return {
        "client": client.pk,
        "currency": client.practice.currency,
        "owed": _money(balance(client)),
        "open_documents": [
            document_summary(d) for d in open_documents(client).select_related("type")
        ],
    }


# Payments and settlements.


@router.get("/sales/payments", response={200: PaymentPage, **ERRORS})
def list_payments(
    request: HttpRequest,
    client: Id | None = None,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: Limit = 50,
):
    """Payments, latest paid first (reversed ones too), by keyset pages."""
    payments = _payments(_member(request))
    if client is not None:
        payments = payments.filter(client_id=client)
    rows, next_cursor, previous_cursor = _page(
        payments, "paid_on", after=after, before=before, limit=limit
    )
    return {
        "items": [payment_out(p) for p in rows],
        "next_cursor": next_cursor,
        "previous_cursor": previous_cursor,
    }


@router.post("/sales/payments", response={201: PaymentOut, **BODY_ERRORS})
def create_payment(request: HttpRequest, payload: PaymentIn):
    """Money received for some of the client's documents, spread over them oldest first, each
    up to what is open on it. Partial payments are fine; more than is open is refused."""
    member = _member(request)
    _check_can(member, roles.SELL)
    client = _client(member, payload.client)
    payment = record_payment(
        by=member,
        client=client,
        documents=_documents(member, payload.documents),
        amount=payload.amount,
        method=payload.method,
        paid_on=payload.paid_on,
        reference=payload.reference,
        note=payload.note,
    )
    return Status(201, payment_out(_payments(member).get(pk=payment.pk)))


@router.get("/sales/payments/{payment_id}", response={200: PaymentOut, **ERRORS})
def get_payment(request: HttpRequest, payment_id: Id):
    member = _member(request)
    payment = get_paper_for_member(member, Payment, payment_id)
    return payment_out(_payments(member).get(pk=payment.pk))


@router.post("/sales/payments/{payment_id}/reverse", response={200: PaymentOut, **BODY_ERRORS})
def reverse(request: HttpRequest, payment_id: Id, payload: ReversalIn):
    """Reverse a payment recorded by mistake: its documents are open again; the payment stays,
    marked reversed. A settlement's payment is reversed with the settlement."""
    member = _member(request)
    payment = get_paper_for_member(member, Payment, payment_id, permission=roles.CORRECT_SALES)
    reverse_payment(by=member, payment=payment, reason=payload.reason)
    return payment_out(_payments(member).get(pk=payment.pk))


@router.get("/sales/settlements", response={200: SettlementPage, **ERRORS})
def list_settlements(
    request: HttpRequest,
    client: Id | None = None,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: Limit = 50,
):
    """Collective settlements, newest first (reversed ones too), by keyset pages."""
    settlements = _settlements(_member(request))
    if client is not None:
        settlements = settlements.filter(client_id=client)
    rows, next_cursor, previous_cursor = _page(
        settlements, "issue_date", after=after, before=before, limit=limit
    )
    return {
        "items": [settlement_out(s) for s in rows],
        "next_cursor": next_cursor,
        "previous_cursor": previous_cursor,
    }


@router.post("/sales/settlements", response={201: SettlementOut, **BODY_ERRORS})
def create_settlement(request: HttpRequest, payload: SettlementIn):
    """Settle two or more of the client's open documents as one: a numbered settlement and
    one payment of their open total (credit notes' refunds count against it)."""
    member = _member(request)
    _check_can(member, roles.SELL)
    client = _client(member, payload.client)
    settlement = settle_documents(
        by=member,
        client=client,
        documents=_documents(member, payload.documents),
        method=payload.method,
        paid_on=payload.paid_on,
        reference=payload.reference,
    )
    return Status(201, settlement_out(_settlements(member).get(pk=settlement.pk)))


@router.get("/sales/settlements/{settlement_id}", response={200: SettlementOut, **ERRORS})
def get_settlement(request: HttpRequest, settlement_id: Id):
    member = _member(request)
    settlement = get_paper_for_member(member, Settlement, settlement_id)
    return settlement_out(_settlements(member).get(pk=settlement.pk))


@router.post(
    "/sales/settlements/{settlement_id}/reverse", response={200: SettlementOut, **BODY_ERRORS}
)
def reverse_collective(request: HttpRequest, settlement_id: Id, payload: ReversalIn):
    """Undo a collective settlement: its documents are open again as they were."""
    member = _member(request)
    settlement = get_paper_for_member(
        member, Settlement, settlement_id, permission=roles.CORRECT_SALES
    )
    reverse_settlement(by=member, settlement=settlement, reason=payload.reason)
    return settlement_out(_settlements(member).get(pk=settlement.pk))

"""Every operation that changes sales, payments, the catalog or stock. Pages, the API and the
command line call these.

Each checks the actor's role and practice, is atomic, and writes its event in the same
transaction. Issued documents, payments and settlements are never edited or deleted here:
corrections are credit notes and reversals, which keep the history whole.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.models import EventKind
from audit.services import as_history_value, changed_fields, record_event
from billing.amounts import ZERO, LineAmounts, allocate, line_amounts, round_money
from billing.models import (
    DEBT_KINDS,
    MANUAL_REASONS,
    SALE_KINDS,
    Allocation,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentType,
    MovementReason,
    Numbered,
    NumberSequence,
    Payment,
    Product,
    Settlement,
    StockLevel,
    StockMovement,
    Warehouse,
)
from clients.models import Client, PaymentMethod, Status
from clients.services import check_can_change_client
from pets.models import Animal
from practices import roles
from practices.models import Member, Practice
from scheduling.models import Service, Session, SessionStatus

MAX_LINES = 200
# What the columns hold (12 digits, 2 or 3 decimal places).
MAX_AMOUNT = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("999999999.999")
# Sessions that can be billed: attended, or missed (a practice may charge a no-show).
BILLABLE_SESSION_STATUSES = (SessionStatus.ATTENDED, SessionStatus.NO_SHOW)


def _check_can(member: Member, permission: str) -> None:
    if not member.can(permission):
        raise PermissionDenied(_("Your role does not allow this."))


def _same_practice(by: Member, *objects: Any) -> None:
    if any(obj is not None and obj.practice_id != by.practice_id for obj in objects):
        raise PermissionDenied


def check_can_sell(client: Client, by: Member) -> None:
    """`by` may sell to `client`: same practice, a role that sells (a professional: own
    clients), and a client who can buy (active or waitlisted; not inactive or forgotten)."""
    check_can_change_client(client, by)
    _check_can(by, roles.SELL)
    if client.status not in (Status.ACTIVE, Status.WAITLIST):
        raise ValidationError(
            {"client": _("No new sales for this client (%(name)s: %(status)s).")
             % {"name": client.full_name, "status": client.get_status_display()}}
        )  # fmt: skip


def today(practice: Practice) -> datetime.date:
    return timezone.localdate(timezone=practice.tz)


def balance(client: Client) -> Decimal:
    """What the client owes (negative: what the practice owes back): the open amounts of
    their documents that carry debt."""
    total = Document.objects.filter(
        practice_id=client.practice_id, client_id=client.pk, kind__in=DEBT_KINDS
    ).aggregate(s=Sum("open_amount"))["s"]
    # Rounded to the cent: SQLite sums decimals as floats (0.10 + 0.20 - 0.30 is 2.8e-17).
    return round_money(Decimal(total)) if total is not None else ZERO


def clients_with_debt(practice_id: int) -> QuerySet[Document]:
    """The ids of the practice's clients who owe something (a subquery for the client list):
    read from the documents still open, through their partial index."""
    return (
        Document.objects.filter(practice_id=practice_id, client__isnull=False)
        .exclude(open_amount=0)
        .values("client_id")
        .annotate(owed=Sum("open_amount"))
        # Half a cent, not zero: SQLite sums decimals as floats, with errors far below that.
        .filter(owed__gt=Decimal("0.005"))
        .values("client_id")
    )


# ---------------------------------------------------------------------------------------------
# The catalog: goods, warehouses, document types.


def _catalog_event(by: Member, what: str, obj: Any, changes: dict[str, list]) -> None:
    if changes:
        record_event(
            practice=by.practice,
            by=by,
            kind=EventKind.CATALOG_CHANGED,
            data={"what": what, "id": obj.pk, "name": str(obj)},
            changes=changes,
        )


def _save_catalog_row(
    obj: Any, by: Member, what: str, fields: dict[str, Any], *, unique: str = "name"
) -> Any:
    """Validate and save a catalog row; the practice's uniqueness (of `unique`: a name, a
    prefix) is checked with the other fields and reported on that field."""
    _check_can(by, roles.MANAGE_PRACTICE)
    _same_practice(by, obj)
    before = {name: getattr(obj, name) for name in fields} if obj.pk else {}
    for name, value in fields.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    try:
        # Not excluding the practice: constraints on (practice, name) are checked only then.
        obj.full_clean()
    except ValidationError as error:
        raise _on_field(error, unique) from None
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        # Two people saving the same name at once: the constraint speaks for the check.
        raise ValidationError({unique: _("This name is already taken.")}) from None
    _catalog_event(by, what, obj, changed_fields(before, {n: getattr(obj, n) for n in fields}))
    return obj


def _on_field(error: ValidationError, field: str) -> ValidationError:
    """A constraint's error (not bound to a field) moved onto `field`."""
    if not hasattr(error, "error_dict") or "__all__" not in error.error_dict:
        return error
    errors = dict(error.error_dict)
    errors.setdefault(field, []).extend(errors.pop("__all__"))
    return ValidationError(errors)


@transaction.atomic
def save_product(*, by: Member, product: Product | None = None, **fields: Any) -> Product:
    """Create or change a good: name, code, unit, price, tax_rate, is_active."""
    allowed = {"name", "code", "unit", "price", "tax_rate", "is_active"}
    if set(fields) - allowed:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(set(fields) - allowed)))
    return _save_catalog_row(product or Product(practice_id=by.practice_id), by, "good", fields)


@transaction.atomic
def save_warehouse(
    *, by: Member, name: str, is_active: bool = True, warehouse: Warehouse | None = None
) -> Warehouse:
    obj = warehouse or Warehouse(practice_id=by.practice_id)
    return _save_catalog_row(obj, by, "warehouse", {"name": name, "is_active": is_active})


@transaction.atomic
def save_document_type(
    *, by: Member, document_type: DocumentType, name: str, prefix: str, is_active: bool = True
) -> DocumentType:
    """Rename a document type or change its prefix (numbers already given keep theirs). The
    last active type of a kind cannot be switched off: sales, payments and settlements need
    one. New types of the sale kinds may be added with `add_document_type`."""
    if not is_active and document_type.is_active:
        others = DocumentType.objects.filter(
            practice_id=by.practice_id, kind=document_type.kind, is_active=True
        ).exclude(pk=document_type.pk)
        if not others.exists():
            raise ValidationError(
                {"is_active": _("The practice needs at least one active type of this kind.")}
            )
    return _save_catalog_row(
        document_type,
        by,
        "document_type",
        {"name": name, "prefix": prefix.strip().upper(), "is_active": is_active},
        unique="prefix",
    )


@transaction.atomic
def add_document_type(*, by: Member, kind: str, name: str, prefix: str) -> DocumentType:
    if kind not in SALE_KINDS:
        raise ValidationError({"kind": _("Choose invoice, receipt or pro-forma.")})
    document_type = DocumentType(practice_id=by.practice_id, kind=kind)
    return save_document_type(by=by, document_type=document_type, name=name, prefix=prefix)


def active_type(practice_id: int, kind: str) -> DocumentType:
    document_type = (
        DocumentType.objects.filter(practice_id=practice_id, kind=kind, is_active=True)
        .order_by("pk")
        .first()
    )
    if document_type is None:
        raise ValidationError(_("The practice has no active document type for this."))
    return document_type


# ---------------------------------------------------------------------------------------------
# Stock.


def _move_stock(
    *, by: Member | None, warehouse: Warehouse, product_id: int, quantity: Decimal,
    reason: str, note: str = "", document: Document | None = None,
) -> tuple[StockMovement, Decimal]:  # fmt: skip
    """Add `quantity` (signed) to one stock level and record the movement. The level row is
    created if missing and locked: two sales of the same good queue here."""
    StockLevel.objects.bulk_create(
        [StockLevel(practice_id=warehouse.practice_id, warehouse=warehouse, product_id=product_id)],
        ignore_conflicts=True,
    )
    level = StockLevel.objects.select_for_update().get(warehouse=warehouse, product_id=product_id)
    before = level.quantity
    level.quantity = before + quantity
    if abs(level.quantity) > MAX_QUANTITY:
        raise ValidationError({"quantity": _("This quantity is too large.")})
    level.save(update_fields=["quantity"])
    movement = StockMovement.objects.create(
        practice_id=warehouse.practice_id,
        warehouse=warehouse,
        product_id=product_id,
        quantity=quantity,
        level_after=level.quantity,
        reason=reason,
        note=note,
        document=document,
        by=by,
    )
    return movement, before


@transaction.atomic
def adjust_stock(
    *, by: Member, warehouse: Warehouse, product: Product, quantity: Decimal, reason: str,
    note: str = "",
) -> StockMovement:  # fmt: skip
    """A delivery (+), a correction after counting, damage, internal use (minus): one movement.
    Refused when it would leave less than nothing (a count finds what is there)."""
    _check_can(by, roles.MANAGE_STOCK)
    _same_practice(by, warehouse, product)
    if reason not in MANUAL_REASONS:
        raise ValidationError({"reason": _("Choose a reason.")})
    if not quantity:
        raise ValidationError({"quantity": _("Enter a quantity other than zero.")})
    if quantity.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValidationError({"quantity": _("At most three decimal places.")})
    movement, before = _move_stock(
        by=by, warehouse=warehouse, product_id=product.pk, quantity=quantity, reason=reason,
        note=note.strip()[:200],
    )  # fmt: skip
    # Only what takes stock out is refused below zero: a delivery may still leave it short.
    if quantity < 0 and movement.level_after < 0:
        raise ValidationError(
            {"quantity": _("Only %(level)s in stock in %(warehouse)s.")
             % {"level": formats.number_format(before.normalize()), "warehouse": warehouse.name}}
        )  # fmt: skip
    record_event(
        practice=by.practice,
        by=by,
        kind=EventKind.STOCK_CHANGED,
        data={"warehouse": warehouse.pk, "product": product.pk, "movement": movement.pk},
        changes={product.name: [as_history_value(before), as_history_value(movement.level_after)]},
    )
    return movement


# ---------------------------------------------------------------------------------------------
# Numbering and the client's snapshot.


def _take_number(document_type: DocumentType, year: int) -> tuple[int, str]:
    """The next number of `document_type` in `year`. The UPDATE comes first: it takes the
    row's write lock (PostgreSQL) inside the caller's transaction (SQLite transactions are
    IMMEDIATE), so a concurrent issuer waits until this one commits or rolls back — a rolled
    back issue gives its number back, and numbers have no gaps and no twins."""
    sequences = NumberSequence.objects.filter(type=document_type, year=year)
    if not sequences.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                NumberSequence.objects.create(
                    practice_id=document_type.practice_id, type=document_type, year=year, last=1
                )
        except IntegrityError:
            # Another issuer created the year's row first: take the next number after theirs.
            sequences.update(last=F("last") + 1)
    sequence = sequences.values_list("last", flat=True).get()
    return sequence, format_number(document_type.prefix, year, sequence)


def format_number(prefix: str, year: int, sequence: int) -> str:
    """How a paper's number reads: FV/2026/0001."""
    return f"{prefix}/{year}/{sequence:04d}"


def format_address(client: Client) -> str:
    lines = [
        client.street,
        client.street2,
        " ".join(p for p in (client.postal_code, client.city) if p),
        " ".join(p for p in (client.region, client.country) if p),
    ]
    return "\n".join(line for line in lines if line)


def _number(paper: Numbered, *, by: Member, client: Client | None, kind: str,
            document_type: DocumentType | None = None) -> None:  # fmt: skip
    """Fill what every issued paper carries: type, number, date, issuer, currency, snapshot."""
    practice = by.practice
    document_type = document_type or active_type(practice.pk, kind)
    paper.practice_id = practice.pk
    paper.type = document_type
    paper.kind = document_type.kind
    paper.issue_date = today(practice)
    paper.issued_at = timezone.now()
    paper.issued_by = by
    paper.currency = practice.currency
    paper.year = paper.issue_date.year
    paper.sequence, paper.number = _take_number(document_type, paper.year)
    if client is not None:
        paper.client = client
        paper.client_code = client.code
        paper.billing_name = client.billing_name or client.full_name
        paper.billing_tax_id = client.billing_tax_id or client.national_id
        paper.billing_address = format_address(client)


# ---------------------------------------------------------------------------------------------
# Sales.


@dataclass(frozen=True)
class LineInput:
    """One line as a person enters it. Unset price, tax, unit and description come from the
    service, the good or the session."""

    quantity: Decimal = Decimal(1)
    service: Service | None = None
    product: Product | None = None
    session: Session | None = None
    animal: Animal | None = None
    description: str = ""
    unit: str | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal | None = None


@dataclass(frozen=True)
class PaymentInput:
    method: str
    paid_on: datetime.date | None = None
    amount: Decimal | None = None  # None: all of it
    reference: str = ""


@dataclass
class SaleResult:
    document: Document
    # Stock that went below zero (allowed by the practice's setting), as sentences.
    warnings: list[str] = field(default_factory=list)
    payment: Payment | None = None


def _line_error(index: int, name: str, message: str) -> ValidationError:
    return ValidationError({f"lines.{index}.{name}": message})


def _places(value: Decimal, places: int) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -places


def _billed_session_ids(session_ids: Iterable[int]) -> set[int]:
    """Of these sessions, those already on a debt document and not credited back since."""
    lines = DocumentLine.objects.filter(
        session_id__in=list(session_ids), document__kind__in=SALE_KINDS
    ).exclude(document__kind=DocumentKind.PROFORMA)
    billed = defaultdict(Decimal)
    for session_id, quantity, credited in lines.annotate(
        credited=Sum("corrections__quantity")
    ).values_list("session_id", "quantity", "credited"):
        billed[session_id] += quantity + (credited or 0)
    return {session_id for session_id, left in billed.items() if left > 0}


def billable_sessions(client: Client) -> QuerySet[Session]:
    """The client's attended (or missed) sessions not billed yet, oldest first."""
    sessions = Session.objects.filter(
        practice_id=client.practice_id, client_id=client.pk, status__in=BILLABLE_SESSION_STATUSES
    ).select_related("service", "professional")
    billed = _billed_session_ids(sessions.values_list("pk", flat=True))
    return sessions.exclude(pk__in=billed).order_by("starts_at", "pk")


def _session_description(session: Session, practice: Practice) -> str:
    when = formats.date_format(
        timezone.localtime(session.starts_at, practice.tz), "SHORT_DATE_FORMAT"
    )
    what = session.service.name if session.service else _("Session")
    return f"{what} — {when}"


def build_lines(
    *, practice: Practice, client: Client, lines: Sequence[LineInput], kind: str
) -> list[DocumentLine]:
    """Check every line and compute its amounts (nothing is saved). Errors name the line and
    field: "lines.2.quantity"."""
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("At most %d lines.") % MAX_LINES})
    sessions = [line.session for line in lines if line.session is not None]
    already = (
        _billed_session_ids(s.pk for s in sessions) if kind != DocumentKind.PROFORMA else set()
    )
    seen_sessions: set[int] = set()
    built = []
    for index, line in enumerate(lines):
        for obj, name in (
            (line.service, "service"), (line.product, "product"),
            (line.session, "session"), (line.animal, "animal"),
        ):  # fmt: skip
            if obj is not None and obj.practice_id != practice.pk:
                raise _line_error(index, name, _("Not found in this practice."))
        if line.service and line.product:
            raise _line_error(index, "product", _("A line is a service or a good, not both."))
        if line.product and not line.product.is_active:
            raise _line_error(index, "product", _("This good is no longer sold."))
        if line.service and not line.service.is_active:
            raise _line_error(index, "service", _("This service is no longer offered."))
        service = line.service
        if line.session is not None:
            session = line.session
            if session.client_id != client.pk:
                raise _line_error(index, "session", _("This session is another client's."))
            if session.status not in BILLABLE_SESSION_STATUSES:
                raise _line_error(
                    index, "session", _("Only attended or missed sessions can be billed.")
                )
            if session.pk in already or session.pk in seen_sessions:
                raise _line_error(index, "session", _("This session is billed already."))
            seen_sessions.add(session.pk)
            service = service or session.service
        if line.animal is not None:
            if practice.kind != Practice.Kind.VETERINARY:
                raise _line_error(index, "animal", _("Only veterinary practices sell per animal."))
            if line.animal.client_id != client.pk:
                raise _line_error(index, "animal", _("This animal is another client's."))
        source = line.product or service
        if line.unit_price is not None:
            unit_price = line.unit_price
        elif line.session is not None and line.session.price is not None:
            unit_price = line.session.price
        elif line.product is not None:
            unit_price = line.product.price
        elif service is not None and service.default_price is not None:
            unit_price = service.default_price
        elif line.session is not None and client.default_fee is not None:
            unit_price = client.default_fee
        else:
            raise _line_error(index, "unit_price", _("Enter a price."))
        tax_rate = line.tax_rate if line.tax_rate is not None else getattr(source, "tax_rate", 0)
        description = line.description.strip()
        if not description:
            if line.session is not None:
                description = _session_description(line.session, practice)
            elif source is not None:
                description = source.name
            else:
                raise _line_error(index, "description", _("Describe what is sold."))
        quantity = line.quantity
        if quantity <= 0:
            raise _line_error(index, "quantity", _("Enter a quantity above zero."))
        if quantity > MAX_QUANTITY or not _places(quantity, 3):
            raise _line_error(index, "quantity", _("At most 999,999,999 with three decimals."))
        if unit_price < 0 or unit_price > MAX_AMOUNT or not _places(unit_price, 2):
            raise _line_error(index, "unit_price", _("Enter a price of zero or more, in cents."))
        for value, name in ((line.discount_percent, "discount_percent"), (tax_rate, "tax_rate")):
            if not 0 <= value <= 100 or not _places(Decimal(value), 2):
                raise _line_error(index, name, _("Enter a percentage from 0 to 100."))
        amounts = line_amounts(
            quantity=quantity,
            unit_price=unit_price,
            discount_percent=line.discount_percent,
            tax_rate=Decimal(tax_rate),
        )
        if amounts.total > MAX_AMOUNT:
            raise _line_error(index, "quantity", _("This line's amount is too large."))
        built.append(
            DocumentLine(
                practice_id=practice.pk,
                client=client,
                position=index + 1,
                service=service if line.product is None else None,
                product=line.product,
                session=line.session,
                animal=line.animal,
                description=description[:200],
                unit=(line.unit if line.unit is not None else getattr(source, "unit", ""))[:20],
                quantity=quantity,
                unit_price=unit_price,
                discount_percent=line.discount_percent,
                tax_rate=tax_rate,
                net=amounts.net,
                tax=amounts.tax,
                total=amounts.total,
            )
        )
    if sum(line.total for line in built) > MAX_AMOUNT:
        raise ValidationError({"lines": _("The document's total is too large.")})
    return built


def stock_shortages(
    *, warehouse: Warehouse | None, lines: Sequence[DocumentLine | LineInput]
) -> list[tuple[int, Product, Decimal, Decimal]]:
    """(index of the good's first line, good, in stock, wanted) for each good the lines would
    take below zero in `warehouse`. A preview: the sale itself checks again under lock."""
    if warehouse is None:
        return []
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    first: dict[int, tuple[int, Product]] = {}
    for index, line in enumerate(lines):
        if line.product is not None:
            wanted[line.product.pk] += line.quantity
            first.setdefault(line.product.pk, (index, line.product))
    levels = dict(
        StockLevel.objects.filter(warehouse=warehouse, product_id__in=wanted).values_list(
            "product_id", "quantity"
        )
    )
    return [
        (first[pk][0], first[pk][1], levels.get(pk, Decimal(0)), quantity)
        for pk, quantity in wanted.items()
        if levels.get(pk, Decimal(0)) - quantity < 0
    ]


def shortage_text(product: Product, level: Decimal, wanted: Decimal, warehouse: Warehouse) -> str:
    return _("%(good)s: %(level)s in stock in %(warehouse)s, %(wanted)s sold.") % {
        "good": product.name,
        "level": formats.number_format(level.normalize()),
        "warehouse": warehouse.name,
        "wanted": formats.number_format(wanted.normalize()),
    }


def _sell_goods(document: Document, lines: list[DocumentLine], by: Member) -> list[str]:
    """Take the goods out of the document's warehouse; returns the shortage warnings, or
    refuses them when the practice forbids negative stock."""
    warehouse = document.warehouse
    assert warehouse is not None
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    names: dict[int, Product] = {}
    for line in lines:
        if line.product_id is not None:
            wanted[line.product_id] += line.quantity
            names[line.product_id] = line.product  # type: ignore[assignment]
    warnings = []
    # In id order: two sales locking the same goods never wait on each other crosswise.
    for product_id in sorted(wanted):
        movement, before = _move_stock(
            by=by, warehouse=warehouse, product_id=product_id, quantity=-wanted[product_id],
            reason=MovementReason.SALE, document=document,
        )  # fmt: skip
        if movement.level_after < 0:
            text = shortage_text(names[product_id], before, wanted[product_id], warehouse)
            if by.practice.forbid_negative_stock:
                index = next(i for i, line in enumerate(lines) if line.product_id == product_id)
                raise ValidationError(
                    {f"lines.{index}.quantity": text
                     + " " + _("The practice does not sell below zero stock.")}
                )  # fmt: skip
            warnings.append(text)
    return warnings


@transaction.atomic
def issue_document(
    *,
    by: Member,
    client: Client,
    document_type: DocumentType,
    lines: Sequence[LineInput],
    warehouse: Warehouse | None = None,
    sale_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    notes: str = "",
    payment: PaymentInput | None = None,
) -> SaleResult:
    """Issue a sales document (invoice, receipt or pro-forma) to `client`, dated today,
    numbered in its type's sequence for the year, with the client's billing details copied.
    Goods leave `warehouse` (not for a pro-forma); `payment` records money taken at once."""
    # The client's row is locked and read afresh: a status change, merge or forget committed
    # since the caller read it is seen here, and one that comes later waits for this sale.
    client = Client.objects.select_for_update().get(pk=client.pk)
    check_can_sell(client, by)
    _same_practice(by, document_type, warehouse)
    if document_type.kind not in SALE_KINDS or not document_type.is_active:
        raise ValidationError({"document_type": _("Choose an invoice, receipt or pro-forma.")})
    if warehouse is not None and not warehouse.is_active:
        raise ValidationError({"warehouse": _("This warehouse is closed.")})
    practice = by.practice
    built = build_lines(practice=practice, client=client, lines=lines, kind=document_type.kind)
    moves_stock = document_type.kind != DocumentKind.PROFORMA
    if moves_stock and warehouse is None and any(line.product_id for line in built):
        raise ValidationError({"warehouse": _("Choose the warehouse the goods leave from.")})
    issued_on = today(practice)
    sale_date = sale_date or issued_on
    if abs((sale_date - issued_on).days) > 366:
        raise ValidationError({"sale_date": _("The sale date is more than a year away.")})
    if due_date is not None and not issued_on <= due_date <= issued_on + datetime.timedelta(
        days=366
    ):
        raise ValidationError({"due_date": _("The due date is between today and a year ahead.")})
    if payment is not None and document_type.kind == DocumentKind.PROFORMA:
        raise ValidationError({"payment": _("A pro-forma is not paid; issue the invoice.")})
    net = sum((line.net for line in built), ZERO)
    tax = sum((line.tax for line in built), ZERO)
    document = Document(
        sale_date=sale_date,
        due_date=due_date,
        warehouse=warehouse,
        notes=notes.strip(),
        net_total=net,
        tax_total=tax,
        total=net + tax,
    )
    _number(document, by=by, client=client, kind=document_type.kind, document_type=document_type)
    document.open_amount = document.total if document.is_debt else ZERO
    document.save()
    for line in built:
        line.document = document
        line.issue_date = document.issue_date
    DocumentLine.objects.bulk_create(built)
    warnings = _sell_goods(document, built, by) if moves_stock and warehouse else []
    record_event(
        practice=practice,
        client=client,
        by=by,
        kind=EventKind.DOCUMENT_ISSUED,
        data={"document": document.pk, "number": document.number},
        changes={"sale": [None, f"{document.number} · {document.total:.2f} {document.currency}"]},
    )
    paid = None
    if payment is not None and document.total > 0:
        paid = record_payment(
            by=by, client=client, documents=[document], method=payment.method,
            amount=payment.amount if payment.amount is not None else document.total,
            paid_on=payment.paid_on, reference=payment.reference,
        )  # fmt: skip
        document.refresh_from_db(fields=["open_amount"])
    return SaleResult(document=document, warnings=warnings, payment=paid)


def _lock_documents(by: Member, documents: Iterable[Document]) -> list[Document]:
    pks = sorted({d.pk for d in documents})
    locked = list(
        Document.objects.select_for_update()
        .filter(practice_id=by.practice_id, pk__in=pks)
        .order_by("issue_date", "pk")
    )
    if len(locked) != len(pks):
        raise PermissionDenied
    return locked


def _line_amounts_of(line: DocumentLine, quantity: Decimal) -> LineAmounts:
    """The amounts `quantity` of `line` comes to, at its price, discount and tax."""
    return line_amounts(
        quantity=quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        tax_rate=line.tax_rate,
    )


@transaction.atomic
def credit_document(
    *,
    by: Member,
    document: Document,
    reason: str,
    quantities: dict[int, Decimal] | None = None,
) -> Document:
    """A credit note that corrects `document`: all of it, or `quantities` per line id. Its
    amount first reduces what is still open on the document; the rest is owed back to the
    client. Goods come back to the document's warehouse."""
    _check_can(by, roles.CORRECT_SALES)
    _same_practice(by, document)
    if document.client_id is not None:
        check_can_change_client(document.client, by)
    if document.kind not in (DocumentKind.INVOICE, DocumentKind.RECEIPT):
        raise ValidationError(_("Only invoices and receipts are corrected by a credit note."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the document is corrected.")})
    # The original is locked: two corrections of it cannot both credit the same quantity.
    (original,) = _lock_documents(by, [document])
    lines = list(
        original.lines.annotate(credited=Sum("corrections__quantity"))
        .select_related("product")
        .order_by("position")
    )
    credit_lines = []
    for line in lines:
        left = line.quantity + (line.credited or 0)
        wanted = left if quantities is None else quantities.get(line.pk, Decimal(0))
        if wanted == 0:
            continue
        if wanted < 0 or wanted > left or not _places(wanted, 3):
            raise ValidationError(
                {f"quantity_{line.pk}": _("At most %(left)s of “%(line)s” can be credited.")
                 % {"left": formats.number_format(left.normalize()), "line": line.description}}
            )  # fmt: skip
        # What everything credited so far comes to, less what was credited before: parts
        # always add up to the line, and crediting all of it gives back exactly its amounts.
        credited_before = line.quantity - left
        before = _line_amounts_of(line, credited_before)
        after = _line_amounts_of(line, credited_before + wanted)
        amounts = LineAmounts(
            net=before.net - after.net, tax=before.tax - after.tax, total=before.total - after.total
        )
        credit_lines.append(
            DocumentLine(
                practice_id=original.practice_id, client_id=original.client_id,
                position=len(credit_lines) + 1, service_id=line.service_id,
                product=line.product, session_id=line.session_id, animal_id=line.animal_id,
                corrects=line, description=line.description, unit=line.unit,
                quantity=-wanted, unit_price=line.unit_price,
                discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                net=amounts.net, tax=amounts.tax, total=amounts.total,
            )
        )  # fmt: skip
    if quantities is not None and set(quantities) - {line.pk for line in lines}:
        raise ValidationError(_("A line to credit is not on this document."))
    if not credit_lines:
        raise ValidationError(_("Nothing left to credit on this document."))
    net = sum((line.net for line in credit_lines), ZERO)
    tax = sum((line.tax for line in credit_lines), ZERO)
    credit = Document(
        sale_date=original.sale_date,
        warehouse=original.warehouse,
        corrects=original,
        notes=reason,
        net_total=net,
        tax_total=tax,
        total=net + tax,
    )
    _number(credit, by=by, client=None, kind=DocumentKind.CREDIT_NOTE)
    # The credit note carries the corrected document's buyer, as it was billed.
    for name in ("client_id", "client_code", "billing_name", "billing_tax_id", "billing_address"):
        setattr(credit, name, getattr(original, name))
    applied = min(max(original.open_amount, ZERO), -credit.total)
    credit.open_amount = credit.total + applied
    credit.save()
    if applied:
        original.open_amount -= applied
        original.save(update_fields=["open_amount"])
    for line in credit_lines:
        line.document = credit
        line.issue_date = credit.issue_date
    DocumentLine.objects.bulk_create(credit_lines)
    if original.warehouse is not None:
        returned: dict[int, Decimal] = defaultdict(Decimal)
        for line in credit_lines:
            if line.product_id is not None:
                returned[line.product_id] -= line.quantity
        for product_id in sorted(returned):
            _move_stock(
                by=by, warehouse=original.warehouse, product_id=product_id,
                quantity=returned[product_id], reason=MovementReason.RETURN, document=credit,
            )  # fmt: skip
    if original.client_id is not None:
        record_event(
            practice=by.practice,
            client=original.client,
            by=by,
            kind=EventKind.CREDIT_NOTE_ISSUED,
            data={"document": credit.pk, "number": credit.number, "corrects": original.pk},
            changes={
                "credit_note": [
                    original.number,
                    f"{credit.number} · {credit.total:.2f} {credit.currency}",
                ]
            },
        )
    return credit


# ---------------------------------------------------------------------------------------------
# Payments and settlements.


def _check_paid_on(practice: Practice, paid_on: datetime.date | None) -> datetime.date:
    now = today(practice)
    paid_on = paid_on or now
    if paid_on > now:
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    if (now - paid_on).days > 366 * 5:
        raise ValidationError({"paid_on": _("This date is too far in the past.")})
    return paid_on


def _check_documents_of(client: Client, documents: list[Document]) -> None:
    for document in documents:
        if document.client_id != client.pk:
            raise ValidationError({"documents": _("These documents are not all this client's.")})
        if document.kind not in DEBT_KINDS:
            raise ValidationError({"documents": _("A pro-forma is not paid; issue the invoice.")})


@transaction.atomic
def record_payment(
    *,
    by: Member,
    client: Client,
    documents: Sequence[Document],
    amount: Decimal,
    method: str,
    paid_on: datetime.date | None = None,
    reference: str = "",
    note: str = "",
    settlement: Settlement | None = None,
) -> Payment:
    """Money received for `documents` (oldest first, each up to what is open on it). Partial
    payments are fine; more than is open is refused (nothing is kept as a credit)."""
    check_can_change_client(client, by)
    _check_can(by, roles.SELL)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how it was paid.")})
    paid_on = _check_paid_on(by.practice, paid_on)
    if not documents:
        raise ValidationError({"documents": _("Choose what is paid.")})
    locked = _lock_documents(by, documents)
    _check_documents_of(client, locked)
    if settlement is None:
        if amount <= 0 or not _places(amount, 2):
            raise ValidationError({"amount": _("Enter an amount above zero, in cents.")})
        open_total = sum((d.open_amount for d in locked if d.open_amount > 0), ZERO)
        if amount > open_total:
            raise ValidationError(
                {"amount": _("At most %(open)s is open on these documents.")
                 % {"open": formats.number_format(open_total, 2)}}
            )  # fmt: skip
        parts = allocate(amount, [d.open_amount for d in locked])
    else:
        # A settlement takes each document's whole open amount, credit notes' negative ones too.
        parts = [d.open_amount for d in locked]
    payment = Payment(
        amount=amount,
        method=method,
        paid_on=paid_on,
        reference=reference.strip()[:100],
        note=note.strip()[:200],
        settlement=settlement,
    )
    _number(payment, by=by, client=client, kind=DocumentKind.PAYMENT)
    payment.save()
    allocations = []
    for document, part in zip(locked, parts, strict=True):
        if part:
            document.open_amount -= part
            document.save(update_fields=["open_amount"])
            allocations.append(
                Allocation(
                    practice_id=by.practice_id, payment=payment, document=document, amount=part
                )
            )
    Allocation.objects.bulk_create(allocations)
    if settlement is None:
        record_event(
            practice=by.practice,
            client=client,
            by=by,
            kind=EventKind.PAYMENT_RECORDED,
            data={"payment": payment.pk, "number": payment.number},
            changes={
                "payment": [None, f"{payment.number} · {payment.amount:.2f} {payment.currency}"],
                "sales_documents": [None, [a.document.number for a in allocations]],
            },
        )
    return payment


def _reverse(payment: Payment, by: Member, reason: str) -> list[Document]:
    """Undo a payment's allocations (its documents are open again) and mark it reversed."""
    locked_payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked_payment.reversed_at is not None:
        raise ValidationError(_("This payment is reversed already."))
    allocations = list(locked_payment.allocations.all())
    documents = _lock_documents(by, [a.document for a in allocations])
    by_pk = {d.pk: d for d in documents}
    for allocation in allocations:
        document = by_pk[allocation.document_id]
        document.open_amount += allocation.amount
        document.save(update_fields=["open_amount"])
    locked_payment.reversed_at, locked_payment.reversed_by = timezone.now(), by
    locked_payment.reverse_reason = reason
    locked_payment.save(update_fields=["reversed_at", "reversed_by", "reverse_reason"])
    payment.reversed_at = locked_payment.reversed_at
    return documents


def _check_reversal(by: Member, paper: Numbered, reason: str) -> str:
    _check_can(by, roles.CORRECT_SALES)
    _same_practice(by, paper)
    if paper.client_id is not None:
        check_can_change_client(paper.client, by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is reversed.")})
    return reason[:200]


@transaction.atomic
def reverse_payment(*, by: Member, payment: Payment, reason: str) -> Payment:
    """A payment recorded by mistake: its documents are open again; the payment stays, marked
    reversed, so its number keeps its place."""
    reason = _check_reversal(by, payment, reason)
    if payment.settlement_id is not None:
        raise ValidationError(_("This payment belongs to a settlement: reverse the settlement."))
    documents = _reverse(payment, by, reason)
    record_event(
        practice=by.practice,
        client=payment.client,
        by=by,
        kind=EventKind.PAYMENT_REVERSED,
        data={"payment": payment.pk, "number": payment.number},
        changes={
            "payment": [payment.number, None],
            "sales_documents": [None, [d.number for d in documents]],
        },
    )
    return payment


@transaction.atomic
def settle_documents(
    *,
    by: Member,
    client: Client,
    documents: Sequence[Document],
    method: str,
    paid_on: datetime.date | None = None,
    reference: str = "",
) -> Settlement:
    """Settle several open documents of one client as one: a numbered settlement, and one
    payment of their open total spread over them (credit notes' refunds count against it)."""
    check_can_change_client(client, by)
    _check_can(by, roles.SELL)
    if len({d.pk for d in documents}) < 2:
        raise ValidationError({"documents": _("Choose at least two open documents.")})
    locked = _lock_documents(by, documents)
    _check_documents_of(client, locked)
    if any(d.open_amount == 0 for d in locked):
        raise ValidationError({"documents": _("Some of these documents are settled already.")})
    total = sum((d.open_amount for d in locked), ZERO)
    if total < 0:
        raise ValidationError(
            {"documents": _("These documents leave money owed to the client; add what they owe.")}
        )
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how it was paid.")})
    settlement = Settlement(total=total)
    _number(settlement, by=by, client=client, kind=DocumentKind.SETTLEMENT)
    settlement.save()
    payment = record_payment(
        by=by, client=client, documents=locked, amount=total, method=method, paid_on=paid_on,
        reference=reference, settlement=settlement,
    )  # fmt: skip
    record_event(
        practice=by.practice,
        client=client,
        by=by,
        kind=EventKind.SETTLEMENT_MADE,
        data={"settlement": settlement.pk, "number": settlement.number, "payment": payment.pk},
        changes={
            "settlement": [None, f"{settlement.number} · {total:.2f} {settlement.currency}"],
            "sales_documents": [None, [d.number for d in locked]],
        },
    )
    return settlement


@transaction.atomic
def reverse_settlement(*, by: Member, settlement: Settlement, reason: str) -> Settlement:
    """Undo a collective settlement: its documents are open again as they were."""
    reason = _check_reversal(by, settlement, reason)
    locked = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if locked.reversed_at is not None:
        raise ValidationError(_("This settlement is reversed already."))
    documents = _reverse(locked.payment, by, reason)
    locked.reversed_at, locked.reversed_by, locked.reverse_reason = timezone.now(), by, reason
    locked.save(update_fields=["reversed_at", "reversed_by", "reverse_reason"])
    record_event(
        practice=by.practice,
        client=settlement.client,
        by=by,
        kind=EventKind.SETTLEMENT_REVERSED,
        data={"settlement": settlement.pk, "number": settlement.number},
        changes={
            "settlement": [settlement.number, None],
            "sales_documents": [None, [d.number for d in documents]],
        },
    )
    return locked


def open_documents(client: Client) -> QuerySet[Document]:
    """The client's documents with something open, oldest first (what payments settle)."""
    return (
        Document.objects.filter(
            practice_id=client.practice_id, client_id=client.pk, kind__in=DEBT_KINDS
        )
        .filter(~Q(open_amount=0))
        .order_by("issue_date", "pk")
    )

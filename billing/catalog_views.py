"""The practice's sales catalog: its goods, its services (read from the agenda's), its
warehouses with their stock and movements, and its document types.

Every member sees the catalog, the stock and the movements; the owner and the administrator
change goods, warehouses and document types (MANAGE_PRACTICE), and the roles that receive
goods record stock movements (MANAGE_STOCK). Every change goes through billing.services;
every row is fetched through billing.access (another practice's id is a 404).
"""

import base64
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.functions import Coalesce
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing.access import get_catalog_row
from billing.catalog_forms import DocumentTypeForm, MovementForm, ProductForm, WarehouseForm
from billing.models import (
    DocumentType,
    NumberSequence,
    Product,
    StockLevel,
    StockMovement,
    Warehouse,
)
from billing.services import (
    add_document_type,
    adjust_stock,
    format_number,
    save_document_type,
    save_product,
    save_warehouse,
    today,
)
from clientbook.http import PracticeRequest
from clientbook.lib.forms import apply_errors
from clientbook.lib.money import format_money
from practices import roles
from practices.access import member_required
from scheduling.models import Service

GOODS_FILTERS = ("active", "inactive", "all")
# The last movements shown on a warehouse's stock page, and a page of the history.
RECENT_MOVEMENTS = 10
MOVEMENTS_PAGE_SIZE = 50


def _posted(request: PracticeRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def quantity_shown(value: Decimal | None) -> str:
    """A quantity as people write it: 10, 2,5, -3 (no trailing zeros of the three places)."""
    return formats.number_format((value or Decimal(0)).normalize(), force_grouping=True)


def _partial(request: PracticeRequest) -> bool:
    # htmx asks for a part alone, except to restore history (it then needs the page).
    return bool(request.htmx) and not request.htmx.history_restore_request


# The catalog.


@member_required
@require_http_methods(["GET"])
def catalog(request: PracticeRequest) -> HttpResponse:
    practice = request.practice
    shown = request.GET.get("goods", "active")
    if shown not in GOODS_FILTERS:
        shown = "active"
    # One query: each good with its stock summed over the warehouses.
    goods = Product.objects.filter(practice_id=practice.pk).annotate(
        in_stock=Coalesce(Sum("levels__quantity"), Value(Decimal(0)))
    )
    if shown != "all":
        goods = goods.filter(is_active=shown == "active")
    goods = list(goods.order_by("name", "pk"))
    for good in goods:
        good.price_shown = format_money(good.price, practice.currency)
        good.in_stock_shown = quantity_shown(good.in_stock)
    ctx: dict[str, Any] = {
        "goods": goods,
        "shown": shown,
        "goods_filters": [
            ("active", _("Active")),
            ("inactive", _("Inactive")),
            ("all", _("All")),
        ],
        "can_manage": request.member.can(roles.MANAGE_PRACTICE),
    }
    if _partial(request):
        return render(request, "billing/catalog/catalog.html#goods", ctx)
    services = list(Service.objects.filter(practice_id=practice.pk).order_by("name", "pk"))
    for service in services:
        price = service.default_price
        service.price_shown = format_money(price, practice.currency) if price is not None else ""
    warehouses = Warehouse.objects.filter(practice_id=practice.pk).annotate(
        goods_in_stock=Count("levels", filter=Q(levels__quantity__gt=0))
    )
    # The next number of each type this year, in the same query: the year's sequence holds
    # the last number given (none yet: the next is the first). It is a preview: a sale issued
    # meanwhile takes it.
    year = today(practice).year
    last = NumberSequence.objects.filter(type=OuterRef("pk"), year=year).values("last")[:1]
    document_types = list(
        DocumentType.objects.filter(practice_id=practice.pk).annotate(
            next_sequence=Coalesce(Subquery(last), Value(0)) + 1
        )
    )
    for document_type in document_types:
        document_type.next_number = format_number(
            document_type.prefix, year, document_type.next_sequence
        )
    ctx |= {
        "services": services,
        "warehouses": warehouses.order_by("name", "pk"),
        "document_types": document_types,
    }
    return render(request, "billing/catalog/catalog.html", ctx)


# Goods, warehouses and document types (owner and administrator).


def _saved(request: PracticeRequest, text: str, name: str) -> HttpResponse:
    messages.success(request, text % name)
    return redirect("billing:catalog")


def _product_form(request: PracticeRequest, product: Product | None = None) -> HttpResponse:
    form = ProductForm(_posted(request), member=request.member, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_product(by=request.member, product=product, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _saved(request, _("Good “%s” saved."), saved.name)
    ctx = {
        "form": form,
        "object": product,
        "title": product.name if product else _("Add a good"),
        "heading": _("Edit %s") % product.name if product else _("Add a good"),
    }
    return render(request, "billing/catalog/form.html", ctx)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def product_add(request: PracticeRequest) -> HttpResponse:
    return _product_form(request)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def product_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    return _product_form(request, get_catalog_row(request.member, Product, pk, write=True))


def _warehouse_form(request: PracticeRequest, warehouse: Warehouse | None = None) -> HttpResponse:
    form = WarehouseForm(_posted(request), member=request.member, instance=warehouse)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_warehouse(by=request.member, warehouse=warehouse, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _saved(request, _("Warehouse “%s” saved."), saved.name)
    ctx = {
        "form": form,
        "object": warehouse,
        "title": warehouse.name if warehouse else _("Add a warehouse"),
        "heading": _("Edit %s") % warehouse.name if warehouse else _("Add a warehouse"),
    }
    return render(request, "billing/catalog/form.html", ctx)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def warehouse_add(request: PracticeRequest) -> HttpResponse:
    return _warehouse_form(request)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def warehouse_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    return _warehouse_form(request, get_catalog_row(request.member, Warehouse, pk, write=True))


def _document_type_form(
    request: PracticeRequest, document_type: DocumentType | None = None
) -> HttpResponse:
    form = DocumentTypeForm(_posted(request), member=request.member, instance=document_type)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if document_type is None:
                saved = add_document_type(
                    by=request.member, kind=data["kind"], name=data["name"], prefix=data["prefix"]
                )
            else:
                saved = save_document_type(
                    by=request.member,
                    document_type=document_type,
                    name=data["name"],
                    prefix=data["prefix"],
                    is_active=data["is_active"],
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _saved(request, _("Document type “%s” saved."), saved.name)
    ctx = {
        "form": form,
        "object": document_type,
        "kind": document_type.get_kind_display() if document_type else "",
        "title": document_type.name if document_type else _("Add a document type"),
        "heading": (
            _("Edit %s") % document_type.name if document_type else _("Add a document type")
        ),
    }
    return render(request, "billing/catalog/form.html", ctx)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def document_type_add(request: PracticeRequest) -> HttpResponse:
    return _document_type_form(request)


@member_required(permission=roles.MANAGE_PRACTICE)
@require_http_methods(["GET", "POST"])
def document_type_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    return _document_type_form(
        request, get_catalog_row(request.member, DocumentType, pk, write=True)
    )


# A warehouse's stock and the movements.


def stock_goods(warehouse: Warehouse) -> QuerySet[Product]:
    """The goods a warehouse's stock page lists and takes movements of: the active ones, and
    inactive ones still held there (what is left can be counted or taken out), each with its
    level in this warehouse."""
    level = StockLevel.objects.filter(warehouse=warehouse, product=OuterRef("pk"))
    return (
        Product.objects.filter(practice_id=warehouse.practice_id)
        .filter(Q(is_active=True) | Exists(level.exclude(quantity=0)))
        .annotate(level=Coalesce(Subquery(level.values("quantity")[:1]), Value(Decimal(0))))
        .order_by("name", "pk")
    )


def _movement_rows(movements: QuerySet[StockMovement]) -> QuerySet[StockMovement]:
    """With what a row shows of its warehouse, good, document and author (one query)."""
    return movements.select_related("warehouse", "product", "document", "by__user").only(
        *("created_at", "quantity", "level_after", "reason", "note", "practice_id"),
        *("warehouse__name", "product__name", "product__unit", "document__number"),
        *("by__user__first_name", "by__user__last_name", "by__user__email"),
    )


def _prepare_movements(rows: list[StockMovement]) -> None:
    for movement in rows:
        sign = "+" if movement.quantity > 0 else ""
        movement.quantity_shown = sign + quantity_shown(movement.quantity)
        movement.level_after_shown = quantity_shown(movement.level_after)


@member_required
@require_http_methods(["GET", "POST"])
def stock(request: PracticeRequest, pk: int) -> HttpResponse:
    """A warehouse's stock: every good's level (below zero is shown: a sale may take a good
    below zero unless the practice forbids it), a movement by hand, the last movements."""
    warehouse = get_catalog_row(request.member, Warehouse, pk)
    can_move = request.member.can(roles.MANAGE_STOCK)
    if request.method == "POST" and not can_move:
        raise PermissionDenied
    goods = stock_goods(warehouse)
    form = MovementForm(_posted(request), goods=goods) if can_move else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            movement = adjust_stock(
                by=request.member,
                warehouse=warehouse,
                product=data["product"],
                quantity=form.signed_quantity(),
                reason=data["reason"],
                note=data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            _prepare_movements([movement])
            messages.success(
                request,
                _("%(good)s: %(quantity)s in %(warehouse)s, %(level)s in stock now.")
                % {
                    "good": data["product"].name,
                    "quantity": movement.quantity_shown,
                    "warehouse": warehouse.name,
                    "level": movement.level_after_shown,
                },
            )
            return redirect("billing:stock", pk=warehouse.pk)
    levels = list(goods)
    for good in levels:
        good.level_shown = quantity_shown(good.level)
    recent = list(
        _movement_rows(StockMovement.objects.filter(practice_id=warehouse.practice_id))
        .filter(warehouse=warehouse)
        .order_by("-created_at", "-pk")[:RECENT_MOVEMENTS]
    )
    _prepare_movements(recent)
    ctx = {
        "warehouse": warehouse,
        "levels": levels,
        "form": form,
        "recent": recent,
        "movements_url": f"{reverse('billing:movements')}?warehouse={warehouse.pk}",
    }
    return render(request, "billing/catalog/stock.html", ctx)


def _encode_cursor(movement: StockMovement) -> str:
    raw = json.dumps([movement.created_at.isoformat(), movement.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    """A cursor from the URL; anything not shaped like ours is ignored (the first page)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, pk = json.loads(raw)
        if type(pk) is not int or not 0 < pk < 2**63:
            return None
        if not isinstance(when, str) or "\x00" in when:
            return None
        moment = parse_datetime(when)
        if moment is None or moment.tzinfo is None:
            return None
        return moment, pk
    except (ValueError, TypeError):
        return None


@dataclass
class MovementPage:
    rows: list[StockMovement]
    next_cursor: str | None = None  # older
    previous_cursor: str | None = None  # newer
    is_first: bool = True


def movement_page(
    movements: QuerySet[StockMovement],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = MOVEMENTS_PAGE_SIZE,
) -> MovementPage:
    """Newest first, by keyset on (created_at, id): `after` is the cursor of the last row of
    the newer page, `before` the first of the older one. A deep page costs what the first
    costs: the query is a range of an index on (practice, [warehouse, product,] created_at)
    read from its end, with LIMIT."""
    key = Tuple(F("created_at"), F("pk"))
    ordering = [F("created_at").desc(), F("pk").desc()]
    forward, cursor = True, None
    if after and (cursor := _decode_cursor(after)):
        movements = movements.filter(TupleLessThan(key, cursor))
    elif before and (cursor := _decode_cursor(before)):
        forward = False
        movements = movements.filter(TupleGreaterThan(key, cursor))
        ordering = [F("created_at").asc(), F("pk").asc()]
    rows = list(_movement_rows(movements).order_by(*ordering)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    page = MovementPage(rows=rows, is_first=cursor is None)
    if rows:
        if (forward and more) or (not forward and cursor):
            page.next_cursor = _encode_cursor(rows[-1])
        if (forward and cursor) or (not forward and more):
            page.previous_cursor = _encode_cursor(rows[0])
            page.is_first = False
    return page


@member_required
@require_http_methods(["GET"])
def movements(request: PracticeRequest) -> HttpResponse:
    """The stock movements of the practice, of one warehouse or of one good, newest first."""
    member = request.member
    # Another practice's warehouse or good is a 404, as its pages are.
    warehouse_id, product_id = request.GET.get("warehouse", ""), request.GET.get("product", "")
    warehouse = get_catalog_row(member, Warehouse, warehouse_id) if warehouse_id else None
    product = get_catalog_row(member, Product, product_id) if product_id else None
    rows = StockMovement.objects.filter(practice_id=member.practice_id)
    if warehouse is not None:
        rows = rows.filter(warehouse_id=warehouse.pk)
    if product is not None:
        rows = rows.filter(product_id=product.pk)
    page = movement_page(
        rows,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=MOVEMENTS_PAGE_SIZE,
    )
    _prepare_movements(page.rows)
    query = QueryDict(mutable=True)
    if warehouse is not None:
        query["warehouse"] = str(warehouse.pk)
    if product is not None:
        query["product"] = str(product.pk)
    ctx = {
        "page": page,
        "warehouse": warehouse,
        "product": product,
        "query": query.urlencode(),
        "warehouses": Warehouse.objects.filter(practice_id=member.practice_id).only("pk", "name"),
        "goods": Product.objects.filter(practice_id=member.practice_id).only("pk", "name"),
    }
    if _partial(request):
        return render(request, "billing/catalog/movements.html#results", ctx)
    return render(request, "billing/catalog/movements.html", ctx)

"""The sales catalog's URLs for the route inventory (clientbook/tests/test_routes.py): how to
build each for practice A's data, the rows that must not change, and what practice B's owner
must (not) see on the URLs that carry no id of A's.

`catalog_of(world)` gives a practice a good, an inactive good, a warehouse with stock and a
movement, built through the services; it is idempotent (a route builder may call it as often
as it likes), and B's look the same as A's (same names), so a missing practice filter shows
up as a wrong row."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.test import Client as HttpClient
from django.urls import reverse

from billing.models import DocumentType, Product, StockLevel, StockMovement, Warehouse
from billing.services import adjust_stock, save_product, save_warehouse
from clientbook.testing import PracticeWorld

Requests = Callable[[PracticeWorld], list[tuple[str, dict]]]

GOOD = {"name": "Taken over", "price": "1.00", "tax_rate": "0", "is_active": "on"}
WAREHOUSE = {"name": "Taken over", "is_active": "on"}
DOCUMENT_TYPE = {"kind": "invoice", "name": "Taken over", "prefix": "TAKEN", "is_active": ""}
MOVEMENT = {"direction": "out", "quantity": "1", "reason": "damage"}


@dataclass
class CatalogWorld:
    good: Product
    old_good: Product
    warehouse: Warehouse
    document_type: DocumentType


def catalog_of(world: PracticeWorld) -> CatalogWorld:
    practice, owner = world.practice, world.owner
    good = Product.objects.filter(practice=practice, name="Shampoo").first()
    if good is None:
        good = save_product(by=owner, name="Shampoo", price=Decimal("19.99"), unit="pc")
        save_product(by=owner, name="Old shampoo", price=Decimal("9.99"), is_active=False)
        warehouse = save_warehouse(by=owner, name="Front desk")
        adjust_stock(
            by=owner, warehouse=warehouse, product=good, quantity=Decimal(10), reason="delivery"
        )
    return CatalogWorld(
        good=good,
        old_good=Product.objects.get(practice=practice, name="Old shampoo"),
        warehouse=Warehouse.objects.get(practice=practice, name="Front desk"),
        document_type=DocumentType.objects.filter(practice=practice, kind="invoice").first(),
    )


def catalog_rows(practice_id: int | None = None) -> tuple:
    """The catalog's state (of one practice, or of all), for "nothing changed"."""
    scope = {} if practice_id is None else {"practice_id": practice_id}
    return (
        list(Product.objects.filter(**scope).order_by("pk").values()),
        list(Warehouse.objects.filter(**scope).order_by("pk").values()),
        list(DocumentType.objects.filter(**scope).order_by("pk").values()),
        list(StockLevel.objects.filter(**scope).order_by("pk").values()),
        list(
            StockMovement.objects.filter(**scope)
            .order_by("pk")
            .values_list("pk", "quantity", "level_after")
        ),
    )


def _data(payload: dict, a: PracticeWorld) -> dict:
    return {k: v(a) if callable(v) else v for k, v in payload.items()}


def each_good(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        own = catalog_of(a)
        return [(reverse(url_name, args=[g.pk]), payload) for g in (own.good, own.old_good)]

    return build


def each_warehouse(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        data = _data({"product": lambda w: catalog_of(w).good.pk, **payload}, a)
        return [(reverse(url_name, args=[catalog_of(a).warehouse.pk]), data)]

    return build


def each_document_type(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        catalog_of(a)
        types = DocumentType.objects.filter(practice=a.practice)
        return [(reverse(url_name, args=[t.pk]), payload) for t in types]

    return build


def page(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        catalog_of(a)
        return [(reverse(url_name), _data(payload, a))]

    return build


def _links(response, kind: str) -> set[int]:
    pattern = rf'href="/sales/catalog/{kind}/(\d+)/'
    return {int(pk) for pk in re.findall(pattern, response.content.decode())}


def catalog_shows_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    theirs, own = catalog_of(a), catalog_of(b)
    for query in ({}, {"goods": "all"}, {"goods": "inactive"}):
        response = http.get(reverse("billing:catalog"), query)
        assert response.status_code == 200
        goods = {g.pk for g in response.context["goods"]}
        assert goods, query
        assert goods <= {own.good.pk, own.old_good.pk}, query
    response = http.get(reverse("billing:catalog"))
    assert {w.pk for w in response.context["warehouses"]} == {own.warehouse.pk}
    assert {t.practice_id for t in response.context["document_types"]} == {b.practice.pk}
    assert _links(response, "goods") == {own.good.pk}
    assert _links(response, "warehouses") == {own.warehouse.pk}
    assert not _links(response, "goods") & {theirs.good.pk, theirs.old_good.pk}


def adding_adds_only_own(url_name: str, payload: dict, model: type) -> Callable:
    """B's owner adds to B's catalog, even with A's names (free in B); A's rows unchanged."""

    def check(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
        catalog_of(a)
        before = catalog_rows(a.practice.pk)
        response = http.post(reverse(url_name), payload)
        assert response.status_code == 302, url_name
        assert model.objects.get(name=payload["name"]).practice_id == b.practice.pk
        assert catalog_rows(a.practice.pk) == before

    return check


def movements_show_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    theirs, own = catalog_of(a), catalog_of(b)
    theirs_ids = set(StockMovement.objects.filter(practice=a.practice).values_list("pk", flat=True))
    response = http.get(reverse("billing:movements"))
    shown = {m.pk for m in response.context["page"].rows}
    assert shown == set(
        StockMovement.objects.filter(practice=b.practice).values_list("pk", flat=True)
    )
    assert not shown & theirs_ids
    # A's warehouse or good in the filter is a 404, as their own pages are.
    for query in ({"warehouse": theirs.warehouse.pk}, {"product": theirs.good.pk}):
        assert http.get(reverse("billing:movements"), query).status_code == 404, query
    response = http.get(reverse("billing:movements"), {"warehouse": own.warehouse.pk})
    assert {m.pk for m in response.context["page"].rows} == shown

"""The sales catalog's pages: goods, services (read from the agenda's), warehouses with their
stock and movements, document types. Every member sees them; the owner and the administrator
change the catalog; the roles that receive goods record stock movements."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import Event, EventKind
from billing import catalog_views
from billing.models import DocumentType, Product, StockLevel, StockMovement, Warehouse
from billing.services import LineInput, adjust_stock, issue_document, save_product
from billing.tests.routes_catalog import catalog_of, catalog_rows
from clientbook.testing import logged_in
from scheduling.services import save_service
from scheduling.tests.helpers import english, text

ROLES = ["owner", "admin", "reception", "professional"]


def D(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def people(a, b):
    english(a, b)


@pytest.fixture
def looks_alike(b, people):
    """Practice B's catalog, with the same names as the fixtures' of A."""
    own = catalog_of(b)
    save_product(by=b.owner, name="Workbook", price=D("45.50"))
    return own


def level(warehouse: Warehouse, product: Product) -> Decimal:
    return StockLevel.objects.get(warehouse=warehouse, product=product).quantity


def move(http, warehouse: Warehouse, **data):
    return http.post(reverse("billing:stock", args=[warehouse.pk]), data)


# The catalog page.


@pytest.mark.parametrize("role", ROLES)
def test_every_member_sees_the_catalog(a, people, stocked, therapy, role, shampoo, book):
    response = logged_in(a.member(role)).get(reverse("billing:catalog"))
    assert response.status_code == 200
    assert [g.name for g in response.context["goods"]] == ["Shampoo", "Workbook"]
    page = text(response).replace("\xa0", " ")
    # Name, code, unit, price in reais, tax rate, stock of both warehouses (10 + 5).
    assert "Shampoo — pc R$ 19.99 23 % 15 Active" in page
    assert "Workbook — pc R$ 45.50 0 % 3 Active" in page
    assert "Psychotherapy — R$ 150.00 0 % Active" in page
    assert "Back room 1 Active" in page
    assert "Front desk 2 Active" in page


def test_only_those_who_manage_the_practice_get_edit_links(a, people, shampoo, front, therapy):
    def href(name: str, *args) -> str:
        return f'href="{reverse(name, args=args)}"'

    managers = {"owner": True, "admin": True, "reception": False, "professional": False}
    for role, shown in managers.items():
        page = logged_in(a.member(role)).get(reverse("billing:catalog")).content.decode()
        assert (href("billing:product_edit", shampoo.pk) in page) is shown, role
        assert (href("billing:product_add") in page) is shown, role
        assert (href("billing:warehouse_edit", front.pk) in page) is shown, role
        assert (href("scheduling:services") in page) is shown, role
        # The stock is for everyone.
        assert href("billing:stock", front.pk) in page


def test_the_goods_filter_shows_the_inactive_goods_apart(a, people, shampoo, book):
    save_product(by=a.owner, product=book, is_active=False)
    http = logged_in(a.reception)
    names = {}
    for shown in ("active", "inactive", "all", "nonsense"):
        goods = http.get(reverse("billing:catalog"), {"goods": shown}).context["goods"]
        names[shown] = [g.name for g in goods]
    assert names == {
        "active": ["Shampoo"],
        "inactive": ["Workbook"],
        "all": ["Shampoo", "Workbook"],
        "nonsense": ["Shampoo"],
    }


def test_htmx_gets_the_goods_alone(a, people, shampoo):
    response = logged_in(a.owner).get(
        reverse("billing:catalog"), {"goods": "all"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="goods">')
    assert "Shampoo" in body
    assert "Warehouses" not in body


def test_the_document_types_show_the_next_number_of_the_year(
    a, people, joao, invoice_type, therapy
):
    issue_document(
        by=a.reception, client=joao, document_type=invoice_type, lines=[LineInput(service=therapy)]
    )
    response = logged_in(a.owner).get(reverse("billing:catalog"))
    types = {t.kind: t for t in response.context["document_types"]}
    year = types["invoice"].next_number.split("/")[1]
    assert types["invoice"].next_number == f"NF/{year}/0002"
    assert types["receipt"].next_number == f"REC/{year}/0001"
    assert len(types) == 6


def test_the_catalog_page_makes_a_fixed_number_of_queries(
    a, people, stocked, therapy, django_assert_num_queries
):
    http = logged_in(a.reception)
    http.get(reverse("billing:catalog"))  # the session is warm, as for a person clicking

    def count():
        # 1. the session, 2. the user, 3. the memberships with their practices (middleware);
        # 4. the goods with their stock summed (one GROUP BY); 5. the services;
        # 6. the warehouses with their goods in stock counted; 7. the document types with
        # the next number of the year (a subquery).
        with django_assert_num_queries(7):
            assert http.get(reverse("billing:catalog")).status_code == 200

    count()
    # More goods, warehouses and services: still the same queries.
    for n in range(5):
        good = save_product(by=a.owner, name=f"Good {n}", price=D("1"))
        warehouse = catalog_views.Warehouse.objects.create(practice=a.practice, name=f"W{n}")
        adjust_stock(
            by=a.owner, warehouse=warehouse, product=good, quantity=D(1), reason="delivery"
        )
        save_service(by=a.owner, name=f"Service {n}", default_duration=30, default_price=D("5"))
    count()


def test_another_practice_sees_only_its_own_catalog(a, b, looks_alike, stocked, shampoo, book):
    response = logged_in(b.owner).get(reverse("billing:catalog"), {"goods": "all"})
    goods = response.context["goods"]
    assert {g.practice_id for g in goods} == {b.practice.pk}
    assert [g.name for g in goods] == ["Old shampoo", "Shampoo", "Workbook"]
    # B's stock only: 10 in its own front desk (not A's 15).
    assert {g.name: g.in_stock for g in goods}["Shampoo"] == D("10")
    assert [w.goods_in_stock for w in response.context["warehouses"]] == [1]


# Goods.


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_the_owner_and_the_administrator_add_a_good(a, people, role):
    response = logged_in(a.member(role)).post(
        reverse("billing:product_add"),
        {"name": " Flea collar ", "code": "FC-1", "unit": "pc", "price": "39.90",
         "tax_rate": "8", "is_active": "on"},
    )  # fmt: skip
    assert response["Location"] == reverse("billing:catalog")
    good = Product.objects.get(practice=a.practice, name="Flea collar")
    assert (good.code, good.unit, good.price, good.tax_rate, good.is_active) == (
        "FC-1", "pc", D("39.90"), D("8"), True,
    )  # fmt: skip
    assert Event.objects.filter(kind=EventKind.CATALOG_CHANGED, practice=a.practice).exists()


def test_changing_a_good(a, people, shampoo):
    http = logged_in(a.owner)
    url = reverse("billing:product_edit", args=[shampoo.pk])
    form = http.get(url).context["form"]
    assert (form["name"].value(), form["price"].value()) == ("Shampoo", D("19.99"))
    response = http.post(
        url, {"name": "Dog shampoo", "unit": "bottle", "price": "21.50", "tax_rate": "23"}
    )
    assert response["Location"] == reverse("billing:catalog")
    assert "Good “Dog shampoo” saved." in text(http.get(response["Location"]))
    shampoo.refresh_from_db()
    assert (shampoo.name, shampoo.unit, shampoo.price, shampoo.is_active) == (
        "Dog shampoo", "bottle", D("21.50"), False,
    )  # fmt: skip


def test_a_goods_errors_are_shown_next_to_their_fields(a, people, shampoo):
    before = catalog_rows()
    response = logged_in(a.owner).post(
        reverse("billing:product_add"),
        {"name": "shampoo", "price": "1.999", "tax_rate": "101", "code": "x" * 41},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "price", "tax_rate", "code"}
    assert errors["name"] == ["The practice already has a good with this name."]
    body = response.content.decode()
    assert '<p class="error" id="id_name_error">The practice already has a good' in body
    assert '<p class="error" id="id_price_error">' in body
    assert '<p class="error" id="id_tax_rate_error">' in body
    assert catalog_rows() == before


def test_a_negative_price_is_refused(a, people):
    response = logged_in(a.owner).post(
        reverse("billing:product_add"), {"name": "Gift", "price": "-1", "tax_rate": "0"}
    )
    assert list(response.context["form"].errors) == ["price"]


# Warehouses.


def test_adding_and_renaming_a_warehouse(a, people, front):
    http = logged_in(a.admin)
    response = http.post(reverse("billing:warehouse_add"), {"name": "Van", "is_active": "on"})
    assert response["Location"] == reverse("billing:catalog")
    van = Warehouse.objects.get(practice=a.practice, name="Van")
    assert van.is_active
    http.post(reverse("billing:warehouse_edit", args=[van.pk]), {"name": "Car"})
    van.refresh_from_db()
    assert (van.name, van.is_active) == ("Car", False)
    response = http.post(reverse("billing:warehouse_add"), {"name": "FRONT DESK"})
    assert response.context["form"].errors == {
        "name": ["The practice already has a warehouse with this name."]
    }


# Document types.


def test_adding_a_document_type_of_a_sale_kind(a, people):
    http = logged_in(a.owner)
    form = http.get(reverse("billing:document_type_add")).context["form"]
    assert [k for k, _ in form.fields["kind"].choices] == ["", "invoice", "receipt", "proforma"]
    response = http.post(
        reverse("billing:document_type_add"),
        {"kind": "invoice", "name": "Invoice (clinic 2)", "prefix": " nf-b "},
    )
    assert response["Location"] == reverse("billing:catalog")
    added = DocumentType.objects.get(practice=a.practice, name="Invoice (clinic 2)")
    assert (added.kind, added.prefix, added.is_active) == ("invoice", "NF-B", True)
    response = http.post(
        reverse("billing:document_type_add"),
        {"kind": "credit_note", "name": "Credit", "prefix": "C"},
    )
    assert list(response.context["form"].errors) == ["kind"]


def test_a_prefix_already_taken_or_malformed_is_shown_on_the_prefix_field(a, people):
    http = logged_in(a.owner)
    response = http.post(
        reverse("billing:document_type_add"),
        {"kind": "receipt", "name": "Receipt 2", "prefix": "nf"},
    )
    assert response.context["form"].errors == {"prefix": ["Another document type has this prefix."]}
    assert (
        '<p class="error" id="id_prefix_error">Another document type' in response.content.decode()
    )
    response = http.post(
        reverse("billing:document_type_add"), {"kind": "receipt", "name": "R", "prefix": "R/1"}
    )
    assert response.context["form"].errors == {"prefix": ["Letters, digits and hyphens only."]}


def test_changing_a_types_name_and_prefix(a, people, invoice_type):
    http = logged_in(a.owner)
    url = reverse("billing:document_type_edit", args=[invoice_type.pk])
    form = http.get(url).context["form"]
    assert "kind" not in form.fields
    http.post(url, {"name": "Nota fiscal", "prefix": "nfs", "is_active": "on"})
    invoice_type.refresh_from_db()
    assert (invoice_type.name, invoice_type.prefix, invoice_type.is_active) == (
        "Nota fiscal", "NFS", True,
    )  # fmt: skip


def test_the_last_active_type_of_a_kind_stays_on(a, people, invoice_type):
    response = logged_in(a.owner).post(
        reverse("billing:document_type_edit", args=[invoice_type.pk]),
        {"name": "Invoice", "prefix": "NF"},
    )
    assert response.context["form"].errors == {
        "is_active": ["The practice needs at least one active type of this kind."]
    }
    assert '<p class="error" id="id_is_active_error">' in response.content.decode()
    invoice_type.refresh_from_db()
    assert invoice_type.is_active


# Stock.


@pytest.mark.parametrize("role", ROLES)
def test_every_member_sees_a_warehouses_stock(a, people, stocked, front, shampoo, book, role):
    response = logged_in(a.member(role)).get(reverse("billing:stock", args=[front.pk]))
    assert response.status_code == 200
    assert {g.name: g.level for g in response.context["levels"]} == {
        "Shampoo": D("10"), "Workbook": D("3"),
    }  # fmt: skip
    assert [m.reason for m in response.context["recent"]] == ["delivery", "delivery"]


def test_a_level_below_zero_is_highlighted(a, people, joao, invoice_type, front, book, stocked):
    # The practice allows selling below zero (the default): 5 sold of 3.
    issue_document(
        by=a.reception, client=joao, document_type=invoice_type, warehouse=front,
        lines=[LineInput(product=book, quantity=D(5))],
    )  # fmt: skip
    response = logged_in(a.reception).get(reverse("billing:stock", args=[front.pk]))
    assert {g.name: g.level for g in response.context["levels"]}["Workbook"] == D("-2")
    body = response.content.decode()
    assert '<td class="num nowrap negative">-2 pc' in body
    assert "(below zero)" in body


def test_a_delivery_then_a_removal_leave_the_right_level(a, people, front, shampoo):
    http = logged_in(a.reception)
    response = move(
        http, front, product=shampoo.pk, direction="in", quantity="12", reason="delivery",
        note="Order 17",
    )  # fmt: skip
    assert response["Location"] == reverse("billing:stock", args=[front.pk])
    assert level(front, shampoo) == D("12")
    assert "Shampoo: +12 in Front desk, 12 in stock now." in text(http.get(response["Location"]))
    move(http, front, product=shampoo.pk, direction="out", quantity="2.5", reason="damage")
    assert level(front, shampoo) == D("9.5")
    movements = list(StockMovement.objects.filter(warehouse=front).order_by("pk"))
    assert [(m.quantity, m.level_after, m.reason, m.by) for m in movements] == [
        (D("12"), D("12"), "delivery", a.reception),
        (D("-2.5"), D("9.5"), "damage", a.reception),
    ]
    assert movements[0].note == "Order 17"
    page = text(http.get(reverse("billing:stock", args=[front.pk])))
    assert "Shampoo -2.5 9.5 Damaged or expired" in page


def test_the_direction_must_fit_the_reason(a, people, front, shampoo):
    http = logged_in(a.owner)
    response = move(
        http, front, product=shampoo.pk, direction="out", quantity="3", reason="delivery"
    )
    assert response.context["form"].errors == {
        "direction": ["A delivery adds to stock: choose “In”."]
    }
    response = move(
        http, front, product=shampoo.pk, direction="in", quantity="3", reason="internal"
    )
    assert response.context["form"].errors == {
        "direction": ["This reason takes from stock: choose “Out”."]
    }
    # No direction chosen for you, and no sign in the quantity.
    response = move(http, front, product=shampoo.pk, quantity="-3", reason="count")
    assert set(response.context["form"].errors) == {"direction", "quantity"}
    assert response.context["form"].errors["quantity"] == [
        "Enter the quantity without a sign; choose in or out above."
    ]
    assert not StockMovement.objects.filter(warehouse=front).exists()


def test_taking_out_more_than_is_held_is_refused_on_the_quantity(a, people, stocked, front, book):
    response = move(
        logged_in(a.reception), front, product=book.pk, direction="out", quantity="4",
        reason="count",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors == {"quantity": ["Only 3 in stock in Front desk."]}
    assert '<p class="error" id="id_quantity_error">Only 3 in stock' in response.content.decode()
    assert level(front, book) == D("3")


def test_the_movement_form_offers_only_the_practices_goods(a, people, looks_alike, front, shampoo):
    http = logged_in(a.owner)
    form = http.get(reverse("billing:stock", args=[front.pk])).context["form"]
    assert list(form.fields["product"].queryset) == [shampoo]
    response = move(
        http, front, product=looks_alike.good.pk, direction="in", quantity="1", reason="delivery"
    )
    assert list(response.context["form"].errors) == ["product"]
    assert not StockMovement.objects.filter(warehouse=front).exists()


def test_an_inactive_good_still_held_is_listed_and_can_be_taken_out(
    a, people, front, stocked, book
):
    save_product(by=a.owner, product=book, is_active=False)
    http = logged_in(a.reception)
    response = http.get(reverse("billing:stock", args=[front.pk]))
    assert "Workbook" in [g.name for g in response.context["levels"]]
    move(http, front, product=book.pk, direction="out", quantity="3", reason="internal")
    assert level(front, book) == 0
    response = http.get(reverse("billing:stock", args=[front.pk]))
    assert "Workbook" not in [g.name for g in response.context["levels"]]


def test_a_professional_sees_the_stock_but_cannot_record_a_movement(a, people, front, shampoo):
    http = logged_in(a.professional)
    response = http.get(reverse("billing:stock", args=[front.pk]))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Record a movement" not in text(response)
    before = catalog_rows()
    response = move(
        http, front, product=shampoo.pk, direction="in", quantity="5", reason="delivery"
    )
    assert response.status_code == 403
    assert catalog_rows() == before


# Movements.


@pytest.fixture
def history(a, people, front, back, shampoo, book):
    """Nine movements of A: front/shampoo +1..+5, back/shampoo +1, +2, front/book +1, +2."""
    return [
        adjust_stock(
            by=a.reception, warehouse=warehouse, product=product, quantity=D(n), reason="delivery"
        )
        for warehouse, product, count in ((front, shampoo, 5), (back, shampoo, 2), (front, book, 2))
        for n in range(1, count + 1)
    ]


def test_the_history_walks_every_movement_once_newest_first(a, history, monkeypatch):
    monkeypatch.setattr(catalog_views, "MOVEMENTS_PAGE_SIZE", 4)
    http = logged_in(a.professional)
    url = reverse("billing:movements")
    seen, pages, params = [], [], {}
    while True:
        page = http.get(url, params).context["page"]
        pages.append(page)
        seen += [m.pk for m in page.rows]
        if not page.next_cursor:
            break
        params = {"after": page.next_cursor}
    newest_first = sorted(history, key=lambda m: (m.created_at, m.pk), reverse=True)
    assert seen == [m.pk for m in newest_first]
    assert [len(p.rows) for p in pages] == [4, 4, 1]
    assert pages[0].is_first
    assert not pages[0].previous_cursor
    # And back: the previous page of the last is the second.
    back = http.get(url, {"before": pages[-1].previous_cursor}).context["page"]
    assert [m.pk for m in back.rows] == [m.pk for m in pages[1].rows]
    back = http.get(url, {"before": back.previous_cursor}).context["page"]
    assert [m.pk for m in back.rows] == [m.pk for m in pages[0].rows]
    assert back.previous_cursor is None


def test_the_history_pages_carry_the_filter(a, history, front, shampoo, monkeypatch):
    monkeypatch.setattr(catalog_views, "MOVEMENTS_PAGE_SIZE", 2)
    http = logged_in(a.owner)
    response = http.get(
        reverse("billing:movements"), {"warehouse": front.pk, "product": shampoo.pk}
    )
    page = response.context["page"]
    assert [m.quantity for m in page.rows] == [D(5), D(4)]
    body = response.content.decode()
    assert f"?warehouse={front.pk}&amp;product={shampoo.pk}&amp;after={page.next_cursor}" in body
    rows = (
        http.get(
            reverse("billing:movements"),
            {"warehouse": front.pk, "product": shampoo.pk, "after": page.next_cursor},
        )
        .context["page"]
        .rows
    )
    assert [m.quantity for m in rows] == [D(3), D(2)]


def test_the_history_filters_by_warehouse_and_by_good(a, history, back, book):
    http = logged_in(a.reception)
    by_warehouse = http.get(reverse("billing:movements"), {"warehouse": back.pk}).context["page"]
    assert [m.quantity for m in by_warehouse.rows] == [D(2), D(1)]
    by_good = http.get(reverse("billing:movements"), {"product": book.pk}).context["page"]
    assert [(m.warehouse_id, m.quantity) for m in by_good.rows] == [
        (history[-1].warehouse_id, D(2)), (history[-1].warehouse_id, D(1)),
    ]  # fmt: skip


def test_a_malformed_cursor_starts_over(a, history):
    http = logged_in(a.reception)
    first = [m.pk for m in http.get(reverse("billing:movements")).context["page"].rows]
    for cursor in ("nonsense", "WzEsMl0", "", "W10", "WyIyMDIwLTAxLTAxIiwgMF0"):
        response = http.get(reverse("billing:movements"), {"after": cursor})
        assert response.status_code == 200, cursor
        assert [m.pk for m in response.context["page"].rows] == first, cursor


def test_a_sales_movement_links_to_its_document(
    a, people, joao, invoice_type, front, stocked, book
):
    sale = issue_document(
        by=a.reception, client=joao, document_type=invoice_type, warehouse=front,
        lines=[LineInput(product=book, quantity=D(1))],
    ).document  # fmt: skip
    response = logged_in(a.owner).get(reverse("billing:movements"), {"product": book.pk})
    newest = response.context["page"].rows[0]
    assert (newest.reason, newest.quantity, newest.level_after) == ("sale", D(-1), D(2))
    link = f'<a href="{reverse("billing:document", args=[sale.pk])}">{sale.number}</a>'
    assert link in response.content.decode()


def test_the_history_makes_a_fixed_number_of_queries(
    a, history, joao, invoice_type, front, book, django_assert_num_queries
):
    issue_document(
        by=a.reception, client=joao, document_type=invoice_type, warehouse=front,
        lines=[LineInput(product=book, quantity=D(1))],
    )  # fmt: skip
    http = logged_in(a.reception)
    http.get(reverse("billing:movements"))
    # 1. the session, 2. the user, 3. the memberships (middleware); 4. the page of movements
    # with their warehouse, good, document and author joined; 5. the warehouses and 6. the
    # goods of the filter.
    with django_assert_num_queries(6):
        response = http.get(reverse("billing:movements"))
    assert len(response.context["page"].rows) == 10


def test_another_practice_sees_only_its_own_movements_and_gets_404_for_others(
    a, b, looks_alike, history, front, shampoo
):
    http = logged_in(b.owner)
    rows = http.get(reverse("billing:movements")).context["page"].rows
    assert {m.practice_id for m in rows} == {b.practice.pk}
    assert len(rows) == 1
    for query in ({"warehouse": front.pk}, {"product": shampoo.pk}, {"warehouse": "x"}):
        assert http.get(reverse("billing:movements"), query).status_code == 404, query


# Who may.

MANAGE = [
    ("product_add", None, {"name": "Taken over", "price": "1", "tax_rate": "0"}),
    ("product_edit", "good", {"name": "Taken over", "price": "1", "tax_rate": "0"}),
    ("warehouse_add", None, {"name": "Taken over"}),
    ("warehouse_edit", "warehouse", {"name": "Taken over"}),
    ("document_type_add", None, {"kind": "invoice", "name": "Taken over", "prefix": "TO"}),
    ("document_type_edit", "document_type", {"name": "Taken over", "prefix": "TO"}),
]


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_reception_and_professionals_get_403_and_change_nothing(a, people, role):
    own = catalog_of(a)
    before = (catalog_rows(), Event.objects.count())
    http = logged_in(a.member(role))
    for name, row, data in MANAGE:
        url = reverse(f"billing:{name}", args=[getattr(own, row).pk] if row else [])
        assert http.get(url).status_code == 403, name
        assert http.post(url, data).status_code == 403, name
    assert (catalog_rows(), Event.objects.count()) == before


def test_another_practice_gets_404_for_every_row_and_changes_nothing(a, b, people):
    theirs = catalog_of(a)
    catalog_of(b)
    before = (catalog_rows(), Event.objects.count())
    http = logged_in(b.owner)
    pages = [(name, row, data) for name, row, data in MANAGE if row] + [
        ("stock", "warehouse", {"product": theirs.good.pk, "direction": "out", "quantity": "1",
                                "reason": "damage"}),
    ]  # fmt: skip
    for name, row, data in pages:
        url = reverse(f"billing:{name}", args=[getattr(theirs, row).pk])
        assert http.get(url).status_code == 404, name
        assert http.post(url, data).status_code == 404, name
    # And B's reception, who records movements in B.
    url = reverse("billing:stock", args=[theirs.warehouse.pk])
    assert logged_in(b.reception).post(url, pages[-1][2]).status_code == 404
    assert (catalog_rows(), Event.objects.count()) == before


def test_another_practice_adds_only_its_own(a, b, people, shampoo, front):
    http = logged_in(b.owner)
    before = catalog_rows(a.practice.pk)
    # A's names are free in B.
    http.post(reverse("billing:product_add"), {"name": "Shampoo", "price": "9", "tax_rate": "23"})
    http.post(reverse("billing:warehouse_add"), {"name": "Front desk", "is_active": "on"})
    http.post(
        reverse("billing:document_type_add"),
        {"kind": "receipt", "name": "Paragon 2", "prefix": "NF"},
    )
    assert Product.objects.get(practice=b.practice, name="Shampoo").price == D("9")
    assert Warehouse.objects.filter(practice=b.practice, name="Front desk").exists()
    assert DocumentType.objects.get(practice=b.practice, prefix="NF").kind == "receipt"
    assert catalog_rows(a.practice.pk) == before

"""Fixtures of the sales tests: practice A's catalog (a service with a price, two goods with
stock in two warehouses) and its document types, in English."""

import sqlite3
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from billing.models import DocumentKind, DocumentType, Product, Warehouse
from billing.services import adjust_stock, save_product, save_warehouse
from clients.models import Client
from scheduling.models import Service
from scheduling.services import save_service


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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
def book(a) -> Product:
    return save_product(by=a.owner, name="Workbook", unit="pc", price=Decimal("45.50"))


@pytest.fixture
def front(a) -> Warehouse:
    return save_warehouse(by=a.owner, name="Front desk")


@pytest.fixture
def back(a) -> Warehouse:
    return save_warehouse(by=a.owner, name="Back room")


@pytest.fixture
def stocked(a, front, back, shampoo, book) -> None:
    for warehouse, product, quantity in (
        (front, shampoo, "10"), (front, book, "3"), (back, shampoo, "5"),
    ):  # fmt: skip
        adjust_stock(
            by=a.owner, warehouse=warehouse, product=product, quantity=Decimal(quantity),
            reason="delivery",
        )  # fmt: skip


@pytest.fixture
def invoice_type(a) -> DocumentType:
    return DocumentType.objects.get(practice=a.practice, kind=DocumentKind.INVOICE)


@pytest.fixture
def proforma_type(a) -> DocumentType:
    return DocumentType.objects.get(practice=a.practice, kind=DocumentKind.PROFORMA)


@pytest.fixture
def joao(a) -> Client:
    return a.clients["João da Silva"]


@pytest.fixture
def receipt_type(a) -> DocumentType:
    return DocumentType.objects.get(practice=a.practice, kind=DocumentKind.RECEIPT)


@pytest.fixture
def anas_client(a) -> Client:
    """The client Ana (a.professional) is responsible for."""
    return a.clients["Ana's client"]


@pytest.fixture
def no_negative_stock(a) -> None:
    """Practice A refuses sales below zero stock. No service changes this setting yet, so it
    is set on the row; the members' `practice` is this same object, so they see it."""
    a.practice.forbid_negative_stock = True
    a.practice.save(update_fields=["forbid_negative_stock"])


@pytest.fixture
def threads_share_the_database(tmp_path):
    """Lets threads, each with its own connection, write at once as two requests would (the
    approach of clients/tests/test_services.py).

    PostgreSQL: nothing to do. SQLite: the test database lives in memory with a shared cache,
    where a second writer fails at once instead of waiting as it does on the WAL file
    production uses. So the threads work on a copy of the test database in a file, opened with
    the production settings; request this fixture after the data is built, and read results
    back through a thread too. The main thread's in-memory connection is left untouched.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    path = tmp_path / "concurrent.sqlite3"
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    settings_dict = connection.settings_dict  # the dict new connections are made from
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = name

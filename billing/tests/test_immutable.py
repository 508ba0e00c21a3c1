"""An issued document is never changed, through any route of the site: every URL of the
project that takes an id is requested with the document's id, by its practice's owner, with
every method and a payload that tries to rewrite it. Only `open_amount` (what is still owed)
may move, and only through a credit note, which is a new document."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from billing.models import Document, DocumentLine
from billing.services import LineInput, issue_document
from clientbook.testing import logged_in

REWRITE = {
    "number": "FAKE/1", "total": "1.00", "net_total": "1.00", "billing_name": "Someone else",
    "billing_tax_id": "000", "issue_date": "2020-01-01", "client": "1", "description": "x",
    "quantity": "99", "unit_price": "0.01", "reason": "rewrite", "lines-TOTAL_FORMS": "0",
}  # fmt: skip


def patterns(resolvers=None, prefix=""):
    for pattern in get_resolver().url_patterns if resolvers is None else resolvers:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def frozen(document: Document) -> tuple:
    row = Document.objects.filter(pk=document.pk).values().get()
    row.pop("open_amount")
    lines = list(DocumentLine.objects.filter(document=document).order_by("pk").values())
    return row, lines


@pytest.mark.django_db
def test_no_route_changes_an_issued_document(a, joao, invoice_type, therapy):
    document = issue_document(
        by=a.owner, client=joao, document_type=invoice_type, lines=[LineInput(service=therapy)]
    ).document
    before = frozen(document)
    http = logged_in(a.owner)
    tried = 0
    for route in patterns():
        if route.startswith(("admin/", "api/")) or "<int:" not in route:
            continue
        url = "/" + re.sub(r"<int:\w+>", str(document.pk), route)
        for method in ("get", "post", "put", "patch", "delete"):
            getattr(http, method)(url, REWRITE)
            tried += 1
    assert tried > 50
    assert frozen(document) == before

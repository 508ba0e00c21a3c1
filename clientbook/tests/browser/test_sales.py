"""Sales as reception makes them: a new sale from the card with a service and a good (the
totals previewed as the lines are filled), paid in part; then a collective settlement of two
open documents; the stock and the balance follow."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from billing.models import Document, DocumentKind, DocumentType, Settlement, StockLevel
from billing.services import (
    LineInput,
    adjust_stock,
    balance,
    issue_document,
    save_product,
    save_warehouse,
)
from scheduling.services import save_service


@pytest.mark.browser
def test_a_sale_paid_in_part_then_settled_with_another(log_in, live_server, page: Page, a):
    therapy = save_service(
        by=a.owner, name="Psychotherapy", default_duration=50, default_price=Decimal("150.00")
    )
    book = save_product(by=a.owner, name="Workbook", unit="pc", price=Decimal("45.50"))
    front = save_warehouse(by=a.owner, name="Front desk")
    adjust_stock(by=a.owner, warehouse=front, product=book, quantity=Decimal(5), reason="delivery")
    client = a.clients["João da Silva"]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(a.reception)

    page.goto(f"{live_server.url}/clients/{client.pk}/")
    panel = page.get_by_role("region", name="Sales")
    expect(panel.get_by_text("Nothing owed.")).to_be_visible()
    panel.get_by_role("link", name="New sale").click()
    page.wait_for_url(f"**/sales/client/{client.pk}/new/")
    expect(page.get_by_label("Document type")).to_have_value(
        str(DocumentType.objects.get(practice=a.practice, kind=DocumentKind.INVOICE).pk)
    )
    page.locator("#id_lines-0-item").select_option(f"s{therapy.pk}")
    page.locator("#id_lines-1-item").select_option(f"g{book.pk}")
    page.locator("#id_lines-1-quantity").fill("2")
    page.locator("#id_lines-1-quantity").dispatch_event("change")
    # The totals follow the lines (htmx): 150.00 + 2 x 45.50.
    expect(page.locator("#sale-totals .grand dd")).to_have_text(re.compile(r"241\.00"))
    page.get_by_role("button", name="Issue", exact=True).click()

    page.wait_for_url(re.compile(r".*/sales/documents/\d+/$"))
    invoice = Document.objects.get(client=client)
    expect(page.get_by_role("heading", level=1)).to_contain_text(invoice.number)
    assert StockLevel.objects.get(warehouse=front, product=book).quantity == 3
    page.get_by_role("link", name="Record a payment").click()
    page.get_by_label("Amount").fill("100.00")
    page.get_by_label("Payment method").select_option("pix")
    page.get_by_role("button", name="Record the payment").click()
    page.wait_for_url(re.compile(r".*/sales/payments/\d+/$"))
    expect(page.get_by_text("Payment", exact=False).first).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("141.00")

    second = issue_document(
        by=a.reception, client=client, document_type=invoice.type,
        lines=[LineInput(service=therapy)],
    ).document  # fmt: skip
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(panel.locator(".balance")).to_contain_text("291.00")
    panel.get_by_role("link", name="Collective settlement").click()
    page.get_by_label(re.compile(invoice.number)).check()
    page.get_by_label(re.compile(second.number)).check()
    page.get_by_role("button", name="Settle").click()

    page.wait_for_url(re.compile(r".*/sales/settlements/\d+/$"))
    settlement = Settlement.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(settlement.number)
    assert settlement.total == Decimal("291.00")
    assert balance(client) == 0
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(panel.get_by_text("Nothing owed.")).to_be_visible()
    assert errors == []

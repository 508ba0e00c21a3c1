"""Issuing sales documents: lines, totals, numbering, the snapshot, stock."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentType,
    NumberSequence,
    StockLevel,
    StockMovement,
)
from billing.services import (
    LineInput,
    PaymentInput,
    balance,
    billable_sessions,
    credit_document,
    issue_document,
    save_product,
    save_warehouse,
    today,
)
from billing.tests.helpers import D, level, past_session, sell
from clients.models import Client, Status
from clients.services import change_client_code, change_status, update_client
from pets.services import add_animal
from scheduling.models import SessionStatus
from scheduling.services import save_service


def test_it_issues_an_invoice_with_a_service_and_a_good(
    a, joao, invoice_type, therapy, shampoo, front, stocked
):
    result = issue_document(
        by=a.reception,
        client=joao,
        document_type=invoice_type,
        warehouse=front,
        lines=[LineInput(service=therapy), LineInput(product=shampoo, quantity=D("3"))],
    )
    document = result.document
    assert document.number == f"NF/{document.issue_date.year}/0001"
    # 150.00 + 3 x 19.99 = 59.97 net, tax 23% = 13.79 (13.7931 rounded).
    assert (document.net_total, document.tax_total, document.total) == (
        D("209.97"), D("13.79"), D("223.76"),
    )  # fmt: skip
    assert document.open_amount == D("223.76")
    assert balance(joao) == D("223.76")
    assert StockLevel.objects.get(warehouse=front, product=shampoo).quantity == D("7")
    assert result.warnings == []
    assert [line.description for line in DocumentLine.objects.filter(document=document)] == [
        "Psychotherapy", "Shampoo",
    ]  # fmt: skip


def test_a_payment_taken_at_once_closes_it(a, joao, invoice_type, therapy):
    result = issue_document(
        by=a.reception, client=joao, document_type=invoice_type,
        lines=[LineInput(service=therapy)], payment=PaymentInput(method="pix"),
    )  # fmt: skip
    assert result.document.open_amount == 0
    assert result.payment.amount == D("150.00")
    assert balance(joao) == 0


def test_a_good_needs_a_warehouse(a, joao, invoice_type, shampoo):
    with pytest.raises(ValidationError) as caught:
        issue_document(
            by=a.reception, client=joao, document_type=invoice_type,
            lines=[LineInput(product=shampoo)],
        )  # fmt: skip
    assert "warehouse" in caught.value.message_dict


# ---------------------------------------------------------------------------------------------
# Totals.


def test_a_mixed_documents_totals_are_the_sums_of_its_rounded_lines(
    a, joao, invoice_type, therapy, shampoo, book, front, stocked
):
    session = past_session(
        a.reception, joao, a.other_professional, service=therapy, price=D("120.00")
    )
    document = sell(
        a.reception, joao, invoice_type,
        LineInput(service=therapy, discount_percent=D("10")),
        LineInput(product=shampoo, quantity=D("2")),
        LineInput(product=book, quantity=D("1.5"), unit_price=D("40.00")),
        LineInput(session=session),
        LineInput(description="Report", unit_price=D("80.00"), tax_rate=D("5")),
        warehouse=front,
    ).document  # fmt: skip
    lines = list(document.lines.order_by("position"))
    assert [(line.net, line.tax, line.total) for line in lines] == [
        (D("135.00"), D("0.00"), D("135.00")),  # 150.00 less 10%
        (D("39.98"), D("9.20"), D("49.18")),  # 2 x 19.99, 23% of it is 9.1954
        (D("60.00"), D("0.00"), D("60.00")),  # 1.5 x 40.00, the price given
        (D("120.00"), D("0.00"), D("120.00")),  # the session's own price
        (D("80.00"), D("4.00"), D("84.00")),
    ]
    assert [line.position for line in lines] == [1, 2, 3, 4, 5]
    assert (document.net_total, document.tax_total, document.total) == (
        D("434.98"), D("13.20"), D("448.18"),
    )  # fmt: skip
    assert document.open_amount == document.total
    # What was not given comes from the good, the service or the session.
    assert (lines[1].unit, lines[1].tax_rate, lines[1].unit_price) == ("pc", D("23"), D("19.99"))
    assert lines[3].service == therapy
    assert lines[3].description.startswith("Psychotherapy — ")
    assert {line.client_id for line in lines} == {joao.pk}
    assert {line.issue_date for line in lines} == {document.issue_date}


def test_a_session_without_a_price_is_billed_at_the_clients_default_fee(a, joao, invoice_type):
    joao = update_client(joao, by=a.reception, fields={"default_fee": D("95.00")})
    session = past_session(a.reception, joao, a.other_professional)
    document = sell(a.reception, joao, invoice_type, LineInput(session=session)).document
    assert document.total == D("95.00")


# ---------------------------------------------------------------------------------------------
# A line's errors name the line and the field, and nothing is written.


@dataclass
class Catalog:
    a: Any
    b: Any
    joao: Any
    therapy: Any
    shampoo: Any
    attended: Any


def _b_service(c):
    return save_service(by=c.b.owner, name="Psychotherapy", default_duration=30,
                        default_price=D("100.00"))  # fmt: skip


def _b_session(c):
    client = c.b.clients["João da Silva"]
    return past_session(c.b.owner, client, c.b.other_professional, service=_b_service(c))


def _b_animal(c):
    return add_animal(by=c.b.owner, client=c.b.clients["João da Silva"], name="Rex",
                      species="dog")  # fmt: skip


def _b_good(c):
    return save_product(by=c.b.owner, name="Shampoo", price=D("19.99"))


def _inactive_good(c):
    return save_product(by=c.a.owner, product=c.shampoo, is_active=False)


def _inactive_service(c):
    return save_service(
        by=c.a.owner, service=c.therapy, name="Psychotherapy", default_duration=50,
        default_price=D("150.00"), is_active=False,
    )  # fmt: skip


def _colleagues_client_session(c):
    other = c.a.clients["Zoë Ødegaard"]
    return past_session(c.a.reception, other, c.a.other_professional, service=c.therapy)


def _scheduled(c):
    """A session that began three days ago and was never marked attended or missed."""
    return past_session(c.a.reception, c.joao, c.a.other_professional, days_ago=3, status=None)


def _billed_session(c):
    sell(c.a.reception, c.joao, invoice_type_of(c.a), LineInput(session=c.attended))
    return c.attended


def invoice_type_of(world) -> DocumentType:
    return DocumentType.objects.get(practice=world.practice, kind=DocumentKind.INVOICE)


BAD_LINES = {
    "quantity zero": (lambda c: LineInput(service=c.therapy, quantity=D(0)), "quantity"),
    "quantity below zero": (lambda c: LineInput(service=c.therapy, quantity=D(-1)), "quantity"),
    "quantity in ten-thousandths": (
        lambda c: LineInput(service=c.therapy, quantity=D("1.0001")),
        "quantity",
    ),
    "quantity too large": (
        lambda c: LineInput(service=c.therapy, quantity=D("1000000000")),
        "quantity",
    ),
    "price below zero": (
        lambda c: LineInput(description="Fee", unit_price=D("-0.01")),
        "unit_price",
    ),
    "price in tenths of a cent": (
        lambda c: LineInput(description="Fee", unit_price=D("1.001")),
        "unit_price",
    ),
    "no price at all": (lambda c: LineInput(description="Fee"), "unit_price"),
    "no description at all": (lambda c: LineInput(unit_price=D("1.00")), "description"),
    "discount above 100": (
        lambda c: LineInput(service=c.therapy, discount_percent=D("100.01")),
        "discount_percent",
    ),
    "discount below zero": (
        lambda c: LineInput(service=c.therapy, discount_percent=D(-5)),
        "discount_percent",
    ),
    "tax above 100": (lambda c: LineInput(service=c.therapy, tax_rate=D(101)), "tax_rate"),
    "another practice's good": (lambda c: LineInput(product=_b_good(c)), "product"),
    "another practice's service": (lambda c: LineInput(service=_b_service(c)), "service"),
    "another practice's session": (lambda c: LineInput(session=_b_session(c)), "session"),
    "another practice's animal": (
        lambda c: LineInput(service=c.therapy, animal=_b_animal(c)),
        "animal",
    ),
    "an inactive good": (lambda c: LineInput(product=_inactive_good(c)), "product"),
    "an inactive service": (lambda c: LineInput(service=_inactive_service(c)), "service"),
    "a service and a good": (
        lambda c: LineInput(service=c.therapy, product=c.shampoo),
        "product",
    ),
    "another client's session": (
        lambda c: LineInput(session=_colleagues_client_session(c)),
        "session",
    ),
    "a session not attended yet": (lambda c: LineInput(session=_scheduled(c)), "session"),
    "a session billed already": (lambda c: LineInput(session=_billed_session(c)), "session"),
    "a session twice in one document": (lambda c: LineInput(session=c.attended), "session"),
}


@pytest.mark.parametrize("case", BAD_LINES)
def test_a_bad_line_is_refused_on_its_own_field(
    a, b, joao, invoice_type, therapy, shampoo, front, stocked, case
):
    attended = past_session(a.reception, joao, a.other_professional, days_ago=2, service=therapy)
    catalog = Catalog(a=a, b=b, joao=joao, therapy=therapy, shampoo=shampoo, attended=attended)
    make_line, field_name = BAD_LINES[case]
    bad = make_line(catalog)
    # The first line is fine (the session twice: the first time is fine).
    first = LineInput(description="Intake", unit_price=D("10.00"))
    if case.endswith("in one document"):
        first = LineInput(session=attended)
    before = written()
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, joao, invoice_type, first, bad, warehouse=front)
    assert list(caught.value.message_dict) == [f"lines.1.{field_name}"]
    assert written() == before


def written() -> tuple:
    """What a refused sale must not have changed."""
    return (
        Document.objects.count(),
        DocumentLine.objects.count(),
        StockMovement.objects.count(),
        sorted(NumberSequence.objects.values_list("type_id", "year", "last")),
    )


def test_a_sale_needs_a_line(a, joao, invoice_type):
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, joao, invoice_type)
    assert list(caught.value.message_dict) == ["lines"]


def test_a_missed_session_can_be_billed(a, joao, invoice_type, therapy):
    missed = past_session(
        a.reception, joao, a.other_professional, service=therapy, status=SessionStatus.NO_SHOW
    )
    document = sell(a.reception, joao, invoice_type, LineInput(session=missed)).document
    assert document.total == D("150.00")
    assert missed not in billable_sessions(joao)


def test_a_credited_session_can_be_billed_again(a, joao, invoice_type, therapy):
    session = past_session(a.reception, joao, a.other_professional, service=therapy)
    document = sell(a.reception, joao, invoice_type, LineInput(session=session)).document
    assert list(billable_sessions(joao)) == []
    credit_document(by=a.reception, document=document, reason="Wrong price")
    assert list(billable_sessions(joao)) == [session]
    again = sell(a.reception, joao, invoice_type, LineInput(session=session, unit_price=D("90")))
    assert again.document.total == D("90.00")


def test_a_proforma_bills_nothing_moves_no_stock_and_carries_no_debt(
    a, joao, invoice_type, proforma_type, therapy, shampoo, front, stocked
):
    session = past_session(a.reception, joao, a.other_professional, service=therapy)
    proforma = sell(
        a.reception, joao, proforma_type,
        LineInput(session=session), LineInput(product=shampoo, quantity=D(4)), warehouse=front,
    ).document  # fmt: skip
    assert proforma.number == f"PF/{proforma.issue_date.year}/0001"
    assert proforma.total == D("248.35")  # 150.00 + 4 x 19.99 + 23% of 79.96 (18.3908)
    assert proforma.open_amount == 0
    assert not proforma.is_debt
    assert balance(joao) == 0
    assert level(front, shampoo) == D(10)
    assert not proforma.movements.exists()
    assert list(billable_sessions(joao)) == [session]
    # The invoice that follows bills the session and takes the goods.
    invoice = sell(
        a.reception, joao, invoice_type,
        LineInput(session=session), LineInput(product=shampoo, quantity=D(4)), warehouse=front,
    ).document  # fmt: skip
    assert invoice.total == proforma.total
    assert balance(joao) == invoice.total
    assert level(front, shampoo) == D(6)


def test_a_proforma_is_not_paid(a, joao, proforma_type, therapy):
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, joao, proforma_type, LineInput(service=therapy),
             payment=PaymentInput(method="cash"))  # fmt: skip
    assert list(caught.value.message_dict) == ["payment"]


def test_only_an_active_sale_type_issues(a, joao, therapy):
    credit_type = DocumentType.objects.get(practice=a.practice, kind=DocumentKind.CREDIT_NOTE)
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, joao, credit_type, LineInput(service=therapy))
    assert list(caught.value.message_dict) == ["document_type"]


def test_a_closed_warehouse_sells_nothing(a, joao, invoice_type, shampoo, front, stocked):
    save_warehouse(by=a.owner, warehouse=front, name=front.name, is_active=False)
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, joao, invoice_type, LineInput(product=shampoo), warehouse=front)
    assert list(caught.value.message_dict) == ["warehouse"]


# ---------------------------------------------------------------------------------------------
# The snapshot of the buyer.


def test_the_buyers_details_are_copied_and_stay_as_they_were(a, joao, invoice_type, therapy):
    joao = update_client(
        joao,
        by=a.reception,
        fields={
            "billing_name": "Silva Consultoria Ltda", "billing_tax_id": "12.345.678/0001-95",
            "street": "Rua Augusta, 100", "street2": "Consolação", "postal_code": "01304-000",
            "city": "São Paulo", "region": "SP", "country": "BR",
        },
    )  # fmt: skip
    document = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    snapshot = {
        "client_code": joao.code,
        "billing_name": "Silva Consultoria Ltda",
        "billing_tax_id": "12.345.678/0001-95",
        "billing_address": "Rua Augusta, 100\nConsolação\n01304-000 São Paulo\nSP BR",
    }
    assert {name: getattr(document, name) for name in snapshot} == snapshot

    update_client(
        joao,
        by=a.reception,
        fields={"billing_name": "", "billing_tax_id": "", "street": "Av. Paulista, 1",
                "city": "Campinas", "full_name": "João Silva Santos"},
    )  # fmt: skip
    change_client_code(joao, by=a.owner, code="J-1")
    document.refresh_from_db()
    assert {name: getattr(document, name) for name in snapshot} == snapshot


def test_without_billing_details_the_name_and_national_id_are_billed(
    a, joao, invoice_type, therapy
):
    joao = update_client(joao, by=a.reception, fields={"national_id": "529.982.247-25"})
    document = sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document
    assert (document.billing_name, document.billing_tax_id, document.billing_address) == (
        "João da Silva", "529.982.247-25", "",
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Who may buy, who may sell.


def test_an_inactive_client_buys_nothing(a, joao, invoice_type, therapy):
    change_status([joao], by=a.reception, status=Status.INACTIVE)
    joao.refresh_from_db()
    before = written()
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, joao, invoice_type, LineInput(service=therapy))
    assert list(caught.value.message_dict) == ["client"]
    assert written() == before


def test_a_forgotten_client_buys_nothing(a, joao, invoice_type, therapy):
    # Forgetting is its own operation (lifecycle, #5), not a plain status change: the status
    # is set on the row, as pets/tests do.
    Client.objects.filter(pk=joao.pk).update(status=Status.FORGOTTEN)
    joao.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, joao, invoice_type, LineInput(service=therapy))
    assert list(caught.value.message_dict) == ["client"]


def test_a_waitlisted_client_buys(a, joao, invoice_type, therapy):
    change_status([joao], by=a.reception, status=Status.WAITLIST)
    joao.refresh_from_db()
    assert sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document.pk


def test_the_status_is_checked_on_the_locked_row(a, joao, invoice_type, therapy):
    read_before = Client.objects.get(pk=joao.pk)  # as a page reads it, before the sale
    change_status([joao], by=a.owner, status=Status.INACTIVE)  # meanwhile, another desk
    with pytest.raises(ValidationError) as caught:
        sell(a.reception, read_before, invoice_type, LineInput(service=therapy))
    assert list(caught.value.message_dict) == ["client"]


def test_a_professional_sells_to_their_own_clients_only(
    a, joao, anas_client, invoice_type, therapy
):
    own = sell(a.professional, anas_client, invoice_type, LineInput(service=therapy)).document
    assert own.issued_by == a.professional
    before = written()
    with pytest.raises(PermissionDenied):
        sell(a.professional, joao, invoice_type, LineInput(service=therapy))
    assert written() == before


def test_nobody_sells_to_another_practices_client(a, b, invoice_type, therapy):
    with pytest.raises(PermissionDenied):
        sell(a.reception, b.clients["João da Silva"], invoice_type, LineInput(service=therapy))
    with pytest.raises(PermissionDenied):
        sell(b.owner, b.clients["João da Silva"], invoice_type, LineInput(service=therapy))


def test_nobody_sells_from_another_practices_warehouse(a, b, joao, invoice_type, therapy):
    theirs = save_warehouse(by=b.owner, name="Front desk")
    with pytest.raises(PermissionDenied):
        sell(a.reception, joao, invoice_type, LineInput(service=therapy), warehouse=theirs)


# ---------------------------------------------------------------------------------------------
# Dates.


@pytest.mark.parametrize(
    ("days", "accepted"), [(-367, False), (-366, True), (0, True), (366, True), (367, False)]
)
def test_the_sale_date_is_within_a_year_of_today(a, joao, invoice_type, therapy, days, accepted):
    sale_date = today(a.practice) + datetime.timedelta(days=days)
    if accepted:
        document = sell(
            a.reception, joao, invoice_type, LineInput(service=therapy), sale_date=sale_date
        ).document
        assert (document.sale_date, document.issue_date) == (sale_date, today(a.practice))
    else:
        with pytest.raises(ValidationError) as caught:
            sell(a.reception, joao, invoice_type, LineInput(service=therapy), sale_date=sale_date)
        assert list(caught.value.message_dict) == ["sale_date"]


@pytest.mark.parametrize(
    ("days", "accepted"), [(-1, False), (0, True), (30, True), (366, True), (367, False)]
)
def test_the_due_date_is_between_today_and_a_year_ahead(
    a, joao, invoice_type, therapy, days, accepted
):
    due_date = today(a.practice) + datetime.timedelta(days=days)
    if accepted:
        document = sell(
            a.reception, joao, invoice_type, LineInput(service=therapy), due_date=due_date
        ).document
        assert document.due_date == due_date
    else:
        with pytest.raises(ValidationError) as caught:
            sell(a.reception, joao, invoice_type, LineInput(service=therapy), due_date=due_date)
        assert list(caught.value.message_dict) == ["due_date"]

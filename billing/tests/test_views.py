"""The pages of a client's sales: a new sale, the document and its papers, payments,
settlements, the turnover history and its exports. Each with its tenancy checks."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Document, DocumentKind, Payment, Settlement, StockLevel
from billing.services import LineInput, issue_document, record_payment
from clientbook.testing import logged_in


def sale_post(invoice_type, front, *lines, **extra) -> dict:
    data = {
        "document_type": invoice_type.pk,
        "warehouse": front.pk if front else "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "issue": "1",
    }
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    return data | extra


@pytest.fixture
def issued(a, joao, invoice_type, therapy):
    return issue_document(
        by=a.reception, client=joao, document_type=invoice_type, lines=[LineInput(service=therapy)]
    ).document


def test_the_new_sale_page_offers_the_catalog(a, joao, therapy, shampoo, front):
    response = logged_in(a.reception).get(reverse("billing:new", args=[joao.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Psychotherapy" in page
    assert "Shampoo" in page
    assert "Front desk" in page


def test_a_sale_with_a_service_and_a_good_is_issued(
    a, joao, invoice_type, therapy, shampoo, front, stocked
):
    data = sale_post(
        invoice_type, front,
        {"item": f"s{therapy.pk}", "quantity": "1"},
        {"item": f"g{shampoo.pk}", "quantity": "2"},
        {"item": "", "description": ""},
    )  # fmt: skip
    response = logged_in(a.reception).post(reverse("billing:new", args=[joao.pk]), data)
    document = Document.objects.get(client=joao)
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:document", args=[document.pk])
    assert document.total == Decimal("150.00") + Decimal("39.98") + Decimal("9.20")
    assert StockLevel.objects.get(warehouse=front, product=shampoo).quantity == 8
    page = logged_in(a.reception).get(response["Location"]).content.decode()
    assert document.number in page
    assert "Shampoo" in page


def test_a_line_error_shows_on_its_line_and_nothing_is_issued(
    a, joao, invoice_type, therapy, front
):
    data = sale_post(
        invoice_type, front, {"item": f"s{therapy.pk}", "quantity": "1", "discount_percent": "150"}
    )
    response = logged_in(a.reception).post(reverse("billing:new", args=[joao.pk]), data)
    assert response.status_code == 200
    lines = response.context["lines"]
    assert "discount_percent" in lines.forms[0].errors
    assert not Document.objects.exists()


def test_a_service_refusal_comes_back_on_the_line(a, b, joao, invoice_type, front):
    # A good out of the list (another practice's id) is refused by the form's choices.
    data = sale_post(invoice_type, front, {"item": "g999999", "quantity": "1"})
    response = logged_in(a.reception).post(reverse("billing:new", args=[joao.pk]), data)
    assert "item" in response.context["lines"].forms[0].errors
    assert not Document.objects.exists()


def test_the_preview_shows_totals_without_issuing(a, joao, invoice_type, therapy, front):
    data = sale_post(invoice_type, front, {"item": f"s{therapy.pk}", "quantity": "2"})
    data.pop("issue")
    data["preview"] = "1"
    response = logged_in(a.reception).post(reverse("billing:new", args=[joao.pk]), data)
    assert response.status_code == 200
    assert response.context["preview"]["total"] == Decimal("300.00")
    assert not Document.objects.exists()


def test_a_professional_cannot_sell_to_a_colleagues_client(a, joao, invoice_type, therapy):
    http = logged_in(a.professional)
    assert http.get(reverse("billing:new", args=[joao.pk])).status_code == 404
    data = sale_post(invoice_type, None, {"item": f"s{therapy.pk}", "quantity": "1"})
    assert http.post(reverse("billing:new", args=[joao.pk]), data).status_code == 404
    assert not Document.objects.exists()


def test_another_practice_gets_404_for_every_sales_page(a, b, issued, joao):
    payment = record_payment(
        by=a.reception, client=joao, documents=[issued], amount=Decimal("10"), method="cash"
    )
    http = logged_in(b.owner)
    for name, pk in (
        ("billing:client", joao.pk), ("billing:new", joao.pk), ("billing:pay", joao.pk),
        ("billing:settle", joao.pk), ("billing:turnover", joao.pk),
        ("billing:document", issued.pk), ("billing:document_pdf", issued.pk),
        ("billing:credit", issued.pk), ("billing:send", issued.pk),
        ("billing:payment", payment.pk), ("billing:payment_pdf", payment.pk),
    ):  # fmt: skip
        assert http.get(reverse(name, args=[pk])).status_code == 404, name
    response = http.post(reverse("billing:reverse_payment", args=[payment.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert Payment.objects.get().reversed_at is None


def test_the_pdf_is_a_pdf_with_the_number(a, issued):
    response = logged_in(a.reception).get(reverse("billing:document_pdf", args=[issued.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "NF-" in response["Content-Disposition"]


def test_the_print_view_has_the_snapshot(a, issued):
    response = logged_in(a.reception).get(
        reverse("billing:document", args=[issued.pk]), {"print": "1"}
    )
    page = response.content.decode()
    assert issued.billing_name in page
    assert "data-print" in page


def test_a_partial_payment_then_a_settlement_of_two_documents(
    a, joao, issued, invoice_type, therapy
):
    http = logged_in(a.reception)
    response = http.post(
        reverse("billing:pay", args=[joao.pk]),
        {
            "documents": [issued.pk],
            "amount": "100.00",
            "method": "pix",
            "paid_on": str(issued.issue_date),
        },
    )
    payment = Payment.objects.get()
    assert response["Location"] == reverse("billing:payment", args=[payment.pk])
    issued.refresh_from_db()
    assert issued.open_amount == Decimal("50.00")
    second = issue_document(
        by=a.reception, client=joao, document_type=invoice_type, lines=[LineInput(service=therapy)]
    ).document
    response = http.post(
        reverse("billing:settle", args=[joao.pk]),
        {"documents": [issued.pk, second.pk], "method": "cash", "paid_on": str(issued.issue_date)},
    )
    settlement = Settlement.objects.get()
    assert response["Location"] == reverse("billing:settlement", args=[settlement.pk])
    assert settlement.total == Decimal("200.00")
    assert set(Document.objects.values_list("open_amount", flat=True)) == {Decimal("0.00")}
    response = http.post(
        reverse("billing:reverse_settlement", args=[settlement.pk]), {"reason": "wrong client"}
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.open_amount == Decimal("50.00")


def test_a_professional_cannot_reverse_a_payment(a, joao, issued):
    payment = record_payment(
        by=a.reception, client=joao, documents=[issued], amount=Decimal("10"), method="cash"
    )
    response = logged_in(a.professional).post(
        reverse("billing:reverse_payment", args=[payment.pk]), {"reason": "x"}
    )
    assert response.status_code == 404  # not their client: it does not exist for them
    Payment.objects.filter(pk=payment.pk).update()
    assert Payment.objects.get().reversed_at is None


def test_a_credit_note_for_part_of_a_document(a, joao, issued):
    line = issued.lines.get()
    http = logged_in(a.reception)
    response = http.post(
        reverse("billing:credit", args=[issued.pk]),
        {f"quantity_{line.pk}": "0.5", "reason": "half a session"},
    )
    note = Document.objects.get(kind=DocumentKind.CREDIT_NOTE)
    assert response["Location"] == reverse("billing:document", args=[note.pk])
    assert note.total == Decimal("-75.00")
    response = http.post(
        reverse("billing:credit", args=[issued.pk]),
        {f"quantity_{line.pk}": "1", "reason": "again"},
    )
    assert response.status_code == 200
    assert response.context["lines"][0].errors  # at most 0.5 is left to credit
    assert Document.objects.filter(kind=DocumentKind.CREDIT_NOTE).count() == 1


def test_the_turnover_and_its_exports(a, joao, issued):
    http = logged_in(a.reception)
    url = reverse("billing:turnover", args=[joao.pk])
    response = http.get(url)
    assert response.context["totals"]["total"] == Decimal("150.00")
    before = http.get(url, {"end": "2000-01-01"})
    assert before.context["totals"]["total"] == 0
    assert before.context["lines"] == []
    body = b"".join(http.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows[0]) == 8
    assert rows[1][1] == issued.number
    assert rows[1][-1] == "150.00"
    xlsx = http.get(url, {"format": "xlsx"})
    assert xlsx.content.startswith(b"PK")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=2).value == issued.number


def test_the_card_shows_the_balance(a, joao, issued):
    page = logged_in(a.reception).get(reverse("clients:card", args=[joao.pk])).content.decode()
    assert 'class="balance owes"' in page
    assert issued.number in page


def test_the_client_list_filters_clients_with_debt(a, joao, issued):
    http = logged_in(a.reception)
    response = http.get(reverse("clients:list"), {"debt": "1"})
    assert [c.pk for c in response.context["page"].rows] == [joao.pk]
    assert response.context["tabs"][0][2] == 1  # the Active tab counts only them
    record_payment(
        by=a.reception, client=joao, documents=[issued], amount=issued.total, method="cash"
    )
    response = http.get(reverse("clients:list"), {"debt": "1"})
    assert response.context["page"].rows == []
    assert len(http.get(reverse("clients:list")).context["page"].rows) == 5


def test_a_professional_gets_404_for_a_colleagues_papers(a, joao, issued):
    payment = record_payment(
        by=a.reception, client=joao, documents=[issued], amount=Decimal("10"), method="cash"
    )
    http = logged_in(a.professional)  # Ana: João is Bruno's client
    for name, pk in (
        ("billing:document", issued.pk), ("billing:document_pdf", issued.pk),
        ("billing:credit", issued.pk), ("billing:send", issued.pk),
        ("billing:payment", payment.pk), ("billing:payment_pdf", payment.pk),
        ("billing:client", joao.pk), ("billing:turnover", joao.pk),
    ):  # fmt: skip
        assert http.get(reverse(name, args=[pk])).status_code == 404, name
    response = http.post(reverse("billing:credit", args=[issued.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert Document.objects.count() == 1


def test_a_professional_bills_their_own_client(a, invoice_type):
    ana_client = a.clients["Ana's client"]
    data = sale_post(
        invoice_type, None, {"description": "Assessment", "unit_price": "200", "quantity": "1"}
    )
    response = logged_in(a.professional).post(reverse("billing:new", args=[ana_client.pk]), data)
    assert response.status_code == 302
    assert Document.objects.get().client == ana_client


def test_a_document_is_sent_by_e_mail_with_its_pdf(a, joao, issued):
    from messaging.models import Message

    joao.email = "joao@example.com"
    joao.save(update_fields=["email"])
    response = logged_in(a.reception).post(
        reverse("billing:send", args=[issued.pk]),
        {"channel": "email", "recipient": "", "body": "Your invoice."},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.attachment == f"billing.document:{issued.pk}"
    assert message.recipient == "joao@example.com"
    from messaging.attachments import render

    attachment = render(message.attachment, a.practice)
    assert attachment.content.startswith(b"%PDF-")


def test_sending_names_the_missing_address(a, joao, issued):
    response = logged_in(a.reception).post(
        reverse("billing:send", args=[issued.pk]),
        {"channel": "whatsapp", "recipient": "", "body": "Your invoice."},
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_an_animals_sale_lines_are_on_its_owners_card(b):
    from billing.models import DocumentType
    from pets.services import add_animal

    owner = b.clients["Łukasz Wiśniewski"]
    rex = add_animal(by=b.owner, client=owner, name="Rex", species="dog")
    mruczek = add_animal(by=b.owner, client=owner, name="Mruczek", species="cat")
    invoice = DocumentType.objects.get(practice=b.practice, kind=DocumentKind.INVOICE)
    sold = issue_document(
        by=b.reception, client=owner, document_type=invoice,
        lines=[LineInput(description="Vaccination", unit_price=Decimal("90"), animal=rex)],
    ).document  # fmt: skip
    page = logged_in(b.reception).get(reverse("clients:card", args=[owner.pk])).content.decode()
    rex_sales = page.split(f'id="animal-{rex.pk}-sales"')[1].split("</div>")[0]
    assert sold.number in rex_sales
    assert "Vaccination" in rex_sales
    assert f'id="animal-{mruczek.pk}-sales"' not in page


def test_the_turnover_pages_by_keyset_and_ignores_a_bad_cursor(
    a, joao, issued, invoice_type, therapy, monkeypatch
):
    from billing import views

    second = issue_document(
        by=a.reception, client=joao, document_type=invoice_type, lines=[LineInput(service=therapy)]
    ).document
    monkeypatch.setattr(views, "TURNOVER_PAGE", 1)
    http = logged_in(a.reception)
    url = reverse("billing:turnover", args=[joao.pk])
    first = http.get(url).context
    assert [line.document_id for line in first["lines"]] == [issued.pk]
    following = http.get(url, {"after": first["next_after"]}).context
    assert [line.document_id for line in following["lines"]] == [second.pk]
    assert following["next_after"] == ""
    assert following["totals"]["total"] == Decimal("300.00")
    bad = http.get(url, {"after": "not-a-cursor"}).context
    assert [line.document_id for line in bad["lines"]] == [issued.pk]

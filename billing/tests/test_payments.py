"""Payments, their reversal, collective settlements and credit notes: what stays open on each
document, and what the client owes (the balance), after each of them and after any sequence
of them (a Hypothesis state machine)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from billing.amounts import CENT
from billing.models import (
    Allocation,
    Document,
    DocumentKind,
    DocumentLine,
    Payment,
    Settlement,
)
from billing.services import (
    LineInput,
    balance,
    clients_with_debt,
    credit_document,
    open_documents,
    record_payment,
    reverse_payment,
    reverse_settlement,
    settle_documents,
    today,
)
from billing.tests.helpers import D, allocated, debt_documents, in_threads, sell
from clientbook.testing import make_client


@pytest.fixture
def invoices(a, joao, invoice_type, therapy):
    """Three invoices of João, oldest first: 150.00, 80.00 and 45.00."""
    return [
        sell(a.reception, joao, invoice_type, LineInput(service=therapy)).document,
        sell(a.reception, joao, invoice_type,
             LineInput(description="Assessment", unit_price=D("80.00"))).document,
        sell(a.reception, joao, invoice_type,
             LineInput(description="Report", unit_price=D("45.00"))).document,
    ]  # fmt: skip


def opens(*documents: Document) -> list[Decimal]:
    return [Document.objects.get(pk=d.pk).open_amount for d in documents]


def pay(a, client, documents, amount: str, **options) -> Payment:
    return record_payment(by=a.reception, client=client, documents=documents, amount=D(amount),
                          method=options.pop("method", "cash"), **options)  # fmt: skip


def paper_count() -> tuple:
    return (
        Document.objects.count(),
        Payment.objects.count(),
        Settlement.objects.count(),
        Allocation.objects.count(),
        sorted(Document.objects.values_list("pk", "open_amount")),
    )


# ---------------------------------------------------------------------------------------------
# Payments.


def test_a_partial_payment_leaves_the_rest_open(a, joao, invoices):
    first = invoices[0]
    payment = pay(a, joao, [first], "50.00", method="pix", reference=" PIX-123 ")
    assert opens(first) == [D("100.00")]
    assert balance(joao) == D("225.00")
    assert (payment.amount, payment.method, payment.paid_on, payment.reference) == (
        D("50.00"), "pix", today(a.practice), "PIX-123",
    )  # fmt: skip
    assert (payment.client, payment.billing_name, payment.currency) == (
        joao, "João da Silva", "BRL",
    )  # fmt: skip
    assert list(payment.allocations.values_list("document_id", "amount")) == [
        (first.pk, D("50.00"))
    ]


def test_a_full_payment_settles_the_document(a, joao, invoices):
    pay(a, joao, [invoices[1]], "80.00")
    document = Document.objects.get(pk=invoices[1].pk)
    assert document.open_amount == 0
    assert document.is_paid
    assert balance(joao) == D("195.00")
    assert list(open_documents(joao)) == [invoices[0], invoices[2]]


def test_a_payment_settles_the_oldest_first(a, joao, invoices):
    # Given newest first: the oldest is settled first all the same.
    payment = pay(a, joao, list(reversed(invoices)), "200.00")
    assert opens(*invoices) == [D(0), D("30.00"), D("45.00")]
    assert sorted(payment.allocations.values_list("document_id", "amount")) == [
        (invoices[0].pk, D("150.00")), (invoices[1].pk, D("50.00")),
    ]  # fmt: skip


def test_a_payment_of_everything_open_closes_every_document(a, joao, invoices):
    pay(a, joao, invoices, "275.00")
    assert opens(*invoices) == [0, 0, 0]
    assert balance(joao) == 0


@pytest.mark.parametrize(
    ("amount", "field"),
    [("275.01", "amount"), ("0", "amount"), ("-5.00", "amount"), ("10.001", "amount")],
)
def test_a_wrong_amount_is_refused(a, joao, invoices, amount, field):
    before = paper_count()
    with pytest.raises(ValidationError) as caught:
        pay(a, joao, invoices, amount)
    assert list(caught.value.message_dict) == [field]
    assert paper_count() == before


def test_a_payment_names_what_it_pays_and_how(a, joao, invoices):
    with pytest.raises(ValidationError) as caught:
        pay(a, joao, [], "10.00")
    assert list(caught.value.message_dict) == ["documents"]
    with pytest.raises(ValidationError) as caught:
        pay(a, joao, invoices, "10.00", method="barter")
    assert list(caught.value.message_dict) == ["method"]


def test_another_clients_document_is_refused(a, joao, invoices, invoice_type, therapy):
    other = a.clients["Zoë Ødegaard"]
    theirs = sell(a.reception, other, invoice_type, LineInput(service=therapy)).document
    before = paper_count()
    with pytest.raises(ValidationError) as caught:
        pay(a, joao, [invoices[0], theirs], "200.00")
    assert list(caught.value.message_dict) == ["documents"]
    assert paper_count() == before


def test_another_practices_document_is_not_found(a, b, joao, invoices):
    b_type = Document._meta.get_field("type").related_model.objects.get(
        practice=b.practice, kind=DocumentKind.INVOICE
    )
    b_client = b.clients["João da Silva"]
    theirs = sell(b.owner, b_client, b_type,
                  LineInput(description="Szczepienie", unit_price=D("80.00"))).document  # fmt: skip
    with pytest.raises(PermissionDenied):
        pay(a, joao, [invoices[0], theirs], "10.00")
    with pytest.raises(PermissionDenied):
        record_payment(by=b.owner, client=joao, documents=[invoices[0]], amount=D(1),
                       method="cash")  # fmt: skip


def test_a_proforma_is_not_paid(a, joao, proforma_type, therapy):
    proforma = sell(a.reception, joao, proforma_type, LineInput(service=therapy)).document
    with pytest.raises(ValidationError) as caught:
        pay(a, joao, [proforma], "10.00")
    assert list(caught.value.message_dict) == ["documents"]


@pytest.mark.parametrize(
    ("days_ago", "accepted"),
    [(-1, False), (0, True), (40, True), (366 * 5, True), (366 * 5 + 1, False)],
)
def test_a_payment_is_dated_today_or_in_the_past(a, joao, invoices, days_ago, accepted):
    paid_on = today(a.practice) - datetime.timedelta(days=days_ago)
    if accepted:
        assert pay(a, joao, invoices, "10.00", paid_on=paid_on).paid_on == paid_on
    else:
        with pytest.raises(ValidationError) as caught:
            pay(a, joao, invoices, "10.00", paid_on=paid_on)
        assert list(caught.value.message_dict) == ["paid_on"]


def test_a_professional_takes_payments_from_their_own_clients_only(
    a, joao, anas_client, invoices, invoice_type, therapy
):
    own = sell(a.professional, anas_client, invoice_type, LineInput(service=therapy)).document
    record_payment(by=a.professional, client=anas_client, documents=[own], amount=D("150.00"),
                   method="card")  # fmt: skip
    with pytest.raises(PermissionDenied):
        record_payment(by=a.professional, client=joao, documents=invoices, amount=D("1.00"),
                       method="card")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_desks_taking_payments_at_once_never_take_more_than_is_open(request, a, joao, invoices):
    request.getfixturevalue("threads_share_the_database")
    first = invoices[0]

    def try_to_pay(i: int) -> bool:
        try:
            record_payment(by=a.reception, client=joao, documents=[first], amount=D("40.00"),
                           method="cash")  # fmt: skip
        except ValidationError:
            return False
        return True

    paid = in_threads(try_to_pay, 6)
    assert paid.count(True) == 3  # 150.00 open, 40.00 each

    def check(_):
        return (
            Document.objects.get(pk=first.pk).open_amount,
            sorted(Allocation.objects.filter(document=first).values_list("amount", flat=True)),
        )

    open_amount, parts = in_threads(check, 1)[0]
    assert open_amount == D("30.00")
    assert parts == [D("40.00")] * 3


# ---------------------------------------------------------------------------------------------
# Reversing a payment.


def test_reversing_a_payment_opens_its_documents_again(a, joao, invoices):
    payment = pay(a, joao, invoices, "200.00")
    reversed_ = reverse_payment(by=a.reception, payment=payment, reason="  Card declined  ")
    assert opens(*invoices) == [D("150.00"), D("80.00"), D("45.00")]
    assert balance(joao) == D("275.00")
    payment.refresh_from_db()
    assert payment.reversed_at is not None
    assert reversed_ is payment
    assert (payment.reversed_by, payment.reverse_reason) == (a.reception, "Card declined")
    # The payment and its allocations stay, so its number keeps its place.
    assert payment.allocations.count() == 2


def test_a_payment_is_reversed_once(a, joao, invoices):
    payment = pay(a, joao, invoices, "200.00")
    reverse_payment(by=a.reception, payment=payment, reason="Declined")
    with pytest.raises(ValidationError):
        reverse_payment(by=a.reception, payment=payment, reason="Declined")
    with pytest.raises(ValidationError):
        reverse_payment(by=a.reception, payment=Payment.objects.get(pk=payment.pk),
                        reason="Declined")  # fmt: skip
    assert opens(*invoices) == [D("150.00"), D("80.00"), D("45.00")]


def test_a_reversal_says_why_and_is_for_those_who_correct_sales(a, joao, anas_client, invoices):
    payment = pay(a, joao, invoices, "20.00")
    with pytest.raises(ValidationError) as caught:
        reverse_payment(by=a.reception, payment=payment, reason="   ")
    assert list(caught.value.message_dict) == ["reason"]
    with pytest.raises(PermissionDenied):
        reverse_payment(by=a.professional, payment=payment, reason="Mistake")
    assert opens(invoices[0]) == [D("130.00")]


def test_a_settlements_payment_is_reversed_with_the_settlement_only(a, joao, invoices):
    settlement = settle_documents(by=a.reception, client=joao, documents=invoices, method="cash")
    with pytest.raises(ValidationError):
        reverse_payment(by=a.reception, payment=settlement.payment, reason="Mistake")
    assert opens(*invoices) == [0, 0, 0]


# ---------------------------------------------------------------------------------------------
# Collective settlements.


def test_a_settlement_settles_every_document_with_one_payment(a, joao, invoices):
    pay(a, joao, [invoices[1]], "30.00")
    settlement = settle_documents(
        by=a.reception, client=joao, documents=invoices, method="transfer", reference="TED 991"
    )
    assert settlement.total == D("245.00")  # 150.00 + 50.00 left + 45.00
    payment = settlement.payment
    assert (payment.amount, payment.method, payment.reference) == (
        D("245.00"), "transfer", "TED 991",
    )  # fmt: skip
    assert sorted(payment.allocations.values_list("document_id", "amount")) == [
        (invoices[0].pk, D("150.00")), (invoices[1].pk, D("50.00")),
        (invoices[2].pk, D("45.00")),
    ]  # fmt: skip
    assert opens(*invoices) == [0, 0, 0]
    assert balance(joao) == 0


def test_a_credit_notes_refund_counts_against_a_settlement(a, joao, invoices):
    pay(a, joao, [invoices[1]], "80.00")
    credit = credit_document(by=a.reception, document=invoices[1], reason="Not held")
    assert credit.open_amount == D("-80.00")  # paid already: owed back
    settlement = settle_documents(by=a.reception, client=joao, documents=[invoices[0], credit],
                                  method="cash")  # fmt: skip
    assert settlement.total == D("70.00")
    assert sorted(settlement.payment.allocations.values_list("document_id", "amount")) == [
        (invoices[0].pk, D("150.00")), (credit.pk, D("-80.00")),
    ]  # fmt: skip
    assert opens(invoices[0], credit) == [0, 0]
    assert balance(joao) == D("45.00")


def test_a_settlement_that_leaves_money_owed_back_is_refused(a, joao, invoices):
    pay(a, joao, [invoices[0]], "150.00")
    credit = credit_document(by=a.reception, document=invoices[0], reason="Not held")
    before = paper_count()
    with pytest.raises(ValidationError) as caught:
        settle_documents(by=a.reception, client=joao, documents=[invoices[2], credit],
                         method="cash")  # fmt: skip
    assert list(caught.value.message_dict) == ["documents"]
    assert paper_count() == before


def test_a_settlement_needs_two_open_documents(a, joao, invoices):
    before = paper_count()
    for documents in ([invoices[0]], [invoices[0], invoices[0]]):
        with pytest.raises(ValidationError) as caught:
            settle_documents(by=a.reception, client=joao, documents=documents, method="cash")
        assert list(caught.value.message_dict) == ["documents"]
    pay(a, joao, [invoices[2]], "45.00")
    before = paper_count()
    with pytest.raises(ValidationError) as caught:
        settle_documents(by=a.reception, client=joao, documents=invoices, method="cash")
    assert list(caught.value.message_dict) == ["documents"]
    assert paper_count() == before


def test_a_settlement_is_of_one_clients_documents(a, joao, invoices, invoice_type, therapy):
    other = a.clients["Zoë Ødegaard"]
    theirs = sell(a.reception, other, invoice_type, LineInput(service=therapy)).document
    with pytest.raises(ValidationError) as caught:
        settle_documents(by=a.reception, client=joao, documents=[invoices[0], theirs],
                         method="cash")  # fmt: skip
    assert list(caught.value.message_dict) == ["documents"]


def test_reversing_a_settlement_reopens_exactly_what_it_settled(a, joao, invoices):
    pay(a, joao, [invoices[0]], "100.00")
    before = opens(*invoices)
    settlement = settle_documents(by=a.reception, client=joao, documents=invoices, method="card")
    reversed_ = reverse_settlement(by=a.reception, settlement=settlement, reason="Chargeback")
    assert opens(*invoices) == before == [D("50.00"), D("80.00"), D("45.00")]
    assert balance(joao) == D("175.00")
    assert reversed_.reversed_at is not None
    assert reversed_.reverse_reason == "Chargeback"
    assert Payment.objects.get(settlement=settlement).reversed_at is not None
    with pytest.raises(ValidationError):
        reverse_settlement(by=a.reception, settlement=settlement, reason="Again")
    assert opens(*invoices) == before
    # Settled again, and nothing is counted twice.
    settle_documents(by=a.reception, client=joao, documents=invoices, method="cash")
    assert balance(joao) == 0


def test_a_professional_cannot_reverse_a_settlement(a, anas_client, invoice_type, therapy):
    documents = [
        sell(a.professional, anas_client, invoice_type, LineInput(service=therapy)).document
        for _ in range(2)
    ]
    settlement = settle_documents(by=a.professional, client=anas_client, documents=documents,
                                  method="cash")  # fmt: skip
    with pytest.raises(PermissionDenied):
        reverse_settlement(by=a.professional, settlement=settlement, reason="Mistake")


# ---------------------------------------------------------------------------------------------
# Credit notes.


@pytest.fixture
def mixed(a, joao, invoice_type, therapy, shampoo, front, stocked) -> Document:
    """150.00 of therapy and 3 shampoos (59.97 + 13.79 tax): 223.76."""
    return sell(
        a.reception, joao, invoice_type,
        LineInput(service=therapy), LineInput(product=shampoo, quantity=D(3)), warehouse=front,
    ).document  # fmt: skip


def test_a_full_credit_note_is_the_exact_negation(a, joao, mixed):
    credit = credit_document(by=a.reception, document=mixed, reason="  Issued by mistake  ")
    assert credit.kind == DocumentKind.CREDIT_NOTE
    assert credit.number == f"NC/{credit.year}/0001"
    assert (credit.corrects, credit.notes, credit.client) == (mixed, "Issued by mistake", joao)
    assert (credit.net_total, credit.tax_total, credit.total) == (
        -mixed.net_total, -mixed.tax_total, -mixed.total,
    )  # fmt: skip
    pairs = [
        ((line.corrects.quantity, line.corrects.net, line.corrects.tax, line.corrects.total),
         (-line.quantity, -line.net, -line.tax, -line.total))
        for line in credit.lines.select_related("corrects").order_by("position")
    ]  # fmt: skip
    assert len(pairs) == 2
    assert all(original == negated for original, negated in pairs)
    # Nothing was paid: the credit closes the invoice and owes nothing back.
    assert opens(mixed, credit) == [0, 0]
    assert balance(joao) == 0


def test_a_credit_note_keeps_the_invoices_buyer(a, joao, mixed):
    from clients.services import update_client

    update_client(joao, by=a.reception, fields={"billing_name": "Someone Else"})
    credit = credit_document(by=a.reception, document=mixed, reason="Mistake")
    fields = ("client_code", "billing_name", "billing_tax_id", "billing_address")
    assert [getattr(credit, f) for f in fields] == [getattr(mixed, f) for f in fields]
    assert credit.billing_name == "João da Silva"


def test_a_partial_credit_note_credits_the_quantities_given(a, joao, mixed, shampoo):
    line = mixed.lines.get(product=shampoo)
    credit = credit_document(by=a.reception, document=mixed, reason="One returned",
                             quantities={line.pk: D(1)})  # fmt: skip
    # 19.99 and 23% of it (4.5977).
    assert (credit.net_total, credit.tax_total, credit.total) == (
        D("-19.99"), D("-4.60"), D("-24.59"),
    )  # fmt: skip
    assert list(credit.lines.values_list("corrects_id", "quantity")) == [(line.pk, D(-1))]
    assert opens(mixed, credit) == [D("199.17"), 0]
    assert balance(joao) == D("199.17")


def test_a_credit_reduces_what_is_open_first_and_owes_back_the_rest(a, joao, invoices):
    pay(a, joao, [invoices[0]], "100.00")
    credit = credit_document(by=a.reception, document=invoices[0], reason="Not held")
    assert credit.total == D("-150.00")
    assert opens(invoices[0], credit) == [0, D("-100.00")]
    assert balance(joao) == D("25.00")  # 80 + 45 owed, 100 owed back


def test_nothing_is_credited_twice(a, joao, mixed, therapy, shampoo):
    shampoo_line = mixed.lines.get(product=shampoo)
    therapy_line = mixed.lines.get(service=therapy)
    credit_document(by=a.reception, document=mixed, reason="Two returned",
                    quantities={shampoo_line.pk: D(2)})  # fmt: skip
    before = paper_count()
    with pytest.raises(ValidationError) as caught:
        credit_document(by=a.reception, document=mixed, reason="Two more",
                        quantities={shampoo_line.pk: D(2)})  # fmt: skip
    assert list(caught.value.message_dict) == [f"quantity_{shampoo_line.pk}"]
    for wrong in (D(-1), D("0.0001")):
        with pytest.raises(ValidationError):
            credit_document(by=a.reception, document=mixed, reason="Odd",
                            quantities={shampoo_line.pk: wrong})  # fmt: skip
    with pytest.raises(ValidationError):  # a line of another document
        credit_document(by=a.reception, document=mixed, reason="Odd",
                        quantities={shampoo_line.pk + 1000: D(1)})  # fmt: skip
    assert paper_count() == before
    # What is left is credited in full; after that nothing is left.
    rest = credit_document(by=a.reception, document=mixed, reason="The rest")
    assert sorted(rest.lines.values_list("corrects_id", "quantity")) == sorted(
        [(therapy_line.pk, D(-1)), (shampoo_line.pk, D(-1))]
    )
    with pytest.raises(ValidationError):
        credit_document(by=a.reception, document=mixed, reason="Again")


def test_only_invoices_and_receipts_are_credited(a, joao, mixed, proforma_type, therapy):
    proforma = sell(a.reception, joao, proforma_type, LineInput(service=therapy)).document
    credit = credit_document(by=a.reception, document=mixed, reason="Mistake")
    for document in (proforma, credit):
        with pytest.raises(ValidationError):
            credit_document(by=a.reception, document=document, reason="Mistake")
    with pytest.raises(ValidationError) as caught:
        credit_document(by=a.reception, document=mixed, reason=" ")
    assert list(caught.value.message_dict) == ["reason"]


def test_a_professional_cannot_credit(a, anas_client, invoice_type, therapy):
    own = sell(a.professional, anas_client, invoice_type, LineInput(service=therapy)).document
    before = paper_count()
    with pytest.raises(PermissionDenied):
        credit_document(by=a.professional, document=own, reason="Mistake")
    assert paper_count() == before


def test_nobody_credits_another_practices_document(a, b, mixed):
    with pytest.raises(PermissionDenied):
        credit_document(by=b.owner, document=mixed, reason="Mistake")


def test_a_line_credited_in_parts_credits_exactly_what_it_billed(a, joao, mixed, shampoo):
    line = mixed.lines.get(product=shampoo)
    credits = [
        credit_document(
            by=a.reception, document=mixed, reason="Returned", quantities={line.pk: quantity}
        )
        for quantity in (D(2), D(1))
    ]
    assert sum(c.tax_total for c in credits) == -line.tax
    assert sum(c.total for c in credits) == -line.total
    credit_document(by=a.reception, document=mixed, reason="The rest")  # the therapy line
    assert balance(joao) == 0


def test_a_line_credited_unit_by_unit_credits_exactly_its_net(a, joao, invoice_type):
    document = sell(
        a.reception, joao, invoice_type,
        LineInput(description="Sample", quantity=D(3), unit_price=D("0.01"),
                  discount_percent=D(50)),
    ).document  # fmt: skip
    assert document.total == D("0.02")
    line = document.lines.get()
    credits = [
        credit_document(by=a.reception, document=document, reason="One", quantities={line.pk: D(1)})
        for _ in range(3)
    ]
    assert sum(c.total for c in credits) == -document.total


# ---------------------------------------------------------------------------------------------
# What the client owes.


def test_the_balance_is_exact_to_the_cent(request, a, joao, invoice_type):
    def invoice(price: str) -> Document:
        return sell(a.reception, joao, invoice_type,
                    LineInput(description="Copy", unit_price=D(price))).document  # fmt: skip

    invoice("0.10"), invoice("0.20")
    refunded = invoice("0.30")
    pay(a, joao, [refunded], "0.30")
    credit_document(by=a.reception, document=refunded, reason="Not delivered")
    # Open: 0.10, 0.20 and -0.30 owed back on the credit note; the client owes nothing.
    assert sum(d.open_amount for d in debt_documents(joao)) == 0
    assert balance(joao) == 0
    assert balance(joao).as_tuple().exponent >= -2
    assert joao.pk not in set(clients_with_debt(a.practice.pk).values_list("client_id", flat=True))


def test_clients_with_debt_are_those_who_owe(a, b, joao, invoices, anas_client):
    other = a.clients["Zoë Ødegaard"]
    pay(a, joao, invoices, "275.00")
    sell(a.reception, other, Document.objects.get(pk=invoices[0].pk).type,
         LineInput(description="Copy", unit_price=D("10.00")))  # fmt: skip
    assert list(clients_with_debt(a.practice.pk).values_list("client_id", flat=True)) == [other.pk]
    assert list(clients_with_debt(b.practice.pk)) == []


# ---------------------------------------------------------------------------------------------
# Any sequence of operations (Hypothesis): what the client owes always adds up.

ledgers = itertools.count(1)


def test_the_balance_adds_up_after_any_sequence_of_operations(
    a, invoice_type, receipt_type, proforma_type, therapy, shampoo, book, front, stocked
):
    types = {"invoice": invoice_type, "receipt": receipt_type, "proforma": proforma_type}

    class Ledger(RuleBasedStateMachine):
        """One new client per run (the runs share the test's database); `owed` is what the
        client owes by this machine's own count, money in and out."""

        def __init__(self):
            super().__init__()
            self.client = make_client(a.reception, f"Ledger {next(ledgers)}")
            self.owed = Decimal("0.00")

        def documents(self, *kinds):
            return list(debt_documents(self.client).filter(kind__in=kinds).order_by("pk"))

        @rule(
            kind=st.sampled_from(list(types)),
            price=st.integers(0, 30000).map(lambda n: Decimal(n).scaleb(-2)),
            discount=st.sampled_from([D(0), D("12.5"), D(50), D(100)]),
            shampoos=st.integers(0, 3),
            books=st.integers(0, 2),
        )
        def issue(self, kind, price, discount, shampoos, books):
            lines = [LineInput(service=therapy, unit_price=price, discount_percent=discount)]
            if shampoos:
                lines.append(LineInput(product=shampoo, quantity=D(shampoos)))
            if books:
                lines.append(LineInput(product=book, quantity=D(books), discount_percent=discount))
            document = sell(a.reception, self.client, types[kind], *lines,
                            warehouse=front).document  # fmt: skip
            if document.is_debt:
                self.owed += document.total
            else:
                assert document.open_amount == 0

        @precondition(lambda self: open_documents(self.client).filter(open_amount__gt=0).exists())
        @rule(data=st.data())
        def pay(self, data):
            owing = list(open_documents(self.client).filter(open_amount__gt=0))
            chosen = data.draw(st.lists(st.sampled_from(owing), min_size=1, unique=True))
            # A credit note among them takes nothing.
            chosen += self.documents(DocumentKind.CREDIT_NOTE)[:1]
            most = sum(d.open_amount for d in chosen if d.open_amount > 0)
            amount = Decimal(data.draw(st.integers(1, int(most * 100)))).scaleb(-2)
            payment = record_payment(by=a.reception, client=self.client, documents=chosen,
                                     amount=amount, method="cash")  # fmt: skip
            assert sum(payment.allocations.values_list("amount", flat=True)) == amount
            self.owed -= amount

        @precondition(lambda self: self.documents(DocumentKind.INVOICE, DocumentKind.RECEIPT))
        @rule(data=st.data())
        def credit(self, data):
            document = data.draw(
                st.sampled_from(self.documents(DocumentKind.INVOICE, DocumentKind.RECEIPT))
            )
            quantities = None
            if data.draw(st.booleans()):  # part of it
                quantities = {}
                for line in DocumentLine.objects.filter(document=document):
                    left = line.quantity + sum(c.quantity for c in line.corrections.all())
                    thousandths = data.draw(st.integers(0, int(left * 1000)))
                    quantities[line.pk] = Decimal(thousandths).scaleb(-3)
            try:
                credit = credit_document(by=a.reception, document=document, reason="Hypothesis",
                                         quantities=quantities)  # fmt: skip
            except ValidationError:
                # Only when there is nothing to credit.
                assert quantities is None or not any(quantities.values())
                return
            assert credit.total <= 0
            self.owed += credit.total

        @precondition(lambda self: open_documents(self.client).count() >= 2)
        @rule(data=st.data())
        def settle(self, data):
            candidates = list(open_documents(self.client))
            chosen = data.draw(st.lists(st.sampled_from(candidates), min_size=2, unique=True))
            total = sum(d.open_amount for d in chosen)
            if total < 0:
                with pytest.raises(ValidationError):
                    settle_documents(by=a.reception, client=self.client, documents=chosen,
                                     method="card")  # fmt: skip
                return
            settlement = settle_documents(by=a.reception, client=self.client, documents=chosen,
                                          method="card")  # fmt: skip
            assert settlement.total == settlement.payment.amount == total
            assert opens(*chosen) == [0] * len(chosen)
            self.owed -= total

        @precondition(
            lambda self: Payment.objects.filter(
                client=self.client, settlement=None, reversed_at=None
            ).exists()
        )
        @rule(data=st.data())
        def reverse_a_payment(self, data):
            payments = Payment.objects.filter(
                client=self.client, settlement=None, reversed_at=None
            ).order_by("pk")
            payment = data.draw(st.sampled_from(list(payments)))
            reverse_payment(by=a.reception, payment=payment, reason="Hypothesis")
            self.owed += payment.amount

        @precondition(
            lambda self: Settlement.objects.filter(client=self.client, reversed_at=None).exists()
        )
        @rule(data=st.data())
        def reverse_a_settlement(self, data):
            settlements = Settlement.objects.filter(client=self.client, reversed_at=None)
            settlement = data.draw(st.sampled_from(list(settlements.order_by("pk"))))
            reverse_settlement(by=a.reception, settlement=settlement, reason="Hypothesis")
            self.owed += settlement.total

        @invariant()
        def the_balance_adds_up(self):
            documents = list(debt_documents(self.client))
            open_total = sum((d.open_amount for d in documents), Decimal(0))
            totals = sum((d.total for d in documents), Decimal(0))
            # Rounded to the cent: on SQLite the database sums in floating point (see
            # test_the_balance_is_exact_to_the_cent, which pins that bug).
            owes = balance(self.client).quantize(CENT)
            assert owes == open_total == totals - allocated(self.client) == self.owed

        @invariant()
        def each_document_stays_between_nothing_and_its_total(self):
            for document in Document.objects.filter(client=self.client):
                if document.kind == DocumentKind.PROFORMA:
                    assert document.open_amount == 0
                elif document.kind == DocumentKind.CREDIT_NOTE:
                    # Owed back at most what it credits; never owed by the client.
                    assert document.total <= document.open_amount <= 0
                else:
                    assert 0 <= document.open_amount <= document.total

        @invariant()
        def each_payment_is_spread_whole(self):
            # Summed here, not in the database: SQLite adds signed decimals in floating point.
            payments = (
                Payment.objects.filter(client=self.client)
                .select_related("settlement")
                .prefetch_related("allocations")
            )
            for payment in payments:
                assert sum(a.amount for a in payment.allocations.all()) == payment.amount
                if payment.settlement is not None:
                    assert payment.amount == payment.settlement.total
                    assert (payment.reversed_at is None) == (payment.settlement.reversed_at is None)

        @invariant()
        def no_line_is_credited_beyond_what_it_sold(self):
            lines = (
                DocumentLine.objects.filter(client=self.client, corrects=None)
                .exclude(document__kind=DocumentKind.CREDIT_NOTE)
                .prefetch_related("corrections")
            )
            for line in lines:
                credited = -sum(c.quantity for c in line.corrections.all())
                assert 0 <= credited <= line.quantity

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=30,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )

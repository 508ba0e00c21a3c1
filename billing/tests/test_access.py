"""billing/access.py: a paper or catalog row of another practice is a 404; a professional sees
only their own clients' papers; a role without the right gets a 403 (after the 404 check, so
an id of another practice says nothing)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from billing.access import get_catalog_row, get_paper_for_member, visible
from billing.models import Document, DocumentType, Payment, Product, Settlement, Warehouse
from billing.services import LineInput, record_payment, settle_documents
from billing.tests.helpers import D, sell
from practices import roles


@pytest.fixture
def papers(a, joao, anas_client, invoice_type, therapy):
    """For João (Bruno's client) and for Ana's client: two invoices, a payment, a settlement."""
    made = {}
    for name, client in (("joao", joao), ("ana", anas_client)):
        first, second = (
            sell(a.reception, client, invoice_type, LineInput(service=therapy)).document
            for _ in range(2)
        )
        payment = record_payment(by=a.reception, client=client, documents=[first],
                                 amount=D("10.00"), method="cash")  # fmt: skip
        settlement = settle_documents(by=a.reception, client=client, documents=[first, second],
                                      method="cash")  # fmt: skip
        made[name] = {Document: first, Payment: payment, Settlement: settlement}
    return made


PAPERS = [Document, Payment, Settlement]


@pytest.mark.parametrize("model", PAPERS, ids=lambda m: m.__name__)
def test_the_practice_sees_its_papers(a, papers, model):
    for member in (a.owner, a.admin, a.reception):
        for who in ("joao", "ana"):
            paper = papers[who][model]
            assert get_paper_for_member(member, model, paper.pk) == paper
            assert get_paper_for_member(member, model, str(paper.pk)) == paper


@pytest.mark.parametrize("model", PAPERS, ids=lambda m: m.__name__)
def test_another_practices_paper_is_not_found(a, b, papers, model):
    paper = papers["joao"][model]
    with pytest.raises(Http404):
        get_paper_for_member(b.owner, model, paper.pk)
    # Even asked with a right B's owner has: the 404 comes first.
    with pytest.raises(Http404):
        get_paper_for_member(b.owner, model, paper.pk, permission=roles.CORRECT_SALES)
    assert paper not in visible(b.owner, model)


@pytest.mark.parametrize("model", PAPERS, ids=lambda m: m.__name__)
def test_a_professional_sees_only_their_own_clients_papers(a, papers, model):
    own, other = papers["ana"][model], papers["joao"][model]
    assert get_paper_for_member(a.professional, model, own.pk) == own
    with pytest.raises(Http404):
        get_paper_for_member(a.professional, model, other.pk)
    assert set(visible(a.professional, model)) == set(model.objects.filter(client=own.client))


def test_a_role_without_the_right_is_refused(a, papers):
    own = papers["ana"][Document]
    with pytest.raises(PermissionDenied):
        get_paper_for_member(a.professional, Document, own.pk, permission=roles.CORRECT_SALES)
    assert get_paper_for_member(a.professional, Document, own.pk, permission=roles.SELL) == own
    assert (
        get_paper_for_member(a.reception, Document, own.pk, permission=roles.CORRECT_SALES) == own
    )


@pytest.mark.parametrize("pk", ["abc", "", None, 10**9, "1; drop table"])
def test_a_malformed_or_unknown_id_is_not_found(a, papers, pk):
    with pytest.raises(Http404):
        get_paper_for_member(a.owner, Document, pk)
    with pytest.raises(Http404):
        get_catalog_row(a.owner, Product, pk)


def test_papers_kept_without_a_client_are_for_those_who_see_everyone(a, papers):
    # What the lifecycle (#5) does to documents kept for retention when it removes a client.
    kept = papers["ana"][Document]
    Document.objects.filter(pk=kept.pk).update(client=None)
    assert get_paper_for_member(a.reception, Document, kept.pk) == kept
    with pytest.raises(Http404):
        get_paper_for_member(a.professional, Document, kept.pk)


# ---------------------------------------------------------------------------------------------
# The catalog.


@pytest.fixture
def rows(a, shampoo, front, invoice_type):
    return {Product: shampoo, Warehouse: front, DocumentType: invoice_type}


CATALOG = [Product, Warehouse, DocumentType]


@pytest.mark.parametrize("model", CATALOG, ids=lambda m: m.__name__)
def test_every_member_reads_the_catalog_and_managers_change_it(a, rows, model):
    row = rows[model]
    for member in (a.owner, a.admin, a.reception, a.professional):
        assert get_catalog_row(member, model, row.pk) == row
    for member in (a.owner, a.admin):
        assert get_catalog_row(member, model, row.pk, write=True) == row
    for member in (a.reception, a.professional):
        with pytest.raises(PermissionDenied):
            get_catalog_row(member, model, row.pk, write=True)


@pytest.mark.parametrize("model", CATALOG, ids=lambda m: m.__name__)
def test_another_practices_catalog_row_is_not_found(a, b, rows, model):
    row = rows[model]
    for member in (b.owner, b.reception):
        for write in (False, True):
            with pytest.raises(Http404):
                get_catalog_row(member, model, row.pk, write=write)

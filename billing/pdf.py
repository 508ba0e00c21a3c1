"""Sales papers as PDF: a document with its lines and totals, a payment receipt, a settlement.
Rendered from the stored paper (its snapshot, not the card), in the practice's language."""

from django.utils import formats, translation
from django.utils.translation import gettext as _

from billing.models import Document, Payment, Settlement
from clientbook.lib.money import format_money
from clientbook.lib.pdf import Paper
from messaging.attachments import Attachment
from practices.models import Practice


def _quantity(value) -> str:
    return formats.number_format(value.normalize(), use_l10n=True)


def _buyer(paper) -> list[str]:
    lines = [paper.billing_name]
    if paper.billing_tax_id:
        lines.append(_("Tax ID: %s") % paper.billing_tax_id)
    lines += paper.billing_address.splitlines()
    if paper.client_code:
        lines.append(_("Client code: %s") % paper.client_code)
    return lines


def filename(paper: Document | Payment | Settlement) -> str:
    return f"{paper.type.name} {paper.number}.pdf".replace("/", "-")


def document_pdf(document: Document) -> bytes:
    practice = document.practice
    with translation.override(practice.language):
        money = lambda amount: format_money(amount, document.currency)  # noqa: E731
        paper = Paper(
            title=f"{document.type.name} {document.number}",
            practice_name=practice.name,
            footer=document.number,
        )
        paper.heading(f"{document.type.name} {document.number}")
        dates = [
            _("Issue date: %s") % formats.date_format(document.issue_date, "SHORT_DATE_FORMAT"),
            _("Sale date: %s") % formats.date_format(document.sale_date, "SHORT_DATE_FORMAT"),
        ]
        if document.due_date:
            dates.append(
                _("Due date: %s") % formats.date_format(document.due_date, "SHORT_DATE_FORMAT")
            )
        if document.corrects_id:
            dates.append(_("Corrects: %s") % document.corrects.number)
        paper.columns([(_("Seller"), [practice.name]), (_("Buyer"), _buyer(document)),
                       (_("Dates"), dates)])  # fmt: skip
        rows = []
        for line in document.lines.select_related("animal").order_by("position"):
            description = line.description
            if line.animal_id:
                description += f" ({line.animal.name})"
            rows.append([
                str(line.position), description, _quantity(line.quantity), line.unit,
                money(line.unit_price),
                f"{_quantity(line.discount_percent)}%" if line.discount_percent else "",
                money(line.net), f"{_quantity(line.tax_rate)}%", money(line.total),
            ])  # fmt: skip
        paper.table(
            ["#", _("Description"), _("Qty"), _("Unit"), _("Unit price"), _("Discount"),
             _("Net"), _("Tax"), _("Amount")],
            rows,
            widths=[4, 40, 8, 7, 13, 9, 13, 7, 13],
            align="RLRLRRRRR",
        )  # fmt: skip
        totals = [(_("Net"), money(document.net_total)), (_("Tax"), money(document.tax_total)),
                  (_("Total"), money(document.total))]  # fmt: skip
        paper.totals(totals)
        if document.is_debt and document.kind != "credit_note":
            paid = document.total - document.open_amount
            paper.text(
                _("Paid: %(paid)s · Still due: %(open)s")
                % {"paid": money(paid), "open": money(document.open_amount)},
                size=9,
            )
        if document.notes:
            paper.space(2)
            paper.text(document.notes, size=9)
        return paper.output()


def payment_pdf(payment: Payment) -> bytes:
    practice = payment.practice
    with translation.override(practice.language):
        money = lambda amount: format_money(amount, payment.currency)  # noqa: E731
        paper = Paper(
            title=f"{payment.type.name} {payment.number}",
            practice_name=practice.name,
            footer=payment.number,
        )
        paper.heading(f"{payment.type.name} {payment.number}")
        details = [
            _("Paid on: %s") % formats.date_format(payment.paid_on, "SHORT_DATE_FORMAT"),
            _("Method: %s") % payment.get_method_display(),
        ]
        if payment.reference:
            details.append(_("Reference: %s") % payment.reference)
        paper.columns([(_("Received by"), [practice.name]), (_("Received from"), _buyer(payment)),
                       (_("Payment"), details)])  # fmt: skip
        rows = [
            [a.document.number, formats.date_format(a.document.issue_date, "SHORT_DATE_FORMAT"),
             money(a.document.total), money(a.amount)]
            for a in payment.allocations.select_related("document").order_by("document__pk")
        ]  # fmt: skip
        paper.table(
            [_("Document"), _("Issued"), _("Total"), _("Paid now")],
            rows,
            widths=[30, 20, 20, 20],
            align="LLRR",
        )
        paper.totals([(_("Amount received"), money(payment.amount))])
        if payment.reversed_at:
            paper.text(_("Reversed: %s") % payment.reverse_reason, bold=True)
        return paper.output()


def settlement_pdf(settlement: Settlement) -> bytes:
    practice = settlement.practice
    with translation.override(practice.language):
        money = lambda amount: format_money(amount, settlement.currency)  # noqa: E731
        paper = Paper(
            title=f"{settlement.type.name} {settlement.number}",
            practice_name=practice.name,
            footer=settlement.number,
        )
        paper.heading(f"{settlement.type.name} {settlement.number}")
        payment = settlement.payment
        details = [
            _("Issue date: %s") % formats.date_format(settlement.issue_date, "SHORT_DATE_FORMAT"),
            _("Method: %s") % payment.get_method_display(),
        ]
        paper.columns([(_("Seller"), [practice.name]), (_("Buyer"), _buyer(settlement)),
                       (_("Settlement"), details)])  # fmt: skip
        rows = [
            [a.document.number, a.document.type.name,
             formats.date_format(a.document.issue_date, "SHORT_DATE_FORMAT"),
             money(a.document.total), money(a.amount)]
            for a in payment.allocations.select_related("document__type").order_by("document__pk")
        ]  # fmt: skip
        paper.table(
            [_("Document"), _("Type"), _("Issued"), _("Total"), _("Settled")],
            rows,
            widths=[26, 22, 16, 18, 18],
            align="LLLRR",
        )
        paper.totals([(_("Total settled"), money(settlement.total))])
        if settlement.reversed_at:
            paper.text(_("Reversed: %s") % settlement.reverse_reason, bold=True)
        return paper.output()


def render_attachment(pk: int, practice: Practice) -> Attachment:
    """A sales document of `practice` as a message's file (see messaging.attachments)."""
    document = Document.objects.select_related("practice", "type").get(practice=practice, pk=pk)
    return Attachment(
        filename=filename(document), content_type="application/pdf", content=document_pdf(document)
    )

"""The pages of a client's sales: a new sale, a document (print, PDF, send, credit note), payments
and receipts, collective settlements, and the turnover history with its exports."""

import csv
import datetime
import io
import itertools
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import pdf
from billing.access import get_paper_for_member
from billing.amounts import round_money
from billing.forms import (
    Catalog,
    LineFormSet,
    PaymentForm,
    PeriodForm,
    ReasonForm,
    SaleForm,
    SendForm,
    SettlementForm,
)
from billing.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentType,
    Payment,
    Settlement,
)
from billing.services import (
    LineInput,
    PaymentInput,
    balance,
    billable_sessions,
    build_lines,
    credit_document,
    issue_document,
    open_documents,
    record_payment,
    settle_documents,
    shortage_text,
    stock_shortages,
    today,
)
from billing.services import (
    reverse_payment as reverse_payment_service,
)
from billing.services import (
    reverse_settlement as reverse_settlement_service,
)
from clientbook.http import PracticeRequest
from clientbook.lib.forms import apply_errors
from clients.access import get_client_for_user
from clients.models import Client
from practices import roles
from practices.access import member_required

BLANK_LINES = 3
PAGE_SIZE = 50
TURNOVER_PAGE = 100


def _keyset(after: str) -> tuple[datetime.date, int] | None:
    """A page's cursor, "date_id" of the last row shown, read back (None if malformed)."""
    day, _sep, last = after.partition("_")
    try:
        return datetime.date.fromisoformat(day), int(last)
    except ValueError:
        return None


def _cursor(row) -> str:
    return f"{row.issue_date.isoformat()}_{row.pk}"


# ---------------------------------------------------------------------------------------------
# A new sale.


def _sale_inputs(form: SaleForm, lines) -> tuple[list[LineInput], list]:
    """The lines to issue, sessions first, and where each came from (None: a session of the
    form's list; otherwise the line's form), to put the service's errors back in place."""
    inputs: list[LineInput] = []
    origins: list = []
    for session in form.cleaned_data.get("sessions") or []:
        animal = session.animal if getattr(session, "animal_id", None) else None
        inputs.append(LineInput(session=session, animal=animal))
        origins.append(None)
    for line_form in lines.forms:
        if not line_form.is_blank:
            inputs.append(line_form.to_input())
            origins.append(line_form)
    return inputs, origins


def _apply_sale_errors(error: ValidationError, form: SaleForm, origins: list) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        if key.startswith("lines."):
            _prefix, index, name = key.split(".", 2)
            origin = origins[int(index)]
            if origin is None:
                form.add_error("sessions", errors)
            else:
                name = {"service": "item", "product": "item", "session": None}.get(name, name)
                origin.add_error(name if name in origin.fields else None, errors)
        else:
            name = {"payment": "pay_now", "client": None, "lines": None}.get(key, key)
            form.add_error(name if name in form.fields else None, errors)


def _with_more_lines(data, prefix: str, more: int):
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + more, 200))
    return data


@member_required
@require_http_methods(["GET", "POST"])
def new_sale(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk, write=True, permission=roles.SELL)
    catalog = Catalog(client)
    sessions = billable_sessions(client)
    preview = None
    if request.method == "POST":
        data = request.POST
        if "add_line" in data:
            data = _with_more_lines(data, "lines", 1)
        form = SaleForm(data, client=client, sessions=sessions)
        lines = LineFormSet(data, prefix="lines", form_kwargs={"catalog": catalog})
        valid = form.is_valid() & lines.is_valid()
        wants_preview = "preview" in data or "add_line" in data or request.htmx
        if valid:
            inputs, origins = _sale_inputs(form, lines)
            header = form.cleaned_data
            try:
                if wants_preview:
                    preview = _preview(client, header, inputs)
                else:
                    pay = (
                        PaymentInput(
                            method=header["payment_method"],
                            reference=header.get("payment_reference") or "",
                        )
                        if header.get("pay_now")
                        else None
                    )
                    result = issue_document(
                        by=request.member, client=client,
                        document_type=header["document_type"], lines=inputs,
                        warehouse=header.get("warehouse"), sale_date=header.get("sale_date"),
                        due_date=header.get("due_date"), notes=header.get("notes") or "",
                        payment=pay,
                    )  # fmt: skip
            except ValidationError as error:
                _apply_sale_errors(error, form, origins)
            else:
                if not wants_preview:
                    document = result.document
                    messages.success(
                        request, _("%(type)s %(number)s was issued.")
                        % {"type": document.type.name, "number": document.number},
                    )  # fmt: skip
                    for warning in result.warnings:
                        messages.warning(request, warning)
                    return redirect("billing:document", document.pk)
        if request.htmx and "add_line" not in data:
            ctx = {"client": client, "form": form, "lines": lines, "preview": preview}
            return render(request, "billing/new_sale.html#totals", ctx)
    else:
        initial_type = form_initial_type(client)
        form = SaleForm(client=client, sessions=sessions, initial={"document_type": initial_type})
        lines = LineFormSet(
            prefix="lines", form_kwargs={"catalog": catalog}, initial=[{}] * BLANK_LINES
        )
    ctx = {
        "client": client,
        "form": form,
        "lines": lines,
        "preview": preview,
        "has_sessions": bool(form.fields["sessions"].queryset),
        "card_url": reverse("clients:card", args=[client.pk]),
    }
    return render(request, "billing/new_sale.html", ctx)


def form_initial_type(client: Client) -> int | None:
    """Invoices for clients who receive them (the card says), receipts otherwise, when the
    practice has both."""
    kind = DocumentKind.INVOICE if client.receives_invoices else DocumentKind.RECEIPT
    return (
        DocumentType.objects.filter(practice_id=client.practice_id, kind=kind, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _preview(client: Client, header: dict, inputs: list[LineInput]) -> dict:
    """The totals the sale would have, and the goods it would take below zero."""
    built = build_lines(
        practice=client.practice,
        client=client,
        lines=inputs,
        kind=header["document_type"].kind,
    )
    net = sum((line.net for line in built), Decimal(0))
    tax = sum((line.tax for line in built), Decimal(0))
    warehouse = header.get("warehouse")
    moves = header["document_type"].kind != DocumentKind.PROFORMA
    shortages = stock_shortages(warehouse=warehouse, lines=built) if moves else []
    return {
        "lines": built,
        "net": net,
        "tax": tax,
        "total": net + tax,
        "warnings": [
            shortage_text(p, level, wanted, warehouse) for _, p, level, wanted in shortages
        ],
    }


# ---------------------------------------------------------------------------------------------
# A document.


@member_required
@require_GET
def document(request: PracticeRequest, pk: int) -> HttpResponse:
    doc = get_paper_for_member(request.member, Document, pk)
    lines = list(
        doc.lines.select_related("animal", "session").annotate(
            credited=Sum("corrections__quantity")
        )
    )
    allocations = list(
        doc.allocations.select_related("payment", "payment__settlement").order_by("payment__pk")
    )
    member = request.member
    client_active = doc.client_id is not None and doc.client.status in ("active", "waitlist")
    can_credit = (
        member.can(roles.CORRECT_SALES)
        and doc.kind in (DocumentKind.INVOICE, DocumentKind.RECEIPT)
        and any(line.quantity + (line.credited or 0) > 0 for line in lines)
    )
    ctx = {
        "doc": doc,
        "client": doc.client,
        "lines": lines,
        "allocations": allocations,
        "credit_notes": list(doc.credit_notes.order_by("pk")),
        "paid": doc.total - doc.open_amount if doc.is_debt else None,
        "can_pay": member.can(roles.SELL) and doc.client_id and doc.open_amount > 0,
        "can_credit": can_credit,
        "can_send": client_active and member.can(roles.SELL),
    }
    template = (
        "billing/print_document.html" if request.GET.get("print") else "billing/document.html"
    )
    return render(request, template, ctx)


def _pdf_response(content: bytes, name: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
@require_GET
def document_pdf(request: PracticeRequest, pk: int) -> HttpResponse:
    doc = get_paper_for_member(request.member, Document, pk)
    return _pdf_response(
        pdf.document_pdf(doc), pdf.filename(doc), download="download" in request.GET
    )


@member_required
@require_http_methods(["GET", "POST"])
def credit(request: PracticeRequest, pk: int) -> HttpResponse:
    doc = get_paper_for_member(request.member, Document, pk, permission=roles.CORRECT_SALES)
    lines = list(doc.lines.annotate(credited=Sum("corrections__quantity")).order_by("position"))
    for line in lines:
        line.left = line.quantity + (line.credited or 0)
    form = ReasonForm(request.POST or None)
    errors: dict[int, list[str]] = {}
    typed: dict[int, str] = {}
    if request.method == "POST":
        quantities: dict[int, Decimal] = {}
        for line in lines:
            raw = (request.POST.get(f"quantity_{line.pk}") or "0").strip().replace(",", ".")
            typed[line.pk] = raw
            try:
                quantities[line.pk] = Decimal(raw)
                if not quantities[line.pk].is_finite():
                    raise ArithmeticError
            except ArithmeticError:
                errors[line.pk] = [_("Enter a number.")]
        if form.is_valid() and not errors:
            try:
                note = credit_document(
                    by=request.member, document=doc, reason=form.cleaned_data["reason"],
                    quantities=quantities,
                )  # fmt: skip
            except ValidationError as error:
                for key, messages_ in getattr(error, "error_dict", {}).items():
                    if key.startswith("quantity_") and key[9:].isdigit():
                        errors[int(key[9:])] = [m for e in messages_ for m in e.messages]
                if not errors:
                    apply_errors(form, error)
            else:
                messages.success(request, _("Credit note %s was issued.") % note.number)
                return redirect("billing:document", note.pk)
    for line in lines:
        line.errors = errors.get(line.pk, [])
        line.typed = typed.get(line.pk, formats.number_format(line.left.normalize()))
    ctx = {"doc": doc, "client": doc.client, "lines": lines, "form": form}
    return render(request, "billing/credit.html", ctx)


@member_required
@require_http_methods(["GET", "POST"])
def send(request: PracticeRequest, pk: int) -> HttpResponse:
    from messaging.services import send_message

    doc = get_paper_for_member(request.member, Document, pk, permission=roles.SELL)
    client = doc.client
    if client is None:
        messages.error(request, _("This document has no client to send it to."))
        return redirect("billing:document", doc.pk)
    client = get_client_for_user(request, client.pk, write=True)
    default_body = _("Hello, attached is %(type)s %(number)s from %(practice)s.") % {
        "type": doc.type.name, "number": doc.number, "practice": request.practice.name,
    }  # fmt: skip
    form = SendForm(request.POST or None, initial={"body": default_body})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            send_message(
                by=request.member, client=client, channel=data["channel"], body=data["body"],
                subject=f"{doc.type.name} {doc.number}", recipient=data["recipient"] or None,
                attachment=f"billing.document:{doc.pk}", attachment_name=pdf.filename(doc),
                purpose="billing",
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%s is on its way.") % doc.number)
            return redirect("billing:document", doc.pk)
    return render(request, "billing/send.html", {"doc": doc, "client": client, "form": form})


# ---------------------------------------------------------------------------------------------
# Payments and settlements.


@member_required
@require_http_methods(["GET", "POST"])
def new_payment(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk, write=True, permission=roles.SELL)
    documents = open_documents(client).filter(open_amount__gt=0).select_related("type")
    chosen = request.GET.getlist("document")
    initial = {"paid_on": today(request.practice), "method": client.payment_method or "cash"}
    if chosen:
        picked = [d for d in documents if str(d.pk) in chosen]
        initial |= {"documents": picked, "amount": sum((d.open_amount for d in picked), Decimal(0))}
    form = PaymentForm(request.POST or None, open_documents=documents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = record_payment(
                by=request.member, client=client, documents=list(data["documents"]),
                amount=data["amount"], method=data["method"], paid_on=data["paid_on"],
                reference=data["reference"], note=data["note"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Payment %s was recorded.") % payment.number)
            return redirect("billing:payment", payment.pk)
    ctx = {"client": client, "form": form, "documents": documents, "checked": _checked(form)}
    return render(request, "billing/payment_form.html", ctx)


def _checked(form) -> set[int]:
    """The documents ticked in a payment or settlement form (typed, or preselected)."""
    if form.is_bound:
        return {int(pk) for pk in form.data.getlist("documents") if str(pk).isdigit()}
    return {doc.pk for doc in form.initial.get("documents") or []}


@member_required
@require_GET
def payment(request: PracticeRequest, pk: int) -> HttpResponse:
    paid = get_paper_for_member(request.member, Payment, pk)
    ctx = {
        "payment": paid,
        "client": paid.client,
        "allocations": list(paid.allocations.select_related("document__type")),
        "can_reverse": request.member.can(roles.CORRECT_SALES)
        and paid.reversed_at is None
        and paid.settlement_id is None,
        "form": ReasonForm(),
    }
    template = "billing/print_payment.html" if request.GET.get("print") else "billing/payment.html"
    return render(request, template, ctx)


@member_required
@require_GET
def payment_pdf(request: PracticeRequest, pk: int) -> HttpResponse:
    paid = get_paper_for_member(request.member, Payment, pk)
    return _pdf_response(
        pdf.payment_pdf(paid), pdf.filename(paid), download="download" in request.GET
    )


@member_required
@require_POST
def reverse_payment(request: PracticeRequest, pk: int) -> HttpResponse:
    paid = get_paper_for_member(request.member, Payment, pk, permission=roles.CORRECT_SALES)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            reverse_payment_service(
                by=request.member, payment=paid, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Payment %s was reversed.") % paid.number)
    else:
        messages.error(request, _("Say why it is reversed."))
    return redirect("billing:payment", paid.pk)


@member_required
@require_http_methods(["GET", "POST"])
def settle(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk, write=True, permission=roles.SELL)
    documents = open_documents(client).select_related("type")
    initial = {
        "paid_on": today(request.practice),
        "method": client.payment_method or "cash",
        "documents": [d for d in documents if str(d.pk) in request.GET.getlist("document")],
    }
    form = SettlementForm(request.POST or None, open_documents=documents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = settle_documents(
                by=request.member, client=client, documents=list(data["documents"]),
                method=data["method"], paid_on=data["paid_on"], reference=data["reference"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Settlement %s was made.") % done.number)
            return redirect("billing:settlement", done.pk)
    ctx = {"client": client, "form": form, "documents": documents, "checked": _checked(form)}
    return render(request, "billing/settle.html", ctx)


@member_required
@require_GET
def settlement(request: PracticeRequest, pk: int) -> HttpResponse:
    done = get_paper_for_member(request.member, Settlement, pk)
    ctx = {
        "settlement": done,
        "client": done.client,
        "payment": done.payment,
        "allocations": list(done.payment.allocations.select_related("document__type")),
        "can_reverse": request.member.can(roles.CORRECT_SALES) and done.reversed_at is None,
        "form": ReasonForm(),
    }
    return render(request, "billing/settlement.html", ctx)


@member_required
@require_GET
def settlement_pdf(request: PracticeRequest, pk: int) -> HttpResponse:
    done = get_paper_for_member(request.member, Settlement, pk)
    return _pdf_response(
        pdf.settlement_pdf(done), pdf.filename(done), download="download" in request.GET
    )


@member_required
@require_POST
def reverse_settlement(request: PracticeRequest, pk: int) -> HttpResponse:
    done = get_paper_for_member(request.member, Settlement, pk, permission=roles.CORRECT_SALES)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            reverse_settlement_service(
                by=request.member, settlement=done, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Settlement %s was reversed.") % done.number)
    else:
        messages.error(request, _("Say why it is reversed."))
    return redirect("billing:settlement", done.pk)


# ---------------------------------------------------------------------------------------------
# A client's sales and turnover.


@member_required
@require_GET
def client_sales(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk)
    documents = Document.objects.filter(
        practice_id=client.practice_id, client_id=client.pk
    ).select_related("type")
    # Keyset pages, newest first by (issue date, id).
    if cursor := _keyset(request.GET.get("after", "")):
        day, last = cursor
        documents = documents.filter(Q(issue_date__lt=day) | Q(issue_date=day, pk__lt=last))
    page = list(documents.order_by("-issue_date", "-pk")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    member = request.member
    ctx = {
        "client": client,
        "documents": page,
        "next_after": _cursor(page[-1]) if more else "",
        "balance": balance(client),
        "payments": list(
            Payment.objects.filter(practice_id=client.practice_id, client_id=client.pk)
            .select_related("type")
            .order_by("-paid_on", "-pk")[:20]
        ),
        "settlements": list(
            Settlement.objects.filter(practice_id=client.practice_id, client_id=client.pk)
            .select_related("type")
            .order_by("-pk")[:20]
        ),
        "can_sell": member.can(roles.SELL) and member.can(roles.CHANGE_CLIENT),
    }
    return render(request, "billing/client_sales.html", ctx)


TURNOVER_KINDS = (DocumentKind.INVOICE, DocumentKind.RECEIPT, DocumentKind.CREDIT_NOTE)


def turnover_lines(client: Client, start: datetime.date | None, end: datetime.date | None):
    """Everything sold to the client in the period (credit notes negative, pro-formas out),
    oldest first, read through the lines' (practice, client, date) index."""
    lines = DocumentLine.objects.filter(
        practice_id=client.practice_id,
        client_id=client.pk,
        document__kind__in=TURNOVER_KINDS,
    )
    if start:
        lines = lines.filter(issue_date__gte=start)
    if end:
        lines = lines.filter(issue_date__lte=end)
    return lines


def _turnover_rows(lines) -> Iterator[list]:
    for line in (
        lines.order_by("issue_date", "pk")
        .values_list(
            "issue_date",
            "document__number",
            "description",
            "quantity",
            "unit",
            "net",
            "tax",
            "total",
        )
        .iterator(chunk_size=2000)
    ):
        yield list(line)


class _Echo:
    def write(self, value: str) -> str:
        return value


@member_required
@require_GET
def turnover(request: PracticeRequest, client_pk: int) -> HttpResponse:
    client = get_client_for_user(request, client_pk)
    form = PeriodForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    lines = turnover_lines(client, start, end)
    headers = [_("Date"), _("Document"), _("Item"), _("Quantity"), _("Unit"), _("Net"),
               _("Tax"), _("Amount")]  # fmt: skip
    name = f"turnover-{client.code}-{start or 'start'}-{end or today(request.practice)}"
    export = request.GET.get("format")
    if export == "csv":
        writer = csv.writer(_Echo())
        rows = (
            writer.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in row])
            for row in _turnover_rows(lines)
        )
        response = StreamingHttpResponse(
            itertools.chain(["\ufeff" + writer.writerow(headers)], rows),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if export == "xlsx":
        return _xlsx_response(headers, _turnover_rows(lines), name)
    # The totals from the documents' own (a document's totals are the sums of its lines, and
    # its lines carry its date): hundreds of rows through doc_client rather than every line.
    documents = Document.objects.filter(
        practice_id=client.practice_id, client_id=client.pk, kind__in=TURNOVER_KINDS
    )
    if start:
        documents = documents.filter(issue_date__gte=start)
    if end:
        documents = documents.filter(issue_date__lte=end)
    totals = documents.aggregate(net=Sum("net_total"), tax=Sum("tax_total"), total=Sum("total"))
    page_lines = lines.select_related("document").order_by("issue_date", "pk")
    if cursor := _keyset(request.GET.get("after", "")):
        day, last = cursor
        page_lines = page_lines.filter(Q(issue_date__gt=day) | Q(issue_date=day, pk__gt=last))
    page = list(page_lines[: TURNOVER_PAGE + 1])
    more = len(page) > TURNOVER_PAGE
    page = page[:TURNOVER_PAGE]
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("format", None)
    ctx = {
        "client": client,
        "form": form,
        "lines": page,
        # Rounded to the cent: SQLite sums decimals as floats.
        "totals": {k: round_money(Decimal(v or 0)) for k, v in totals.items()},
        "next_after": _cursor(page[-1]) if more else "",
        "query": query.urlencode(),
    }
    return render(request, "billing/turnover.html", ctx)


def _xlsx_response(headers: list[str], rows: Iterator[list], name: str) -> HttpResponse:
    from openpyxl import Workbook

    # Write-only: rows stream into the file without a cell object each.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Turnover")[:31])
    sheet.append([str(h) for h in headers])
    for row in rows:
        date, number, description, quantity, unit, net, tax, total = row
        sheet.append([date, number, description, quantity, unit, net, tax, total])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response

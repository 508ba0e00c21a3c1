"""The demo's sales: goods and stock (veterinary practice), attended sessions billed, payments
full and partial, a collective settlement and a credit note — all through the services, so
numbers, stock, balances and timelines are what a real practice would have."""

import random
from decimal import Decimal

from billing.models import DocumentKind, DocumentType
from billing.services import (
    LineInput,
    PaymentInput,
    adjust_stock,
    billable_sessions,
    credit_document,
    issue_document,
    record_payment,
    save_product,
    save_warehouse,
    settle_documents,
)
from clients.models import Client, Status
from practices.models import Member, Practice, Role
from scheduling.models import Service
from scheduling.services import save_service

# Veterinary goods (Polish VAT: 8% on veterinary medicines and feed, 23% on the rest).
GOODS_PL = [
    ("Karma sucha dla psa 2 kg", "KAR-2", "szt.", "89.00", "8", 40),
    ("Preparat na pchły i kleszcze", "PCH-1", "szt.", "65.00", "8", 30),
    ("Tabletki na odrobaczanie", "ODR-1", "szt.", "24.50", "8", 60),
    ("Szampon hipoalergiczny", "SZA-1", "szt.", "39.90", "23", 12),
    ("Obroża odblaskowa", "OBR-1", "szt.", "29.00", "23", 8),
]
# What sessions carry as tax and unit, per practice country.
SERVICE_TAX = {"PL": ("8", "wizyta"), "BR": ("0", "sessão")}


def add_demo_sales(practice: Practice, rng: random.Random) -> int:
    """Bill about half of the clients with attended sessions; returns how many documents."""
    owner = Member.objects.get(practice=practice, role=Role.OWNER)
    reception = Member.objects.get(practice=practice, role=Role.RECEPTION)
    tax, unit = SERVICE_TAX.get(practice.country, ("0", ""))
    for service in Service.objects.filter(practice=practice):
        save_service(
            by=owner, service=service, name=service.name,
            default_duration=service.default_duration, default_price=service.default_price,
            unit=unit, tax_rate=Decimal(tax),
        )  # fmt: skip
    goods, warehouse = [], None
    if practice.kind == Practice.Kind.VETERINARY:
        warehouse = save_warehouse(by=owner, name="Recepcja")
        storeroom = save_warehouse(by=owner, name="Magazyn")
        for name, code, good_unit, price, rate, stock in GOODS_PL:
            good = save_product(
                by=owner, name=name, code=code, unit=good_unit, price=Decimal(price),
                tax_rate=Decimal(rate),
            )  # fmt: skip
            goods.append(good)
            for place, quantity in ((warehouse, stock), (storeroom, stock * 2)):
                adjust_stock(
                    by=reception, warehouse=place, product=good, quantity=Decimal(quantity),
                    reason="delivery", note="WZ 2026/114",
                )  # fmt: skip
    types = {
        t.kind: t
        for t in DocumentType.objects.filter(practice=practice).order_by("-pk")
    }  # fmt: skip
    clients = list(
        Client.objects.filter(practice=practice, status=Status.ACTIVE, sessions__status="attended")
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(clients)
    issued = 0
    settled = credited = False
    for client in clients[: max(len(clients) // 2, 1)]:
        sessions = list(billable_sessions(client)[:4])
        if not sessions:
            continue
        lines = [LineInput(session=s, animal=s.animal) for s in sessions]
        if goods and rng.random() < 0.5:
            animal = client.animals.filter(is_active=True).first()
            lines.append(
                LineInput(product=rng.choice(goods), quantity=Decimal(rng.randint(1, 2)),
                          animal=animal)
            )  # fmt: skip
        kind = DocumentKind.INVOICE if client.receives_invoices else DocumentKind.RECEIPT
        roll = rng.random()
        pay = PaymentInput(method=client.payment_method or "cash") if roll < 0.6 else None
        result = issue_document(
            by=reception, client=client, document_type=types[kind], lines=lines,
            warehouse=warehouse, sale_date=sessions[-1].starts_at.date(), payment=pay,
        )  # fmt: skip
        issued += 1
        document = result.document
        if pay is None and roll < 0.75:
            # A partial payment: half now, the rest owed.
            record_payment(
                by=reception, client=client, documents=[document],
                amount=(document.total / 2).quantize(Decimal("0.01")), method="transfer",
            )  # fmt: skip
        elif pay is None and not settled:
            # A second open document, then both settled as one.
            second = issue_document(
                by=reception, client=client, document_type=types[kind],
                lines=[LineInput(description=lines[0].session.service.name
                                 if lines[0].session.service else "Consulta",
                                 unit_price=document.lines.first().unit_price)],
            ).document  # fmt: skip
            issued += 1
            settle_documents(
                by=reception, client=client, documents=[document, second], method="transfer"
            )
            settled = True
        elif pay is not None and not credited:
            credit_document(
                by=owner, document=document,
                reason="Sessão cobrada em duplicidade"
                if practice.country == "BR" else "Błędnie naliczona usługa",
                quantities={document.lines.order_by("position").first().pk: Decimal(1)},
            )  # fmt: skip
            credited = True
    return issued

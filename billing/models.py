"""Sales: the practice's goods and warehouses, its sales documents with their lines, payments and
collective settlements.

Money is `Decimal` with two places in the practice's currency; quantities have three. An issued
document is never changed: a correction is a credit note that refers to it. Every document keeps
its own copy of the client's billing name, tax ID and address as they were at issue, so it stays
readable (and legally complete) whatever later happens to the card.

What a client owes is the sum of `open_amount` over their documents that carry debt (invoices,
receipts and credit notes; never pro-formas). The services keep `open_amount` in the same
transaction as every payment, credit note and reversal.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import PaymentMethod
from practices.models import Member, Practice

ZERO = Decimal("0.00")

money = {"max_digits": 12, "decimal_places": 2}
percent_validators = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Product(models.Model):
    """A good the practice sells and keeps in stock (services are scheduling.Service)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("product code"), max_length=40, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    price = models.DecimalField(
        _("price"), **money, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=percent_validators,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("good")
        verbose_name_plural = _("goods")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "name"],
                name="product_name_unique",
                violation_error_message=_("The practice already has a good with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "name"],
                name="warehouse_name_unique",
                violation_error_message=_("The practice already has a warehouse with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """How much of a good one warehouse holds: the sum of its movements, kept with them."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="levels")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="levels")
    quantity = models.DecimalField(_("in stock"), max_digits=12, decimal_places=3, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], name="stock_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.quantity}"


class MovementReason(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return (credit note)")
    COUNT = "count", _("Stock count correction")
    DAMAGE = "damage", _("Damaged or expired")
    INTERNAL = "internal", _("Internal use")
    OTHER = "other", _("Other")


# The reasons a person picks for a stock change by hand; sales and returns come from documents.
MANUAL_REASONS = [
    r for r in MovementReason if r not in (MovementReason.SALE, MovementReason.RETURN)
]


class StockMovement(models.Model):
    """One change of a stock level, signed: +10 delivered, -1 sold."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    level_after = models.DecimalField(_("in stock after"), max_digits=12, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=20, choices=MovementReason)
    note = models.CharField(_("note"), max_length=200, blank=True)
    document = models.ForeignKey(
        "Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="movements"
    )
    by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        # The movement history: the practice's, a warehouse's, a good's in a warehouse.
        indexes = [
            models.Index(fields=["practice", "-created_at", "-id"], name="movement_practice"),
            models.Index(
                fields=["practice", "warehouse", "-created_at", "-id"], name="movement_warehouse"
            ),
            models.Index(
                fields=["practice", "warehouse", "product", "-created_at"],
                name="movement_by_stock",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity:+} {self.product_id}@{self.warehouse_id}"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    RECEIPT = "receipt", _("Receipt")
    PROFORMA = "proforma", _("Pro-forma")
    CREDIT_NOTE = "credit_note", _("Credit note")
    SETTLEMENT = "settlement", _("Collective settlement")
    PAYMENT = "payment", _("Payment receipt")


# The kinds a sale is made as; the others are made by their own operations.
SALE_KINDS = (DocumentKind.INVOICE, DocumentKind.RECEIPT, DocumentKind.PROFORMA)
# The kinds whose amounts the client owes (or is owed).
DEBT_KINDS = (DocumentKind.INVOICE, DocumentKind.RECEIPT, DocumentKind.CREDIT_NOTE)


class DocumentType(models.Model):
    """A kind of document as the practice names and numbers it ("Invoice", FV/2026/0001)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind)
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(
        _("number prefix"),
        max_length=10,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", _("Letters, digits and hyphens only."))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "prefix"],
                name="document_type_prefix_unique",
                violation_error_message=_("Another document type has this prefix."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class NumberSequence(models.Model):
    """The last number given per document type and year. Issuing takes the row's write lock
    first (an UPDATE), so concurrent issuers queue and numbers have neither gaps nor twins."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    type = models.ForeignKey(DocumentType, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "year"], name="number_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.type_id}/{self.year}: {self.last}"


class Numbered(models.Model):
    """What every issued paper has: its type, its number, when and by whom, and the client's
    billing details as they were then."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    # PROTECT: nothing removes a client's issued papers by accident. The lifecycle (#5)
    # detaches documents kept for retention (client becomes NULL) before it removes a client.
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind)
    number = models.CharField(_("number"), max_length=40)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    issue_date = models.DateField(_("issue date"))
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    # The snapshot (see the module's docstring).
    client_code = models.CharField(_("client code"), max_length=20, blank=True)
    billing_name = models.CharField(_("billing name"), max_length=200, blank=True)
    billing_tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    billing_address = models.TextField(_("address"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number


class Document(Numbered):
    """A sales document: invoice, receipt, pro-forma or credit note, with its lines."""

    sale_date = models.DateField(_("sale date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("corrects"),
    )
    notes = models.TextField(_("notes"), blank=True)
    net_total = models.DecimalField(_("net"), **money)
    tax_total = models.DecimalField(_("tax"), **money)
    total = models.DecimalField(_("total"), **money)
    # What is still owed on it (negative: what the practice owes back, on a credit note).
    open_amount = models.DecimalField(_("open"), **money)

    class Meta:
        verbose_name = _("sales document")
        verbose_name_plural = _("sales documents")
        constraints = [
            models.UniqueConstraint(
                fields=["type", "year", "sequence"], name="document_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["practice", "client", "-issue_date", "-id"], name="doc_client"),
            models.Index(fields=["practice", "-issue_date", "-id"], name="doc_practice"),
            # The "with debt" filter and the balance read only documents still open.
            models.Index(
                fields=["practice", "client"], condition=~Q(open_amount=0), name="doc_open"
            ),
        ]

    @property
    def is_debt(self) -> bool:
        return self.kind in DEBT_KINDS

    @property
    def is_paid(self) -> bool:
        return self.is_debt and self.open_amount == 0 and self.total > 0


class DocumentLine(models.Model):
    """A line of a document. `client` and `issue_date` repeat the document's so the turnover
    history of a client is one index range."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issue_date = models.DateField()
    position = models.PositiveSmallIntegerField()
    service = models.ForeignKey(
        "scheduling.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("good"),
    )
    session = models.ForeignKey(
        "scheduling.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sale_lines",
        verbose_name=_("session"),
    )
    animal = models.ForeignKey(
        "pets.Animal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sale_lines",
        verbose_name=_("animal"),
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    description = models.CharField(_("description"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), **money)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2)
    net = models.DecimalField(_("net"), **money)
    tax = models.DecimalField(_("tax"), **money)
    total = models.DecimalField(_("amount"), **money)

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["document", "position"]
        indexes = [
            models.Index(fields=["practice", "client", "issue_date", "id"], name="line_turnover"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=True) | Q(product__isnull=True),
                name="line_service_or_product",
            )
        ]

    def __str__(self) -> str:
        return self.description


class Settlement(Numbered):
    """Several open documents of one client settled as one: one payment spread over them."""

    total = models.DecimalField(_("total"), **money)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reverse_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("collective settlement")
        verbose_name_plural = _("collective settlements")
        constraints = [
            models.UniqueConstraint(
                fields=["type", "year", "sequence"], name="settlement_number_unique"
            )
        ]
        indexes = [models.Index(fields=["practice", "client", "-id"], name="settlement_client")]


class Payment(Numbered):
    """Money received from the client, allocated to one or more documents. A payment is never
    deleted: a mistaken one is reversed, which opens its documents again."""

    amount = models.DecimalField(_("amount"), **money)
    method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    settlement = models.OneToOneField(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reverse_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["type", "year", "sequence"], name="payment_number_unique"
            )
        ]
        indexes = [models.Index(fields=["practice", "client", "-paid_on"], name="payment_client")]


class Allocation(models.Model):
    """The part of a payment that settles one document."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **money)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "document"], name="allocation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} → {self.document_id}"

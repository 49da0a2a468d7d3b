"""The sales pipeline: products, leads, opportunities, orders, contracts, targets and exchange rates.

Every amount carries its currency; totals, forecasts and reports convert to the company's base
currency (``settings.BASE_CURRENCY``) with the exchange rates an administrator keeps by date
(:mod:`sales.money`). Opportunities, orders and contracts carry a ``version`` that the services
check, so a save based on a stale copy is refused instead of overwriting someone else's change.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel
from crm.scope import Module, ScopedQuerySet
from customers.search import SearchableModel, phone_digits, search_indexes
from customers.validators import validate_phone


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
    JPY = "JPY", _("Japanese yen (JPY)")
    GBP = "GBP", _("Pound sterling (GBP)")


def _currency_field():
    return models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)


def _user_field(verbose_name):
    """An optional pointer to a user (who created, assigned, uploaded…) that outlives the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def _money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=0, **kwargs)


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of ``currency`` was worth from ``date`` on."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    date = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate to base currency"), max_digits=18, decimal_places=8, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchangerate_unique_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self):
        return f"{self.currency} {self.date}: {self.rate}"


class SalesRecord(TimeStampedModel):
    """A deal document owned by a rep in a team (sales record scope), edited with a version check."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised by every save in the services; a form posts the version it was built from (no lost updates).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = _user_field(_("created by"))

    objects = ScopedQuerySet.as_manager()

    scope_module = Module.SALES
    scope_owner_field = "owner"
    scope_team_field = "team"

    class Meta:
        abstract = True


# ------------------------------------------------------------------------------------------ products


class ProductCategory(models.Model):
    """A node of the product tree (a category may sit under another)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="productcategory_unique_name")]

    def __str__(self):
        return self.name


class Product(TimeStampedModel):
    """Something the company sells, with its list price and the stock on hand."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    # The record's id in another system, for upserts through the API; unique when set.
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    price = _money_field(_("price"), validators=[MinValueValidator(0)])
    currency = _currency_field()
    stock_on_hand = models.IntegerField(_("stock on hand"), default=0, validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        constraints = [
            # The last line of defence for the stock race: confirming an order never takes it below zero.
            models.CheckConstraint(condition=models.Q(stock_on_hand__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative"),
        ]
        indexes = [models.Index(fields=["is_active", "name"], name="product_active_name")]

    def __str__(self):
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self):
        return reverse("sales:product-detail", args=[self.pk])


# ------------------------------------------------------------------------------------------ leads


class Lead(SearchableModel, TimeStampedModel):
    """A sales lead (销售线索): someone who may buy, not yet a customer.

    Converting a qualified lead creates the customer, its contact and an opportunity in one go.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")
        CONVERTED = "converted", _("Converted")

    name = models.CharField(_("contact name"), max_length=100)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    source = models.CharField(_("source"), max_length=32, blank=True)
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    disqualified_reason = models.CharField(_("reason for disqualifying"), max_length=200, blank=True)
    # When someone last worked the lead (status change, edit, assignment); "untouched for N days" reads it.
    touched_at = models.DateTimeField(_("last worked on"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    opportunity = models.ForeignKey(
        "Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set for leads captured by marketing (prospect_captured): the same capture never makes two leads.
    reference = models.CharField(_("capture reference"), max_length=100, null=True, blank=True, unique=True)
    created_by = _user_field(_("created by"))

    objects = ScopedQuerySet.as_manager()

    scope_module = Module.SALES
    scope_owner_field = "owner"
    scope_team_field = "team"

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("assign_lead", _("Can assign leads")),
            ("import_lead", _("Can import leads")),
            ("convert_lead", _("Can convert leads")),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="lead_owner_created"),
            models.Index(fields=["team", "-created_at"], name="lead_team_created"),
            models.Index(fields=["status", "touched_at"], name="lead_status_touched"),
            models.Index(fields=["campaign", "status"], name="lead_campaign_status"),
            *search_indexes("lead"),
        ]

    def search_parts(self):
        return [self.name, self.company, self.phone, phone_digits(self.phone), self.email]

    def __str__(self):
        return f"{self.name} · {self.company}" if self.company else self.name

    def get_absolute_url(self):
        return reverse("sales:lead-detail", args=[self.pk])


class LeadAssignment(models.Model):
    """One change of a lead's owner: who had it, who has it now, who decided and how."""

    class Method(models.TextChoices):
        MANUAL = "manual", _("Manual")
        ROUND_ROBIN = "round_robin", _("Round-robin")

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="assignments")
    from_owner = _user_field(_("previous owner"))
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("new owner"), on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    assigned_by = _user_field(_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "lead"

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["-assigned_at", "-id"]

    def __str__(self):
        return f"{self.lead} → {self.to_owner}"


class RoundRobinCursor(models.Model):
    """Who in a team got the last round-robin lead, so the next goes to the member after them."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("round-robin position")
        verbose_name_plural = _("round-robin positions")

    def __str__(self):
        return f"{self.team}: {self.last_user}"


# ------------------------------------------------------------------------------------------ pipelines


class Pipeline(models.Model):
    """A sales process (per team or product line) with its own stages."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="pipeline_one_default"
            )
        ]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """A step of a pipeline with the chance that a deal in it is won; won and lost stages close a deal."""

    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won stage"), default=False)
    is_lost = models.BooleanField(_("lost stage"), default=False)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=~models.Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="stage_probability_percent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self):
        return self.is_won or self.is_lost


class Opportunity(SalesRecord):
    """A sales opportunity (销售机会): a deal with a customer moving through a pipeline's stages."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="opportunities"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    amount = _money_field(_("amount"), validators=[MinValueValidator(0)])
    currency = _currency_field()
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step due"), null=True, blank=True)
    close_reason = models.CharField(_("won/lost reason"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        permissions = [("export_opportunity", _("Can export opportunities"))]
        indexes = [
            # The board's totals read only this index (amount and scope columns included).
            models.Index(
                fields=["pipeline", "status", "stage", "currency"],
                include=["amount", "owner", "team"],
                name="opportunity_board",
            ),
            # Each board column's first cards: soonest to close first, straight from the index.
            models.Index(
                fields=["pipeline", "stage", "status", "expected_close_date", "-id"], name="opportunity_board_cards"
            ),
            models.Index(fields=["stage", "-amount"], name="opportunity_stage_amount"),
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="opportunity_name_trgm"),
            models.Index(fields=["owner", "status", "-created_at"], name="opportunity_owner_status"),
            models.Index(fields=["team", "status", "-created_at"], name="opportunity_team_status"),
            models.Index(fields=["status", "expected_close_date"], name="opportunity_close_date"),
            models.Index(fields=["status", "closed_at"], name="opportunity_closed"),
            models.Index(fields=["campaign", "status"], name="opportunity_campaign"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sales:opportunity-detail", args=[self.pk])

    @property
    def weighted_amount(self):
        return self.amount * self.stage.probability / 100


class OpportunityLine(models.Model):
    """A product the opportunity is about, with quantity and expected price."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_price = _money_field(_("unit price"), validators=[MinValueValidator(0)])

    objects = ScopedQuerySet.as_manager()

    scope_parent = "opportunity"

    class Meta:
        verbose_name = _("opportunity product")
        verbose_name_plural = _("opportunity products")
        ordering = ["id"]

    def __str__(self):
        return f"{self.product} × {self.quantity}"


class StageChange(models.Model):
    """An opportunity entered a stage; it left when the next change of the same opportunity began."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, verbose_name=_("from stage"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, verbose_name=_("to stage"), on_delete=models.CASCADE, related_name="+")
    entered_at = models.DateTimeField(_("entered at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    changed_by = _user_field(_("changed by"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity", "entered_at", "id"]

    def __str__(self):
        return f"{self.opportunity}: {self.to_stage}"


# ------------------------------------------------------------------------------------------ orders


class Order(SalesRecord):
    """A sales order (销售订单). Confirming it takes its products out of stock."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    ordered_on = models.DateField(_("order date"))
    currency = _currency_field()
    subtotal = _money_field(_("subtotal"))
    discount_total = _money_field(_("discount"))
    total = _money_field(_("total"))
    notes = models.TextField(_("notes"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-id"]
        permissions = [("confirm_order", _("Can confirm orders"))]
        indexes = [
            models.Index(fields=["owner", "-ordered_on"], name="order_owner_date"),
            models.Index(fields=["team", "-ordered_on"], name="order_team_date"),
            models.Index(fields=["customer", "status", "-ordered_on"], name="order_customer"),
            models.Index(fields=["status", "-ordered_on"], name="order_status_date"),
        ]

    def __str__(self):
        return self.number or _("Order %(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("sales:order-detail", args=[self.pk])


class OrderLine(models.Model):
    """One product on an order. ``line_total`` is computed by the service, never typed in."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = _money_field(_("unit price"), validators=[MinValueValidator(0)])
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    line_total = _money_field(_("line total"))

    objects = ScopedQuerySet.as_manager()

    scope_parent = "order"

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100), name="orderline_discount_range"
            ),
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"


# ------------------------------------------------------------------------------------------ contracts


class Contract(SalesRecord):
    """A contract (合同) with a customer, numbered from ``settings.CONTRACT_NUMBER_PATTERN``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("number"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    amount = _money_field(_("amount"), validators=[MinValueValidator(0)])
    currency = _currency_field()
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="contract_dates"),
        ]
        indexes = [
            models.Index(fields=["status", "end_date"], name="contract_status_end"),
            models.Index(fields=["owner", "-start_date"], name="contract_owner_start"),
            models.Index(fields=["team", "-start_date"], name="contract_team_start"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("sales:contract-detail", args=[self.pk])


class ContractNumberCounter(models.Model):
    """The last sequence number handed out for one period of the contract-number pattern."""

    period = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("contract number counter")
        verbose_name_plural = _("contract number counters")

    def __str__(self):
        return f"{self.period}: {self.last}"


def contract_file_path(instance, filename):
    return f"contracts/{instance.contract_id}/{filename}"


class ContractFile(models.Model):
    """A scan or document attached to a contract; size and type are checked on upload."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=contract_file_path)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = _user_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "contract"

    class Meta:
        verbose_name = _("contract file")
        verbose_name_plural = _("contract files")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.name


# ------------------------------------------------------------------------------------------ targets


class SalesTarget(models.Model):
    """How much a user or a team should win in a month, quarter or year (in the base currency)."""

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices, default=Period.MONTH)
    period_start = models.DateField(_("period starts"))
    amount = _money_field(_("target amount"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True, team__isnull=False)
                | models.Q(user__isnull=False, team__isnull=True),
                name="salestarget_user_or_team",
            ),
            models.UniqueConstraint(
                fields=["user", "period", "period_start"],
                condition=models.Q(user__isnull=False),
                name="salestarget_unique_user",
            ),
            models.UniqueConstraint(
                fields=["team", "period", "period_start"],
                condition=models.Q(team__isnull=False),
                name="salestarget_unique_team",
            ),
        ]

    def __str__(self):
        return f"{self.user or self.team} {self.get_period_display()} {self.period_start}: {self.amount}"

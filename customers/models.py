"""Customers and the people at them: the records every other domain hangs off."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.models import TimeStampedModel
from crm.scope import Module, ScopedQuerySet

from .validators import validate_phone


class Tag(models.Model):
    """A coloured label put on customers for segmentation."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#6c757d", help_text=_("A hex colour such as #0d6efd.")
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomerGroup(models.Model):
    """A named set of customers: a static list, or a saved filter over the customer list."""

    class Kind(models.TextChoices):
        STATIC = "static", _("Static list")
        FILTER = "filter", _("Saved filter")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.STATIC)
    description = models.TextField(_("description"), blank=True)
    filter_query = models.CharField(
        _("filter"), max_length=500, blank=True, help_text=_("For a saved filter: the customer list's query string.")
    )

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Customer(TimeStampedModel):
    """A company or a person the business sells to or serves."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        INDIVIDUAL = "individual", _("Individual")

    class Level(models.TextChoices):
        A = "A", _("A – key account")
        B = "B", _("B – important")
        C = "C", _("C – regular")
        D = "D", _("D – minor")

    class Lifecycle(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")
        VIP = "vip", _("VIP")
        CHURNED = "churned", _("Churned")

    class Source(models.TextChoices):
        WEBSITE = "website", _("Website")
        REFERRAL = "referral", _("Referral")
        EVENT = "event", _("Event")
        EXHIBITION = "exhibition", _("Exhibition")
        ADVERTISING = "advertising", _("Advertising")
        COLD_CALL = "cold_call", _("Cold call")
        PARTNER = "partner", _("Partner")
        OTHER = "other", _("Other")

    class Industry(models.TextChoices):
        IT = "it", _("Information technology")
        MANUFACTURING = "manufacturing", _("Manufacturing")
        FINANCE = "finance", _("Finance")
        RETAIL = "retail", _("Retail")
        EDUCATION = "education", _("Education")
        HEALTHCARE = "healthcare", _("Healthcare")
        GOVERNMENT = "government", _("Government")
        LOGISTICS = "logistics", _("Logistics")
        OTHER = "other", _("Other")

    class Consent(models.TextChoices):
        UNKNOWN = "unknown", _("Not asked")
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.COMPANY)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    level = models.CharField(_("level"), max_length=1, choices=Level.choices, default=Level.C)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.PROSPECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="customers"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    groups = models.ManyToManyField(CustomerGroup, verbose_name=_("groups"), blank=True, related_name="customers")
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared with"),
        blank=True,
        related_name="shared_customers",
        through="CustomerShare",
    )
    consent = models.CharField(_("marketing consent"), max_length=16, choices=Consent.choices, default=Consent.UNKNOWN)
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_method = models.CharField(_("consent recorded how"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Lower-cased name, phones, e-mails and contact names in one column behind one trigram index,
    # so a search is a single indexed LIKE instead of an OR across tables. Kept by services.
    search_document = models.TextField(editable=False, default="")

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_document", "updated_at"])

    scope_module = Module.CUSTOMERS
    scope_owner_field = "owner"
    scope_team_field = "team"
    scope_shared_field = "shared_with"

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        indexes = [
            GinIndex(OpClass("search_document", name="gin_trgm_ops"), name="customer_search_trgm"),
            models.Index(fields=["owner", "-created_at"], name="customer_owner_created"),
            models.Index(fields=["team", "-created_at"], name="customer_team_created"),
            models.Index(fields=["owner", "name"], name="customer_owner_name"),
            models.Index(fields=["name"], name="customer_name"),
            models.Index(fields=["lifecycle_stage"], name="customer_lifecycle"),
            models.Index(fields=["-updated_at"], name="customer_updated"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:customer-detail", args=[self.pk])


class CustomerShare(models.Model):
    """A customer made visible to a user outside the owner's scope."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("customer share")
        verbose_name_plural = _("customer shares")
        constraints = [models.UniqueConstraint(fields=["customer", "user"], name="customershare_unique")]
        indexes = [models.Index(fields=["user", "customer"], name="customershare_user")]

    def __str__(self):
        return f"{self.customer} → {self.user}"


class Contact(TimeStampedModel):
    """A person at a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True, validators=[validate_phone])
    phone = models.CharField(_("office phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    scope_parent = "customer"

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(is_primary=True), name="contact_one_primary_per_customer"
            ),
        ]
        indexes = [models.Index(fields=["customer", "name"], name="contact_customer_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:customer-detail", args=[self.customer_id])

"""Customers and the people at them: the records every other domain hangs off."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Left, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.fields import BlindIndexField, EncryptedTextField
from crm.models import TimeStampedModel
from crm.scope import Module, ScopedQuerySet

from .search_text import contact_search_text, search_grams
from .validators import validate_id_number, validate_phone


class LeanHistoricalRecords(HistoricalRecords):
    """Field history read by record only (the customer's page and timeline: by customer or contact id, then
    sorted): no index on when or by whom a row was written, which nothing looks history up by and which every
    bulk write would pay for (an import writes a history row per customer and per contact). Deleting a user
    finds their history rows by a scan, as it does their customers' ``created_by``."""

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        extra["history_date"] = models.DateTimeField(db_index=False)
        extra["history_user"].db_index = False
        return extra


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
    # The record's id in another system (an ERP, a shop), for upserts through the API; unique when set.
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.COMPANY)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    level = models.CharField(_("level"), max_length=1, choices=Level.choices, default=Level.C)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.PROSPECT
    )
    # Owner and team are looked up through the (owner|team, created_at) indexes below, which lead with
    # them; an index of their own would only cost every insert.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # Individual customers: encrypted at rest, found by exact value through the keyed hash (crm.fields).
    id_number = EncryptedTextField(
        _("ID number"), max_length=32, blank=True, validators=[validate_id_number],
        hash_field="id_number_hash", hash_kind="id_number",
    )  # fmt: skip
    id_number_hash = BlindIndexField(source="id_number")
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
    # Who created and last changed the record. Nothing looks customers up by them (only deleting a user
    # does, rarely), so they carry no index for every insert and import to maintain.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    quality_score = models.PositiveSmallIntegerField(_("data quality"), default=0)
    quality_missing = models.JSONField(_("data quality issues"), default=list, blank=True)
    churn_score = models.PositiveSmallIntegerField(_("churn risk"), default=0)
    churn_reasons = models.JSONField(_("churn risk reasons"), default=list, blank=True)
    rfm_segment = models.CharField(_("value segment"), max_length=32, blank=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # Lower-cased name, phones, e-mails and contact names in one column behind one trigram index,
    # so a search is a single indexed LIKE instead of an OR across tables. Kept by services.
    search_document = models.TextField(editable=False, default="")
    # The CJK bigrams of search_document, for searches too short for a trigram (customers.search_text.search_grams).
    # Worked out from search_document on every save and by every bulk path that writes it.
    search_grams = SearchVectorField(editable=False, blank=True, default="")

    objects = ScopedQuerySet.as_manager()
    history = LeanHistoricalRecords(
        excluded_fields=[
            "search_document", "search_grams", "updated_at", "last_contacted_at", "quality_score", "quality_missing",
            "churn_score", "churn_reasons", "rfm_segment",
        ],
        # History is read by customer id only: the copied fields' indexes would only slow every write.
        no_db_index=["created_at", "created_by", "updated_by", "owner", "team", "id_number_hash", "external_id"],
    )  # fmt: skip

    scope_module = Module.CUSTOMERS
    scope_owner_field = "owner"
    scope_team_field = "team"
    scope_shared_field = "shared_with"

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("import_customer", _("Can import customers")),
            ("export_customer", _("Can export customers")),
            ("merge_customer", _("Can merge duplicate customers")),
            ("erase_customer", _("Can export or erase a customer's personal data")),
            ("view_sensitive_customer", _("Can see ID numbers and personal mobiles unmasked in lists")),
        ]
        indexes = [
            GinIndex(OpClass("search_document", name="gin_trgm_ops"), name="customer_search_trgm"),
            models.Index(fields=["owner", "-created_at"], name="customer_owner_created"),
            models.Index(fields=["team", "-created_at"], name="customer_team_created"),
            models.Index(fields=["owner", "name"], name="customer_owner_name"),
            models.Index(fields=["name"], name="customer_name"),
            models.Index(fields=["lifecycle_stage"], name="customer_lifecycle"),
            models.Index(fields=["-updated_at"], name="customer_updated"),
            models.Index(fields=["quality_score"], name="customer_quality"),
            models.Index(fields=["-churn_score"], name="customer_churn"),
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="customer_name_trgm"),
            models.Index(fields=["id_number_hash"], name="customer_id_number_hash"),
            # Searches shorter than a trigram match the start of the name (customers.search).
            models.Index(OpClass(Left("search_document", 16), name="text_pattern_ops"), name="customer_search_prefix"),
            GinIndex(fields=["search_grams"], name="customer_search_grams"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_grams = search_grams(self.search_document)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_document" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_grams"}
        super().save(*args, **kwargs)

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

    # Found through the (customer, name) index, which leads with the customer.
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    name = models.CharField(_("name"), max_length=100)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    # A personal number: encrypted at rest, found by exact value through the keyed hash (crm.fields).
    mobile = EncryptedTextField(
        _("mobile"), max_length=32, blank=True, validators=[validate_phone], hash_field="mobile_hash", hash_kind="phone"
    )
    mobile_hash = BlindIndexField(source="mobile")
    phone = models.CharField(_("office phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # The customer's owner and team, copied so that the record scope is a condition on the contact's own indexed
    # columns instead of a join through two million contacts' customers. Kept by the database (triggers of
    # migrations 0009 and 0012: on insert, on a move to another customer and when the customer changes hands);
    # written by Python only where the customer import creates a customer and its contact together (the insert
    # trigger then skips its lookup). No foreign-key constraint, as the customer's columns already have one.
    customer_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
    )  # fmt: skip
    customer_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, editable=False, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
    )  # fmt: skip
    # Name, office phone and e-mail, normalised, behind a trigram index; and its CJK bigrams (customers.search).
    search_document = models.TextField(editable=False, blank=True, default="")
    search_grams = SearchVectorField(editable=False, blank=True, default="")

    objects = ScopedQuerySet.as_manager()
    # History is read by contact or customer id only.
    history = LeanHistoricalRecords(
        excluded_fields=["updated_at", "customer_owner", "customer_team", "search_document", "search_grams"],
        no_db_index=["created_at", "mobile_hash", "external_id"],
    )

    scope_module = Module.CUSTOMERS
    scope_owner_field = "customer_owner"
    scope_team_field = "customer_team"
    scope_shared_parent = "customer"

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(is_primary=True), name="contact_one_primary_per_customer"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "name"], name="contact_customer_name"),
            models.Index(fields=["mobile_hash"], name="contact_mobile_hash"),
            # The list's order, and the scope's columns in the same order (customers.selectors.contact_list).
            models.Index(fields=["name", "id"], name="contact_name"),
            models.Index(fields=["customer_owner", "name", "id"], name="contact_owner_name"),
            models.Index(fields=["customer_team", "name", "id"], name="contact_team_name"),
            GinIndex(OpClass("search_document", name="gin_trgm_ops"), name="contact_search_trgm"),
            GinIndex(fields=["search_grams"], name="contact_search_grams"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_search()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_document", "search_grams"}
        super().save(*args, **kwargs)

    def refresh_search(self):
        """Work out the search columns from the contact's own values; bulk writers call it before COPY."""
        self.search_document = contact_search_text(self.name, self.phone, self.email)
        self.search_grams = search_grams(self.search_document)

    def get_absolute_url(self):
        return reverse("customers:customer-detail", args=[self.customer_id])


class Communication(TimeStampedModel):
    """A record of talking to a customer (客户沟通记录): a call, a visit, a meeting, a message."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        WECHAT = "wechat", _("WeChat")
        SMS = "sms", _("SMS")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="communications"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    result = models.CharField(_("result"), max_length=200, blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_follow_up = models.DateField(_("next follow-up date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    # The customer's owner and team, kept by the database like a contact's (see Contact.customer_owner).
    customer_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
    )  # fmt: skip
    customer_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, editable=False, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "customer_owner", "customer_team"])

    scope_module = Module.CUSTOMERS
    scope_owner_field = "customer_owner"
    scope_team_field = "customer_team"
    scope_shared_parent = "customer"

    class Meta:
        verbose_name = _("communication record")
        verbose_name_plural = _("communication records")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="communication_customer_when"),
            models.Index(fields=["owner", "-occurred_at"], name="communication_owner_when"),
            models.Index(fields=["-occurred_at"], name="communication_when"),
            models.Index(fields=["customer_owner", "-occurred_at"], name="communication_scope_owner"),
            models.Index(fields=["customer_team", "-occurred_at"], name="communication_scope_team"),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("customers:customer-detail", args=[self.customer_id])


class FollowUpTask(TimeStampedModel):
    """Something to do for a customer by a due time, with reminders before and after it is due."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tasks")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    communication = models.ForeignKey(
        Communication,
        verbose_name=_("from communication"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    title = models.CharField(_("what"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    due_at = models.DateTimeField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="follow_up_tasks"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    scope_parent = "customer"

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_status_due"),
            models.Index(fields=["status", "due_at"], name="task_status_due"),
            models.Index(fields=["customer", "-due_at"], name="task_customer_due"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("customers:customer-detail", args=[self.customer_id])


class CarePlan(models.Model):
    """A rule that generates care actions (客户关怀): birthdays, holidays, anniversaries, after a purchase."""

    class Occasion(models.TextChoices):
        BIRTHDAY = "birthday", _("Contact's birthday")
        HOLIDAY = "holiday", _("Holiday")
        ANNIVERSARY = "anniversary", _("Customer anniversary")
        AFTER_PURCHASE = "after_purchase", _("After a purchase")
        CUSTOM = "custom", _("Custom date")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        GIFT = "gift", _("Gift")

    name = models.CharField(_("name"), max_length=100)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("For a holiday or custom date: the day it falls on this year.")
    )
    days_before = models.PositiveSmallIntegerField(_("days ahead"), default=0)
    days_after_purchase = models.PositiveSmallIntegerField(_("days after purchase"), default=7)
    level = models.CharField(_("only customers of level"), max_length=1, choices=Customer.Level.choices, blank=True)
    group = models.ForeignKey(
        CustomerGroup, verbose_name=_("only customers in group"), null=True, blank=True, on_delete=models.SET_NULL
    )
    content = models.TextField(_("message or gift"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ContactCadence(models.Model):
    """How often customers of a level or group must be contacted, for example VIP every 30 days."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("customer level"), max_length=1, choices=Customer.Level.choices, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=16, choices=Customer.Lifecycle.choices, blank=True
    )
    group = models.ForeignKey(
        CustomerGroup, verbose_name=_("customer group"), null=True, blank=True, on_delete=models.SET_NULL
    )
    interval_days = models.PositiveSmallIntegerField(_("contact at least every (days)"), default=30)
    channel = models.CharField(_("channel"), max_length=8, choices=CarePlan.Channel.choices, default="phone")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contact cadence")
        verbose_name_plural = _("contact cadences")
        ordering = ["interval_days", "name"]

    def __str__(self):
        return self.name


class CareAction(TimeStampedModel):
    """One care touch generated by a plan or a cadence, due on a day, done with an outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To do")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="care_actions"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan = models.ForeignKey(CarePlan, verbose_name=_("care plan"), null=True, blank=True, on_delete=models.SET_NULL)
    cadence = models.ForeignKey(
        ContactCadence, verbose_name=_("contact cadence"), null=True, blank=True, on_delete=models.SET_NULL
    )
    occasion = models.CharField(_("occasion"), max_length=20, choices=CarePlan.Occasion.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=CarePlan.Channel.choices)
    due_on = models.DateField(_("due on"))
    content = models.TextField(_("message or gift"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="care_actions"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    outcome = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # What generated it, so running the generator again adds nothing: "plan:3:contact:9:2026-05-01".
    source_key = models.CharField(max_length=120, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "customer"

    class Meta:
        verbose_name = _("care action")
        verbose_name_plural = _("care actions")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="care_assignee_status_due"),
            models.Index(fields=["customer", "-due_on"], name="care_customer_due"),
        ]

    def __str__(self):
        return f"{self.customer} · {self.get_channel_display()} · {self.due_on}"


class CustomerMerge(models.Model):
    """Two customers merged into one, with everything needed to undo it."""

    survivor = models.ForeignKey(Customer, verbose_name=_("kept customer"), on_delete=models.CASCADE, related_name="+")
    merged_id = models.BigIntegerField(_("merged customer id"))
    merged_name = models.CharField(_("merged customer"), max_length=200)
    # The merged customer's own row and contacts, the survivor's overwritten values, and the ids of
    # every related row that was moved, per model label.
    snapshot = models.JSONField(_("snapshot"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at", "-id"]

    def __str__(self):
        return f"{self.merged_name} → {self.survivor}"

"""Marketing campaigns and what hangs off them (events, sends, assets)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel
from crm.scope import Module, ScopedQuerySet


class Campaign(TimeStampedModel):
    """A marketing campaign (市场营销活动): an effort with a budget that should bring leads and revenue.

    Sales leads point at the campaign that produced them (``sales.Lead.campaign``); the campaign's
    effect (leads, conversions, won revenue, ROI) is gathered through ``marketing.effect``.
    """

    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        EMAIL = "email", _("E-mail")
        EXHIBITION = "exhibition", _("Exhibition")
        WEBINAR = "webinar", _("Webinar")
        ADVERTISING = "advertising", _("Advertising")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.EVENT)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="campaigns"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=0)
    actual_cost = models.DecimalField(_("actual cost"), max_digits=14, decimal_places=2, default=0)
    expected_revenue = models.DecimalField(_("expected revenue"), max_digits=14, decimal_places=2, default=0)
    target_groups = models.ManyToManyField(
        "customers.CustomerGroup", verbose_name=_("target customer groups"), blank=True, related_name="campaigns"
    )
    description = models.TextField(_("description"), blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_module = Module.MARKETING
    scope_owner_field = "owner"
    scope_team_field = "team"

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-start_date"], name="campaign_owner_start")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:campaign-detail", args=[self.pk])


def _event_upload(instance, filename):
    return f"marketing/events/{instance.campaign_id or 'new'}/{filename}"


class Event(TimeStampedModel):
    """An event (活动) of a campaign: a conference, seminar or webinar people are invited to and attend.

    Its visibility follows its campaign. Seats are counted under a row lock on the event, so
    concurrent registrations never exceed ``capacity``.
    """

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conference")
        SEMINAR = "seminar", _("Seminar")
        WEBINAR = "webinar", _("Webinar")
        TRAINING = "training", _("Training")
        EXHIBITION = "exhibition", _("Exhibition")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ONGOING = "ongoing", _("Ongoing")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="events")
    theme = models.CharField(_("theme"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.SEMINAR)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=100)
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    poster = models.FileField(_("poster"), upload_to=_event_upload, blank=True)
    invitation_file = models.FileField(_("invitation"), upload_to=_event_upload, blank=True)
    invite_customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("invite customers"), blank=True, related_name="+"
    )
    invite_contacts = models.ManyToManyField(
        "customers.Contact", verbose_name=_("invite contacts"), blank=True, related_name="+"
    )
    invite_groups = models.ManyToManyField(
        "customers.CustomerGroup", verbose_name=_("invite customer groups"), blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    survey_sent_at = models.DateTimeField(_("survey sent at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "campaign"

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "-id"]
        permissions = [
            ("publish_event", _("Can publish events and send invitations")),
            ("checkin_event", _("Can check attendees in")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "-starts_at"], name="event_campaign_start")]

    def __str__(self):
        return self.theme

    def get_absolute_url(self):
        return reverse("marketing:event-detail", args=[self.pk])


class Invitation(models.Model):
    """One recipient invited to an event; unique per event and recipient, so a retried send adds nobody."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "event"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "customer"], condition=models.Q(contact__isnull=True), name="invitation_once_customer"
            ),
            models.UniqueConstraint(
                fields=["event", "contact"], condition=models.Q(contact__isnull=False), name="invitation_once_contact"
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="invitation_event_status")]

    def __str__(self):
        return f"{self.event} → {self.name}"


class Registration(models.Model):
    """A person registered for an event: with a seat (confirmed), on the waitlist, or cancelled.

    ``code`` is what the QR code in the confirmation e-mail carries; staff scan it to check in.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations")
    invitation = models.ForeignKey(
        Invitation, verbose_name=_("invitation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The language of the public page they wrote in: what is mailed to them later is written in it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, help_text=_("Empty: the company's.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    code = models.CharField(_("check-in code"), max_length=16, unique=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The last change (cancelled, promoted, checked in): the API's ETag and ``updated_since`` read it.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "event"

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["registered_at", "id"]
        constraints = [
            # One live registration per address and event; a cancelled one may register again.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~models.Q(status="cancelled"),
                name="registration_once_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "registered_at"], name="registration_event_status"),
            # The event page lists registrations in order of arrival, a page at a time.
            models.Index(fields=["event", "registered_at", "id"], name="registration_event_order"),
        ]

    def __str__(self):
        return f"{self.name} @ {self.event}"


class SurveyResponse(models.Model):
    """An attendee's satisfaction (满意度调查) answer after an event: one per registration."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="survey_response"
    )
    score = models.PositiveSmallIntegerField(_("satisfaction"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.registration}: {self.score}"


class Prospect(models.Model):
    """Someone a campaign captured (潜在客户) who is not a customer yet: an event registrant or a
    web-to-lead submission. Sales turns it into a lead through ``signals.prospect_captured``;
    marketing keeps the row so the capture is attributed and counted even before sales acts."""

    class Source(models.TextChoices):
        EVENT = "event", _("Event registration")
        WEB_FORM = "web_form", _("Web-to-lead form")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="prospects"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL, related_name="prospects"
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    name = models.CharField(_("name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    message = models.TextField(_("message"), blank=True)
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    submissions = models.PositiveIntegerField(_("submissions"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "campaign"

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "email"], name="prospect_campaign_email"),
            models.Index(fields=["campaign", "phone"], name="prospect_campaign_phone"),
        ]

    def __str__(self):
        return self.name


def _asset_upload(instance, filename):
    return f"marketing/assets/{filename}"


class Asset(TimeStampedModel):
    """A marketing asset (营销资源): a picture, brochure, video or template, with where it is used."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")
        VIDEO = "video", _("Video")
        TEMPLATE = "template", _("Template")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.IMAGE)
    file = models.FileField(_("file"), upload_to=_asset_upload)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    tags = ArrayField(models.CharField(max_length=40), verbose_name=_("tags"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="marketing_assets"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaigns = models.ManyToManyField(Campaign, verbose_name=_("used by campaigns"), blank=True, related_name="assets")
    events = models.ManyToManyField(Event, verbose_name=_("used by events"), blank=True, related_name="assets")

    objects = ScopedQuerySet.as_manager()

    scope_module = Module.MARKETING
    scope_owner_field = "owner"
    scope_team_field = "team"

    class Meta:
        verbose_name = _("marketing asset")
        verbose_name_plural = _("marketing assets")
        ordering = ["-created_at", "-id"]
        indexes = [GinIndex(fields=["tags"], name="asset_tags")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:asset-detail", args=[self.pk])

    @property
    def is_image(self):
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self):
        return self.content_type == "application/pdf"


class EmailCampaign(TimeStampedModel):
    """A templated e-mail sent to a customer group for a campaign, in throttled batches."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="email_campaigns"
    )
    group = models.ForeignKey(
        "customers.CustomerGroup", verbose_name=_("customer group"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"), help_text=_("Plain text; {{ name }} becomes the customer's name. An unsubscribe link is added.")
    )
    rate_per_minute = models.PositiveIntegerField(_("e-mails per minute"), default=60)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    next_batch_at = models.DateTimeField(_("next batch at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "campaign"

    class Meta:
        verbose_name = _("e-mail campaign")
        verbose_name_plural = _("e-mail campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("marketing:email-detail", args=[self.pk])


class EmailRecipient(models.Model):
    """One customer of an e-mail campaign and what happened to their e-mail."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    email_campaign = models.ForeignKey(
        EmailCampaign, verbose_name=_("e-mail campaign"), on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "email_campaign"

    class Meta:
        verbose_name = _("e-mail recipient")
        verbose_name_plural = _("e-mail recipients")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["email_campaign", "customer"], name="emailrecipient_once"),
        ]
        indexes = [models.Index(fields=["email_campaign", "status"], name="emailrecipient_status")]

    def __str__(self):
        return f"{self.email_campaign} → {self.email}"

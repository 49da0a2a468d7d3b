"""Service tickets (服务工单), their queues and SLA policies, satisfaction answers and the knowledge base."""

from datetime import time

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel
from crm.scope import Module, ScopedQuerySet, sees_all
from customers.search import SearchableModel, search_indexes

from .sla import WorkingHours


def default_weekdays():
    return [0, 1, 2, 3, 4]


class WorkCalendar(models.Model):
    """When the SLA clock runs in business hours: working weekdays, daily hours, holidays and make-up days."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)]),
        verbose_name=_("working weekdays"),
        default=default_weekdays,
        help_text=_("0 is Monday, 6 is Sunday."),
    )
    start = models.TimeField(_("opens at"), default=time(9, 0))
    end = models.TimeField(_("closes at"), default=time(18, 0))

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="workcalendar_hours")]

    def __str__(self):
        return self.name

    def working_hours(self) -> WorkingHours:
        days = list(self.days.all())
        return WorkingHours(
            timezone=self.timezone,
            weekdays=frozenset(self.weekdays),
            start=self.start,
            end=self.end,
            holidays=frozenset(d.date for d in days if not d.working),
            workdays=frozenset(d.date for d in days if d.working),
        )


class CalendarDay(models.Model):
    """A holiday, or a day worked in exchange for one (调休)."""

    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    working = models.BooleanField(
        _("working day"), default=False, help_text=_("Ticked: a make-up working day. Unticked: a holiday.")
    )

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendarday_unique")]

    def __str__(self):
        return f"{self.date} {self.name}"


class Queue(models.Model):
    """A group of agents who work tickets together; its manager receives escalations."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_queues",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("agents"), blank=True, related_name="service_queues"
    )
    calendar = models.ForeignKey(
        WorkCalendar, verbose_name=_("working calendar"), null=True, blank=True, on_delete=models.SET_NULL
    )
    auto_assign = models.BooleanField(_("assign round-robin"), default=True)
    accepts_web = models.BooleanField(
        _("receives web form tickets"), default=False, help_text=_("The public ticket form files into this queue.")
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class SlaPolicy(models.Model):
    """How fast tickets of one priority must get a first answer and a resolution."""

    priority = models.CharField(_("priority"), max_length=8, unique=True, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))
    business_hours = models.BooleanField(
        _("business hours"), default=True, help_text=_("Count only working time of the queue's calendar.")
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at this percentage of the time"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority"]

    def __str__(self):
        return str(self.get_priority_display())


class TicketQuerySet(ScopedQuerySet):
    """The record scope of tickets: the owner is the assignee and the team is the queue's team (as for every
    scoped model), and the agents and the manager of a queue also see all of the queue's tickets.

    Queue membership is one extra ``queue_id IN (the user's queues)`` condition, which PostgreSQL checks
    against a hashed list of a few ids; a per-ticket shared-with relation would cost a lookup per row.
    """

    def visible_to(self, user):
        scoped = super().visible_to(user)
        if user is None or not user.is_authenticated or not user.is_active:
            return scoped
        if sees_all(user, self.model.scope_module):
            return scoped
        queues = Queue.objects.filter(models.Q(members=user) | models.Q(manager=user)).values("pk")
        return scoped | self.filter(queue__in=queues)


class Ticket(SearchableModel, TimeStampedModel):
    """A customer's request to the service desk (服务工单), worked from new to closed under an SLA."""

    class Type(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        INQUIRY = "inquiry", _("Inquiry")
        SUGGESTION = "suggestion", _("Suggestion")
        FAULT = "fault", _("Fault report")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        WEB = "web", _("Web form")
        IN_PERSON = "in_person", _("In person")

    Priority = Priority

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING]
    # Bootstrap badge colours, looked up once per row instead of compared in every row's template.
    STATUS_BADGES = {
        Status.NEW: "text-bg-info",
        Status.WAITING: "text-bg-secondary",
        Status.RESOLVED: "text-bg-success",
        Status.CLOSED: "text-bg-dark",
    }
    PRIORITY_BADGES = {Priority.URGENT: "text-bg-danger", Priority.HIGH: "text-bg-warning"}

    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.INQUIRY)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tickets"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # What the request is about, when known; tickets outlive a product or an order taken off the books.
    product = models.ForeignKey(
        "sales.Product", verbose_name=_("product"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="tickets",
    )  # fmt: skip
    order = models.ForeignKey(
        "sales.Order", verbose_name=_("sales order"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="tickets",
    )  # fmt: skip
    queue = models.ForeignKey(Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="tickets")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who wrote in, as they gave it (the web form, a phone call): replies go to this address.
    requester_name = models.CharField(_("requester"), max_length=100, blank=True)
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=32, blank=True)
    # The language of the public page they wrote in: what is mailed to them later is written in it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, help_text=_("Empty: the company's.")
    )

    sla_policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("SLA policy"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # While waiting on the customer the resolution clock stands still: the working seconds left
    # are kept here and added again from the moment the ticket moves on.
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    sla_remaining_seconds = models.IntegerField(null=True, blank=True, editable=False)
    sla_warn_remaining_seconds = models.IntegerField(null=True, blank=True, editable=False)
    # Working seconds spent waiting on the customer so far, so a new priority can recompute the deadlines.
    sla_paused_seconds = models.PositiveIntegerField(default=0, editable=False)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    response_breached = models.BooleanField(_("first response overdue"), default=False)
    resolution_breached = models.BooleanField(_("resolution overdue"), default=False)
    needs_follow_up = models.BooleanField(
        _("needs follow-up"), default=False, help_text=_("Set by a low satisfaction score.")
    )
    articles = models.ManyToManyField(
        "Article", verbose_name=_("knowledge base articles"), blank=True, related_name="tickets"
    )
    objects = TicketQuerySet.as_manager()

    scope_module = Module.SERVICE
    scope_owner_field = "assignee"
    scope_team_field = "queue__team"

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_service_statistics", _("Can view service statistics")),
            ("follow_up_ticket", _("Can follow up low satisfaction scores")),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "-created_at"], name="ticket_assignee_status"),
            models.Index(fields=["queue", "status", "-created_at"], name="ticket_queue_status"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
            models.Index(fields=["status", "resolution_due_at"], name="ticket_status_due"),
            models.Index(
                fields=["response_due_at"],
                condition=models.Q(first_responded_at__isnull=True),
                name="ticket_awaiting_response",
            ),
            # The agents' views read open work only; closed history does not slow them down.
            models.Index(
                fields=["assignee", "-created_at"],
                condition=models.Q(status__in=["new", "assigned", "in_progress", "waiting"]),
                name="ticket_open_assignee",
            ),
            models.Index(
                fields=["queue", "-created_at"],
                condition=models.Q(status__in=["new", "assigned", "in_progress", "waiting"]),
                name="ticket_open_queue",
            ),
            *search_indexes("ticket"),
            models.Index(fields=["queue"], condition=models.Q(needs_follow_up=True), name="ticket_follow_up"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def search_parts(self):
        return [self.subject]

    def get_absolute_url(self):
        return reverse("service:ticket-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def status_badge(self) -> str:
        return self.STATUS_BADGES.get(self.status, "text-bg-primary")

    @property
    def priority_badge(self) -> str:
        return self.PRIORITY_BADGES.get(self.priority, "text-bg-light")

    @property
    def reply_email(self) -> str:
        if self.requester_email:
            return self.requester_email
        if self.contact_id and self.contact.email:
            return self.contact.email
        return self.customer.email


class TicketComment(models.Model):
    """A note on a ticket: internal (agents only) or public (the customer sees it and is e-mailed)."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Empty for an agent; the customer's name for a reply through the tracking page.
    customer_name = models.CharField(_("customer"), max_length=100, blank=True)
    body = models.TextField(_("comment"))
    is_public = models.BooleanField(_("visible to the customer"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket comment")
        verbose_name_plural = _("ticket comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketcomment_ticket")]

    def __str__(self):
        return self.body[:50]

    @property
    def from_customer(self) -> bool:
        return self.author_id is None


def attachment_path(instance, filename):
    return f"service/tickets/{instance.ticket_id}/{filename}"


class TicketAttachment(models.Model):
    """A file added to a ticket, checked for size and type on the way in."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        TicketComment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class TicketEvent(models.Model):
    """Every state change of a ticket, as data: created, assigned, status changed, escalated, followed up."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        ASSIGNED = "assigned", _("Assigned")
        STATUS = "status", _("Status changed")
        WARNED = "warned", _("SLA warning sent")
        ESCALATED = "escalated", _("Escalated")
        SURVEY = "survey", _("Satisfaction answered")
        FOLLOWED_UP = "followed_up", _("Followed up")
        UPDATED = "updated", _("Updated")

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Ticket.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Ticket.Status.choices, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticketevent_ticket")]

    def __str__(self):
        return f"{self.ticket_id} {self.kind}"


class SatisfactionSurvey(models.Model):
    """A customer's answer to the satisfaction survey (满意度调查) sent when a ticket was resolved."""

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="survey")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="service_surveys"
    )
    score = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    nps = models.PositiveSmallIntegerField(
        _("likelihood to recommend (0–10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    scope_parent = "ticket"

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="survey_score_range"),
            models.CheckConstraint(condition=models.Q(nps__lte=10), name="survey_nps_range"),
        ]
        indexes = [models.Index(fields=["answered_at"], name="survey_answered")]

    def __str__(self):
        return f"{self.ticket_id}: {self.score}"

    def get_absolute_url(self):
        return self.ticket.get_absolute_url()


class ArticleCategory(models.Model):
    """A heading of the knowledge base."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Article(TimeStampedModel):
    """A knowledge-base (FAQ) article, or a page of the CRM's own help when ``help_module`` is set."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        ArticleCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, help_text=_("Empty: every language.")
    )
    help_module = models.CharField(
        _("help for module"), max_length=32, blank=True, help_text=_("Set for a page of the CRM's own help.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["status", "help_module", "language"], name="article_status_help")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("service:article-detail", args=[self.pk])

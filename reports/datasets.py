"""The data sets: customers, contacts, communications, follow-up tasks and care actions; leads,
opportunities, orders and contracts (sales); tickets (service); event registrations (marketing).

Sales amounts are also offered converted to the base currency in SQL (``in_base_currency``), so sums,
averages and statistics over deals in several currencies add like with like.
"""

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Now, Round
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from customers.models import CareAction, CarePlan, Communication, Contact, Customer, FollowUpTask
from marketing.models import Registration
from sales.models import Contract, Currency, Lead, Opportunity, Order
from sales.money import rates_on
from service.models import Ticket

from .registry import Dataset, Field, Measure, register_dataset


def _communications_per_customer():
    count = (
        Communication.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


class DaysSince(Func):
    """Whole and fractional days from a timestamp until now; NULL when the timestamp is NULL."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"
    output_field = FloatField()

    def __init__(self, expression, **extra):
        super().__init__(Now() - F(expression), **extra)


def _owner(path="owner", label=None):
    return Field(
        "owner",
        label or _("Owner"),
        path,
        kind="user",
        display_path=f"{path}__username",
        groupable=True,
        group_key=path,
    )


CUSTOMERS = register_dataset(
    Dataset(
        key="customers",
        label=_("Customers"),
        permission="customers.view_customer",
        queryset=lambda user: Customer.objects.visible_to(user),
        owner_path="owner",
        team_path="team",
        date_path="created_at",
        default_columns=("name", "lifecycle_stage", "level", "owner"),
        fields=(
            Field("name", _("Name"), "name"),
            Field("kind", _("Type"), "kind", kind="choice", choices=tuple(Customer.Kind.choices), groupable=True),
            Field("industry", _("Industry"), "industry", kind="choice", choices=tuple(Customer.Industry.choices),
                  groupable=True),
            Field("level", _("Level"), "level", kind="choice", choices=tuple(Customer.Level.choices), groupable=True),
            Field("source", _("Source"), "source", kind="choice", choices=tuple(Customer.Source.choices),
                  groupable=True),
            Field("lifecycle_stage", _("Lifecycle stage"), "lifecycle_stage", kind="choice",
                  choices=tuple(Customer.Lifecycle.choices), groupable=True),
            _owner(),
            Field("team", _("Team"), "team", kind="team", display_path="team__name", groupable=True, group_key="team"),
            Field("consent", _("Marketing consent"), "consent", kind="choice", choices=tuple(Customer.Consent.choices),
                  groupable=True),
            Field("quality_score", _("Data quality"), "quality_score", kind="number", groupable=True,
                  aggregatable=True),
            Field("churn_score", _("Churn risk"), "churn_score", kind="number", groupable=True, aggregatable=True),
            Field("created_at", _("Created at"), "created_at", kind="datetime", groupable=True),
            Field("last_contacted_at", _("Last contacted"), "last_contacted_at", kind="datetime", groupable=True),
        ),
        measures=(
            Measure("quality_score", _("Data quality score"), lambda: F("quality_score")),
            Measure("churn_score", _("Churn risk score"), lambda: F("churn_score")),
            Measure("communications", _("Communications per customer"), _communications_per_customer),
            Measure("days_since_contact", _("Days since last contact"), lambda: DaysSince("last_contacted_at")),
        ),
    )
)  # fmt: skip

CONTACTS = register_dataset(
    Dataset(
        key="contacts",
        label=_("Contacts"),
        permission="customers.view_contact",
        queryset=lambda user: Contact.objects.visible_to(user),
        owner_path="customer__owner",
        team_path="customer__team",
        date_path="created_at",
        default_columns=("name", "customer", "title"),
        fields=(
            Field("name", _("Name"), "name"),
            Field("customer", _("Customer"), "customer__name"),
            Field("title", _("Job title"), "title", groupable=True),
            Field("is_primary", _("Primary contact"), "is_primary", kind="bool", groupable=True),
            Field("birthday", _("Birthday"), "birthday", kind="date", groupable=True),
            _owner("customer__owner", _("Customer owner")),
            Field("customer_level", _("Customer level"), "customer__level", kind="choice",
                  choices=tuple(Customer.Level.choices), groupable=True),
            Field("created_at", _("Created at"), "created_at", kind="datetime", groupable=True),
        ),
    )
)  # fmt: skip

COMMUNICATIONS = register_dataset(
    Dataset(
        key="communications",
        label=_("Communications"),
        permission="customers.view_communication",
        queryset=lambda user: Communication.objects.visible_to(user),
        owner_path="owner",
        team_path="customer__team",
        date_path="occurred_at",
        default_columns=("occurred_at", "customer", "channel", "subject", "owner"),
        fields=(
            Field("occurred_at", _("When"), "occurred_at", kind="datetime", groupable=True),
            Field("customer", _("Customer"), "customer__name"),
            Field("channel", _("Channel"), "channel", kind="choice", choices=tuple(Communication.Channel.choices),
                  groupable=True),
            Field("subject", _("Subject"), "subject"),
            Field("result", _("Result"), "result"),
            _owner("owner", _("Recorded by")),
            Field("customer_lifecycle", _("Customer lifecycle stage"), "customer__lifecycle_stage", kind="choice",
                  choices=tuple(Customer.Lifecycle.choices), groupable=True),
            Field("next_follow_up", _("Next follow-up date"), "next_follow_up", kind="date", groupable=True),
        ),
    )
)  # fmt: skip

FOLLOW_UP_TASKS = register_dataset(
    Dataset(
        key="follow_up_tasks",
        label=_("Follow-up tasks"),
        permission="customers.view_followuptask",
        queryset=lambda user: FollowUpTask.objects.visible_to(user),
        owner_path="assignee",
        team_path="customer__team",
        date_path="due_at",
        default_columns=("title", "customer", "due_at", "status", "assignee"),
        fields=(
            Field("title", _("What"), "title"),
            Field("customer", _("Customer"), "customer__name"),
            Field("due_at", _("Due"), "due_at", kind="datetime", groupable=True),
            Field("status", _("Status"), "status", kind="choice", choices=tuple(FollowUpTask.Status.choices),
                  groupable=True),
            _owner("assignee", _("Assignee")),
            Field("completed_at", _("Completed at"), "completed_at", kind="datetime", groupable=True),
        ),
    )
)  # fmt: skip

CARE_ACTIONS = register_dataset(
    Dataset(
        key="care_actions",
        label=_("Care actions"),
        permission="customers.view_careaction",
        queryset=lambda user: CareAction.objects.visible_to(user),
        owner_path="assignee",
        team_path="customer__team",
        date_path="due_on",
        default_columns=("due_on", "customer", "channel", "status", "assignee"),
        fields=(
            Field("due_on", _("Due on"), "due_on", kind="date", groupable=True),
            Field("customer", _("Customer"), "customer__name"),
            Field("occasion", _("Occasion"), "occasion", kind="choice", choices=tuple(CarePlan.Occasion.choices),
                  groupable=True),
            Field("channel", _("Channel"), "channel", kind="choice", choices=tuple(CarePlan.Channel.choices),
                  groupable=True),
            Field("status", _("Status"), "status", kind="choice", choices=tuple(CareAction.Status.choices),
                  groupable=True),
            _owner("assignee", _("Assignee")),
            Field("done_at", _("Done at"), "done_at", kind="datetime", groupable=True),
        ),
    )
)  # fmt: skip


# ------------------------------------------------------------------- sales, marketing and service


def rates_for(user):
    """Today's exchange rates, read once per request (every sales panel and data set converts with them)."""
    memo = user.__dict__ if user is not None else {}
    if "_report_rates" not in memo:
        memo["_report_rates"] = rates_on()
    return memo["_report_rates"]


def in_base_currency(amount_path: str, rates, currency_path: str = "currency", *, exact=False):
    """``amount`` converted to the base currency in SQL at ``rates``, rounded half-up to the cent per row
    (as sales.money does); NULL for a currency without a rate, so sums leave it out rather than count it
    at face value; the panels say how many rows were left out. ``exact``: not rounded, for the report
    builder's sums and averages (rounded once; reports/rollups.py)."""
    whens = [When(**{currency_path: rates.base}, then=F(amount_path))]
    whens += [
        When(
            **{currency_path: code},
            then=F(amount_path) * Value(rate) if exact else Round(F(amount_path) * Value(rate), 2),
        )
        for code, rate in sorted(rates.rates.items())
        if code != rates.base
    ]
    return Case(*whens, default=None, output_field=DecimalField(max_digits=18, decimal_places=2))


class Hours(Func):
    """Hours between two timestamps; NULL while the later one is NULL."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"
    output_field = FloatField()

    def __init__(self, later, earlier, **extra):
        super().__init__(F(later) - F(earlier), **extra)


class Days(Hours):
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"


def _base_label(label):
    return format_lazy("{} ({})", label, _("base currency"))


def _opportunities(user):
    rates = rates_for(user)
    return Opportunity.objects.visible_to(user).annotate(
        amount_base=in_base_currency("amount", rates), amount_base_exact=in_base_currency("amount", rates, exact=True)
    )


def _orders(user):
    rates = rates_for(user)
    return Order.objects.visible_to(user).annotate(
        total_base=in_base_currency("total", rates), total_base_exact=in_base_currency("total", rates, exact=True)
    )


def _contracts(user):
    rates = rates_for(user)
    return Contract.objects.visible_to(user).annotate(
        amount_base=in_base_currency("amount", rates), amount_base_exact=in_base_currency("amount", rates, exact=True)
    )


def _team(path="team"):
    return Field("team", _("Team"), path, kind="team", display_path=f"{path}__name", groupable=True, group_key=path)


def _currency():
    return Field("currency", _("Currency"), "currency", kind="choice", choices=tuple(Currency.choices), groupable=True)


LEADS = register_dataset(
    Dataset(
        key="leads",
        label=_("Leads"),
        permission="sales.view_lead",
        queryset=lambda user: Lead.objects.visible_to(user),
        owner_path="owner",
        team_path="team",
        date_path="created_at",
        default_columns=("name", "company", "status", "source", "owner"),
        fields=(
            Field("name", _("Contact name"), "name"),
            Field("company", _("Company"), "company"),
            Field("status", _("Status"), "status", kind="choice", choices=tuple(Lead.Status.choices), groupable=True),
            Field("source", _("Source"), "source", groupable=True),
            Field("campaign", _("Campaign"), "campaign__name", groupable=True, group_key="campaign"),
            _owner(),
            _team(),
            Field("created_at", _("Created at"), "created_at", kind="datetime", groupable=True),
            Field("converted_at", _("Converted at"), "converted_at", kind="datetime", groupable=True),
        ),
        measures=(
            Measure("days_to_convert", _("Days from lead to conversion"), lambda: Days("converted_at", "created_at")),
        ),
    )
)  # fmt: skip

OPPORTUNITIES = register_dataset(
    Dataset(
        key="opportunities",
        label=_("Opportunities"),
        permission="sales.view_opportunity",
        queryset=_opportunities,
        owner_path="owner",
        team_path="team",
        date_path="created_at",
        default_columns=("name", "customer", "stage", "amount_base", "owner"),
        fields=(
            Field("name", _("Name"), "name"),
            Field("customer", _("Customer"), "customer__name"),
            Field("pipeline", _("Pipeline"), "pipeline__name", groupable=True, group_key="pipeline"),
            Field("stage", _("Stage"), "stage__name", groupable=True, group_key="stage"),
            Field("status", _("Status"), "status", kind="choice", choices=tuple(Opportunity.Status.choices),
                  groupable=True),
            Field("amount", _("Amount (own currency)"), "amount", kind="number", aggregatable=True, unit="money"),
            _currency(),
            Field("amount_base", _base_label(_("Amount")), "amount_base", kind="number", aggregatable=True,
                  unit="base", sum_path="amount_base_exact"),
            Field("probability", _("Probability (%)"), "stage__probability", kind="number", groupable=True,
                  aggregatable=True, group_key="stage"),
            Field("expected_close_date", _("Expected close date"), "expected_close_date", kind="date",
                  groupable=True),
            Field("closed_at", _("Closed at"), "closed_at", kind="datetime", groupable=True),
            Field("campaign", _("Campaign"), "campaign__name", groupable=True, group_key="campaign"),
            _owner(),
            _team(),
            Field("created_at", _("Created at"), "created_at", kind="datetime", groupable=True),
        ),
        measures=(
            Measure("amount_base", _base_label(_("Opportunity amount")), lambda: F("amount_base")),
            Measure("probability", _("Probability (%)"), lambda: F("stage__probability")),
            Measure("days_to_close", _("Days to close"), lambda: Days("closed_at", "created_at")),
        ),
    )
)  # fmt: skip

ORDERS = register_dataset(
    Dataset(
        key="orders",
        label=_("Orders"),
        permission="sales.view_order",
        queryset=_orders,
        owner_path="owner",
        team_path="team",
        date_path="ordered_on",
        default_columns=("number", "customer", "ordered_on", "status", "total_base"),
        fields=(
            Field("number", _("Number"), "number"),
            Field("customer", _("Customer"), "customer__name"),
            Field("status", _("Status"), "status", kind="choice", choices=tuple(Order.Status.choices), groupable=True),
            Field("ordered_on", _("Order date"), "ordered_on", kind="date", groupable=True),
            _currency(),
            Field("total", _("Total (own currency)"), "total", kind="number", aggregatable=True, unit="money"),
            Field("total_base", _base_label(_("Total")), "total_base", kind="number", aggregatable=True, unit="base",
                  sum_path="total_base_exact"),
            _owner(),
            _team(),
        ),
        measures=(
            Measure("total_base", _base_label(_("Order total")), lambda: F("total_base")),
            Measure("discount_total", _("Discount (own currency)"), lambda: F("discount_total")),
        ),
    )
)  # fmt: skip

CONTRACTS = register_dataset(
    Dataset(
        key="contracts",
        label=_("Contracts"),
        permission="sales.view_contract",
        queryset=_contracts,
        owner_path="owner",
        team_path="team",
        date_path="start_date",
        default_columns=("number", "title", "customer", "status", "amount_base", "end_date"),
        fields=(
            Field("number", _("Number"), "number"),
            Field("title", _("Title"), "title"),
            Field("customer", _("Customer"), "customer__name"),
            Field("status", _("Status"), "status", kind="choice", choices=tuple(Contract.Status.choices),
                  groupable=True),
            Field("start_date", _("Start date"), "start_date", kind="date", groupable=True),
            Field("end_date", _("End date"), "end_date", kind="date", groupable=True),
            _currency(),
            Field("amount", _("Amount (own currency)"), "amount", kind="number", aggregatable=True, unit="money"),
            Field("amount_base", _base_label(_("Amount")), "amount_base", kind="number", aggregatable=True,
                  unit="base", sum_path="amount_base_exact"),
            _owner(),
            _team(),
        ),
        measures=(Measure("amount_base", _base_label(_("Contract amount")), lambda: F("amount_base")),),
    )
)  # fmt: skip

TICKETS = register_dataset(
    Dataset(
        key="tickets",
        label=_("Tickets"),
        permission="service.view_ticket",
        queryset=lambda user: Ticket.objects.visible_to(user),
        owner_path="assignee",
        team_path="queue__team",
        date_path="created_at",
        default_columns=("subject", "customer", "type", "priority", "status", "assignee"),
        fields=(
            Field("subject", _("Subject"), "subject"),
            Field("customer", _("Customer"), "customer__name"),
            Field("type", _("Type"), "type", kind="choice", choices=tuple(Ticket.Type.choices), groupable=True),
            Field("channel", _("Channel"), "channel", kind="choice", choices=tuple(Ticket.Channel.choices),
                  groupable=True),
            Field("priority", _("Priority"), "priority", kind="choice", choices=tuple(Ticket.Priority.choices),
                  groupable=True),
            Field("status", _("Status"), "status", kind="choice", choices=tuple(Ticket.Status.choices),
                  groupable=True),
            Field("queue", _("Queue"), "queue__name", groupable=True, group_key="queue"),
            _owner("assignee", _("Assignee")),
            Field("response_breached", _("First response overdue"), "response_breached", kind="bool",
                  groupable=True),
            Field("resolution_breached", _("Resolution overdue"), "resolution_breached", kind="bool",
                  groupable=True),
            Field("created_at", _("Created at"), "created_at", kind="datetime", groupable=True),
            Field("resolved_at", _("Resolved at"), "resolved_at", kind="datetime", groupable=True),
        ),
        measures=(
            Measure("first_response_hours", _("First response (hours)"),
                    lambda: Hours("first_responded_at", "created_at")),
            Measure("resolution_hours", _("Resolution (hours)"), lambda: Hours("resolved_at", "created_at")),
        ),
    )
)  # fmt: skip

REGISTRATIONS = register_dataset(
    Dataset(
        key="registrations",
        label=_("Event registrations"),
        permission="marketing.view_registration",
        queryset=lambda user: Registration.objects.visible_to(user),
        owner_path="event__campaign__owner",
        team_path="event__campaign__team",
        date_path="registered_at",
        default_columns=("name", "company", "event", "status", "registered_at"),
        fields=(
            Field("name", _("Name"), "name"),
            Field("company", _("Company"), "company"),
            Field("event", _("Event"), "event__theme", groupable=True, group_key="event"),
            Field("campaign", _("Campaign"), "event__campaign__name", groupable=True, group_key="event__campaign"),
            Field("status", _("Status"), "status", kind="choice", choices=tuple(Registration.Status.choices),
                  groupable=True),
            Field("registered_at", _("Registered at"), "registered_at", kind="datetime", groupable=True),
            Field("checked_in_at", _("Checked in at"), "checked_in_at", kind="datetime", groupable=True),
        ),
        measures=(
            Measure("hours_to_event", _("Hours from registration to event start"),
                    lambda: Hours("event__starts_at", "registered_at")),
        ),
    )
)  # fmt: skip

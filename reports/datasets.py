"""Today's data sets: customers, contacts, communications, follow-up tasks and care actions.

Sales, marketing and service add theirs here (leads, opportunities, orders, contracts, campaigns,
registrations, tickets, surveys) with one ``register_dataset`` call each, when their models land.
"""

from django.db.models import Count, F, FloatField, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Now
from django.utils.translation import gettext_lazy as _

from customers.models import CareAction, CarePlan, Communication, Contact, Customer, FollowUpTask

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
    return Field("owner", label or _("Owner"), path, kind="user", display_path=f"{path}__username", groupable=True)


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
            Field("team", _("Team"), "team", kind="team", display_path="team__name", groupable=True),
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

"""Summary tables behind the heaviest dashboard panels: rebuilt by Celery beat, read with the record scope.

At a million opportunities, customers, leads, tickets and communications the live grouped scans cost more than
the dashboard's budget (bench/README.md). Each summary is keyed by the owner and team columns its module's scope
reads, so the record scope (own, team, all) applies to it exactly. Opportunities and leads have no per-user
shares; tickets are also visible to their queue's agents and manager, so the ticket summary keeps the queue;
customers and communications visible only through a shared customer are added from the live tables.

A rebuild is one ``INSERT … SELECT … GROUP BY`` per summary after emptying it, in one transaction under an
advisory lock: readers see the old figures until it commits, and two rebuilds never interleave. Figures
equal the live ones as of the rebuild, and the panels say when that was.

A summary is read only when it has been rebuilt at least once and the request runs in the site's time
zone (the days are local days of ``TIME_ZONE``); otherwise the panels query the live tables.
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from crm.scope import Module, is_active_actor, narrow, scope_condition, sees_all
from customers.models import Communication, Customer
from customers.services.quality import QUALITY_BUCKETS
from sales.models import Lead, Opportunity
from sales.money import rates_on
from service.models import Queue

from .datasets import in_base_currency
from .models import (
    CommunicationDailySummary,
    CustomerSummary,
    LeadDailySummary,
    SalesDailySummary,
    SalesPipelineSummary,
    SummaryRefresh,
    TicketDailySummary,
)

SALES = "sales"
# Its own refresh stamp: a database that had the sales summaries before the lead summary existed must not read
# an empty lead summary as "no leads" until the next rebuild.
LEADS = "leads"
TICKETS = "tickets"
COMMUNICATIONS = "communications"
# The funnel's "qualified leads": qualified, or qualified and then converted.
LEAD_QUALIFIED = [Lead.Status.QUALIFIED, Lead.Status.CONVERTED]
CUSTOMERS = "customers"
# Any constant distinct from other advisory locks of the project: serialises concurrent rebuilds.
LOCK_KEY = 7_270_001


def _pipeline_select(rates):
    query = (
        Opportunity.objects.filter(status=Opportunity.Status.OPEN)
        .annotate(base=in_base_currency("amount", rates))
        .order_by()
        .values("stage_id", "owner_id", "team_id")
        .annotate(deals=Count("pk"), amount=Sum("base"), unconverted=Count("pk", filter=Q(base__isnull=True)))
    )
    return query.query.sql_with_params()


DAILY_SQL = """
INSERT INTO reports_salesdailysummary (day, owner_id, team_id, currency, created, won, decided, won_amount)
SELECT day, owner_id, team_id, currency, SUM(created), SUM(won), SUM(decided), SUM(won_amount)
FROM (
    SELECT (created_at AT TIME ZONE %(zone)s)::date AS day, owner_id, team_id, currency,
           1 AS created, 0 AS won, 0 AS decided, NULL::numeric AS won_amount
    FROM sales_opportunity
    UNION ALL
    SELECT (closed_at AT TIME ZONE %(zone)s)::date, owner_id, team_id, currency,
           0, (status = %(won)s)::int, 1, CASE WHEN status = %(won)s THEN amount END
    FROM sales_opportunity
    WHERE status IN (%(won)s, %(lost)s) AND closed_at IS NOT NULL
) AS events
GROUP BY day, owner_id, team_id, currency
"""

LEAD_SQL = """
INSERT INTO reports_leaddailysummary (day, owner_id, team_id, source, leads, qualified)
SELECT (created_at AT TIME ZONE %(zone)s)::date AS day, owner_id, team_id, source,
       COUNT(*), COUNT(*) FILTER (WHERE status = ANY(%(qualified)s))
FROM sales_lead
GROUP BY 1, owner_id, team_id, source
"""


@transaction.atomic
def sales_summaries_refresh():
    """Rebuild the sales summaries from the live opportunities and leads; idempotent. Returns the rows written."""

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        # DELETE, not TRUNCATE: TRUNCATE's exclusive lock would make readers wait for the rebuild.
        SalesPipelineSummary.objects.all().delete()
        SalesDailySummary.objects.all().delete()
        select, params = _pipeline_select(rates_on())
        cursor.execute(
            f"INSERT INTO {SalesPipelineSummary._meta.db_table} "
            f"(stage_id, owner_id, team_id, deals, amount_base, unconverted) {select}",
            params,
        )
        written = cursor.rowcount
        cursor.execute(
            DAILY_SQL,
            {"zone": settings.TIME_ZONE, "won": Opportunity.Status.WON, "lost": Opportunity.Status.LOST},
        )
        written += cursor.rowcount
        LeadDailySummary.objects.all().delete()
        cursor.execute(LEAD_SQL, {"zone": settings.TIME_ZONE, "qualified": [str(s) for s in LEAD_QUALIFIED]})
        written += cursor.rowcount
    now = timezone.now()
    SummaryRefresh.objects.update_or_create(name=SALES, defaults={"refreshed_at": now})
    SummaryRefresh.objects.update_or_create(name=LEADS, defaults={"refreshed_at": now})
    # The service panels' summary rides on the same beat entry (and on the benchmark's rebuild).
    return written + ticket_summaries_refresh()


CUSTOMER_SQL = """
INSERT INTO reports_customersummary (facet, day, owner_id, team_id, lifecycle_stage, source, quality_low, customers)
SELECT CASE WHEN GROUPING(source) = 0 THEN 'source' WHEN GROUPING(day) = 0 THEN 'growth' ELSE 'quality' END,
       day, owner_id, team_id, lifecycle_stage, source, quality_low, COUNT(*)
FROM (
    SELECT (created_at AT TIME ZONE %(zone)s)::date AS day, owner_id, team_id, lifecycle_stage, source,
           {bucket} AS quality_low
    FROM customers_customer
) AS customers
GROUP BY GROUPING SETS (
    (day, owner_id, team_id, lifecycle_stage),
    (day, owner_id, team_id, source),
    (owner_id, team_id, lifecycle_stage, quality_low)
)
"""


def _bucket_sql():
    whens = " ".join(f"WHEN quality_score BETWEEN {low} AND {high} THEN {low}" for low, high in QUALITY_BUCKETS)
    return f"CASE {whens} END"


@transaction.atomic
def customer_summaries_refresh():
    """Rebuild the customer summary from the live customers; idempotent. Returns the rows written."""
    written = _rebuild(CUSTOMERS, LOCK_KEY + 1, CustomerSummary, CUSTOMER_SQL.format(bucket=_bucket_sql()))
    # The communications panel's summary rides on the same beat entry (and on the benchmark's rebuild).
    return written + communication_summaries_refresh()


TICKET_SQL = """
INSERT INTO reports_ticketdailysummary (day, owner_id, team_id, queue_id, type, tickets, responded,
                                        responded_in_time, resolved, resolved_in_time)
SELECT (t.created_at AT TIME ZONE %(zone)s)::date, t.assignee_id, q.team_id, t.queue_id, t.type, COUNT(*),
       COUNT(*) FILTER (WHERE t.first_responded_at IS NOT NULL AND t.response_due_at IS NOT NULL),
       COUNT(*) FILTER (WHERE t.first_responded_at <= t.response_due_at),
       COUNT(*) FILTER (WHERE t.resolved_at IS NOT NULL AND t.resolution_due_at IS NOT NULL),
       COUNT(*) FILTER (WHERE t.resolved_at <= t.resolution_due_at)
FROM service_ticket t JOIN service_queue q ON q.id = t.queue_id
GROUP BY 1, t.assignee_id, q.team_id, t.queue_id, t.type
"""


@transaction.atomic
def ticket_summaries_refresh():
    """Rebuild the ticket summary from the live tickets; idempotent. Returns the rows written."""
    return _rebuild(TICKETS, LOCK_KEY + 2, TicketDailySummary, TICKET_SQL)


COMMUNICATION_SQL = """
INSERT INTO reports_communicationdailysummary (day, owner_id, team_id, recorded_by_id, channel, communications)
SELECT (occurred_at AT TIME ZONE %(zone)s)::date, customer_owner_id, customer_team_id, owner_id, channel, COUNT(*)
FROM customers_communication
GROUP BY 1, customer_owner_id, customer_team_id, owner_id, channel
"""


@transaction.atomic
def communication_summaries_refresh():
    """Rebuild the communication summary from the live records; idempotent. Returns the rows written."""
    return _rebuild(COMMUNICATIONS, LOCK_KEY + 3, CommunicationDailySummary, COMMUNICATION_SQL)


def _rebuild(name, lock, model, sql):
    """Replace ``model``'s rows by ``sql``'s (grouped in the site's time zone) under advisory lock ``lock`` and
    stamp summary ``name``; the caller's transaction makes it all or nothing. Returns the rows written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
        # DELETE, not TRUNCATE: TRUNCATE's exclusive lock would make readers wait for the rebuild.
        model.objects.all().delete()
        cursor.execute(sql, {"zone": settings.TIME_ZONE})
        written = cursor.rowcount
    SummaryRefresh.objects.update_or_create(name=name, defaults={"refreshed_at": timezone.now()})
    return written


# ------------------------------------------------------------------------------------------ reading


def refreshed_at(user, name):
    """When summary ``name`` was rebuilt, if the panels may read it for this request; else None.

    Read once per request (kept on the user object, as the other per-request facts)."""
    memo = user.__dict__.setdefault("_report_summaries", {})
    if name not in memo:
        refreshed = None
        if timezone.get_current_timezone_name() == settings.TIME_ZONE:
            refreshed = SummaryRefresh.objects.filter(name=name).values_list("refreshed_at", flat=True).first()
        memo[name] = refreshed
    return memo[name]


def sales_refreshed_at(user):
    return refreshed_at(user, SALES)


def scoped(queryset, user, filters, module=Module.SALES):
    """The summary rows the user's scope covers, narrowed by the dashboard's owner and team filters:
    the same conditions as ``visible_to`` on the owner and team columns."""
    queryset = narrow(queryset, user, module, owner="owner_id", team="team_id")
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.team:
        queryset = queryset.filter(team_id=filters.team)
    return queryset


def daily(user, filters):
    return scoped(SalesDailySummary.objects.all(), user, filters).filter(day__gte=filters.start, day__lte=filters.end)


def leads(user, filters):
    """The lead summary's rows of the period in the user's sales scope; leads have no per-user shares, so
    nothing the user sees is missing from them."""
    return scoped(LeadDailySummary.objects.all(), user, filters).filter(day__gte=filters.start, day__lte=filters.end)


def tickets(user, filters):
    """The ticket summary's rows of the period the user sees: the service scope on assignee and the queue's
    team, or a queue the user works in or manages (as ``Ticket.objects.visible_to``); tickets have no per-user
    shares."""
    queryset = TicketDailySummary.objects.filter(day__gte=filters.start, day__lte=filters.end)
    if not is_active_actor(user):
        return queryset.none()
    condition = scope_condition(user, Module.SERVICE, owner="owner_id", team="team_id")
    if condition is not None:
        queues = Queue.objects.filter(Q(members=user) | Q(manager=user)).values("pk")
        queryset = queryset.filter(condition | Q(queue_id__in=queues))
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.team:
        queryset = queryset.filter(team_id=filters.team)
    return queryset


def communications(user, filters):
    """The communication summary's rows of the period in the user's customer scope; the dashboard's owner filter
    is who recorded them and its team filter the customer's team, as on the live records."""
    queryset = narrow(CommunicationDailySummary.objects.all(), user, Module.CUSTOMERS, owner="owner_id", team="team_id")
    if filters.owner:
        queryset = queryset.filter(recorded_by_id=filters.owner)
    if filters.team:
        queryset = queryset.filter(team_id=filters.team)
    return queryset.filter(day__gte=filters.start, day__lte=filters.end)


def communications_shared_only(user):
    """The live communications the user sees only through a customer shared with them (the summary, keyed by
    the customer's owner and team, cannot hold them); the caller narrows them by the dashboard filters."""
    if not is_active_actor(user) or sees_all(user, Module.CUSTOMERS):
        return Communication.objects.none()
    condition = scope_condition(user, Module.CUSTOMERS, owner="customer_owner_id", team="customer_team_id")
    through = Customer._meta.get_field(Customer.scope_shared_field).remote_field.through
    shared = through.objects.filter(user=user).values("customer")
    return Communication.objects.filter(customer__in=shared).exclude(condition)


def pipeline(user, filters):
    return scoped(SalesPipelineSummary.objects.all(), user, filters)


def customers(user, filters, facet):
    queryset = scoped(CustomerSummary.objects.filter(facet=facet), user, filters, Module.CUSTOMERS)
    if facet != CustomerSummary.Facet.QUALITY:
        queryset = queryset.filter(day__gte=filters.start, day__lte=filters.end)
    return queryset


def customers_shared_only(user, filters):
    """The live customers the user sees only because they were shared with them: the summary, keyed by
    owner and team, cannot hold them, so the panels add their (few) figures to the summary's."""
    if not is_active_actor(user) or sees_all(user, Module.CUSTOMERS):
        return Customer.objects.none()
    condition = scope_condition(user, Module.CUSTOMERS, owner="owner_id", team="team_id")
    through = Customer._meta.get_field(Customer.scope_shared_field).remote_field.through
    queryset = Customer.objects.filter(pk__in=through.objects.filter(user=user).values("customer")).exclude(condition)
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.team:
        queryset = queryset.filter(team_id=filters.team)
    return queryset


def as_of(title, refreshed):
    """The panel's title, saying when the figures were summarised."""
    stamp = date_format(timezone.localtime(refreshed), get_format("SHORT_DATETIME_FORMAT"))
    return format_lazy("{} — {}", title, _("as of %(time)s") % {"time": stamp})

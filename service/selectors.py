"""Reads of tickets, surveys and articles for a user. Every ticket query starts from the record scope."""

from datetime import datetime, timedelta
from itertools import chain

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Q, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crm.links import LinkPurpose, read_or_404
from crm.pagination import capped_count_key
from customers.models import Customer
from customers.search import customer_search

from .filters import TicketFilter
from .models import Article, Queue, SatisfactionSurvey, Ticket, TicketAttachment, TicketComment
from .services.sla import RUNNING

# "Breaching soon": a deadline within this many hours.
SOON = timedelta(hours=4)

VIEWS = ["mine", "queues", "soon", "overdue", "follow_up", "all"]


def _view_condition(*, user, view: str, now) -> Q:
    awaiting_response = Q(status__in=RUNNING, first_responded_at__isnull=True)
    running = Q(status__in=RUNNING, sla_paused_at__isnull=True)
    conditions = {
        "mine": Q(assignee=user, status__in=Ticket.OPEN_STATUSES),
        # A subquery, not a join: joined agents would multiply the rows the view counts aggregate over.
        "queues": Q(queue__in=Queue.objects.filter(members=user).values("pk"), status__in=Ticket.OPEN_STATUSES),
        "soon": (awaiting_response & Q(response_due_at__gt=now, response_due_at__lte=now + SOON))
        | (running & Q(resolution_due_at__gt=now, resolution_due_at__lte=now + SOON)),
        "overdue": (awaiting_response & Q(response_due_at__lte=now)) | (running & Q(resolution_due_at__lte=now)),
        "follow_up": Q(needs_follow_up=True),
    }
    return conditions.get(view, Q())


def ticket_view_queryset(*, user, view: str, now=None):
    """The tickets of one of the agent's views, within the record scope."""
    condition = _view_condition(user=user, view=view, now=now or timezone.now())
    return Ticket.objects.visible_to(user).filter(condition)


def ticket_list(*, user, data=None):
    """A filter set over one of the views; ``.qs`` loads customer, queue and assignee in the same query."""

    data = data or {}
    view = data.get("view") if data.get("view") in VIEWS else "mine"
    queryset = ticket_view_queryset(user=user, view=view).select_related("customer", "queue", "assignee")
    return TicketFilter(data or None, queryset=queryset), view


COUNTED_VIEWS = ["mine", "queues", "soon", "overdue", "follow_up"]
MOMENT = "now"


def ticket_view_counts(*, user) -> dict:
    """How many tickets each view holds, each counted up to ``LIST_COUNT_LIMIT`` + 1, in one query.

    Each view is its own capped subquery that reads only open or flagged tickets through its index, so the
    cost grows with the work at hand, not with the history of closed tickets. A view that holds more than the cap is
    not counted again for ``LIST_COUNT_CACHE_SECONDS``, as a list's capped count (crm.pagination): at 1,000,000
    tickets the views past the cap read 10,001 rows each, some 24 ms on every page of the list (bench/README.md). A
    count under the cap is always read afresh.
    """
    now = timezone.now()
    limit = settings.LIST_COUNT_LIMIT
    seconds = settings.LIST_COUNT_CACHE_SECONDS
    queries, keys = {}, {}
    for view in COUNTED_VIEWS:
        capped = (
            ticket_view_queryset(user=user, view=view, now=now)
            .order_by()
            .annotate(counted_view=Value(view, output_field=CharField()))
            .values("counted_view")[: limit + 1]
        )
        queries[view] = sql, params = capped.query.sql_with_params()
        # "Breaching soon" and "overdue" are counted at this moment; whether they hold more than the cap is not.
        keys[view] = capped_count_key(
            capped.db, sql, [MOMENT if isinstance(param, datetime) else param for param in params]
        )
    known = cache.get_many(keys.values()) if seconds else {}
    counts = {view: limit + 1 if keys[view] in known else 0 for view in COUNTED_VIEWS}
    counted = [view for view in COUNTED_VIEWS if keys[view] not in known]
    if counted:
        union = " UNION ALL ".join(f"({queries[view][0]})" for view in counted)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT counted_view, count(*) FROM ({union}) AS counted GROUP BY counted_view",  # noqa: S608
                [param for view in counted for param in queries[view][1]],
            )
            counts.update(dict(cursor.fetchall()))
        over = {keys[view]: True for view in counted if counts[view] > limit}
        if seconds and over:
            cache.set_many(over, seconds)
    return counts


def ticket_get(*, user, pk) -> Ticket:
    """One ticket the user may see, or 404."""
    queryset = Ticket.objects.visible_to(user).select_related(
        "customer",
        "contact",
        "queue__manager",
        "queue__calendar",
        "assignee",
        "created_by",
        "sla_policy",
        "product",
        "order",
    )
    return get_object_or_404(queryset, pk=pk)


def ticket_timeline(*, ticket: Ticket, public_only: bool = False) -> list:
    """Comments and events of the ticket, oldest first, each tagged with ``entry_kind``; three queries."""
    comments = ticket_comments(ticket=ticket)
    if public_only:
        return [_tag(c, "comment") for c in comments.filter(is_public=True)]
    events = ticket.events.select_related("actor")
    entries = chain((_tag(c, "comment") for c in comments), (_tag(e, "event") for e in events))
    return sorted(entries, key=lambda e: (e.entry_at, e.entry_kind == "comment"))


def ticket_comments(*, ticket: Ticket):
    """The ticket's comments, oldest first, each with its author and attachments; two queries."""
    return TicketComment.objects.filter(ticket=ticket).select_related("author").prefetch_related("attachments")


def ticket_attachment(*, ticket: Ticket, pk) -> TicketAttachment:
    """A file of a ticket already read through the scope, or 404."""
    return get_object_or_404(TicketAttachment, ticket=ticket, pk=pk)


def _tag(item, kind):
    item.entry_kind = kind
    item.entry_at = item.created_at if kind == "comment" else item.at
    return item


def attachment_get(*, user, pk) -> TicketAttachment:
    return get_object_or_404(
        TicketAttachment.objects.filter(ticket__in=Ticket.objects.visible_to(user).values("pk")), pk=pk
    )


def assignable_agents(*, ticket: Ticket):
    return agents_of(queues=[ticket.queue_id])


def agents_of(*, queues):
    """Everyone who can take tickets of these queues: their agents and managers."""
    return (
        get_user_model()
        .objects.filter(Q(service_queues__in=queues) | Q(managed_queues__in=queues), is_active=True)
        .distinct()
        .order_by("username")
    )


def ticket_survey(*, ticket: Ticket):
    return SatisfactionSurvey.objects.filter(ticket=ticket).first()


def customers_to_pick(*, user, text: str, limit: int = 10):
    """Customers a new ticket can be opened for: the ones the user may see, found by name or phone."""
    if not text.strip():
        return Customer.objects.none()
    return customer_search(Customer.objects.visible_to(user), text).order_by("name", "pk")[:limit]


def customer_for_ticket(*, user, pk) -> Customer:
    return get_object_or_404(Customer.objects.visible_to(user).prefetch_related("contacts"), pk=pk)


def queues_for(*, user):
    """The queues a user files tickets into: their own first, then every other."""
    return Queue.objects.order_by("name")


# ---------------------------------------------------------------------------- public pages


def ticket_by_token(token: str, *, purpose: LinkPurpose) -> Ticket:
    """The ticket a signed link opens, or 404 when it was changed or has expired."""
    return get_object_or_404(
        Ticket.objects.select_related("customer", "contact", "queue"), pk=read_or_404(purpose, token)
    )


# ---------------------------------------------------------------------------- knowledge base


def article_list(*, user, text: str = "", category=None, include_drafts: bool = False, help_pages: bool = False):
    articles = Article.objects.select_related("category")
    articles = articles.exclude(help_module="") if help_pages else articles.filter(help_module="")
    if not include_drafts:
        articles = articles.filter(status=Article.Status.PUBLISHED)
    if category:
        articles = articles.filter(category_id=category)
    text = text.strip()
    if text:
        articles = articles.filter(Q(title__icontains=text) | Q(body__icontains=text))
    return articles


def article_choices(*, limit: int = 200):
    """Published FAQ articles a ticket can be linked to, by title."""
    return Article.objects.filter(status=Article.Status.PUBLISHED, help_module="").only("pk", "title")[:limit]


def article_get(*, user, pk, include_drafts: bool = False) -> Article:
    articles = Article.objects.select_related("category", "author")
    if not include_drafts:
        articles = articles.filter(status=Article.Status.PUBLISHED)
    return get_object_or_404(articles, pk=pk)


def help_articles(*, language: str):
    """The CRM's own help in the user's language (articles without a language count for every one)."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .exclude(help_module="")
        .filter(Q(language=language) | Q(language=""))
        .order_by("help_module", "title")
    )

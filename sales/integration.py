"""Where sales plugs into the apps to its left: the customer timeline, churn signals, RFM, campaign
effect and lead capture. Connected once from :meth:`sales.apps.SalesConfig.ready`."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.quicklinks import QuickLink, register_quick_link
from customers.services.privacy import customer_identifiers, erased_marker, register_personal_data_source
from customers.services.segments import customers_rfm_update, register_churn_signal
from customers.timeline import register_model_source
from marketing.effect import register_campaign_metrics
from marketing.signals import prospect_captured

from .api import register_webhooks
from .models import Contract, Lead, Opportunity, Order
from .money import rates_on, sum_by_currency
from .services.leads import lead_capture

COUNTED_ORDERS = [Order.Status.CONFIRMED, Order.Status.SHIPPED, Order.Status.COMPLETED]


# ---------------------------------------------------------------------------- marketing


def campaign_metrics(campaign_ids: list[int]) -> dict[int, dict]:
    """Leads, conversions, opportunities and won revenue (base currency) per campaign: two queries."""
    found: dict[int, dict] = {}
    leads = (
        Lead.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id")
        .annotate(leads=Count("pk"), conversions=Count("pk", filter=Q(status=Lead.Status.CONVERTED)))
    )
    for row in leads:
        found[row["campaign_id"]] = {
            "leads": row["leads"],
            "conversions": row["conversions"],
            "opportunities": 0,
            "won_revenue": Decimal("0"),
        }
    rates = rates_on()
    deals = (
        Opportunity.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id", "currency")
        .annotate(count=Count("pk"), won=Sum("amount", filter=Q(status=Opportunity.Status.WON)))
    )
    for row in deals:
        entry = found.setdefault(
            row["campaign_id"], {"leads": 0, "conversions": 0, "opportunities": 0, "won_revenue": Decimal("0")}
        )
        entry["opportunities"] += row["count"]
    for campaign_id, won in sum_by_currency(deals, rates, "campaign_id", amount="won").items():
        found[campaign_id]["won_revenue"] += won
    return found


def prospect_captured_receiver(sender, *, campaign, name="", company="", email="", phone="", source="",
                               actor=None, reference=None, **kwargs):  # fmt: skip
    return lead_capture(
        campaign=campaign, name=name, company=company, email=email, phone=phone, source=source, actor=actor,
        reference=reference,
    )  # fmt: skip


# ---------------------------------------------------------------------------- customers


def no_recent_purchase_signal(customer_ids: list[int], today) -> dict[int, list[tuple[str, int]]]:
    """Customers who bought before but not in the last 180 days."""
    cutoff = today - timedelta(days=180)
    rows = (
        Order.objects.filter(customer_id__in=customer_ids, status__in=COUNTED_ORDERS)
        .values("customer_id")
        .annotate(last=Max("ordered_on"))
        .filter(last__lt=cutoff)
        .values_list("customer_id", flat=True)
    )
    return {pk: [("no_recent_purchase", 25)] for pk in rows}


def falling_order_value_signal(customer_ids: list[int], today) -> dict[int, list[tuple[str, int]]]:
    """Customers whose last 180 days of orders are worth less than half the 180 days before."""
    recent_start, earlier_start = today - timedelta(days=180), today - timedelta(days=360)
    money = DecimalField(max_digits=16, decimal_places=2)
    rows = (
        Order.objects.filter(customer_id__in=customer_ids, status__in=COUNTED_ORDERS, ordered_on__gte=earlier_start)
        .values("customer_id")
        .annotate(
            recent=Coalesce(Sum("total", filter=Q(ordered_on__gte=recent_start)), Decimal(0), output_field=money),
            earlier=Coalesce(Sum("total", filter=Q(ordered_on__lt=recent_start)), Decimal(0), output_field=money),
        )
    )
    return {
        row["customer_id"]: [("falling_order_value", 20)]
        for row in rows
        if row["earlier"] > 0 and row["recent"] < row["earlier"] / 2
    }


def rfm_rows():
    """``(customer_id, last_order_date, order_count, monetary)`` for every customer with orders: one query."""
    return (
        Order.objects.filter(status__in=COUNTED_ORDERS)
        .values("customer_id")
        .annotate(last=Max("ordered_on"), count=Count("pk"), monetary=Sum("total"))
        .values_list("customer_id", "last", "count", "monetary")
        .iterator(chunk_size=5000)
    )


def rfm_update() -> int:
    return customers_rfm_update(rows=rfm_rows(), today=timezone.localdate())


def _leads_of(customer):
    """The customer's leads: converted into it, or carrying one of its e-mail addresses or phones."""
    emails, phones = customer_identifiers(customer)
    condition = Q(customer=customer)
    for email in emails:
        condition |= Q(email__iexact=email)
    if phones:
        condition |= Q(phone__in=phones)
    return Lead.objects.filter(condition)


def export_leads(customer) -> list:
    return list(_leads_of(customer).order_by("pk").values("name", "company", "title", "phone", "email", "notes",
                                                          "status", "created_at"))  # fmt: skip


def erase_leads(customer) -> None:
    _leads_of(customer).update(name=erased_marker(), title="", phone="", email="", notes="")


def register():
    register_webhooks()
    register_personal_data_source(
        "leads",
        export=export_leads,
        erase=erase_leads,
        fields={"sales.Lead": ("name", "title", "phone", "email", "notes")},
    )
    prospect_captured.connect(prospect_captured_receiver, dispatch_uid="sales.lead_from_prospect")
    register_campaign_metrics(campaign_metrics)
    register_churn_signal("sales.no_recent_purchase", no_recent_purchase_signal)
    register_churn_signal("sales.falling_order_value", falling_order_value_signal)
    register_quick_link(
        QuickLink(
            key="opportunity",
            label=_("New opportunity"),
            icon="bi-funnel",
            url=lambda customer: reverse("sales:opportunity-create") + f"?customer={customer.pk}",
            permission="sales.add_opportunity",
            open_label=_("Open opportunities"),
            view_permission="sales.view_opportunity",
            open_items=lambda customer, user: (
                Opportunity.objects.visible_to(user)
                .filter(customer=customer, status=Opportunity.Status.OPEN)
                .order_by("expected_close_date", "pk")
            ),
        )
    )
    sources = [
        ("opportunity", _("Opportunity"), "bi-funnel", Opportunity, "name", ("stage", "owner")),
        ("order", _("Order"), "bi-receipt", Order, "number", ("owner",)),
        ("contract", _("Contract"), "bi-file-earmark-text", Contract, "number", ("owner",)),
    ]
    for kind, label, icon, model, title, related in sources:
        register_model_source(
            model, kind=kind, label=label, icon=icon, at="created_at", title=title, related=related,
            template=f"sales/partials/timeline_{kind}.html",
        )  # fmt: skip

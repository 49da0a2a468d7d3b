"""The sales app's REST API (mounted under /api/v1/ by crm/api/urls.py) and its webhook events."""

from crm.api import webhooks

from ..models import Contract, Lead, Opportunity, Order
from .serializers import ContractSerializer, LeadSerializer, OpportunitySerializer, OrderSerializer


def _opportunity_events(entry, obj):
    """A move names the stages it went between and the status after it (sales/services/opportunities.py)."""
    if "stage" not in entry.detail:
        return []
    events = ["opportunity.stage_changed"]
    if entry.detail.get("status") in (Opportunity.Status.WON, Opportunity.Status.LOST):
        events.append(f"opportunity.{entry.detail['status']}")
    return events


def _order_events(entry, obj):
    return ["order.confirmed"] if entry.detail.get("status") == Order.Status.CONFIRMED else []


def register_webhooks():
    """The app's records as webhook events; called once by ``sales.integration.register()``."""
    webhooks.register(Lead, "lead", LeadSerializer)
    webhooks.register(
        Opportunity,
        "opportunity",
        OpportunitySerializer,
        _opportunity_events,
        ["opportunity.stage_changed", "opportunity.won", "opportunity.lost"],
    )
    webhooks.register(Order, "order", OrderSerializer, _order_events, ["order.confirmed"])
    webhooks.register(Contract, "contract", ContractSerializer)

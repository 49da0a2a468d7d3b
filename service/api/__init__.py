"""The service app's REST API (mounted under /api/v1/ by crm/api/urls.py) and its webhook events."""

from crm.api import webhooks

from ..models import Ticket
from .serializers import TicketSerializer


def _ticket_events(entry, obj):
    """A step along the workflow names the status it went to (service/services/tickets.py)."""
    detail = entry.detail or {}
    if "status" in detail.get("fields", ()) and detail.get("to") in Ticket.Status.values:
        return ["ticket.status_changed"]
    return []


def register_webhooks():
    """The app's records as webhook events; called once by ``service.integration.register()``."""
    webhooks.register(Ticket, "ticket", TicketSerializer, _ticket_events, ["ticket.status_changed"])

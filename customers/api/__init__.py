"""The customers app's REST API (mounted under /api/v1/ by crm/api/urls.py) and its webhook events."""

from crm.api import webhooks

from ..models import Contact, Customer
from .serializers import ContactSerializer, CustomerSerializer


def register_webhooks():
    """The app's records as webhook events; called once by ``customers.integration.register()``."""
    webhooks.register(Customer, "customer", CustomerSerializer)
    webhooks.register(Contact, "contact", ContactSerializer)

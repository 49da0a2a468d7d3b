"""The customers app's REST API (mounted under /api/v1/ by crm/api/urls.py) and its webhook events."""

from crm.api import webhooks

from ..models import Contact, Customer
from .serializers import ContactSerializer, CustomerSerializer

webhooks.register(Customer, "customer", CustomerSerializer)
webhooks.register(Contact, "contact", ContactSerializer)

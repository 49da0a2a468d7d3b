"""The marketing app's REST API (mounted under /api/v1/ by crm/api/urls.py) and its webhook events."""

from crm.api import webhooks

from ..models import Registration
from .serializers import RegistrationSerializer


def register_webhooks():
    """The app's records as webhook events; called once by ``marketing.integration.register()``."""
    webhooks.register(Registration, "registration", RegistrationSerializer)

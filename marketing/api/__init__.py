"""The marketing app's REST API (mounted under /api/v1/ by crm/api/urls.py) and its webhook events."""

from crm.api import webhooks

from ..models import Registration
from .serializers import RegistrationSerializer

webhooks.register(Registration, "registration", RegistrationSerializer)

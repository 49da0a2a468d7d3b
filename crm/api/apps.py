from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "crm.api"
    label = "api"
    verbose_name = _("API and webhooks")

    def ready(self):
        # Turns behaviour-log entries into webhook events; each app registers its records from its
        # ``<app>/integration.py:register()`` (``<app>/api/__init__.py:register_webhooks``).
        from . import webhooks  # noqa: F401

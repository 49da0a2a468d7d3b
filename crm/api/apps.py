from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "crm.api"
    label = "api"
    verbose_name = _("API and webhooks")

    def ready(self):
        from . import webhooks  # noqa: F401  (turns behaviour-log entries into webhook events)

        # Each app's ``<app>/api/`` package registers its records as webhook events.
        autodiscover_modules("api")

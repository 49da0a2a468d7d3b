from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # The declarations register themselves: data sets, dashboard panels and report templates.
        from . import datasets, domain_panels, domain_templates, panels, report_templates  # noqa: F401

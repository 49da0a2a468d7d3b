"""The reports app's entry point: its declarations (data sets, dashboard panels, report templates)
register themselves in ``reports/registry.py`` when their modules load. Connected once from
:meth:`reports.apps.ReportsConfig.ready`, as every app's ``integration.register()`` is."""

import importlib

DECLARATIONS = ["datasets", "panels", "domain_panels", "report_templates", "domain_templates"]


def register():
    for module in DECLARATIONS:
        importlib.import_module(f"reports.{module}")

"""The reports app's entry point: its declarations (data sets, dashboard panels, report templates)
register themselves in ``reports/registry.py`` when their modules load. Connected once from
:meth:`reports.apps.ReportsConfig.ready`, as every app's ``integration.register()`` is."""

import importlib

DOMAINS = ["customers", "sales", "marketing", "service"]
DECLARATIONS = [
    "datasets",
    *(f"panels.{domain}" for domain in DOMAINS),
    *(f"report_templates.{domain}" for domain in [*DOMAINS, "usage"]),
]


def register():
    for module in DECLARATIONS:
        importlib.import_module(f"reports.{module}")

"""The report templates, one module per domain: ``customers`` (customer analysis), ``sales``,
``marketing`` (campaign report), ``service`` and ``usage`` (system usage, from the behaviour log). Each
module registers its templates with ``registry.register_template`` when ``reports.integration.register()``
loads it."""

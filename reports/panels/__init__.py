"""The dashboard panels, one module per domain: ``customers`` (with the headline numbers above every
dashboard), ``sales``, ``marketing`` and ``service``; ``base`` holds what they are built from. Each module
registers its panels with ``registry.register_panel`` when ``reports.integration.register()`` loads it."""

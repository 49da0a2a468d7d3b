"""Load the demo data set: each app that has a ``demo`` module seeds its own part, left to right."""

import importlib
import inspect

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Create a believable demo data set (idempotent). --customers N adds N generated customers in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=0, help="Generated customers to add, in bulk.")
        parser.add_argument("--contacts-per-customer", type=int, default=2)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")

    def handle(self, *args, **options):
        # The demo's addresses are made up and its mail (survey links, confirmations) is for no one: keep it
        # off the console, where it would bury the demo logins, and away from a real mail server.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.seed(options)

    def seed(self, options):
        context = {"stdout": self.stdout, "style": self.style}
        for config in apps.get_app_configs():
            try:
                demo = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                demo.seed(context)
            volume = getattr(demo, "seed_volume", None)
            if volume is not None:
                wanted = set(inspect.signature(volume).parameters) - {"context"}
                volume(context, **{k: v for k, v in options.items() if k in wanted})

"""Text messages through a pluggable backend, named by the SMS_BACKEND setting.

The default writes each message to the log. A real provider is a class with ``send(to, text)``.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("crm.sms")


class LogBackend:
    def send(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


class MemoryBackend:
    """Keeps messages in ``MemoryBackend.outbox``, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.outbox.append((to, text))


def send_sms(to: str, text: str) -> None:
    backend = import_string(getattr(settings, "SMS_BACKEND", "crm.sms.LogBackend"))()
    backend.send(to, text)

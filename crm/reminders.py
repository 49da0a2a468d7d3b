"""Exactly-once reminders.

``send_once(key, send)`` records the key and runs ``send`` in one transaction. A second call with
the same key — a retried task, a restarted worker, a second beat tick — finds the key and sends
nothing. If ``send`` fails the record is rolled back, so the next run tries again.
"""

from django.db import connection, transaction

from .models import SentReminder


def send_once(key: str, send) -> bool:
    """Run ``send()`` unless a reminder with ``key`` went out before; True when it ran now."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # ON CONFLICT makes a concurrent second sender wait for the first and then do nothing.
            cursor.execute(
                f"INSERT INTO {SentReminder._meta.db_table} (key, sent_at) VALUES (%s, now()) "  # noqa: S608
                "ON CONFLICT (key) DO NOTHING RETURNING id",
                [key],
            )
            if cursor.fetchone() is None:
                return False
        send()
    return True

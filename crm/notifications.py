"""In-app notifications (the bell) and their e-mail copy: the one way any app tells a user something."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .i18n import for_reader
from .links import absolute
from .models import Notification


def notify(*, user, title, body="", url: str = "", email: bool = False) -> Notification:
    """Create a notification; with ``email=True`` also send it by e-mail once the transaction commits.

    Written in the reader's language: ``title`` and ``body`` are rendered inside
    :func:`crm.i18n.for_reader`. Pass a lazy string, or a callable returning the text when the text
    has to be formatted (``lambda: _("%(n)d rows") % {"n": n}``), so one call can tell several readers.
    """
    with for_reader(user):
        title, body = str(title() if callable(title) else title), str(body() if callable(body) else body)
    notification = Notification.objects.create(user=user, title=title[:200], body=body, url=url[:300])
    if email and user.email:
        link = f"\n\n{absolute(url)}" if url else ""

        def deliver():
            send_mail(title, f"{body}{link}", settings.DEFAULT_FROM_EMAIL, [user.email])

        if transaction.get_connection().in_atomic_block:
            # Inside a reminder's transaction the mail must go now, so a failure rolls the record back.
            deliver()
        else:
            transaction.on_commit(deliver)
    return notification


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(*, user):
    return Notification.objects.filter(user=user)


def notifications_mark_read(*, user, ids=None) -> int:
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())

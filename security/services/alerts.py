"""Security and operations alerts: a bell notification and an e-mail to every administrator, once each.

Each alert has a key naming what it is about and its time window (``crm.reminders.send_once``), so a
burst that keeps going, a retried task or two web processes seeing the same event raise it once.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from crm.models import BehaviourLog
from crm.notifications import notify
from crm.reminders import send_once


def administrators():
    User = get_user_model()
    return User.objects.filter(Q(is_superuser=True) | Q(groups__name=roles.ADMINISTRATOR), is_active=True).distinct()


def alert_administrators(*, key: str, title, body, url: str = "") -> bool:
    """Tell every administrator, in the app and by e-mail, unless an alert with ``key`` went out before.
    ``title`` and ``body`` are lazy strings or callables, rendered in each administrator's language."""

    def send():
        for admin in administrators():
            notify(user=admin, title=title, body=body, url=url, email=True)

    return send_once(f"security-alert:{key}", send)


# A wrong second-factor code is a failed sign-in too: someone has the password.
FAILED_SIGN_INS = (BehaviourLog.Action.LOGIN_FAILED, BehaviourLog.Action.TWO_FACTOR_FAILED)


def _window_start(now, minutes: int):
    """The start of the fixed window ``now`` falls in, so one burst maps to one alert key."""
    epoch = int(now.timestamp())
    return epoch - epoch % (minutes * 60)


def on_behaviour_logged(entry: BehaviourLog) -> None:
    """Looks at each new behaviour-log entry for the patterns worth an alert."""
    if entry.action in FAILED_SIGN_INS:
        _check_failed_login_burst(entry)
    elif entry.action == BehaviourLog.Action.EXPORT:
        _check_large_export(entry)
    elif entry.action == BehaviourLog.Action.DELETE:
        _check_delete_burst(entry)


def _recent(minutes: int):
    return BehaviourLog.objects.filter(at__gte=timezone.now() - timedelta(minutes=minutes))


def _check_failed_login_burst(entry: BehaviourLog) -> None:
    minutes, limit = settings.ALERT_WINDOW_MINUTES, settings.ALERT_FAILED_LOGINS
    for field, value in (("ip", entry.ip), ("username", entry.username)):
        if not value:
            continue
        count = _recent(minutes).filter(action__in=FAILED_SIGN_INS, **{field: value}).count()
        if count >= limit:
            _alert_burst(
                key=f"failed-logins:{field}:{value}",
                title=gettext_lazy("Burst of failed sign-ins"),
                body=lambda count=count, value=value: (
                    _("%(count)d failed sign-ins within %(minutes)d minutes for %(what)s.")
                    % {"count": count, "minutes": minutes, "what": value}
                ),
                query=f"action=login_failed&q={value}",
            )


def _check_large_export(entry: BehaviourLog) -> None:
    rows = int((entry.detail or {}).get("rows") or 0)
    if rows >= settings.ALERT_EXPORT_ROWS:
        alert_administrators(
            key=f"export:{entry.pk}",
            title=gettext_lazy("Large export"),
            body=lambda: (
                _("%(user)s exported %(rows)d rows of %(dataset)s.")
                % {"user": entry.username, "rows": rows, "dataset": (entry.detail or {}).get("dataset", entry.module)}
            ),
            url=reverse("security:behaviour-log") + f"?action=export&user={entry.user_id or ''}",
        )


def _check_delete_burst(entry: BehaviourLog) -> None:
    if entry.user_id is None:
        return
    minutes, limit = settings.ALERT_WINDOW_MINUTES, settings.ALERT_DELETES
    count = _recent(minutes).filter(action=BehaviourLog.Action.DELETE, user_id=entry.user_id).count()
    if count >= limit:
        _alert_burst(
            key=f"deletes:{entry.user_id}",
            title=gettext_lazy("Bulk deletion"),
            body=lambda: (
                _("%(user)s deleted %(count)d records within %(minutes)d minutes.")
                % {"user": entry.username, "count": count, "minutes": minutes}
            ),
            query=f"action=delete&user={entry.user_id}",
        )


def _alert_burst(*, key: str, title, body, query: str) -> None:
    """One alert per burst: the key carries the window the burst falls in."""
    window = _window_start(timezone.now(), settings.ALERT_WINDOW_MINUTES)
    url = f"{reverse('security:behaviour-log')}?{query}"
    alert_administrators(key=f"{key}:{window}", title=title, body=body, url=url)


def alert_backup_failed(*, backup) -> None:
    alert_administrators(
        key=f"backup-failed:{backup.pk}",
        title=gettext_lazy("Backup failed"),
        body=lambda: _("Backup %(name)s failed: %(error)s") % {"name": backup.name, "error": backup.error[:500]},
        url=reverse("security:backup-list"),
    )


def alert_backup_check_failed(*, backup) -> None:
    alert_administrators(
        key=f"backup-check:{backup.pk}",
        title=gettext_lazy("Backup restore check failed"),
        body=lambda: (
            _("Backup %(name)s could not be verified by a test restore: %(error)s")
            % {"name": backup.name, "error": str(backup.check_detail.get("error", ""))[:500]}
        ),
        url=reverse("security:backup-list"),
    )

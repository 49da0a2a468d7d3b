"""The time-zone choices people pick from: the common ones first, by a name they know, then all others."""

import zoneinfo
from datetime import datetime

from django.utils.translation import gettext_lazy as _

# The zones this CRM's users are most likely in, in the order offered.
COMMON_TIME_ZONES = [
    ("Asia/Shanghai", _("China (Beijing, Shanghai)")),
    ("Asia/Hong_Kong", _("Hong Kong")),
    ("Asia/Taipei", _("Taipei")),
    ("Asia/Singapore", _("Singapore")),
    ("Asia/Tokyo", _("Tokyo")),
    ("Asia/Seoul", _("Seoul")),
    ("Australia/Sydney", _("Sydney")),
    ("Europe/London", _("London")),
    ("Europe/Berlin", _("Berlin")),
    ("Europe/Paris", _("Paris")),
    ("America/New_York", _("New York")),
    ("America/Los_Angeles", _("Los Angeles")),
    ("UTC", _("Coordinated Universal Time (UTC)")),
]


def _offset(name: str, now: datetime) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def time_zone_choices(now: datetime | None = None) -> list:
    """Grouped choices for a select: "Common" with readable names, then every zone by its region and city."""
    now = now or datetime.now(zoneinfo.ZoneInfo("UTC"))
    common = [(name, f"({_offset(name, now)}) {label}") for name, label in COMMON_TIME_ZONES]
    known = {name for name, _label in COMMON_TIME_ZONES}
    others = sorted(zoneinfo.available_timezones() - known)
    rest = [(name, f"({_offset(name, now)}) {name.replace('_', ' ')}") for name in others]
    return [(_("Common time zones"), common), (_("All time zones"), rest)]

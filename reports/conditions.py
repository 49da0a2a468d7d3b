"""A filter of a report definition as a condition on rows: its value parsed as the field's type, then the lookup.

The builder checks definitions with :func:`parse_value` and runs them with :func:`filter_condition`; the rollups
(``reports.rollups``) apply the same conditions to their own columns.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils.translation import gettext as _

_LOOKUPS = {"eq": "exact", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte", "in": "in", "contains": "icontains"}


def parse_value(field, op, raw):
    """The filter value as the field's type; a ValueError names what was wrong."""
    if op == "isnull":
        if str(raw).lower() in ("1", "true", "yes", "on", ""):
            return True
        if str(raw).lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(_("Answer yes or no."))
    if op == "in":
        items = [part.strip() for part in str(raw).split(",") if part.strip()]
        if not items:
            raise ValueError(_("Give at least one value, separated by commas."))
        return [_parse_one(field, item) for item in items]
    return _parse_one(field, raw)


def _parse_one(field, raw):
    raw = "" if raw is None else str(raw).strip()
    kind = field.kind
    if kind == "choice":
        allowed = [value for value, _label in field.choices]
        if raw not in allowed:
            raise ValueError(_("Choose one of: %(values)s.") % {"values": ", ".join(allowed)})
        return raw
    if kind == "number":
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
    if kind in ("date", "datetime"):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind in ("user", "team"):
        if not raw.isdigit():
            raise ValueError(_("Enter an id."))
        return int(raw)
    if kind == "bool":
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(_("Answer yes or no."))
    if not raw:
        raise ValueError(_("Enter a value."))
    return raw[:200]


def filter_condition(dataset, item, column=None) -> Q:
    """The filter as a condition on the data set's rows, or (``column``) on a rollup's column of that field."""
    field = dataset.field(item["field"])
    op = item["op"]
    raw = item["value"]
    value = parse_value(field, op, ",".join(str(v) for v in raw) if isinstance(raw, list) else raw)
    field_path = column or field.path
    if op == "isnull":
        # Empty text and choices are stored as "", not NULL.
        if field.kind in ("text", "choice"):
            condition = Q(**{field_path: ""}) | Q(**{f"{field_path}__isnull": True})
        else:
            condition = Q(**{f"{field_path}__isnull": True})
        return condition if value else ~condition
    path = field_path
    if field.kind == "datetime":
        path = f"{path}__date"
    if op == "ne":
        return ~Q(**{path: value}) | Q(**{f"{field_path}__isnull": True})
    return Q(**{f"{path}__{_LOOKUPS[op]}": value})

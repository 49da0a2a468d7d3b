"""The custom report builder's engine: a definition checked against the data-set whitelist, then run
with the ORM on the user's scoped queryset. Nothing the user sends becomes SQL text.

A definition is a dict::

    {"columns": ["name", "owner"],
     "filters": [{"field": "lifecycle_stage", "op": "eq", "value": "vip"}],
     "group_by": [{"field": "created_at", "trunc": "month"}],
     "aggregates": [{"func": "count"}, {"func": "avg", "field": "quality_score"}],
     "chart": "bar"}

With ``group_by`` (or only aggregates) the result has one row per group; otherwise it lists rows with
the chosen columns, at most ``REPORT_MAX_ROWS``.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Max, Min, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import team_label

from . import rollups
from .conditions import filter_condition, parse_value
from .registry import AGGREGATES, MAX_GROUPS, TRUNCATIONS, Dataset
from .tables import Chart, Series, Table

CHARTS = ("table", "bar", "line", "pie")
OPERATOR_LABELS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "lt": gettext_lazy("less than"),
    "lte": gettext_lazy("at most"),
    "gt": gettext_lazy("greater than"),
    "gte": gettext_lazy("at least"),
    "in": gettext_lazy("is one of"),
    "contains": gettext_lazy("contains"),
    "isnull": gettext_lazy("is empty"),
}
AGGREGATE_LABELS = {
    "count": gettext_lazy("Count"),
    "sum": gettext_lazy("Sum"),
    "avg": gettext_lazy("Average"),
    "min": gettext_lazy("Minimum"),
    "max": gettext_lazy("Maximum"),
}
TRUNCATION_LABELS = {"day": gettext_lazy("by day"), "week": gettext_lazy("by week"), "month": gettext_lazy("by month")}
_AGGREGATE_FUNCS = {"sum": Sum, "avg": Avg, "min": Min, "max": Max}
_TRUNC_FUNCS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def max_rows() -> int:
    return getattr(settings, "REPORT_MAX_ROWS", 5000)


def validate(dataset: Dataset, definition: dict) -> dict:
    """The definition reduced to whitelisted, typed parts; ValidationError naming each bad part."""
    if not isinstance(definition, dict):
        raise ValidationError(_("The report definition is not valid."))
    errors: dict[str, list] = {}

    def rejecter(part):
        return lambda message: errors.setdefault(part, []).append(message)

    clean = {
        "columns": _clean_columns(dataset, definition.get("columns") or [], rejecter("columns")),
        "filters": _clean_filters(dataset, definition.get("filters") or [], rejecter("filters")),
        "group_by": _clean_group_by(dataset, definition.get("group_by") or [], rejecter("group_by")),
        "aggregates": _clean_aggregates(dataset, definition.get("aggregates") or [], rejecter("aggregates")),
        "chart": _clean_chart(definition.get("chart") or "table", rejecter("chart")),
    }
    _apply_defaults(dataset, clean)
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_columns(dataset, keys, reject) -> list:
    """The listed columns the data set shows, each once."""
    columns = []
    for key in keys:
        field = dataset.field(str(key))
        if field is None or not field.column:
            reject(_("“%(field)s” is not a column of %(dataset)s.") % {"field": key, "dataset": dataset.label})
        elif key not in columns:
            columns.append(key)
    return columns


def _clean_filters(dataset, items, reject) -> list:
    """Each filter on a filterable field with one of its operators and a value of its type."""
    filters = []
    for item in items:
        item = item if isinstance(item, dict) else {}
        key, op = str(item.get("field", "")), str(item.get("op", "eq"))
        field = dataset.field(key)
        if field is None or not field.filterable:
            reject(_("“%(field)s” cannot be filtered in %(dataset)s.") % {"field": key, "dataset": dataset.label})
            continue
        if op not in field.operators:
            reject(_("“%(op)s” is not an operator for %(field)s.") % {"op": op, "field": field.label})
            continue
        raw = item.get("value", "")
        if isinstance(raw, list):  # a definition saved before: "in" values are stored as a list
            raw = ",".join(str(v) for v in raw)
        try:
            value = parse_value(field, op, raw)
        except ValueError as error:
            reject(f"{field.label}: {error}")
            continue
        filters.append({"field": key, "op": op, "value": _jsonable(value)})
    return filters


def _clean_group_by(dataset, items, reject) -> list:
    """At most two groupable fields; dates truncated to a day, week or month (a month unless said)."""
    group_by = []
    for item in items:
        item = item if isinstance(item, dict) else {"field": item}
        key, trunc = str(item.get("field", "")), item.get("trunc") or ""
        field = dataset.field(key)
        if field is None or not field.groupable:
            reject(_("%(dataset)s cannot be grouped by “%(field)s”.") % {"field": key, "dataset": dataset.label})
            continue
        if field.kind in ("date", "datetime"):
            trunc = trunc or "month"
            if trunc not in TRUNCATIONS:
                reject(_("Group dates by day, week or month."))
                continue
        elif trunc:
            reject(_("Only dates can be grouped by day, week or month."))
            continue
        group_by.append({"field": key, "trunc": trunc})
    if len(group_by) > 2:
        reject(_("Group by at most two fields."))
    return group_by


def _clean_aggregates(dataset, items, reject) -> list:
    """A count, or a known aggregate of a field the data set lets be summed or averaged."""
    aggregates = []
    for item in items:
        item = item if isinstance(item, dict) else {}
        func, key = str(item.get("func", "")), str(item.get("field") or "")
        if func not in AGGREGATES:
            reject(_("“%(func)s” is not an aggregate.") % {"func": func})
            continue
        if func == "count":
            aggregates.append({"func": "count", "field": ""})
            continue
        field = dataset.field(key)
        if field is None or not field.aggregatable:
            reject(
                _("“%(field)s” cannot be summed or averaged in %(dataset)s.") % {"field": key, "dataset": dataset.label}
            )
            continue
        aggregates.append({"func": func, "field": key})
    return aggregates


def _clean_chart(chart, reject) -> str:
    if chart not in CHARTS:
        reject(_("Choose a table, bar, line or pie chart."))
        return "table"
    return chart


def _apply_defaults(dataset, clean) -> None:
    """A grouped report without aggregates counts its groups; an empty one lists the default columns."""
    if clean["group_by"] and not clean["aggregates"]:
        clean["aggregates"] = [{"func": "count", "field": ""}]
    if not clean["group_by"] and not clean["aggregates"] and not clean["columns"]:
        clean["columns"] = list(dataset.default_columns)


def _jsonable(value):
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    return value


def aggregate_label(dataset, item) -> str:
    if item["func"] == "count":
        return str(AGGREGATE_LABELS["count"])
    return f"{AGGREGATE_LABELS[item['func']]} · {dataset.field(item['field']).label}"


def aggregate_unit(dataset, item) -> str:
    """How an aggregate column reads: a count, an amount in the base currency, or a plain number."""
    if item["func"] == "count":
        return "count"
    unit = dataset.field(item["field"]).unit
    if unit == "base":
        return settings.BASE_CURRENCY
    return unit or "number"


def group_label(dataset, item) -> str:
    field = dataset.field(item["field"])
    if item.get("trunc"):
        return f"{field.label} ({TRUNCATION_LABELS[item['trunc']]})"
    return str(field.label)


def run(dataset: Dataset, definition: dict, *, user, queryset=None, title="") -> tuple[Table, Chart | None]:
    """Compute a report for ``user``: a table and, for a grouped report with a chart, its chart.

    ``queryset`` lets a caller narrow further (the dashboard filters); it must already be scoped.
    """
    definition = validate(dataset, definition)
    qs = queryset if queryset is not None else dataset.queryset(user)
    for item in definition["filters"]:
        qs = qs.filter(filter_condition(dataset, item))
    aggregates = {}
    for index, item in enumerate(definition["aggregates"]):
        if item["func"] == "count":
            aggregates[f"a{index}"] = Count("pk")
        else:
            aggregates[f"a{index}"] = _AGGREGATE_FUNCS[item["func"]](_aggregated_path(dataset, item))
    agg_headers = [aggregate_label(dataset, item) for item in definition["aggregates"]]

    if definition["group_by"]:
        # The groups from a rollup kept by the database when it holds them (reports/rollups.py), else live.
        rollup = rollups.reader(dataset, definition, user) if queryset is None else None
        keyed = _run_grouped_by_key(dataset, definition, qs, agg_headers, title, rollup)
        if keyed is not None:
            return keyed
        annotations = {
            f"g{index}": _group_expression(dataset.field(item["field"]), item["trunc"])
            for index, item in enumerate(definition["group_by"])
        }
        group_keys = list(annotations)
        raw = rollup.final_rows() if rollup else None
        if raw is None:
            rows_qs = qs.order_by().annotate(**annotations).values(*group_keys).annotate(**aggregates)
            raw = list(rows_qs.order_by(*group_keys)[:MAX_GROUPS])
        fields = [dataset.field(item["field"]) for item in definition["group_by"]]
        raw.sort(key=lambda row: tuple(_choice_rank(f, row[f"g{i}"]) for i, f in enumerate(fields)))
        rows = []
        for row in raw:
            cells = []
            for index, item in enumerate(definition["group_by"]):
                cells.append(_group_cell(dataset.field(item["field"]), row[f"g{index}"], item["trunc"]))
            cells += [_number(row[f"a{i}"]) for i in range(len(aggregates))]
            rows.append(cells)
        return _grouped_table(dataset, definition, rows, agg_headers, title)

    if definition["aggregates"]:
        values = qs.aggregate(**aggregates)
        table = Table(
            title=title or dataset.label,
            headers=agg_headers,
            rows=[[_number(values[f"a{i}"]) for i in range(len(aggregates))]],
            units=[aggregate_unit(dataset, item) for item in definition["aggregates"]],
        )
        return table, None

    fields = [dataset.field(key) for key in definition["columns"]]
    limit = max_rows()
    raw = list(qs.values_list(*[f.shown_path for f in fields])[:limit])
    rows = [[_cell(field, value) for field, value in zip(fields, row, strict=True)] for row in raw]
    note = _("Showing the first %(limit)s rows.") % {"limit": limit} if len(raw) >= limit else ""
    return Table(title=title or dataset.label, headers=[str(f.label) for f in fields], rows=rows, note=note), None


def _relation(model, field):
    """``(related model, attribute)`` of a field declared with a ``group_key``; otherwise ``None``."""
    key = field.group_key
    if not key or not field.shown_path.startswith(f"{key}__"):
        return None
    for hop in key.split("__"):
        relation = model._meta.get_field(hop)
        if not (relation.many_to_one or relation.one_to_one) or relation.auto_created:
            return None
        model = relation.related_model
    return model, field.shown_path[len(key) + 2 :]


def _aggregated_path(dataset, item):
    """What a sum, average, minimum or maximum reads: a converted amount is summed and averaged unrounded."""
    field = dataset.field(item["field"])
    return (field.sum_path or field.path) if item["func"] in ("sum", "avg") else field.path


def _run_grouped_by_key(dataset, definition, qs, agg_headers, title, rollup=None):
    """A grouped report whose groups include a field declared with a ``group_key`` (stage, owner, team,
    campaign …), grouped on that foreign key and named afterwards.

    Grouping a million rows on a joined text column costs the join and the hashing of every name;
    grouping on the key column is a third cheaper. The names are then read for the few keys found, and
    groups whose records share a name (stages called the same in two pipelines) are merged, so the table
    is the one the names alone would give. ``None`` (and the caller groups by name) when no group is
    such a name.
    """
    groups = []  # per group: (field, trunc, (related model, attribute) or None)
    for item in definition["group_by"]:
        field = dataset.field(item["field"])
        relation = None if item["trunc"] else _relation(qs.model, field)
        groups.append((field, item["trunc"], relation))
    if not any(relation for _field, _trunc, relation in groups):
        return None

    partials, parts = _partial_aggregates(dataset, definition)
    raw = rollup.partial_rows(_key_group_order(groups)) if rollup else None
    if raw is None:
        raw = _key_group_rows(qs, groups, partials)
    names, ranks = [], []
    for index, (field, _trunc, relation) in enumerate(groups):
        values = [row[f"g{index}"] for row in raw]
        by_id, order = _key_names(field, relation, values) if relation else (None, _plain_ranks(field, values))
        names.append(by_id)
        ranks.append(order)
    merged = _merge_by_name(raw, names, parts)

    def position(key):
        # NULL groups last, as the database orders them.
        return tuple(
            (value is None, ranks[index].get(value, 0) if value is not None else 0) for index, value in enumerate(key)
        )

    rows = []
    for key in sorted(merged, key=position):
        cells = [_group_cell(field, value, trunc) for (field, trunc, _relation), value in zip(groups, key, strict=True)]
        rows.append(cells + _merged_aggregates(merged[key], parts))
    return _grouped_table(dataset, definition, rows, agg_headers, title)


def _partial_aggregates(dataset, definition):
    """Per aggregate, the partial results that merge across groups of one name (an average as its sum
    and count), and the list of aggregate functions in order."""
    partials, parts = {}, []
    for index, item in enumerate(definition["aggregates"]):
        func = item["func"]
        path = "pk" if func == "count" else _aggregated_path(dataset, item)
        if func == "count":
            partials[f"a{index}"] = Count(path)
        elif func == "avg":
            partials[f"a{index}"], partials[f"a{index}n"] = Sum(path), Count(path)
        else:
            partials[f"a{index}"] = _AGGREGATE_FUNCS[func](path)
        parts.append(func)
    return partials, parts


def _key_group_rows(qs, groups, partials) -> list:
    """At most ``MAX_GROUPS`` rows, grouped on the keys of the named groups and the values of the rest."""
    annotations = {
        f"g{index}": F(field.group_key) if relation else _group_expression(field, trunc)
        for index, (field, trunc, relation) in enumerate(groups)
    }
    keys = list(annotations)
    grouped = qs.order_by().annotate(**annotations).values(*keys).annotate(**partials)
    return list(grouped.order_by(*_key_group_order(groups))[:MAX_GROUPS])


def _key_group_order(groups) -> list:
    """Ordered by the groups that are not names, so their order is the database's (its collation for text);
    then by key, so that a report of more than MAX_GROUPS groups always shows the same ones."""
    keys = [f"g{index}" for index in range(len(groups))]
    plain = [key for key, (_f, _t, relation) in zip(keys, groups, strict=True) if not relation]
    return plain + [key for key in keys if key not in plain]


def _plain_ranks(field, values) -> dict:
    """The order of a group that is not a name: choices as declared, anything else as the database gave it."""
    positions = {}
    for value in values:
        positions.setdefault(value, len(positions))
    if field.kind == "choice":
        positions = {value: _choice_rank(field, value) for value in positions}
    return positions


def _key_names(field, relation, keys):
    """``(name by key, rank by name)`` for the keys found of a named group."""
    model, attribute = relation
    ids = set(keys) - {None}
    # In the records' own order (stages along their pipeline, pipelines default first); by name where
    # the model has none. People by their full names, as everywhere else.
    ordering = [*((field.kind != "number" and model._meta.ordering) or [attribute]), "pk"]
    records = list(model._base_manager.filter(pk__in=ids).order_by(*ordering))
    if field.kind == "user":
        found = [(record.pk, str(record)) for record in records]
    else:
        found = [(record.pk, _attribute(record, attribute)) for record in records]
    order = {}
    for _pk, name in found:
        order.setdefault(name, len(order))
    return dict(found), order


def _merge_by_name(raw, names, parts) -> dict:
    """The rows keyed by their groups' names, rows of one name combined."""
    merged: dict[tuple, dict] = {}
    for row in raw:
        key = tuple(
            by_id.get(row[f"g{index}"]) if by_id is not None else row[f"g{index}"] for index, by_id in enumerate(names)
        )
        into = merged.get(key)
        if into is None:
            merged[key] = dict(row)
            continue
        for index, func in enumerate(parts):
            name = f"a{index}"
            into[name] = _combine(func, into[name], row[name])
            if func == "avg":
                into[f"{name}n"] += row[f"{name}n"]
    return merged


def _merged_aggregates(row, parts) -> list:
    """The aggregate cells of a merged row; an average divided out of its sum and count."""
    cells = []
    for index, func in enumerate(parts):
        value = row[f"a{index}"]
        if func == "avg":
            count = row[f"a{index}n"]
            value = (value if isinstance(value, Decimal) else Decimal(str(value))) / count if count else None
        cells.append(_number(value))
    return cells


def _choice_rank(field, value):
    """Where a group's value sits: a choice in the order the choices are declared (a pipeline's
    statuses, lifecycle stages), anything else as the database sorted it; empty last."""
    if field.kind != "choice":
        return (value is None, 0)
    values = [choice for choice, _label in field.choices]
    return (value in (None, ""), values.index(value) if value in values else len(values))


def _attribute(record, path):
    for part in path.split("__"):
        record = getattr(record, part, None) if record is not None else None
    return record


def _group_expression(field, trunc):
    """What a group is in SQL: the date truncated in the user's time zone, or the value shown."""
    if trunc:
        tz = timezone.get_current_timezone() if field.kind == "datetime" else None
        return _TRUNC_FUNCS[trunc](field.path, tzinfo=tz)
    return _display(field)


def _grouped_table(dataset, definition, rows, agg_headers, title):
    headers = [group_label(dataset, item) for item in definition["group_by"]] + agg_headers
    units = [""] * len(definition["group_by"]) + [aggregate_unit(dataset, item) for item in definition["aggregates"]]
    table = Table(title=title or dataset.label, headers=headers, rows=rows, units=units)
    return table, _chart(definition, table, title or dataset.label)


def _combine(func, first, second):
    if first is None:
        return second
    if second is None:
        return first
    if func == "min":
        return min(first, second)
    if func == "max":
        return max(first, second)
    return first + second  # count, sum, and the sum half of an average


def _display(field):
    return F(field.shown_path)


def _group_cell(field, value, trunc):
    if trunc:
        if value is None:
            return ""
        day = value.date() if isinstance(value, datetime.datetime) else value
        if trunc == "month":
            return day.strftime("%Y-%m")
        if trunc == "week":
            year, week, _weekday = day.isocalendar()
            return f"{year}-W{week:02d}"
        return day.isoformat()
    return _cell(field, value)


def _cell(field, value):
    if field.kind == "choice":
        return field.choice_label(value)
    if field.kind == "team" and isinstance(value, str):
        return team_label(value)
    if field.kind == "bool":
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    return value


def _number(value):
    if isinstance(value, float):
        return round(Decimal(str(value)), 2)
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value if value is not None else 0


def _chart(definition, table, title):
    chart = definition["chart"]
    if chart == "table" or not table.rows:
        return None
    kind = {"pie": "doughnut"}.get(chart, chart)
    group_count = len(definition["group_by"])
    if group_count == 1:
        labels = [row[0] for row in table.rows]
        series = [
            Series(label=table.headers[1 + i], values=[row[1 + i] for row in table.rows])
            for i in range(len(table.headers) - 1)
        ]
        return Chart(title=title, kind=kind, labels=labels, series=series)
    # Two groups: the first along the axis, one series per value of the second, first aggregate as value.
    labels = list(dict.fromkeys(row[0] for row in table.rows))
    seconds = list(dict.fromkeys(row[1] for row in table.rows))
    lookup = {(row[0], row[1]): row[2] for row in table.rows}
    series = [Series(label=second, values=[lookup.get((label, second), 0) for label in labels]) for second in seconds]
    return Chart(title=title, kind=kind, labels=labels, series=series, stacked=kind == "bar")

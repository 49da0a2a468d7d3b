"""The declarations every report is built from: data sets (with their whitelists), dashboard panels and
report templates.

A data set says which model it reads, how to scope it to a user, and which of its fields may be shown as
columns, filtered (with which operators), grouped (dates by day, week or month) and aggregated. The
custom report builder, the statistics page and the exports accept nothing that is not declared here,
so a user can never reach a field, a table or a row the declaration does not open.

Each is declared in a module of its own that registers it when ``reports.integration.register()`` loads
it: data sets in ``reports/datasets.py``, panels in ``reports/panels/<domain>.py``, report templates in
``reports/report_templates/<domain>.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Which operators each kind of field accepts, in the order the builder offers them.
OPERATORS_BY_KIND = {
    "text": ("eq", "ne", "contains", "isnull"),
    "choice": ("eq", "ne", "in", "isnull"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte", "isnull"),
    "date": ("eq", "lt", "lte", "gt", "gte", "isnull"),
    "datetime": ("eq", "lt", "lte", "gt", "gte", "isnull"),
    "user": ("eq", "ne", "in", "isnull"),
    "team": ("eq", "ne", "in", "isnull"),
    "bool": ("eq",),
}
TRUNCATIONS = ("day", "week", "month")
AGGREGATES = ("count", "sum", "avg", "min", "max")
# A grouped report shows at most this many groups (the builder live, the rollups from their tables).
MAX_GROUPS = 1000


@dataclass(frozen=True)
class Field:
    """One whitelisted field of a data set.

    ``path`` is the ORM path used to filter (a foreign key's id for ``user``/``team``); ``display_path``
    what a column or a group shows (``owner__username``). ``aggregatable`` fields are numbers that sum,
    average, min and max make sense for. ``group_key`` names the foreign key a grouped report groups on
    when the field shows an attribute of a table with few rows (``stage`` for ``stage__name``): cheaper
    than grouping on the joined name; never set it for a large table such as customers.
    """

    key: str
    label: Any
    path: str
    kind: str = "text"
    display_path: str = ""
    choices: tuple = ()
    column: bool = True
    filterable: bool = True
    groupable: bool = False
    aggregatable: bool = False
    group_key: str = ""
    # How its sums read: "base" an amount in the base currency, "money" amounts in their own currencies.
    unit: str = ""
    # What sum and average add up when not ``path`` itself: an amount converted to the base currency is shown
    # rounded to the cent per row, but summed unrounded and rounded once (reports/rollups.py says why).
    sum_path: str = ""

    @property
    def shown_path(self) -> str:
        return self.display_path or self.path

    @property
    def operators(self) -> tuple:
        return OPERATORS_BY_KIND[self.kind] if self.filterable else ()

    def choice_label(self, value) -> str:
        for choice_value, label in self.choices:
            if choice_value == value:
                return str(label)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class Measure:
    """A numeric value per row for the statistics page: ``expression()`` returns an ORM expression."""

    key: str
    label: Any
    expression: Callable[[], Any]


@dataclass(frozen=True)
class Dataset:
    """A model opened to reports.

    ``queryset(user)`` must start from ``Model.objects.visible_to(user)``. ``owner_path``, ``team_path``
    and ``date_path`` let the dashboard filters (owner, team, period) apply to it.
    """

    key: str
    label: Any
    permission: str
    queryset: Callable[[Any], Any]
    fields: tuple[Field, ...]
    measures: tuple[Measure, ...] = ()
    owner_path: str = ""
    team_path: str = ""
    date_path: str = ""
    default_columns: tuple[str, ...] = ()
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._index.update({f.key: f for f in self.fields})

    def field(self, key: str) -> Field | None:
        return self._index.get(key)

    def measure(self, key: str) -> Measure | None:
        return next((m for m in self.measures if m.key == key), None)

    def columns(self):
        return [f for f in self.fields if f.column]

    def filterable(self):
        return [f for f in self.fields if f.filterable]

    def groupable(self):
        return [f for f in self.fields if f.groupable]

    def aggregatable(self):
        return [f for f in self.fields if f.aggregatable]

    def available_to(self, user) -> bool:
        return user.has_perm(self.permission)


@dataclass(frozen=True)
class Panel:
    """A dashboard chart. ``compute(user, filters)`` returns a :class:`reports.tables.Chart`.

    ``section`` groups panels into the role dashboards (customers, sales, marketing, service); a user
    sees the panels whose ``permission`` they hold. ``big_screen`` panels also show in big-screen mode.
    """

    key: str
    title: Any
    section: str
    permission: str
    compute: Callable[[Any, Any], Any]
    chart: str = "bar"
    big_screen: bool = True
    order: int = 100


@dataclass(frozen=True)
class ReportTemplate:
    """A fixed report a role opens with one click: ``build(user, filters)`` returns a list of
    :class:`reports.tables.Table`; the user needs every one of ``permissions``."""

    key: str
    title: Any
    description: Any
    permissions: tuple
    build: Callable[[Any, Any], Any]
    # The customer analysis describes the customer base as it is now: its page offers no period.
    uses_period: bool = True


_DATASETS: dict[str, Dataset] = {}
_PANELS: dict[str, Panel] = {}
_TEMPLATES: dict[str, ReportTemplate] = {}


def register_dataset(dataset: Dataset) -> Dataset:
    _DATASETS[dataset.key] = dataset
    return dataset


def register_panel(panel: Panel) -> Panel:
    _PANELS[panel.key] = panel
    return panel


def register_template(template: ReportTemplate) -> ReportTemplate:
    _TEMPLATES[template.key] = template
    return template


def dataset_get(key: str) -> Dataset | None:
    return _DATASETS.get(key)


def datasets_for(user) -> list[Dataset]:
    return [d for d in _DATASETS.values() if d.available_to(user)]


def panels_for(user, *, big_screen=False) -> list[Panel]:
    panels = [p for p in _PANELS.values() if user.has_perm(p.permission) and (p.big_screen or not big_screen)]
    return sorted(panels, key=lambda p: (p.order, p.key))


def template_get(key: str) -> ReportTemplate | None:
    return _TEMPLATES.get(key)


def templates_for(user) -> list[ReportTemplate]:
    return [t for t in _TEMPLATES.values() if user.has_perms(t.permissions)]

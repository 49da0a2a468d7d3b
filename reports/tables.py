"""What every report produces: charts and tables, in a shape the pages, exports and e-mails all read."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format


def format_number(value, unit="") -> str:
    """A figure as people read it: thousands grouped in the active language's way, amounts with two
    decimals and their currency ("1,234,567.00 CNY"), counts as whole numbers."""
    if value is None:
        return "—"  # no figure (an average of nothing), not the word None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if unit == "count" or (isinstance(value, int) and unit in ("", "number")):
        return number_format(value, decimal_pos=0, force_grouping=True)
    text = number_format(Decimal(str(value)).quantize(Decimal("0.01")), decimal_pos=2, force_grouping=True)
    return f"{text} {unit}" if unit not in ("", "number", "money") else text


def blank_if_none(value):
    """A table cell for a figure that may be missing (an average of nothing): empty, not the word None."""
    return "" if value is None else value


@dataclass
class Table:
    """A titled table of already-aggregated rows (cells are plain values: str, int, Decimal, date).

    ``units`` (one per column, or empty) say how a column's numbers read: "count", "number" or a
    currency code; the page and the PDF format them, the spreadsheet keeps the numbers.
    """

    title: Any
    headers: list
    rows: list[list]
    note: Any = ""
    units: list = field(default_factory=list)

    def frozen(self) -> "Table":
        """A copy with translated text made plain strings, safe to cache."""
        return Table(title=str(self.title), headers=[str(h) for h in self.headers], rows=self.rows,
                     note=str(self.note), units=list(self.units))  # fmt: skip

    def display_rows(self) -> list[list]:
        """The rows with their numbers formatted (as the page and the PDF show them)."""
        units = self.units or [""] * len(self.headers)
        return [
            [format_number(value, unit) if unit else value for value, unit in zip(row, units, strict=False)]
            for row in self.rows
        ]

    def numeric_columns(self) -> list[bool]:
        return [bool(unit) for unit in (self.units or [""] * len(self.headers))]


@dataclass
class Series:
    label: Any
    values: list
    # One link per value (or None): the filtered list behind that bar.
    links: list = field(default_factory=list)
    # "y1" draws the series against a second axis on the right: a percentage or a score beside amounts or
    # counts never shares one scale with them. ``kind`` draws this series differently ("line" over bars).
    axis: str = "y"
    kind: str = ""


@dataclass
class Chart:
    """Chart data for Chart.js, also readable as a table for exports and for screen readers."""

    title: Any
    kind: str
    labels: list
    series: list[Series]
    stacked: bool = False
    # What each axis measures ({"y": "CNY", "y1": "%"}), shown as the axis title.
    axes: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "type": self.kind,
            "stacked": self.stacked,
            "labels": [str(label) for label in self.labels],
            "axes": {axis: str(title) for axis, title in self.axes.items()},
            "datasets": [
                {"label": str(s.label), "data": [float(v) if v is not None else None for v in s.values],
                 "links": list(s.links), "axis": s.axis, "type": s.kind or None}
                for s in self.series
            ],
        }  # fmt: skip

    def frozen(self) -> "Chart":
        """A copy with translated text made plain strings, safe to cache."""
        return Chart(
            title=str(self.title),
            kind=self.kind,
            labels=[str(label) for label in self.labels],
            series=[
                Series(label=str(s.label), values=s.values, links=s.links, axis=s.axis, kind=s.kind)
                for s in self.series
            ],
            stacked=self.stacked,
            axes={axis: str(title) for axis, title in self.axes.items()},
        )

    def table(self) -> Table:
        headers = [""] + [str(s.label) for s in self.series]
        rows = [[str(label)] + [s.values[i] for s in self.series] for i, label in enumerate(self.labels)]
        return Table(title=self.title, headers=headers, rows=rows, units=[""] + ["number"] * len(self.series))

    def total(self):
        return sum(v or 0 for s in self.series for v in s.values)

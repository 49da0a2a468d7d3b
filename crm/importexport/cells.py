"""What a cell of an export shows: choice labels, moments as local text, and text safe from formulas.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
formula by Excel or LibreOffice (CSV injection); such text is written with a leading apostrophe. The Python
writers (``exporter``, ``xlsx``) and the SQL one (``sqlexport``) both take these from here.
"""

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ChoiceDisplay:
    """A ``display`` for a choice field: the label of the stored value (the value itself if unknown).

    Labels are translated once, in the language active at the first row, not once per cell: an export of a million
    rows would otherwise spend a good part of its time in ``gettext``. PostgreSQL can apply it too (``sqlexport``)."""

    def __init__(self, choices):
        self.choices = list(choices)
        self._labels = {}

    def labels(self) -> dict:
        if not self._labels:
            self._labels.update((key, str(label)) for key, label in self.choices)
        return self._labels

    def __call__(self, value):
        label = self.labels().get(value)
        return label if label is not None else str(value or "")


def choice_display(choices) -> ChoiceDisplay:
    """A ``display`` for a choice field (or a yes/no one: ``[(True, _("yes")), (False, "")]``)."""
    return ChoiceDisplay(choices)


class LocalTimeText:
    """A ``display`` for a moment written as text, ``YYYY-MM-DD HH:MM:SS`` in the current time zone."""

    def __call__(self, value):
        return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


local_time_text = LocalTimeText()


def neutralise(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value

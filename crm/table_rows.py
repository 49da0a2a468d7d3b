"""Helpers for list tables whose rows are drawn in Python (the lead, opportunity, contact, communication and ticket
lists' ``{% …_rows page %}`` tags; the customer list's customers/templatetags/customer_table.py works the same way).

Through the template each row resolved a dozen variables, reversed its detail address and looked up a date
format: the rows were the largest part of a list page's template work (issue 18). What is the same for every row
— the address pattern, the choice labels, the date format, the day a date shows — is looked up once per page; each
tag's test draws the old template loop and the tag and compares them character for character.
"""

from datetime import datetime
from html import escape as _escape

from django.urls import reverse
from django.utils import dateformat, formats, timezone

# A primary key no record has, reversed once and replaced by each row's own.
_PLACEHOLDER_PK = 987654321


def escape(value) -> str:
    """What ``{{ value }}`` draws for a plain value: django.utils.html.escape's own escaping (html.escape of str()),
    without its check of every argument for a lazy translation."""
    return _escape(str(value))


def detail_url(view_name: str):
    """``pk -> escaped address`` of ``view_name`` with one primary key argument, reversed once."""
    before, after = reverse(view_name, args=[_PLACEHOLDER_PK]).split(str(_PLACEHOLDER_PK))
    before, after = escape(before), escape(after)
    return lambda pk: f"{before}{pk}{after}"


def choice_labels(choices) -> dict:
    """The escaped label of each value, as ``get_…_display`` draws it."""
    return {value: escape(label) for value, label in choices}


def date_cell(format_name: str):
    """``value -> escaped text`` of ``{{ value|date:"<format_name>" }}`` in the active language and time zone.

    The format is split into its pieces once per page, not once per value as dateformat.format() does (two thirds of
    its time); a page's rows mostly fall on a few days, so a date (or, for a format without a time of day, a
    datetime's local day) is formatted once per page."""
    date_format = str(formats.get_format(format_name))
    # dateformat.Formatter.format's own split: odd pieces are format characters, even ones literal text.
    pieces = [
        (True, piece) if index % 2 else (False, dateformat.re_escaped.sub(r"\1", piece))
        for index, piece in enumerate(dateformat.re_formatchars.split(date_format))
        if piece
    ]
    by_day = not any(char in date_format for char in "aABfgGhHiIOPrsTuUZceIU")
    zone = timezone.get_current_timezone()
    formatted = {}

    def draw(value):
        if not isinstance(value, datetime) and not by_day:
            return dateformat.format(value, date_format)  # a date with a time of day's format: as the filter does
        formatter = dateformat.DateFormat(value)
        return "".join(str(getattr(formatter, piece)()) if is_char else piece for is_char, piece in pieces)

    def cell(value):
        if value is None or value == "":
            return ""
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = value.astimezone(zone)  # timezone.localtime(), the user's zone looked up once
        key = value.date() if by_day and isinstance(value, datetime) else value
        if key not in formatted:
            formatted[key] = escape(draw(value))
        return formatted[key]

    return cell

"""Every date picker holds an ISO date whatever the user's language: the browser's picker reads nothing
else, and a Chinese date (``2026/12/05``) left it empty, so a required date (an order's date) was lost."""

import importlib
import pkgutil
from datetime import date

import django_filters
from django import forms
from django.apps import apps
from django.utils import translation

from crm.forms import DatePicker

PROJECT_APPS = ("crm", "accounts", "customers", "marketing", "sales", "service", "reports", "security")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _date_pickers():
    """(where, widget) for every date picker declared on the project's forms and filter sets."""
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in PROJECT_APPS:
            continue
        for leaf in ("forms", "filters"):
            name = f"{config.name}.{leaf}"
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError:
                continue
            for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
                importlib.import_module(f"{name}.{info.name}")
    found = []
    for form in _subclasses(forms.BaseForm):
        if form.__module__.split(".")[0] in PROJECT_APPS:
            found += [(f"{form.__module__}.{form.__name__}.{n}", f.widget) for n, f in form.base_fields.items()]
    for filterset in _subclasses(django_filters.FilterSet):
        if filterset.__module__.split(".")[0] in PROJECT_APPS:
            found += [
                (f"{filterset.__module__}.{filterset.__name__}.{n}", f.extra["widget"])
                for n, f in filterset.base_filters.items()
                if "widget" in f.extra
            ]
    return [(where, widget) for where, widget in found if getattr(widget, "input_type", "") == "date"]


def test_every_date_picker_shows_a_chinese_user_an_iso_date():
    pickers = _date_pickers()
    assert any("OrderForm.ordered_on" in where for where, _widget in pickers)
    with translation.override("zh-hans"):
        wrong = [where for where, widget in pickers if widget.format_value(date(2026, 12, 5)) != "2026-12-05"]
    assert not wrong


def test_the_date_picker_renders_its_value_for_the_browser():
    with translation.override("zh-hans"):
        html = DatePicker().render("ordered_on", date(2026, 12, 5))
    assert 'type="date"' in html and 'value="2026-12-05"' in html

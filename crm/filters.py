"""What every list's filter form shares."""

import hashlib
import time
from functools import lru_cache as cache_lru

import django_filters
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext


def _descending(label) -> str:
    # django-filter ships Chinese only as zh_CN, which a zh-Hans page never reads: the project's catalog
    # holds this text.
    return gettext("%s (descending)") % label


class SortFilter(django_filters.OrderingFilter):
    """The sort select of a list, its "(descending)" labels translated when the page is drawn (the
    choices are built once, when the FilterSet class is defined)."""

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = dict(choices[0::2])
        return [
            (value, lazy(_descending, str)(ascending[value[1:]]) if value.startswith("-") and value not in labels
             else label)
            for value, label in choices
        ]  # fmt: skip


def is_searched(filterset) -> bool:
    """Whether a search box (a text field) of the list's filter form holds a word: the list then counts its matches
    only up to ``SEARCH_COUNT_LIMIT`` (crm.pagination)."""
    form = filterset.form
    return any(
        isinstance(field, forms.CharField) and str(form.data.get(name, "")).strip()
        for name, field in form.fields.items()
    )


# The rendered fields of a list's filter form are cached (``{% filter_fields %}``, crm/templatetags/lists.py): drawing
# a dozen selects, three of them read from the database, was the largest part of a list page's own work. An entry is
# keyed by everything the HTML depends on — the FilterSet, the language, the query, and the SQL of each choice list
# (which holds the user's scope) — and by a generation that any saved or deleted row of a model the choices are read
# from moves on. A choice list reading any other table is not cached at all; a change that sends no signal (a bulk
# UPDATE) shows within LIST_FILTER_CACHE_SECONDS.
CHOICE_SOURCES = frozenset(
    {
        "accounts.User",
        "accounts.Team",
        "customers.Tag",
        "customers.CustomerGroup",
        "sales.Pipeline",
        "sales.Stage",
        "sales.Product",
        "sales.ProductCategory",
        "service.Queue",
    }
)
GENERATION_KEY = "list-filter-choices-generation"


def choices_changed(sender, **kwargs) -> None:
    """post_save / post_delete receiver (crm.apps): a row of a choice source changed, so no cached filter form is
    current any more."""
    if sender._meta.label not in CHOICE_SOURCES:
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        _new_generation()


def _new_generation() -> int:
    # Never 0 or any small number again after the cache lost the key: an old entry could carry it.
    generation = time.time_ns()
    cache.set(GENERATION_KEY, generation, None)
    return generation


@cache_lru(maxsize=1)
def _models_by_table() -> dict:
    return {model._meta.db_table: model._meta.label for model in apps.get_models(include_auto_created=True)}


def filter_form_cache_key(filterset, *parts) -> str | None:
    """The cache key of ``filterset``'s rendered filter fields (``parts``: the template's own arguments), or None
    when a choice list reads a table outside CHOICE_SOURCES."""
    form = filterset.form
    sources = []
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        tables = {_models_by_table().get(alias.table_name) for alias in queryset.query.alias_map.values()}
        if not tables <= CHOICE_SOURCES:
            return None
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        sources.append((name, sql, params))
    data = sorted((key, values) for key, values in form.data.lists() if key != "page") if form.is_bound else None
    cls = type(filterset)
    described = repr((f"{cls.__module__}.{cls.__qualname__}", get_language(), tuple(form.fields), data, sources, parts))
    return f"list-filter:{hashlib.sha256(described.encode()).hexdigest()}"


def cached_filter_fields(filterset, render, *parts) -> str:
    """``render()``'s HTML of the filter fields, from the cache when nothing it depends on changed since."""
    seconds = settings.LIST_FILTER_CACHE_SECONDS
    key = filter_form_cache_key(filterset, *parts) if seconds else None
    if key is None:
        return render()
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY) or _new_generation()
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    html = render()
    cache.set(key, (generation, str(html)), seconds)
    return html

"""What every list's filter form shares."""

import copy
import hashlib
import time
from functools import lru_cache as cache_lru
from types import SimpleNamespace

import django_filters
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.forms.widgets import ChoiceWidget
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django_filters.fields import ChoiceIterator, ModelChoiceIterator
from django_filters.filters import FilterMethod, QuerySetRequestMixin

from crm.widgets import render_in_python


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


class _Filters(dict):
    """A ListFilterSet class's filters, copied for each instance one by one (django-filter deep-copies them): a deep
    copy traversed every choice list, widget and queryset a filter was declared with, which only the building of a
    form field reads — and the field copies what it keeps."""

    def __deepcopy__(self, memo):
        return {name: _copy_filter(filter_) for name, filter_ in self.items()}


_plain = {}


def _shallow_copy(obj):
    """``copy.copy(obj)`` for an object of a class that copies as ``object`` does (a new instance with the same
    ``__dict__``), without the copy protocol's lookups; anything else through ``copy.copy``."""
    cls = type(obj)
    plain = _plain.get(cls)
    if plain is None:
        plain = _plain[cls] = (
            not hasattr(cls, "__copy__") and not hasattr(cls, "__slots__") and not hasattr(cls, "__setstate__")
            and cls.__reduce_ex__ is object.__reduce_ex__ and cls.__reduce__ is object.__reduce__
            and cls.__getstate__ is object.__getstate__ and cls.__new__ is object.__new__
        )  # fmt: skip
    if not plain:
        return copy.copy(obj)
    copied = object.__new__(cls)
    copied.__dict__.update(obj.__dict__)
    return copied


def _copy_filter(filter_):
    copied = _shallow_copy(filter_)
    # ``field`` writes the filter's queryset into ``extra`` and keeps the field it built.
    copied.extra = filter_.extra.copy()
    copied.__dict__.pop("_field", None)
    if isinstance(filter_.__dict__.get("filter"), FilterMethod):
        copied.filter = FilterMethod(copied)  # it calls the method of its own filter's FilterSet
    return copied


class _Fields(dict):
    """The fields of a ListFilterSet's form class, copied for each form as Django does (``copy.deepcopy``), except the
    choice lists, which are made immutable tuples once and shared: copying them was most of the copy's time."""

    def __init__(self, fields, shared):
        super().__init__(fields)
        self.shared = shared

    def __deepcopy__(self, memo):
        memo.update((id(value), value) for value in self.shared)
        return {name: _copy_field(field, memo) for name, field in self.items()}


_FIELD_COPIES = {forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__, forms.ModelChoiceField.__deepcopy__}
_WIDGET_COPIES = {forms.Widget.__deepcopy__, ChoiceWidget.__deepcopy__}


def _copy_field(field, memo):
    """What ``copy.deepcopy(field, memo)`` makes of a field whose class and widget's class copy themselves as Django's
    Field, ChoiceField, ModelChoiceField, Widget and ChoiceWidget do, written out (Python's deep copy machinery was
    half the copy's time); any other field is deep-copied."""
    widget = field.widget
    copies = type(field).__deepcopy__
    if copies not in _FIELD_COPIES or type(widget).__deepcopy__ not in _WIDGET_COPIES:
        return copy.deepcopy(field, memo)
    result = _shallow_copy(field)
    memo[id(field)] = result
    result.widget = _shallow_copy(widget)
    result.widget.attrs = widget.attrs.copy()
    if isinstance(widget, ChoiceWidget):
        result.widget.choices = _shallow_copy(widget.choices)
    memo[id(widget)] = result.widget
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    if copies is forms.ModelChoiceField.__deepcopy__:
        if field.queryset is not None:
            result.queryset = field.queryset  # the setter clones it and gives the widget choices of its own
    elif copies is forms.ChoiceField.__deepcopy__:
        choices = field._choices
        if type(choices) is ChoiceIterator and id(choices.choices) in memo:
            result._choices = ChoiceIterator(result, choices.choices)
        else:
            result._choices = copy.deepcopy(choices, memo)
    return result


def _frozen(choices):
    """``choices`` (pairs, a group's label holding pairs) as tuples all the way down, or None if they are not that."""
    if not isinstance(choices, list | tuple):
        return None
    pairs = []
    for pair in choices:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            return None
        value, label = pair
        if isinstance(label, list | tuple):
            label = _frozen(label)
            if label is None:
                return None
        pairs.append((value, label))
    return tuple(pairs)


class _LazyChoices(ModelChoiceIterator):
    # Reads the field's queryset when iterated, not when made, so that the queryset is built only then.
    def __init__(self, field):
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset


class _LazyQueryset:
    """A model choice field whose queryset is built by ``build_queryset()`` when first read
    (ListFilterSet.limit_choices): by a validation of a chosen value or by the drawing of its options."""

    iterator = _LazyChoices

    @property
    def queryset(self):
        build = self.__dict__.pop("build_queryset", None)
        if build is not None:
            forms.ModelChoiceField.queryset.fset(self, build())
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        self.__dict__.pop("build_queryset", None)
        forms.ModelChoiceField.queryset.fset(self, queryset)


_lazy_classes = {}


def _make_lazy(field, build) -> None:
    cls = type(field)
    if cls not in _lazy_classes:
        _lazy_classes[cls] = type(cls.__name__, (_LazyQueryset, cls), {"__module__": cls.__module__})
    field.__class__ = _lazy_classes[cls]
    field.build_queryset = build
    field.widget.choices = field.iterator(field)


def _style(fields) -> None:
    for field in fields.values():
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        field.widget.attrs.setdefault("class", css)


class _Prototype:
    """What a ListFilterSet class builds once: its form class with styled fields, and the model choice lists its
    class declares (the same query for every instance, so a key of the cached filter fields needs only their names)."""

    def __init__(self, cls):
        filters = copy.deepcopy(dict(cls.base_filters))
        model = cls._meta.model
        self.querysets = {}
        for name, filter_ in filters.items():
            filter_.model = model
            if not isinstance(filter_, QuerySetRequestMixin):
                continue
            declared = cls.base_filters[name].queryset  # the very object each instance's copy holds
            if declared is None or callable(declared):
                # Each instance gives its own (limit_choices, or a request's): the class's form offers nothing.
                filter_.queryset = model._meta.get_field(filter_.field_name).related_model._default_manager.none()
            else:
                self.querysets[name] = declared
        fields = {name: filter_.field for name, filter_ in filters.items()}
        _style(fields)
        render_in_python(SimpleNamespace(fields=fields))
        shared = []
        for field in fields.values():
            choices = getattr(field, "_choices", None)
            if isinstance(choices, ChoiceIterator):
                frozen = _frozen(choices.choices)
                if frozen is not None:
                    choices.choices = frozen
                    shared.append(frozen)
        self.form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        self.form_class.base_fields = _Fields(self.form_class.base_fields, shared)
        self.cacheable = all(_reads_choice_sources(queryset) for queryset in self.querysets.values())


class ListFilterSet(django_filters.FilterSet):
    """The FilterSet of a list page: its widgets in Bootstrap's small classes and drawn in Python
    (crm.widgets.render_in_python), its form class built once per class rather than for every request, and choice
    lists that depend on the user given by :meth:`limit_choices` — built only when they are needed, and keyed for
    the cached filter fields without compiling their SQL. (``get_form_class`` is not called: a form is made from the
    class's own; change a form's fields per instance through ``self.form.fields`` or limit_choices.)"""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        cls = type(self)
        if "_prototype" not in cls.__dict__:
            cls._prototype = _Prototype(cls)
            cls.base_filters = _Filters(cls.base_filters)
        self.limited = {}
        super().__init__(data, queryset, request=request, prefix=prefix)

    def limit_choices(self, name: str, build, *, key) -> None:
        """Offer and accept in the model choice filter ``name`` only the rows of ``build()``, called when a chosen
        value is validated or the options are drawn (not when the fields come from the cache). ``key``: a value that
        two instances share only when their ``build()`` make the same query (the cached fields' key holds it)."""
        if hasattr(self, "_form"):
            raise RuntimeError(f"{name}: limit the choices before the form is built")
        self.limited[name] = (build, key)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = self._prototype.form_class(self.data if self.is_bound else None, prefix=self.form_prefix)
            for name, (build, _key) in self.limited.items():
                _make_lazy(form.fields[name], build)
            for name in self._changed_querysets():
                queryset = self.filters[name].get_queryset(self.request)
                if queryset is not None:
                    form.fields[name].queryset = queryset
            self._form = form
        return self._form

    def _changed_querysets(self) -> set:
        """Model choice filters whose queryset is not the one their class declares (set on this instance)."""
        declared = self._prototype.querysets
        return {
            name
            for name, filter_ in self.filters.items()
            if isinstance(filter_, QuerySetRequestMixin) and name not in self.limited
            and filter_.queryset is not declared.get(name)
        }  # fmt: skip


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
# keyed by everything the HTML depends on — the FilterSet, the language, the query, and what each choice list's query
# is made of (a ListFilterSet's own choice lists are the same query for every instance, one that depends on the user
# is keyed by what limit_choices was given, e.g. the user's scope; any other by its SQL) — and by a generation that any
# saved or deleted row of a model the choices are read from moves on. A choice list reading any other table is not
# cached at all; a change that sends no signal (a bulk UPDATE) shows within LIST_FILTER_CACHE_SECONDS.
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


def _compiled(queryset) -> tuple[bool, str, tuple]:
    """Whether ``queryset`` reads only CHOICE_SOURCES, and its SQL and parameters. Compiled first: only then does the
    query name its own table and the joins of ``select_related``."""
    query = queryset.query.chain()
    try:
        sql, params = query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # a query that can match nothing reads nothing
        return True, "", ()
    tables = {_models_by_table().get(alias.table_name) for alias in query.alias_map.values()}
    return tables <= CHOICE_SOURCES, sql, params


def _reads_choice_sources(queryset) -> bool:
    return _compiled(queryset)[0]


def filter_form_cache_key(filterset, *parts) -> str | None:
    """The cache key of ``filterset``'s rendered filter fields (``parts``: the template's own arguments), or None
    when a choice list reads a table outside CHOICE_SOURCES.

    A ListFilterSet's choice lists are keyed without their SQL: those its class declares are the same query for
    every instance (checked once per class), those of :meth:`ListFilterSet.limit_choices` by their ``key`` (checked
    when drawn, :func:`cached_filter_fields`); only a queryset set on an instance in another way is compiled."""
    form = filterset.form
    if isinstance(filterset, ListFilterSet):
        if not filterset._prototype.cacheable:
            return None
        compiled = filterset._changed_querysets()
        sources = [(name, "limited", key) for name, (_build, key) in filterset.limited.items()]
    else:
        compiled = form.fields
        sources = []
    for name in compiled:
        queryset = getattr(form.fields[name], "queryset", None)
        if queryset is None:
            continue
        sources_only, sql, params = _compiled(queryset)
        if not sources_only:
            return None
        sources.append((name, sql, params))
    data = sorted((key, values) for key, values in form.data.lists() if key != "page") if form.is_bound else None
    cls = type(filterset)
    described = repr((f"{cls.__module__}.{cls.__qualname__}", get_language(), tuple(form.fields), data, sources, parts))
    return f"list-filter:{hashlib.sha256(described.encode()).hexdigest()}"


def _limited_read_choice_sources(filterset) -> bool:
    """Whether the limited choice lists that were built (drawn) read only CHOICE_SOURCES; one not built did not
    make the HTML."""
    if not isinstance(filterset, ListFilterSet):
        return True
    fields = filterset.form.fields
    return all(
        _reads_choice_sources(fields[name].queryset)
        for name in filterset.limited
        if "build_queryset" not in fields[name].__dict__
    )


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
    if _limited_read_choice_sources(filterset):
        cache.set(key, (generation, str(html)), seconds)
    return html

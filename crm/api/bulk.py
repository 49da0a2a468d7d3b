"""Checking the records of a bulk call with the page's form, fast: one form for the whole call.

Building a form per record costs more than writing the record set-based (every field deep-copied, the
choices of the owner, tag and group fields queried per record); :class:`RecordChecker` builds the form
once, binds each record to it in turn, and looks the choices of its model-choice fields up in a dict read
once per call. The checks and messages are the form's own, so a record passes or fails exactly as it would
one by one (``ResourceViewSet.validate_input``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from rest_framework import exceptions


def form_errors(form) -> dict:
    """``{"field": ["message", …]}`` of a bound form that did not validate (``non_field_errors`` for the form's own)."""
    return {
        "non_field_errors" if field == "__all__" else field: [error["message"] for error in errors]
        for field, errors in form.errors.get_json_data().items()
    }


def form_value(value):
    """JSON as a submitted form would have it: scalars as text, lists of scalars as lists of text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        if any(isinstance(item, dict | list) for item in value):
            raise TypeError
        return [str(item) for item in value]
    if isinstance(value, dict):
        raise TypeError
    return str(value)


def initial_value(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value

    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return [item.pk if isinstance(item, models.Model) else item for item in items]
    return value


class _Choices:
    """A model-choice field's choices, read on first use and then looked up by primary key."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.by_pk = None

    def get(self, value):
        if self.by_pk is None:
            self.by_pk = {str(obj.pk): obj for obj in self.queryset}
        return self.by_pk.get(str(value))


def _preload(field):
    """Make a ModelChoiceField / ModelMultipleChoiceField look its choices up in memory (same errors)."""
    choices = _Choices(field.queryset)

    def to_python(value):
        if value in field.empty_values:
            return None
        field.validate_no_null_characters(value)
        obj = choices.get(value)
        if obj is None:
            raise ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return obj

    def check_values(value):
        try:
            value = frozenset(value)
        except TypeError as error:
            raise ValidationError(field.error_messages["invalid_list"], code="invalid_list") from error
        found = []
        for pk in sorted(value, key=str):
            field.validate_no_null_characters(pk)
            try:
                int(pk)
            except (TypeError, ValueError) as error:
                raise ValidationError(
                    field.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                ) from error
            obj = choices.get(pk)
            if obj is None:
                raise ValidationError(
                    field.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
            found.append(obj)
        return found

    def clean_multiple(value):
        # ModelMultipleChoiceField.clean, with its choices in memory (and a list, not a queryset, as the value).
        value = field.prepare_value(value)
        if not value:
            if field.required:
                raise ValidationError(field.error_messages["required"], code="required")
            return []
        if not isinstance(value, list | tuple):
            raise ValidationError(field.error_messages["invalid_list"], code="invalid_list")
        found = check_values(value)
        field.run_validators(value)
        return found

    if isinstance(field, forms.ModelMultipleChoiceField):
        field.clean = clean_multiple
    else:
        field.to_python = to_python


class RecordChecker:
    """The page's form (``form_class(**form_kwargs)``) with ``extra_fields`` (such as external_id), checking
    one record after another: :meth:`check` returns the cleaned data or raises a DRF ValidationError with the
    form's messages by field. An update is checked merged over the record's current values, a new record over
    the form's defaults, as ``ResourceViewSet.validate_input`` does."""

    def __init__(self, form_class, *, extra_fields=None, prepare=None, **form_kwargs):
        extra_fields = extra_fields or {}
        if extra_fields:
            form_class = type(f"Api{form_class.__name__}", (form_class,), extra_fields)
        self.extra_fields = extra_fields
        self.prepare = prepare
        self.form = form_class(**form_kwargs)
        self.blank = self.form.instance
        for field in self.form.fields.values():
            if isinstance(field, forms.ModelChoiceField) and not field.disabled:
                _preload(field)
        self.defaults = {}
        for name, field in self.form.fields.items():
            value = self.form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is not None:
                self.defaults[name] = initial_value(value)

    def current(self, instance) -> dict:
        """The values the form would show for ``instance`` (its many-to-many relations prefetched)."""
        meta = self.form._meta
        initial = model_to_dict(instance, meta.fields, meta.exclude)
        merged = {}
        for name, field in self.form.fields.items():
            value = initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is None and name in self.extra_fields:
                value = getattr(instance, name, None)
            if value is not None:
                merged[name] = initial_value(value)
        return merged

    def check(self, data, instance=None) -> dict:
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        merged = dict(self.defaults) if instance is None else self.current(instance)
        errors = {}
        for name, value in data.items():
            try:
                merged[name] = form_value(value)
            except TypeError:
                errors[name] = [_("Enter a single value or a list of values.")]
        if errors:
            raise exceptions.ValidationError(errors)
        if self.prepare is not None:
            merged = self.prepare(merged, instance)
        form = self.form
        form.data, form.is_bound, form._errors = merged, True, None
        form.instance = instance if instance is not None else self.blank
        if not form.is_valid():
            raise exceptions.ValidationError(form_errors(form))
        return dict(form.cleaned_data)

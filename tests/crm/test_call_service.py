"""Service errors land on forms one way (crm.forms.call_service)."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from crm.forms import call_service


class OwnedForm(forms.Form):
    name = forms.CharField()
    owner = forms.CharField(required=False)


class PlainForm(forms.Form):
    name = forms.CharField()


def _bound(form_class):
    form = form_class({"name": "Acme"})
    assert form.is_valid()
    return form


def refuse(**kwargs):
    raise ValidationError({"name": "Taken.", "unknown_field": "Something else."})


def refuse_owner(**kwargs):
    raise PermissionDenied


def test_the_result_comes_back_and_the_form_stays_clean():
    form = _bound(PlainForm)
    assert call_service(form, lambda **kwargs: kwargs["value"] * 2, value=21) == 42
    assert not form.errors


def test_a_validation_error_lands_on_the_fields_it_names_and_the_rest_on_the_form():
    form = _bound(PlainForm)
    assert call_service(form, refuse) is None
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Something else."]


def test_a_refused_owner_lands_on_the_owner_field():
    form = _bound(OwnedForm)
    assert call_service(form, refuse_owner) is None
    assert form.errors["owner"] == ["You cannot give records to this user."]


def test_permission_denied_without_an_owner_field_still_answers_403():
    with pytest.raises(PermissionDenied):
        call_service(_bound(PlainForm), refuse_owner)

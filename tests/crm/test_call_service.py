"""Service errors land on the page one way: on forms (crm.forms.call_service), or as a message for a button
without a form (crm.forms.refusal_as_message)."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError

from crm.forms import call_service, refusal_as_message


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


def test_a_refused_button_skips_the_rest_of_its_block_and_says_why_in_one_message(rf):
    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    done = []
    with refusal_as_message(request):
        refuse_twice()
        done.append("success message")
    assert done == []
    assert [str(m) for m in get_messages(request)] == ["Too late. Already done."]


def test_a_button_that_succeeds_runs_its_whole_block_without_a_message(rf):
    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with refusal_as_message(request):
        done = True
    assert done and not list(get_messages(request))


def refuse_twice():
    raise ValidationError(["Too late.", "Already done."])

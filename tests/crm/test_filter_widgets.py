"""Filter forms draw their inputs and selects in Python (crm/widgets.py): the HTML is the same as Django's widget
templates give, character for character, with values that need escaping and options that are selected."""

import copy

import pytest

from crm.widgets import render_in_python
from customers.filters import CommunicationFilter, CustomerFilter
from customers.models import Customer
from marketing.filters import CampaignFilter
from sales.filters import LeadFilter, OpportunityFilter, ProductFilter
from service.filters import TicketFilter
from tests.factories import TagFactory


def _stock(widget):
    """The same widget drawn by Django's own template."""
    stock = copy.copy(widget)
    stock.__class__ = type(widget).__wrapped_widget__
    return stock


def _assert_same_html(form):
    drawn_in_python = 0
    for field in form:
        widget = field.field.widget
        if not hasattr(type(widget), "__wrapped_widget__"):
            continue
        drawn_in_python += 1
        assert field.as_widget() == field.as_widget(widget=_stock(widget)), field.name
    return drawn_in_python


@pytest.mark.parametrize(
    ("filterset", "data"),
    [
        (CustomerFilter, {"q": 'O\'Brien & "Sons" <b>', "level": Customer.Level.A, "created_after": "2026-01-02"}),
        (CommunicationFilter, {"customer": "<i>x</i>", "occurred_after": "2026-03-04"}),
        (LeadFilter, {"q": "a&b"}),
        (OpportunityFilter, {}),
        (ProductFilter, {"is_active": "true", "q": '"'}),
        (TicketFilter, {"q": "#12 <script>"}),
        (CampaignFilter, {"q": "'"}),
    ],
)
def test_filter_form_html_is_what_django_templates_draw(filterset, data, manager):
    tag = TagFactory(name='VIP "gold" <1>')
    if filterset is CustomerFilter:
        data = {**data, "tag": tag.pk, "owner": manager.pk}
    kwargs = {} if filterset in (TicketFilter, CampaignFilter) else {"user": manager}
    form = filterset(data, **kwargs).form
    form.is_valid()
    assert _assert_same_html(form) >= 2


def test_a_widget_with_its_own_template_keeps_it(db):
    from django import forms

    class Form(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        several = forms.MultipleChoiceField(choices=[("a", "A")])
        text = forms.CharField()

    form = Form()
    render_in_python(form)
    assert type(form.fields["choice"].widget) is forms.RadioSelect
    assert type(form.fields["several"].widget) is forms.SelectMultiple
    assert type(form.fields["text"].widget) is not forms.TextInput
    assert isinstance(form.fields["text"].widget, forms.TextInput)
    assert str(form["text"]) == '<input type="text" name="text" required id="id_text">'


def test_the_customer_list_page_draws_its_filter_form(client_for, manager):
    response = client_for(manager).get("/customers/", {"q": "<x>", "level": "A"}, headers={"Accept-Language": "en"})
    html = response.content.decode()
    assert '<option value="A" selected>' in html
    assert 'value="&lt;x&gt;"' in html

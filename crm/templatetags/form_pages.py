"""``{% form_fields form %}``: a form's fields (its crispy layout if it has one) without a ``<form>`` tag.

The page around it owns the one ``<form>`` element, the CSRF token and the buttons (``form_page.html``
for whole pages, the panel templates for inline forms). Rendering a form tag here as well would nest
one form inside another, which a browser resolves by closing the outer form early: the page's Save
button then ends up outside any form and submits nothing.
"""

from copy import copy

from crispy_forms.helper import FormHelper
from crispy_forms.utils import render_crispy_form
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def form_fields(context, form):
    helper = copy(getattr(form, "helper", None) or FormHelper())
    helper.form_tag = False
    helper.disable_csrf = True
    helper.inputs = []
    return render_crispy_form(form, helper, context.flatten())

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crm.forms import DatePicker
from crm.models import BehaviourLog


class BehaviourLogFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DatePicker())
    until = forms.DateField(label=_("To"), required=False, widget=DatePicker())
    user = forms.ModelChoiceField(label=_("User"), required=False, queryset=get_user_model().objects.none())
    action = forms.ChoiceField(label=_("Action"), required=False)
    module = forms.ChoiceField(label=_("Module"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, modules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("username")
        self.fields["action"].choices = [("", _("Any action")), *BehaviourLog.Action.choices]
        self.fields["module"].choices = [("", _("Any module")), *[(m, m) for m in modules]]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

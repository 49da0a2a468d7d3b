"""Form of the customer export page: input only, the services do the work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.importexport.exporter import FORMATS

from ..importing import DEFAULT_EXPORT_FIELDS, export_fields


class ExportForm(forms.Form):
    fields = forms.MultipleChoiceField(
        label=_("Columns"), choices=(), initial=DEFAULT_EXPORT_FIELDS, widget=forms.CheckboxSelectMultiple
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("Excel workbook (.xlsx)")), ("csv", _("CSV (UTF-8, opens in Excel)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = [(f.key, f.label) for f in export_fields()]

    def clean_format(self):
        value = self.cleaned_data["format"]
        if value not in FORMATS:
            raise forms.ValidationError(_("Choose a format."))
        return value

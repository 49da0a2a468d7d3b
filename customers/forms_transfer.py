"""Forms of the customer import and export pages: input only, the services do the work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.importexport import DUPLICATE_POLICIES, SKIP
from crm.importexport.exporter import FORMATS

from .importing import DEFAULT_EXPORT_FIELDS, export_fields, import_fields


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK) with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )


class ImportMappingForm(forms.Form):
    """One choice per column of the file (which field it holds), and the import's options."""

    duplicate_policy = forms.ChoiceField(
        label=_("Rows matching an existing customer"),
        choices=DUPLICATE_POLICIES,
        initial=SKIP,
        widget=forms.RadioSelect,
    )
    import_valid_rows = forms.BooleanField(
        label=_("Import the valid rows even if some rows have errors"),
        required=False,
        help_text=_("Otherwise a file with any error imports nothing."),
    )

    def __init__(self, *args, headers, initial_mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.spec_fields = import_fields(owner_clean=None)
        choices = [("", _("— do not import —"))] + [(f.key, f.label) for f in self.spec_fields]
        initial_mapping = initial_mapping or {}
        self.column_names = []
        for index, header in enumerate(headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(number)d") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=initial_mapping.get(str(index), ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.column_names.append(name)
        self.order_fields([*self.column_names, "duplicate_policy", "import_valid_rows"])

    def column_fields(self):
        return [self[name] for name in self.column_names]

    def clean(self):
        cleaned = super().clean()
        mapping, used = {}, {}
        for index, name in enumerate(self.column_names):
            key = cleaned.get(name)
            if not key:
                continue
            if key in used:
                self.add_error(name, _("This field is already taken from column “%(header)s”.") % {"header": used[key]})
            used[key] = self.headers[index]
            mapping[index] = key
        missing = [str(f.label) for f in self.spec_fields if f.required and f.key not in used]
        if missing:
            raise forms.ValidationError(_("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)})
        cleaned["mapping"] = mapping
        return cleaned


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

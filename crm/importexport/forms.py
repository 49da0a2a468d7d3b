"""Forms of the shared import pages: input only, the services in :mod:`.flow` do the work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .importer import DUPLICATE_POLICIES, SKIP


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK) with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )


class ImportMappingForm(forms.Form):
    """One choice per column of the file (which field it holds), and the import's options."""

    duplicate_policy = forms.ChoiceField(
        label=_("Rows matching an existing record"), choices=DUPLICATE_POLICIES, initial=SKIP, widget=forms.RadioSelect
    )
    import_valid_rows = forms.BooleanField(
        label=_("Import the valid rows even if some rows have errors"),
        required=False,
        help_text=_("Otherwise a file with any error imports nothing."),
    )

    def __init__(self, *args, headers, fields, initial_mapping=None, duplicate_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.spec_fields = fields
        if duplicate_label:
            self.fields["duplicate_policy"].label = duplicate_label
        choices = [("", _("— do not import —"))] + [
            (f.key, f"{f.label} *" if f.required else f.label) for f in self.spec_fields
        ]
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

    @classmethod
    def for_job(cls, data, *, flow, upload, options=None):
        """The form of an upload's mapping page; ``options`` (a dry run's) fill it in as they were chosen."""
        if options is not None:
            data = {f"column_{index}": key for index, key in options["mapping"].items()}
            data["duplicate_policy"] = options["duplicate_policy"]
            if options["import_valid_rows"]:
                data["import_valid_rows"] = "on"
        return cls(
            data,
            headers=upload.options.get("headers", []),
            fields=flow.fields(),
            initial_mapping=upload.options.get("mapping"),
            duplicate_label=flow.duplicate_label,
        )

    def column_fields(self):
        return [self[name] for name in self.column_names]

    def unmapped_headers(self) -> list[str]:
        """The file's columns that will not be imported (shown, so that nothing is dropped unseen)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return [
            self.fields[name].label
            for name in self.column_names
            if not (data.get(name) if data else self[name].value())
        ]

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
            raise forms.ValidationError(
                _(
                    "No column of the file is imported as %(fields)s, which every row needs: "
                    "choose the column that holds it."
                )
                % {"fields": ", ".join(f"“{name}”" for name in missing)},
                code="required_column",
            )
        cleaned["mapping"] = mapping
        return cleaned

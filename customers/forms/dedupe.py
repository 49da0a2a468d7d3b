"""Input of the duplicate warning and the merge page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Customer
from ..services.merge import BOTH, JOINABLE_FIELDS, MERGE_FIELDS, MERGED, SURVIVOR, default_choices


class DuplicateConfirmForm(forms.Form):
    """The "save anyway" tick box shown under the list of possible duplicates."""

    confirm_duplicates = forms.BooleanField(label=_("Save anyway: this is a different customer"), required=False)

    def confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["confirm_duplicates"]


def _display(customer: Customer, name: str) -> str:
    if name == "owner":
        return str(customer.owner)
    if name == "consent":
        parts = [str(customer.get_consent_display()), customer.consent_method]
        if customer.consent_at:
            parts.append(customer.consent_at.strftime("%Y-%m-%d"))
        return " · ".join(p for p in parts if p)
    display = getattr(customer, f"get_{name}_display", None)
    return str(display()) if display else str(getattr(customer, name) or "")


class CustomerMergeForm(forms.Form):
    """One radio choice per field: keep the survivor's value or take the other customer's."""

    def __init__(self, *args, survivor: Customer, merged: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.survivor, self.merged = survivor, merged
        initial = default_choices(survivor=survivor, merged=merged)
        for name in MERGE_FIELDS:
            choices = [(SURVIVOR, _("Keep this value")), (MERGED, _("Take the other value"))]
            if name in JOINABLE_FIELDS:
                choices.append((BOTH, _("Keep both")))
            self.fields[name] = forms.ChoiceField(
                label=Customer._meta.get_field(name).verbose_name,
                choices=choices,
                initial=initial[name],
                widget=forms.RadioSelect,
            )

    def rows(self):
        """What the side-by-side table shows, one row per field."""
        for name in MERGE_FIELDS:
            bound = self[name]
            yield {
                "name": name,
                "label": bound.label,
                "value": bound.value(),
                "survivor": _display(self.survivor, name),
                "merged": _display(self.merged, name),
                "same": _display(self.survivor, name) == _display(self.merged, name),
                "joinable": name in JOINABLE_FIELDS,
                "errors": bound.errors,
            }

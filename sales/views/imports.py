"""Lead import: upload with options, then the shared engine runs it as a background job with progress."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from crm.forms import apply_validation_error

from ..forms import LeadImportForm
from ..services.imports import lead_import_upload


@permission_required("sales.import_lead", raise_exception=True)
def lead_import(request):
    form = LeadImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = lead_import_upload(
                actor=request.user,
                file=form.cleaned_data["file"],
                duplicate_policy=form.cleaned_data["duplicate_policy"],
                import_valid_rows=form.cleaned_data["import_valid_rows"],
            )
        except ValidationError as error:
            apply_validation_error(form, ValidationError({"file": error.messages}))
        else:
            return redirect("job-detail", pk=job.pk)
    return render(request, "sales/lead_import.html", {"form": form})

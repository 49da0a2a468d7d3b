"""Lead import through the shared engine: check the upload, guess the columns, queue the job."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from crm.importexport import guess_mapping, open_table
from crm.importexport.mapping import missing_required
from crm.jobs import job_create
from crm.models import Job

from ..importing import DATASET, lead_import_spec


@transaction.atomic
def lead_import_upload(*, actor, file, duplicate_policy, import_valid_rows) -> Job:
    """Keep the file on a job with the columns guessed from its header row, and queue the import."""
    from ..tasks import run_lead_import

    table = open_table(file)
    spec = lead_import_spec(actor=actor)
    mapping = guess_mapping(table.headers, spec)
    missing = missing_required(mapping, spec)
    if missing:
        raise ValidationError(
            _("No column found for: %(fields)s. Name the header row's columns like the template.")
            % {"fields": ", ".join(str(f.label) for f in missing)}
        )
    file.seek(0)
    options = {
        "file_name": file.name,
        "mapping": {str(i): key for i, key in mapping.items()},
        "duplicate_policy": duplicate_policy,
        "import_valid_rows": bool(import_valid_rows),
        "language": translation.get_language(),
    }
    job = job_create(user=actor, kind=Job.Kind.IMPORT, dataset=DATASET, options=options, source_file=file)
    job.total = table.total_estimate
    job.save(update_fields=["total"])
    transaction.on_commit(lambda: run_lead_import.delay(job.pk))
    return job

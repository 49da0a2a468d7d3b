"""Lead import: the shared flow of crm.importexport (upload → columns → dry run → import) for leads."""

from django.utils.translation import gettext_lazy

from crm.importexport.flow import ImportFlow, import_run
from crm.models import Job

from ..importing import DATASET, lead_fields, lead_import_spec

LEAD_IMPORT = ImportFlow(
    dataset=DATASET,
    title=gettext_lazy("Import leads"),
    permission="sales.import_lead",
    url_name="sales:lead-import",
    cancel_url="sales:lead-list",
    fields=lead_fields,
    spec=lead_import_spec,
    task="sales.tasks.run_lead_import",
    duplicate_label=gettext_lazy("Rows matching an existing lead"),
    header_examples="姓名, 公司名称, 职位, 手机, 邮箱, 来源",
    notes=gettext_lazy("New leads are yours; phones are checked as the lead form checks them."),
)


def lead_import_run(*, job_id) -> Job:
    """The background part of a lead import or of its dry run; runs at most once per job."""
    return import_run(LEAD_IMPORT, job_id=job_id)

"""Customer import and export: upload, dry run, background import, and exports of the current filter."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.importexport import SKIP, guess_mapping, open_table, run_import
from crm.importexport.exports import DatasetExport
from crm.importexport.flow import ImportFlow, import_run
from crm.models import Job
from crm.scope import Module

from ..importing import DATASET, customer_import_spec, export_fields, import_fields
from ..selectors.transfer import customer_export_queryset, export_filter

MODULE = Module.CUSTOMERS


def _fields(keys):
    by_key = {f.key: f for f in export_fields()}
    chosen = [by_key[k] for k in keys if k in by_key]
    if not chosen:
        raise ValidationError(_("Choose at least one column to export."))
    return chosen


# -- import ----------------------------------------------------------------------------------------


def customers_import(
    *, actor, file, name=None, mapping=None, duplicate_policy=SKIP, import_valid_rows=False, dry_run=False,
    progress=None,
):  # fmt: skip
    """Import a file directly (the job runs this in the background; benchmarks and scripts call it).

    ``mapping`` is column index → field key; when omitted it is guessed from the header row. Returns
    the engine's ImportOutcome. One transaction: a refused file leaves nothing behind.
    """
    spec = customer_import_spec(actor=actor, file_name=name or getattr(file, "name", ""))
    table = open_table(file, name, meanwhile=spec.prepare)
    if mapping is None:
        mapping = guess_mapping(table.headers, spec)
    return run_import(
        spec=spec,
        table=table,
        mapping=mapping,
        duplicate_policy=duplicate_policy,
        import_valid_rows=import_valid_rows,
        dry_run=dry_run,
        progress=progress,
    )


CUSTOMER_IMPORT = ImportFlow(
    dataset=DATASET,
    title=gettext_lazy("Import customers"),
    permission="customers.import_customer",
    url_name="customers:customer-import",
    cancel_url="customers:customer-list",
    fields=lambda: import_fields(owner_clean=None),
    spec=customer_import_spec,
    task="customers.tasks.run_customer_import",
    duplicate_label=gettext_lazy("Rows matching an existing customer"),
    header_examples="客户名称, 电话, 邮箱, 负责人, 联系人, 手机",
    notes=gettext_lazy("The owner is a user name; tags are separated by commas."),
)


def customer_import_run(*, job_id) -> Job:
    """The background part of an import or of its dry run (the shared flow's; runs at most once per job)."""
    return import_run(CUSTOMER_IMPORT, job_id=job_id)


# -- export ----------------------------------------------------------------------------------------


def _export_queryset(*, user, query):
    return customer_export_queryset(user=user, data=query)


CUSTOMERS = DatasetExport(
    dataset=DATASET, module=MODULE, queryset=_export_queryset, fields=lambda keys: _fields(keys or [])
)


def customers_export(*, actor, data, fields, fmt) -> tuple[str, str, bytes]:
    """A small export, made at once: (file name, content type, content). Logged like every export."""
    return CUSTOMERS.now(actor=actor, query=export_filter(data), fmt=fmt, keys=fields)


def customer_export_start(*, actor, data, fields, fmt, total=0) -> Job:
    """A large export as a background job; the job page shows progress and then the download."""
    return CUSTOMERS.start(
        actor=actor, query=export_filter(data), fmt=fmt, task="customers.tasks.run_customer_export", keys=fields,
        total=total,
    )  # fmt: skip


def customer_export_run(*, job_id) -> Job:
    return CUSTOMERS.run(job_id=job_id)

"""A job's state is in its fields (status, dry run, parent, file name, language), never in ``options``."""

from importlib import import_module

import pytest
from django.apps import apps

from crm.models import Job

pytestmark = pytest.mark.django_db

explicit_state = import_module("crm.migrations.0005_job_explicit_state")


def _old_job(user, **values):
    return Job.objects.create(user=user, kind=values.pop("kind", Job.Kind.IMPORT), dataset="customers", **values)


def test_the_migration_moves_state_out_of_options_into_fields(rep_user):
    """Rows written by earlier versions: a waiting upload, a confirmed one, its dry run, an export."""
    waiting = _old_job(rep_user, options={"file_name": "a.xlsx", "headers": ["名称"], "mapping": {"0": "name"}})
    confirmed = _old_job(rep_user, options={"file_name": "b.csv", "queued": True, "language": "zh-hans"})
    check = _old_job(
        rep_user, options={"dry_run": True, "upload": waiting.pk, "file_name": "a.xlsx", "language": "en",
                           "mapping": {"0": "name"}, "duplicate_policy": "skip"},
    )  # fmt: skip
    orphan = _old_job(rep_user, options={"dry_run": True, "upload": 999_999})
    export = _old_job(rep_user, kind=Job.Kind.EXPORT, options={"format": "csv", "language": "zh-hans"})
    finished = _old_job(rep_user, status=Job.Status.DONE, options={"queued": True, "file_name": "c.xlsx"})

    explicit_state.options_to_fields(apps, None)

    for job in (waiting, confirmed, check, orphan, export, finished):
        job.refresh_from_db()
    assert (waiting.status, waiting.dry_run, waiting.file_name, waiting.parent) == (
        Job.Status.PENDING, False, "a.xlsx", None,
    )  # fmt: skip
    assert waiting.options == {"headers": ["名称"], "mapping": {"0": "name"}}
    assert (confirmed.status, confirmed.language, confirmed.options) == (Job.Status.QUEUED, "zh-hans", {})
    assert (check.status, check.dry_run, check.parent, check.language) == (Job.Status.QUEUED, True, waiting, "en")
    assert check.options == {"mapping": {"0": "name"}, "duplicate_policy": "skip"}
    assert (orphan.dry_run, orphan.parent) == (True, None)
    assert (export.status, export.language, export.options) == (Job.Status.QUEUED, "zh-hans", {"format": "csv"})
    assert (finished.status, finished.file_name) == (Job.Status.DONE, "c.xlsx")

    explicit_state.fields_to_options(apps, None)  # and back
    check.refresh_from_db()
    confirmed.refresh_from_db()
    assert check.options["upload"] == waiting.pk and check.options["dry_run"]
    assert confirmed.status == Job.Status.PENDING and confirmed.options["queued"]


def test_no_code_reads_or_writes_state_keys_in_options():
    """The old JSON keys are gone from the code that runs jobs (the migration alone still knows them)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    pattern = re.compile(r"""options(\[|\.get\(|__)\W*(queued|dry_run|upload|language|file_name)\b""")
    offenders = [
        str(path.relative_to(root))
        for app in ("crm", "accounts", "customers", "marketing", "sales", "service", "reports", "security")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

"""Running an import: clean and check every row, find duplicates batch by batch, write in batches.

One import is one transaction. By default a file with any bad row imports nothing: the rows are still
all checked so the report lists every error, then the transaction is rolled back. With
``import_valid_rows`` the good rows are kept and the bad ones reported. A dry run writes nothing.
"""

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .bulk import background_copies
from .mapping import missing_required
from .reading import Table
from .spec import ImportSpec

SKIP, UPDATE, CREATE = "skip", "update", "create"
DUPLICATE_POLICIES = [
    (SKIP, gettext_lazy("Skip rows that match an existing record")),
    (UPDATE, gettext_lazy("Update the existing record")),
    (CREATE, gettext_lazy("Create a new record anyway")),
]
PREVIEW_ROWS = 20
RESULT_ERRORS = 100  # errors kept in the job result; the report file has all of them


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportOutcome:
    """Counts are what the import did, or for a dry run or a refused file, what it would have done."""

    dataset: str
    dry_run: bool
    imported: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    error_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview_headers: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

    @property
    def summary(self) -> str:
        counts = {
            "rows": self.rows, "created": self.created, "updated": self.updated, "skipped": self.skipped,
            "errors": self.error_rows,
        }  # fmt: skip
        if self.dry_run:
            return (
                _(
                    "%(rows)d rows checked: %(created)d would be created, %(updated)d updated, %(skipped)d skipped; "
                    "%(errors)d rows have errors."
                )
                % counts
            )
        if not self.imported:
            return _("Nothing was imported: %(errors)d of %(rows)d rows have errors.") % counts
        return (
            _(
                "%(rows)d rows read: %(created)d created, %(updated)d updated, %(skipped)d skipped, "
                "%(errors)d with errors."
            )
            % counts
        )

    def as_result(self) -> dict:
        """The JSON a Job keeps: counts, the first errors and the preview."""
        return {
            "dataset": self.dataset,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "error_rows": self.error_rows,
            "error_count": len(self.errors),
            "errors": [e.as_dict() for e in self.errors[:RESULT_ERRORS]],
            "preview_headers": self.preview_headers,
            "preview": self.preview,
            "summary": self.summary,
        }


def _messages(error: ValidationError):
    """(field key or None, message) pairs of a ValidationError."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    yield (None if key == NON_FIELD_ERRORS else key), message
    else:
        for message in error.messages:
            yield None, message


class _RowCleaner:
    def __init__(self, spec: ImportSpec, headers, mapping):
        self.spec = spec
        self.columns = [(index, spec.field(key)) for index, key in sorted(mapping.items())]
        self.header = {item.key: (headers[index] or str(item.label)) for index, item in self.columns}

    def __call__(self, number, cells):
        row, errors = {}, []
        for index, item in self.columns:
            value = cells[index] if index < len(cells) else ""
            if not value:
                if item.required:
                    errors.append(RowError(number, self.header[item.key], _("This column is required.")))
                    continue
                if not item.clean_empty:
                    row[item.key] = None
                    continue
            try:
                row[item.key] = item.clean(value) if item.clean else value
            except ValidationError as error:
                errors += [RowError(number, self.header[item.key], m) for _key, m in _messages(error)]
        if not errors and self.spec.validate_row is not None:
            try:
                row = self.spec.validate_row(row) or row
            except ValidationError as error:
                for key, message in _messages(error):
                    column = self.header.get(key) or (str(self.spec.field(key).label) if key else "")
                    errors.append(RowError(number, column, message))
        return row, errors


def _preview_value(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)


def run_import(
    *,
    spec: ImportSpec,
    table: Table,
    mapping: dict,
    duplicate_policy: str = SKIP,
    import_valid_rows: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> ImportOutcome:
    """Import ``table`` through ``spec``; ``mapping`` is column index → field key (empty key: ignore)."""
    if duplicate_policy not in (SKIP, UPDATE, CREATE):
        raise ValueError(f"unknown duplicate policy {duplicate_policy!r}")
    mapping = {int(index): key for index, key in mapping.items() if key}
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError(_("Each field can be taken from one column only."), code="mapping")
    missing = missing_required(mapping, spec)
    if missing:
        raise ValidationError(
            _("Choose a column for: %(fields)s.") % {"fields": ", ".join(str(item.label) for item in missing)},
            code="mapping",
        )
    clean = _RowCleaner(spec, table.headers, mapping)
    outcome = ImportOutcome(dataset=spec.dataset, dry_run=dry_run)
    outcome.preview_headers = [str(item.label) for _index, item in clean.columns]
    seen_keys: set = set()
    state = {"writing": not dry_run}

    def flush(batch):
        if not batch:
            return
        rows = [row for _number, row in batch]
        if duplicate_policy != CREATE and spec.find_existing is not None:
            matches = spec.find_existing(rows)
        else:
            matches = [None] * len(rows)
        to_create, to_update = [], []
        for (number, row), match in zip(batch, matches, strict=True):
            keys = [k for k in (spec.row_keys(row) if spec.row_keys else ()) if k]
            if duplicate_policy == CREATE:
                action = CREATE
            elif any(k in seen_keys for k in keys):
                action = SKIP  # repeats an earlier row of this file
            elif match is not None:
                action = duplicate_policy
            else:
                action = CREATE
            seen_keys.update(keys)
            if action == CREATE:
                to_create.append(row)
                outcome.created += 1
            elif action == UPDATE:
                to_update.append((match, row))
                outcome.updated += 1
            else:
                outcome.skipped += 1
            if len(outcome.preview) < PREVIEW_ROWS:
                outcome.preview.append(
                    {
                        "row": number,
                        "action": action,
                        "values": [_preview_value(row.get(item.key)) for _index, item in clean.columns],
                    }
                )
        if state["writing"]:
            if to_create:
                spec.create(to_create)
            if to_update:
                spec.update(to_update)

    with transaction.atomic(), ExitStack() as writes:
        if not dry_run:
            writes.enter_context(background_copies())
        batch = []
        for number, cells in table.rows:
            outcome.rows += 1
            row, errors = clean(number, cells)
            if errors:
                outcome.errors += errors
                outcome.error_rows += 1
                if not import_valid_rows:
                    state["writing"] = False  # the file will be refused; keep checking for the report
            else:
                batch.append((number, row))
                if len(batch) >= spec.batch_size:
                    flush(batch)
                    batch = []
            if progress is not None and outcome.rows % progress_every == 0:
                progress(outcome.rows)
        flush(batch)
        writes.close()  # every row written (or the writer's error raised) before the end
        if dry_run:
            pass
        elif outcome.error_rows and not import_valid_rows:
            transaction.set_rollback(True)
        else:
            outcome.imported = True
            if spec.finish is not None:
                spec.finish(
                    {
                        "rows": outcome.rows, "created": outcome.created, "updated": outcome.updated,
                        "skipped": outcome.skipped, "error_rows": outcome.error_rows,
                    }
                )  # fmt: skip
    if progress is not None:
        progress(outcome.rows)
    return outcome

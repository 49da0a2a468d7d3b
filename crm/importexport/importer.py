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
from .mapping import guess_mapping, missing_required
from .reading import EarlyRowsDiffer, Table, open_table
from .spec import ImportSpec

SKIP, UPDATE, CREATE = "skip", "update", "create"
DUPLICATE_POLICIES = [
    (SKIP, gettext_lazy("Skip rows that match an existing record")),
    (UPDATE, gettext_lazy("Update the existing record")),
    (CREATE, gettext_lazy("Create a new record anyway")),
]
PREVIEW_ROWS = 20
# The first batch is small and the next ones grow to the data set's batch size: PostgreSQL, which inserts each
# batch in the writer thread while the next is cleaned, has nothing to do until the first one is written.
FIRST_BATCH_ROWS = 500
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


def checked_mapping(mapping: dict, spec: ImportSpec) -> dict[int, str]:
    """Column index → field key without the ignored columns; refused when a field is taken twice or a
    required one from no column (the message names the fields)."""
    mapping = {int(index): key for index, key in mapping.items() if key}
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError(_("Each field can be taken from one column only."), code="mapping")
    missing = missing_required(mapping, spec)
    if missing:
        raise ValidationError(
            _("Choose a column for: %(fields)s.") % {"fields": ", ".join(str(item.label) for item in missing)},
            code="mapping",
        )
    return mapping


class RowCleaner:
    """Turns the cells of one row into a row of field values, or the errors naming its row and columns."""

    def __init__(self, spec: ImportSpec, table: Table, mapping: dict[int, str]):
        self.spec = spec
        self.table = table
        self.columns = [(index, spec.field(key)) for index, key in sorted(mapping.items())]
        # A column past the header row (a mapping made from another reading of the sheet) is named by its field.
        headers = [*table.headers, *[""] * (max(mapping, default=0) + 1 - len(table.headers))]
        self.header = {item.key: (headers[index] or str(item.label)) for index, item in self.columns}

    def __call__(self, number, cells) -> tuple[dict, list[RowError]]:
        row, errors = {}, []
        for index, item in self.columns:
            value = cells[index] if index < len(cells) else ""
            if not value:
                error = self._empty_cell(number, index, item)
                if error is not None:
                    errors.append(error)
                    continue
                if not item.clean_empty:
                    row[item.key] = None
                    continue
            try:
                row[item.key] = item.clean(value) if item.clean else value
            except ValidationError as error:
                errors += [RowError(number, self.header[item.key], m) for _key, m in _messages(error)]
        if not errors and self.spec.validate_row is not None:
            row = self._validate_row(number, row, errors)
        return row, errors

    def _empty_cell(self, number, index, item) -> RowError | None:
        """An empty cell is an error when a formula's value was never saved there, or the field is required."""
        if self.table.is_formula_without_value(number, index):
            message = _(
                "Cell %(cell)s holds a formula without a saved value: open the file in Excel (or another "
                "spreadsheet program), save it and upload it again."
            ) % {"cell": self.table.cell_name(number, index)}
            return RowError(number, self.header[item.key], message)
        if item.required:
            return RowError(number, self.header[item.key], _("This column is required."))
        return None

    def _validate_row(self, number, row, errors):
        try:
            return self.spec.validate_row(row) or row
        except ValidationError as error:
            for key, message in _messages(error):
                column = self.header.get(key) or (str(self.spec.field(key).label) if key else "")
                errors.append(RowError(number, column, message))
        return row

    def preview(self, row) -> list[str]:
        """The row's values as the preview shows them: choice labels in the reader's language, not codes."""
        return [item.shown(row.get(item.key)) for _index, item in self.columns]


class ImportRun:
    """One import (or dry run) in progress: each row is cleaned, each batch sorted into create, update
    and skip, and written unless the run writes nothing (a dry run, or a file that will be refused)."""

    def __init__(self, *, spec, table, mapping, duplicate_policy, import_valid_rows, dry_run):
        if duplicate_policy not in (SKIP, UPDATE, CREATE):
            raise ValueError(f"unknown duplicate policy {duplicate_policy!r}")
        self.spec = spec
        self.policy = duplicate_policy
        self.import_valid_rows = import_valid_rows
        self.clean = RowCleaner(spec, table, checked_mapping(mapping, spec))
        self.outcome = ImportOutcome(dataset=spec.dataset, dry_run=dry_run)
        self.outcome.preview_headers = [str(item.label) for _index, item in self.clean.columns]
        self.seen_keys: set = set()  # duplicate keys of the rows already read from this file
        self.writing = not dry_run

    def read(self, number, cells) -> dict | None:
        """The cleaned row, or None when it has errors (recorded; they may stop the writes)."""
        self.outcome.rows += 1
        row, errors = self.clean(number, cells)
        if not errors:
            return row
        self.outcome.errors += errors
        self.outcome.error_rows += 1
        if not self.import_valid_rows:
            self.writing = False  # the file will be refused; the rows are still checked for the report
        return None

    def _matches(self, rows):
        if self.policy != CREATE and self.spec.find_existing is not None:
            return self.spec.find_existing(rows)
        return [None] * len(rows)

    def _action(self, row, match) -> str:
        keys = [k for k in (self.spec.row_keys(row) if self.spec.row_keys else ()) if k]
        if self.policy == CREATE:
            action = CREATE
        elif any(k in self.seen_keys for k in keys):
            action = SKIP  # repeats an earlier row of this file
        elif match is not None:
            action = self.policy
        else:
            action = CREATE
        self.seen_keys.update(keys)
        return action

    def sort(self, batch) -> tuple[list, list]:
        """``batch`` of (row number, row) → rows to create and (existing, row) pairs to update; counted."""
        to_create, to_update = [], []
        for (number, row), match in zip(batch, self._matches([row for _number, row in batch]), strict=True):
            action = self._action(row, match)
            if action == CREATE:
                to_create.append(row)
                self.outcome.created += 1
            elif action == UPDATE:
                to_update.append((match, row))
                self.outcome.updated += 1
            else:
                self.outcome.skipped += 1
            if len(self.outcome.preview) < PREVIEW_ROWS:
                self.outcome.preview.append({"row": number, "action": action, "values": self.clean.preview(row)})
        return to_create, to_update

    def write(self, batch):
        if not batch:
            return
        to_create, to_update = self.sort(batch)
        if self.writing and to_create:
            self.spec.create(to_create)
        if self.writing and to_update:
            self.spec.update(to_update)

    def conclude(self):
        """Inside the transaction: a refused file is rolled back; an accepted one is finished by the app."""
        outcome = self.outcome
        if outcome.dry_run:
            return
        if outcome.error_rows and not self.import_valid_rows:
            transaction.set_rollback(True)
            return
        outcome.imported = True
        if self.spec.finish is not None:
            self.spec.finish(
                {
                    "rows": outcome.rows, "created": outcome.created, "updated": outcome.updated,
                    "skipped": outcome.skipped, "error_rows": outcome.error_rows,
                }
            )  # fmt: skip


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
    run = ImportRun(
        spec=spec, table=table, mapping=mapping, duplicate_policy=duplicate_policy,
        import_valid_rows=import_valid_rows, dry_run=dry_run,
    )  # fmt: skip
    with transaction.atomic(), ExitStack() as writes:
        if not dry_run:
            writes.enter_context(background_copies())
        batch = []
        limit = min(FIRST_BATCH_ROWS, spec.batch_size)
        for number, cells in table.rows:
            row = run.read(number, cells)
            if row is not None:
                batch.append((number, row))
                if len(batch) >= limit:
                    run.write(batch)
                    batch = []
                    limit = min(limit * 4, spec.batch_size)
            if progress is not None and run.outcome.rows % progress_every == 0:
                progress(run.outcome.rows)
        run.write(batch)
        writes.close()  # every row written (or the writer's error raised) before the end
        run.conclude()
    if progress is not None:
        progress(run.outcome.rows)
    return run.outcome


def import_file(
    *,
    spec: Callable[[], ImportSpec],
    file,
    name: str | None = None,
    mapping: dict | None = None,
    started: Callable[[Table], None] | None = None,
    **options,
) -> ImportOutcome:
    """Open ``file`` and import it (:func:`run_import`'s ``options``) through a new ``spec()``; ``mapping`` None
    is guessed from the header row; ``started(table)`` is told when the file is open.

    The first rows of a large workbook are read before the rest of it is parsed, so that the database has rows
    to write sooner (``open_table(early_rows=True)``). In the rare workbook whose whole sheet then turns out to
    start with other rows, the import, rolled back by the signal, runs again from the whole sheet.
    """
    for early_rows in (True, False):
        import_spec = spec()
        table = open_table(file, name, meanwhile=import_spec.prepare, early_rows=early_rows)
        if started is not None:
            started(table)
        try:
            return run_import(
                spec=import_spec,
                table=table,
                mapping=guess_mapping(table.headers, import_spec) if mapping is None else mapping,
                **options,
            )
        except EarlyRowsDiffer:
            if not early_rows:
                raise
    raise AssertionError("unreachable")  # pragma: no cover

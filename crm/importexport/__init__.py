"""The import/export engine every app uses: an app describes its data set, the engine does the rest.

- :mod:`.reading`: upload limits, type and zip-bomb checks, CSV encodings, row iteration;
- :mod:`.spec`: ``ImportSpec`` / ``ImportField``, the app's description of a data set (choice fields are
  read by value, English or Chinese label or alias);
- :mod:`.cleaners`: cell cleaners a spec's fields use (text, choices, e-mail, URLs, lists);
- :mod:`.mapping`: guessing the column mapping from the header row;
- :mod:`.importer`: dry run and import with duplicate and error policies, in named steps
  (``checked_mapping``, ``RowCleaner``, ``ImportRun``);
- :mod:`.bulk`: writing imported rows with PostgreSQL COPY, history rows included;
- :mod:`.cells`: what a cell shows (choice labels, local times, formula-like text neutralised);
- :mod:`.exporter`: XLSX/CSV writers in constant memory (:mod:`.xlsx`, the streaming XLSX writer for large
  exports; :mod:`.sqlexport`, rows PostgreSQL writes itself when every column allows);
- :mod:`.exports`: ``DatasetExport``, the one way an app declares an export (now or as a job);
- :mod:`.jobs`: running either as a background job with progress;
- :mod:`.flow`, :mod:`.forms`, :mod:`.views` (templates in ``templates/crm/import/``): the one import flow,
  upload → columns → dry run → import, that every app's import page is (``ImportFlow``).

It imports no app: apps pass in their specs, querysets and fields.
"""

from .cells import choice_display, neutralise
from .exporter import ExportField, write_rows
from .importer import CREATE, DUPLICATE_POLICIES, SKIP, UPDATE, ImportOutcome, RowError, import_file, run_import
from .mapping import guess_mapping, normalise_header
from .reading import Table, detect_encoding, open_table
from .spec import ImportField, ImportSpec

__all__ = [
    "CREATE", "DUPLICATE_POLICIES", "SKIP", "UPDATE", "ExportField", "ImportField", "ImportOutcome", "ImportSpec",
    "RowError", "Table", "choice_display", "detect_encoding", "guess_mapping", "import_file", "neutralise",
    "normalise_header", "open_table", "run_import", "write_rows",
]  # fmt: skip

"""Customers as a data set of the import/export engine (``crm.importexport``), in named steps:

- :mod:`.columns`: the columns a file may have, their English and Chinese headers, the words accepted for
  each choice and how each cell is cleaned (by the customer form's validators);
- :mod:`.checks`: the owner column and the checks of a whole row;
- :mod:`.duplicates`: which rows duplicate a customer, by :mod:`customers.dedupe`'s rule (phone or contact
  mobile, e-mail, name), one or two queries a batch;
- :mod:`.writing`: new customers, contacts, tags and history rows by COPY per batch, updates with their
  history, one behaviour-log entry per import;
- :mod:`.export`: the columns of an export (whose labels the import recognises as headers).

:func:`customer_import_spec` puts the steps together as the engine's ImportSpec for one importing user.
"""

from crm.importexport import ImportSpec

from .checks import OwnerColumn, validate_row
from .columns import import_fields
from .duplicates import PRELOAD_MAX_CUSTOMERS, ExistingCustomers, duplicate_keys
from .export import DEFAULT_EXPORT_FIELDS, export_fields
from .writing import DATASET, CustomerWriter

# Rows cleaned, checked and written together: five statements a batch (customers, their history, contacts,
# theirs, tags), so larger batches mean fewer round trips and fewer waits between the two threads of an import.
BATCH_SIZE = 5000


def customer_import_spec(*, actor, file_name="") -> ImportSpec:
    """The customer ImportSpec for one importing user."""
    existing = ExistingCustomers(actor=actor)
    writer = CustomerWriter(actor=actor, file_name=file_name)
    return ImportSpec(
        dataset=DATASET,
        fields=import_fields(OwnerColumn(actor=actor)),
        validate_row=validate_row,
        row_keys=duplicate_keys,
        find_existing=existing.find,
        create=writer.create,
        update=writer.update,
        finish=writer.finish,
        prepare=existing.prepare,
        batch_size=BATCH_SIZE,
    )


__all__ = [
    "BATCH_SIZE", "DATASET", "DEFAULT_EXPORT_FIELDS", "PRELOAD_MAX_CUSTOMERS", "customer_import_spec", "export_fields",
    "import_fields",
]  # fmt: skip

"""What an app tells the engine about one data set it imports: fields, checks, duplicates and writes."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import cleaners


@dataclass(frozen=True)
class ImportField:
    """One column the data set accepts.

    ``clean`` takes the cell's text (stripped, possibly empty) and returns the value, or raises
    ``django.core.exceptions.ValidationError`` with a message for the user. It is not called for an
    empty cell unless ``clean_empty`` is set; an empty cell of a ``required`` field is an error.

    A choice field gives ``choices`` (value, label) instead of ``clean``: a cell may hold the value, the
    English or Chinese label or one of ``choice_aliases[value]``, in any case; the preview and messages
    show the label in the reader's language. ``display`` turns any other cleaned value into preview text.
    """

    key: str
    label: Any
    aliases: Sequence[str] = ()
    required: bool = False
    clean: Callable[[str], Any] | None = None
    clean_empty: bool = False
    help_text: Any = ""
    choices: Sequence[tuple[str, Any]] = ()
    choice_aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)
    display: Callable[[Any], str] | None = None

    def __post_init__(self):
        if self.choices and self.clean is None:
            object.__setattr__(self, "clean", cleaners.choice(self.choices, aliases=self.choice_aliases))
        if self.choices and self.display is None:
            labels = dict(self.choices)
            object.__setattr__(self, "display", lambda value: str(labels.get(value, value)))

    def shown(self, value) -> str:
        """A cleaned value as the preview shows it: labels for choices, lists joined, nothing for None."""
        if value is None or value == "":
            return ""
        if self.display is not None:
            return self.display(value)
        if isinstance(value, list | tuple | set):
            return ", ".join(str(v) for v in value)
        return str(value)


@dataclass
class ImportSpec:
    """The app's side of an import.

    - ``validate_row(row)`` checks a cleaned row as a whole (may return a changed row); it raises
      ``ValidationError``, a dict of field key → message naming the column where it can.
    - ``row_keys(row)`` gives the duplicate keys of a row (for example ``("phone", "13800138000")``);
      two rows of one file sharing a key are duplicates of each other.
    - ``find_existing(rows)`` takes a batch of cleaned rows and returns, in the same order, the existing
      record each one duplicates, or ``None``: one query per batch, not one per row.
    - ``create(rows)`` and ``update(pairs)`` write a batch (``pairs`` of ``(existing, row)``).
    - ``finish(counts)`` runs once after a real import inside its transaction, e.g. to log it.
    - ``prepare()`` does what needs no row of the file (e.g. reading the records ``find_existing`` compares
      with); callers pass it to ``open_table``, which runs it while a workbook is parsed.
    """

    dataset: str
    fields: Sequence[ImportField]
    create: Callable[[list[dict]], None]
    update: Callable[[list[tuple[Any, dict]]], None] | None = None
    find_existing: Callable[[list[dict]], list[Any]] | None = None
    row_keys: Callable[[dict], Iterable] | None = None
    validate_row: Callable[[dict], dict | None] | None = None
    finish: Callable[[dict], None] | None = None
    prepare: Callable[[], None] | None = None
    batch_size: int = 1000
    extra: dict = field(default_factory=dict)

    def field(self, key: str) -> ImportField:
        for item in self.fields:
            if item.key == key:
                return item
        raise KeyError(key)

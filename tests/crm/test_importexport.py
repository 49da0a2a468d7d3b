"""The import/export engine on its own: reading, limits, mapping, policies and writers."""

import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from crm.importexport import ImportField, ImportSpec, guess_mapping, neutralise, open_table, run_import, write_rows
from crm.importexport.reading import detect_encoding

pytestmark = pytest.mark.django_db  # an import runs in a transaction

HEADERS = ["名称", "电话", "Note"]
ROWS = [["华信科技", "021-1", "=1+1"], ["Acme", "021-2", ""]]


def xlsx_bytes(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def upload(name, content):
    return SimpleUploadedFile(name, content)


class MemorySpec:
    """A data set kept in a dict: name → phone; duplicates by name."""

    def __init__(self, existing=()):
        self.store = dict(existing)
        self.finished = None

    def clean_phone(self, value):
        if not value.startswith("0"):
            raise ValidationError("A phone starts with 0.")
        return value

    def create(self, rows):
        self.store.update({r["name"]: r["phone"] for r in rows})
        # Also written to a real table, to see the transaction roll back.
        Group.objects.bulk_create([Group(name=f"import-{r['name']}") for r in rows])

    def spec(self):
        return ImportSpec(
            dataset="things",
            fields=[
                ImportField("name", "Name", ("名称", "客户名称"), required=True),
                ImportField("phone", "Phone", ("电话", "联系电话"), clean=self.clean_phone),
            ],
            row_keys=lambda row: [row["name"].casefold()],
            find_existing=lambda rows: [r["name"] if r["name"] in self.store else None for r in rows],
            create=self.create,
            update=lambda pairs: self.store.update({name: r["phone"] for name, r in pairs}),
            finish=lambda counts: setattr(self, "finished", counts),
            batch_size=2,
        )


def test_detect_encoding_bom_utf8_and_gbk():
    """A BOM means utf-8-sig, clean UTF-8 stays UTF-8, anything else is read as GB18030."""
    assert detect_encoding("\ufeff名称".encode()) == "utf-8-sig"
    assert detect_encoding("名称".encode()) == "utf-8"
    assert detect_encoding("名称".encode("gbk")) == "gb18030"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding_reads_the_same_chinese_text(encoding):
    """UTF-8, UTF-8 with BOM and GBK files give the same headers and cells, numbered as in the sheet."""
    table = open_table(upload("data.csv", csv_bytes([HEADERS, *ROWS], encoding)))
    assert table.headers == HEADERS
    assert list(table.rows) == [(2, ROWS[0]), (3, ROWS[1])]


@pytest.fixture(params=["calamine", "openpyxl"])
def xlsx_reader(request, monkeypatch):
    """Both readers: python-calamine (the fast one) and openpyxl read-only (the fallback)."""
    if request.param == "openpyxl":
        from crm.importexport import reading

        monkeypatch.setattr(reading, "_read_xlsx", reading._read_xlsx_openpyxl)
    return request.param


def test_xlsx_reads_rows_with_sheet_numbers_and_skips_blank_rows(xlsx_reader):
    """Numbers come back as typed (no .0) and blank rows are skipped without renumbering."""
    table = open_table(upload("data.xlsx", xlsx_bytes([HEADERS, ["华信", 13800138000, None], [], ["Acme", "0", "x"]])))
    assert table.headers == HEADERS
    assert list(table.rows) == [(2, ["华信", "13800138000", ""]), (4, ["Acme", "0", "x"])]


def test_xlsx_dates_and_a_leading_blank_row(xlsx_reader):
    """A date cell reads as an ISO date; a blank first row does not shift the row numbers."""
    import datetime

    table = open_table(upload("data.xlsx", xlsx_bytes([[], ["Name", "Since"], ["Acme", datetime.date(2026, 11, 23)]])))
    assert table.headers == ["Name", "Since"]
    assert list(table.rows) == [(3, ["Acme", "2026-11-23"])]


def test_extension_and_content_must_agree():
    """A .txt is refused, and so is a CSV posing as .xlsx or a zip that holds no workbook."""
    with pytest.raises(ValidationError, match=r"allowed: csv, xlsx"):
        open_table(upload("data.txt", b"a,b"))
    with pytest.raises(ValidationError, match="not a XLSX file"):
        open_table(upload("data.xlsx", b"name,phone\nx,y\n"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        open_table(upload("data.xlsx", archive.getvalue()))
    with pytest.raises(ValidationError, match="not CSV text"):
        open_table(upload("data.csv", archive.getvalue()))


def test_oversize_file_is_refused_naming_the_limit(settings):
    """A file over IMPORT_MAX_BYTES is refused before it is read."""
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="larger than the limit of 100"):
        open_table(upload("data.csv", b"name\n" + b"x" * 200))


def test_too_many_rows_is_refused_naming_the_limit(settings):
    settings.IMPORT_MAX_ROWS = 3
    table = open_table(upload("data.csv", csv_bytes([["name"]] + [[f"n{i}"] for i in range(5)], "utf-8")))
    with pytest.raises(ValidationError, match="IMPORT_MAX_ROWS"):
        list(table.rows)


def _bomb(member_size):
    """A real workbook plus one member of ``member_size`` zero bytes: tiny on disk, huge unpacked."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADERS])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in source.infolist():
            zf.writestr(item, source.read(item))
        with zf.open("xl/media/padding.bin", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(member_size // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def test_zip_bomb_refused_by_unpacked_size_before_opening(settings, monkeypatch):
    """The central directory says it would unpack past the limit: refused, openpyxl never called."""
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    content = _bomb(8 * 1024 * 1024)
    assert len(content) < 100_000
    import openpyxl
    import python_calamine

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened the bomb"))
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", None)  # any use would fail
    with pytest.raises(ValidationError, match="IMPORT_MAX_UNCOMPRESSED_BYTES"):
        open_table(upload("bomb.xlsx", content))


def test_zip_bomb_refused_by_compression_ratio(settings):
    """A member compressed hundreds of times is refused even under the size limit."""
    with pytest.raises(ValidationError, match="IMPORT_MAX_COMPRESSION_RATIO"):
        open_table(upload("bomb.xlsx", _bomb(4 * 1024 * 1024)))


def test_declared_huge_member_refused_without_inflating(settings):
    """A member whose directory entry declares ~4 GB is refused from the directory alone."""
    content = bytearray(_bomb(1024 * 1024))
    name = b"xl/media/padding.bin"
    entry = content.rfind(b"PK\x01\x02", 0, content.rfind(name))  # its central directory header
    content[entry + 24 : entry + 28] = (0xF0000000).to_bytes(4, "little")  # uncompressed size
    assert zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(name.decode()).file_size == 0xF0000000
    with pytest.raises(ValidationError, match="would unpack to 3.8"):
        open_table(upload("bomb.xlsx", bytes(content)))


def test_header_guessing_folds_case_width_space_and_chinese_aliases():
    spec = MemorySpec().spec()
    assert guess_mapping(["客户名称 *", "ＰＨＯＮＥ"], spec) == {0: "name", 1: "phone"}
    assert guess_mapping(["联系电话", "Unknown", " name "], spec) == {0: "phone", 2: "name"}
    assert guess_mapping(["名称", "Name"], spec) == {0: "name"}  # first column wins


def _table(rows):
    return open_table(upload("data.csv", csv_bytes([["名称", "电话"], *rows], "utf-8")))


GOOD = [["A", "01"], ["B", "02"], ["C", "03"]]


def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_written():
    """By default one bad row stops the whole file; every error is still listed."""
    memory = MemorySpec()
    outcome = run_import(
        spec=memory.spec(), table=_table([*GOOD, ["D", "9"], ["", "04"]]), mapping={0: "name", 1: "phone"}
    )
    assert not Group.objects.filter(name__startswith="import-").exists()  # the first batch was rolled back
    assert memory.finished is None
    assert not outcome.imported
    assert [(e.row, e.column, e.message) for e in outcome.errors] == [
        (5, "电话", "A phone starts with 0."),
        (6, "名称", "This column is required."),
    ]


def test_batches_start_small_and_grow_to_the_batch_size_with_every_row_written_once(monkeypatch):
    """The first batch is small, so that PostgreSQL starts inserting early; rows repeated across batches are still
    skipped as repeats of the file."""
    from crm.importexport import importer

    monkeypatch.setattr(importer, "FIRST_BATCH_ROWS", 1)
    memory = MemorySpec()
    sizes = []
    spec = memory.spec()
    spec.batch_size = 8
    spec.create = lambda rows: (sizes.append(len(rows)), memory.create(rows))
    rows = [[f"n{i}", f"0{i}"] for i in range(20)] + [["n0", "099"]]
    outcome = run_import(spec=spec, table=_table(rows), mapping={0: "name", 1: "phone"})
    assert sizes == [1, 4, 8, 7]
    assert (outcome.created, outcome.skipped) == (20, 1)
    assert memory.store == {f"n{i}": f"0{i}" for i in range(20)}


def test_import_valid_rows_keeps_only_the_good_ones():
    memory = MemorySpec()
    outcome = run_import(
        spec=memory.spec(), table=_table([*GOOD, ["D", "9"]]), mapping={0: "name", 1: "phone"}, import_valid_rows=True
    )
    assert memory.store == {"A": "01", "B": "02", "C": "03"}
    assert Group.objects.filter(name__startswith="import-").count() == 3
    assert (outcome.created, outcome.error_rows, outcome.imported) == (3, 1, True)
    assert memory.finished["created"] == 3


@pytest.mark.parametrize(
    "policy, store, counts",
    [
        ("skip", {"A": "00", "B": "02", "C": "03"}, (2, 0, 2)),
        ("update", {"A": "01", "B": "02", "C": "03"}, (2, 1, 1)),
        ("create", {"A": "01", "B": "02", "C": "03"}, (4, 0, 0)),
    ],
)
def test_duplicate_policies(policy, store, counts):
    """An existing match is skipped, updated, or created anyway; a repeat within the file is skipped."""
    memory = MemorySpec(existing={"A": "00"})
    rows = [*GOOD, ["b", "05"]]  # "b" repeats "B" (keys fold case)
    outcome = run_import(
        spec=memory.spec(), table=_table(rows), mapping={0: "name", 1: "phone"}, duplicate_policy=policy
    )
    assert (outcome.created, outcome.updated, outcome.skipped) == counts
    expected = dict(store)
    if policy == "create":
        expected["b"] = "05"
    assert memory.store == expected


def test_dry_run_counts_and_previews_without_writing():
    memory = MemorySpec(existing={"A": "00"})
    outcome = run_import(spec=memory.spec(), table=_table(GOOD), mapping={"0": "name", "1": "phone"}, dry_run=True)
    assert memory.store == {"A": "00"}
    assert (outcome.created, outcome.skipped) == (2, 1)
    assert [p["row"] for p in outcome.preview] == [2, 3, 4]
    assert outcome.preview[0] == {"row": 2, "action": "skip", "values": ["A", "01"]}


def test_missing_required_column_is_a_clear_error():
    with pytest.raises(ValidationError, match="Choose a column for: Name"):
        run_import(spec=MemorySpec().spec(), table=_table(GOOD), mapping={1: "phone"})


def test_neutralise_formula_cells():
    assert [neutralise(v) for v in ["=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx", "ok", 5, None]] == [
        "'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "'\rx", "ok", 5, None,
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_writers_neutralise_and_keep_chinese(fmt):
    out = io.BytesIO()
    count = write_rows(out, fmt, ["名称", "公式"], iter([["华信", '=HYPERLINK("x")'], ["Acme", 3]]))
    assert count == 2
    if fmt == "csv":
        assert out.getvalue().startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(out.getvalue())).active
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == [["名称", "公式"], ["华信", '\'=HYPERLINK("x")'], ["Acme", "3"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_visible_to_other_connections_while_the_import_transaction_is_open(django_user_model):
    """The page polls the job from another connection; it sees progress before the import commits."""
    from django.db import connections

    from crm.importexport.jobs import SideChannel
    from crm.jobs import job_create

    user = django_user_model.objects.create(username="importer")
    job = job_create(user=user, kind="import", dataset="things")
    side = SideChannel(job)
    side.start(total=6)
    seen = []
    observer = connections.create_connection("default")

    def create(rows):
        with observer.cursor() as cursor:
            cursor.execute("SELECT status, processed, total FROM crm_job WHERE id = %s", [job.pk])
            seen.append(cursor.fetchone())

    spec = MemorySpec().spec()
    spec.create = create
    run_import(spec=spec, table=_table([*GOOD, ["D", "04"], ["E", "05"], ["F", "06"]]), mapping={0: "name", 1: "phone"},
               progress=side.progress, progress_every=2)  # fmt: skip
    side.close()
    observer.close()
    assert seen == [("running", 0, 6), ("running", 2, 6), ("running", 4, 6)]


COLOURS = [("red", "Red"), ("dark_blue", "Dark blue"), ("green", "Green")]


def test_a_choice_is_read_by_value_label_alias_or_unique_beginning_in_any_case():
    clean = ImportField("colour", "Colour", choices=COLOURS, choice_aliases={"red": ["赤"]}).clean
    assert [clean(v) for v in ("red", "RED", "Dark Blue", "dark_blue", "赤", "gre", "DARK")] == [
        "red", "red", "dark_blue", "dark_blue", "red", "green", "dark_blue",
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="“r” is not one of: Red, Dark blue, Green"):
        clean("r")  # one letter begins too much to be a choice


def test_the_preview_shows_choice_labels_in_the_readers_language_never_codes():
    from django.utils import translation

    from customers.models import Customer

    memory = MemorySpec()
    spec = memory.spec()
    spec.fields = [*spec.fields[:1], ImportField("industry", "Industry", ("行业",), choices=Customer.Industry.choices)]
    table = open_table(upload("data.csv", csv_bytes([["名称", "行业"], ["A", "Healthcare"], ["B", "x"]], "utf-8")))
    with translation.override("zh-hans"):
        outcome = run_import(spec=spec, table=table, mapping={0: "name", 1: "industry"}, dry_run=True)
    assert outcome.preview[0]["values"] == ["A", "医疗健康"]
    assert "healthcare" not in str(outcome.as_result())
    [error] = outcome.errors
    assert (error.row, error.column) == (3, "行业")
    assert "医疗健康" in error.message and "healthcare" not in error.message


def test_a_formula_cell_without_a_saved_value_is_reported_naming_the_cell_not_as_required():
    """openpyxl writes formulas without their values; a cell like that reads as empty but is not."""
    rows = [["名称", "电话"], ['=B3&"x"', "01"], ["Acme", "=1+1"], ["Globex", "03"]]
    memory = MemorySpec()
    outcome = run_import(
        spec=memory.spec(), table=open_table(upload("data.xlsx", xlsx_bytes(rows))), mapping={0: "name", 1: "phone"}
    )
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "名称"), (3, "电话")]
    assert "A2" in outcome.errors[0].message and "formula without a saved value" in outcome.errors[0].message
    assert "B3" in outcome.errors[1].message
    assert "required" not in outcome.errors[0].message


def test_a_workbook_without_formulas_has_no_formula_cells():
    table = open_table(upload("data.xlsx", xlsx_bytes([["名称", "电话"], ["A", "01"]])))
    assert table.formulas_without_value == frozenset()


@pytest.mark.parametrize("name", ["data.xlsx", "data.csv"])
def test_work_that_needs_no_row_runs_once_while_the_file_is_read(name):
    """``meanwhile`` (the import's preparation) runs once, after the upload checks; the rows are as without it."""
    rows = [["名称", "电话"], ["华信", "01"], ["Acme", "02"]]
    content = xlsx_bytes(rows) if name.endswith("xlsx") else csv_bytes(rows, "utf-8")
    calls = []
    table = open_table(upload(name, content), meanwhile=lambda: calls.append("prepared"))
    assert calls == ["prepared"]
    assert table.headers == ["名称", "电话"]
    assert [cells for _number, cells in table.rows] == [["华信", "01"], ["Acme", "02"]]


def test_an_unchecked_file_is_not_prepared_for():
    calls = []
    with pytest.raises(ValidationError):
        open_table(upload("data.xlsx", b"name,phone\nx,y\n"), meanwhile=lambda: calls.append("prepared"))
    assert calls == []


def test_a_workbook_is_left_at_its_start_for_saving():
    """The upload step saves the file after reading its header row: from the start."""
    file = upload("data.xlsx", xlsx_bytes([["名称"], ["华信"]]))
    open_table(file)
    assert file.tell() == 0


def test_a_workbook_calamine_cannot_parse_is_refused_in_the_readers_language():
    """The sheet is parsed in a background thread; its error still reaches the user as a message in their
    language, not as the parser's exception."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("[Content_Types].xml", "<Types/>")
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="无法读取 Excel 工作簿"):
        open_table(upload("data.xlsx", archive.getvalue()))

"""The streaming XLSX writer of exports: what it writes reads back the same in openpyxl and calamine."""

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from crm.importexport.exporter import write_xlsx

ROWS = [
    ["杭州云杉智能科技有限公司", 87, 1.5, True, datetime.datetime(2026, 3, 1, 9, 30, 15), datetime.date(2026, 3, 2)],
    ["a < b & c > d", None, Decimal("12.50"), False, "", "  padded  "],
    ['=HYPERLINK("x")', -3, 0, None, "line one\nline two", "bell\x07 removed"],
    [["重点客户", "展会"], "", "", "", "", ""],
]


def _written():
    out = io.BytesIO()
    count = write_xlsx(out, ["名称", "分数", "金额", "是", "创建", "日期"], ROWS)
    assert count == len(ROWS)
    return out.getvalue()


def test_cells_read_back_with_their_types_in_openpyxl():
    sheet = load_workbook(io.BytesIO(_written())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["名称", "分数", "金额", "是", "创建", "日期"]
    assert values[1] == ["杭州云杉智能科技有限公司", 87, 1.5, True, datetime.datetime(2026, 3, 1, 9, 30, 15),
                         datetime.datetime(2026, 3, 2)]  # fmt: skip
    assert values[2] == ["a < b & c > d", None, 12.5, False, None, "  padded  "]
    # formula-like text is neutralised, never a formula; control characters XML cannot hold are dropped
    assert values[3] == ['\'=HYPERLINK("x")', -3, 0, None, "line one\nline two", "bell removed"]
    assert values[4][0] == "重点客户, 展会"


def test_calamine_reads_the_same_text():
    rows = CalamineWorkbook.from_filelike(io.BytesIO(_written())).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "杭州云杉智能科技有限公司" and rows[2][0] == "a < b & c > d"
    assert len(rows) == len(ROWS) + 1


def test_progress_is_reported_every_so_many_rows():
    seen = []
    write_xlsx(io.BytesIO(), ["n"], ([n] for n in range(12)), progress=seen.append, progress_every=5)
    assert seen == [5, 10]

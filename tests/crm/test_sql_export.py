"""Exports whose cells PostgreSQL writes (``COPY``) hold exactly what the Python writers would have written: text
with markup, line breaks, backslashes and control characters, formula-like text, choices, moments, numbers, flags
and empty cells, in XLSX and CSV; the app's exports all take that path."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from crm.importexport.cells import choice_display, local_time_text
from crm.importexport.exporter import ExportField, write_queryset
from crm.importexport.sqlexport import copy_statement
from crm.models import BehaviourLog
from customers.importing import export_fields as customer_fields
from customers.models import Customer
from tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db

TRICKY = [
    '=HYPERLINK("http://evil.example")',
    "+86 21 6888 1234",
    "a & b < c > d \"q\" 'single'",
    "line one\nline two\r\n\ttabbed",
    "back\\slash \\n not a newline",
    "bell\x07 and form\x0c feed and \ufffe",
    "  leading and trailing  ",
    "上海华信科技有限公司",
    "",
]


def _customer_fields():
    return [
        ExportField("name", _("Name"), "name"),
        ExportField("stage", _("Lifecycle stage"), "lifecycle_stage", choice_display(Customer.Lifecycle.choices)),
        ExportField("owner", _("Owner"), "owner__username"),
        ExportField("score", _("Data quality"), "quality_score"),
        ExportField("created", _("Created"), "created_at"),
        ExportField("created_text", _("Created"), "created_at", local_time_text),
        ExportField("id", _("Number"), "pk"),
    ]


def _both_ways(fmt, fields, queryset):
    """(PostgreSQL's file, Python's file) for the same rows."""
    sql, python = io.BytesIO(), io.BytesIO()
    assert copy_statement(queryset, fields, fmt) is not None
    write_queryset(sql, fmt, fields, queryset)
    batch = [*fields, ExportField("none", "", "pk", batch=lambda pks: {})]  # a batch field: the Python way
    write_queryset(python, fmt, batch, queryset)
    return sql.getvalue(), python.getvalue()


def _sheet(content):
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
def test_postgresql_writes_the_same_workbook_as_python(rep_user, zone):
    for i, name in enumerate(TRICKY):
        CustomerFactory(name=name or f"blank {i}", owner=rep_user, address=name, quality_score=i * 7)
    Customer.objects.filter(name="blank 8").update(name="")
    Customer.objects.filter(quality_score=14).update(lifecycle_stage="retired-stage")
    Customer.objects.filter(quality_score=21).update(created_at=datetime.datetime(2026, 3, 8, 6, 30, 15, 250000,
                                                                                  tzinfo=datetime.UTC))  # fmt: skip
    queryset = Customer.objects.order_by("pk")
    with timezone.override(zone), translation.override("zh-hans"):
        sql, python = _both_ways("xlsx", _customer_fields(), queryset)
    sql_rows, python_rows = _sheet(sql), _sheet(python)
    assert [row[:-1] for row in python_rows] == sql_rows  # Python's has the batch column on the end
    names = [row[0] for row in sql_rows[1:]]
    assert names[0] == '\'=HYPERLINK("http://evil.example")' and names[1] == "'+86 21 6888 1234"
    # An XML reader reads a carriage return before a line feed as the line feed alone, both ways.
    assert names[3] == "line one\nline two\n\ttabbed" and names[4] == "back\\slash \\n not a newline"
    assert names[5] == "bell and form feed and " and names[6] == "  leading and trailing  "
    assert names[8] is None
    assert sql_rows[3][1] == "retired-stage" and sql_rows[1][1] == "潜在客户"


def test_a_moment_is_the_same_serial_number_to_the_last_digit(rep_user):
    # Moments whose serial number the two ways once wrote one digit apart in the last place (openpyxl then read a
    # moment at half a millisecond as two different milliseconds).
    moments = ["2026-12-06 16:53:16.878287", "2026-12-06 16:57:10.069464", "2026-12-06 17:00:22.642630"]
    for moment in moments:
        customer = CustomerFactory(owner=rep_user)
        at = datetime.datetime.fromisoformat(moment).replace(tzinfo=datetime.UTC)
        Customer.objects.filter(pk=customer.pk).update(created_at=at)  # not auto_now_add's
    fields = [ExportField("created", _("Created"), "created_at"), ExportField("id", _("Number"), "pk")]
    with timezone.override("UTC"):
        sql, python = _both_ways("xlsx", fields, Customer.objects.order_by("pk"))

    def serials(content):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return re.findall(r'<c s="1"><v>([^<]*)</v>', book.read("xl/worksheets/sheet1.xml").decode())

    assert serials(sql) == serials(python) == ["46362.703667572765", "46362.70636654473", "46362.708595400814"]


def test_postgresql_writes_the_same_csv_as_python(rep_user):
    for name in TRICKY[:-1]:
        CustomerFactory(name=name, owner=rep_user, notes=name)
    queryset = Customer.objects.order_by("pk")
    fields = [*_customer_fields(), ExportField("notes", _("Notes"), "notes")]
    with timezone.override("Asia/Shanghai"):
        sql, python = _both_ways("csv", fields, queryset)
    read = lambda content: list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))  # noqa: E731
    sql_rows, python_rows = read(sql), read(python)
    # Python writes a moment with its microseconds; PostgreSQL to the second, as the time column does.
    trim = lambda rows: [[cell[:19] for cell in row] for row in rows]  # noqa: E731
    assert trim(row[:-1] for row in python_rows) == trim(sql_rows)
    assert sql_rows[1][0] == '\'=HYPERLINK("http://evil.example")'


def test_every_app_export_is_written_by_postgresql(rep_user):
    from sales.models import Opportunity
    from sales.services.exports import export_fields as opportunity_fields
    from security.services.log_export import FIELDS as LOG_FIELDS
    from service.models import Ticket
    from service.services.exports import export_fields as ticket_fields

    customer = CustomerFactory(owner=rep_user)
    customer.tags.set([TagFactory(name="展会"), TagFactory(name="Zeta"), TagFactory(name="alpha")])
    for fmt in ("xlsx", "csv"):
        assert copy_statement(Customer.objects.all(), customer_fields(), fmt)
        assert copy_statement(Opportunity.objects.all(), opportunity_fields(), fmt)
        assert copy_statement(Ticket.objects.all(), ticket_fields(), fmt)
        assert copy_statement(BehaviourLog.objects.all(), LOG_FIELDS, fmt)
    out = io.BytesIO()
    tags = [f for f in customer_fields() if f.key == "tags"]
    write_queryset(out, "csv", tags, Customer.objects.all())
    assert out.getvalue().decode("utf-8-sig").splitlines()[1] == '"Zeta, alpha, 展会"'


def test_numbers_dates_and_flags_keep_their_types_in_the_workbook(rep_user):
    from sales.models import Opportunity
    from tests.sales.factories import OpportunityFactory

    OpportunityFactory(owner=rep_user, amount=Decimal("1234.50"), expected_close_date=datetime.date(2026, 6, 30))
    fields = [
        ExportField("amount", _("Amount"), "amount"),
        ExportField("close", _("Expected close date"), "expected_close_date"),
    ]
    out = io.BytesIO()
    write_queryset(out, "xlsx", fields, Opportunity.objects.all())
    row = _sheet(out.getvalue())[1]
    assert row[0] == 1234.5 and row[1] == datetime.datetime(2026, 6, 30)

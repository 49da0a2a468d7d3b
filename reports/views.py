"""Reports pages: home, dashboards, big screen, report templates, the custom builder, saved reports,
schedules and statistics. Views parse input, call a selector or service, and render or export."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.forms import call_service
from customers import selectors as customer_selectors
from customers.models import Customer

from . import exports, selectors, services
from .forms import BuilderForm, DashboardFilterForm, SaveReportForm, ScheduleForm, StatisticsForm
from .registry import templates_for
from .tables import Table

PAGE_ROWS = 200


def home(request):
    """The user's own numbers, first thing after signing in."""
    context = {}
    if request.user.has_perm("customers.view_customer"):
        numbers = customer_selectors.my_numbers(user=request.user)
        context["numbers"] = numbers
        context["lifecycle_chart"] = {
            "labels": [str(label) for label in Customer.Lifecycle.labels],
            "values": [numbers[f"mine_{stage}"] for stage in ("prospects", "customers", "vip", "churned")],
        }
        context["recent_customers"] = customer_selectors.recent_customers(user=request.user)
        context["quality_chart"] = customer_selectors.quality_distribution(user=request.user)
    return render(request, "reports/home.html", context)


def _export_response(request, *, name, tables, detail=None, subtitle="", charts=()):
    fmt = request.GET.get("format", "")
    try:
        content = services.report_export(
            actor=request.user, name=name, tables=tables, fmt=fmt, detail=detail, subtitle=subtitle, charts=charts
        )
    except ValidationError:
        raise Http404 from None
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, exports.filename(str(name), fmt))
    return response


def _filter_form(request):
    return DashboardFilterForm(
        request.GET or None,
        teams=selectors.filter_teams(user=request.user),
        owners=selectors.filter_owners(user=request.user),
    )


@require_GET
@permission_required("reports.view_dashboard", raise_exception=True)
def dashboard(request):
    form = _filter_form(request)
    filters = form.filters()
    data = selectors.dashboard(user=request.user, filters=filters)
    if request.GET.get("format"):
        tables = [chart.table() for _panel, chart in data["charts"]]
        return _export_response(
            request,
            name=_("Dashboard"),
            tables=tables,
            detail={"filters": filters.query()},
            subtitle=f"{filters.start} – {filters.end}",
        )
    context = {"form": form, "filters": filters, **data}
    return render(request, "reports/dashboard.html", context)


@require_GET
@permission_required("reports.view_dashboard", raise_exception=True)
def big_screen(request):
    """Full-screen, dark, large numbers; the page re-fetches its body every minute (htmx polling)."""
    filters = _filter_form(request).filters()
    data = selectors.dashboard(user=request.user, filters=filters, big_screen=True)
    template = "reports/partials/big_screen_body.html" if request.htmx else "reports/big_screen.html"
    return render(request, template, {"filters": filters, **data})


@require_GET
def template_list(request):
    templates = templates_for(request.user)
    if not templates:
        raise Http404
    return render(request, "reports/template_list.html", {"templates": templates})


@require_GET
def template_detail(request, key):
    form = _filter_form(request)
    filters = form.filters()
    template, tables = selectors.template_tables(user=request.user, key=key, filters=filters)
    if request.GET.get("format"):
        return _export_response(
            request,
            name=template.title,
            tables=tables,
            detail={"template": key},
            subtitle=f"{filters.start} – {filters.end}" if template.uses_period else "",
        )
    if not template.uses_period:
        for name in ("period", "start", "end"):
            form.fields.pop(name)
    return render(request, "reports/template_detail.html", {"template": template, "tables": tables, "form": form})


def _builder_form(request, data):
    datasets, dataset = selectors.builder_datasets(user=request.user, key=(data or {}).get("dataset") or "")
    return BuilderForm(data, datasets=datasets, dataset=dataset)


@require_GET
@permission_required("reports.add_savedreport", raise_exception=True)
def report_builder(request):
    """Build a report; the query string holds the whole definition so a result can be bookmarked."""
    editing = None
    data = request.GET.copy() if request.GET else None
    if request.GET.get("report"):
        editing = selectors.saved_report_owned(user=request.user, pk=request.GET["report"])
        if "dataset" not in request.GET:
            data = BuilderForm.initial_from(editing.dataset, editing.definition)
    form = _builder_form(request, data)
    table = chart = None
    definition = None
    if data and form.is_valid():
        definition = form.definition()
        result = call_service(form, selectors.report_result, user=request.user, dataset=form.dataset,
                              definition=definition)  # fmt: skip
        if result:
            table, chart = result
        else:
            definition = None
    if table is not None and request.GET.get("format"):
        return _export_response(request, name=form.dataset.label, tables=[table], detail={"definition": definition},
                                charts=[chart] if chart else [])  # fmt: skip
    if table is not None and len(table.rows) > PAGE_ROWS:
        # The page shows a preview; the export holds every row up to REPORT_MAX_ROWS.
        note = _("Showing %(shown)s of %(rows)s rows; export to get them all.") % {
            "shown": PAGE_ROWS,
            "rows": len(table.rows),
        }
        table = Table(title=table.title, headers=table.headers, rows=table.rows[:PAGE_ROWS], note=note,
                      units=table.units)  # fmt: skip
    save_form = SaveReportForm(
        initial={
            "name": editing.name,
            "description": editing.description,
            "users": editing.shared_with_users.all(),
            "roles": editing.shared_with_roles.all(),
        }
        if editing
        else None,
        roles=selectors.share_roles(),
    )
    # The save form carries the builder's current choices along as hidden fields.
    hidden = [
        (k, v)
        for k, values in (data.lists() if hasattr(data, "lists") else [])
        for v in values
        if k not in ("format", "report")
    ]
    context = {
        "form": form,
        "table": table,
        "chart": chart,
        "save_form": save_form,
        "editing": editing,
        "query": request.GET.urlencode(),
        "hidden": hidden,
        "definition": definition,
    }
    return render(request, "reports/builder.html", context)


@require_POST
@permission_required("reports.add_savedreport", raise_exception=True)
def saved_report_save(request):
    """Save the builder's current definition as a new report, or as the owner's edit of one."""
    form = _builder_form(request, request.POST)
    save_form = SaveReportForm(request.POST, roles=selectors.share_roles())
    if form.is_valid() and save_form.is_valid():
        data = save_form.cleaned_data
        fields = {
            "name": data["name"], "description": data["description"], "definition": form.definition(),
            "users": list(data["users"]), "roles": list(data["roles"]),
        }  # fmt: skip
        if request.POST.get("report"):
            report = selectors.saved_report_owned(user=request.user, pk=request.POST["report"])
            report = call_service(form, services.saved_report_update, actor=request.user, report=report, **fields)
        else:
            report = call_service(
                form, services.saved_report_create, actor=request.user, dataset=form.dataset.key, **fields
            )
        if report is not None:
            messages.success(request, _("Report saved."))
            return redirect(report)
    context = {
        "form": form,
        "table": None,
        "chart": None,
        "save_form": save_form,
        "editing": None,
        "query": "",
        "hidden": [(k, v) for k, values in request.POST.lists() for v in values if k in form.fields],
    }
    return render(request, "reports/builder.html", context, status=400)


@require_GET
@permission_required("reports.view_savedreport", raise_exception=True)
def saved_report_list(request):
    reports = selectors.saved_report_list(user=request.user)
    return render(request, "reports/savedreport_list.html", {"reports": reports})


@require_GET
@permission_required("reports.view_savedreport", raise_exception=True)
def saved_report_detail(request, pk):
    report = selectors.saved_report_get(user=request.user, pk=pk)
    table, chart, problems = _saved_result(request, report)
    if request.GET.get("format") and table is not None:
        return _export_response(request, name=report.name, tables=[table], detail={"saved_report": report.pk},
                                charts=[chart] if chart else [])  # fmt: skip
    context = {
        "report": report,
        "table": table,
        "chart": chart,
        "problems": problems,
        "schedules": selectors.schedules_for(user=request.user).filter(report=report),
        "schedule_form": ScheduleForm(initial={"recipients": request.user.email}),
        "edit_url": f"{reverse('reports:report-builder')}?report={report.pk}",
    }
    return render(request, "reports/savedreport_detail.html", context)


def _saved_result(request, report):
    """The saved report's table and chart, or the reasons its definition no longer passes the whitelist."""
    try:
        table, chart = selectors.saved_report_result(user=request.user, report=report)
    except ValidationError as error:
        return None, None, error.messages
    return table, chart, []


@require_POST
@permission_required("reports.delete_savedreport", raise_exception=True)
def saved_report_delete(request, pk):
    report = selectors.saved_report_owned(user=request.user, pk=pk)
    services.saved_report_delete(actor=request.user, report=report)
    messages.success(request, _("Report deleted."))
    return redirect("reports:saved-report-list")


@require_POST
@permission_required("reports.add_reportschedule", raise_exception=True)
def schedule_create(request, pk):
    report = selectors.saved_report_get(user=request.user, pk=pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        call_service(
            form,
            services.schedule_create,
            actor=request.user,
            report=report,
            frequency=data["frequency"],
            send_hour=data["send_hour"],
            fmt=data["format"],
            recipients=data["recipients"],
        )
        if not form.errors:
            messages.success(request, _("The report will be e-mailed as scheduled."))
            return redirect(report)
    table, chart, problems = _saved_result(request, report)
    context = {
        "problems": problems,
        "report": report,
        "table": table,
        "chart": chart,
        "schedule_form": form,
        "schedules": selectors.schedules_for(user=request.user).filter(report=report),
        "edit_url": f"{reverse('reports:report-builder')}?report={report.pk}",
    }
    return render(request, "reports/savedreport_detail.html", context, status=400)


@require_POST
@permission_required("reports.delete_reportschedule", raise_exception=True)
def schedule_delete(request, pk):
    schedule = selectors.schedule_owned(user=request.user, pk=pk)
    report = schedule.report
    services.schedule_delete(actor=request.user, schedule=schedule)
    messages.success(request, _("Schedule removed."))
    return redirect(report)


@require_GET
@permission_required("reports.view_statistics", raise_exception=True)
def statistics_view(request):
    """Descriptive statistics, correlations and a regression over the user's scoped rows."""
    datasets, dataset = selectors.statistics_datasets(user=request.user, key=request.GET.get("dataset", ""))
    keys = [m.key for m in dataset.measures]
    data = (
        request.GET
        if "measures" in request.GET
        else {"dataset": dataset.key, "measures": keys, "x": keys[0], "y": keys[1]}
    )
    form = StatisticsForm(data, datasets=datasets, dataset=dataset)
    context = {"form": form, "dataset": dataset}
    if form.is_valid():
        chosen = form.cleaned_data["measures"]
        context.update(
            selectors.statistics_result(
                user=request.user, dataset=dataset, measures=chosen, x=form.cleaned_data["x"], y=form.cleaned_data["y"]
            )
        )
        if request.GET.get("format"):
            return _export_response(
                request,
                name=_("Statistics"),
                tables=_statistics_tables(context),
                detail={"dataset": dataset.key, "measures": chosen},
            )
    return render(request, "reports/statistics.html", context)


def _statistics_tables(context):
    describe = Table(
        title=_("Descriptive statistics"),
        headers=[
            _("Measure"),
            _("Count"),
            _("Mean"),
            _("Standard deviation"),
            _("Minimum"),
            _("Lower quartile"),
            _("Median"),
            _("Upper quartile"),
            _("Maximum"),
        ],
        rows=[
            [d.label, d.count, *[_round(v) for v in (d.mean, d.stdev, d.minimum, d.q1, d.median, d.q3, d.maximum)]]
            for d in context["descriptive"]
        ],
    )
    matrix = Table(
        title=_("Correlation matrix"),
        headers=["", *context["labels"]],
        rows=[[label, *[_round(v) for v in row]] for label, row in context["matrix_rows"]],
    )
    r = context["regression"]
    fit = Table(
        title=_("Linear regression"),
        headers=[_("X"), _("Y"), _("Rows"), _("Slope"), _("Intercept"), "r²"],
        rows=[
            [
                context["scatter"]["x_label"],
                context["scatter"]["y_label"],
                r.count,
                _round(r.slope),
                _round(r.intercept),
                _round(r.r2),
            ]
        ],
    )
    return [describe, matrix, fit]


def _round(value, places=4):
    return round(value, places) if value is not None else ""

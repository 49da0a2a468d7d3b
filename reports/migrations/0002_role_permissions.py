from django.db import migrations

from crm.roles import crud, grant

EVERYONE = ["reports.view_dashboard", "reports.view_savedreport"]
ANALYSTS = (
    EVERYONE
    + crud("reports", "savedreport")
    + crud("reports", "reportschedule", ("view", "add", "delete"))
    + ["reports.view_reportrun", "reports.view_report_templates", "reports.view_statistics"]
)


def grant_permissions(apps, schema_editor):
    # Everyone sees their own dashboard and the reports shared with them; managers, executives and
    # administrators build, save, share and schedule reports; only administrators see system usage.
    for role in ("Sales rep", "Marketing", "Service agent"):
        grant(apps, role, EVERYONE)
    for role in ("Sales manager", "Executive"):
        grant(apps, role, ANALYSTS)
    grant(apps, "Administrator", ANALYSTS + ["reports.view_usage_report", "reports.change_reportschedule"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_saved_reports_schedules"), ("customers", "0005_customer_search_prefix")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]

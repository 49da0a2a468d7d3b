from django.db import migrations

from crm.roles import crud, grant

TICKETS = crud("service", "ticket", ("view", "add", "change"))
ARTICLES = crud("service", "article", ("view", "add", "change"))
STATISTICS = ["service.view_service_statistics"]
FOLLOW_UP = ["service.follow_up_ticket"]
SURVEYS = ["service.view_satisfactionsurvey"]
SETUP = (
    crud("service", "queue") + crud("service", "slapolicy") + crud("service", "workcalendar")
    + crud("service", "calendarday") + crud("service", "articlecategory")
)  # fmt: skip


def grant_permissions(apps, schema_editor):
    grant(apps, "Service agent", TICKETS + ARTICLES + SURVEYS + STATISTICS + ["service.view_articlecategory"])
    grant(apps, "Sales manager", crud("service", "ticket", ("view", "change")) + ["service.view_article"] + SURVEYS
          + STATISTICS + FOLLOW_UP)  # fmt: skip
    grant(apps, "Sales rep", ["service.view_article"])
    grant(apps, "Marketing", ["service.view_article"])
    grant(apps, "Executive", ["service.view_ticket", "service.view_article"] + SURVEYS + STATISTICS)
    grant(apps, "Administrator", TICKETS + ARTICLES + SURVEYS + STATISTICS + FOLLOW_UP + SETUP)


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial"), ("accounts", "0002_seed_roles")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]

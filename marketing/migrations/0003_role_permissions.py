from django.db import migrations

from crm.roles import crud, grant

MODELS = ["campaign", "event", "registration", "invitation", "asset", "emailcampaign", "prospect", "surveyresponse"]
EVERYTHING = [p for model in MODELS for p in crud("marketing", model)] + [
    "marketing.publish_event",
    "marketing.checkin_event",
]
READ = [f"marketing.view_{model}" for model in MODELS]


def grant_permissions(apps, schema_editor):
    grant(apps, "Marketing", EVERYTHING)
    grant(apps, "Administrator", EVERYTHING)
    grant(apps, "Executive", READ)
    # Managers and reps see the campaigns their leads come from; the team helps at the door.
    grant(apps, "Sales manager", READ + ["marketing.checkin_event"])
    grant(apps, "Sales rep", ["marketing.view_campaign", "marketing.view_event"])


class Migration(migrations.Migration):
    dependencies = [("marketing", "0002_events_registrations_assets_email"), ("accounts", "0002_seed_roles")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]

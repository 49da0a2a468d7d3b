"""The rollups built once from the live tables (their unique keys, which the rebuild upserts on, exist only once
0004 has committed); the triggers keep them from then on."""

from django.conf import settings
from django.db import migrations


def build(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in ("customers", "opportunities"):
            cursor.execute(f"SELECT reports_{name}_rollup_rebuild(%s)", [settings.TIME_ZONE])


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_rollups")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]

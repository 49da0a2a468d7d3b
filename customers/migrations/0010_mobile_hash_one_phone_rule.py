"""The keyed hash of contact mobiles now folds phones with the one rule of ``crm.normalise.normalise_phone``
(the duplicate check's): '+86 21 6888 8888' hashes as '02168888888', where the old hash rule kept
'862168888888'. Recompute the hashes that differ; the ciphertext stays as it is."""

from django.db import migrations


def recompute_mobile_hashes(apps, schema_editor):
    from crm.crypto import blind_index, decrypt

    connection = schema_editor.connection
    for table, key in (("customers_contact", "id"), ("customers_historicalcontact", "history_id")):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {key}, mobile, mobile_hash FROM {table} WHERE mobile <> ''")
            rows = cursor.fetchall()
        changed = []
        for pk, mobile, old_hash in rows:
            new_hash = blind_index(decrypt(mobile), "phone")
            if new_hash != old_hash:
                changed.append((new_hash, pk))
        if changed:
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET mobile_hash = %s WHERE {key} = %s", changed)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_contact_scope_and_search"),
    ]

    operations = [
        migrations.RunPython(recompute_mobile_hashes, migrations.RunPython.noop, elidable=True),
    ]

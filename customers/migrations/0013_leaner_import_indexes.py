"""Indexes no query reads, dropped: each cost the customer import about 0.15 s of PostgreSQL's time per
100,000 rows (bench/README.md, customer_import.py, 2026-12-06).

- The history tables' ``history_date`` and ``history_user_id`` indexes (``LeanHistoricalRecords``): history is
  read by customer or contact id, then sorted.
- The LIKE-pattern twins of the ``external_id`` unique indexes, which Django adds to every unique text column:
  external ids are looked up by equality (API upserts), through the unique index.
- The tag links' ``customer_id`` index: the unique ``(customer_id, tag_id)`` index leads with it.

The database side drops the indexes one by one with ``DROP INDEX CONCURRENTLY`` (hence not atomic): no lock that
blocks reads or writes, a catalogue change whatever the size of the table. Django's own ``AlterField`` of a
foreign key would also drop and re-add its constraint, re-checking every history row under a lock.
The state side makes the model state match (``db_index=False`` on the history fields); the LIKE twins and the
tag links' index are not part of Django's state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = {
    # index name: its definition, for the way back
    "customers_historicalcustomer_history_date_60e2ef3b": "customers_historicalcustomer (history_date)",
    "customers_historicalcustomer_history_user_id_e2de29c6": "customers_historicalcustomer (history_user_id)",
    "customers_historicalcontact_history_date_1145b7ed": "customers_historicalcontact (history_date)",
    "customers_historicalcontact_history_user_id_3c0d5896": "customers_historicalcontact (history_user_id)",
    "customers_customer_external_id_b1779fc4_like": "customers_customer (external_id varchar_pattern_ops)",
    "customers_contact_external_id_657dca42_like": "customers_contact (external_id varchar_pattern_ops)",
    "customers_customer_tags_customer_id_0423a302": "customers_customer_tags (customer_id)",
}


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('customers', '0012_contact_scope_insert_when_empty'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalcontact',
                    name='history_date',
                    field=models.DateTimeField(),
                ),
                migrations.AlterField(
                    model_name='historicalcontact',
                    name='history_user',
                    field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalcustomer',
                    name='history_date',
                    field=models.DateTimeField(),
                ),
                migrations.AlterField(
                    model_name='historicalcustomer',
                    name='history_user',
                    field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON {definition}',
                )
                for name, definition in DROPPED.items()
            ],
        ),
    ]

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

# The column is added as a generated column, then its expression dropped: PostgreSQL fills it for every row in
# one rewrite of the table (the indexes rebuilt once, in bulk) instead of an UPDATE that would add a new version
# of each row to every index. From then on it is a plain column the application writes (customers.search).
ADD_FILLED = """
ALTER TABLE customers_customer
    ADD COLUMN search_grams tsvector GENERATED ALWAYS AS (crm_search_grams(search_document)) STORED;
ALTER TABLE customers_customer ALTER COLUMN search_grams DROP EXPRESSION;
ALTER TABLE customers_customer ALTER COLUMN search_grams SET NOT NULL;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0003_search_grams_function"),
        ("customers", "0007_leaner_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(ADD_FILLED, "ALTER TABLE customers_customer DROP COLUMN search_grams"),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="customer",
                    name="search_grams",
                    field=django.contrib.postgres.search.SearchVectorField(blank=True, default="", editable=False),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="customer",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_grams"], name="customer_search_grams"),
        ),
    ]

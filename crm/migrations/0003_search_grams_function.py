from django.db import migrations

# The SQL twin of customers.search_text.search_grams: the CJK bigrams of a text plus the last character of each run, as
# a tsvector. Migrations backfill search_grams columns with it (one UPDATE instead of a Python pass over every
# row); the application writes the column from Python, and a test checks both give the same lexemes.
CREATE = r"""
CREATE OR REPLACE FUNCTION crm_search_grams(doc text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    grams text[] := '{}';
    run text;
BEGIN
    FOR run IN SELECT m[1] FROM regexp_matches(doc, '[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]+', 'g') AS m LOOP
        FOR i IN 1..char_length(run) LOOP
            grams := grams || substr(run, i, 2);
        END LOOP;
    END LOOP;
    RETURN array_to_tsvector(grams);
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_notifications_reminders_jobs")]

    operations = [migrations.RunSQL(CREATE, "DROP FUNCTION IF EXISTS crm_search_grams(text)")]

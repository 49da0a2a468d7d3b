from django.db import migrations

# The contact insert trigger of 0009 looked the customer up for every new contact, even when the writer had the
# customer's owner and team at hand: in a 100,000-row import (which writes the copies itself, as it creates the
# customers in the same batch) that lookup was a third of the contacts' cost in PostgreSQL. On insert the trigger
# now fills the copies only when the writer left them empty, which every path but the import does (the fields
# are not editable and no form or serializer sets them). A move to another customer, or a write of the copies
# themselves, still always takes them from the customer.
FORWARD = """
DROP TRIGGER contact_customer_scope ON customers_contact;
CREATE TRIGGER contact_customer_scope_insert
    BEFORE INSERT ON customers_contact
    FOR EACH ROW WHEN (NEW.customer_owner_id IS NULL)
    EXECUTE FUNCTION customers_copy_customer_scope();
CREATE TRIGGER contact_customer_scope_update
    BEFORE UPDATE OF customer_id, customer_owner_id, customer_team_id ON customers_contact
    FOR EACH ROW EXECUTE FUNCTION customers_copy_customer_scope();
"""
BACKWARD = """
DROP TRIGGER contact_customer_scope_insert ON customers_contact;
DROP TRIGGER contact_customer_scope_update ON customers_contact;
CREATE TRIGGER contact_customer_scope
    BEFORE INSERT OR UPDATE OF customer_id, customer_owner_id, customer_team_id ON customers_contact
    FOR EACH ROW EXECUTE FUNCTION customers_copy_customer_scope();
"""


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_external_ids")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

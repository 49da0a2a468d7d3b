from django.db import migrations

# Every agent of a ticket's queue, and the queue's manager, next to the ticket: the record scope
# asks this view whether a user may see a ticket through their queue (Ticket.scope_shared_field).
CREATE_VIEW = """
CREATE VIEW service_ticket_queue_member AS
    SELECT t.id || ':a' || m.user_id AS id, t.id AS ticket_id, m.user_id AS user_id
      FROM service_ticket t JOIN service_queue_members m ON m.queue_id = t.queue_id
    UNION ALL
    SELECT t.id || ':m' || q.manager_id, t.id, q.manager_id
      FROM service_ticket t JOIN service_queue q ON q.id = t.queue_id
     WHERE q.manager_id IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]

    operations = [migrations.RunSQL(CREATE_VIEW, "DROP VIEW IF EXISTS service_ticket_queue_member")]

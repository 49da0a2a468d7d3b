"""A counter that every write to a source of a user's authorization moves on (accounts.authorization).

Statement-level triggers, so a write that sends no Django signal — a bulk ``UPDATE``, an admin bulk action, raw
SQL, ``TRUNCATE`` — counts as well. Each backend bumps its own row per table (``ON CONFLICT (table_name, pid)``):
concurrent writers never wait on one row. Readers take ``sum(n)``; the bump is part of the writing transaction,
so it becomes visible exactly when the change commits and a rollback takes it back.
"""

from django.db import migrations

FUNCTION = """
CREATE TABLE accounts_authorization_generation (
    table_name text NOT NULL,
    pid integer NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (table_name, pid)
);
CREATE FUNCTION accounts_authorization_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO accounts_authorization_generation AS g (table_name, pid, n)
    VALUES (TG_TABLE_NAME, pg_backend_pid(), 1)
    ON CONFLICT (table_name, pid) DO UPDATE SET n = g.n + 1;
    RETURN NULL;
END
$$;
"""


def _sources(apps):
    """(table, the UPDATE columns that matter or None for every column) of each source."""
    User = apps.get_model("accounts", "User")
    Team = apps.get_model("accounts", "Team")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    RoleScope = apps.get_model("accounts", "RoleScope")
    return [
        # A user row matters for whether and how far they are authorised, not for their name or last sign-in.
        (User._meta.db_table, ["id", "is_active", "is_superuser", "team_id"]),
        (User.groups.through._meta.db_table, None),
        (User.user_permissions.through._meta.db_table, None),
        (Group._meta.db_table, None),
        (Group.permissions.through._meta.db_table, None),
        (Permission._meta.db_table, None),
        # A permission is named by its content type's app label.
        (ContentType._meta.db_table, None),
        (RoleScope._meta.db_table, None),
        # The team tree: who manages which team, which team sits under which.
        (Team._meta.db_table, ["id", "parent_id", "manager_id"]),
    ]


def create_triggers(apps, schema_editor):
    schema_editor.execute(FUNCTION)
    for table, columns in _sources(apps):
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        schema_editor.execute(
            f"CREATE TRIGGER authorization_changed AFTER INSERT OR {update} OR DELETE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION accounts_authorization_changed()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER authorization_truncated AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION accounts_authorization_changed()"
        )


def drop_triggers(apps, schema_editor):
    for table, _columns in _sources(apps):
        schema_editor.execute(f"DROP TRIGGER authorization_changed ON {table}")
        schema_editor.execute(f"DROP TRIGGER authorization_truncated ON {table}")
    schema_editor.execute("DROP FUNCTION accounts_authorization_changed()")
    schema_editor.execute("DROP TABLE accounts_authorization_generation")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_two_factor_policy_known_addresses"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

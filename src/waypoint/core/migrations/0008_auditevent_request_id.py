"""The request id on audit rows (`RequestIdMiddleware`), tying a row to the log lines of its request.

PostgreSQL adds the column in place (a constant default, then dropped), and its append-only trigger stays.
SQLite cannot add a NOT NULL column that way: Django rebuilds the table (copy, drop, rename), and dropping the
old table drops the trigger that refuses UPDATE (0002). Both directions rebuild the table on SQLite, so the
trigger is created again after each.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# The same trigger as 0002_audit_append_only.
SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END;
"""


def restore_sqlite_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_studentenrollment_exit_kind")]

    operations = [
        # Runs on the way back only, after the column's removal rebuilt the table.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_trigger),
        migrations.AddField(
            model_name="auditevent",
            name="request_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
    ]

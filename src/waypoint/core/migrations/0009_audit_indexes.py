"""The audit log's indexes, for a log of a hundred million events: fewer of them, and one that serves the
record of disclosures.

- The disclosures page reads a student's events newest first, a page at a time, and counts them without the
  student's own visits: `audit_disclosures_idx` is (student, occurred_at DESC, id DESC) with `actor_id`
  included and only over events that name a student. It replaces (student, occurred_at).
- The single-column indexes on `student_id` and `district_id` go: the two composite indexes lead with those
  columns, and each index is one more write for every event.

On SQLite, changing a column's index rebuilds the table, which drops the trigger that refuses UPDATE (0002);
it is created again after the rebuild, in both directions (as in 0008).
"""

import django.db.models.deletion
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
    dependencies = [("core", "0008_auditevent_request_id")]

    operations = [
        # Runs on the way back only, after the fields' old indexes rebuilt the table.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_trigger),
        migrations.RemoveIndex(model_name="auditevent", name="core_audite_student_64eb17_idx"),
        migrations.AlterField(
            model_name="auditevent",
            name="district",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="core.organization",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="student",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="core.student",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("student__isnull", False)),
                fields=["student", "-occurred_at", "-id"],
                include=("actor",),
                name="audit_disclosures_idx",
            ),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
    ]

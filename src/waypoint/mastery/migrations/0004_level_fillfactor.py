"""Room on every page of the levels table for the next version of its rows (PostgreSQL's fillfactor): a
recompute under a new rule updates most levels, and with room on the page and no indexed column changed,
each update stays on its page without a new entry in any index (a heap-only tuple)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def leave_room(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE mastery_masterylevel SET (fillfactor = 70)")


def fill(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE mastery_masterylevel RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("mastery", "0003_derived_rows_without_key_constraints"),
    ]

    operations = [migrations.RunPython(leave_room, fill)]

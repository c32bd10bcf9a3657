"""`score_ids` becomes an array of bigint on PostgreSQL (it was jsonb); on SQLite it stays the same JSON text."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

import waypoint.mastery.models

TABLES = ("mastery_masterylevel", "mastery_masterylevelchange")


def to_array(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        # A JSON array of integers, "[1, 2]", reads as the array literal "{1, 2}" once its brackets change.
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "score_ids" TYPE bigint[] '
            "USING translate(score_ids::text, '[]', '{}')::bigint[]"
        )


def to_json(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "score_ids" TYPE jsonb USING to_jsonb(score_ids)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mastery", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(to_array, to_json)],
            state_operations=[
                migrations.AlterField(
                    model_name="masterylevel",
                    name="score_ids",
                    field=waypoint.mastery.models.ScoreIdsField(
                        default=list, help_text="The counted scores the level was computed from."
                    ),
                ),
                migrations.AlterField(
                    model_name="masterylevelchange",
                    name="score_ids",
                    field=waypoint.mastery.models.ScoreIdsField(default=list),
                ),
            ],
        ),
    ]

"""Learner profiles and success plans move here from `pathways` with their rows.

The models are first added to this app's state as they stand, in pathways' tables (`pathways` 0002 then
drops them from its own state); each table then takes this app's name. No row is copied."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MOVED = [
    "learnerprofile",
    "plangoal",
    "goalmilestone",
    "profilecomment",
    "successplan",
    "planreview",
    "planacknowledgement",
    "learnerprofilerevision",
]


def _move_content_types(
    apps: StateApps, schema_editor: BaseDatabaseSchemaEditor, source: str, target: str
) -> None:
    """The moved models' content types (and so their permissions and admin history) follow them."""
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not rows.filter(app_label=target, model=model).exists():
            rows.filter(app_label=source, model=model).update(app_label=target)


def content_types_forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move_content_types(apps, schema_editor, "pathways", "profiles")


def content_types_backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move_content_types(apps, schema_editor, "profiles", "pathways")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pathways", "0001_initial"),
        ("core", "0004_section_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The models, as they stand in pathways' tables.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LearnerProfile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("interests", models.JSONField(blank=True, default=list)),
                        ("strengths", models.JSONField(blank=True, default=list)),
                        ("learning_preferences", models.JSONField(blank=True, default=list)),
                        ("aspirations", models.TextField(blank=True)),
                        ("career_clusters", models.JSONField(blank=True, default=list)),
                        (
                            "postsecondary_goal",
                            models.CharField(
                                choices=[
                                    ("four_year", "Four-year college"),
                                    ("two_year", "Two-year college"),
                                    ("apprenticeship", "Apprenticeship or trade school"),
                                    ("military", "Military service"),
                                    ("employment", "Work right after high school"),
                                    ("service_year", "Service or gap year"),
                                    ("undecided", "Not sure yet"),
                                ],
                                default="undecided",
                                max_length=16,
                            ),
                        ),
                        ("postsecondary_detail", models.CharField(blank=True, max_length=300)),
                        ("has_home_device", models.BooleanField(blank=True, null=True)),
                        ("has_home_internet", models.BooleanField(blank=True, null=True)),
                        ("transport_is_hard", models.BooleanField(default=False)),
                        ("free_times", models.JSONField(blank=True, default=list)),
                        ("schedule_notes", models.CharField(blank=True, max_length=300)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.organization",
                            ),
                        ),
                        (
                            "student",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="learner_profile",
                                to="core.student",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_learnerprofile",
                    },
                ),
                migrations.CreateModel(
                    name="PlanGoal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "domain",
                            models.CharField(
                                choices=[
                                    ("academic", "Academic"),
                                    ("career", "Career"),
                                    ("personal", "Social, emotional and physical"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("statement", models.TextField()),
                        ("target_date", models.DateField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("not_started", "Not started"),
                                    ("in_progress", "In progress"),
                                    ("achieved", "Achieved"),
                                    ("set_aside", "Set aside"),
                                ],
                                default="not_started",
                                max_length=16,
                            ),
                        ),
                        (
                            "evidence_links",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="Addresses of work that shows progress (portfolio, evidence).",
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.organization",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_plangoal",
                        "ordering": ["plan_id", "domain", "position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="GoalMilestone",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("description", models.CharField(max_length=500)),
                        ("target_date", models.DateField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("in_progress", "In progress"),
                                    ("done", "Done"),
                                    ("missed", "Missed"),
                                ],
                                default="planned",
                                max_length=16,
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0)),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.organization",
                            ),
                        ),
                        (
                            "goal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="milestones",
                                to="profiles.plangoal",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_goalmilestone",
                        "ordering": ["goal_id", "position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ProfileComment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.TextField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.organization",
                            ),
                        ),
                        (
                            "profile",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="comments",
                                to="profiles.learnerprofile",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_profilecomment",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="SuccessPlan",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("revision", models.PositiveIntegerField(default=1)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.organization",
                            ),
                        ),
                        (
                            "student",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="success_plan",
                                to="core.student",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_successplan",
                    },
                ),
                migrations.CreateModel(
                    name="PlanReview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reviewed_on", models.DateField()),
                        (
                            "reviewer_name",
                            models.CharField(help_text="Kept so the review stays readable.", max_length=300),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.organization",
                            ),
                        ),
                        (
                            "reviewer",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reviews",
                                to="profiles.successplan",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_planreview",
                        "ordering": ["-reviewed_on", "-id"],
                    },
                ),
                migrations.AddField(
                    model_name="plangoal",
                    name="plan",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="goals",
                        to="profiles.successplan",
                    ),
                ),
                migrations.CreateModel(
                    name="PlanAcknowledgement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("revision", models.PositiveIntegerField()),
                        ("acknowledged_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.organization",
                            ),
                        ),
                        (
                            "guardian",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="acknowledgements",
                                to="profiles.successplan",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_planacknowledgement",
                        "ordering": ["-acknowledged_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="LearnerProfileRevision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveIntegerField()),
                        ("snapshot", models.JSONField()),
                        ("edited_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.organization",
                            ),
                        ),
                        (
                            "edited_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "profile",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="revisions",
                                to="profiles.learnerprofile",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_learnerprofilerevision",
                        "ordering": ["profile_id", "-number"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("profile", "number"), name="profile_revision_number_unique"
                            )
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="plangoal",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("domain__in", ["academic", "career", "personal"])),
                        name="plan_goal_domain_known",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # Then their tables (and many-to-many tables) take this app's names.
        migrations.AlterModelTable(name="learnerprofile", table=None),
        migrations.AlterModelTable(name="plangoal", table=None),
        migrations.AlterModelTable(name="goalmilestone", table=None),
        migrations.AlterModelTable(name="profilecomment", table=None),
        migrations.AlterModelTable(name="successplan", table=None),
        migrations.AlterModelTable(name="planreview", table=None),
        migrations.AlterModelTable(name="planacknowledgement", table=None),
        migrations.AlterModelTable(name="learnerprofilerevision", table=None),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]

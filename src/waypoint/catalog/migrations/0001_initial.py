"""The catalog (providers and opportunities) moves here from `pathways` with its rows.

The models are first added to this app's state as they stand, in pathways' tables and with pathways' index
name (`pathways` 0002 then drops them from its own state); each table, its many-to-many tables and the index
then take this app's names. No row is copied."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MOVED = ["provider", "opportunity"]


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
    _move_content_types(apps, schema_editor, "pathways", "catalog")


def content_types_backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move_content_types(apps, schema_editor, "catalog", "pathways")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pathways", "0001_initial"),
        ("core", "0004_section_order"),
        ("frameworks", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The models, as they stand in pathways' tables.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Provider",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("school", "School"),
                                    ("college", "College or university"),
                                    ("employer", "Employer"),
                                    ("nonprofit", "Nonprofit or community organization"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("contact_name", models.CharField(blank=True, max_length=200)),
                        ("contact_email", models.EmailField(blank=True, max_length=254)),
                        ("contact_phone", models.CharField(blank=True, max_length=40)),
                        ("website", models.URLField(blank=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="pathway_providers",
                                to="core.organization",
                            ),
                        ),
                        (
                            "mentor",
                            models.ForeignKey(
                                blank=True,
                                help_text="The external mentor account of students placed here.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_provider",
                        "ordering": ["name", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Opportunity",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("course", "Course"),
                                    ("online_course", "Online or blended course"),
                                    ("internship", "Internship"),
                                    ("apprenticeship", "Apprenticeship"),
                                    ("dual_enrollment", "Dual enrollment / early college"),
                                    ("cte_program", "CTE program"),
                                    ("independent_study", "Independent study"),
                                    ("community_service", "Community service"),
                                    ("performing_group", "Performing group"),
                                    ("private_instruction", "Private instruction"),
                                    ("project", "Project"),
                                    ("work_based_learning", "Work-based learning"),
                                ],
                                max_length=24,
                            ),
                        ),
                        ("description", models.TextField(blank=True)),
                        (
                            "topics",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="Words students' interests are matched to.",
                            ),
                        ),
                        (
                            "location",
                            models.CharField(
                                choices=[
                                    ("on_campus", "On campus"),
                                    ("community", "In the community"),
                                    ("online", "Online"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("location_detail", models.CharField(blank=True, max_length=300)),
                        ("times", models.JSONField(blank=True, default=list)),
                        ("schedule_notes", models.CharField(blank=True, max_length=300)),
                        ("starts_on", models.DateField(blank=True, null=True)),
                        ("ends_on", models.DateField(blank=True, null=True)),
                        ("hours_per_week", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "capacity",
                            models.PositiveIntegerField(
                                blank=True, help_text="Empty means no limit.", null=True
                            ),
                        ),
                        ("min_grade", models.SmallIntegerField(blank=True, null=True)),
                        ("max_grade", models.SmallIntegerField(blank=True, null=True)),
                        ("cost_notes", models.CharField(blank=True, max_length=300)),
                        ("transport_provided", models.BooleanField(default=False)),
                        ("transport_notes", models.CharField(blank=True, max_length=300)),
                        (
                            "career_cluster",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("agriculture", "Agriculture, Food & Natural Resources"),
                                    ("architecture", "Architecture & Construction"),
                                    ("arts", "Arts, A/V Technology & Communications"),
                                    ("business", "Business Management & Administration"),
                                    ("education", "Education & Training"),
                                    ("finance", "Finance"),
                                    ("government", "Government & Public Administration"),
                                    ("health", "Health Science"),
                                    ("hospitality", "Hospitality & Tourism"),
                                    ("human_services", "Human Services"),
                                    ("information_technology", "Information Technology"),
                                    ("law", "Law, Public Safety, Corrections & Security"),
                                    ("manufacturing", "Manufacturing"),
                                    ("marketing", "Marketing, Sales & Service"),
                                    ("stem", "Science, Technology, Engineering & Mathematics"),
                                    ("transportation", "Transportation, Distribution & Logistics"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "is_active",
                            models.BooleanField(default=True, help_text="Offered for new proposals."),
                        ),
                        (
                            "shared_as_template",
                            models.BooleanField(
                                default=False,
                                help_text="A best practice other districts may copy into their catalog.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "competencies",
                            models.ManyToManyField(
                                blank=True,
                                related_name="evidenced_by_opportunities",
                                to="frameworks.competency",
                            ),
                        ),
                        (
                            "copied_from",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="copies",
                                to="catalog.opportunity",
                            ),
                        ),
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
                                related_name="opportunities",
                                to="core.organization",
                            ),
                        ),
                        (
                            "mentor",
                            models.ForeignKey(
                                blank=True,
                                help_text="The external mentor of students on it; empty means the provider's mentor.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "prerequisites",
                            models.ManyToManyField(
                                blank=True,
                                related_name="prerequisite_of_opportunities",
                                to="frameworks.competency",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="opportunities",
                                to="catalog.provider",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pathways_opportunity",
                        "verbose_name_plural": "opportunities",
                        "ordering": ["title", "id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="provider",
                    constraint=models.UniqueConstraint(
                        fields=("district", "name"), name="provider_name_per_district"
                    ),
                ),
                migrations.AddIndex(
                    model_name="opportunity",
                    index=models.Index(
                        fields=["district", "is_active", "kind"], name="pathways_op_distric_a8539b_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="opportunity",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("ends_on__isnull", True),
                            ("starts_on__isnull", True),
                            ("ends_on__gte", models.F("starts_on")),
                            _connector="OR",
                        ),
                        name="opportunity_dates_ordered",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="opportunity",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("min_grade__isnull", True),
                            ("max_grade__isnull", True),
                            ("max_grade__gte", models.F("min_grade")),
                            _connector="OR",
                        ),
                        name="opportunity_grades_ordered",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="opportunity",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("capacity__isnull", True), ("capacity__gte", 1), _connector="OR"),
                        name="opportunity_capacity_positive",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # Then their tables (and many-to-many tables) take this app's names.
        migrations.AlterModelTable(name="provider", table=None),
        migrations.AlterModelTable(name="opportunity", table=None),
        migrations.RenameIndex(
            model_name="opportunity",
            new_name="catalog_opp_distric_e9eaf7_idx",
            old_name="pathways_op_distric_a8539b_idx",
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]

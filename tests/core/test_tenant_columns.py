"""The tenant column a state deployment distributes by (docs/deployment.md, step 3: Citus).

Every table of Waypoint's apps (`waypoint.*`, the many-to-many tables Django creates included) falls in one
of two classes, computed from the models:

- **student data**: it has a foreign key to `core.Student`, or to a row that is student data (a child of a
  student table, at any depth). It must carry `district`, a foreign key to `core.Organization` in the column
  `district_id`, which is what Citus distributes it by.
- **the rest**: no path to a student. Reference tables (frameworks, competencies, scales, rubrics, the
  organizations) carry no district column; the ones that do carry one (a district's own settings, imports and
  aggregates) are listed in `DISTRICT_TABLES_WITHOUT_STUDENTS`, each with its reason.

A new student table without the district column fails `test_every_student_table_carries_the_district`.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from waypoint.core.models import Organization, Student
from waypoint.insights.models import CohortFigures, EvidenceVolume, GroupFigures, MonthlyFigures

ModelClass = type[models.Model]

# Student tables that do not carry `district` on purpose. Each reason says why.
WITHOUT_DISTRICT_BY_DESIGN = {
    # The one path between two districts: the row belongs to both, so it names them as `from_district` and
    # `to_district` (`student` is the record in the requesting district, `source_student` the one in the
    # sending district). On Citus it would be distributed by `to_district_id` (the district of `student`),
    # and `source_student` could keep no foreign key across shards; docs/deployment.md says so.
    "records.TransferRequest": "cross-district by design: from_district and to_district",
}

# Student tables whose `district` may be empty, with the reason.
NULLABLE_DISTRICT = {
    # A failed sign-in under a username that does not exist, and what state staff do, belong to no district.
    # The column also has no database constraint, so no cascade ever reaches the append-only log.
    "core.AuditEvent": "events outside any district (unknown usernames, state staff)",
}

# Student tables that lack the district column today and should not. The list is exactly what is missing
# (test_missing_district_is_exactly_the_known_list): it passes today, and fails both when a new student table
# arrives without the column and when one of these gains it (then remove it here). The fix for each is a
# non-null `district` foreign key set from the parent row by the service that writes it, with a migration
# that fills it from the parent; for Django's own many-to-many tables, an explicit `through=` model carrying
# `district` (a SeparateDatabaseAndState migration keeps the table and its rows).
MISSING_DISTRICT = {
    # Children of progress.Conference (which carries district).
    "progress.ConferenceAttendee": "district from conference.district",
    "progress.ConferenceShare": "district from conference.district",
    "progress.NextStep": "district from conference.district",
    # Django-created many-to-many tables of student rows.
    "evidence.Evidence_competencies": "through model with district from evidence.district",
    "pathways.PathProposal_competencies": "through model with district from pathproposal.district",
    "pathways.PathProposal_goals": "through model with district from pathproposal.district",
    "records.Exhibition_competencies": "through model with district from exhibition.district",
}

# Tables with no path to a student that carry a district column anyway, and why. On Citus they are
# distributed by `district_id` beside the student tables (co-located), except the two whose district may be
# empty, which become reference tables.
DISTRICT_TABLES_WITHOUT_STUDENTS = {
    # People and access. Both may have no district (state staff), so on Citus they are reference tables.
    "core.User": "the user's home district; empty for state staff",
    "core.RoleAssignment": "the district a role is held in; empty for state roles",
    # Rosters: a section holds students only through core.SectionEnrollment.
    "core.Section": "a district's section",
    "interop.AcademicSession": "a district's terms and school years (OneRoster)",
    "interop.Course": "a district's courses (OneRoster)",
    "interop.RosteredClass": "the OneRoster fields of a district's section",
    "interop.RosterImport": "one roster import into a district",
    "operations.TaskRun": "a background task of a district (an import, a refresh); the row names no student",
    "interop.IdentityProvider": "a district's sign-in provider",
    # A district's settings and content.
    "frameworks.FrameworkAdoption": "which frameworks a district uses",
    "evidence.Assessment": "a district's assessment (its evidence is student data)",
    "mastery.CalculationRule": "a district's calculation rule per framework",
    "mastery.KnowledgeModel": "a district's fitted BKT parameters per competency",
    "catalog.Provider": "a district's opportunity providers",
    "catalog.Opportunity": "a district's opportunities (its paths are student data)",
    "progress.AdvancementRule": "a district's advancement rules",
    "progress.InquirySettings": "a district's inquiry thresholds",
    "progress.TestingWindow": "a district's testing windows",
    "progress.ExemplarTrajectory": "anonymised trajectories published by a district",
    "progress.PacingPractice": "a district's pacing practices",
    "records.GraduationRuleSet": "a district's graduation rule sets",
    "records.SigningKey": "a district's credential signing keys",
    "records.TransferPolicy": "a district's transfer release choice",
    # Insights: counts per group of students, never a student (see test_insights_aggregates_…).
    "insights.GroupFigures": "aggregate rows of a district",
    "insights.MonthlyFigures": "aggregate rows of a district",
    "insights.EvidenceVolume": "aggregate rows of a district",
    "insights.CohortFigures": "aggregate rows of a district",
    "insights.AggregateRefresh": "one rebuild of a district's aggregates",
}

# Reference tables: shared by every district (a state's frameworks and scales, the organization tree). On
# Citus they are reference tables, copied to every node. They must never carry a district column nor lead to
# a student.
REFERENCE_TABLES = {
    "core.Organization",
    "frameworks.Framework",
    "frameworks.FrameworkVersion",
    "frameworks.Competency",
    "frameworks.Alignment",
    "frameworks.CaseDefinition",
    "frameworks.FrameworkImport",
    "frameworks.ProficiencyScale",
    "frameworks.ScaleLevel",
    "frameworks.Rubric",
    "frameworks.RubricCriterion",
    "frameworks.RubricCell",
    "progress.LargeScaleTest",
    "progress.LargeScaleTest_competencies",
}

INSIGHTS_AGGREGATES: tuple[ModelClass, ...] = (GroupFigures, MonthlyFigures, EvidenceVolume, CohortFigures)


def waypoint_tables() -> list[ModelClass]:
    """Every table Waypoint's apps create: concrete, managed models, Django's many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config is not None
        and model._meta.app_config.name.startswith("waypoint.")
        and model._meta.managed
        and not model._meta.proxy
    ]


def foreign_targets(model: ModelClass) -> list[ModelClass]:
    return [
        field.related_model
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and isinstance(field.related_model, type)
    ]


def student_tables() -> set[ModelClass]:
    """Student, and every table with a foreign key to a student table (to a fixed point)."""
    found: set[ModelClass] = {Student}
    tables = waypoint_tables()
    grew = True
    while grew:
        grew = False
        for model in tables:
            if model not in found and any(target in found for target in foreign_targets(model)):
                found.add(model)
                grew = True
    return found


def district_field(model: ModelClass) -> models.ForeignKey[models.Model, models.Model] | None:
    """The `district` foreign key to core.Organization in the column `district_id`, if the model has one."""
    field = next((f for f in model._meta.concrete_fields if f.name == "district"), None)
    if (
        isinstance(field, models.ForeignKey)
        and field.related_model is Organization
        and field.column == "district_id"
    ):
        return field
    return None


def labels(tables: set[ModelClass]) -> set[str]:
    return {model._meta.label for model in tables}


def test_the_classes_are_found() -> None:
    """A guard for the two below: the scan reaches the apps and the student tables Waypoint is built on."""
    found = labels(student_tables())
    assert {"core.Student", "core.SectionEnrollment", "evidence.Evidence", "evidence.Score"} <= found
    assert {"mastery.MasteryLevel", "profiles.PlanGoal", "records.PortfolioItem"} <= found
    assert len(waypoint_tables()) > 90


def test_every_student_table_carries_the_district() -> None:
    excused = set(WITHOUT_DISTRICT_BY_DESIGN) | set(MISSING_DISTRICT)
    lacking = {
        model._meta.label
        for model in student_tables()
        if model._meta.label not in excused and district_field(model) is None
    }
    assert lacking == set(), (
        f"student tables without a `district` foreign key (district_id): {sorted(lacking)}"
    )
    nullable = {
        model._meta.label
        for model in student_tables()
        if (field := district_field(model)) is not None and field.null
    }
    assert nullable == set(NULLABLE_DISTRICT)


def test_missing_district_is_exactly_the_known_list() -> None:
    missing = {
        model._meta.label
        for model in student_tables()
        if district_field(model) is None and model._meta.label not in WITHOUT_DISTRICT_BY_DESIGN
    }
    assert missing == set(MISSING_DISTRICT)


def test_exceptions_are_still_exceptions() -> None:
    """Every table excused above exists, holds student data and still lacks the column, so no entry outlives
    its reason."""
    by_label = {model._meta.label: model for model in student_tables()}
    for label in WITHOUT_DISTRICT_BY_DESIGN:
        assert label in by_label, label
        assert district_field(by_label[label]) is None, label
    for label in NULLABLE_DISTRICT:
        assert label in by_label, label


def test_tables_without_students_carry_no_district_unless_listed() -> None:
    others = set(waypoint_tables()) - student_tables()
    with_district = {model._meta.label for model in others if district_field(model) is not None}
    assert with_district == set(DISTRICT_TABLES_WITHOUT_STUDENTS)
    # No other spelling of a district column hides in them either.
    for model in others:
        if model._meta.label not in DISTRICT_TABLES_WITHOUT_STUDENTS:
            assert "district_id" not in {f.column for f in model._meta.concrete_fields}, model._meta.label


def test_reference_tables_carry_no_district_and_lead_to_no_student() -> None:
    by_label = {model._meta.label: model for model in waypoint_tables()}
    students = student_tables()
    for label in REFERENCE_TABLES:
        assert label in by_label, label
        model = by_label[label]
        assert model not in students, label
        assert label not in DISTRICT_TABLES_WITHOUT_STUDENTS, label
        assert not any(
            f.name == "district" or f.column == "district_id" for f in model._meta.concrete_fields
        ), label


def test_insights_aggregates_carry_the_district_and_no_student() -> None:
    """The state view reads only these tables; each row belongs to one district and names no student."""
    students = student_tables()
    for model in INSIGHTS_AGGREGATES:
        field = district_field(model)
        assert field is not None, model._meta.label
        assert not field.null, model._meta.label
        assert model not in students, model._meta.label
        assert Student not in foreign_targets(model), model._meta.label

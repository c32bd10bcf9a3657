"""The insights part of the demo (registered on InsightsConfig as its `demo_loader`; it runs after every other
app's part, so the figures it refreshes see everything they wrote).

- **Past graduation cohorts.** The people part of the demo holds only the students enrolled today, so the
  graduation-rate calculator would have no cohort whose window has closed. Each district gets the classes
  that entered grade 9 four to seven years before this school year: former students (no account, no
  enrollment open today) with four years of enrollments at the district's high schools, demographics varied
  so that subgroups exist (some small enough to be suppressed), a few who arrived after the fall of their
  first year, a few who transferred out, emigrated or dropped out, and standing diplomas under a published
  rule set for their class. Most graduate in year 4; a few in year 3, and some in a fifth or sixth year
  (grade 13): the white paper's question, since the federal 4-year rate counts them as non-graduates and
  mastery-based completion as graduates. Students with disabilities and English learners take the extra
  years more often. A year whose June is still to come is not used: its students left without a diploma.
- **Two action plans** (the Cycle of Action): Riverside High's, opened from the subgroup alert the progress
  demo fires there, on the group's mean pace, with three actions (one done, one overdue, one to come); and
  Hillcrest High's, on the share of students taking part in a path. Each has past readings.
- **Fresh figures**: every demo district's aggregates are refreshed as of the demo's day.

Rows are written directly with bulk inserts (the demo is a loader, not a user), keeping the invariants the
services keep: one published rule set per class, one standing diploma per student, an audit row for each
student and diploma created.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q, Sum, prefetch_related_objects
from django.utils import timezone

from waypoint.core.demo import (
    DISTRICTS,
    FIRST_NAMES,
    LAST_NAMES,
    RACE_WEIGHTS,
    SINGLE_RACES,
    DemoWorld,
)
from waypoint.core.models import (
    AuditAction,
    AuditEvent,
    ExitKind,
    Gender,
    Organization,
    Student,
    StudentDemographics,
    StudentEnrollment,
    User,
)
from waypoint.insights.dimensions import ALL, YES
from waypoint.insights.measures import MEASURES, read
from waypoint.insights.models import ActionPlan, ActionStep, GroupFigures, PlanReading
from waypoint.insights.services.plans import record_readings
from waypoint.insights.services.refresh import refresh_district
from waypoint.progress.models import Alert, AlertKind
from waypoint.records.demo import HILLCREST_ADMIN
from waypoint.records.models import (
    Diploma,
    GraduationRequirement,
    GraduationRuleSet,
    RuleSetStatus,
)

SEED = 20261206
# The classes whose 4-year window has closed: they entered grade 9 this many school years ago.
COHORTS_AGO = (7, 6, 5, 4)
# Former students per high school and class, as a share of the school's students per grade today.
COHORT_SIZE_FACTOR = 1.1
# At the tests' small scale a class still needs a few students of each outcome.
MIN_PER_SCHOOL = 6
# Days into each school year: the demo's classes begin on August 27 and end on June 12.
FALL = (8, 27)
JUNE = (6, 12)
# After October 1 of a class's first year a student counts as transferred in (see CohortFigures).
LATE_ARRIVALS = ((9, (1, 8)), (10, FALL), (11, FALL))
LATE_ARRIVAL_SHARE = 0.1

GRADUATED = "graduated"
# The key of an aggregate row; every other column of `GroupFigures` is a count or a sum.
KEY_FIELDS = frozenset({"id", "district", "school", "grade", "cohort", "dimension", "subgroup"})


@dataclass(frozen=True)
class Outcome:
    """How a student's high school ended: `year` is the year of high school it ended in (1 = grade 9), and a
    graduate's diploma is dated the day the last enrollment ended."""

    exit_kind: str
    year: int
    reason: str


# The share of each outcome in a class; graduations in years 5 and 6 take the place of year-4 ones for the
# students the white paper has in mind (see `_outcome`).
OUTCOME_WEIGHTS: tuple[tuple[str, int, float], ...] = (
    (GRADUATED, 3, 0.03),
    (GRADUATED, 4, 0.64),
    (GRADUATED, 5, 0.08),
    (GRADUATED, 6, 0.03),
    (ExitKind.TRANSFERRED, 0, 0.08),
    (ExitKind.EMIGRATED, 0, 0.01),
    (ExitKind.DROPPED_OUT, 0, 0.06),
    (ExitKind.OTHER, 4, 0.07),
)
# Every class shows these, whatever the scale: an early graduate, a fifth- and a sixth-year graduate (where
# the year has passed), and a transfer out.
SHOWN_IN_EVERY_CLASS: tuple[tuple[str, int], ...] = (
    (GRADUATED, 3),
    (GRADUATED, 5),
    (GRADUATED, 6),
    (ExitKind.TRANSFERRED, 0),
)
REASONS = {
    GRADUATED: "Graduated",
    ExitKind.TRANSFERRED: "Transferred to another district",
    ExitKind.EMIGRATED: "Moved out of the country",
    ExitKind.DROPPED_OUT: "Dropped out",
    ExitKind.OTHER: "Left without a diploma",
}


def _day(year: int, month_day: tuple[int, int]) -> datetime.date:
    return datetime.date(year, *month_day)


class _Cohorts:
    """Builds the past classes of every demo district in memory, then writes each table in one insert."""

    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self.rng = random.Random(SEED)
        self.this_year = world.year_start.year
        self.students: list[Student] = []
        self.demographics: list[StudentDemographics] = []
        self.enrollments: dict[str, list[StudentEnrollment]] = {}
        # sourced_id → (day the diploma was awarded, the class's rule set)
        self.diplomas: dict[str, tuple[datetime.date, GraduationRuleSet]] = {}

    def last_closed_year(self, cohort: int) -> int:
        """The last year of high school whose June has passed for a class."""
        return min(6, self.this_year - cohort)

    def outcome(self, cohort: int, facts: StudentDemographics, shown: tuple[str, int] | None) -> Outcome:
        rng = self.rng
        if shown is not None:
            kind, year = shown
        else:
            kind, year = rng.choices(
                [(k, y) for k, y, _ in OUTCOME_WEIGHTS], weights=[w for _, _, w in OUTCOME_WEIGHTS]
            )[0]
            # Students with an IEP and English learners more often need a fifth or sixth year.
            needs_time = facts.students_with_disabilities or facts.english_learner
            if kind == GRADUATED and year == 4 and needs_time and rng.random() < 0.35:
                year = rng.choice([5, 5, 6])
        if kind == GRADUATED and year > self.last_closed_year(cohort):
            # That June is still to come: the demo holds no one enrolled in a past class today.
            return Outcome(ExitKind.OTHER, 4, REASONS[ExitKind.OTHER])
        if year == 0:
            year = rng.choice([2, 3, 4] if kind == ExitKind.DROPPED_OUT else [1, 2, 3, 4])
        return Outcome(kind, year, REASONS[kind])

    def facts(self, student: Student, district: Organization) -> StudentDemographics:
        rng = self.rng
        category = rng.choices([c for c, _ in RACE_WEIGHTS], weights=[w for _, w in RACE_WEIGHTS])[0]
        flags = dict.fromkeys(SINGLE_RACES, False)
        hispanic = category == "hispanic"
        if hispanic:
            flags[rng.choice(SINGLE_RACES[:3])] = True
        elif category == "two_or_more":
            for race in rng.sample(SINGLE_RACES[:3], 2):
                flags[race] = True
        else:
            flags[category] = True
        return StudentDemographics(
            student=student,
            district=district,
            gender=rng.choices(
                [Gender.FEMALE, Gender.MALE, Gender.NONBINARY, Gender.NOT_REPORTED], weights=[48, 49, 2, 1]
            )[0],
            hispanic_or_latino=hispanic,
            english_learner=rng.random() < (0.2 if hispanic else 0.05),
            students_with_disabilities=rng.random() < 0.16,
            section_504=rng.random() < 0.05,
            economically_disadvantaged=rng.random() < 0.4,
            **flags,
        )

    def student(
        self,
        district: Organization,
        school: Organization,
        cohort: int,
        shown: tuple[str, int] | None,
        rule_set: GraduationRuleSet,
    ) -> None:
        rng = self.rng
        number = len(self.students) + 1
        student = Student(
            district=district,
            sourced_id=f"{district.slug}-alum-{number:04d}",
            state_student_id=f"{8_000_000_000 + number * 7919 + 29}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            birth_date=datetime.date(cohort - 15, 9, 1) + datetime.timedelta(days=rng.randrange(365)),
            cohort_year=cohort,
        )
        facts = self.facts(student, district)
        outcome = self.outcome(cohort, facts, shown)
        # Late arrivals, from the start of the first year still in the student's high school years.
        first_grade, first_day = 9, FALL
        if rng.random() < LATE_ARRIVAL_SHARE:
            first_grade, first_day = rng.choice([(g, d) for g, d in LATE_ARRIVALS if g - 8 <= outcome.year])
        spans = []
        for year in range(first_grade - 8, outcome.year + 1):
            starts = cohort + year - 1
            last = year == outcome.year
            if outcome.exit_kind in (GRADUATED, ExitKind.OTHER):
                ends = _day(starts + 1, JUNE)
            else:
                # Leaving during the year: some weeks into it, never before the enrollment began.
                ends = _day(starts, FALL) + datetime.timedelta(days=rng.randrange(40, 260))
            arrives = first_day if year == first_grade - 8 else FALL
            # A day before August falls in the spring of the school year that began the previous fall.
            entry = _day(starts + (1 if arrives[0] < FALL[0] else 0), arrives)
            spans.append(
                StudentEnrollment(
                    student=student,
                    district=district,
                    school=school,
                    grade_level=min(8 + year, 13),
                    entry_date=entry,
                    exit_date=max(ends, entry) if last else _day(starts + 1, JUNE),
                    exit_reason=outcome.reason if last else ("Promoted" if year < 4 else "Continued"),
                    exit_kind=outcome.exit_kind if last else "",
                )
            )
        self.students.append(student)
        self.demographics.append(facts)
        self.enrollments[student.sourced_id] = spans
        if outcome.exit_kind == GRADUATED:
            self.diplomas[student.sourced_id] = (
                spans[-1].exit_date or _day(cohort + outcome.year, JUNE),
                rule_set,
            )

    def district(
        self,
        district: Organization,
        schools: Sequence[tuple[Organization, int]],
        rule_sets: dict[int, GraduationRuleSet],
    ) -> None:
        for cohort, rule_set in sorted(rule_sets.items()):
            places = [school for school, size in schools for _ in range(size)]
            shown: list[tuple[str, int] | None] = [
                (kind, year) for kind, year in SHOWN_IN_EVERY_CLASS if year <= self.last_closed_year(cohort)
            ]
            shown += [None] * (len(places) - len(shown))
            self.rng.shuffle(shown)
            for school, showing in zip(places, shown, strict=True):
                self.student(district, school, cohort, showing, rule_set)

    def save(self, admins: dict[int, User]) -> int:
        Student.objects.bulk_create(self.students, batch_size=500)
        ids = dict(
            Student.objects.filter(sourced_id__in=[s.sourced_id for s in self.students]).values_list(
                "sourced_id", "id"
            )
        )
        for student in self.students:
            student.pk = ids[student.sourced_id]
        for facts in self.demographics:
            facts.student_id = facts.student.pk
        StudentDemographics.objects.bulk_create(self.demographics, batch_size=1000)
        spans = [span for student_spans in self.enrollments.values() for span in student_spans]
        for span in spans:
            span.student_id = span.student.pk
        StudentEnrollment.objects.bulk_create(spans, batch_size=1000)
        by_id = {s.sourced_id: s for s in self.students}
        diplomas = []
        for sourced_id, (awarded_on, rule_set) in self.diplomas.items():
            student = by_id[sourced_id]
            diplomas.append(
                Diploma(
                    district_id=student.district_id,
                    student=student,
                    rule_set=rule_set,
                    student_name=f"{student.first_name} {student.last_name}",
                    awarded_on=awarded_on,
                    awarded_by=admins[student.district_id],
                    awarded_at=timezone.make_aware(datetime.datetime.combine(awarded_on, datetime.time(18))),
                    requirements_check=_check(rule_set),
                )
            )
        Diploma.objects.bulk_create(diplomas, batch_size=500)
        saved = Diploma.objects.filter(student_id__in=ids.values()).values_list(
            "pk", "student_id", "district_id"
        )
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    action=AuditAction.CREATE,
                    object_type="student",
                    object_id=str(student.pk),
                    student=student,
                    district_id=student.district_id,
                    reason="Demo district loaded",
                )
                for student in self.students
            ]
            + [
                AuditEvent(
                    actor=admins[district_id],
                    actor_username=admins[district_id].username,
                    action=AuditAction.CREATE,
                    object_type="diploma",
                    object_id=str(pk),
                    student_id=student_id,
                    district_id=district_id,
                    reason="Demo district loaded",
                )
                for pk, student_id, district_id in saved
            ],
            batch_size=1000,
        )
        return len(diplomas)


def _check(rule_set: GraduationRuleSet) -> list[dict[str, object]]:
    """The diploma check as stored at an award (`records.selectors.graduation.check_snapshot`), every
    requirement met; the demo holds none of a past class's evidence."""
    return [
        {
            "requirement_id": requirement.pk,
            "kind": requirement.kind,
            "label": requirement.label,
            "met": True,
            "evidence": [],
            "credits": str(requirement.credits) if requirement.credits is not None else None,
        }
        for requirement in rule_set.requirements.all()
    ]


def _rule_sets(district: Organization, cohorts: list[int], admin: User) -> dict[int, GraduationRuleSet]:
    """The rule set in force for each past class: the one published if there is one, otherwise a new
    version, published, with the requirements of the district's newest published rule set."""
    published = {
        rule_set.cohort_year: rule_set
        for rule_set in GraduationRuleSet.objects.filter(
            district=district, cohort_year__in=cohorts, status=RuleSetStatus.PUBLISHED
        )
    }
    template = (
        GraduationRuleSet.objects.filter(district=district, status=RuleSetStatus.PUBLISHED)
        .order_by("-cohort_year", "-version")
        .prefetch_related("requirements")
        .first()
    )
    latest = dict(
        GraduationRuleSet.objects.filter(district=district, cohort_year__in=cohorts)
        .values_list("cohort_year")
        .annotate(latest=Max("version"))
    )
    now = timezone.now()
    made = [
        GraduationRuleSet(
            district=district,
            cohort_year=cohort,
            version=latest.get(cohort, 0) + 1,
            title=f"Mastery-based diploma, class of {cohort + 4}",
            description=template.description if template else "",
            status=RuleSetStatus.PUBLISHED,
            created_by=admin,
            created_at=now,
            published_at=now,
        )
        for cohort in cohorts
        if cohort not in published
    ]
    GraduationRuleSet.objects.bulk_create(made)
    saved = {
        rule_set.cohort_year: rule_set
        for rule_set in GraduationRuleSet.objects.filter(
            district=district, cohort_year__in=[r.cohort_year for r in made], status=RuleSetStatus.PUBLISHED
        )
    }
    if template is not None:
        GraduationRequirement.objects.bulk_create(
            [
                GraduationRequirement(
                    rule_set=rule_set,
                    position=requirement.position,
                    kind=requirement.kind,
                    label=requirement.label,
                    competency_id=requirement.competency_id,
                    framework_id=requirement.framework_id,
                    min_level=requirement.min_level,
                    count=requirement.count,
                    experience=requirement.experience,
                    credits=requirement.credits,
                )
                for rule_set in saved.values()
                for requirement in template.requirements.all()
            ]
        )
    found = {**published, **saved}
    # Each set's requirements, read once for the diplomas' stored checks.
    prefetch_related_objects(list(found.values()), "requirements")
    return found


def _admins(world: DemoWorld) -> dict[int, User]:
    """Who awards a district's diplomas and writes its plans: its district administrator."""
    users = {
        user.username: user for user in User.objects.filter(username__in=["district-admin", HILLCREST_ADMIN])
    }
    fallback = users["district-admin"]
    return {
        world.district("riverside").pk: fallback,
        world.district("hillcrest").pk: users.get(HILLCREST_ADMIN, fallback),
    }


def _high_schools(world: DemoWorld) -> dict[int, list[tuple[Organization, int]]]:
    """Each district's high schools, with how many former students a past class has there: about as many as
    the school's grade 9 holds today (so the demo's scale applies), never fewer than a handful."""
    slugs = [school.slug for plan in DISTRICTS for school in plan.schools if school.grades.start == 9]
    grade_nine = Count(
        "student_enrollments",
        filter=Q(student_enrollments__grade_level=9, student_enrollments__exit_date__isnull=True),
    )
    schools: dict[int, list[tuple[Organization, int]]] = {district.pk: [] for district in world.districts}
    for school in Organization.objects.filter(slug__in=slugs).annotate(today=grade_nine).order_by("slug"):
        if school.parent_id in schools:
            size = max(MIN_PER_SCHOOL, math.ceil(school.today * COHORT_SIZE_FACTOR))
            schools[school.parent_id].append((school, size))
    return schools


def _cohorts(world: DemoWorld, admins: dict[int, User]) -> tuple[int, int]:
    builder = _Cohorts(world)
    cohorts = [world.year_start.year - ago for ago in COHORTS_AGO]
    high_schools = _high_schools(world)
    for district in world.districts:
        if high_schools[district.pk]:
            builder.district(
                district, high_schools[district.pk], _rule_sets(district, cohorts, admins[district.pk])
            )
    return len(builder.students), builder.save(admins)


# Action plans -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepPlan:
    description: str
    owner: str
    due_in: int  # days from the demo's day; negative: already due
    done_in: int | None = None


def _alert_group(alert: Alert | None) -> tuple[str, str]:
    """The reporting dimension and group a subgroup alert names ("race:hispanic", "english_learner")."""
    group = str(alert.facts.get("group", "")) if alert is not None else ""
    if ":" in group:
        dimension, subgroup = group.split(":", 1)
        return dimension, subgroup
    return (group, YES) if group else (ALL, ALL)


def _reading(plan: ActionPlan) -> float | None:
    """The plan's measure as the refreshed figures show it today (None when suppression hides it)."""
    rows = GroupFigures.objects.filter(
        district_id=plan.district_id,
        school_id=plan.school_id,
        dimension=plan.dimension,
        subgroup=plan.subgroup,
    )
    columns = [field.name for field in GroupFigures._meta.concrete_fields if field.name not in KEY_FIELDS]
    sums = rows.aggregate(**{column: Sum(column) for column in columns})
    figures = {column: float(value or 0) for column, value in sums.items()}
    return read(
        MEASURES[plan.measure],
        figures,
        min_numerator=settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR,
        min_denominator=settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR,
    ).value


def _plans(world: DemoWorld, admins: dict[int, User]) -> int:
    riverside, hillcrest = world.district("riverside"), world.district("hillcrest")
    schools = {
        org.slug: org for org in Organization.objects.filter(slug__in=["riverside-high", "hillcrest-high"])
    }
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["school-admin", "teacher", "advisor", "other-teacher"])
    }
    users[HILLCREST_ADMIN] = admins[hillcrest.pk]
    alert = (
        Alert.objects.filter(
            kind=AlertKind.SUBGROUP_PACE, school=schools.get("riverside-high"), closed_at__isnull=True
        )
        .order_by("pk")
        .first()
    )
    dimension, subgroup = _alert_group(alert)
    goal_on = _day(world.year_start.year + 1, JUNE)
    created_at = timezone.now() - datetime.timedelta(days=45)
    specs = [
        (
            ActionPlan(
                district=riverside,
                school=schools["riverside-high"],
                title="Raise the pace of the group the subgroup alert named",
                measure="mean_pace",
                dimension=dimension,
                subgroup=subgroup,
                goal_on=goal_on,
                rationale=(
                    "The inquiry found this group's median pace below the district's threshold. Flex blocks "
                    "and advisor check-ins aim to close the gap by June."
                ),
                alert=alert,
                created_by=users["school-admin"],
                created_at=created_at,
                updated_at=created_at,
            ),
            [
                StepPlan("Weekly flex-block reteaching in mathematics for the group", "teacher", -20, -22),
                StepPlan("Review each student's pace with them at the advisory conference", "advisor", -5),
                StepPlan(
                    "Share the group's progress with families at the winter conferences", "school-admin", 30
                ),
            ],
        ),
        (
            ActionPlan(
                district=hillcrest,
                school=schools["hillcrest-high"],
                title="More students taking part in an internship, dual enrollment or CTE path",
                measure="participation_share",
                goal_on=goal_on,
                rationale=(
                    "Few ninth and tenth graders take part in a path; most do not know the paths exist."
                ),
                created_by=users[HILLCREST_ADMIN],
                created_at=created_at,
                updated_at=created_at,
            ),
            [
                StepPlan("Present the path catalog in every ninth-grade advisory", HILLCREST_ADMIN, -10, -12),
                StepPlan("Invite families to the spring internship fair", "other-teacher", 21),
            ],
        ),
    ]
    events = []
    for plan, steps in specs:
        # Readings before today: the measure as it stood at two past refreshes (today's is recorded below).
        now = _reading(plan)
        unit = MEASURES[plan.measure].unit
        step = 0.06 if unit == "pace" else 3.0
        past = [None if now is None else max(0.0, round(now - step * n, 2)) for n in (2, 1)]
        plan.baseline = past[0]
        plan.goal = round(
            (past[0] if past[0] is not None else (1.0 if unit == "pace" else 30.0)) + step * 5, 2
        )
        plan.save()
        PlanReading.objects.bulk_create(
            [
                PlanReading(
                    plan=plan,
                    district=plan.district,
                    measured_on=world.today - datetime.timedelta(days=days),
                    value=value,
                )
                for days, value in zip((42, 21), past, strict=True)
            ]
        )
        made = ActionStep.objects.bulk_create(
            [
                ActionStep(
                    plan=plan,
                    district=plan.district,
                    description=spec.description,
                    owner=users[spec.owner],
                    due_on=world.today + datetime.timedelta(days=spec.due_in),
                    done_on=None
                    if spec.done_in is None
                    else world.today + datetime.timedelta(days=spec.done_in),
                    created_at=created_at,
                )
                for spec in steps
            ]
        )
        events.append(_audit(plan.created_by, "action-plan", plan.pk, plan.district_id))
        events += [_audit(plan.created_by, "action-step", step_row.pk, plan.district_id) for step_row in made]
    AuditEvent.objects.bulk_create(events)
    for district in world.districts:
        record_readings(district_id=district.pk, on=world.today)
    return len(specs)


def _audit(actor: User, object_type: str, object_id: int | None, district_id: int) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        actor_username=actor.username,
        action=AuditAction.CREATE,
        object_type=object_type,
        object_id=str(object_id),
        district_id=district_id,
        reason="Demo district loaded",
    )


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The insights part of the demo (see the module's docstring)."""
    admins = _admins(world)
    students, diplomas = _cohorts(world, admins)
    for district in world.districts:
        refresh_district(district_id=district.pk, on=world.today)
    plans = _plans(world, admins)
    return {"past_cohort_students": students, "past_diplomas": diplomas, "action_plans": plans}

"""Every write of the progress app. Each function takes keyword arguments and runs in one transaction with
its audit rows; bad input raises `ProgressError` listing every problem, and nothing is written. Refusals by
the policy raise `NotPermitted`.

Two writers run without a person behind them: `progress_refresh` (each student's pace, projection and
status, from the dated history of mastery levels) and `inquiry_run` (the inquiry rules, which open and close
alerts). Both run after a student's levels change (`student_changed`, from `hooks`) and nightly over a whole
district (`waypoint progress-nightly`).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Count, Exists, JSONField, Max, Min, Model, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from psycopg.types.json import Jsonb

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students, audit_student
from waypoint.core.demographics import RACE_FLAGS, federal_race_ethnicity
from waypoint.core.errors import Invalid, NotPermitted
from waypoint.core.models import (
    AuditAction,
    GuardianLink,
    Organization,
    Role,
    Section,
    SectionEnrollment,
    Student,
    StudentDemographics,
    StudentEnrollment,
    User,
)
from waypoint.evidence.models import Evidence, Score
from waypoint.frameworks.models import (
    Competency,
    Framework,
    FrameworkAdoption,
    FrameworkKind,
    FrameworkVersion,
)
from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.notifications.services import notify
from waypoint.policy import Action
from waypoint.policy.base import active_on
from waypoint.policy.notifications import family_of
from waypoint.profiles.models import GoalDomain, GoalMilestone, MilestoneStatus, PlanGoal, SuccessPlan
from waypoint.profiles.services import GoalFields, MilestoneSpec, goal_add, goal_update
from waypoint.progress import events, trajectory
from waypoint.progress.models import (
    REASON_NO_REQUIREMENTS,
    Advancement,
    AdvancementRequirement,
    AdvancementRule,
    Alert,
    AlertKind,
    AttendeeRole,
    Conference,
    ConferenceAttendee,
    ConferenceKind,
    ConferenceShare,
    ExemplarTrajectory,
    FollowUp,
    InquirySettings,
    LargeScaleTest,
    NextStep,
    PacingPractice,
    ReadinessStatus,
    SchoolSupportTask,
    SittingOutcome,
    Status,
    StudentProgress,
    StudentTimeline,
    Support,
    SupportKind,
    SupportStatus,
    TaskStatus,
    TestingWindow,
    TestReadiness,
    TestSitting,
    alert_sentence,
)
from waypoint.records.selectors.graduation import pace_requirements

SYSTEM = RequestContext(user=AnonymousUser(), path="progress-inquiry")
SCHOOL_TASK_DAYS = 30
OPEN_SUPPORT_STATUSES = (SupportStatus.PLANNED, SupportStatus.ACTIVE)


class ProgressError(Invalid):
    """A refused write; `problems` lists every reason, in words the person can act on."""


def _refuse_if(problems: list[str]) -> None:
    if problems:
        raise ProgressError(problems)


def _require(context: RequestContext, action: Action, obj: object | None) -> None:
    if not policy.can(context.user, action, obj):  # type: ignore[arg-type]
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": action.label})


def _actor(context: RequestContext) -> User:
    if context.actor is None:
        raise NotPermitted(gettext("Sign in first."))
    return context.actor


def _today() -> datetime.date:
    return timezone.localdate()


# Graduation requirements and each student's progress ------------------------------------------------------


def required_competency_ids(district_id: int, kinds: Sequence[str]) -> list[int]:
    """The competencies graduation requires until the records issue's rule set exists: the leaf competencies
    of the latest published version of each framework of the chosen kinds (the graduate profile by default)
    that the district owns, or adopts, or its state owns; each at the mastery level."""
    district = Organization.objects.only("parent_id").get(pk=district_id)
    adopted = FrameworkAdoption.objects.filter(district_id=district_id).values("framework_id")
    frameworks = Framework.objects.filter(
        Q(owner_id=district_id) | Q(id__in=adopted) | Q(owner_id=district.parent_id), kind__in=list(kinds)
    )
    latest = (
        FrameworkVersion.objects.filter(framework__in=frameworks, status="published")
        .values("framework_id")
        .annotate(number=Max("number"))
    )
    version_ids = [
        pk
        for row in latest
        for pk in FrameworkVersion.objects.filter(
            framework_id=row["framework_id"], number=row["number"]
        ).values_list("id", flat=True)
    ]
    parents = Competency.objects.filter(version_id__in=version_ids, parent__isnull=False).values("parent_id")
    return list(
        Competency.objects.filter(version_id__in=version_ids)
        .exclude(id__in=parents)
        .values_list("id", flat=True)
    )


class ProgressRow(NamedTuple):
    """One student's computed progress: the columns of `StudentProgress` that `progress_refresh` writes."""

    student_id: int
    district_id: int
    status: str
    mastered: int
    required: int
    pace: float
    projected_on: datetime.date | None
    target_on: datetime.date | None
    target_years: int
    started_on: datetime.date | None
    reason: str
    reason_params: dict[str, object]
    computed_at: datetime.datetime


PROGRESS_COLUMNS = ProgressRow._fields


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[object]], *, upsert_on: str = ""
) -> None:
    """Write many rows at once, replacing the row with the same `upsert_on` value when given. On PostgreSQL
    by COPY into a temporary table: `bulk_create`'s per-value preparation and array parameters cost several
    times the database's own work at a district's 50,000 rows (bench/progress.py)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        if upsert_on:
            model._default_manager.bulk_create(
                objects,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=[upsert_on],
                update_fields=[c for c in columns if c != upsert_on],
            )
        else:
            model._default_manager.bulk_create(objects, batch_size=2000)
        return
    fields = [model._meta.get_field(name) for name in columns]
    names = [connection.ops.quote_name(str(field.column)) for field in fields]  # type: ignore[union-attr]
    json_at = [i for i, field in enumerate(fields) if isinstance(field, JSONField)]
    table = connection.ops.quote_name(model._meta.db_table)
    listed = ", ".join(names)
    with transaction.atomic(), connection.cursor() as cursor:
        # Names from the model's own metadata, never from input.
        empty = f"SELECT {listed} FROM {table} WITH NO DATA"  # noqa: S608
        cursor.execute(f"CREATE TEMPORARY TABLE progress_incoming ON COMMIT DROP AS {empty}")
        with cursor.cursor.copy(f"COPY progress_incoming ({listed}) FROM STDIN") as copy:
            for row in rows:
                values = list(row)
                for i in json_at:
                    values[i] = Jsonb(values[i])
                copy.write_row(values)
        conflict = ""
        if upsert_on:
            key = connection.ops.quote_name(str(model._meta.get_field(upsert_on).column))  # type: ignore[union-attr]
            updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names if name != key)
            conflict = f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
        cursor.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM progress_incoming{conflict}")  # noqa: S608
        cursor.execute("DROP TABLE progress_incoming")


def student_start(cohort_year: int | None, timeline_start: datetime.date | None) -> datetime.date | None:
    """When high school began: the timeline's date when set, else September 1 of the cohort year."""
    if timeline_start is not None:
        return timeline_start
    return trajectory.high_school_start(cohort_year) if cohort_year else None


def mastery_dates(
    *, district_id: int, competency_ids: Sequence[int], student_ids: Sequence[int] | None
) -> list[tuple[int, datetime.date]]:
    """(student, day) for each required competency a student is at mastery on now, dated by the first day
    its history reached mastery."""
    return [
        (student_id, day)
        for student_id, _, day in competency_mastery_dates(
            district_id=district_id, competency_ids=competency_ids, student_ids=student_ids
        )
    ]


def competency_mastery_dates(
    *, district_id: int, competency_ids: Iterable[int], student_ids: Sequence[int] | None
) -> list[tuple[int, int, datetime.date]]:
    """(student, competency, day) for each of the competencies a student is at mastery on now, dated by the
    first day its history reached mastery."""
    at_mastery = MasteryLevel.objects.filter(
        student_id=OuterRef("student_id"), competency_id=OuterRef("competency_id"), meets_mastery=True
    )
    rows = MasteryLevelChange.objects.filter(
        district_id=district_id, meets_mastery=True, competency_id__in=list(competency_ids)
    )
    if student_ids is not None:
        rows = rows.filter(student_id__in=list(student_ids))
    return list(
        rows.filter(Exists(at_mastery))
        .values("student_id", "competency_id")
        .annotate(first=Min(TruncDate("changed_at")))
        .values_list("student_id", "competency_id", "first")
        .order_by()
    )


def graduation_requirements(
    *, district_id: int, facts: Sequence[StudentFacts], settings: InquirySettings
) -> list[tuple[frozenset[int], int]]:
    """Each student's required competencies and how many graduation needs: the rule set in force for the
    student's cohort (the records app's), or, for a cohort without one, the leaf competencies of the
    frameworks the inquiry settings count, each at mastery."""
    by_cohort = pace_requirements(district_id=district_id)
    default: tuple[frozenset[int], int] | None = None
    found: list[tuple[frozenset[int], int]] = []
    for fact in facts:
        plan = by_cohort.get(fact.cohort) if fact.cohort is not None else None
        if plan is not None:
            found.append((plan.competency_ids, plan.required))
            continue
        if default is None:
            ids = frozenset(required_competency_ids(district_id, settings.kinds))
            default = (ids, len(ids))
        found.append(default)
    return found


@dataclass(frozen=True)
class StudentFacts:
    """What the projection of one student rests on (read by `selectors.student_progress` too)."""

    student_id: int
    start: datetime.date | None
    target_years: int
    prior: int
    cohort: int | None = None


def student_facts(*, district_id: int, student_ids: Sequence[int] | None) -> list[StudentFacts]:
    students = Student.objects.filter(district_id=district_id)
    if student_ids is not None:
        students = students.filter(pk__in=list(student_ids))
    rows = list(students.values_list("id", "cohort_year").order_by("id"))
    ids = [pk for pk, _ in rows] if student_ids is not None else None
    timelines_q = StudentTimeline.objects.filter(district_id=district_id)
    plans_q = SuccessPlan.objects.filter(district_id=district_id)
    if ids is not None:
        timelines_q = timelines_q.filter(student_id__in=ids)
        plans_q = plans_q.filter(student_id__in=ids)
    timelines = {
        pk: (start, prior)
        for pk, start, prior in timelines_q.values_list("student_id", "high_school_start", "prior_mastered")
    }
    targets = dict(plans_q.values_list("student_id", "target_years"))
    return [
        StudentFacts(
            student_id=pk,
            start=student_start(cohort, timelines.get(pk, (None, 0))[0]),
            target_years=targets.get(pk, trajectory.DEFAULT_TARGET_YEARS),
            prior=timelines.get(pk, (None, 0))[1],
            cohort=cohort,
        )
        for pk, cohort in rows
    ]


def _reason_of(
    status_code: str,
    *,
    mastered: int,
    required: int,
    projected: datetime.date | None,
    target: datetime.date | None,
    rate: float,
    years: int,
    weeks: int,
) -> tuple[str, dict[str, object]]:
    if status_code == trajectory.UNKNOWN:
        return trajectory.REASON_NOT_STARTED, {}
    if mastered >= required:
        return trajectory.REASON_DONE, {}
    if projected is None or target is None:
        return trajectory.REASON_NO_PACE, {"weeks": weeks, "remaining": required - mastered}
    months = round(abs(trajectory.months_between(target, projected)))
    return status_code, {
        "pace": f"{rate:.1f}",
        "projected": projected.isoformat(),
        "years": years,
        "months": months,
    }


def progress_compute(
    *, district_id: int, student_ids: Iterable[int] | None = None, on: datetime.date | None = None
) -> list[ProgressRow]:
    """The pace, projection and status of the district's students (or of some), computed in bulk with NumPy,
    unwritten."""
    on = on or _today()
    settings = InquirySettings.for_district(district_id)
    ids = sorted(set(student_ids)) if student_ids is not None else None
    facts = student_facts(district_id=district_id, student_ids=ids)
    if not facts:
        return []
    requirements = graduation_requirements(district_id=district_id, facts=facts, settings=settings)
    required_of = np.fromiter((needed for _, needed in requirements), dtype=np.int64, count=len(facts))
    every_id = frozenset().union(*(ids for ids, _ in requirements))
    position = {fact.student_id: index for index, fact in enumerate(facts)}
    dated = [
        (student_id, day)
        for student_id, competency_id, day in (
            competency_mastery_dates(district_id=district_id, competency_ids=every_id, student_ids=ids)
            if every_id
            else []
        )
        if competency_id in requirements[position[student_id]][0]
    ]
    count = len(facts)
    student_index = np.fromiter((position[pk] for pk, _ in dated), dtype=np.int64, count=len(dated))
    days = np.fromiter((day.toordinal() for _, day in dated), dtype=np.int64, count=len(dated))
    starts = [fact.start for fact in facts]
    start_ord = np.fromiter((s.toordinal() if s else 0 for s in starts), dtype=np.int64, count=count)
    targets = [
        trajectory.graduation_target(s, f.target_years) if s else None
        for s, f in zip(starts, facts, strict=True)
    ]
    target_ord = np.fromiter((t.toordinal() if t else 0 for t in targets), dtype=np.int64, count=count)
    prior = np.fromiter((fact.prior for fact in facts), dtype=np.int64, count=count)
    result = trajectory.assess_bulk(
        student_index=student_index,
        day=days,
        students=count,
        required=required_of,
        prior=prior,
        start=start_ord,
        target=target_ord,
        on=on,
        window_days=settings.pace_window_weeks * 7,
        ahead_months=settings.ahead_months,
        at_risk_months=settings.at_risk_months,
    )
    now = timezone.now()
    rows: list[ProgressRow] = []
    for index, fact in enumerate(facts):
        code = trajectory.STATUS_ORDER[int(result.status[index])]
        mastered = int(result.mastered[index])
        projected = (
            datetime.date.fromordinal(int(result.projected[index])) if result.projected[index] > 0 else None
        )
        rate = float(result.pace[index])
        required = int(required_of[index])
        params: dict[str, object]
        if not required:
            code, reason, params = trajectory.UNKNOWN, REASON_NO_REQUIREMENTS, {}
        else:
            reason, params = _reason_of(
                code,
                mastered=mastered,
                required=required,
                projected=projected,
                target=targets[index],
                rate=rate,
                years=fact.target_years,
                weeks=settings.pace_window_weeks,
            )
        rows.append(
            ProgressRow(
                fact.student_id,
                district_id,
                code,
                mastered,
                required,
                round(rate, 4),
                projected if code != trajectory.UNKNOWN else None,
                targets[index],
                fact.target_years,
                starts[index],
                reason,
                params,
                now,
            )
        )
    return rows


def progress_refresh(
    *, district_id: int, student_ids: Iterable[int] | None = None, on: datetime.date | None = None
) -> int:
    """Recompute and store the progress of the district's students (or of some); returns how many rows were
    written. A computed record: audited as one district event."""
    rows = progress_compute(district_id=district_id, student_ids=student_ids, on=on)
    if not rows:
        return 0
    insert_rows(StudentProgress, PROGRESS_COLUMNS, rows, upsert_on="student_id")
    audit_record(
        context=SYSTEM,
        action=AuditAction.UPDATE,
        object_type="progress",
        object_id=str(len(rows)),
        district_id=district_id,
        reason="Pace and projections recomputed",
    )
    return len(rows)


# The inquiry rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    kind: str
    cause: str
    student_id: int | None
    school_id: int | None
    facts: dict[str, object]


@dataclass(frozen=True)
class InquiryResult:
    opened: int
    closed: int
    still_open: int


def _off_track(district_id: int, ids: list[int] | None) -> list[Firing]:
    rows = StudentProgress.objects.filter(district_id=district_id, status=Status.OFF_TRACK)
    if ids is not None:
        rows = rows.filter(student_id__in=ids)
    return [
        Firing(AlertKind.OFF_TRACK, f"off_track:{pk}", pk, None, {"reason": reason, "reason_params": params})
        for pk, reason, params in rows.values_list("student_id", "reason", "reason_params")
    ]


def _enrolled(district_id: int, ids: list[int] | None, on: datetime.date) -> dict[int, int]:
    """Student → the school they are enrolled at on the day."""
    rows = StudentEnrollment.objects.filter(
        active_on(on, start="entry_date", end="exit_date"), district_id=district_id
    )
    if ids is not None:
        rows = rows.filter(student_id__in=ids)
    return dict(rows.values_list("student_id", "school_id"))


def _no_evidence(
    district_id: int, ids: list[int] | None, on: datetime.date, weeks: int, started: set[int]
) -> list[Firing]:
    since = on - datetime.timedelta(weeks=weeks)
    rows = Evidence.objects.filter(district_id=district_id)
    if ids is not None:
        rows = rows.filter(student_id__in=ids)
    last = {
        pk: timezone.localdate(at)
        for pk, at in rows.values("student_id")
        .annotate(last=Max("submitted_at"))
        .values_list("student_id", "last")
        .order_by()
    }
    # A student who arrived in the district within the window (a transfer, a new enrolment) has had no time
    # to hand anything in: the rule waits until they have been here as long as it looks back.
    entries = StudentEnrollment.objects.filter(district_id=district_id, student_id__in=sorted(started))
    arrived = dict(
        entries.values("student_id").annotate(first=Min("entry_date")).values_list("student_id", "first")
    )
    return [
        Firing(
            AlertKind.NO_EVIDENCE,
            f"no_evidence:{pk}",
            pk,
            None,
            {"weeks": weeks, "last_evidence": last[pk].isoformat() if pk in last else ""},
        )
        for pk in sorted(started)
        if (pk not in last or last[pk] < since) and (arrived.get(pk) is None or arrived[pk] <= since)
    ]


def _stuck(district_id: int, ids: list[int] | None, attempts: int) -> list[Firing]:
    below = MasteryLevel.objects.filter(
        student_id=OuterRef("student_id"), competency_id=OuterRef("competency_id"), meets_mastery=False
    )
    rows = Score.objects.filter(district_id=district_id, counts_toward_mastery=True, superseded=False)
    if ids is not None:
        rows = rows.filter(student_id__in=ids)
    found = list(
        rows.filter(Exists(below))
        .values("student_id", "competency_id")
        .annotate(n=Count("id"))
        .filter(n__gte=attempts)
        .values_list("student_id", "competency_id", "n")
        .order_by()
    )
    labels = {
        c.pk: str(c)
        for c in Competency.objects.filter(pk__in={c for _, c, _ in found}).only(
            "human_code", "full_statement", "abbreviated_statement"
        )
    }
    return [
        Firing(
            AlertKind.STUCK,
            f"stuck:{pk}:{competency}",
            pk,
            None,
            {"competency": labels.get(competency, ""), "competency_id": competency, "attempts": n},
        )
        for pk, competency, n in found
    ]


def _milestones(district_id: int, ids: list[int] | None, on: datetime.date) -> list[Firing]:
    rows = GoalMilestone.objects.filter(
        district_id=district_id,
        target_date__lt=on,
        status__in=[MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS],
    )
    if ids is not None:
        rows = rows.filter(goal__plan__student_id__in=ids)
    return [
        Firing(
            AlertKind.MILESTONE_OVERDUE,
            f"milestone:{pk}",
            student_id,
            None,
            {"milestone": description, "milestone_id": pk, "due": due.isoformat() if due else ""},
        )
        for pk, student_id, description, due in rows.values_list(
            "pk", "goal__plan__student_id", "description", "target_date"
        )
    ]


def subgroups_of(demographics: dict[str, object]) -> list[str]:
    """The reporting groups a student counts in: the federal race/ethnicity category, gender, and the
    English learner, disability and economic disadvantage flags."""
    race = subgroup_race(demographics)
    groups = [f"race:{race}", f"gender:{demographics['gender']}"]
    for flag in ("english_learner", "students_with_disabilities", "economically_disadvantaged"):
        if demographics[flag]:
            groups.append(flag)
    return groups


def subgroup_race(demographics: dict[str, object]) -> str:
    return federal_race_ethnicity(
        hispanic_or_latino=bool(demographics["hispanic_or_latino"]),
        races=[flag for flag in RACE_FLAGS if demographics[flag]],
    ).value


@dataclass(frozen=True)
class GroupPace:
    """The median pace of one reporting group at one school, and of the school."""

    school_id: int
    school: str
    group: str
    median: float
    students: int
    school_median: float


DEMOGRAPHIC_FIELDS = (
    "student_id",
    "gender",
    "hispanic_or_latino",
    *RACE_FLAGS,
    "english_learner",
    "students_with_disabilities",
    "economically_disadvantaged",
)


def subgroup_paces(*, district_id: int, on: datetime.date, min_cell_size: int) -> list[GroupPace]:
    """Per school, the median pace of each reporting group of at least `min_cell_size` students (and not the
    whole school), over the students enrolled there whose high school has begun."""
    schools = _enrolled(district_id, None, on)
    paces = dict(
        StudentProgress.objects.filter(district_id=district_id)
        .exclude(status=Status.UNKNOWN)
        .values_list("student_id", "pace")
    )
    by_school: dict[int, list[float]] = defaultdict(list)
    by_group: dict[tuple[int, str], list[float]] = defaultdict(list)
    rows = StudentDemographics.objects.filter(district_id=district_id).values(*DEMOGRAPHIC_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        pk = int(row["student_id"])
        if pk not in paces or pk not in schools:
            continue
        school, pace_value = schools[pk], paces[pk]
        by_school[school].append(pace_value)
        for group in subgroups_of(row):
            by_group[(school, group)].append(pace_value)
    names = dict(Organization.objects.filter(pk__in=list(by_school)).values_list("pk", "name"))
    school_medians = {school: statistics.median(values) for school, values in by_school.items()}
    return [
        GroupPace(
            school_id=school,
            school=names.get(school, ""),
            group=group,
            median=statistics.median(values),
            students=len(values),
            school_median=school_medians[school],
        )
        for (school, group), values in sorted(by_group.items())
        if len(values) >= min_cell_size and len(values) < len(by_school[school])
    ]


def _subgroups(district_id: int, on: datetime.date, settings: InquirySettings) -> list[Firing]:
    """Each reporting group whose median pace is below the threshold, or below the school's median by more
    than the margin."""
    firings = []
    for row in subgroup_paces(district_id=district_id, on=on, min_cell_size=settings.min_cell_size):
        facts: dict[str, object] = {
            "group": row.group,
            "school": row.school,
            "pace": f"{row.median:.1f}",
            "school_pace": f"{row.school_median:.1f}",
            "students": row.students,
        }
        if row.median < settings.subgroup_min_pace:
            facts |= {"rule": "threshold", "threshold": f"{settings.subgroup_min_pace:.1f}"}
        elif row.median < row.school_median * (1 - settings.subgroup_margin):
            facts |= {"rule": "margin", "margin": round(settings.subgroup_margin * 100)}
        else:
            continue
        cause = f"subgroup:{row.school_id}:{row.group}"
        firings.append(Firing(AlertKind.SUBGROUP_PACE, cause, None, row.school_id, facts))
    return firings


STUDENT_KINDS = (AlertKind.OFF_TRACK, AlertKind.NO_EVIDENCE, AlertKind.STUCK, AlertKind.MILESTONE_OVERDUE)


@transaction.atomic
def inquiry_run(
    *, district_id: int, on: datetime.date | None = None, student_ids: Iterable[int] | None = None
) -> InquiryResult:
    """Run the inquiry rules over the district (the subgroup rules too) or over some of its students (the
    student rules only). A rule firing opens an alert unless one is open for the same cause; an open alert
    whose cause no longer fires is closed. Reads `StudentProgress`: refresh it first."""
    on = on or _today()
    settings = InquirySettings.for_district(district_id)
    ids = sorted(set(student_ids)) if student_ids is not None else None
    enrolled = _enrolled(district_id, ids, on)
    rows = StudentProgress.objects.filter(district_id=district_id).exclude(status=Status.UNKNOWN)
    if ids is not None:
        rows = rows.filter(student_id__in=ids)
    started = set(rows.values_list("student_id", flat=True)) & set(enrolled)
    firings = [
        *_off_track(district_id, ids),
        *_no_evidence(district_id, ids, on, settings.no_evidence_weeks, started),
        *_stuck(district_id, ids, settings.stuck_attempts),
        *_milestones(district_id, ids, on),
    ]
    if ids is None:
        firings.extend(_subgroups(district_id, on, settings))
    firing = {f.cause: f for f in firings}
    open_alerts = Alert.objects.select_for_update().filter(district_id=district_id, closed_at__isnull=True)
    if ids is not None:
        open_alerts = open_alerts.filter(student_id__in=ids, kind__in=STUDENT_KINDS)
    now = timezone.now()
    open_causes: dict[str, int] = dict(open_alerts.values_list("cause", "id"))
    to_close = [pk for cause, pk in open_causes.items() if cause not in firing]
    closed = (
        Alert.objects.filter(pk__in=to_close).update(closed_at=now, closed_reason="The condition cleared")
        if to_close
        else 0
    )
    new = [f for cause, f in firing.items() if cause not in open_causes]
    insert_rows(
        Alert,
        ("district_id", "school_id", "student_id", "kind", "cause", "facts", "opened_at", "closed_reason"),
        [
            (
                district_id,
                f.school_id if f.school_id else enrolled.get(f.student_id or 0),
                f.student_id,
                f.kind,
                f.cause,
                f.facts,
                now,
                "",
            )
            for f in new
        ],
    )
    subgroup_alerts = list(
        Alert.objects.filter(
            district_id=district_id,
            closed_at__isnull=True,
            kind=AlertKind.SUBGROUP_PACE,
            school_task__isnull=True,
        )
    )
    SchoolSupportTask.objects.bulk_create(
        SchoolSupportTask(
            alert=alert,
            district_id=district_id,
            school_id=alert.school_id,
            due_on=on + datetime.timedelta(days=SCHOOL_TASK_DAYS),
        )
        for alert in subgroup_alerts
        if alert.school_id is not None
    )
    touched = {f.student_id for f in new if f.student_id} | set(
        Alert.objects.filter(pk__in=to_close, student__isnull=False).values_list("student_id", flat=True)
    )
    if touched:
        audit_record_students(
            context=SYSTEM,
            action=AuditAction.UPDATE,
            object_type="progress-alert",
            students=[Student(pk=pk, district_id=district_id) for pk in sorted(touched)],
            reason="Inquiry rules opened or closed alerts",
        )
    return InquiryResult(opened=len(new), closed=closed, still_open=len(open_causes) - closed + len(new))


def student_changed(*, student_id: int) -> None:
    """After a student's levels change: their progress, then the student rules, for them alone."""
    district_id = Student.objects.filter(pk=student_id).values_list("district_id", flat=True).first()
    if district_id is None:
        return
    with transaction.atomic():
        progress_refresh(district_id=district_id, student_ids=[student_id])
        inquiry_run(district_id=district_id, student_ids=[student_id])


def nightly(*, on: datetime.date | None = None) -> dict[int, InquiryResult]:
    """Every district: progress, then the inquiry rules (students and subgroups)."""
    results = {}
    for district_id in Organization.objects.filter(kind=Organization.Kind.DISTRICT).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            progress_refresh(district_id=district_id, on=on)
            results[district_id] = inquiry_run(district_id=district_id, on=on)
    return results


# Settings -------------------------------------------------------------------------------------------------

LIMITS: dict[str, tuple[float, float]] = {
    "pace_window_weeks": (1, 104),
    "no_evidence_weeks": (1, 52),
    "stuck_attempts": (1, 50),
    "ahead_months": (0, 36),
    "at_risk_months": (1, 36),
    "subgroup_min_pace": (0, 50),
    "subgroup_margin": (0, 0.95),
    "min_cell_size": (10, 1000),
    "exemplar_min_students": (10, 1000),
}


@transaction.atomic
def inquiry_settings_update(
    *, context: RequestContext, district: Organization, values: dict[str, object]
) -> InquirySettings:
    """Change a district's thresholds; a threshold outside what can hold (a negative margin, a window of no
    weeks, a cell size below the privacy minimum of 10) is refused."""
    _require(context, Action.MANAGE_INQUIRY, district)
    problems: list[str] = []
    settings = InquirySettings.objects.select_for_update().filter(
        district=district
    ).first() or InquirySettings.for_district(district.pk)
    for name, value in values.items():
        if name == "requirement_kinds":
            kinds = list(value) if isinstance(value, (list, tuple)) else []
            if not kinds or set(kinds) - set(FrameworkKind.values):
                problems.append(
                    gettext("Choose at least one kind of framework that counts toward graduation.")
                )
            else:
                settings.requirement_kinds = kinds
            continue
        if name not in LIMITS:
            problems.append(gettext("“%(name)s” is not an inquiry setting.") % {"name": name})
            continue
        low, high = LIMITS[name]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
            problems.append(
                gettext("%(name)s must be between %(low)s and %(high)s; %(value)s cannot be met.")
                % {"name": name, "low": f"{low:g}", "high": f"{high:g}", "value": value}
            )
            continue
        setattr(settings, name, value)
    _refuse_if(problems)
    settings.updated_by = context.actor
    settings.updated_at = timezone.now()
    settings.save()
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        object_type="inquiry-settings",
        object_id=str(settings.pk),
        district_id=district.pk,
    )
    return settings


# Advancement -----------------------------------------------------------------------------------------------


@transaction.atomic
def advancement_rule_save(
    *,
    context: RequestContext,
    district: Organization,
    course_code: str,
    next_course_code: str,
    title: str = "",
    requirements: Sequence[tuple[Competency, float | None]],
) -> AdvancementRule:
    """Say what a course requires to move on to the next (replacing what it required before)."""
    _require(context, Action.MANAGE_ADVANCEMENT_RULES, district)
    problems = []
    if not course_code.strip() or not next_course_code.strip():
        problems.append(gettext("Name the course and the course it leads to."))
    elif course_code.strip() == next_course_code.strip():
        problems.append(gettext("A course cannot lead to itself."))
    if not requirements:
        problems.append(gettext("Name at least one competency the course requires."))
    if any(level is not None and level < 0 for _, level in requirements):
        problems.append(gettext("A required level cannot be negative."))
    _refuse_if(problems)
    rule, _ = AdvancementRule.objects.update_or_create(
        district=district,
        course_code=course_code.strip(),
        defaults={
            "next_course_code": next_course_code.strip(),
            "title": title.strip(),
            "updated_at": timezone.now(),
        },
    )
    rule.requirements.all().delete()
    AdvancementRequirement.objects.bulk_create(
        AdvancementRequirement(rule=rule, competency=competency, min_level=level)
        for competency, level in requirements
    )
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        object_type="advancement-rule",
        object_id=str(rule.pk),
        district_id=district.pk,
    )
    return rule


@dataclass(frozen=True)
class RequirementCheck:
    competency_id: int
    label: str
    required_level: float | None
    level: float | None
    met: bool


def requirement_checks(rule: AdvancementRule, student_id: int) -> list[RequirementCheck]:
    requirements = list(rule.requirements.select_related("competency"))
    levels = {
        competency_id: (level, meets)
        for competency_id, level, meets in MasteryLevel.objects.filter(
            student_id=student_id, competency_id__in=[r.competency_id for r in requirements]
        ).values_list("competency_id", "level", "meets_mastery")
    }
    checks = []
    for requirement in requirements:
        level, meets = levels.get(requirement.competency_id, (None, False))
        if requirement.min_level is None:
            met = bool(meets)
        else:
            met = level is not None and level >= requirement.min_level
        checks.append(
            RequirementCheck(
                requirement.competency_id, str(requirement.competency), requirement.min_level, level, met
            )
        )
    return checks


@transaction.atomic
def advancement_record(
    *,
    context: RequestContext,
    student: Student,
    to_section: Section,
    advanced_on: datetime.date,
    override_reason: str = "",
) -> Advancement:
    """Move the student from the section of a course to a section of the course it leads to, from
    `advanced_on`: the old roster place ends the day before, the new one starts that day (nothing is
    deleted). Refused when the requirements are not met, unless overridden with a reason."""
    _require(context, Action.ADVANCE_STUDENT, student)
    actor = _actor(context)
    today = _today()
    problems: list[str] = []
    if advanced_on > today:
        problems.append(gettext("An advancement cannot be dated in the future."))
    current = (
        SectionEnrollment.objects.select_for_update()
        .filter(active_on(min(advanced_on, today)), student=student, district_id=student.district_id)
        .select_related("section")
    )
    rules = {
        rule.course_code: rule
        for rule in AdvancementRule.objects.filter(
            district_id=student.district_id, course_code__in=[e.section.course_code for e in current]
        )
    }
    leaving = next(
        (
            e
            for e in current
            if e.section.course_code in rules
            and rules[e.section.course_code].next_course_code == to_section.course_code
        ),
        None,
    )
    if to_section.district_id != student.district_id:
        problems.append(gettext("The new section is in another district."))
    elif leaving is None:
        problems.append(
            gettext("%(student)s is in no course that leads to %(course)s.")
            % {"student": student.full_name, "course": to_section.course_code or to_section.title}
        )
    if not (to_section.starts_on <= advanced_on <= to_section.ends_on):
        problems.append(gettext("The new section does not run on that date."))
    if leaving is not None and advanced_on <= leaving.starts_on:
        problems.append(gettext("The advancement must come after the student joined the current section."))
    reason = override_reason.strip()
    checks: list[RequirementCheck] = []
    if leaving is not None:
        checks = requirement_checks(rules[leaving.section.course_code], student.pk)
        unmet = [check.label for check in checks if not check.met]
        if unmet and not reason:
            problems.append(
                gettext("Not ready to advance: %(unmet)s not yet met. To advance anyway, give the reason.")
                % {"unmet": "; ".join(unmet)}
            )
    certification = policy.current_certification(actor, today)
    if certification is None:
        problems.append(gettext("Only a teacher with a current certification records an advancement."))
    _refuse_if(problems)
    if leaving is None or certification is None:  # refused above; this tells the type checker
        raise ProgressError(gettext("This advancement cannot be recorded."))
    met = all(check.met for check in checks)
    leaving.ends_on = advanced_on - datetime.timedelta(days=1)
    leaving.save(update_fields=["ends_on"])
    SectionEnrollment.objects.create(
        section=to_section, student=student, district_id=student.district_id, starts_on=advanced_on
    )
    advancement = Advancement.objects.create(
        district_id=student.district_id,
        student=student,
        rule=rules[leaving.section.course_code],
        from_section=leaving.section,
        to_section=to_section,
        advanced_on=advanced_on,
        recorded_by=actor,
        certification=certification,
        requirements_met=met,
        override_reason="" if met else reason,
        facts=[
            {
                "competency_id": c.competency_id,
                "competency": c.label,
                "required": c.required_level,
                "level": c.level,
                "met": c.met,
            }
            for c in checks
        ],
    )
    audit_student(
        context,
        AuditAction.UPDATE,
        "advancement",
        advancement.pk,
        student,
        reason="Advanced" if met else f"Advanced without the requirements: {reason}"[:300],
    )
    return advancement


# Readiness for large-scale tests -------------------------------------------------------------------------


@transaction.atomic
def readiness_mark(
    *, context: RequestContext, student: Student, test: LargeScaleTest, window: TestingWindow | None = None
) -> TestReadiness:
    """A teacher marks the student ready for the test, recording the levels on the competencies it covers."""
    _require(context, Action.MARK_TEST_READY, student)
    problems = []
    if window is not None and (window.test_id != test.pk or window.district_id != student.district_id):
        problems.append(gettext("That testing window is not one of this test's in the student's district."))
    elif window is not None and window.ends_on < _today():
        problems.append(gettext("That testing window has closed."))
    if TestReadiness.objects.filter(student=student, test=test, status=ReadinessStatus.READY).exists():
        problems.append(gettext("The student is already marked ready for this test."))
    _refuse_if(problems)
    covered = list(test.competencies.all())
    levels = {
        c: (level, meets)
        for c, level, meets in MasteryLevel.objects.filter(
            student=student, competency__in=covered
        ).values_list("competency_id", "level", "meets_mastery")
    }
    readiness = TestReadiness.objects.create(
        district_id=student.district_id,
        student=student,
        test=test,
        window=window,
        marked_by=_actor(context),
        marked_on=_today(),
        facts=[
            {
                "competency_id": c.pk,
                "competency": str(c),
                "level": levels.get(c.pk, (None, False))[0],
                "met": levels.get(c.pk, (None, False))[1],
            }
            for c in covered
        ],
    )
    audit_student(context, AuditAction.UPDATE, "test-readiness", readiness.pk, student, reason="Marked ready")
    return readiness


@transaction.atomic
def sitting_record(
    *, context: RequestContext, readiness: TestReadiness, sat_on: datetime.date, outcome: str, score: str = ""
) -> TestSitting:
    """The testing coordinator records that the student sat the test, and how it went."""
    readiness = TestReadiness.objects.select_for_update().select_related("student").get(pk=readiness.pk)
    _require(context, Action.RECORD_TEST_SITTING, readiness.student)
    problems = []
    if sat_on > _today():
        problems.append(gettext("A sitting cannot be dated in the future."))
    if sat_on < readiness.marked_on:
        problems.append(gettext("The sitting cannot come before the student was marked ready."))
    if outcome not in SittingOutcome.values:
        problems.append(gettext("“%(outcome)s” is not an outcome.") % {"outcome": outcome})
    if readiness.status != ReadinessStatus.READY:
        problems.append(gettext("This readiness is no longer open."))
    _refuse_if(problems)
    sitting = TestSitting.objects.create(
        readiness=readiness,
        district_id=readiness.district_id,
        sat_on=sat_on,
        outcome=outcome,
        score=score.strip()[:64],
        recorded_by=_actor(context),
    )
    readiness.status = ReadinessStatus.SAT
    readiness.save(update_fields=["status"])
    audit_student(
        context,
        AuditAction.UPDATE,
        "test-readiness",
        readiness.pk,
        readiness.student,
        reason="Sitting recorded",
    )
    return sitting


# Alerts, supports and school tasks -----------------------------------------------------------------------


def _guides(user: User, student: Student) -> bool:
    return policy.guided_students(user).filter(pk=student.pk).exists()


@transaction.atomic
def alert_assign(*, context: RequestContext, alert: Alert, assignee: User) -> Alert:
    """Give a student's alert to someone who guides the student, and tell them."""
    alert = Alert.objects.select_for_update(of=("self",)).select_related("student").get(pk=alert.pk)
    if alert.student is None:
        raise ProgressError(gettext("A subgroup alert goes to the school's administrators as a task."))
    _require(context, Action.MANAGE_SUPPORT, alert.student)
    if not _guides(assignee, alert.student):
        raise ProgressError(
            gettext("%(name)s does not have %(student)s in their scope.")
            % {"name": assignee.display_name, "student": alert.student.full_name}
        )
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to"])
    audit_student(
        context, AuditAction.UPDATE, "progress-alert", alert.pk, alert.student, reason="Alert assigned"
    )
    if assignee != context.actor:
        notify(
            kind=events.ALERT_ASSIGNED.code,
            recipients=[assignee],
            student=alert.student,
            params={
                "by": context.actor.display_name if context.actor else "",
                "kind": alert.kind,
                "facts": alert.facts,
            },
            url=reverse("progress-trajectory", args=[alert.student.pk]),
        )
    return alert


@transaction.atomic
def support_open(
    *,
    context: RequestContext,
    student: Student,
    kind: str,
    owner: User,
    starts_on: datetime.date,
    follow_up_on: datetime.date,
    description: str = "",
    alert: Alert | None = None,
    ends_on: datetime.date | None = None,
) -> Support:
    """Open a support for the student, often from an alert; its owner must guide the student."""
    _require(context, Action.MANAGE_SUPPORT, student)
    problems = []
    if kind not in SupportKind.values:
        problems.append(gettext("“%(kind)s” is not a kind of support.") % {"kind": kind})
    if not _guides(owner, student):
        problems.append(
            gettext("%(name)s does not have %(student)s in their scope, so cannot own the support.")
            % {"name": owner.display_name, "student": student.full_name}
        )
    if follow_up_on < starts_on:
        problems.append(gettext("The follow-up check cannot come before the support starts."))
    if ends_on is not None and ends_on < starts_on:
        problems.append(gettext("A support cannot end before it starts."))
    if alert is not None and alert.student_id != student.pk:
        problems.append(gettext("That alert is about another student."))
    _refuse_if(problems)
    support = Support.objects.create(
        district_id=student.district_id,
        student=student,
        alert=alert,
        kind=kind,
        description=description.strip(),
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        follow_up_on=follow_up_on,
        status=SupportStatus.ACTIVE if starts_on <= _today() else SupportStatus.PLANNED,
        created_by=context.actor,
    )
    if alert is not None and alert.assigned_to_id is None:
        Alert.objects.filter(pk=alert.pk).update(assigned_to=owner)
    audit_student(context, AuditAction.CREATE, "support", support.pk, student, reason=f"Support: {kind}")
    return support


SUPPORT_MOVES = {
    SupportStatus.PLANNED: {SupportStatus.ACTIVE, SupportStatus.CANCELLED},
    SupportStatus.ACTIVE: {SupportStatus.COMPLETED, SupportStatus.CANCELLED},
}


@transaction.atomic
def support_update(*, context: RequestContext, support: Support, status: str) -> Support:
    support = Support.objects.select_for_update().select_related("student").get(pk=support.pk)
    _require(context, Action.MANAGE_SUPPORT, support.student)
    if status not in SUPPORT_MOVES.get(SupportStatus(support.status), set()):
        raise ProgressError(
            gettext("A support that is %(now)s cannot become %(next)s.")
            % {"now": support.get_status_display(), "next": status}
        )
    support.status = status
    if status in (SupportStatus.COMPLETED, SupportStatus.CANCELLED) and support.ends_on is None:
        support.ends_on = max(_today(), support.starts_on)
    support.save(update_fields=["status", "ends_on"])
    audit_student(
        context, AuditAction.UPDATE, "support", support.pk, support.student, reason=f"Support {status}"
    )
    return support


def condition_cleared(support: Support) -> bool:
    """Whether what the support was for has cleared: its alert closed, or (without one) the student no
    longer at risk or off track."""
    if support.alert_id is not None:
        return Alert.objects.filter(pk=support.alert_id, closed_at__isnull=False).exists()
    return not StudentProgress.objects.filter(
        student_id=support.student_id, status__in=[Status.AT_RISK, Status.OFF_TRACK]
    ).exists()


@transaction.atomic
def support_follow_up(*, context: RequestContext, support: Support, note: str = "") -> Support:
    """The follow-up check: record whether the condition has cleared."""
    support = Support.objects.select_for_update().select_related("student").get(pk=support.pk)
    _require(context, Action.MANAGE_SUPPORT, support.student)
    support.follow_up_result = FollowUp.CLEARED if condition_cleared(support) else FollowUp.NOT_CLEARED
    support.follow_up_note = note.strip()
    support.followed_up_at = timezone.now()
    support.save(update_fields=["follow_up_result", "follow_up_note", "followed_up_at"])
    audit_student(
        context, AuditAction.UPDATE, "support", support.pk, support.student, reason="Follow-up checked"
    )
    return support


@transaction.atomic
def school_task_done(
    *, context: RequestContext, task: SchoolSupportTask, notes: str = ""
) -> SchoolSupportTask:
    task = SchoolSupportTask.objects.select_for_update().get(pk=task.pk)
    _require(context, Action.WORK_SCHOOL_TASKS, task)
    if task.status == TaskStatus.DONE:
        raise ProgressError(gettext("This task is already done."))
    task.status = TaskStatus.DONE
    task.notes = notes.strip()
    task.done_by = context.actor
    task.done_at = timezone.now()
    task.save(update_fields=["status", "notes", "done_by", "done_at"])
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        object_type="school-support-task",
        object_id=str(task.pk),
        district_id=task.district_id,
    )
    return task


# Conferences ----------------------------------------------------------------------------------------------


def build_agenda(student: Student, on: datetime.date) -> list[dict[str, object]]:
    """The agenda: the trajectory, open alerts, goals in progress and the last month's evidence. Trajectory
    and alert items keep their reason codes and facts, so each reader reads them in their own language
    (`Conference.agenda_items`); the text is the organizer's reading, kept for the record."""
    items: list[dict[str, object]] = []
    progress = StudentProgress.objects.filter(student=student).first()
    if progress is not None:
        items.append(
            {
                "kind": "trajectory",
                "status": progress.status,
                "reason": progress.reason,
                "reason_params": progress.reason_params,
                "text": f"{progress.get_status_display()}: {progress.sentence}",
            }
        )
    for kind, facts in Alert.objects.filter(student=student, closed_at__isnull=True).values_list(
        "kind", "facts"
    )[:5]:
        text = alert_sentence(kind, facts)
        items.append({"kind": "alert", "alert_kind": kind, "facts": facts, "text": text})
    for statement in PlanGoal.objects.filter(
        plan__student=student, status__in=["not_started", "in_progress"]
    ).values_list("statement", flat=True)[:5]:
        items.append({"kind": "goal", "text": statement})
    since = timezone.now() - datetime.timedelta(days=30)
    for title in (
        Evidence.objects.filter(student=student, submitted_at__gte=since)
        .order_by("-submitted_at")
        .values_list("title", flat=True)[:5]
    ):
        items.append({"kind": "evidence", "text": title})
    return items


def _attendee_role(user: User, student: Student, on: datetime.date) -> str:
    if student.user_id == user.pk:
        return AttendeeRole.STUDENT
    if GuardianLink.objects.filter(active_on(on), guardian=user, student=student).exists():
        return AttendeeRole.GUARDIAN
    if policy.has_role(user, Role.ADVISOR):
        return AttendeeRole.ADVISOR
    if policy.has_role(user, Role.TEACHER):
        return AttendeeRole.TEACHER
    return AttendeeRole.OTHER


@transaction.atomic
def conference_schedule(
    *,
    context: RequestContext,
    student: Student,
    kind: str,
    scheduled_for: datetime.datetime,
    attendees: Sequence[User] = (),
) -> Conference:
    """Schedule a conference with its agenda, and tell the student, their family and the attendees."""
    _require(context, Action.HOLD_CONFERENCE, student)
    actor = _actor(context)
    problems = []
    if kind not in ConferenceKind.values:
        problems.append(gettext("“%(kind)s” is not a kind of conference.") % {"kind": kind})
    on = _today()
    for user in attendees:
        if _attendee_role(user, student, on) == AttendeeRole.OTHER and not _guides(user, student):
            problems.append(
                gettext("%(name)s is neither family nor staff of %(student)s.")
                % {"name": user.display_name, "student": student.full_name}
            )
    _refuse_if(problems)
    conference = Conference.objects.create(
        district_id=student.district_id,
        student=student,
        kind=kind,
        scheduled_for=scheduled_for,
        organizer=actor,
        agenda=build_agenda(student, on),
    )
    people = {actor.pk: actor, **{user.pk: user for user in attendees}}
    ConferenceAttendee.objects.bulk_create(
        ConferenceAttendee(
            conference=conference, user=user, name=user.display_name, role=_attendee_role(user, student, on)
        )
        for user in people.values()
    )
    audit_student(
        context, AuditAction.CREATE, "conference", conference.pk, student, reason=f"Conference: {kind}"
    )
    recipients = {user.pk: user for user in family_of(student)} | {user.pk: user for user in attendees}
    recipients.pop(actor.pk, None)
    notify(
        kind=events.CONFERENCE_SCHEDULED.code,
        recipients=list(recipients.values()),
        student=student,
        params={
            "by": actor.display_name,
            "when": timezone.localtime(scheduled_for).strftime("%Y-%m-%d %H:%M"),
        },
        url=reverse("progress-conference", args=[conference.pk]),
    )
    return conference


@dataclass(frozen=True)
class NextStepIn:
    """A next step: a milestone (on `goal`, or on a new academic goal) unless `support_kind` makes it a
    support owned by `support_owner`."""

    text: str
    due: datetime.date | None = None
    goal: PlanGoal | None = None
    support_kind: str = ""
    support_owner: User | None = None


@transaction.atomic
def conference_record(
    *,
    context: RequestContext,
    conference: Conference,
    held_on: datetime.date,
    notes: str,
    attended: Sequence[User] = (),
    next_steps: Sequence[NextStepIn] = (),
) -> Conference:
    """Record that the conference was held: notes, who came, and next steps, each made a success-plan
    milestone or a support."""
    conference = Conference.objects.select_for_update().select_related("student").get(pk=conference.pk)
    student = conference.student
    _require(context, Action.HOLD_CONFERENCE, student)
    today = _today()
    problems = []
    if held_on > today:
        problems.append(gettext("A conference cannot be recorded as held on a day still to come."))
    for number, step in enumerate(next_steps, start=1):
        if not step.text.strip():
            problems.append(gettext("Next step %(number)s says nothing.") % {"number": number})
        if step.goal is not None and step.goal.plan.student_id != student.pk:
            problems.append(
                gettext("Next step %(number)s names another student's goal.") % {"number": number}
            )
        if step.support_kind and step.support_owner is None:
            problems.append(
                gettext("Next step %(number)s needs an owner for its support.") % {"number": number}
            )
    _refuse_if(problems)
    conference.held_on = held_on
    conference.notes = notes.strip()
    conference.save(update_fields=["held_on", "notes"])
    came = {user.pk for user in attended}
    rows = {row.user_id: row for row in conference.attendees.all()}
    for user in attended:
        if user.pk not in rows:
            rows[user.pk] = ConferenceAttendee.objects.create(
                conference=conference,
                user=user,
                name=user.display_name,
                role=_attendee_role(user, student, today),
            )
    for user_id, row in rows.items():
        row.attended = user_id in came
        row.save(update_fields=["attended"])
    for step in next_steps:
        text = step.text.strip()
        if step.support_kind and step.support_owner is not None:
            support = support_open(
                context=context,
                student=student,
                kind=step.support_kind,
                owner=step.support_owner,
                starts_on=today,
                follow_up_on=step.due or today + datetime.timedelta(days=28),
                description=text,
            )
            NextStep.objects.create(conference=conference, text=text, support=support)
            continue
        milestone_spec = MilestoneSpec(description=text, target_date=step.due)
        if step.goal is not None:
            kept = [MilestoneSpec(m.description, m.target_date, m.status) for m in step.goal.milestones.all()]
            goal = goal_update(
                context=context,
                goal=step.goal,
                fields=GoalFields(
                    domain=step.goal.domain,
                    statement=step.goal.statement,
                    target_date=step.goal.target_date,
                    status=step.goal.status,
                    evidence_links=step.goal.evidence_links,
                    milestones=[*kept, milestone_spec],
                ),
            )
        else:
            goal = goal_add(
                context=context,
                student=student,
                fields=GoalFields(domain=GoalDomain.ACADEMIC, statement=text, milestones=[milestone_spec]),
            )
        milestone = goal.milestones.order_by("-position", "-id").first()
        NextStep.objects.create(conference=conference, text=text, milestone=milestone)
    audit_student(
        context, AuditAction.UPDATE, "conference", conference.pk, student, reason="Conference recorded"
    )
    return conference


@transaction.atomic
def conference_notes_share(
    *, context: RequestContext, conference: Conference, guardians: Sequence[User]
) -> list[ConferenceShare]:
    """Share the notes with linked guardians (each reads them in their own language's page)."""
    conference = Conference.objects.select_for_update().select_related("student").get(pk=conference.pk)
    student = conference.student
    _require(context, Action.HOLD_CONFERENCE, student)
    today = _today()
    problems = []
    if not conference.is_held or not conference.notes:
        problems.append(gettext("Record the conference and its notes before sharing them."))
    if not guardians:
        problems.append(gettext("Choose a guardian to share the notes with."))
    linked = set(
        GuardianLink.objects.filter(active_on(today), student=student).values_list("guardian_id", flat=True)
    )
    for guardian in guardians:
        if guardian.pk not in linked:
            problems.append(
                gettext("%(name)s is not a linked guardian of %(student)s.")
                % {"name": guardian.display_name, "student": student.full_name}
            )
    _refuse_if(problems)
    shares = [
        ConferenceShare.objects.get_or_create(conference=conference, guardian=guardian)[0]
        for guardian in guardians
    ]
    audit_student(
        context, AuditAction.UPDATE, "conference-notes", conference.pk, student, reason="Notes shared"
    )
    notify(
        kind=events.NOTES_SHARED.code,
        recipients=list(guardians),
        student=student,
        params={"by": context.actor.display_name if context.actor else ""},
        url=reverse("progress-conference", args=[conference.pk]),
    )
    return shares


# The repository ------------------------------------------------------------------------------------------


def exemplar_points(
    *, district_id: int, target_years: int, min_students: int
) -> tuple[list[list[float]], int]:
    """The median share of the requirements mastered at each month k of high school, over the district's
    students aiming at `target_years` who are ahead or on track; a month is kept only when at least
    `min_students` students reached it. No name, id or date leaves this function."""
    progress = list(
        StudentProgress.objects.filter(
            district_id=district_id,
            target_years=target_years,
            status__in=[Status.AHEAD, Status.ON_TRACK],
            started_on__isnull=False,
            required__gt=0,
        ).values_list("student_id", "started_on", "required")
    )
    if not progress:
        return [], 0
    settings = InquirySettings.for_district(district_id)
    required_ids = required_competency_ids(district_id, settings.kinds)
    dated: dict[int, list[datetime.date]] = defaultdict(list)
    for pk, day in mastery_dates(
        district_id=district_id, competency_ids=required_ids, student_ids=[pk for pk, _, _ in progress]
    ):
        dated[pk].append(day)
    today = _today()
    by_month: dict[int, list[float]] = defaultdict(list)
    for pk, started, required in progress:
        if started is None:  # filtered out above; this tells the type checker
            continue
        last = trajectory.month_index(started, today)
        counts = [trajectory.month_index(started, day) for day in dated[pk]]
        for k in range(0, last + 1):
            by_month[k].append(sum(1 for c in counts if c <= k) / required)
    points = [
        [k, round(statistics.median(values), 3)]
        for k, values in sorted(by_month.items())
        if len(values) >= min_students
    ]
    return points, len(progress)


@transaction.atomic
def exemplar_publish(
    *, context: RequestContext, district: Organization, target_years: int, title: str
) -> ExemplarTrajectory:
    """Publish the district's anonymised exemplar trajectory for a target; refused unless at least the
    district's minimum number of students share every month shown."""
    _require(context, Action.PUBLISH_REPOSITORY, district)
    settings = InquirySettings.for_district(district.pk)
    problems = []
    if target_years not in trajectory.TARGET_YEARS:
        problems.append(gettext("The target is 3, 4, 5 or 6 years."))
    if not title.strip():
        problems.append(gettext("Give the trajectory a title."))
    _refuse_if(problems)
    points, students = exemplar_points(
        district_id=district.pk, target_years=target_years, min_students=settings.exemplar_min_students
    )
    if not points:
        raise ProgressError(
            gettext("Fewer than %(k)s students share this trajectory, so it cannot be published.")
            % {"k": settings.exemplar_min_students}
        )
    exemplar = ExemplarTrajectory.objects.create(
        district=district, title=title.strip(), target_years=target_years, points=points, students=students
    )
    audit_record(
        context=context,
        action=AuditAction.CREATE,
        object_type="exemplar",
        object_id=str(exemplar.pk),
        district_id=district.pk,
    )
    return exemplar


@transaction.atomic
def practice_save(
    *,
    context: RequestContext,
    district: Organization,
    title: str,
    write_up: str,
    for_struggling: str,
    exemplars: Sequence[ExemplarTrajectory] = (),
    published: bool = True,
) -> PacingPractice:
    _require(context, Action.PUBLISH_REPOSITORY, district)
    problems = []
    if not title.strip() or not write_up.strip():
        problems.append(gettext("A practice needs a title and a write-up."))
    if not for_struggling.strip():
        problems.append(gettext("Say what the practice did for students who struggle."))
    if any(not e.published and e.district_id != district.pk for e in exemplars):
        problems.append(gettext("Attach only published trajectories."))
    _refuse_if(problems)
    practice = PacingPractice.objects.create(
        district=district,
        title=title.strip(),
        write_up=write_up.strip(),
        for_struggling=for_struggling.strip(),
        published=published,
        created_by=context.actor,
    )
    practice.exemplars.set(exemplars)
    audit_record(
        context=context,
        action=AuditAction.CREATE,
        object_type="pacing-practice",
        object_id=str(practice.pk),
        district_id=district.pk,
    )
    return practice


@transaction.atomic
def practice_copy(
    *, context: RequestContext, practice: PacingPractice, district: Organization
) -> PacingPractice:
    """Copy another district's published practice as a template (unpublished) of this district."""
    _require(context, Action.PUBLISH_REPOSITORY, district)
    if not practice.published and practice.district_id != district.pk:
        raise ProgressError(gettext("Only a published practice can be copied."))
    copy = PacingPractice.objects.create(
        district=district,
        title=practice.title,
        write_up=practice.write_up,
        for_struggling=practice.for_struggling,
        copied_from=practice,
        published=False,
        created_by=context.actor,
    )
    copy.exemplars.set(practice.exemplars.all())
    audit_record(
        context=context,
        action=AuditAction.CREATE,
        object_type="pacing-practice",
        object_id=str(copy.pk),
        district_id=district.pk,
        reason=f"Copied from practice {practice.pk}",
    )
    return copy

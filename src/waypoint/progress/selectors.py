"""Reads of the progress app shared by its pages, its API and home items. Each scopes its rows with
`waypoint.policy` and audits the student records it discloses."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record_students, audit_student
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import (
    AdvisorAssignment,
    AuditAction,
    Role,
    Section,
    SectionEnrollment,
    Student,
    StudentEnrollment,
)
from waypoint.evidence.models import Evidence
from waypoint.mastery.models import MasteryLevel
from waypoint.policy import Action
from waypoint.policy.base import active_on, organizations_where
from waypoint.policy.progress import administered_schools
from waypoint.progress import trajectory
from waypoint.progress.models import (
    Advancement,
    AdvancementRule,
    Alert,
    AlertKind,
    Conference,
    ExemplarTrajectory,
    InquirySettings,
    PacingPractice,
    SchoolSupportTask,
    Status,
    StudentProgress,
    Support,
    TaskStatus,
    TestReadiness,
    status_sentence,
)
from waypoint.progress.services import (
    OPEN_SUPPORT_STATUSES,
    graduation_requirements,
    mastery_dates,
    student_facts,
)

STATUS_SEVERITY = {
    Status.OFF_TRACK: 0,
    Status.AT_RISK: 1,
    Status.ON_TRACK: 2,
    Status.AHEAD: 3,
    Status.UNKNOWN: 4,
}


def _today() -> datetime.date:
    return timezone.localdate()


# One student's trajectory --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrajectoryRow:
    """One month of high school in the table under the chart: the student's count and each model's."""

    month: int
    mastered: int | None
    models: dict[int, float]


@dataclass(frozen=True)
class ProgressView:
    student: Student
    assessment: trajectory.Assessment
    status_label: str
    sentence: str
    started_on: datetime.date | None
    # (month k of high school, competencies at mastery at the end of that month), up to today.
    points: list[tuple[int, int]]
    # target years → [(month k, competencies on the straight path to that target)].
    models: dict[int, list[tuple[int, float]]]
    rows: list[TrajectoryRow] = field(default_factory=list)


def student_progress(
    *, context: RequestContext, student: Student, on: datetime.date | None = None
) -> ProgressView:
    """The student's status, the sentence saying why, their cumulative mastery by month and the model
    trajectories for 3, 4, 5 and 6 years, computed now from the dated history."""
    if not policy.can(context.user, Action.VIEW_PROGRESS, student):
        raise NotVisible(policy.Action.VIEW_PROGRESS.label)
    on = on or _today()
    settings = InquirySettings.for_district(student.district_id)
    fact = student_facts(district_id=student.district_id, student_ids=[student.pk])[0]
    required_ids, required = graduation_requirements(
        district_id=student.district_id, facts=[fact], settings=settings
    )[0]
    dates = [
        day
        for _, day in mastery_dates(
            district_id=student.district_id, competency_ids=list(required_ids), student_ids=[student.pk]
        )
    ]
    assessment = trajectory.assess(
        dates=dates,
        required=required,
        on=on,
        start=fact.start,
        target_years=fact.target_years,
        window_days=settings.pace_window_weeks * 7,
        ahead_months=settings.ahead_months,
        at_risk_months=settings.at_risk_months,
        prior=fact.prior,
    )
    params = dict(assessment.reason_params)
    if assessment.reason == trajectory.REASON_NO_PACE:
        params["weeks"] = settings.pace_window_weeks
    points: list[tuple[int, int]] = []
    models: dict[int, list[tuple[int, float]]] = {}
    if fact.start is not None and fact.start <= on:
        last = trajectory.month_index(fact.start, on)
        months = sorted(trajectory.month_index(fact.start, day) for day in dates if day <= on)
        points = [(k, fact.prior + sum(1 for m in months if m <= k)) for k in range(last + 1)]
        models = {
            years: trajectory.model_trajectory(required=required, years=years, start=fact.start)
            for years in trajectory.TARGET_YEARS
        }
    reached = dict(points)
    horizon = max((len(path) for path in models.values()), default=0)
    rows = [
        TrajectoryRow(
            month=k,
            mastered=reached.get(k),
            models={years: path[k][1] for years, path in models.items() if k < len(path)},
        )
        for k in range(horizon)
    ]
    audit_student(context, AuditAction.VIEW, "progress", student.pk, student)
    return ProgressView(
        student=student,
        assessment=assessment,
        status_label=str(Status(assessment.status).label),
        sentence=status_sentence(assessment.reason, params),
        started_on=fact.start,
        points=points,
        models=models,
        rows=rows,
    )


# The advisor's caseload ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadRow:
    student: Student
    progress: StudentProgress | None
    status: str
    status_label: str
    projected_on: datetime.date | None
    pace: float
    open_alerts: int
    open_supports: int
    last_conference: datetime.datetime | None
    last_evidence: datetime.datetime | None

    @property
    def sentence(self) -> str:
        """Why the status is what it is; written only for the rows a page shows."""
        return self.progress.sentence if self.progress else ""


SORTS = ("name", "status", "projected", "alerts", "last_evidence", "last_conference")


def caseload(
    *, context: RequestContext, search: str = "", status: str = "", sort: str = "name"
) -> list[CaseloadRow]:
    """The advisor's caseload with each student's status, projection, open alerts and supports, last
    conference and last evidence: five queries and one audit insert, however many students."""
    if not policy.can(context.user, Action.VIEW_PROGRESS_CASELOAD):
        raise NotPermitted(Action.VIEW_PROGRESS_CASELOAD.label)
    today = _today()
    caseload_ids = list(
        AdvisorAssignment.objects.filter(active_on(today), advisor=context.actor).values_list(
            "student_id", flat=True
        )
    )
    students = policy.visible_students(context.user).filter(id__in=caseload_ids)
    if search.strip():
        words = search.strip()
        students = students.filter(
            Q(first_name__icontains=words)
            | Q(last_name__icontains=words)
            | Q(preferred_name__icontains=words)
        )
    if status:
        students = (
            students.filter(progress__status=status)
            if status != Status.UNKNOWN
            else students.filter(Q(progress__isnull=True) | Q(progress__status=Status.UNKNOWN))
        )
    found = list(students.select_related("progress"))
    ids = [s.pk for s in found]
    alerts = dict(
        Alert.objects.filter(student_id__in=ids, closed_at__isnull=True)
        .values("student_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "n")
        .order_by()
    )
    supports = dict(
        Support.objects.filter(student_id__in=ids, status__in=OPEN_SUPPORT_STATUSES)
        .values("student_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "n")
        .order_by()
    )
    conferences = dict(
        Conference.objects.filter(student_id__in=ids, held_on__isnull=False)
        .values("student_id")
        .annotate(last=Max("scheduled_for"))
        .values_list("student_id", "last")
        .order_by()
    )
    evidence = dict(
        Evidence.objects.filter(student_id__in=ids)
        .values("student_id")
        .annotate(last=Max("submitted_at"))
        .values_list("student_id", "last")
        .order_by()
    )
    labels = {code: str(label) for code, label in Status.choices}
    rows = []
    for student in found:
        progress: StudentProgress | None = getattr(student, "progress", None)
        code = progress.status if progress else Status.UNKNOWN
        rows.append(
            CaseloadRow(
                student=student,
                progress=progress,
                status=code,
                status_label=labels[code],
                projected_on=progress.projected_on if progress else None,
                pace=progress.pace if progress else 0.0,
                open_alerts=alerts.get(student.pk, 0),
                open_supports=supports.get(student.pk, 0),
                last_conference=conferences.get(student.pk),
                last_evidence=evidence.get(student.pk),
            )
        )
    far = datetime.date.max
    old = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    keys = {
        "name": lambda r: (r.student.last_name, r.student.first_name, r.student.pk),
        "status": lambda r: (STATUS_SEVERITY[Status(r.status)], r.student.last_name),
        "projected": lambda r: (r.projected_on is None, r.projected_on or far),
        "alerts": lambda r: (-r.open_alerts, r.student.last_name),
        "last_evidence": lambda r: r.last_evidence or old,
        "last_conference": lambda r: r.last_conference or old,
    }
    rows.sort(key=keys.get(sort, keys["name"]))
    audit_record_students(
        context=context, action=AuditAction.VIEW, object_type="progress-caseload", students=found
    )
    return rows


# Advancement --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyRow:
    student: Student
    section: Section
    rule: AdvancementRule
    next_sections: list[Section]


def ready_to_advance(*, context: RequestContext, on: datetime.date | None = None) -> list[ReadyRow]:
    """The students on the rosters of the user's sections (or their school's, for administrators) who meet
    every requirement of their course today, with the sections of the next course they may move to."""
    on = on or _today()
    sections = list(policy.visible_sections(context.user, on).filter(starts_on__lte=on, ends_on__gte=on))
    codes = {section.course_code for section in sections if section.course_code}
    rules = {
        (rule.district_id, rule.course_code): rule
        for rule in AdvancementRule.objects.filter(course_code__in=codes).prefetch_related("requirements")
    }
    sections = [s for s in sections if (s.district_id, s.course_code) in rules]
    if not sections:
        return []
    places = list(
        SectionEnrollment.objects.filter(active_on(on), section__in=sections).select_related(
            "student", "section"
        )
    )
    wanted = {r.competency_id for rule in rules.values() for r in rule.requirements.all()}
    levels = {
        (s, c): (level, meets)
        for s, c, level, meets in MasteryLevel.objects.filter(
            student_id__in={p.student_id for p in places}, competency_id__in=wanted
        ).values_list("student_id", "competency_id", "level", "meets_mastery")
    }
    next_sections: dict[tuple[int, str], list[Section]] = defaultdict(list)
    for section in Section.objects.filter(
        course_code__in={rule.next_course_code for rule in rules.values()},
        school_id__in={s.school_id for s in sections},
        starts_on__lte=on,
        ends_on__gte=on,
    ).order_by("title"):
        next_sections[(section.school_id, section.course_code)].append(section)
    rows = []
    for place in places:
        rule = rules[(place.section.district_id, place.section.course_code)]
        requirements = list(rule.requirements.all())

        def met(competency_id: int, min_level: float | None, student_id: int = place.student_id) -> bool:
            level, meets = levels.get((student_id, competency_id), (None, False))
            return bool(meets) if min_level is None else level is not None and level >= min_level

        if requirements and all(met(r.competency_id, r.min_level) for r in requirements):
            rows.append(
                ReadyRow(
                    student=place.student,
                    section=place.section,
                    rule=rule,
                    next_sections=next_sections[(place.section.school_id, rule.next_course_code)],
                )
            )
    rows.sort(key=lambda row: (row.section.title, row.student.last_name, row.student.first_name))
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="advancement",
        students=[row.student for row in rows],
        reason="Ready to advance",
    )
    return rows


def advancements_seen(*, context: RequestContext) -> QuerySet[Advancement]:
    """Advancements of the students the user may read: a teacher sees those out of and into their sections
    (the old and the new teacher), whoever reads the student sees the student's."""
    visible = policy.visible_students(context.user).values("id")
    taught = Q(from_section__teacher_assignments__teacher=context.actor) | Q(
        to_section__teacher_assignments__teacher=context.actor
    )
    return (
        Advancement.objects.filter(Q(student_id__in=visible) | taught)
        .select_related("student", "from_section", "to_section", "recorded_by")
        .distinct()
    )


# Alerts, supports, school tasks ----------------------------------------------------------------------------


def staff_schools(context: RequestContext) -> set[int]:
    """The schools whose subgroup alerts the user reads: where they teach, advise or administer."""
    if context.actor is None:
        return set()
    return organizations_where(context.actor, Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN) | (
        administered_schools(context.actor, _today())
    )


def alerts_open(*, context: RequestContext, student: Student | None = None) -> QuerySet[Alert]:
    """Open alerts: about the students the user guides, and the subgroup alerts of the user's schools (a
    subgroup alert names no student and counts at least the minimum cell size)."""
    guided = policy.guided_students(context.user).values("id")
    scope = Q(student_id__in=guided)
    if student is None:
        scope |= Q(kind=AlertKind.SUBGROUP_PACE, school_id__in=staff_schools(context))
    rows = Alert.objects.filter(scope, closed_at__isnull=True)
    if student is not None:
        rows = rows.filter(student=student)
    return rows.select_related("student", "school", "assigned_to").order_by("-opened_at", "-id")


def school_tasks(*, context: RequestContext, open_only: bool = True) -> QuerySet[SchoolSupportTask]:
    if context.actor is None:
        return SchoolSupportTask.objects.none()
    rows = SchoolSupportTask.objects.filter(school_id__in=administered_schools(context.actor, _today()))
    if open_only:
        rows = rows.filter(status=TaskStatus.OPEN)
    return rows.select_related("alert", "school")


# Conferences ----------------------------------------------------------------------------------------------


def conference_get(*, context: RequestContext, conference_id: int) -> Conference:
    """One conference with its notes, attendance and next steps: for the staff who guide the student, the
    student, and a linked guardian once the notes were shared with them."""
    conference = (
        Conference.objects.select_related("student", "organizer")
        .prefetch_related("attendees", "next_steps", "shares")
        .filter(pk=conference_id)
        .first()
    )
    if conference is None or not policy.can(context.user, Action.READ_CONFERENCE_NOTES, conference):
        raise NotVisible(Action.READ_CONFERENCE_NOTES.label)
    audit_student(context, AuditAction.VIEW, "conference-notes", conference.pk, conference.student)
    return conference


# Tests ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestList:
    """The students ready for one test in one window (or with no window yet), for the coordinator."""

    title: str
    window_title: str
    readiness: list[TestReadiness]


def test_lists(*, context: RequestContext) -> list[TestList]:
    """For a testing coordinator (school or district administrator): the open readiness and sittings of
    students at their schools, by test and window."""
    if not policy.can(context.user, Action.VIEW_TEST_LISTS) or context.actor is None:
        raise NotPermitted(Action.VIEW_TEST_LISTS.label)
    today = _today()
    schools = administered_schools(context.actor, today)
    enrolled = Student.objects.filter(
        Exists(
            StudentEnrollment.objects.filter(
                active_on(today, start="entry_date", end="exit_date"),
                student_id=OuterRef("pk"),
                school_id__in=schools,
            )
        )
    ).values("id")
    rows = list(
        TestReadiness.objects.filter(student_id__in=enrolled)
        .select_related("student", "test", "window", "marked_by", "sitting")
        .order_by("test__title", "window__starts_on", "student__last_name")
    )
    groups: dict[tuple[str, str], list[TestReadiness]] = defaultdict(list)
    for row in rows:
        groups[(row.test.title, row.window.title if row.window else "")].append(row)
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="test-readiness",
        students=[row.student for row in rows],
    )
    return [TestList(title, window, group) for (title, window), group in groups.items()]


# The repository --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repository:
    exemplars: list[ExemplarTrajectory]
    practices: list[PacingPractice]


def repository(*, context: RequestContext) -> Repository:
    """What every district published, read across the state; no student data."""
    if not policy.can(context.user, Action.VIEW_REPOSITORY):
        raise NotPermitted(Action.VIEW_REPOSITORY.label)
    return Repository(
        exemplars=list(ExemplarTrajectory.objects.filter(published=True).select_related("district")),
        practices=list(
            PacingPractice.objects.filter(published=True)
            .select_related("district")
            .prefetch_related("exemplars")
        ),
    )

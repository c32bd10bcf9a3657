"""The reads behind the progress pages and endpoints. Each one scopes its rows with the access policy and
audits the students it discloses; a student, alert, support or conference out of scope answers `NotVisible`
(404), one in scope that the actor may not act on `NotPermitted` (403).

The trajectory is computed from the same facts as `services.progress_refresh` (the required competencies,
the day each reached mastery, the start of high school and the target), with the pure `trajectory` module,
so the chart, its table and the stored status always agree."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import (
    AuditAction,
    GuardianLink,
    Organization,
    Role,
    Section,
    SectionEnrollment,
    Student,
    User,
)
from waypoint.frameworks.models import Competency
from waypoint.frameworks.selectors import district_competencies
from waypoint.mastery.models import MasteryLevel
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.policy.base import districts_where, organizations_where
from waypoint.policy.progress import administered_schools
from waypoint.progress import services, trajectory
from waypoint.progress.models import (
    Advancement,
    AdvancementRequirement,
    AdvancementRule,
    Alert,
    AlertKind,
    Conference,
    ConferenceShare,
    ExemplarTrajectory,
    InquirySettings,
    LargeScaleTest,
    NextStep,
    PacingPractice,
    ReadinessStatus,
    SchoolSupportTask,
    Status,
    StudentProgress,
    Support,
    SupportStatus,
    TaskStatus,
    TestingWindow,
    TestReadiness,
)

OPEN_SUPPORTS = (SupportStatus.PLANNED, SupportStatus.ACTIVE)
# Staff roles whose schools' subgroup alerts they read: a subgroup alert names no student.
SCHOOL_STAFF = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN)
# The table under the chart: one row every this many months of high school.
TABLE_STEP_MONTHS = 6


def _deny(context: RequestContext, object_type: str, object_id: int) -> NotVisible:
    audit_record(
        context=context, action=AuditAction.DENIED, object_type=object_type, object_id=str(object_id)
    )
    return NotVisible(f"No {object_type} {object_id} is visible to this user.")


def refusal(context: RequestContext, object_type: str, action: Action) -> NotPermitted:
    """A page or action for another role: 403, audited as denied."""
    reason = gettext("Your role may not %(action)s.") % {"action": action.label}
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        district_id=context.district_id,
        reason=reason,
    )
    return NotPermitted(reason)


def _disclose(context: RequestContext, object_type: str, students: Iterable[Student | None]) -> None:
    shown = {student.pk: student for student in students if student is not None}
    if shown:
        audit_record_students(
            context=context,
            action=AuditAction.VIEW,
            object_type=object_type,
            students=shown.values(),
            reason=policy.legitimate_interest(context.user),
        )


def _guided(context: RequestContext) -> QuerySet[Student]:
    return policy.guided_students(context.user)


def require(context: RequestContext, action: Action, object_type: str) -> None:
    """Refuse (403, audited) a page that is for another role."""
    if not policy.can(context.user, action):
        raise refusal(context, object_type, action)


# The trajectory -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One line of the chart: points are (month of high school, competencies at mastery)."""

    label: str
    role: str  # "student", "projection" or "model"
    points: list[tuple[float, float]]
    target: bool = False


@dataclass(frozen=True)
class TableRow:
    month: int
    day: datetime.date
    own: int | None
    models: list[float]
    is_today: bool = False


@dataclass
class TrajectoryPage:
    student: Student
    progress: StudentProgress | None
    required: int
    mastered: int
    started_on: datetime.date | None
    target_years: int
    today_month: float | None
    series: list[Series] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    years: tuple[int, ...] = trajectory.TARGET_YEARS
    advancements: list[Advancement] = field(default_factory=list)
    readiness: list[TestReadiness] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    supports: list[Support] = field(default_factory=list)
    conferences: list[Conference] = field(default_factory=list)
    can_advance: bool = False
    can_mark_ready: bool = False
    can_support: bool = False
    can_confer: bool = False
    can_edit_plan: bool = False

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else trajectory.UNKNOWN

    def chart(self) -> dict[str, Any]:
        """What `progress-charts.js` draws (every point computed here)."""
        return {
            "xTitle": gettext("Month of high school"),
            "yTitle": gettext("Competencies at mastery"),
            "required": self.required,
            "requiredLabel": gettext("Required to graduate: %(count)s") % {"count": self.required},
            "series": [
                {"label": s.label, "role": s.role, "target": s.target, "points": s.points}
                for s in self.series
            ],
        }


def _student_curve(
    dates: Sequence[datetime.date], prior: int, start: datetime.date, on: datetime.date
) -> list[tuple[float, float]]:
    steps = trajectory.cumulative([d for d in dates if start <= d <= on], prior=prior, start=start)
    before = sum(1 for d in dates if d < start)
    points = [
        (round(trajectory.months_between(start, day), 2), float(count + before)) for day, count in steps
    ]
    last = points[-1][1] if points else float(prior + before)
    points.append((round(trajectory.months_between(start, on), 2), last))
    return points


def _count_on(dates: Sequence[datetime.date], prior: int, day: datetime.date) -> int:
    return prior + sum(1 for d in dates if d <= day)


def _curves(page: TrajectoryPage, dates: list[datetime.date], prior: int, on: datetime.date) -> None:
    start = page.started_on
    if start is None:
        return
    required = page.required
    models = {
        years: trajectory.model_trajectory(required=required, years=years, start=start)
        for years in page.years
    }
    for years, points in models.items():
        page.series.append(
            Series(
                gettext("%(years)s-year model") % {"years": years},
                "model",
                [(float(k), v) for k, v in points],
                target=years == page.target_years,
            )
        )
    if start <= on:
        page.series.insert(
            0,
            Series(
                gettext("Competencies at mastery so far"), "student", _student_curve(dates, prior, start, on)
            ),
        )
        projected = page.progress.projected_on if page.progress else None
        if projected is not None and projected > on and page.mastered < required:
            page.series.insert(
                1,
                Series(
                    gettext("Projected at the current pace"),
                    "projection",
                    [
                        (round(trajectory.months_between(start, on), 2), float(page.mastered)),
                        (round(trajectory.months_between(start, projected), 2), float(required)),
                    ],
                ),
            )
    last = max(len(points) - 1 for points in models.values())
    today_month = trajectory.month_index(start, on)
    months = sorted(
        {*range(0, last + 1, TABLE_STEP_MONTHS), last, *([today_month] if 0 <= today_month <= last else [])}
    )
    for month in months:
        day = start + datetime.timedelta(days=round(month * trajectory.DAYS_PER_MONTH))
        page.rows.append(
            TableRow(
                month=month,
                day=day,
                own=_count_on(dates, prior, day) if day <= on else None,
                models=[models[years][min(month, len(models[years]) - 1)][1] for years in page.years],
                is_today=month == today_month,
            )
        )


def trajectory_page(*, context: RequestContext, student_id: int) -> TrajectoryPage:
    """A student's status, projection, chart and table, with what the reader may act on. The student is
    audited as viewed ("progress"); a mentor or a state analyst sees no student (404)."""
    student = student_get(
        context=context, student_id=student_id, action=Action.VIEW_PROGRESS, audit_as="progress"
    )
    on = policy.today()
    settings = InquirySettings.for_district(student.district_id)
    required_ids = services.required_competency_ids(student.district_id, settings.kinds)
    facts = services.student_facts(district_id=student.district_id, student_ids=[student.pk])[0]
    dates = sorted(
        day
        for _, day in services.mastery_dates(
            district_id=student.district_id, competency_ids=required_ids, student_ids=[student.pk]
        )
    )
    progress = StudentProgress.objects.filter(student=student).first()
    user = context.user
    page = TrajectoryPage(
        student=student,
        progress=progress,
        required=len(required_ids),
        mastered=_count_on(dates, facts.prior, on),
        started_on=facts.start,
        target_years=facts.target_years,
        today_month=round(trajectory.months_between(facts.start, on), 1) if facts.start else None,
        can_advance=policy.can(user, Action.ADVANCE_STUDENT, student),
        can_mark_ready=policy.can(user, Action.MARK_TEST_READY, student),
        can_support=policy.can(user, Action.MANAGE_SUPPORT, student),
        can_confer=policy.can(user, Action.HOLD_CONFERENCE, student),
        can_edit_plan=policy.can(user, Action.EDIT_PLAN, student),
    )
    _curves(page, dates, facts.prior, on)
    page.advancements = list(
        Advancement.objects.filter(student=student).select_related(
            "from_section", "to_section", "recorded_by"
        )
    )
    page.readiness = list(
        TestReadiness.objects.filter(student=student).select_related("test", "window", "sitting")
    )
    if page.can_support:
        page.alerts = list(Alert.objects.filter(student=student, closed_at__isnull=True))
        page.supports = list(Support.objects.filter(student=student).select_related("owner"))
    page.conferences = list(_conferences_of(context, Conference.objects.filter(student=student)))
    return page


# The advisor's caseload (read by people.selectors.caseload_page through ProgressConfig.caseload_facts) -----


def caseload_facts(students: QuerySet[Student], on: datetime.date) -> dict[int, dict[str, Any]]:
    """Each caseload student's status, projected graduation, open alerts and supports and last conference,
    in four queries whatever the caseload's size. The students are scoped already; the reader audits them."""
    facts: dict[int, dict[str, Any]] = defaultdict(dict)
    labels = dict(Status.choices)
    for row in StudentProgress.objects.filter(student__in=students).values(
        "student_id", "status", "projected_on"
    ):
        facts[row["student_id"]].update(
            pace_status=row["status"],
            pace_label=str(labels.get(row["status"], "")),
            projected_on=row["projected_on"],
        )
    open_alerts = Alert.objects.filter(student__in=students, closed_at__isnull=True)
    for student_id, count in open_alerts.order_by().values_list("student_id").annotate(n=Count("pk")):
        facts[student_id]["open_alerts"] = count
    open_supports = Support.objects.filter(student__in=students, status__in=OPEN_SUPPORTS)
    for student_id, count in open_supports.order_by().values_list("student_id").annotate(n=Count("pk")):
        facts[student_id]["open_supports"] = count
    held = Conference.objects.filter(student__in=students, held_on__isnull=False, held_on__lte=on)
    for student_id, last in held.order_by().values_list("student_id").annotate(last=Max("held_on")):
        facts[student_id]["last_conference_on"] = last
    return dict(facts)


# Alerts ---------------------------------------------------------------------------------------------------


def _staff_schools(user: User | Any) -> set[int]:
    """The schools whose subgroup alerts the user reads: where they hold a school role, and every school of
    a district they administer."""
    return organizations_where(user, *SCHOOL_STAFF) | administered_schools(user, policy.today())


def visible_alerts(context: RequestContext) -> QuerySet[Alert]:
    """Alerts about students the actor guides, and the subgroup alerts of the actor's schools."""
    user = context.user
    guided = _guided(context).values("id")
    return Alert.objects.filter(
        Q(student_id__in=guided) | Q(student__isnull=True, school_id__in=_staff_schools(user))
    )


@dataclass(frozen=True)
class AlertList:
    alerts: list[Alert]
    kind: str
    state: str
    kinds: list[tuple[str, str]]
    counts: dict[str, int]


def alert_list(
    *, context: RequestContext, kind: str = "", state: str = "open", limit: int = 200
) -> AlertList:
    """The actor's alerts, newest first, filtered by kind and open or closed. For staff who guide students."""
    if not policy.has_role(context.user, Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN):
        raise refusal(context, "progress-alerts", Action.MANAGE_SUPPORT)
    alerts = visible_alerts(context)
    counts = dict(
        alerts.filter(closed_at__isnull=True).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    if kind in AlertKind.values:
        alerts = alerts.filter(kind=kind)
    alerts = alerts.filter(closed_at__isnull=state != "closed")
    shown = list(alerts.select_related("student", "school", "assigned_to")[:limit])
    _disclose(context, "progress-alerts", (alert.student for alert in shown))
    return AlertList(shown, kind, state, [(value, str(label)) for value, label in AlertKind.choices], counts)


# The facts an alert stores, in words (the rules' own keys; anything else is shown under its key).
FACT_LABELS = {
    "weeks": gettext_lazy("Weeks without new evidence"),
    "last_evidence": gettext_lazy("Last evidence"),
    "competency": gettext_lazy("Competency"),
    "attempts": gettext_lazy("Scored attempts"),
    "milestone": gettext_lazy("Milestone"),
    "due": gettext_lazy("Due"),
    "group": gettext_lazy("Group"),
    "school": gettext_lazy("School"),
    "students": gettext_lazy("Students in the group"),
    "pace": gettext_lazy("Median pace (competencies a month)"),
    "school_pace": gettext_lazy("School median pace"),
    "threshold": gettext_lazy("Threshold"),
    "margin": gettext_lazy("Margin below the school (%)"),
    "status": gettext_lazy("Status"),
    "projected": gettext_lazy("Projected graduation"),
}
HIDDEN_FACTS = {"reason", "reason_params", "rule"}


@dataclass(frozen=True)
class AlertPage:
    alert: Alert
    supports: list[Support]
    can_support: bool
    task: SchoolSupportTask | None

    @property
    def facts(self) -> list[tuple[str, object]]:
        """The evidence behind the alert: each stored fact with its label."""
        return [
            (str(FACT_LABELS.get(key, key)), value)
            for key, value in self.alert.facts.items()
            if key not in HIDDEN_FACTS
        ]


def alert_get(*, context: RequestContext, alert_id: int) -> AlertPage:
    """One alert with its evidence (facts), sentence and supports. A student's alert is for the staff who
    guide the student (the student and guardians: 403); a subgroup alert for its school's staff."""
    alert = Alert.objects.select_related("student", "school", "assigned_to").filter(pk=alert_id).first()
    if alert is None:
        raise _deny(context, "progress-alert", alert_id)
    student = alert.student
    if student is not None:
        if not policy.visible_students(context.user).filter(pk=student.pk).exists():
            raise _deny(context, "progress-alert", alert_id)
        if not policy.can(context.user, Action.MANAGE_SUPPORT, student):
            raise refusal(context, "progress-alert", Action.MANAGE_SUPPORT)
        audit_record(
            context=context,
            action=AuditAction.VIEW,
            object_type="progress-alert",
            object_id=str(alert.pk),
            student=student,
            reason=policy.legitimate_interest(context.user, student),
        )
    elif alert.school_id not in _staff_schools(context.user):
        raise _deny(context, "progress-alert", alert_id)
    return AlertPage(
        alert=alert,
        supports=list(alert.supports.select_related("owner")),
        can_support=student is not None,
        task=SchoolSupportTask.objects.filter(alert=alert).first(),
    )


# Supports -------------------------------------------------------------------------------------------------


def support_list(*, context: RequestContext, mine: bool = False, state: str = "open") -> list[Support]:
    """Supports of the students the actor guides (or only those they own), next follow-up first."""
    if not policy.has_role(context.user, Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN):
        raise refusal(context, "progress-supports", Action.MANAGE_SUPPORT)
    supports = Support.objects.filter(student_id__in=_guided(context).values("id"))
    if mine:
        supports = supports.filter(owner=context.actor)
    supports = (
        supports.filter(status__in=OPEN_SUPPORTS)
        if state != "closed"
        else supports.exclude(status__in=OPEN_SUPPORTS)
    )
    shown = list(supports.select_related("student", "owner", "alert").order_by("follow_up_on", "id")[:200])
    _disclose(context, "progress-supports", (support.student for support in shown))
    return shown


def support_get(*, context: RequestContext, support_id: int) -> Support:
    support = Support.objects.select_related("student", "owner", "alert").filter(pk=support_id).first()
    if support is None or not policy.visible_students(context.user).filter(pk=support.student_id).exists():
        raise _deny(context, "support", support_id)
    if not policy.can(context.user, Action.MANAGE_SUPPORT, support.student):
        raise refusal(context, "support", Action.MANAGE_SUPPORT)
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="support",
        object_id=str(support.pk),
        student=support.student,
        reason=policy.legitimate_interest(context.user, support.student),
    )
    return support


def owner_choices(student: Student) -> QuerySet[User]:
    """Staff who may own a support of the student or be assigned their alert: everyone who guides them (a
    teacher of theirs, their advisor, an administrator of their school or district), as the services decide
    (`policy.guided_students`)."""
    on = policy.today()
    return User.objects.filter(
        pk__in=[
            user.pk
            for user in district_staff(student)
            if policy.guided_students(user, on).filter(pk=student.pk).exists()
        ]
    ).order_by("last_name", "first_name", "username")


# Conferences ----------------------------------------------------------------------------------------------


def _conferences_of(context: RequestContext, conferences: QuerySet[Conference]) -> list[Conference]:
    """The conferences whose page the actor may open: those of students they guide and their own; a
    guardian's only once the notes were shared with them."""
    user = context.user
    actor = context.actor
    if actor is None:
        return []
    on = policy.today()
    children = GuardianLink.objects.filter(policy.active_on(on), guardian=actor).values("student_id")
    return list(
        conferences.filter(
            Q(student_id__in=_guided(context).values("id"))
            | Q(student__user=actor)
            | Q(student_id__in=children, shares__guardian=actor)
        )
        .filter(student_id__in=policy.visible_students(user).values("id"))
        .distinct()
        .select_related("student", "organizer")
        .order_by("-scheduled_for", "-id")
    )


@dataclass(frozen=True)
class ConferenceList:
    upcoming: list[Conference]
    held: list[Conference]


def conference_list(*, context: RequestContext, limit: int = 100) -> ConferenceList:
    """The conferences the actor may open, still to come (soonest first) and held (latest first)."""
    found = _conferences_of(context, Conference.objects.all())
    upcoming = sorted((c for c in found if not c.is_held), key=lambda c: (c.scheduled_for, c.pk))[:limit]
    held = [c for c in found if c.is_held][:limit]
    _disclose(context, "progress-conferences", (c.student for c in [*upcoming, *held]))
    return ConferenceList(upcoming, held)


@dataclass(frozen=True)
class ConferencePage:
    conference: Conference
    can_record: bool
    guardians: QuerySet[User]
    shared_with: list[User]
    attendees: list[Any]
    next_steps: list[Any]


def conference_get(*, context: RequestContext, conference_id: int) -> ConferencePage:
    """A conference: agenda, attendance, notes and next steps. Read by the staff who guide the student and
    by the student; by a linked guardian once the notes were shared with them (otherwise 404)."""
    conference = (
        Conference.objects.select_related("student", "organizer")
        .prefetch_related(
            "attendees",
            Prefetch("next_steps", queryset=_next_steps()),
            Prefetch("shares", queryset=_shares()),
        )
        .filter(pk=conference_id)
        .first()
    )
    user = context.user
    if (
        conference is None
        or not policy.visible_students(user).filter(pk=conference.student_id).exists()
        or not policy.can(user, Action.READ_CONFERENCE_NOTES, conference)
    ):
        raise _deny(context, "conference", conference_id)
    student = conference.student
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="conference",
        object_id=str(conference.pk),
        student=student,
        reason=policy.legitimate_interest(user, student),
    )
    on = policy.today()
    guardians = User.objects.filter(
        pk__in=GuardianLink.objects.filter(policy.active_on(on), student=student).values("guardian_id"),
        is_active=True,
    ).order_by("last_name", "first_name")
    return ConferencePage(
        conference=conference,
        can_record=policy.can(user, Action.HOLD_CONFERENCE, student),
        guardians=guardians,
        shared_with=[share.guardian for share in conference.shares.all()],
        attendees=list(conference.attendees.all()),
        next_steps=list(conference.next_steps.all()),
    )


def _next_steps() -> QuerySet[NextStep]:
    return NextStep.objects.select_related("milestone", "milestone__goal", "support").order_by("pk")


def _shares() -> QuerySet[ConferenceShare]:
    return ConferenceShare.objects.select_related("guardian").order_by("shared_at")


def attendee_choices(context: RequestContext, student: Student) -> QuerySet[User]:
    """Whom a conference may invite: the student, their linked guardians and the staff who guide them."""
    on = policy.today()
    family = GuardianLink.objects.filter(policy.active_on(on), student=student).values("guardian_id")
    staff = owner_choices(student).values("pk")
    return User.objects.filter(
        Q(pk=student.user_id) | Q(pk__in=family) | Q(pk__in=staff), is_active=True
    ).order_by("last_name", "first_name", "username")


# Advancement ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    competency: str
    required_level: float | None
    level: float | None
    met: bool


@dataclass(frozen=True)
class ReadyRow:
    student: Student
    section: Section
    rule: AdvancementRule
    checks: list[Check]
    next_sections: list[Section]

    @property
    def ready(self) -> bool:
        return all(check.met for check in self.checks)

    @property
    def met(self) -> int:
        return sum(1 for check in self.checks if check.met)


def _checks(
    rule: AdvancementRule, levels: dict[tuple[int, int], tuple[float | None, bool]], student_id: int
) -> list[Check]:
    """The rule's requirements against the student's levels, as `services.requirement_checks` judges them."""
    checks = []
    for requirement in rule.requirements.all():
        level, meets = levels.get((student_id, requirement.competency_id), (None, False))
        met = (
            bool(meets)
            if requirement.min_level is None
            else level is not None and level >= requirement.min_level
        )
        checks.append(Check(str(requirement.competency), requirement.min_level, level, met))
    return checks


def ready_rows(
    *, context: RequestContext, student: Student | None = None, ready_only: bool = False
) -> list[ReadyRow]:
    """The students on the actor's rosters today in a course with an advancement rule, each with the rule's
    requirements checked; `ready_only` keeps those who meet every one. A constant number of queries."""
    user = context.actor
    if user is None or not policy.has_role(user, Role.TEACHER):
        raise refusal(context, "progress-ready", Action.ADVANCE_STUDENT)
    on = policy.today()
    enrolled = (
        SectionEnrollment.objects.filter(
            policy.active_on(on),
            policy.active_on(on, prefix="section__teacher_assignments__"),
            section__teacher_assignments__teacher=user,
            student_id__in=policy.visible_students(user).values("id"),
        )
        .select_related("section", "section__school", "student")
        .order_by("section__title", "student__last_name", "student__first_name")
    )
    if student is not None:
        enrolled = enrolled.filter(student=student)
    places = list(enrolled.distinct())
    rules = {
        (rule.district_id, rule.course_code): rule
        for rule in AdvancementRule.objects.filter(
            district_id__in={p.district_id for p in places},
            course_code__in={p.section.course_code for p in places if p.section.course_code},
        ).prefetch_related("requirements__competency")
    }
    places = [p for p in places if (p.district_id, p.section.course_code) in rules]
    competencies = {r.competency_id for rule in rules.values() for r in rule.requirements.all()}
    levels = {
        (s, c): (level, meets)
        for s, c, level, meets in MasteryLevel.objects.filter(
            student_id__in={p.student_id for p in places}, competency_id__in=competencies
        ).values_list("student_id", "competency_id", "level", "meets_mastery")
    }
    next_sections: dict[tuple[int, str], list[Section]] = defaultdict(list)
    for section in Section.objects.filter(
        district_id__in={p.district_id for p in places},
        course_code__in={rule.next_course_code for rule in rules.values()},
        ends_on__gte=on,
    ).order_by("title"):
        next_sections[(section.school_id, section.course_code)].append(section)
    rows = []
    for place in places:
        rule = rules[(place.district_id, place.section.course_code)]
        row = ReadyRow(
            student=place.student,
            section=place.section,
            rule=rule,
            checks=_checks(rule, levels, place.student_id),
            next_sections=next_sections[(place.section.school_id, rule.next_course_code)],
        )
        if row.ready or not ready_only:
            rows.append(row)
    _disclose(context, "progress-ready", (row.student for row in rows))
    return rows


def advancement_student(*, context: RequestContext, student_id: int) -> Student:
    """The student an advancement is recorded for: visible (else 404), and advanced only by a certified
    teacher who teaches them (else 403)."""
    return student_get(
        context=context, student_id=student_id, action=Action.ADVANCE_STUDENT, audit_as="advancement"
    )


# Tests ----------------------------------------------------------------------------------------------------


def tests_for(student: Student) -> QuerySet[LargeScaleTest]:
    """The tests a student may be marked ready for: the state's and the district's."""
    district = Organization.objects.only("parent_id").get(pk=student.district_id)
    return LargeScaleTest.objects.filter(
        owner_id__in=[student.district_id, district.parent_id]
    ).prefetch_related(
        Prefetch(
            "windows",
            queryset=TestingWindow.objects.filter(
                district_id=student.district_id, ends_on__gte=policy.today()
            ),
            to_attr="open_windows",
        )
    )


@dataclass(frozen=True)
class WindowList:
    test: LargeScaleTest
    window: TestingWindow | None
    ready: list[TestReadiness]
    sat: list[TestReadiness]


def testing_lists(*, context: RequestContext) -> list[WindowList]:
    """The testing coordinator's lists: the students marked ready and those who sat, by test and window, for
    the schools the actor administers."""
    require(context, Action.VIEW_TEST_LISTS, "progress-testing")
    user = context.user
    students = policy.visible_students(user).filter(
        Q(district_id__in=districts_where(user, Role.DISTRICT_ADMIN))
        | Q(enrollments__school_id__in=organizations_where(user, Role.SCHOOL_ADMIN))
    )
    rows = list(
        TestReadiness.objects.filter(student_id__in=students.values("id"))
        .exclude(status=ReadinessStatus.WITHDRAWN)
        .select_related("student", "test", "window", "sitting", "marked_by")
        .order_by("test__title", "window__starts_on", "student__last_name", "student__first_name")
    )
    groups: dict[tuple[int, int | None], WindowList] = {}
    for row in rows:
        key = (row.test_id, row.window_id)
        if key not in groups:
            groups[key] = WindowList(row.test, row.window, [], [])
        (groups[key].ready if row.status == ReadinessStatus.READY else groups[key].sat).append(row)
    _disclose(context, "progress-testing", (row.student for row in rows))
    return list(groups.values())


def readiness_get(*, context: RequestContext, readiness_id: int) -> TestReadiness:
    readiness = TestReadiness.objects.select_related("student", "test").filter(pk=readiness_id).first()
    if (
        readiness is None
        or not policy.visible_students(context.user).filter(pk=readiness.student_id).exists()
    ):
        raise _deny(context, "test-readiness", readiness_id)
    if not policy.can(context.user, Action.RECORD_TEST_SITTING, readiness.student):
        raise refusal(context, "test-readiness", Action.RECORD_TEST_SITTING)
    return readiness


# School support plan tasks --------------------------------------------------------------------------------


def school_task_list(*, context: RequestContext) -> list[SchoolSupportTask]:
    """The support plan tasks of the schools the actor administers, open first, soonest due first."""
    require(context, Action.WORK_SCHOOL_TASKS, "progress-school-tasks")
    schools = administered_schools(context.user, policy.today())  # type: ignore[arg-type]
    tasks = SchoolSupportTask.objects.filter(school_id__in=schools).select_related(
        "alert", "school", "done_by"
    )
    return sorted(tasks, key=lambda t: (t.status != TaskStatus.OPEN, t.due_on, t.pk))


def school_task_get(*, context: RequestContext, task_id: int) -> SchoolSupportTask:
    task = SchoolSupportTask.objects.filter(pk=task_id).first()
    if task is None or not policy.can(context.user, Action.WORK_SCHOOL_TASKS, task):
        raise _deny(context, "school-support-task", task_id)
    return task


# The repository -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepositoryPage:
    exemplars: list[ExemplarTrajectory]
    practices: list[PacingPractice]
    own_drafts: list[PacingPractice]
    can_publish: bool


def repository_page(*, context: RequestContext) -> RepositoryPage:
    """The state's published exemplar trajectories and flexible-pacing practices (no student data), and the
    actor's own district's drafts (copies) when they administer it."""
    require(context, Action.VIEW_REPOSITORY, "progress-repository")
    own = districts_where(context.user, Role.DISTRICT_ADMIN)
    return RepositoryPage(
        exemplars=list(ExemplarTrajectory.objects.filter(published=True).select_related("district")),
        practices=list(
            PacingPractice.objects.filter(published=True)
            .select_related("district")
            .prefetch_related("exemplars")
        ),
        own_drafts=list(
            PacingPractice.objects.filter(published=False, district_id__in=own).select_related("copied_from")
        ),
        can_publish=policy.can(context.user, Action.PUBLISH_REPOSITORY),
    )


def practice_get(*, context: RequestContext, practice_id: int) -> PacingPractice:
    """A published practice (any staff), or a draft of a district the actor administers."""
    require(context, Action.VIEW_REPOSITORY, "progress-repository")
    own = districts_where(context.user, Role.DISTRICT_ADMIN)
    practice = (
        PacingPractice.objects.filter(Q(published=True) | Q(district_id__in=own), pk=practice_id)
        .select_related("district", "copied_from")
        .prefetch_related("exemplars")
        .first()
    )
    if practice is None:
        raise _deny(context, "pacing-practice", practice_id)
    return practice


def acting_district(context: RequestContext) -> Organization:
    """The district the actor writes to the repository for (their acting district as administrator)."""
    return administered_district(context, Action.PUBLISH_REPOSITORY, "progress-repository")


def exemplar_choices(district: Organization) -> QuerySet[ExemplarTrajectory]:
    return ExemplarTrajectory.objects.filter(Q(published=True) | Q(district=district))


def district_exemplars(district: Organization) -> list[ExemplarTrajectory]:
    """The district's own exemplar trajectories, published or not, for the page that publishes another."""
    return list(ExemplarTrajectory.objects.filter(district=district).order_by("target_years", "-created_at"))


# District administration: inquiry settings and advancement rules -----------------------------------------


def administered_district(context: RequestContext, action: Action, object_type: str) -> Organization:
    """The district a district administrator acts for: their acting district, or the first they administer.
    A page for another role answers 403 (audited)."""
    require(context, action, object_type)
    own = districts_where(context.user, Role.DISTRICT_ADMIN)
    chosen = context.district_id if context.district_id in own else min(own, default=None)
    if chosen is None:
        raise refusal(context, object_type, action)
    return Organization.objects.get(pk=chosen)


@dataclass(frozen=True)
class DistrictSettings:
    district: Organization
    settings: InquirySettings


def inquiry_settings_get(*, context: RequestContext) -> DistrictSettings:
    """The acting district's inquiry thresholds (the defaults while it has chosen none). No student data."""
    district = administered_district(context, Action.MANAGE_INQUIRY, "inquiry-settings")
    return DistrictSettings(district, InquirySettings.for_district(district.pk))


@dataclass(frozen=True)
class RulesPage:
    district: Organization
    rules: list[AdvancementRule]


def advancement_rules_page(*, context: RequestContext) -> RulesPage:
    """The acting district's advancement rules by course code, each with the competencies it requires."""
    district = administered_district(context, Action.MANAGE_ADVANCEMENT_RULES, "advancement-rule")
    rules = AdvancementRule.objects.filter(district=district).prefetch_related(
        Prefetch(
            "requirements",
            queryset=AdvancementRequirement.objects.select_related("competency").order_by(
                "competency__human_code", "pk"
            ),
        )
    )
    return RulesPage(district, list(rules))


def advancement_rule_get(*, context: RequestContext, rule_id: int) -> AdvancementRule:
    """A rule of a district the actor administers; another district's rule is not there (404)."""
    require(context, Action.MANAGE_ADVANCEMENT_RULES, "advancement-rule")
    rule = (
        AdvancementRule.objects.filter(
            pk=rule_id, district_id__in=districts_where(context.user, Role.DISTRICT_ADMIN)
        )
        .select_related("district")
        .prefetch_related("requirements__competency")
        .first()
    )
    if rule is None:
        raise _deny(context, "advancement-rule", rule_id)
    return rule


def rule_competencies(district: Organization) -> QuerySet[Competency]:
    """What a rule may require: the competencies of the published frameworks the district uses."""
    return district_competencies(district).order_by("version__framework__title", "path")


def district_staff(student: Student) -> QuerySet[User]:
    """The staff of the student's district who might guide them: whom an alert assignment is parsed against,
    so that the service, which decides, can say why someone without the student in scope is refused.
    `owner_choices` is who actually guides the student, the people offered."""
    return User.objects.filter(
        is_active=True,
        role_assignments__role__in=[Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN],
        role_assignments__district_id=student.district_id,
    ).distinct()

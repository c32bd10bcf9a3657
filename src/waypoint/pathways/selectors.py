"""Reads of paths, recommendations, the approval queue and the equal access report, shared by the pages and
the API; and the paths that hold places in the catalog's opportunities (`place_holding_paths`, declared to
the catalog on PathwaysConfig).

Each read of a student's paths or recommendations goes through `waypoint.policy` and is written to the audit
log with the reader's legitimate interest. A student or path out of scope raises `NotVisible` (answered 404),
an action the reader may not take raises `NotPermitted` (403); both are audited as refused.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Max, Q, QuerySet, Value
from django.utils.translation import gettext, gettext_noop

from waypoint import policy
from waypoint.catalog import career_clusters
from waypoint.catalog.models import Opportunity, OpportunityKind
from waypoint.catalog.selectors import (
    competency_label,
    competency_name,
    places_left,
    places_taken,
    with_catalog_details,
)
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.demographics import RACE_FLAGS, RaceEthnicity, federal_race_ethnicity
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import (
    AdvisorAssignment,
    AuditAction,
    Gender,
    Organization,
    Student,
    StudentDemographics,
    StudentEnrollment,
)
from waypoint.core.paging import Page, page_of
from waypoint.evidence.models import Evidence, Score
from waypoint.frameworks.models import Competency
from waypoint.insights.suppression import Table, rate, suppress_sizes, suppress_table
from waypoint.mastery.models import MasteryLevel
from waypoint.mastery.selectors import student_levels
from waypoint.pathways import recommend
from waypoint.pathways.models import (
    OPEN_STATUSES,
    PARTICIPATING,
    PLACE_HOLDING,
    PathEvent,
    PathProposal,
    PathStatus,
)
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.policy import pathways as pathways_access
from waypoint.policy import profiles as profiles_access
from waypoint.profiles.models import LearnerProfile, PlanGoal, SuccessPlan

RECOMMENDATION_LIMIT = 10
QUEUE_LIMIT = 100
REPORT_GRADES = (6, 13)


def _refused(
    context: RequestContext, *, object_type: str, reason: str, student: Student | None = None
) -> NotPermitted:
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=str(student.pk) if student else "",
        student=student,
        district_id=None if student else context.district_id,
        reason=reason,
    )
    return NotPermitted(reason)


# Mastery and eligibility ----------------------------------------------------------------------------------


def mastery_of(student_ids: Collection[int]) -> dict[tuple[int, int], bool]:
    """(student id, competency id) → whether the student meets mastery on it; a pair that is missing has no
    evidence yet. The one place pathways reads mastery levels."""
    return {key: summary.meets_mastery for key, summary in student_levels(student_ids).items()}


def current_grade(student: Student, on: datetime.date | None = None) -> int | None:
    """The student's grade level at their enrollment today (None when not enrolled)."""
    on = on or policy.today()
    return (
        StudentEnrollment.objects.filter(
            policy.active_on(on, start="entry_date", end="exit_date"), student=student
        )
        .order_by("-entry_date")
        .values_list("grade_level", flat=True)
        .first()
    )


def opportunity_facts(opportunity: Opportunity) -> recommend.OpportunityFacts:
    """The opportunity as the recommendation rule sees it (from `with_catalog_details`)."""
    return recommend.OpportunityFacts(
        id=opportunity.pk,
        title=opportunity.title,
        text=" ".join([opportunity.description, *opportunity.topics]),
        competencies={c.pk: competency_name(c) for c in opportunity.competencies.all()},
        prerequisites={c.pk: competency_name(c) for c in opportunity.prerequisites.all()},
        min_grade=opportunity.min_grade,
        max_grade=opportunity.max_grade,
        places_left=places_left(opportunity),
        location=opportunity.location,
        transport_provided=opportunity.transport_provided,
        times=frozenset(opportunity.times),
        career_cluster=opportunity.career_cluster,
        career_cluster_label=opportunity.career_cluster_label,
    )


def learner_facts(
    student: Student, *, grade: int | None, taken: frozenset[int] | None = None
) -> recommend.LearnerFacts:
    """The student as the recommendation rule sees them: grade, mastery, profile and open paths (`taken`,
    the opportunities of the student's open paths, when the caller has read those paths already)."""
    mastery = {competency: meets for (_, competency), meets in mastery_of([student.pk]).items()}
    # Only the fields the rule reads, as values: this runs on every student's home page.
    profile = (
        LearnerProfile.objects.filter(student=student)
        .values(
            "interests",
            "career_clusters",
            "has_home_device",
            "has_home_internet",
            "transport_is_hard",
            "free_times",
        )
        .first()
    )
    if taken is None:
        taken = frozenset(
            PathProposal.objects.filter(
                student=student, status__in=OPEN_STATUSES, opportunity__isnull=False
            ).values_list("opportunity_id", flat=True)
        )
    if profile is None:
        return recommend.LearnerFacts(grade=grade, mastery=mastery, taken=taken)
    return recommend.LearnerFacts(
        grade=grade,
        mastery=mastery,
        interests=tuple(profile["interests"]),
        career_clusters=frozenset(profile["career_clusters"]),
        has_home_device=profile["has_home_device"],
        has_home_internet=profile["has_home_internet"],
        transport_is_hard=profile["transport_is_hard"],
        free_times=frozenset(profile["free_times"]),
        taken=taken,
    )


def eligibility_barriers(
    student: Student, opportunity: Opportunity, *, exclude_path: PathProposal | None = None
) -> list[str]:
    """Why the student may not take the opportunity now (grade, prerequisites, places), in the words of
    `recommend.barriers`; the path being decided does not count against the places."""
    holding = opportunity.paths.filter(status__in=PLACE_HOLDING)
    if exclude_path is not None and exclude_path.pk:
        holding = holding.exclude(pk=exclude_path.pk)
    detailed = with_catalog_details(Opportunity.objects.filter(pk=opportunity.pk)).get()
    detailed.places_taken = holding.count()  # type: ignore[attr-defined]
    learner = recommend.LearnerFacts(
        grade=current_grade(student),
        mastery={competency: meets for (_, competency), meets in mastery_of([student.pk]).items()},
    )
    return recommend.barriers(learner, opportunity_facts(detailed))


def place_holding_paths() -> QuerySet[PathProposal]:
    """The paths that hold a place in their opportunity (approved or active): declared on PathwaysConfig as
    `place_holders`, so the catalog counts them in its places (`waypoint.catalog.selectors.places_taken`)."""
    return PathProposal.objects.filter(status__in=PLACE_HOLDING)


# Recommendations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommended:
    suggestion: recommend.Suggestion
    opportunity: Opportunity


@dataclass(frozen=True)
class RecommendationPage:
    student: Student
    has_profile: bool
    items: list[Recommended]


def catalog_facts(opportunities: QuerySet[Opportunity]) -> list[recommend.OpportunityFacts]:
    """The opportunities as the recommendation rule sees them, read as plain values in two queries (a
    catalog of thousands is ranked on every visit to the recommendations page, and on every student's home
    page)."""
    named: dict[str, dict[int, dict[int, str]]] = {
        "competencies": defaultdict(dict),
        "prerequisites": defaultdict(dict),
    }
    # Both relations in one round trip (UNION ALL), each row tagged with the relation it came from.
    links = [
        getattr(Opportunity, relation)
        .through.objects.filter(opportunity_id__in=opportunities.values("id"))
        .annotate(relation=Value(relation, output_field=CharField()))
        .values_list(
            "relation",
            "opportunity_id",
            "competency_id",
            "competency__human_code",
            "competency__abbreviated_statement",
            "competency__full_statement",
            "competency__parent__abbreviated_statement",
        )
        for relation in named
    ]
    for relation, opportunity_id, competency_id, code, abbreviated, statement, domain in links[0].union(
        *links[1:], all=True
    ):
        named[relation][opportunity_id][competency_id] = competency_label(
            code, abbreviated or statement, domain or ""
        )
    rows = opportunities.annotate(places_taken=places_taken()).values(
        "id",
        "title",
        "description",
        "topics",
        "min_grade",
        "max_grade",
        "capacity",
        "places_taken",
        "location",
        "transport_provided",
        "times",
        "career_cluster",
    )
    return [
        recommend.OpportunityFacts(
            id=row["id"],
            title=row["title"],
            text=" ".join([row["description"], *row["topics"]]),
            competencies=named["competencies"].get(row["id"], {}),
            prerequisites=named["prerequisites"].get(row["id"], {}),
            min_grade=row["min_grade"],
            max_grade=row["max_grade"],
            places_left=None if row["capacity"] is None else max(0, row["capacity"] - row["places_taken"]),
            location=row["location"],
            transport_provided=row["transport_provided"],
            times=frozenset(row["times"]),
            career_cluster=row["career_cluster"],
            career_cluster_label=career_clusters.label(row["career_cluster"])
            if row["career_cluster"]
            else "",
        )
        for row in rows
    ]


def rank_for(
    student: Student, *, grade: int | None, limit: int | None = RECOMMENDATION_LIMIT
) -> list[Recommended]:
    """The student's district's active opportunities ranked by `recommend.rank`, the suggestions with their
    opportunities' details (no access check, no audit: callers have done both)."""
    ranked = [suggestion for suggestion, _ in suggested_for(student, grade=grade, limit=limit)]
    details = with_catalog_details(
        _district_catalog(student).filter(pk__in=[s.opportunity_id for s in ranked])
    ).in_bulk()
    return [Recommended(suggestion, details[suggestion.opportunity_id]) for suggestion in ranked]


def _district_catalog(student: Student) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(district_id=student.district_id, is_active=True)


def suggested_for(
    student: Student,
    *,
    grade: int | None,
    taken: frozenset[int] | None = None,
    limit: int | None = RECOMMENDATION_LIMIT,
) -> list[tuple[recommend.Suggestion, recommend.OpportunityFacts]]:
    """`rank_for` without the opportunities' details: each suggestion with the facts it was ranked on (id,
    title, ...), for a page that names the opportunity and links to it, like the home page, and so need not
    read provider, competencies and places again (no access check, no audit: callers have done both).
    `taken` as in `learner_facts`."""
    facts = catalog_facts(_district_catalog(student))
    by_id = {opportunity.id: opportunity for opportunity in facts}
    ranked = recommend.rank(learner_facts(student, grade=grade, taken=taken), facts, limit=limit)
    return [(suggestion, by_id[suggestion.opportunity_id]) for suggestion in ranked]


def recommendations_for(
    *, context: RequestContext, student_id: int, limit: int = RECOMMENDATION_LIMIT
) -> RecommendationPage:
    """Catalog opportunities ranked for the student, each with its reasons; audited as one view."""
    student = student_get(context=context, student_id=student_id, audit_as="recommendations")
    enrollment_grade = current_grade(student)
    return RecommendationPage(
        student=student,
        has_profile=LearnerProfile.objects.filter(student=student).exists(),
        items=rank_for(student, grade=enrollment_grade, limit=limit),
    )


# Who takes part in an opportunity -------------------------------------------------------------------------


def opportunity_participants(*, context: RequestContext, opportunity: Opportunity) -> list[PathProposal]:
    """The paths on the opportunity (not withdrawn) of the students the actor may read, for its district's
    staff; every student listed is audited."""
    user = context.user
    if not policy.can(user, Action.VIEW_PARTICIPANTS, opportunity):
        raise _refused(
            context,
            object_type="opportunity-participants",
            reason="Participants are shown to the district's staff",
        )
    paths = list(
        opportunity.paths.filter(student__in=policy.visible_students(user))
        .exclude(status=PathStatus.WITHDRAWN)
        .select_related("student", "mentor")
        .order_by("status", "student__last_name", "student__first_name", "id")
    )
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="opportunity-participants",
        students=[path.student for path in paths],
        reason=policy.legitimate_interest(user),
    )
    return paths


# Paths ----------------------------------------------------------------------------------------------------


def _paths() -> QuerySet[PathProposal]:
    return PathProposal.objects.select_related("student", "opportunity__provider", "mentor", "decided_by")


def paths_for(
    *, context: RequestContext, statuses: Sequence[str] = (), page: int = 1, page_size: int = 50
) -> Page[PathProposal]:
    """A page of the paths the actor may read (own, children's, students in scope, mentored while active),
    newest first; every student listed is audited."""
    rows = _paths().filter(pk__in=pathways_access.visible_paths(context.user).values("pk"))
    if statuses:
        rows = rows.filter(status__in=statuses)
    result = page_of(rows.order_by("-updated_at", "-id"), number=page, size=page_size)
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="path-list",
        students=[path.student for path in result.items],
        reason=policy.legitimate_interest(context.user),
    )
    return result


@dataclass(frozen=True)
class PlanDue:
    student: Student
    due: datetime.date | None


@dataclass(frozen=True)
class ApprovalQueue:
    awaiting: list[PathProposal]
    awaiting_count: int
    sent_back: list[PathProposal]
    approved: list[PathProposal]
    plans_due: list[PlanDue]


def approval_queue(*, context: RequestContext) -> ApprovalQueue:
    """The proposals awaiting the actor's decision (oldest first), those sent back to students, those
    approved but not started, and the success plans of the actor's caseload due for review."""
    user = context.user
    if not policy.can(user, Action.VIEW_APPROVAL_QUEUE):
        raise _refused(context, object_type="approval-queue", reason="The approval queue is for staff")
    decidable = _paths().filter(pk__in=pathways_access.decidable_paths(user).values("pk"))
    awaiting_rows = decidable.filter(status=PathStatus.PROPOSED).order_by("updated_at", "id")
    awaiting = list(awaiting_rows[:QUEUE_LIMIT])
    sent_back = list(
        decidable.filter(status=PathStatus.CHANGES_REQUESTED).order_by("updated_at", "id")[:QUEUE_LIMIT]
    )
    approved = list(decidable.filter(status=PathStatus.APPROVED).order_by("starts_on", "id")[:QUEUE_LIMIT])
    today = policy.today()
    caseload = AdvisorAssignment.objects.filter(policy.active_on(today), advisor=context.actor).values(
        "student_id"
    )
    due_rows = (
        profiles_access.guided_students(user)
        .filter(id__in=caseload)
        .annotate(
            last_review=Max("success_plan__reviews__reviewed_on"),
            plan_started=Max("success_plan__created_at"),
        )
        .order_by("last_name", "first_name", "id")
    )
    plans_due: list[PlanDue] = []
    for student in due_rows:
        last_review: datetime.date | None = student.last_review
        started: datetime.datetime | None = student.plan_started
        if started is None:
            plans_due.append(PlanDue(student, None))
            continue
        due = (last_review or started.date()) + datetime.timedelta(days=365)
        if due <= today + datetime.timedelta(days=30):
            plans_due.append(PlanDue(student, due))
    listed = {path.student_id: path.student for path in (*awaiting, *sent_back, *approved)}
    listed.update({item.student.pk: item.student for item in plans_due})
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="approval-queue",
        students=list(listed.values()),
        reason=policy.legitimate_interest(user),
    )
    return ApprovalQueue(
        awaiting=awaiting,
        awaiting_count=awaiting_rows.count() if len(awaiting) == QUEUE_LIMIT else len(awaiting),
        sent_back=sent_back,
        approved=approved,
        plans_due=plans_due,
    )


@dataclass(frozen=True)
class PathPage:
    path: PathProposal
    events: list[PathEvent]
    evidence: list[Evidence]
    goals: list[PlanGoal]
    competencies: list[Competency]
    viewer_is_mentor: bool
    can_revise: bool
    can_decide: bool
    can_withdraw: bool

    @property
    def decision(self) -> PathEvent | None:
        """The latest approval or request for changes in the history: who decided, when, and the note they
        wrote (the path's own decision fields may have been overwritten since, e.g. when it started)."""
        decisions = (PathStatus.APPROVED, PathStatus.CHANGES_REQUESTED)
        return next((event for event in reversed(self.events) if event.to_status in decisions), None)


def _deny_path(context: RequestContext, path_id: int) -> NotVisible:
    """Audit a request for a path out of scope, naming its student when it exists (so the district's
    administrators see it) without disclosing anything to the requester."""
    student = Student.objects.filter(paths__pk=path_id).first()
    audit_record(
        context=context,
        action=AuditAction.DENIED,
        object_type="path",
        object_id=str(path_id),
        student=student,
    )
    return NotVisible(f"No path {path_id} is visible to this user.")


def path_get(*, context: RequestContext, path_id: int, action: Action = Action.VIEW_PATH) -> PathProposal:
    """A path the actor may read, audited as viewed; out of scope is NotVisible, a visible path on which the
    actor may not take `action` is NotPermitted."""
    user = context.user
    path = _paths().filter(pk=path_id, id__in=pathways_access.visible_paths(user).values("pk")).first()
    if path is None:
        raise _deny_path(context, path_id)
    if action is not Action.VIEW_PATH and not policy.can(user, action, path):
        raise _refused(
            context,
            object_type="path",
            reason=gettext("Your role may not %(action)s.") % {"action": action.label},
            student=path.student,
        )
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="path",
        object_id=str(path.pk),
        student=path.student,
        reason=policy.legitimate_interest(user, path.student),
    )
    return path


def path_page(*, context: RequestContext, path_id: int) -> PathPage:
    """The path with its history, the evidence submitted for it (the latest version of each piece, as the
    evidence rules let the reader see it), its goals and competencies; audited as one view."""
    path = path_get(context=context, path_id=path_id)
    user = context.user
    student_visible = policy.visible_students(user).filter(pk=path.student_id).exists()
    return PathPage(
        path=path,
        events=list(path.events.select_related("actor")),
        evidence=list(
            policy.visible_evidence(user)
            .filter(path=path, revised_by__isnull=True)
            .select_related("recorded_by")
            .order_by("-submitted_at", "-id")
        ),
        # A mentor sees the path, not the student's plan: the goals it serves are left out for them.
        goals=list(path.goals.order_by("domain", "position")) if student_visible else [],
        competencies=list(path.competencies.select_related("parent").order_by("path")),
        viewer_is_mentor=not student_visible,
        can_revise=policy.can(user, Action.REVISE_PATH, path)
        and path.status in (PathStatus.PROPOSED, PathStatus.CHANGES_REQUESTED),
        can_decide=policy.can(user, Action.DECIDE_PATH, path),
        can_withdraw=policy.can(user, Action.WITHDRAW_PATH, path) and path.status in OPEN_STATUSES,
    )


# The equal access report ----------------------------------------------------------------------------------


def school_year(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The school year (July 1 to June 30, as Connecticut reports) that contains the date."""
    start_year = on.year if on.month >= 7 else on.year - 1
    return datetime.date(start_year, 7, 1), datetime.date(start_year + 1, 6, 30)


@dataclass(frozen=True)
class ReportCell:
    participants: int | None
    rate: float | None
    # When the count is hidden because all or almost all of the group take part: "at least this %".
    rate_at_least: int | None = None


@dataclass(frozen=True)
class ReportRow:
    label: str
    size: int | None
    cells: list[ReportCell]


@dataclass(frozen=True)
class KindRow:
    """One type of opportunity across a dimension's columns: all students first, then each subgroup."""

    label: str
    cells: list[ReportCell]


@dataclass(frozen=True)
class ReportDimension:
    label: str
    rows: list[ReportRow]
    kind_rows: list[KindRow]


@dataclass(frozen=True)
class AccessReport:
    scope: Organization
    schools: list[Organization]
    school_choices: list[Organization]
    year_start: datetime.date
    year_end: datetime.date
    min_size: int  # the smallest group shown (the denominator threshold)
    min_numerator: int  # the smallest count shown
    kinds: list[tuple[str, str]]
    overall: ReportRow
    dimensions: list[ReportDimension]


# The labels are marked for the catalog here and translated when a report is made (a lazy string would not
# survive the API's schema).
YES_NO = [("yes", gettext_noop("Yes")), ("no", gettext_noop("No"))]
DIMENSIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("gender", gettext_noop("Gender"), list(Gender.choices)),
    ("race", gettext_noop("Race and ethnicity"), list(RaceEthnicity.choices)),
    ("english_learner", gettext_noop("English learners"), YES_NO),
    ("students_with_disabilities", gettext_noop("Students with disabilities (IEP)"), YES_NO),
    ("section_504", gettext_noop("Section 504 plan"), YES_NO),
    ("economically_disadvantaged", gettext_noop("Economically disadvantaged"), YES_NO),
]


FLAGS = [key for key, _, _ in DIMENSIONS[2:]]
UNREPORTED = {"gender": Gender.NOT_REPORTED.value, "race": RaceEthnicity.NOT_REPORTED.value} | dict.fromkeys(
    FLAGS, "no"
)


def _subgroups(students: QuerySet[StudentEnrollment, Any]) -> dict[int, dict[str, str]]:
    """Each student's category in each dimension, read as plain values (a district has tens of thousands);
    a student without demographics is "not reported" for gender and race and "no" for the flags."""
    races = list(RACE_FLAGS)
    found: dict[int, dict[str, str]] = {}
    for row in StudentDemographics.objects.filter(student_id__in=students).values(
        "student_id", "gender", "hispanic_or_latino", *races, *FLAGS
    ):
        race = federal_race_ethnicity(
            hispanic_or_latino=row["hispanic_or_latino"], races=[race for race in races if row[race]]
        )
        found[row["student_id"]] = {"gender": row["gender"], "race": race.value} | {
            flag: "yes" if row[flag] else "no" for flag in FLAGS
        }
    return found


def _cell(count: int, size: int, count_shown: bool, size_shown: bool, min_numerator: int) -> ReportCell:
    share = rate(count, size, count_shown=count_shown, size_shown=size_shown, min_numerator=min_numerator)
    return ReportCell(count if count_shown else None, share.exact, share.at_least)


def _row(label: str, size: int | None, cells: list[ReportCell]) -> ReportRow:
    return ReportRow(label=label, size=size, cells=cells)


def report_scope(
    context: RequestContext, school_id: int | None
) -> tuple[Organization, list[Organization], list[Organization]]:
    """The district or school the report covers, the schools in it, and the schools the actor may choose; a
    school outside the actor's scope is NotVisible."""
    user = context.user
    if not policy.can(user, Action.VIEW_ACCESS_REPORT):
        raise _refused(
            context, object_type="access-report", reason="The equal access report is for administrators"
        )
    districts, schools = pathways_access.report_scopes(user)
    choices = list(
        Organization.objects.filter(
            Q(parent_id__in=districts) | Q(pk__in=schools), kind=Organization.Kind.SCHOOL
        ).order_by("name")
    )
    if school_id is not None:
        school = next((choice for choice in choices if choice.pk == school_id), None)
        if school is None:
            raise NotVisible(f"No school {school_id} is in this user's report scope.")
        return school, [school], choices
    if districts:
        district = Organization.objects.get(pk=min(districts))
        return district, [choice for choice in choices if choice.parent_id == district.pk], choices
    return choices[0], [choices[0]], choices


def access_report(
    *,
    context: RequestContext,
    school_id: int | None = None,
    on: datetime.date | None = None,
    min_numerator: int | None = None,
    min_denominator: int | None = None,
) -> AccessReport:
    """Participation in each opportunity type by subgroup, for the students enrolled in grades 6-12 in the
    scope on the date (today by default), counting approved, active and completed paths that overlap the
    school year; small groups suppressed by `insights.suppression` with the settings' thresholds
    (Connecticut's: a count under 6 or a group under 20 is hidden).

    Each type of opportunity is a 2-D table per dimension: taking part / not taking part by subgroup, with the
    subgroup sizes and the overall counts as margins, so that no hidden count can be worked out from a total,
    and a count is hidden when the students of the subgroup who do *not* take part are few or none (its share
    is then shown as "at least X %")."""
    min_numerator = settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR if min_numerator is None else min_numerator
    min_denominator = (
        settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR if min_denominator is None else min_denominator
    )
    scope, schools, school_choices = report_scope(context, school_id)
    on = on or policy.today()
    year_start, year_end = school_year(on)
    enrolled = StudentEnrollment.objects.filter(
        policy.active_on(on, start="entry_date", end="exit_date"),
        school__in=schools,
        grade_level__gte=REPORT_GRADES[0],
        grade_level__lte=REPORT_GRADES[1],
    ).values("student_id")
    population = set(enrolled.values_list("student_id", flat=True))
    subgroups = _subgroups(enrolled)
    kinds = [(value, str(label)) for value, label in OpportunityKind.choices]
    kind_index = {value: index for index, (value, _) in enumerate(kinds)}
    taking: dict[int, set[int]] = defaultdict(set)
    for student_id, kind in PathProposal.objects.filter(
        student_id__in=enrolled,
        status__in=PARTICIPATING,
        starts_on__lte=year_end,
        ends_on__gte=year_start,
    ).values_list("student_id", "opportunity__kind"):
        taking[student_id].add(kind_index[kind or OpportunityKind.INDEPENDENT_STUDY])

    sizes = {key: {value: 0 for value, _ in choices} for key, _, choices in DIMENSIONS}
    counts = {key: {value: [0] * len(kinds) for value, _ in choices} for key, _, choices in DIMENSIONS}
    overall = [0] * len(kinds)
    for student_id in population:
        groups = subgroups.get(student_id, UNREPORTED)
        kinds_taken = taking.get(student_id, set())
        for index in kinds_taken:
            overall[index] += 1
        for key, value in groups.items():
            sizes[key][value] += 1
            for index in kinds_taken:
                counts[key][value][index] += 1

    total = len(population)
    everyone_of = {
        index: [("out", "all")] if overall[index] and overall[index] == total else []
        for index in range(len(kinds))
    }
    hidden_overall: set[int] = set()
    hidden_sizes = {
        key: suppress_sizes(sizes[key], min_denominator=min_denominator).hidden for key, _, _ in DIMENSIONS
    }
    # Each type of opportunity is a table per dimension (taking part / not, by subgroup) and one for all
    # students; a figure one table hides (a subgroup's size, the count of all students taking part) is hidden
    # in all of them, until no table hides another.
    while True:
        overall_tables = {
            index: suppress_table(
                {"in": {"all": overall[index]}, "out": {"all": total - overall[index]}},
                min_numerator=min_numerator,
                min_denominator=min_denominator,
                forced=everyone_of[index] + ([("in", "all")] if index in hidden_overall else []),
            )
            for index in range(len(kinds))
        }
        tables: dict[str, list[Table[str, str]]] = {}
        for key, _, choices in DIMENSIONS:
            values = [value for value, _ in choices]
            tables[key] = []
            for index in range(len(kinds)):
                taking_part = {value: counts[key][value][index] for value in values}
                not_taking = {value: sizes[key][value] - taking_part[value] for value in values}
                tables[key].append(
                    suppress_table(
                        {"in": taking_part, "out": not_taking},
                        min_numerator=min_numerator,
                        min_denominator=min_denominator,
                        forced=[("out", v) for v in values if taking_part[v] and not not_taking[v]],
                        forced_columns=hidden_sizes[key],
                        forced_rows=["in"] if index in hidden_overall else [],
                    )
                )
        more_overall = {
            index
            for index in range(len(kinds))
            if overall_tables[index].cells["in"]["all"] is None
            or any(tables[key][index].row_totals["in"] is None for key in tables)
        } - hidden_overall
        more_sizes = {
            key: {v for table in tables[key] for v, shown in table.column_totals.items() if shown is None}
            - hidden_sizes[key]
            for key in tables
        }
        if not more_overall and not any(more_sizes.values()):
            break
        hidden_overall |= more_overall
        for key, extra in more_sizes.items():
            hidden_sizes[key] |= extra

    total_shown = None if any(t.total is None for t in overall_tables.values()) else total
    overall_row = _row(
        gettext("All students"),
        total_shown,
        [
            _cell(overall[i], total, i not in hidden_overall, total_shown is not None, min_numerator)
            for i in range(len(kinds))
        ],
    )
    dimensions: list[ReportDimension] = []
    for key, label, choices in DIMENSIONS:
        rows = [
            _row(
                gettext(str(choice_label)),
                None if value in hidden_sizes[key] else sizes[key][value],
                [
                    _cell(
                        counts[key][value][index],
                        sizes[key][value],
                        tables[key][index].cells["in"][value] is not None,
                        value not in hidden_sizes[key],
                        min_numerator,
                    )
                    for index in range(len(kinds))
                ],
            )
            for value, choice_label in choices
        ]
        kind_rows = [
            KindRow(kind_label, [row.cells[index] for row in (overall_row, *rows)])
            for index, (_, kind_label) in enumerate(kinds)
        ]
        dimensions.append(ReportDimension(label=gettext(label), rows=rows, kind_rows=kind_rows))
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="access-report",
        object_id=str(scope.pk),
        district_id=scope.pk if scope.kind == Organization.Kind.DISTRICT else scope.parent_id,
        reason=policy.legitimate_interest(context.user),
    )
    return AccessReport(
        scope=scope,
        schools=schools,
        school_choices=school_choices,
        year_start=year_start,
        year_end=year_end,
        min_size=min_denominator,
        min_numerator=min_numerator,
        kinds=kinds,
        overall=overall_row,
        dimensions=dimensions,
    )


# The advisor's caseload ------------------------------------------------------------------------------------


def caseload_facts(students: QuerySet[Student], on: datetime.date) -> dict[int, dict[str, Any]]:
    """What an advisor's caseload shows of each student, read in four queries whatever the caseload's size:
    the last evidence, the competencies below mastery, the success plan's next review and the paths waiting
    for a decision. Declared as `caseload_facts` on PathwaysConfig and read by `waypoint.people.selectors`,
    which sits below evidence, mastery, profiles and pathways and imports none of them. The students are
    already scoped by the access policy; the reader audits the ones it shows."""
    facts: dict[int, dict[str, Any]] = defaultdict(dict)
    last_evidence = (
        Evidence.objects.filter(student__in=students, submitted_at__date__lte=on)
        .order_by()
        .values("student_id")
        .annotate(last=Max("submitted_at"))
    )
    for row in last_evidence:
        facts[row["student_id"]]["last_evidence_at"] = row["last"]
    # Leaf competencies only: a roll-up repeats its children's levels.
    levels = (
        MasteryLevel.objects.filter(student__in=students, rolled_up=False, level__isnull=False)
        .order_by()
        .values("student_id")
        .annotate(known=Count("pk"), below=Count("pk", filter=Q(meets_mastery=False)))
    )
    for row in levels:
        facts[row["student_id"]].update(levels_known=row["known"], below_mastery=row["below"])
    plans = SuccessPlan.objects.filter(student__in=students).annotate(last_review=Max("reviews__reviewed_on"))
    for plan in plans:
        facts[plan.student_id]["plan_review_due"] = plan.review_due(plan.last_review)
    waiting = (
        # A path sent back for changes waits for the student, not for the advisor: not counted.
        PathProposal.objects.filter(student__in=students, status=PathStatus.PROPOSED)
        .order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
    )
    for row in waiting:
        facts[row["student_id"]]["paths_waiting"] = row["n"]
    return dict(facts)


def audit_titles(ids_by_type: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """The titles of the evidence and paths audit events name, so the audit log and the record of
    disclosures can say "recorded a score on “Linear functions quiz”": at most three queries for a page of
    events. Declared as `audit_titles` on PathwaysConfig and read by `waypoint.people.selectors`."""

    def numbers(*object_types: str) -> set[int]:
        return {int(i) for t in object_types for i in ids_by_type.get(t, ()) if i.isdigit()}

    titles: dict[tuple[str, str], str] = {}
    evidence_types = ("evidence", "evidence-revision", "evidence-feedback", "evidence-competencies")
    evidence_ids = numbers(*evidence_types)
    if evidence_ids:
        named = dict(Evidence.objects.filter(pk__in=evidence_ids).values_list("pk", "title"))
        for object_type in evidence_types:
            for object_id in ids_by_type.get(object_type, ()):
                if object_id.isdigit() and int(object_id) in named:
                    titles[(object_type, object_id)] = named[int(object_id)]
    score_ids = numbers("score")
    if score_ids:
        for score_id, title in Score.objects.filter(pk__in=score_ids).values_list("pk", "evidence__title"):
            titles[("score", str(score_id))] = title
    path_ids = numbers("path")
    if path_ids:
        for path in PathProposal.objects.filter(pk__in=path_ids).select_related("opportunity"):
            titles[("path", str(path.pk))] = path.display_title
    return titles

"""The demo districts' paths of study, in every state, each with its history, on the catalog of
`waypoint.catalog.demo` and serving the career goals of `waypoint.profiles.demo`'s success plans.

`student` (Jordan Alvarez, grade 10) has an active internship at Riverside Precision Manufacturing mentored by
`mentor` (Gwen Harlow); the same employer offers an engineering design internship that Jordan can propose.
Every active path has the student's weekly logs and, where it has a mentor, the mentor's observation and a
judgement given as feedback.
Deterministic (dates follow the current school year), written with bulk inserts, and loaded only once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from waypoint.catalog.demo import CATALOG
from waypoint.catalog.models import Opportunity
from waypoint.core.demo import DemoWorld
from waypoint.core.models import AdvisorAssignment, Organization, Student, StudentEnrollment, User
from waypoint.evidence.models import Evidence, EvidenceKind, Score, ScoreSource
from waypoint.frameworks.models import Competency, FrameworkKind, VersionStatus
from waypoint.pathways.models import PathEvent, PathProposal, PathStatus
from waypoint.profiles.models import GoalDomain, PlanGoal


def is_loaded(districts: list[Organization]) -> bool:
    return PathProposal.objects.filter(district__in=districts).exists()


def _catalogs(districts: list[Organization]) -> dict[int, dict[str, Opportunity]]:
    """Each demo district's opportunities by their key in the catalog's demo (`waypoint.catalog.demo`)."""
    found: dict[int, dict[str, Opportunity]] = {}
    for district in districts:
        specs = [spec for spec in CATALOG if district.slug in spec.districts]
        by_title = {
            opportunity.title: opportunity
            for opportunity in Opportunity.objects.filter(
                district=district, title__in=[spec.title for spec in specs]
            ).select_related("provider__mentor")
        }
        if by_title:
            found[district.pk] = {spec.key: by_title[spec.title] for spec in specs if spec.title in by_title}
    return found


@dataclass(frozen=True)
class _PathPlan:
    status: str
    opportunity: str | None


# Per district, the paths in every state (beside Jordan's internship): (status, opportunity key).
PATH_PLANS: tuple[_PathPlan, ...] = (
    _PathPlan(PathStatus.PROPOSED, "robotics-course"),
    _PathPlan(PathStatus.PROPOSED, "food-bank"),
    _PathPlan(PathStatus.PROPOSED, None),
    _PathPlan(PathStatus.CHANGES_REQUESTED, "river-cleanup"),
    _PathPlan(PathStatus.APPROVED, "spring-musical"),
    _PathPlan(PathStatus.ACTIVE, "machining-internship"),
    _PathPlan(PathStatus.ACTIVE, "youth-orchestra"),
    _PathPlan(PathStatus.COMPLETED, "community-podcast"),
    _PathPlan(PathStatus.WITHDRAWN, "tiny-house"),
)
STEPS: dict[str, tuple[str, ...]] = {
    PathStatus.PROPOSED: (PathStatus.PROPOSED,),
    PathStatus.CHANGES_REQUESTED: (PathStatus.PROPOSED, PathStatus.CHANGES_REQUESTED),
    PathStatus.APPROVED: (PathStatus.PROPOSED, PathStatus.APPROVED),
    PathStatus.ACTIVE: (PathStatus.PROPOSED, PathStatus.APPROVED, PathStatus.ACTIVE),
    PathStatus.COMPLETED: (PathStatus.PROPOSED, PathStatus.APPROVED, PathStatus.ACTIVE, PathStatus.COMPLETED),
    PathStatus.WITHDRAWN: (PathStatus.PROPOSED, PathStatus.WITHDRAWN),
}
NOTES: dict[str, str] = {
    PathStatus.CHANGES_REQUESTED: "Say which goal this serves, and check the Saturday dates at home.",
    PathStatus.APPROVED: "Approved: a good fit with your career goal.",
    PathStatus.ACTIVE: "Started.",
    PathStatus.COMPLETED: "Completed: the final presentation showed real growth.",
    PathStatus.WITHDRAWN: "Withdrawn: the schedule clashed with a family job.",
}


def _fits(opportunity: Opportunity, grade: int) -> bool:
    return (opportunity.min_grade is None or opportunity.min_grade <= grade) and (
        opportunity.max_grade is None or grade <= opportunity.max_grade
    )


def _paths(
    catalogs: dict[int, dict[str, Opportunity]],
    students: list[Student],
    *,
    today: datetime.date,
    year_start: datetime.date,
) -> int:
    """Jordan's active internship and, in each district, paths in every state for students of the fixed
    advisor's caseload first (so `advisor` has proposals to decide), each with its history."""
    grades = dict(
        StudentEnrollment.objects.filter(student__in=students, exit_date__isnull=True).values_list(
            "student_id", "grade_level"
        )
    )
    caseload = set(
        AdvisorAssignment.objects.filter(advisor__username="advisor").values_list("student_id", flat=True)
    )
    advisors = dict(
        AdvisorAssignment.objects.filter(student__in=students).values_list("student_id", "advisor_id")
    )
    start = min(year_start, today)
    end = max(datetime.date(year_start.year + 1, 6, 15), today + datetime.timedelta(days=60))
    paths: list[PathProposal] = []
    histories: list[tuple[PathProposal, tuple[str, ...]]] = []
    goal_of: dict[int, int] = dict(
        PlanGoal.objects.filter(plan__student__in=students, domain=GoalDomain.CAREER).values_list(
            "plan__student_id", "pk"
        )
    )
    for district_id, opportunities in catalogs.items():
        pool = [s for s in students if s.district_id == district_id]
        pool.sort(key=lambda s: (s.user is None or s.user.username != "student", s.pk not in caseload, s.pk))
        jordan = pool[0] if pool and pool[0].user is not None and pool[0].user.username == "student" else None
        plans: list[tuple[Student, _PathPlan]] = []
        if jordan is not None:
            plans.append((jordan, _PathPlan(PathStatus.ACTIVE, "machining-internship")))
        candidates = [s for s in pool if s is not jordan]
        for plan in PATH_PLANS:
            opportunity = opportunities.get(plan.opportunity) if plan.opportunity else None
            student = next(
                (s for s in candidates if opportunity is None or _fits(opportunity, grades.get(s.pk, 0))),
                None,
            )
            if student is None:
                continue
            candidates.remove(student)
            plans.append((student, plan))
        for student, plan in plans:
            opportunity = opportunities.get(plan.opportunity) if plan.opportunity else None
            approved = plan.status in (PathStatus.APPROVED, PathStatus.ACTIVE, PathStatus.COMPLETED)
            decided = approved or plan.status == PathStatus.CHANGES_REQUESTED
            starts_on = start if plan.status != PathStatus.APPROVED else today + datetime.timedelta(days=21)
            path = PathProposal(
                student=student,
                district_id=student.district_id,
                status=plan.status,
                opportunity=opportunity,
                title="" if opportunity else "Graphic novel about my grandparents’ migration",
                question="" if opportunity else "How did my family’s journey shape who we are today?",
                texts="" if opportunity else "Family interviews; “The Arrival” by Shaun Tan; census records",
                product="" if opportunity else "A 24-page graphic novel shown at the spring exhibition",
                rationale="It matches my interests and the career goal in my success plan.",
                starts_on=starts_on,
                ends_on=max(end, starts_on)
                if plan.status != PathStatus.COMPLETED
                else start + datetime.timedelta(days=45),
                mentor=opportunity.provider.mentor if opportunity and approved else None,
                proposed_by=student.user,
                decided_by_id=advisors.get(student.pk) if decided else None,
                decided_at=timezone.now() if decided else None,
                decision_notes=NOTES.get(plan.status, "") if plan.status != PathStatus.WITHDRAWN else "",
            )
            paths.append(path)
            histories.append((path, STEPS[plan.status]))
    PathProposal.objects.bulk_create(paths)
    competencies = PathProposal.competencies.through
    competencies.objects.bulk_create(
        competencies(pathproposal_id=path.pk, competency_id=competency_id)
        for path in paths
        if path.opportunity is not None
        for competency_id in path.opportunity.competencies.values_list("pk", flat=True)
    )
    independent = [path for path in paths if path.opportunity is None]
    if independent:
        profile_codes = Competency.objects.filter(
            version__status=VersionStatus.PUBLISHED, human_code__in=["GP.CRE.2", "GP.COM.1", "ELA.WR.4"]
        )
        for path in independent:
            codes = profile_codes.filter(
                version__framework__owner_id__in=[path.district_id, path.student.district.parent_id]
            )
            path.competencies.set(codes)
    goals = PathProposal.goals.through
    goals.objects.bulk_create(
        goals(pathproposal_id=path.pk, plangoal_id=goal_of[path.student_id])
        for path in paths
        if path.student_id in goal_of
    )
    events: list[PathEvent] = []
    for path, steps in histories:
        moment = timezone.now() - datetime.timedelta(days=len(steps) * 3)
        previous = ""
        for step in steps:
            actor = (
                path.proposed_by
                if step == PathStatus.PROPOSED or step == PathStatus.WITHDRAWN
                else path.decided_by
            )
            events.append(
                PathEvent(
                    path=path,
                    district_id=path.district_id,
                    from_status=previous,
                    to_status=step,
                    actor=actor,
                    note=NOTES.get(step, "")
                    if step != PathStatus.ACTIVE
                    else "Started: its start date has come",
                    occurred_at=moment,
                )
            )
            previous = step
            moment += datetime.timedelta(days=3)
    PathEvent.objects.bulk_create(events, batch_size=500)
    return len(paths)


def _moment(on: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(hour, 0)))


def _path_work(districts: list[Organization], *, today: datetime.date) -> int:
    """On every active path: the student's work in two weekly logs (one judged by the mentor, as feedback
    that never counts toward mastery) and, where the path has a mentor, the mentor's observation; all of it
    waits for a teacher's score. Returns how many pieces were added."""
    active = list(
        PathProposal.objects.filter(district__in=districts, status=PathStatus.ACTIVE)
        .select_related("student__user", "opportunity", "mentor")
        .prefetch_related("competencies__version__framework")
        .order_by("pk")
    )
    pieces: list[tuple[Evidence, list[Competency]]] = []
    judged: list[tuple[Evidence, Competency, User]] = []
    for path in active:
        by_version: dict[int, list[Competency]] = {}
        for competency in sorted(path.competencies.all(), key=lambda c: c.path):
            by_version.setdefault(competency.version_id, []).append(competency)
        if not by_version:
            continue
        groups = sorted(by_version.values(), key=len, reverse=True)
        profile = next(
            (g for g in groups if g[0].version.framework.kind == FrameworkKind.GRADUATE_PROFILE), groups[0]
        )
        subject = next(
            (g for g in groups if g[0].version.framework.kind != FrameworkKind.GRADUATE_PROFILE), groups[0]
        )
        name = path.opportunity.title if path.opportunity else path.title
        for week, days_ago in ((2, 12), (4, 3)):
            log = Evidence(
                district_id=path.district_id,
                student=path.student,
                framework_version_id=subject[0].version_id,
                title=f"Week {week} log: {name}",
                body="What I did this week, what I learned and a photo of my work. "
                "Next week I want to try the harder version on my own.",
                path=path,
                recorded_by=path.student.user or path.mentor or path.proposed_by or path.decided_by,
                submitted_at=_moment(today - datetime.timedelta(days=days_ago), 18),
            )
            pieces.append((log, subject[:2]))
            if path.mentor is not None and week == 2:
                judged.append((log, subject[0], path.mentor))
        if path.mentor is not None:
            observation = Evidence(
                district_id=path.district_id,
                student=path.student,
                framework_version_id=profile[0].version_id,
                kind=EvidenceKind.OBSERVATION,
                title=f"Observed on site: {name}",
                body="Arrived on time all week, asked good questions at the safety briefing and took notes "
                "without being asked. Ready for more independent work.",
                path=path,
                recorded_by=path.mentor,
                submitted_at=_moment(today - datetime.timedelta(days=6), 16),
            )
            pieces.append((observation, profile[:1]))
    pieces = [(evidence, named) for evidence, named in pieces if evidence.recorded_by_id is not None]
    Evidence.objects.bulk_create([evidence for evidence, _ in pieces])
    through = Evidence.competencies.through
    through.objects.bulk_create(
        through(evidence_id=evidence.pk, competency_id=competency.pk)
        for evidence, named in pieces
        for competency in named
    )
    Score.objects.bulk_create(
        Score(
            district_id=evidence.district_id,
            student=evidence.student,
            evidence=evidence,
            competency=competency,
            framework_version_id=competency.version_id,
            value=3.0,
            comment="Careful, safe work and good questions. Next: plan the job before you start the machine.",
            source=ScoreSource.MENTOR,
            counts_toward_mastery=False,
            scored_by=mentor,
            scored_at=_moment(today - datetime.timedelta(days=10), 17),
        )
        for evidence, competency, mentor in judged
        if evidence.pk is not None
    )
    return len(pieces)


@transaction.atomic
def load_demo_pathways(
    *, districts: list[Organization], today: datetime.date, year_start: datetime.date
) -> dict[str, int]:
    """Load the paths of the demo districts unless they are there (after the catalog and the success plans);
    returns counts."""
    if is_loaded(districts):
        return {}
    students = list(
        Student.objects.filter(district__in=districts).select_related("user", "district").order_by("pk")
    )
    paths = _paths(_catalogs(districts), students, today=today, year_start=year_start)
    return {"paths": paths, "path_evidence": _path_work(districts, today=today)}


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The pathways part of the demo (registered on PathwaysConfig as its `demo_loader`)."""
    return load_demo_pathways(districts=world.districts, today=world.today, year_start=world.year_start)

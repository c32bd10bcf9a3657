"""Demo evidence: assessments with rubrics, evidence in every state, certified and feedback-only judgements,
a history of levels for `student`, a populated gradebook for `teacher`'s class, and practice attempts with
knowledge-tracing estimates. Deterministic; loaded by `waypoint demo` after the frameworks."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from waypoint.core.audit import RequestContext
from waypoint.core.demo import DemoWorld
from waypoint.core.models import Organization, Section, Student, User
from waypoint.evidence.models import (
    Assessment,
    AssessmentKind,
    Evidence,
    EvidenceStatus,
    Feedback,
    Score,
    ScoreSource,
)
from waypoint.evidence.services import assessment_create, evidence_submit, feedback_add
from waypoint.frameworks.models import Competency, Rubric
from waypoint.mastery.knowledge import knowledge_refresh
from waypoint.mastery.models import PracticeAttempt
from waypoint.mastery.services import level_refresh, recompute, score_record

SEED = 20261125
# Rubric title → (assessment title, kind, what the student does).
ASSESSMENTS = [
    (
        "Oral presentation",
        "Town hall: should Riverside add a crosswalk on Main Street?",
        AssessmentKind.PERFORMANCE_TASK,
        "Present a five-minute argument to the town council panel, with at least two sources.",
    ),
    (
        "Collaboration in a team project",
        "Community garden design team",
        AssessmentKind.PROJECT,
        "Work with your team to design a raised-bed garden for the school courtyard and share the plan.",
    ),
    (
        "Goal setting and reflection",
        "Quarterly goal reflection",
        AssessmentKind.PORTFOLIO_REVIEW,
        "Choose one goal from your success plan, show your progress with evidence, and plan next steps.",
    ),
]


def _at(today: datetime.date, days_ago: int) -> datetime.datetime:
    moment = datetime.datetime.combine(today - datetime.timedelta(days=days_ago), datetime.time(14, 0))
    return timezone.make_aware(moment)


def _past_score(
    *,
    evidence: Evidence,
    competency: Competency,
    value: float,
    teacher: User,
    certification_id: int,
    when: datetime.datetime,
) -> None:
    """A certified score recorded on an earlier date, with the level change dated then (demo history only;
    live scores go through `score_record`)."""
    Score.objects.create(
        district_id=evidence.district_id,
        student_id=evidence.student_id,
        evidence=evidence,
        competency=competency,
        framework_version_id=competency.version_id,
        value=value,
        source=ScoreSource.CERTIFIED_TEACHER,
        counts_toward_mastery=True,
        certification_id=certification_id,
        scored_by=teacher,
        scored_at=when,
    )
    Evidence.objects.filter(pk=evidence.pk).update(status=EvidenceStatus.SCORED)
    level_refresh(student=evidence.student, competency=competency, at=when)


def load_demo_evidence(*, district: Organization, today: datetime.date) -> dict[str, int]:
    """Evidence for the Riverside demo accounts and `teacher`'s class; returns counts."""
    rng = random.Random(SEED)
    users = {user.username: user for user in User.objects.filter(district=district)}
    teacher, uncertified = users["teacher"], users["teacher-uncertified"]
    certification = teacher.certifications.order_by("-expires_on").first()
    if certification is None:
        return {}
    student = Student.objects.get(user__username="student")
    as_teacher = RequestContext(user=teacher)
    as_student = RequestContext(user=student.user or teacher)
    section = Section.objects.filter(teachers=teacher, roster__student=student).order_by("pk").first()
    assessments: list[Assessment] = []
    for rubric_title, title, kind, instructions in ASSESSMENTS:
        rubric = Rubric.objects.filter(owner=district, title=rubric_title).first()
        if rubric is None:
            continue
        assessments.append(
            assessment_create(
                context=as_teacher,
                title=title,
                kind=kind,
                instructions=instructions,
                competency_ids=list(rubric.criteria.values_list("competency_id", flat=True)),
                rubric_id=rubric.pk,
                section_id=section.pk if section else None,
                due_on=today + datetime.timedelta(days=14),
            )
        )
    if not assessments:
        return {}

    # `student`: a trajectory over the autumn on the presentation's competencies, then work in every state.
    town_hall, garden, reflection = (assessments + assessments[:2])[:3]
    rehearsal = Evidence.objects.create(
        district=district,
        student=student,
        assessment=town_hall,
        framework_version=town_hall.framework_version,
        title="Rehearsal recording and outline",
        body="My outline and a recording of my practice run in advisory.",
        recorded_by=student.user or teacher,
        submitted_at=_at(today, 70),
    )
    rehearsal.competencies.set(town_hall.competencies.all())
    presentation_competencies = list(town_hall.competencies.order_by("path"))
    for days_ago, values in ((65, (1, 2)), (40, (2, 2)), (20, (3, 2)), (6, (3, 3))):
        for competency, value in zip(presentation_competencies, values, strict=False):
            _past_score(
                evidence=rehearsal,
                competency=competency,
                value=value,
                teacher=teacher,
                certification_id=certification.pk,
                when=_at(today, days_ago),
            )
    talk = evidence_submit(
        context=as_student,
        student_id=student.pk,
        title="Town hall talk: the Main Street crosswalk",
        body="I argued for a raised crosswalk using the DOT's traffic counts and two interviews with "
        "crossing guards. Slides and sources are linked.",
        links=["https://example.org/crosswalk-slides"],
        assessment_id=town_hall.pk,
    )
    score_record(
        context=RequestContext(user=uncertified),
        evidence_id=talk.pk,
        competency_id=presentation_competencies[0].pk,
        value=3,
        comment="Strong opening and clear sources. (Observed from the back of the room.)",
    )
    score_record(
        context=as_student,
        evidence_id=talk.pk,
        competency_id=presentation_competencies[0].pk,
        value=3,
        comment="I think I kept eye contact better than in the rehearsal.",
    )
    plan = evidence_submit(
        context=as_student,
        student_id=student.pk,
        title="Garden plan, first draft",
        body="Our team's plan for four raised beds, with my part: the watering schedule.",
        assessment_id=garden.pk,
    )
    feedback_add(
        context=as_teacher,
        evidence_id=plan.pk,
        body="Good start on the watering schedule. Add how your team decided on it and who did what.",
        requests_revision=True,
    )
    evidence_submit(
        context=as_teacher,
        student_id=student.pk,
        title="Led the lab clean-up without prompting",
        body="Organised four classmates and checked the stations against the list.",
        competency_ids=[garden.competencies.order_by("path")[0].pk],
        observation=True,
    )
    evidence_submit(
        context=as_student,
        student_id=student.pk,
        title="Reflection on my reading goal",
        body="I read three of the five books I planned; here is my log and what I will change.",
        assessment_id=reflection.pk,
    )

    # Classmates in `teacher`'s section: a few certified scores each, so the gradebook has a real spread.
    classmates = (
        list(Student.objects.filter(section_enrollments__section=section).exclude(pk=student.pk).distinct())
        if section
        else []
    )
    indicators = list(town_hall.competencies.order_by("path")) + list(garden.competencies.order_by("path"))
    for classmate in classmates:
        work = Evidence.objects.create(
            district=district,
            student=classmate,
            assessment=town_hall,
            framework_version=town_hall.framework_version,
            title="Town hall talk",
            body="Presentation notes.",
            recorded_by=teacher,
            status=EvidenceStatus.SCORED,
            submitted_at=_at(today, 30),
        )
        work.competencies.set(town_hall.competencies.all())
        for competency in rng.sample(indicators, k=min(len(indicators), rng.randint(2, 5))):
            for attempt in range(rng.randint(1, 3)):
                Score.objects.create(
                    district=district,
                    student=classmate,
                    evidence=work,
                    competency=competency,
                    framework_version_id=competency.version_id,
                    value=float(rng.choice((1, 2, 2, 3, 3, 3, 4))),
                    source=ScoreSource.CERTIFIED_TEACHER,
                    counts_toward_mastery=True,
                    certification=certification,
                    scored_by=teacher,
                    scored_at=_at(today, 30 - 7 * attempt),
                )
    waiting = [
        Evidence(
            district=district,
            student=classmate,
            assessment=reflection,
            framework_version=reflection.framework_version,
            title="Goal reflection",
            body="My reflection on this quarter's goal.",
            recorded_by=classmate.user or teacher,
            submitted_at=_at(today, rng.randint(1, 9)),
        )
        for classmate in classmates[:6]
    ]
    Evidence.objects.bulk_create(waiting)
    recompute(district=district)
    feedback_count = Feedback.objects.filter(district=district).count()

    # Auto-scored practice on the presentation's indicators (an online module), for knowledge tracing.
    practicing = [student, *classmates]
    attempts = []
    for learner in practicing:
        for competency in presentation_competencies[:2]:
            known = rng.random() < 0.3
            for step in range(rng.randint(8, 20)):
                known = known or rng.random() < 0.15
                correct = rng.random() < (0.9 if known else 0.25)
                attempts.append(
                    PracticeAttempt(
                        district=district,
                        student=learner,
                        competency=competency,
                        correct=correct,
                        item=f"module-item-{step + 1}",
                        source="Presentation skills online module",
                        attempted_at=_at(today, 50 - 2 * step),
                    )
                )
    PracticeAttempt.objects.bulk_create(attempts, batch_size=1000)
    knowledge_refresh(district=district)
    return {
        "assessments": len(assessments),
        "evidence": Evidence.objects.filter(district=district).count(),
        "scores": Score.objects.filter(district=district).count(),
        "feedback": feedback_count,
        "practice_attempts": len(attempts),
    }


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The evidence, scores, levels and practice of the demo (registered on MasteryConfig as its
    `demo_loader`): scoring belongs to mastery, which sits above evidence."""
    return load_demo_evidence(district=world.district("riverside"), today=world.today)

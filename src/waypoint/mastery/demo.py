"""Demo evidence, scores, levels and practice in both demo districts.

Every section of every subject works through its course's units of the autumn (`demo_content.COURSES`):
assessments aligned to the state's content competencies, evidence from most students, scored by a teacher
with a current certification on dates spread from the start of the school year to today, so every section's
gradebook has subject levels and every student a history of them. Each section also has work waiting for a
score (a few new pieces and one answered revision request) and, here and there, feedback. A district-wide
online algebra module gives knowledge tracing enough practice to estimate most students' mastery of one
indicator (once a district has the 50 students `bkt.MIN_STUDENTS` asks for).

In each district a showcase class (`teacher`'s Mathematics 10 (A) at Riverside, `other-teacher`'s first
mathematics class at Hillcrest) also does the graduate-profile tasks, and `student` (Jordan Alvarez) has
work in every state: a history of levels, feedback-only judgements, feedback, one revision request and work
waiting for a score.

Deterministic (a seed per district; dates follow today). Fast: rows are collected in memory and written with
plain inserts, and levels come from one bulk recompute per district (Jordan's are refreshed unit by unit
first, so his history has a dated point per unit).
"""

from __future__ import annotations

import datetime
import functools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from waypoint.core.audit import RequestContext
from waypoint.core.demo import DemoWorld, few_of_each_caseload
from waypoint.core.models import (
    Organization,
    Section,
    SectionEnrollment,
    SectionTeacher,
    Student,
    StudentEnrollment,
    TeacherCertification,
    User,
)
from waypoint.evidence.models import (
    Assessment,
    AssessmentKind,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Feedback,
    Score,
    ScoreSource,
)
from waypoint.evidence.services import assessment_create, evidence_submit
from waypoint.frameworks import demo_content
from waypoint.frameworks.models import (
    Competency,
    Framework,
    FrameworkKind,
    ProficiencyScale,
    Rubric,
    VersionStatus,
)
from waypoint.frameworks.services import scale_mark_in_use
from waypoint.mastery.knowledge import knowledge_refresh
from waypoint.mastery.models import MasteryLevelChange, PracticeAttempt
from waypoint.mastery.services import level_refresh, recompute, score_record

SEED = 20261125
SCORED_UNITS = 3  # the first three units of each course are scored; the fourth is the one under way
# When each scored unit is marked, as a share of the autumn so far; subjects mark a day apart. The last was
# marked two weeks or so ago, so a student who handed it in is not "quiet" on the caseload (21 days).
UNIT_MOMENTS = (0.22, 0.5, 0.86)
SUBJECT_DAY = {"Mathematics": 0, "English Language Arts": 1, "Science": 2, "Social Studies": 3}
PROFILE_DAY = 4  # the graduate-profile tasks are marked after the subjects
SUBMITTED = (0.93, 0.9, 0.86)  # the share of a class that hands in each scored unit
WAITING_PER_SECTION = (3, 5)  # new pieces of the unit under way waiting for a score, per section
# One student in twelve of each caseload (the one at this position) has handed in nothing for four weeks,
# so the advisor's caseload and home page have someone drifting to notice.
QUIET_POSITION = 8
QUIET_DAYS = 28
PRACTICE_CODE = "MATH.ALG.1.b"  # the online module's skill, taught in grades 6-12
THIN_PRACTICE_CODE = "MATH.ALG.1.a"  # tried only by the showcase class: too little practice to fit
SHORTEST_AUTUMN = 35  # days of history the demo shows even when today is near the start of the year
SHOWCASE_TEACHERS = {"riverside": "teacher", "hillcrest": "other-teacher"}

BODIES = (
    "My finished work is attached, with notes on what I would change next time.",
    "My answers, with how I got each one.",
    "Final draft. My first draft and the peer comments are in my folder.",
    "Done in class; photos of my pages are linked.",
    "Here is my work and a short reflection on the hardest part.",
)
COMMENTS = (
    "Clear reasoning. Next step: show every step so a reader can follow it.",
    "Strong evidence; push your explanation one step further.",
    "You met the standard here. Keep this level of detail.",
    "Look back at the feedback on the last task: the same idea applies.",
    "Good start. Check your work against the success criteria before you hand it in.",
    "Excellent: you went beyond what the task asked.",
)
FEEDBACK = (
    "Your explanation improved a lot since the first unit. Keep naming the evidence you use.",
    "Let's talk in class about how to organise the middle section.",
    "Nice work. Try the challenge problem on the back if you want to go further.",
)
REVISION_REQUEST = "Almost there: add the missing step and explain your reasoning, then hand it in again."
RESUBMITTED = "I added the missing step and explained why it works, as you asked."

# The graduate-profile tasks of the showcase class: rubric title → (assessment title, kind, what to do).
PROFILE_TASKS = [
    (
        "Oral presentation",
        "Town hall: should the town add a crosswalk on Main Street?",
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


# What the loader writes, collected in memory --------------------------------------------------------------


@dataclass(eq=False)
class _Piece:
    """A piece of evidence about all of its assessment's competencies; its id is given when it is written."""

    student: Student
    assessment_id: int
    version_id: int
    competency_ids: list[int]
    title: str
    body: str
    status: str
    recorded_by_id: int
    submitted_at: datetime.datetime
    revision_of: _Piece | None = None
    id: int = 0

    @property
    def version(self) -> int:
        return self.revision_of.version + 1 if self.revision_of else 1


@dataclass(frozen=True)
class _Judgement:
    """A certified score of a piece on one of its competencies."""

    piece: _Piece
    competency_id: int
    value: float
    rubric_id: int | None
    criterion_id: int | None
    comment: str
    scorer_id: int
    certification_id: int
    scored_at: datetime.datetime


@dataclass(frozen=True)
class _Comment:
    piece: _Piece
    author_id: int
    body: str
    requests_revision: bool
    created_at: datetime.datetime


@dataclass
class _Rows:
    pieces: list[_Piece] = field(default_factory=list)
    # Scores by the unit they are marked with, so each unit's levels are dated when it was marked.
    scores: dict[int, list[_Judgement]] = field(default_factory=lambda: defaultdict(list))
    comments: list[_Comment] = field(default_factory=list)


def _insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Plain parameterised INSERTs for the demo's large tables: at these sizes the ORM's per-row preparation
    costs more than the database itself (as in `mastery.bulk`)."""
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608


@functools.cache
def _moment(value: datetime.datetime) -> Any:
    """A moment as the database driver takes it (the demo's moments repeat: a class is marked at once)."""
    return connection.ops.adapt_datetimefield_value(value)


def _json(value: object) -> Any:
    return connection.ops.adapt_json_value(value, None)


# The autumn and the classes ---------------------------------------------------------------------------------


class _Timeline:
    """The demo's dates: the autumn from the start of the school year (at least SHORTEST_AUTUMN days back)
    to today."""

    def __init__(self, today: datetime.date, year_start: datetime.date) -> None:
        self.today = today
        self.start = min(year_start, today - datetime.timedelta(days=SHORTEST_AUTUMN))
        self.span = (today - self.start).days

    def marked_on(self, unit: int, day: int) -> datetime.date:
        """The day unit `unit` is marked, `day` days after the first subject marks it."""
        return self.start + datetime.timedelta(days=round(self.span * UNIT_MOMENTS[unit]) + day)

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    @staticmethod
    @functools.cache
    def at(on: datetime.date, hour: int = 15) -> datetime.datetime:
        """The moment at `hour` o'clock on a day (cached: the demo's moments repeat, and making one aware of
        the time zone is not cheap)."""
        return timezone.make_aware(datetime.datetime.combine(on, datetime.time(hour, 0)))


@dataclass
class _Class:
    """A section as the demo works it: its course, its units' assessments, its roster and who scores."""

    section: Section
    grade: int
    lead: User
    scorer: User | None  # the first of its teachers with a current certification
    certification_id: int | None
    roster: list[Student]
    course: demo_content.DemoCourse | None = None
    assessments: list[Assessment] = field(default_factory=list)


def _band(grade: int) -> str:
    return "high" if grade >= 9 else "middle"


def _classes(district: Organization, today: datetime.date) -> list[_Class]:
    """The district's sections with their grade, roster, lead teacher and certified scorer."""
    certification_of = dict(
        TeacherCertification.objects.filter(
            teacher__district=district, issued_on__lte=today, expires_on__gte=today
        ).values_list("teacher_id", "pk")
    )
    teachers: dict[int, list[User]] = defaultdict(list)
    for assignment in (
        SectionTeacher.objects.filter(section__district=district).select_related("teacher").order_by("pk")
    ):
        teachers[assignment.section_id].append(assignment.teacher)
    grade_of = dict(
        StudentEnrollment.objects.filter(district=district, exit_date__isnull=True).values_list(
            "student_id", "grade_level"
        )
    )
    students = {
        student.pk: student for student in Student.objects.filter(district=district).select_related("user")
    }
    roster: dict[int, list[Student]] = defaultdict(list)
    for section_id, student_id in (
        SectionEnrollment.objects.filter(section__district=district)
        .order_by("section_id", "student_id")
        .values_list("section_id", "student_id")
    ):
        roster[section_id].append(students[student_id])
    classes = []
    for section in Section.objects.filter(district=district).order_by("pk"):
        staff, members = teachers.get(section.pk), roster.get(section.pk)
        if not staff or not members:
            continue
        scorer = next((teacher for teacher in staff if teacher.pk in certification_of), None)
        classes.append(
            _Class(
                section=section,
                grade=grade_of.get(members[0].pk, 9),
                lead=staff[0],
                scorer=scorer,
                certification_id=certification_of.get(scorer.pk) if scorer else None,
                roster=members,
            )
        )
    return classes


def _codes(state: Organization) -> dict[str, Competency]:
    """The state's published content competencies by code (the demo's subject frameworks)."""
    return {
        competency.human_code: competency
        for competency in Competency.objects.filter(
            version__framework__owner=state,
            version__framework__kind=FrameworkKind.CONTENT,
            version__status=VersionStatus.PUBLISHED,
        ).exclude(human_code="")
    }


def _criteria(rubrics: Iterable[Rubric]) -> dict[tuple[int, int], int]:
    """(rubric id, competency id) → the rubric's criterion about that competency."""
    found: dict[tuple[int, int], int] = {}
    for rubric in rubrics:
        for criterion_id, competency_id in rubric.criteria.values_list("id", "competency_id"):
            found.setdefault((rubric.pk, competency_id), criterion_id)
    return found


def _assessments(
    classes: list[_Class], codes: dict[str, Competency], rubrics: dict[str, Rubric], timeline: _Timeline
) -> dict[int, list[int]]:
    """Each class's course units as assessments aligned to content competencies; returns each
    assessment's competencies."""
    courses = {(course.subject, course.band): course for course in demo_content.COURSES}
    created: list[tuple[Assessment, list[int]]] = []
    for each in classes:
        course = courses.get((each.section.subject, _band(each.grade)))
        if course is None:
            continue
        each.course = course
        day = SUBJECT_DAY.get(course.subject, 0)
        for index, unit in enumerate(course.units):
            competencies = [codes[code] for code in unit.competency_codes]
            due = (
                timeline.marked_on(index, day) - datetime.timedelta(days=2)
                if index < SCORED_UNITS
                else timeline.today + datetime.timedelta(days=5)
            )
            assessment = Assessment(
                district_id=each.section.district_id,
                title=unit.title,
                kind=unit.kind,
                instructions=unit.instructions,
                framework_version_id=competencies[0].version_id,
                rubric=rubrics.get(unit.rubric_title) if unit.rubric_title else None,
                section=each.section,
                due_on=due,
                created_by=each.lead,
                created_at=timeline.at(timeline.start + datetime.timedelta(days=index * 21), hour=8),
            )
            each.assessments.append(assessment)
            created.append((assessment, [competency.pk for competency in competencies]))
    Assessment.objects.bulk_create([assessment for assessment, _ in created], batch_size=500)
    _insert(
        Assessment.competencies.through,
        ("assessment_id", "competency_id"),
        (
            (assessment.pk, competency_id)
            for assessment, competency_ids in created
            for competency_id in competency_ids
        ),
    )
    return {assessment.pk: competency_ids for assessment, competency_ids in created}


# The autumn's work ----------------------------------------------------------------------------------------


class _Coursework:
    """Builds the classes' evidence, scores and feedback over the autumn, in memory."""

    def __init__(
        self,
        *,
        rng: random.Random,
        timeline: _Timeline,
        aligned: dict[int, list[int]],
        criteria: dict[tuple[int, int], int],
        jordan: Student | None,
        quiet: set[int],
    ) -> None:
        self.rng = rng
        self.timeline = timeline
        self.aligned = aligned
        self.criteria = criteria
        self.jordan = jordan
        self.quiet = quiet
        self.quiet_since = timeline.at(timeline.days_ago(QUIET_DAYS), hour=0)
        self.rows = _Rows()
        self.ability: dict[int, float] = {}
        self.leaning: dict[tuple[int, str], float] = {}

    def gone_quiet(self, student: Student, submitted: datetime.datetime) -> bool:
        """Whether this piece is one a student who has stopped handing in work would not have sent."""
        return student.pk in self.quiet and submitted >= self.quiet_since

    def strength(self, student: Student, subject: str) -> float:
        """A student's standing in a subject: a general ability and a leaning for or against the subject."""
        if student.pk not in self.ability:
            self.ability[student.pk] = self.rng.gauss(0, 1)
        if (student.pk, subject) not in self.leaning:
            self.leaning[(student.pk, subject)] = self.rng.gauss(0, 0.4)
        return self.ability[student.pk] + self.leaning[(student.pk, subject)]

    def level(self, strength: float, unit: int) -> float:
        """A score on the 1-4 scale: stronger students score higher, and most grow over the autumn."""
        return float(min(4, max(1, round(2.2 + 0.65 * strength + 0.3 * unit + self.rng.gauss(0, 0.5)))))

    def jordans_level(self, unit: int) -> float:
        """Jordan grows steadily: developing at first, proficient by the third unit (so the indicators
        assessed again show a rise)."""
        return float(min(4, max(1, round(1.9 + 0.55 * unit + self.rng.gauss(0, 0.25)))))

    def piece(
        self,
        each: _Class,
        student: Student,
        assessment: Assessment,
        *,
        submitted: datetime.datetime,
        status: str,
        title: str = "",
        body: str = "",
        revision_of: _Piece | None = None,
    ) -> _Piece:
        made = _Piece(
            student=student,
            assessment_id=assessment.pk,
            version_id=assessment.framework_version_id,
            competency_ids=self.aligned[assessment.pk],
            title=title or assessment.title,
            body=body or self.rng.choice(BODIES),
            status=status,
            recorded_by_id=student.user_id or each.lead.pk,
            submitted_at=submitted,
            revision_of=revision_of,
        )
        self.rows.pieces.append(made)
        return made

    def comment(
        self, piece: _Piece, author: User, body: str, on: datetime.date, revise: bool = False
    ) -> None:
        self.rows.comments.append(_Comment(piece, author.pk, body, revise, self.timeline.at(on, hour=17)))

    def score(
        self,
        each: _Class,
        piece: _Piece,
        competency_id: int,
        value: float,
        *,
        unit: int,
        marked: datetime.date,
        rubric_id: int | None,
        comment: bool = False,
    ) -> None:
        """A certified score, through the assessment's rubric when it has a criterion about the competency."""
        if each.scorer is None or each.certification_id is None:
            return
        criterion_id = self.criteria.get((rubric_id, competency_id)) if rubric_id else None
        self.rows.scores[unit].append(
            _Judgement(
                piece=piece,
                competency_id=competency_id,
                value=value,
                rubric_id=rubric_id if criterion_id else None,
                criterion_id=criterion_id,
                comment=self.rng.choice(COMMENTS) if comment or self.rng.random() < 0.15 else "",
                scorer_id=each.scorer.pk,
                certification_id=each.certification_id,
                scored_at=self.timeline.at(marked, hour=16),
            )
        )

    def work(self, each: _Class) -> None:
        """A class's autumn: the scored units, one answered revision request, and the unit under way."""
        if each.course is None or each.scorer is None:
            return
        rng, timeline = self.rng, self.timeline
        subject = each.course.subject
        day = SUBJECT_DAY.get(subject, 0)
        for unit in range(SCORED_UNITS):
            assessment = each.assessments[unit]
            marked = timeline.marked_on(unit, day)
            for student in each.roster:
                is_jordan = student == self.jordan
                if not is_jordan and rng.random() > SUBMITTED[unit]:
                    continue
                handed_in = timeline.at(
                    marked - datetime.timedelta(days=rng.randint(1, 5)), rng.randint(8, 20)
                )
                if self.gone_quiet(student, handed_in):
                    continue
                piece = self.piece(
                    each, student, assessment, submitted=handed_in, status=EvidenceStatus.SCORED
                )
                strength = self.strength(student, subject)
                for competency_id in piece.competency_ids:
                    self.score(
                        each,
                        piece,
                        competency_id,
                        self.jordans_level(unit) if is_jordan else self.level(strength, unit),
                        unit=unit,
                        marked=marked,
                        rubric_id=assessment.rubric_id,
                        comment=is_jordan and unit == SCORED_UNITS - 1,
                    )
                if (is_jordan and unit == 1) or rng.random() < 0.05:
                    self.comment(piece, each.scorer, rng.choice(FEEDBACK), marked)
        self.resubmission(each)
        self.waiting(each)

    def resubmission(self, each: _Class) -> None:
        """One student of the class was asked to revise the last scored unit and has handed it in again."""
        candidates = [
            student for student in each.roster if student != self.jordan and student.pk not in self.quiet
        ]
        if not candidates or each.scorer is None:
            return
        student = self.rng.choice(candidates)
        assessment = each.assessments[SCORED_UNITS - 1]
        asked = self.timeline.marked_on(SCORED_UNITS - 1, SUBJECT_DAY.get(each.section.subject, 0))
        first = self.piece(
            each,
            student,
            assessment,
            submitted=self.timeline.at(asked - datetime.timedelta(days=2)),
            status=EvidenceStatus.REVISED,
        )
        self.comment(first, each.scorer, REVISION_REQUEST, asked, revise=True)
        resubmitted = max(self.timeline.days_ago(self.rng.randint(0, 3)), asked)
        self.piece(
            each,
            student,
            assessment,
            submitted=self.timeline.at(resubmitted, hour=19),
            status=EvidenceStatus.AWAITING_SCORE,
            body=RESUBMITTED,
            revision_of=first,
        )

    def waiting(self, each: _Class) -> None:
        """A few pieces of the unit under way, handed in over the last week and a half, waiting for a score;
        Jordan's mathematics waits with them and his English research proposal was sent back."""
        assessment = each.assessments[SCORED_UNITS]
        others = [
            student for student in each.roster if student != self.jordan and student.pk not in self.quiet
        ]
        for student in self.rng.sample(others, min(len(others), self.rng.randint(*WAITING_PER_SECTION))):
            self.piece(
                each,
                student,
                assessment,
                submitted=self.timeline.at(
                    self.timeline.days_ago(self.rng.randint(0, 9)), hour=self.rng.randint(8, 21)
                ),
                status=EvidenceStatus.AWAITING_SCORE,
            )
        jordan, subject = self.jordan, each.section.subject
        if jordan is None or jordan not in each.roster or each.scorer is None:
            return
        if subject == "Mathematics":
            self.piece(
                each,
                jordan,
                assessment,
                submitted=self.timeline.at(self.timeline.days_ago(1), hour=20),
                status=EvidenceStatus.AWAITING_SCORE,
                body="My answers to the three questions, with the graph marked where the rate changes.",
            )
        elif subject == "English Language Arts":
            sent_back = self.timeline.days_ago(4)
            draft = self.piece(
                each,
                jordan,
                assessment,
                submitted=self.timeline.at(sent_back - datetime.timedelta(days=2), hour=21),
                status=EvidenceStatus.REVISION_REQUESTED,
                body="Question: how has social media changed teenagers? Sources: Wikipedia, two blog posts "
                "and a news article.",
            )
            self.comment(
                draft,
                each.scorer,
                "Your question is too broad to answer in four weeks: narrow it to one place, group or "
                "platform, and replace Wikipedia and the blogs with sources whose authors you can check.",
                sent_back,
                revise=True,
            )


# The graduate-profile tasks of the showcase class ----------------------------------------------------------


@dataclass(frozen=True)
class _ProfileTasks:
    town_hall: Assessment
    garden: Assessment
    reflection: Assessment


def _profile_tasks(
    *, district: Organization, showcase: _Class, coursework: _Coursework
) -> _ProfileTasks | None:
    """The showcase class's graduate-profile tasks: talks and garden plans scored, reflections waiting."""
    teacher, rng, timeline, jordan = showcase.scorer, coursework.rng, coursework.timeline, coursework.jordan
    if teacher is None:
        return None
    rubrics = {rubric.title: rubric for rubric in Rubric.objects.filter(owner=district)}
    if any(title not in rubrics for title, *_ in PROFILE_TASKS):
        return None
    tasks = [
        assessment_create(
            context=RequestContext(user=teacher),
            title=title,
            kind=kind,
            instructions=instructions,
            competency_ids=list(rubrics[rubric_title].criteria.values_list("competency_id", flat=True)),
            rubric_id=rubrics[rubric_title].pk,
            due_on=timeline.today + datetime.timedelta(days=14),
        )
        for rubric_title, title, kind, instructions in PROFILE_TASKS
    ]
    coursework.aligned.update(
        {task.pk: sorted(task.competencies.values_list("id", flat=True)) for task in tasks}
    )
    coursework.criteria.update(_criteria(rubrics.values()))
    made = _ProfileTasks(*tasks)
    # The class's talks are marked with the second unit, the garden plans with the third.
    for unit, task in ((1, made.town_hall), (2, made.garden)):
        marked = timeline.marked_on(unit, PROFILE_DAY)
        for student in showcase.roster:
            if student == jordan or rng.random() > 0.8:
                continue
            submitted = timeline.at(marked - datetime.timedelta(days=rng.randint(2, 6)))
            if coursework.gone_quiet(student, submitted):
                continue
            piece = coursework.piece(
                showcase, student, task, submitted=submitted, status=EvidenceStatus.SCORED
            )
            strength = coursework.strength(student, "profile")
            for competency_id in rng.sample(piece.competency_ids, k=min(2, len(piece.competency_ids))):
                coursework.score(
                    showcase,
                    piece,
                    competency_id,
                    coursework.level(strength, unit),
                    unit=unit,
                    marked=marked,
                    rubric_id=task.rubric_id,
                )
    for student in [s for s in showcase.roster if s != jordan and s.pk not in coursework.quiet][:3]:
        coursework.piece(
            showcase,
            student,
            made.reflection,
            submitted=timeline.at(timeline.days_ago(rng.randint(1, 9))),
            status=EvidenceStatus.AWAITING_SCORE,
            body="My reflection on this quarter's goal, with my reading log as evidence.",
        )
    if jordan is not None and jordan in showcase.roster:
        _jordans_scored_profile_work(jordan, teacher, coursework, showcase, made)
    return made


def _jordans_scored_profile_work(
    jordan: Student, teacher: User, coursework: _Coursework, showcase: _Class, tasks: _ProfileTasks
) -> None:
    """Jordan's presentation skills over the autumn (a rehearsal scored three times) and a garden plan with
    feedback."""
    timeline = coursework.timeline
    presentation = coursework.aligned[tasks.town_hall.pk][:2]
    rehearsal = coursework.piece(
        showcase,
        jordan,
        tasks.town_hall,
        submitted=timeline.at(timeline.marked_on(0, PROFILE_DAY) - datetime.timedelta(days=3)),
        status=EvidenceStatus.SCORED,
        title="Rehearsal recording and outline",
        body="My outline and a recording of my practice run in advisory.",
    )
    for unit, values in enumerate(((1.0, 2.0), (2.0, 2.0), (3.0, 3.0))):
        for competency_id, value in zip(presentation, values, strict=False):
            coursework.score(
                showcase,
                rehearsal,
                competency_id,
                value,
                unit=unit,
                marked=timeline.marked_on(unit, PROFILE_DAY),
                rubric_id=tasks.town_hall.rubric_id,
                comment=unit == SCORED_UNITS - 1,
            )
    marked = timeline.marked_on(SCORED_UNITS - 1, PROFILE_DAY)
    plan = coursework.piece(
        showcase,
        jordan,
        tasks.garden,
        submitted=timeline.at(marked - datetime.timedelta(days=4)),
        status=EvidenceStatus.SCORED,
        title="Garden plan",
        body="Our team's plan for four raised beds, with my part: the watering schedule and who waters when.",
    )
    for competency_id in plan.competency_ids[:2]:
        coursework.score(
            showcase, plan, competency_id, 3.0, unit=SCORED_UNITS - 1, marked=marked, rubric_id=None
        )
    coursework.comment(
        plan,
        teacher,
        "Good watering schedule, and you explained how the team decided on it. Next time, show who did what.",
        marked,
    )


def _jordans_live_profile_work(jordan: Student, teacher: User, tasks: _ProfileTasks) -> None:
    """Through the services, today: a talk judged only as feedback (by a teacher without a current
    certification, and by Jordan himself), an observation and a reflection waiting for a score."""
    as_student = RequestContext(user=jordan.user or teacher)
    presentation = tasks.town_hall.competencies.order_by("path").first()
    talk = evidence_submit(
        context=as_student,
        student_id=jordan.pk,
        title="Town hall talk: the Main Street crosswalk",
        body="I argued for a raised crosswalk using the DOT's traffic counts and two interviews with "
        "crossing guards. Slides and sources are linked.",
        links=["https://example.org/crosswalk-slides"],
        assessment_id=tasks.town_hall.pk,
    )
    uncertified = User.objects.filter(username="teacher-uncertified", district_id=jordan.district_id).first()
    if presentation is not None:
        if uncertified is not None:
            score_record(
                context=RequestContext(user=uncertified),
                evidence_id=talk.pk,
                competency_id=presentation.pk,
                value=3,
                comment="Strong opening and clear sources. (Observed from the back of the room.)",
            )
        score_record(
            context=as_student,
            evidence_id=talk.pk,
            competency_id=presentation.pk,
            value=3,
            comment="I think I kept eye contact better than in the rehearsal.",
        )
    teamwork = tasks.garden.competencies.order_by("path").first()
    if teamwork is not None:
        evidence_submit(
            context=RequestContext(user=teacher),
            student_id=jordan.pk,
            title="Led the lab clean-up without prompting",
            body="Organised four classmates and checked the stations against the list.",
            competency_ids=[teamwork.pk],
            observation=True,
        )
    evidence_submit(
        context=as_student,
        student_id=jordan.pk,
        title="Reflection on my reading goal",
        body="I read three of the five books I planned; here is my log and what I will change.",
        assessment_id=tasks.reflection.pk,
    )


# Writing ---------------------------------------------------------------------------------------------------


def _write_evidence(rows: _Rows) -> None:
    """The pieces with their competencies, then the feedback. Ids are given here so that revisions and scores
    can point at pieces written in the same statement; the sequence is then moved past them (as loaddata
    does)."""
    start = (Evidence.objects.aggregate(newest=Max("pk"))["newest"] or 0) + 1
    for offset, piece in enumerate(rows.pieces):
        piece.id = start + offset
    no_links = _json([])
    _insert(
        Evidence,
        (
            "id",
            "district_id",
            "student_id",
            "assessment_id",
            "framework_version_id",
            "kind",
            "title",
            "body",
            "links",
            "status",
            "revision_of_id",
            "version",
            "recorded_by_id",
            "submitted_at",
        ),
        (
            (
                piece.id,
                piece.student.district_id,
                piece.student.pk,
                piece.assessment_id,
                piece.version_id,
                EvidenceKind.SUBMISSION.value,
                piece.title,
                piece.body,
                no_links,
                piece.status,
                piece.revision_of.id if piece.revision_of else None,
                piece.version,
                piece.recorded_by_id,
                _moment(piece.submitted_at),
            )
            for piece in rows.pieces
        ),
    )
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Evidence]):
            cursor.execute(statement)
    _insert(
        Evidence.competencies.through,
        ("evidence_id", "competency_id"),
        ((piece.id, competency_id) for piece in rows.pieces for competency_id in piece.competency_ids),
    )
    _insert(
        Feedback,
        ("district_id", "evidence_id", "author_id", "body", "requests_revision", "created_at"),
        (
            (
                comment.piece.student.district_id,
                comment.piece.id,
                comment.author_id,
                comment.body,
                comment.requests_revision,
                _moment(comment.created_at),
            )
            for comment in rows.comments
        ),
    )


@functools.cache
def _criterion_levels(criterion_id: int | None, value: float) -> Any:
    return _json({str(criterion_id): value} if criterion_id else {})


def _write_scores(judgements: list[_Judgement]) -> None:
    _insert(
        Score,
        (
            "district_id",
            "student_id",
            "evidence_id",
            "competency_id",
            "framework_version_id",
            "value",
            "rubric_id",
            "criterion_levels",
            "comment",
            "source",
            "counts_toward_mastery",
            "certification_id",
            "correction_reason",
            "scored_by_id",
            "scored_at",
        ),
        (
            (
                judgement.piece.student.district_id,
                judgement.piece.student.pk,
                judgement.piece.id,
                judgement.competency_id,
                judgement.piece.version_id,
                judgement.value,
                judgement.rubric_id,
                _criterion_levels(judgement.criterion_id, judgement.value),
                judgement.comment,
                ScoreSource.CERTIFIED_TEACHER.value,
                True,
                judgement.certification_id,
                "",
                judgement.scorer_id,
                _moment(judgement.scored_at),
            )
            for judgement in judgements
        ),
    )


def _score_in_steps(
    *, district: Organization, rows: _Rows, timeline: _Timeline, jordan: Student | None
) -> set[int]:
    """Write the scores unit by unit, refreshing Jordan's levels as each unit is marked (so his history has
    a point per unit), then recompute the district's levels at once and date the other students' changes on
    the day each framework's last unit was marked; returns the frameworks scored. (A recompute per unit
    would give everyone a dated history, at three times the cost.)"""
    scored = {judgement.competency_id for judgements in rows.scores.values() for judgement in judgements}
    competencies = Competency.objects.in_bulk(scored)
    for unit in range(SCORED_UNITS):
        judgements = rows.scores.get(unit, [])
        _write_scores(judgements)
        if jordan is None:
            continue
        marked = {j.competency_id: j.scored_at for j in judgements if j.piece.student.pk == jordan.pk}
        for competency_id, scored_at in sorted(marked.items(), key=lambda item: (item[1], item[0])):
            level_refresh(student=jordan, competency=competencies[competency_id], at=scored_at)
    newest = MasteryLevelChange.objects.aggregate(newest=Max("pk"))["newest"] or 0
    recompute(district=district)
    framework_days = {
        framework_id: SUBJECT_DAY.get(subjects[0] if subjects else "", PROFILE_DAY)
        for framework_id, subjects in Framework.objects.filter(versions__competencies__in=scored)
        .distinct()
        .values_list("id", "subjects")
    }
    for framework_id, day in framework_days.items():
        MasteryLevelChange.objects.filter(
            pk__gt=newest, competency__version__framework_id=framework_id
        ).update(changed_at=timeline.at(timeline.marked_on(SCORED_UNITS - 1, day), hour=16))
    return set(framework_days)


def _practice(
    *,
    district: Organization,
    classes: list[_Class],
    showcase: _Class | None,
    codes: dict[str, Competency],
    coursework: _Coursework,
) -> int:
    """The district's online algebra module: every mathematics student practises one indicator often enough
    for knowledge tracing to fit it; the showcase class also tried a second one, too little to fit."""
    rng, timeline = coursework.rng, coursework.timeline
    skill, thin = codes.get(PRACTICE_CODE), codes.get(THIN_PRACTICE_CODE)
    if skill is None or thin is None:
        return 0
    window = max(timeline.span - 7, 7)
    rows: list[tuple[Any, ...]] = []

    def practise(student: Student, competency: Competency, count: int) -> None:
        known = rng.random() < 0.2 + 0.1 * coursework.strength(student, "Mathematics")
        for step in range(count):
            known = known or rng.random() < 0.12
            day = timeline.start + datetime.timedelta(days=7 + window * (step + 1) // (count + 1))
            rows.append(
                (
                    district.pk,
                    student.pk,
                    competency.pk,
                    rng.random() < (0.88 if known else 0.22),
                    f"algebra-{competency.human_code}-{step + 1}",
                    "Algebra practice online module",
                    _moment(timeline.at(day, hour=rng.randint(8, 21))),
                )
            )

    for each in classes:
        if each.section.subject != "Mathematics":
            continue
        for student in each.roster:
            practise(student, skill, rng.randint(15, 22))
            if each is showcase:
                practise(student, thin, rng.randint(5, 9))
    _insert(
        PracticeAttempt,
        ("district_id", "student_id", "competency_id", "correct", "item", "source", "attempted_at"),
        rows,
    )
    knowledge_refresh(district=district)
    return len(rows)


def load_demo_evidence(
    *, district: Organization, today: datetime.date, year_start: datetime.date
) -> dict[str, int]:
    """The evidence, scores, levels and practice of one demo district; returns counts."""
    state = district.parent
    if state is None:
        return {}
    timeline = _Timeline(today, year_start)
    codes = _codes(state)
    rubrics = {rubric.title: rubric for rubric in Rubric.objects.filter(owner=state)}
    classes = _classes(district, today)
    aligned = _assessments(classes, codes, rubrics, timeline)
    jordan = (
        Student.objects.filter(district=district, user__username="student").select_related("user").first()
    )
    coursework = _Coursework(
        rng=random.Random(f"{SEED}-{district.slug}"),
        timeline=timeline,
        aligned=aligned,
        criteria=_criteria(rubrics.values()),
        jordan=jordan,
        quiet=few_of_each_caseload(QUIET_POSITION),
    )
    for each in classes:
        coursework.work(each)
    mathematics = [c for c in classes if c.section.subject == "Mathematics" and c.scorer is not None]
    showcase = next(
        (c for c in mathematics if jordan is not None and jordan in c.roster),
        next((c for c in mathematics if c.lead.username == SHOWCASE_TEACHERS.get(district.slug)), None),
    )
    tasks = _profile_tasks(district=district, showcase=showcase, coursework=coursework) if showcase else None

    _write_evidence(coursework.rows)
    frameworks = _score_in_steps(district=district, rows=coursework.rows, timeline=timeline, jordan=jordan)
    for scale in ProficiencyScale.objects.filter(frameworks__in=frameworks).distinct():
        scale_mark_in_use(scale=scale)
    if tasks is not None and showcase is not None and showcase.scorer is not None and jordan is not None:
        _jordans_live_profile_work(jordan, showcase.scorer, tasks)
    practice = _practice(
        district=district, classes=classes, showcase=showcase, codes=codes, coursework=coursework
    )
    return {
        "assessments": len(aligned),
        "evidence": Evidence.objects.filter(district=district).count(),
        "scores": Score.objects.filter(district=district).count(),
        "feedback": Feedback.objects.filter(district=district).count(),
        "practice_attempts": practice,
    }


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The evidence, scores, levels and practice of the demo in every district (registered on MasteryConfig
    as its `demo_loader`): scoring belongs to mastery, which sits above evidence."""
    counts: Counter[str] = Counter()
    for district in world.districts:
        counts.update(load_demo_evidence(district=district, today=world.today, year_start=world.year_start))
    return dict(counts)

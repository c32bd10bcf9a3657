"""The progress part of the demo: every status, every kind of alert (a subgroup alert at Riverside High among
them), supports in each state, each kind of conference, an advancement in the middle of the year, readiness
for a state test and the repository.

Everything is computed from the mastery demo's dated levels by the real services; the demo only chooses
settings and writes what people would have done:

- Both districts count their content frameworks toward graduation beside the graduate profile (the default is
  the graduate profile alone, which the demo's first term hardly reaches). Their levels before this school
  year, which the demo does not hold, enter as a count (`StudentTimeline.prior_mastered`) chosen so that, at
  the student's own pace this term, the upper grades spread over every status (`SPREAD`).
- Riverside's subgroup threshold sits just above the median pace of Riverside High's slowest reporting group
  of at least ten students, so the inquiry fires one subgroup alert there and the school's administrators
  get a support plan task.
- `teacher` (certified) advanced one classmate of `student` from Mathematics 10 to Mathematics 11 two weeks
  ago; `student` (Jordan Alvarez) meets every requirement too and is left ready to advance.
- `advisor` held an advisor–family conference with Jordan and his guardian, shared its notes with `guardian`,
  and turned a next step into a success-plan milestone; a student-led conference was held, a teacher–student
  one is scheduled this week.
"""

from __future__ import annotations

import datetime
import math

from django.db.models import Count, Q
from django.utils import timezone

from waypoint.core.audit import RequestContext
from waypoint.core.demo import DemoWorld
from waypoint.core.models import AdvisorAssignment, Organization, Section, SectionEnrollment, Student, User
from waypoint.frameworks.models import Competency, FrameworkKind
from waypoint.mastery.models import MasteryLevel
from waypoint.notifications.models import Notification
from waypoint.profiles.models import GoalDomain
from waypoint.profiles.services import GoalFields, MilestoneSpec, goal_add, plan_acknowledge
from waypoint.progress import services, trajectory
from waypoint.progress.models import (
    Advancement,
    AdvancementRule,
    Alert,
    AlertKind,
    ConferenceKind,
    InquirySettings,
    LargeScaleTest,
    PacingPractice,
    SittingOutcome,
    Status,
    StudentTimeline,
    SupportKind,
    SupportStatus,
    TestingWindow,
)
from waypoint.progress.services import NextStepIn

DEMO_KINDS = [FrameworkKind.GRADUATE_PROFILE.value, FrameworkKind.CONTENT.value]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _context(user: User) -> RequestContext:
    return RequestContext(user=user, path="demo")


def _settings(world: DemoWorld) -> None:
    for district in world.districts:
        InquirySettings.objects.update_or_create(
            district=district, defaults={"requirement_kinds": DEMO_KINDS}
        )


# The status each upper-grade student's earlier levels are chosen to give, in turn, and where that puts the
# projection against the target, in months.
SPREAD = [
    (Status.ON_TRACK, -1.5),
    (Status.AHEAD, -6.0),
    (Status.ON_TRACK, -0.5),
    (Status.AT_RISK, 3.0),
    (Status.OFF_TRACK, 12.0),
    (Status.ON_TRACK, -2.0),
    (Status.AT_RISK, 4.5),
]


def _timelines(world: DemoWorld) -> int:
    """Levels from before this school year, which the demo does not hold, as a count: chosen so the student's
    projection at today's pace lands where `SPREAD` says in turn (Jordan, `student`, on track)."""
    rows = []
    jordan_id = Student.objects.filter(user__username="student").values_list("pk", flat=True).first()
    for district in world.districts:
        computed = services.progress_compute(district_id=district.pk, on=world.today)
        earlier = [
            row for row in computed if row.started_on is not None and row.started_on < world.year_start
        ]
        for index, row in enumerate(earlier):
            _status, offset = SPREAD[0] if row.student_id == jordan_id else SPREAD[index % len(SPREAD)]
            if row.target_on is None or row.pace <= 0:
                continue
            months_left = trajectory.months_between(world.today, row.target_on) + offset
            prior = row.required - row.mastered - math.floor(row.pace * months_left)
            rows.append(
                StudentTimeline(
                    student_id=row.student_id,
                    district=district,
                    prior_mastered=max(0, min(prior, row.required - 3)),
                    prior_as_of=world.year_start,
                )
            )
    StudentTimeline.objects.bulk_create(rows, batch_size=1000)
    for district in world.districts:
        services.progress_refresh(district_id=district.pk, on=world.today)
    return len(rows)


def _subgroup_threshold(world: DemoWorld) -> None:
    """Set Riverside's threshold just above Riverside High's slowest qualifying group (see the docstring)."""
    riverside = world.district("riverside")
    settings = InquirySettings.for_district(riverside.pk)
    high = Organization.objects.get(slug="riverside-high")
    groups = services.subgroup_paces(
        district_id=riverside.pk, on=world.today, min_cell_size=settings.min_cell_size
    )
    medians = sorted(row.median for row in groups if row.school_id == high.pk)
    if medians:
        settings.subgroup_min_pace = round(medians[0] + 0.05, 2)
        settings.save()


def _advancement(world: DemoWorld) -> int:
    """Riverside's Mathematics 10 requires three of the mathematics competencies Jordan has mastered; a
    classmate was advanced two weeks ago."""
    riverside = world.district("riverside")
    teacher = _user("teacher")
    jordan = Student.objects.get(user__username="student")
    mastered = list(
        MasteryLevel.objects.filter(
            student=jordan,
            meets_mastery=True,
            rolled_up=False,
            competency__version__framework__kind=FrameworkKind.CONTENT,
            competency__version__framework__subjects__icontains="Math",
        ).order_by("competency__path")[:3]
    )
    if not mastered:
        mastered = list(
            MasteryLevel.objects.filter(student=jordan, meets_mastery=True, rolled_up=False).order_by(
                "competency__path"
            )[:3]
        )
    if not mastered:
        return 0
    district_admin = _context(_user("district-admin"))
    services.advancement_rule_save(
        context=district_admin,
        district=riverside,
        course_code="MATH-10",
        next_course_code="MATH-11",
        title="Mathematics 10 to Mathematics 11",
        requirements=[(Competency.objects.get(pk=level.competency_id), None) for level in mastered],
    )
    section = Section.objects.filter(
        course_code="MATH-10", teacher_assignments__teacher=teacher, roster__student=jordan
    ).first()
    target = (
        # The Mathematics 11 section with the most room takes him.
        Section.objects.filter(course_code="MATH-11", school=section.school)
        .annotate(current=Count("roster", filter=Q(roster__ends_on__isnull=True)))
        .order_by("current", "title")
        .first()
        if section
        else None
    )
    if section is None or target is None:
        return 0
    rule = AdvancementRule.objects.get(district=riverside, course_code="MATH-10")
    classmates = list(
        SectionEnrollment.objects.filter(section=section, ends_on__isnull=True)
        .exclude(student=jordan)
        .select_related("student")
        .order_by("student_id")
    )
    if not classmates:
        return 0
    # The first classmate who meets every requirement; without one, the first, advanced with a reason.
    classmate = next(
        (
            c
            for c in classmates
            if all(check.met for check in services.requirement_checks(rule, c.student_id))
        ),
        classmates[0],
    )
    checks = services.requirement_checks(rule, classmate.student_id)
    services.advancement_record(
        context=_context(teacher),
        student=classmate.student,
        to_section=target,
        advanced_on=world.today - datetime.timedelta(days=14),
        override_reason=""
        if all(check.met for check in checks)
        else "Showed every Mathematics 10 competency in a placement task the levels do not count yet.",
    )
    return Advancement.objects.count()


def _tests(world: DemoWorld) -> int:
    """A state test covering the Mathematics 10 requirements: two of Jordan's classmates ready for the spring
    window, one who sat it in the autumn window."""
    rule = AdvancementRule.objects.filter(course_code="MATH-10").prefetch_related("requirements").first()
    if rule is None:
        return 0
    test = LargeScaleTest.objects.create(owner=world.state, code="ct-sat", title="Connecticut SAT School Day")
    test.competencies.set([r.competency_id for r in rule.requirements.all()])
    riverside = world.district("riverside")
    year = world.year_start.year
    autumn = TestingWindow.objects.create(
        test=test,
        district=riverside,
        title=f"Autumn {year}",
        starts_on=world.year_start + datetime.timedelta(days=35),
        ends_on=world.today + datetime.timedelta(days=10),
    )
    spring = TestingWindow.objects.create(
        test=test,
        district=riverside,
        title=f"Spring {year + 1}",
        starts_on=datetime.date(year + 1, 3, 1),
        ends_on=datetime.date(year + 1, 4, 30),
    )
    teacher_user = _user("teacher")
    teacher = _context(teacher_user)
    jordan = Student.objects.get(user__username="student")
    classmates = list(
        Student.objects.filter(
            section_enrollments__section__course_code="MATH-10",
            section_enrollments__section__teacher_assignments__teacher=teacher_user,
            section_enrollments__ends_on__isnull=True,
        )
        .exclude(pk=jordan.pk)
        .order_by("pk")
        .distinct()[:3]
    )
    marked = [
        services.readiness_mark(context=teacher, student=student, test=test, window=window)
        for student, window in zip(classmates, [autumn, spring, spring], strict=False)
    ]
    if marked:
        services.sitting_record(
            context=_context(_user("school-admin")),
            readiness=marked[0],
            sat_on=world.today,
            outcome=SittingOutcome.MET,
            score="1140",
        )
    return len(marked)


def _caseload(advisor: User, today: datetime.date) -> list[Student]:
    ids = AdvisorAssignment.objects.filter(advisor=advisor, ends_on__isnull=True).values("student_id")
    return list(Student.objects.filter(pk__in=ids).select_related("progress").order_by("pk"))


def _overdue_milestone(world: DemoWorld, advisor: User, caseload: list[Student]) -> None:
    """A milestone three weeks overdue, so the milestone rule fires."""
    student = next((s for s in caseload if s.user_id is None), None)
    if student is None:
        return
    goal_add(
        context=_context(advisor),
        student=student,
        fields=GoalFields(
            domain=GoalDomain.ACADEMIC,
            statement="Finish the lab reports missing from the first unit of science.",
            milestones=[
                MilestoneSpec(
                    "Hand in the two missing lab reports",
                    target_date=world.today - datetime.timedelta(days=21),
                )
            ],
        ),
    )


def _supports(world: DemoWorld, advisor: User, caseload: list[Student]) -> int:
    """Supports in each state on the advisor's students, opened from their alerts where they have one; one
    follow-up finds its condition cleared (a student now on track), one not (an alert still open)."""
    context = _context(advisor)
    today = world.today
    alerts = {
        alert.student_id: alert
        for alert in Alert.objects.filter(student__in=caseload, closed_at__isnull=True).order_by("kind", "pk")
    }
    others = [s for s in caseload if s.user_id is None]
    with_alerts = [s for s in others if s.pk in alerts]
    settled = [
        s for s in others if s.pk not in alerts and s.progress.status in (Status.AHEAD, Status.ON_TRACK)
    ]
    rest = [s for s in others if s not in with_alerts and s not in settled]
    plans = [
        (SupportKind.TUTORING, -21, 7, SupportStatus.ACTIVE),
        (SupportKind.EXTENDED_TIME, -60, -10, SupportStatus.COMPLETED),
        (SupportKind.MENTOR, 5, 35, SupportStatus.PLANNED),
        (SupportKind.SCHEDULE_CHANGE, -30, 14, SupportStatus.CANCELLED),
        (SupportKind.REFERRAL, -14, 2, SupportStatus.ACTIVE),
    ]
    count = 0
    for student, (kind, start, follow, state) in zip([*with_alerts, *rest], plans, strict=False):
        support = services.support_open(
            context=context,
            student=student,
            kind=kind,
            owner=advisor,
            starts_on=today + datetime.timedelta(days=start),
            follow_up_on=today + datetime.timedelta(days=follow),
            description=f"{SupportKind(kind).label}, agreed with the student.",
            alert=alerts.get(student.pk),
        )
        if state in (SupportStatus.COMPLETED, SupportStatus.CANCELLED):
            services.support_update(context=context, support=support, status=state)
        if follow < 0:
            services.support_follow_up(
                context=context, support=support, note="Checked at the end of the support."
            )
        count += 1
    if settled:
        support = services.support_open(
            context=context,
            student=settled[0],
            kind=SupportKind.OTHER,
            owner=advisor,
            starts_on=today - datetime.timedelta(days=40),
            follow_up_on=today - datetime.timedelta(days=5),
            description="Weekly check-in on the new schedule.",
        )
        services.support_follow_up(context=context, support=support, note="Back on pace.")
        count += 1
    return count


def _conferences(world: DemoWorld, advisor: User, caseload: list[Student]) -> int:
    jordan = Student.objects.get(user__username="student")
    guardian = _user("guardian")
    context = _context(advisor)
    now = timezone.now()
    held = services.conference_schedule(
        context=context,
        student=jordan,
        kind=ConferenceKind.ADVISOR_FAMILY,
        scheduled_for=now - datetime.timedelta(days=9),
        attendees=[guardian, *([jordan.user] if jordan.user else [])],
    )
    services.conference_record(
        context=context,
        conference=held,
        held_on=world.today - datetime.timedelta(days=9),
        notes=(
            "Jordan is moving well in mathematics and is ready for Mathematics 11. Writing is slower: two "
            "argument essays are still below proficient. We agreed on a weekly writing conference and a "
            "check-in before winter break."
        ),
        attended=[advisor, guardian, *([jordan.user] if jordan.user else [])],
        next_steps=[
            NextStepIn(
                text="Revise the second argument essay with the writing center",
                due=world.today + datetime.timedelta(days=21),
            )
        ],
    )
    services.conference_notes_share(context=context, conference=held, guardians=[guardian])
    # The guardian agreed the next step at the conference, so she acknowledges the plan it revised: the
    # demo's guardian has no stale plan waiting for her.
    plan_acknowledge(context=_context(guardian), student=jordan)
    count = 1
    others = [s for s in caseload if s.user_id is None]
    if others:
        led = services.conference_schedule(
            context=context,
            student=others[0],
            kind=ConferenceKind.STUDENT_LED,
            scheduled_for=now - datetime.timedelta(days=20),
        )
        services.conference_record(
            context=context,
            conference=led,
            held_on=world.today - datetime.timedelta(days=20),
            notes="The student walked through the portfolio and chose two competencies to push this month.",
            attended=[advisor],
        )
        count += 1
    off_track = [s for s in others if getattr(s, "progress", None) and s.progress.status == Status.OFF_TRACK]
    if off_track:
        services.conference_schedule(
            context=context,
            student=off_track[0],
            kind=ConferenceKind.ADVISOR_FAMILY,
            scheduled_for=now + datetime.timedelta(days=2),
        )
        count += 1
    teacher = _user("teacher")
    services.conference_schedule(
        context=_context(teacher),
        student=jordan,
        kind=ConferenceKind.TEACHER_STUDENT,
        scheduled_for=now + datetime.timedelta(days=3),
    )
    return count + 1


def _repository(world: DemoWorld) -> int:
    """Riverside publishes its four-year exemplar when enough students share it, and a practice with it;
    it copies Hillcrest's practice as a template."""
    riverside, hillcrest = world.district("riverside"), world.district("hillcrest")
    admin = _context(_user("district-admin"))
    exemplars = []
    settings = InquirySettings.for_district(riverside.pk)
    points, _ = services.exemplar_points(
        district_id=riverside.pk, target_years=4, min_students=settings.exemplar_min_students
    )
    if points:
        exemplars.append(
            services.exemplar_publish(
                context=admin, district=riverside, target_years=4, title="Four years, on pace from the start"
            )
        )
    services.practice_save(
        context=admin,
        district=riverside,
        title="Flex blocks: a daily hour to catch up or move ahead",
        write_up=(
            "Every day ends with an hour in which each student works on the competency they are closest to "
            "mastering, with the teacher of that subject. Students who are ready take the assessment then."
        ),
        for_struggling=(
            "Students who were behind used the hour for small-group reteaching; most closed one competency a "
            "month more than before."
        ),
        exemplars=exemplars,
    )
    # Hillcrest has no district administrator in the demo: its practice is written as data, and Riverside
    # copies it as a template.
    hillcrest_practice = PacingPractice.objects.create(
        district=hillcrest,
        title="Ready when ready: assessment windows every two weeks",
        write_up="Each course opens an assessment window every other Friday instead of one unit test date.",
        for_struggling="Students who needed more time took the next window instead of a failing grade.",
        published=True,
    )
    services.practice_copy(context=admin, practice=hillcrest_practice, district=riverside)
    return len(exemplars)


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The progress part of the demo (registered on ProgressConfig as its `demo_loader`)."""
    _settings(world)
    timelines = _timelines(world)
    _subgroup_threshold(world)
    advancements = _advancement(world)
    tests = _tests(world)
    advisor = _user("advisor")
    caseload = _caseload(advisor, world.today)
    _overdue_milestone(world, advisor, caseload)
    # Progress is fresh from `_timelines` (nothing since changes a level): the rules run on it.
    for district in world.districts:
        services.inquiry_run(district_id=district.pk, on=world.today)
    caseload = _caseload(advisor, world.today)
    supports = _supports(world, advisor, caseload)
    conferences = _conferences(world, advisor, caseload)
    exemplars = _repository(world)
    # As the notifications demo does: what the demo's services notified counts as already e-mailed, so
    # loading the demo sends no mail and the first digest holds only what happens after it.
    Notification.objects.filter(kind__startswith="progress.", emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    return {
        "student_timelines": timelines,
        "advancements": advancements,
        "test_readiness": tests,
        "alerts": Alert.objects.count(),
        "subgroup_alerts": Alert.objects.filter(kind=AlertKind.SUBGROUP_PACE).count(),
        "supports": supports,
        "conferences": conferences,
        "exemplars": exemplars,
    }

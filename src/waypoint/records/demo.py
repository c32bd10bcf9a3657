"""The records part of the demo (registered on RecordsConfig as its `demo_loader`; it runs before progress,
whose pace reads the rule sets).

Everything is written by the real services, as the people named would have done it:

- Each district puts a mastery-based diploma in force for its seniors, with drafts for the classes after
  them: every competency of the Communication domain of its graduate profile at mastery, 4 of the 6
  graduate-profile domains at mastery, right-triangle trigonometry and geometric modelling (MATH.GEO.3) at
  mastery, and a Senior Demonstration Project, each with its credit equivalence.
- Three seniors of `teacher`'s Mathematics 12 at Riverside High lead a Senior Demonstration Project before a
  panel (`teacher`, a guardian, a community expert) on the graduate profile's Communication, Critical
  thinking, Collaboration and Self-direction:
  - the graduate (account `graduate`) held it, `teacher` (certified) set the levels, the expert's judgement
    is feedback; `teacher` scored the trigonometry task; `district-admin` awarded the diploma, issued the
    transcript and the CLR credential; the graduate shares a portfolio collection by a public link;
  - the senior (account `senior`) held it too, and is one competency short: the trigonometry task is handed
    in and waits in `teacher`'s inbox (the records journey scores it);
  - a third senior's project is scheduled for next month.
  The two accounts have no password (only the fixed accounts sign in); a test sets one when it needs to.
- Transfers, one each way. Hillcrest's district administrator (`hillcrest-admin`, no password) asked for the
  record of a Riverside student who enrolled at Hillcrest High, and `district-admin` released it with the
  scored evidence; `district-admin` asked Hillcrest for the record of a Hillcrest student who enrolled at
  Riverside Early College Academy, and the request waits.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.forms.models import model_to_dict
from django.utils import timezone

from waypoint.core.audit import RequestContext
from waypoint.core.demo import DemoWorld, few_of_each_caseload
from waypoint.core.models import (
    AdvisorAssignment,
    AuditAction,
    AuditEvent,
    GuardianLink,
    Organization,
    Role,
    RoleAssignment,
    Section,
    Student,
    StudentDemographics,
    StudentEnrollment,
    User,
)
from waypoint.evidence.models import AssessmentKind, Evidence, Score
from waypoint.evidence.services import assessment_create, evidence_submit
from waypoint.frameworks.models import Competency, Framework, FrameworkKind, VersionStatus
from waypoint.mastery.demo import QUIET_POSITION
from waypoint.mastery.services import score_record
from waypoint.notifications.models import Notification
from waypoint.profiles.models import LearnerProfile
from waypoint.records.models import (
    Exhibition,
    ExhibitionKind,
    ExhibitionOutcome,
    ExperienceKind,
    IssuedCredential,
    PortfolioLink,
    RequirementKind,
)
from waypoint.records.services.credentials import credentials_issue
from waypoint.records.services.exhibitions import (
    ExhibitionPlan,
    Expert,
    PanelScore,
    exhibition_record_outcome,
    exhibition_schedule,
    exhibition_score,
)
from waypoint.records.services.graduation import RequirementSpec, diploma_award, rule_set_save
from waypoint.records.services.portfolio import Sharing, collection_create, items_add, link_create
from waypoint.records.services.transcripts import transcript_issue
from waypoint.records.services.transfers import transfer_release, transfer_request

# The graduate-profile domains the Senior Demonstration Project shows (4 of the 6 the rules count).
PROJECT_DOMAINS = ("GP.COM", "GP.CTP", "GP.COL", "GP.SD")
# The content competency the rules name, and the task in `teacher`'s Mathematics 12 that shows it.
TRIGONOMETRY = "MATH.GEO.3"
TRIGONOMETRY_TASK = "Ramp design: trigonometry in a real build"
PROFICIENT = 3.0
PUBLIC_LINK_DAYS = 90
HILLCREST_ADMIN = "hillcrest-admin"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _context(user: User) -> RequestContext:
    return RequestContext(user=user, path="demo")


def _published(
    codes: list[str], owner: Organization | None, kind: str | None = None
) -> dict[str, Competency]:
    """Competencies by code from the published versions of the frameworks of an owner (or of a kind)."""
    rows = Competency.objects.filter(human_code__in=codes, version__status=VersionStatus.PUBLISHED)
    if owner is not None:
        rows = rows.filter(version__framework__owner=owner)
    if kind is not None:
        rows = rows.filter(version__framework__kind=kind)
    return {c.human_code: c for c in rows.select_related("version__framework").order_by("version__number")}


def _profile(district: Organization) -> Framework | None:
    return Framework.objects.filter(owner=district, kind=FrameworkKind.GRADUATE_PROFILE).first()


# People the records part needs ------------------------------------------------------------------------------


def _hillcrest_admin(world: DemoWorld) -> User:
    hillcrest = world.district("hillcrest")
    admin = User.objects.create(
        username=HILLCREST_ADMIN,
        first_name="Alicia",
        last_name="Moreno",
        district=hillcrest,
        email=f"{HILLCREST_ADMIN}@demo.waypoint.invalid",
        password=make_password(None),
    )
    RoleAssignment.objects.create(
        user=admin,
        role=Role.DISTRICT_ADMIN,
        organization=hillcrest,
        district=hillcrest,
        title="Director of Student Services",
        starts_on=world.year_start,
    )
    return admin


def _account(student: Student, username: str) -> User:
    """A sign-in for a student (no password: only the fixed demo accounts sign in)."""
    user = User.objects.create(
        username=username,
        first_name=student.first_name,
        last_name=student.last_name,
        district=student.district,
        email=f"{username}@demo.waypoint.invalid",
        password=make_password(None),
    )
    student.user = user
    student.save(update_fields=["user"])
    return user


def enrol_in(source: Student, school: Organization, advisor: User, on: datetime.date) -> Student:
    """The record a district's enrolment (as a roster import writes it) makes for a student who arrives while
    still enrolled in another district: same names and birth date, no state id yet (the state id stays with
    the record that holds it until a transfer), an enrolment, an advisor, an empty learner profile and the
    subgroup data."""
    district = school.parent
    if district is None:
        raise ValueError(f"{school} belongs to no district")
    grade = (
        StudentEnrollment.objects.filter(student=source, exit_date__isnull=True)
        .values_list("grade_level", flat=True)
        .first()
    )
    student = Student.objects.create(
        district=district,
        sourced_id=f"{district.slug}-arrived-{source.sourced_id}",
        first_name=source.first_name,
        last_name=source.last_name,
        birth_date=source.birth_date,
        cohort_year=source.cohort_year,
    )
    StudentEnrollment.objects.create(
        student=student, district=district, school=school, grade_level=grade or 9, entry_date=on
    )
    AdvisorAssignment.objects.create(advisor=advisor, student=student, district=district, starts_on=on)
    # An empty learner profile, which the student fills in at the new school.
    LearnerProfile.objects.create(student=student, district=district)
    facts = StudentDemographics.objects.filter(student=source).first()
    if facts is not None:
        copied = model_to_dict(facts, exclude=["id", "student", "district"])
        StudentDemographics.objects.create(student=student, district=district, **copied)
    AuditEvent.objects.create(
        action=AuditAction.CREATE,
        object_type="student",
        object_id=str(student.pk),
        student=student,
        district=district,
        reason="Enrolled from the roster",
    )
    return student


# Graduation rules -------------------------------------------------------------------------------------------


def _rule_sets(world: DemoWorld, admins: dict[str, User]) -> int:
    """The same mastery-based diploma for every high-school cohort of each district: in force for the
    seniors, a draft for the classes after them."""
    saved = 0
    cohorts = [world.year_start.year + 9 - grade for grade in range(9, 13)]
    for district in world.districts:
        profile = _profile(district)
        if profile is None:
            continue
        found = _published(["GP.COM"], district, FrameworkKind.GRADUATE_PROFILE)
        trigonometry = _published([TRIGONOMETRY], None, FrameworkKind.CONTENT).get(TRIGONOMETRY)
        requirements = [
            RequirementSpec(
                kind=RequirementKind.DOMAIN,
                label="Communication: every competency at Proficient",
                competency_id=found["GP.COM"].pk,
                credits=Decimal("4"),
            ),
            RequirementSpec(
                kind=RequirementKind.COUNT,
                label="Proficient in 4 of the 6 graduate-profile domains",
                framework_id=profile.pk,
                count=4,
                credits=Decimal("12"),
            ),
            *(
                [
                    RequirementSpec(
                        kind=RequirementKind.COMPETENCY,
                        label="Mathematics: right-triangle trigonometry and geometric modeling",
                        competency_id=trigonometry.pk,
                        credits=Decimal("2"),
                    )
                ]
                if trigonometry is not None
                else []
            ),
            RequirementSpec(
                kind=RequirementKind.EXPERIENCE,
                label="Senior Demonstration Project",
                experience=ExperienceKind.SENIOR_PROJECT,
                credits=Decimal("2"),
            ),
        ]
        context = _context(admins[district.slug])
        for cohort in cohorts:
            rule_set_save(
                context=context,
                district=district,
                cohort_year=cohort,
                title=f"Mastery-based diploma, class of {cohort + 4}",
                description="Graduate-profile mastery, mathematics and a Senior Demonstration Project.",
                requirements=requirements,
                # The diploma is phased in from this year's seniors: the classes after them have drafts
                # under review, and their pace counts what the inquiry settings name until then.
                publish=cohort == cohorts[-1],
            )
            saved += 1
    return saved


# Seniors: the Senior Demonstration Project, the trigonometry task, the diploma ------------------------------


def _seniors(teacher: User) -> list[Student]:
    """The Riverside High seniors of `teacher`'s Mathematics 12, by id."""
    section = (
        Section.objects.filter(course_code="MATH-12", school__slug="riverside-high", teachers=teacher)
        .order_by("pk")
        .first()
    )
    if section is None:
        return []
    # Not the students the mastery demo left quiet for their advisors to notice.
    return list(
        Student.objects.filter(
            section_enrollments__section=section, section_enrollments__ends_on__isnull=True
        )
        .exclude(pk__in=few_of_each_caseload(QUIET_POSITION))
        .order_by("pk")
        .distinct()[:3]
    )


def _guardians(student: Student) -> list[int]:
    return list(GuardianLink.objects.filter(student=student).values_list("guardian_id", flat=True)[:1])


def _project(
    world: DemoWorld, teacher: User, student: Student, leaves: list[Competency], *, held: bool
) -> Exhibition:
    """The student's Senior Demonstration Project before a panel; when held, the certified teacher's scores
    set the levels, the community expert's judgement is feedback, and it is recorded as demonstrated."""
    context = _context(teacher)
    when = timezone.now() + (datetime.timedelta(days=-6) if held else datetime.timedelta(days=30))
    exhibition = exhibition_schedule(
        context=context,
        student=student,
        plan=ExhibitionPlan(
            kind=ExhibitionKind.SENIOR_PROJECT,
            title="Senior Demonstration Project: a safer crossing on Main Street",
            summary=(
                "A year-long project: traffic counts, interviews with neighbours, a ramp and crossing "
                "design, and a proposal presented to the town council."
            ),
            scheduled_at=when,
            location="Riverside High School library",
            competency_ids=[c.pk for c in leaves],
            staff_ids=[teacher.pk],
            guardian_ids=_guardians(student),
            experts=[Expert(name="Gwen Torres", affiliation="Riverside Department of Public Works")],
        ),
    )
    if not held:
        return exhibition
    exhibition_score(
        context=context,
        exhibition=exhibition,
        scores=[PanelScore(competency_id=c.pk, value=PROFICIENT) for c in leaves],
        comment="Clear, well-evidenced and responsive to every question from the panel.",
    )
    expert = exhibition.panel.filter(user__isnull=True).first()
    if expert is not None:
        exhibition_score(
            context=context,
            exhibition=exhibition,
            scores=[PanelScore(competency_id=leaves[0].pk, value=PROFICIENT + 1)],
            comment="The crossing design would pass our own review.",
            member_id=expert.pk,
        )
    return exhibition_record_outcome(
        context=context,
        exhibition=exhibition,
        held_on=world.today - datetime.timedelta(days=6),
        outcome=ExhibitionOutcome.PASSED,
        notes="Demonstrated every graduate-profile competency shown.",
    )


def _profile_leaves(district: Organization) -> list[Competency]:
    """The indicators the project shows, in the profile's published version: every one of Communication (the
    rules ask for the whole domain) and the first of each other project domain (enough for its level)."""
    domains = _published(list(PROJECT_DOMAINS), district, FrameworkKind.GRADUATE_PROFILE)
    leaves: list[Competency] = []
    for code in PROJECT_DOMAINS:
        domain = domains.get(code)
        if domain is None:
            continue
        under = Competency.objects.filter(version=domain.version, path__startswith=domain.path + ".")
        with_children = set(under.exclude(parent__isnull=True).values_list("parent_id", flat=True))
        found = [c for c in under.order_by("path") if c.pk not in with_children]
        leaves += found if code == PROJECT_DOMAINS[0] else found[:1]
    return leaves


def _trigonometry_task(teacher: User, students: list[Student]) -> dict[int, Evidence]:
    """The task in `teacher`'s Mathematics 12 on the trigonometry competency, handed in by each student."""
    trigonometry = _published([TRIGONOMETRY], None, FrameworkKind.CONTENT).get(TRIGONOMETRY)
    section = (
        Section.objects.filter(course_code="MATH-12", school__slug="riverside-high", teachers=teacher)
        .order_by("pk")
        .first()
    )
    if trigonometry is None or section is None:
        return {}
    assessment = assessment_create(
        context=_context(teacher),
        title=TRIGONOMETRY_TASK,
        kind=AssessmentKind.PERFORMANCE_TASK,
        competency_ids=[trigonometry.pk],
        instructions="Design a wheelchair ramp for the library entrance: angles, lengths, a scale drawing.",
        section_id=section.pk,
    )
    handed_in = {}
    for student in students:
        assert student.user is not None  # noqa: S101 - the accounts were made just before
        handed_in[student.pk] = evidence_submit(
            context=_context(student.user),
            student_id=student.pk,
            title="My ramp design",
            body="The ramp rises 0.75 m at 4.8 degrees: 9 m long with a landing halfway. Drawing attached.",
            assessment_id=assessment.pk,
        )
    return handed_in


def _graduate(world: DemoWorld, graduate: Student, evidence: Evidence, admin: User) -> dict[str, int]:
    """The graduate's portfolio shown on the transcript and by a public link; the diploma, the transcript
    and the CLR credential."""
    assert graduate.user is not None  # noqa: S101 - the account was made just before
    own = _context(graduate.user)
    collection = collection_create(
        context=own,
        student=graduate,
        title="Building for everyone",
        reflection="Work that shows how I plan, test and explain a design for the people who will use it.",
        sharing=Sharing(teachers=True, guardians=True, panel=True, transcript=True),
    )
    project = Exhibition.objects.filter(student=graduate).values_list("evidence_id", flat=True).first()
    items_add(
        context=own,
        collection=collection,
        evidence_ids=[evidence.pk, *([project] if project else [])],
        reflection="The ramp taught me to check every measurement against the code before drawing.",
    )
    link_create(
        context=own,
        collection=collection,
        expires_on=world.today + datetime.timedelta(days=PUBLIC_LINK_DAYS),
    )
    context = _context(admin)
    diploma_award(context=context, student=graduate, awarded_on=timezone.localdate())
    transcript_issue(context=context, student=graduate)
    credentials_issue(context=context, student=graduate)
    return {"diplomas": 1, "transcripts_issued": 1}


def _seniors_and_graduate(world: DemoWorld, admin: User) -> dict[str, int]:
    teacher = _user("teacher")
    seniors = _seniors(teacher)
    if len(seniors) < 3:
        return {}
    graduate, senior, scheduled = seniors
    _account(graduate, "graduate")
    _account(senior, "senior")
    leaves = _profile_leaves(graduate.district)
    for student in (graduate, senior):
        _project(world, teacher, student, leaves, held=True)
    _project(world, teacher, scheduled, leaves, held=False)
    handed_in = _trigonometry_task(teacher, [graduate, senior])
    if graduate.pk not in handed_in:
        return {}
    trigonometry = handed_in[graduate.pk].competencies.get()
    score_record(
        context=_context(teacher),
        evidence_id=handed_in[graduate.pk].pk,
        competency_id=trigonometry.pk,
        value=PROFICIENT,
        comment="Every angle and length checks out; the drawing is to scale.",
    )
    return _graduate(world, graduate, handed_in[graduate.pk], admin)


# Transfers --------------------------------------------------------------------------------------------------


def _first_student(school_slug: str, grade: int) -> Student | None:
    return (
        Student.objects.filter(
            user__isnull=True,
            state_student_id__isnull=False,
            enrollments__school__slug=school_slug,
            enrollments__grade_level=grade,
            enrollments__exit_date__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def _advisor_at(school_slug: str) -> User | None:
    return (
        User.objects.filter(
            role_assignments__role=Role.ADVISOR, role_assignments__organization__slug=school_slug
        )
        .order_by("username")
        .first()
    )


def _transfers(world: DemoWorld, admins: dict[str, User]) -> int:
    """One transfer each way: Riverside released a record to Hillcrest; Hillcrest has yet to answer."""
    arrived_on = world.today - datetime.timedelta(days=10)
    count = 0
    schools = {org.slug: org for org in Organization.objects.filter(kind=Organization.Kind.SCHOOL)}
    for source_school, grade, target_school, requester, releaser in (
        ("riverside-early-college", 11, "hillcrest-high", "hillcrest", "riverside"),
        ("hillcrest-high", 10, "riverside-early-college", "riverside", None),
    ):
        source = _first_student(source_school, grade)
        advisor = _advisor_at(target_school)
        if source is None or advisor is None or target_school not in schools:
            continue
        arrived = enrol_in(source, schools[target_school], advisor, arrived_on)
        transfer = transfer_request(
            context=_context(admins[requester]),
            student=arrived,
            state_student_id=source.state_student_id or "",
        )
        count += 1
        if releaser is not None:
            scored = (
                Score.objects.counted()
                .filter(student=source)
                .order_by("evidence_id")
                .values_list("evidence_id", flat=True)
                .distinct()[:2]
            )
            transfer_release(context=_context(admins[releaser]), transfer=transfer, evidence_ids=list(scored))
            # The administrator who released the record read the request that asked for it.
            Notification.objects.filter(
                kind="records.transfer_requested", recipient=admins[releaser], student=source
            ).update(read_at=timezone.now())
    return count


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The records part of the demo (registered on RecordsConfig as its `demo_loader`)."""
    since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    admins = {"riverside": _user("district-admin"), "hillcrest": _hillcrest_admin(world)}
    rule_sets = _rule_sets(world, admins)
    counts = _seniors_and_graduate(world, admins["riverside"])
    transfers = _transfers(world, admins)
    # As the other demos do: what the demo's services notified counts as already e-mailed, so loading the
    # demo sends no mail and the first digest holds only what happens after it.
    Notification.objects.filter(pk__gt=since, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return {
        "graduation_rule_sets": rule_sets,
        "diplomas": counts.get("diplomas", 0),
        "transcripts_issued": counts.get("transcripts_issued", 0),
        "credentials_issued": IssuedCredential.objects.filter(part_of__isnull=True).count(),
        "exhibitions": Exhibition.objects.count(),
        "public_links": PortfolioLink.objects.count(),
        "transfers": transfers,
    }

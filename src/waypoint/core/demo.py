"""The demo state: two districts, five schools, grades 6-12, with sections, teachers, advisors and guardians.

Deterministic (a fixed seed; dates follow the current school year) and idempotent: loading it again when it
is present changes nothing. The fixed accounts below exist only once it is loaded, all with DEMO_PASSWORD.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from waypoint.core.models import (
    AdvisorAssignment,
    AuditAction,
    AuditEvent,
    Gender,
    GuardianLink,
    Organization,
    Role,
    RoleAssignment,
    Section,
    SectionEnrollment,
    SectionTeacher,
    Student,
    StudentDemographics,
    StudentEnrollment,
    TeacherCertification,
    User,
)

DEMO_PASSWORD = "waypoint-demo"  # noqa: S105  (published on purpose: the demo's shared password)
DEMO_STATE_SOURCED_ID = "demo-state-ct"
SEED = 20261125
SUBJECTS = ["Mathematics", "English Language Arts", "Science", "Social Studies"]
SECTION_SIZE = 25
TEACHERS_PER_SUBJECT = 2
ADVISORS_PER_SCHOOL = 2
# The section with no teacher yet (data to fix): how many students it holds, and how long ago it started.
TEACHERLESS_ROSTER = 12
TEACHERLESS_DAYS = 5

FIXED_ACCOUNTS = [
    "student",
    "guardian",
    "teacher",
    "teacher-uncertified",
    "advisor",
    "school-admin",
    "district-admin",
    "state-analyst",
    "other-teacher",
    "mentor",
]


@dataclass(frozen=True)
class SchoolPlan:
    slug: str
    name: str
    grades: range
    students_per_grade: int


@dataclass(frozen=True)
class DistrictPlan:
    slug: str
    name: str
    schools: list[SchoolPlan]


DISTRICTS = [
    DistrictPlan(
        "riverside",
        "Riverside Public Schools",
        [
            SchoolPlan("riverside-middle", "Riverside Middle School", range(6, 9), 50),
            SchoolPlan("riverside-high", "Riverside High School", range(9, 13), 50),
            SchoolPlan("riverside-early-college", "Riverside Early College Academy", range(9, 13), 20),
        ],
    ),
    DistrictPlan(
        "hillcrest",
        "Hillcrest Regional School District",
        [
            SchoolPlan("hillcrest-middle", "Hillcrest Middle School", range(6, 9), 35),
            SchoolPlan("hillcrest-high", "Hillcrest High School", range(9, 13), 35),
        ],
    ),
]

FIRST_NAMES = [
    "Aaliyah",
    "Aarav",
    "Abigail",
    "Adrian",
    "Aisha",
    "Alejandro",
    "Amara",
    "Amir",
    "Ana",
    "Andre",
    "Anika",
    "Ava",
    "Benjamin",
    "Bianca",
    "Brandon",
    "Camila",
    "Carlos",
    "Chloe",
    "Daniel",
    "Daniela",
    "Darnell",
    "Deja",
    "Diego",
    "Elena",
    "Elijah",
    "Emily",
    "Emmanuel",
    "Esperanza",
    "Ethan",
    "Fatima",
    "Gabriel",
    "Grace",
    "Hana",
    "Hector",
    "Imani",
    "Isabella",
    "Isaiah",
    "Jada",
    "Jamal",
    "Jasmine",
    "Javier",
    "Jayden",
    "Jin",
    "Jordan",
    "Josue",
    "Kai",
    "Kayla",
    "Keanu",
    "Kenji",
    "Layla",
    "Leah",
    "Liam",
    "Lucia",
    "Luis",
    "Malik",
    "Maria",
    "Mateo",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Naomi",
    "Nia",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Quinn",
    "Rafael",
    "Riley",
    "Rosa",
    "Ryan",
    "Samira",
    "Santiago",
    "Sofia",
    "Tariq",
    "Tenzin",
    "Thomas",
    "Valentina",
    "Victor",
    "Wei",
    "Xavier",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zoe",
]
LAST_NAMES = [
    "Adams",
    "Ahmed",
    "Alvarez",
    "Anderson",
    "Baker",
    "Bennett",
    "Brooks",
    "Castillo",
    "Chen",
    "Clark",
    "Cruz",
    "Davis",
    "Diaz",
    "Edwards",
    "Evans",
    "Flores",
    "Foster",
    "Garcia",
    "Gonzalez",
    "Gordon",
    "Green",
    "Gupta",
    "Hall",
    "Harris",
    "Hernandez",
    "Hill",
    "Ibrahim",
    "Jackson",
    "Jimenez",
    "Johnson",
    "Kaur",
    "Kim",
    "Lee",
    "Lewis",
    "Lopez",
    "Martin",
    "Martinez",
    "Mendoza",
    "Miller",
    "Mitchell",
    "Moore",
    "Morales",
    "Murphy",
    "Nguyen",
    "Nunez",
    "O'Brien",
    "Okafor",
    "Ortiz",
    "Patel",
    "Perez",
    "Phillips",
    "Ramirez",
    "Reyes",
    "Rivera",
    "Roberts",
    "Robinson",
    "Rodriguez",
    "Ruiz",
    "Sanchez",
    "Santos",
    "Scott",
    "Shah",
    "Silva",
    "Singh",
    "Smith",
    "Suarez",
    "Taylor",
    "Thomas",
    "Thompson",
    "Torres",
    "Tran",
    "Turner",
    "Vargas",
    "Walker",
    "Washington",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Yang",
    "Young",
]

# Roughly Connecticut's public-school mix (EdSight, recent years): shares of the federal categories.
RACE_WEIGHTS = [
    ("hispanic", 0.30),
    ("white", 0.43),
    ("black_or_african_american", 0.125),
    ("asian", 0.055),
    ("two_or_more", 0.08),
    ("american_indian_or_alaska_native", 0.006),
    ("native_hawaiian_or_other_pacific_islander", 0.004),
]
SINGLE_RACES = [
    "white",
    "black_or_african_american",
    "asian",
    "american_indian_or_alaska_native",
    "native_hawaiian_or_other_pacific_islander",
]


@dataclass
class DemoSummary:
    loaded: bool
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoWorld:
    """What the people part of the demo built, handed to each app's demo loader (see `waypoint.site.demo`):
    an app's loader takes a DemoWorld and returns the counts of what it added."""

    state: Organization
    districts: list[Organization]
    today: datetime.date
    year_start: datetime.date
    ccss_path: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def district(self, slug: str) -> Organization:
        return next(district for district in self.districts if district.slug == slug)


def school_year_start(today: datetime.date) -> datetime.date:
    """The first day of the school year that contains `today` (late August)."""
    year = today.year if today.month >= 8 else today.year - 1
    return datetime.date(year, 8, 27)


def few_of_each_caseload(position: int, every: int = 12) -> set[int]:
    """One student in `every` of each advisor's caseload (the one at `position`, by id), never a student with
    an account (the fixed accounts' journeys show their own record): the app demos use it so that each
    advisor's caseload tells a few students apart, one with no success plan, another gone quiet."""
    by_advisor: dict[int, list[int]] = defaultdict(list)
    for advisor_id, student_id in (
        AdvisorAssignment.objects.filter(student__user__isnull=True)
        .order_by("advisor_id", "student_id")
        .values_list("advisor_id", "student_id")
    ):
        by_advisor[advisor_id].append(student_id)
    return {ids[index] for ids in by_advisor.values() for index in range(position, len(ids), every)}


def is_loaded() -> bool:
    return Organization.objects.filter(sourced_id=DEMO_STATE_SOURCED_ID).exists()


class _Builder:
    """Collects the demo rows in memory, then writes each table with one bulk insert."""

    def __init__(self, *, scale: float, today: datetime.date) -> None:
        self.rng = random.Random(SEED)
        self.scale = scale
        self.today = today
        self.year_start = school_year_start(today)
        self.year_end = datetime.date(self.year_start.year + 1, 6, 15)
        self.password = make_password(DEMO_PASSWORD)
        self.unusable = make_password(None)
        self.users: dict[str, User] = {}
        self.name_counter = 0

    def user(self, username: str, first: str, last: str, district: Organization | None, fixed: bool) -> User:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            district=district,
            email=f"{username}@demo.waypoint.invalid",
            password=self.password if fixed else self.unusable,
        )
        self.users[username] = user
        return user

    def person_name(self) -> tuple[str, str]:
        self.name_counter += 1
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def demographics(self, student: Student, district: Organization) -> StudentDemographics:
        rng = self.rng
        category = rng.choices([c for c, _ in RACE_WEIGHTS], weights=[w for _, w in RACE_WEIGHTS])[0]
        flags = dict.fromkeys(SINGLE_RACES, False)
        hispanic = category == "hispanic"
        if hispanic:
            flags[rng.choice(["white", "black_or_african_american", "american_indian_or_alaska_native"])] = (
                True
            )
        elif category == "two_or_more":
            for race in rng.sample(SINGLE_RACES[:3], 2):
                flags[race] = True
        else:
            flags[category] = True
        gender = rng.choices(
            [Gender.FEMALE, Gender.MALE, Gender.NONBINARY, Gender.NOT_REPORTED], weights=[48, 49, 2, 1]
        )[0]
        return StudentDemographics(
            student=student,
            district=district,
            gender=gender,
            hispanic_or_latino=hispanic,
            english_learner=rng.random() < (0.22 if hispanic else 0.05),
            students_with_disabilities=rng.random() < 0.17,
            section_504=rng.random() < 0.04,
            economically_disadvantaged=rng.random() < 0.41,
            **flags,
        )


def load_demo_people(
    *, scale: float = 1.0, today: datetime.date | None = None, ccss_path: Path | None = None
) -> DemoWorld:
    """The state, districts, schools, people, sections, caseloads and guardians of the demo (the caller,
    `waypoint.site.demo.load_demo`, checks it is not loaded yet and holds the transaction). `scale` shrinks
    the student count (tests use 0.1)."""
    if not 0 < scale <= 1:
        raise ValueError("scale must be in (0, 1]")
    b = _Builder(scale=scale, today=today or timezone.localdate())
    rng = b.rng

    state = Organization.objects.create(
        kind=Organization.Kind.STATE,
        name="Connecticut (demo)",
        slug="ct-demo",
        sourced_id=DEMO_STATE_SOURCED_ID,
    )
    districts: dict[str, Organization] = {}
    schools: dict[str, Organization] = {}
    for plan in DISTRICTS:
        districts[plan.slug] = Organization.objects.create(
            kind=Organization.Kind.DISTRICT,
            name=plan.name,
            slug=plan.slug,
            sourced_id=f"demo-{plan.slug}",
            parent=state,
        )
        for school_plan in plan.schools:
            schools[school_plan.slug] = Organization.objects.create(
                kind=Organization.Kind.SCHOOL,
                name=school_plan.name,
                slug=school_plan.slug,
                sourced_id=f"demo-{school_plan.slug}",
                parent=districts[plan.slug],
                lowest_grade=school_plan.grades.start,
                highest_grade=school_plan.grades.stop - 1,
            )
    riverside, hillcrest = districts["riverside"], districts["hillcrest"]

    # Staff: per school, teachers per subject and advisors. The first of each pool at Riverside High and
    # Hillcrest High are fixed demo accounts, so the fixed accounts teach and advise real rosters.
    fixed_staff = {
        ("riverside-high", "Mathematics", 0): ("teacher", "Dana", "Whitfield"),
        ("riverside-high", "Science", 0): ("teacher-uncertified", "Sam", "Okafor"),
        ("hillcrest-high", "Mathematics", 0): ("other-teacher", "Lee", "Marchetti"),
        ("riverside-high", "advisor", 0): ("advisor", "Rosa", "Delgado"),
    }
    roles: list[RoleAssignment] = []
    certifications: list[TeacherCertification] = []
    teacher_pools: dict[tuple[str, str], list[User]] = {}
    lapsed: set[str] = set()  # teachers whose certification has expired
    advisor_pools: dict[str, list[User]] = {}
    school_district = {s.slug: districts[p.slug] for p in DISTRICTS for s in p.schools}
    for school_slug, school in schools.items():
        district = school_district[school_slug]
        for subject in SUBJECTS:
            pool = []
            for index in range(TEACHERS_PER_SUBJECT):
                fixed = fixed_staff.get((school_slug, subject, index))
                first, last = (fixed[1], fixed[2]) if fixed else b.person_name()
                username = fixed[0] if fixed else f"{school_slug}-{subject.split()[0].lower()}-{index + 1}"
                teacher = b.user(username, first, last, district, fixed=bool(fixed))
                pool.append(teacher)
                roles.append(
                    RoleAssignment(
                        user=teacher,
                        role=Role.TEACHER,
                        organization=school,
                        district=district,
                        starts_on=b.year_start - datetime.timedelta(days=365),
                    )
                )
                expired = username == "teacher-uncertified" or (not fixed and rng.random() < 0.1)
                if expired:
                    lapsed.add(username)
                expires = (
                    b.today - datetime.timedelta(days=60)
                    if expired
                    else b.today + datetime.timedelta(days=1100)
                )
                certifications.append(
                    TeacherCertification(
                        teacher=teacher,
                        number=f"CT-{rng.randrange(100000, 999999)}",
                        area=f"{subject} {'7-12' if (school.lowest_grade or 0) >= 9 else '4-8'}",
                        issued_on=expires - datetime.timedelta(days=5 * 365),
                        expires_on=expires,
                    )
                )
            teacher_pools[(school_slug, subject)] = pool
        advisors = []
        for index in range(ADVISORS_PER_SCHOOL):
            fixed = fixed_staff.get((school_slug, "advisor", index))
            first, last = (fixed[1], fixed[2]) if fixed else b.person_name()
            advisor = b.user(
                fixed[0] if fixed else f"{school_slug}-advisor-{index + 1}",
                first,
                last,
                district,
                fixed=bool(fixed),
            )
            advisors.append(advisor)
            roles.append(
                RoleAssignment(
                    user=advisor,
                    role=Role.ADVISOR,
                    organization=school,
                    district=district,
                    title="School counselor",
                    starts_on=b.year_start,
                )
            )
        advisor_pools[school_slug] = advisors
    school_admin = b.user("school-admin", "Renee", "Castillo", riverside, fixed=True)
    roles.append(
        RoleAssignment(
            user=school_admin,
            role=Role.SCHOOL_ADMIN,
            organization=schools["riverside-high"],
            district=riverside,
            title="Principal",
            starts_on=b.year_start,
        )
    )
    district_admin = b.user("district-admin", "Marcus", "Bell", riverside, fixed=True)
    roles.append(
        RoleAssignment(
            user=district_admin,
            role=Role.DISTRICT_ADMIN,
            organization=riverside,
            district=riverside,
            title="Director of Teaching and Learning",
            starts_on=b.year_start,
        )
    )
    analyst = b.user("state-analyst", "Priya", "Natarajan", None, fixed=True)
    roles.append(
        RoleAssignment(
            user=analyst, role=Role.STATE_ANALYST, organization=state, district=None, starts_on=b.year_start
        )
    )
    mentor = b.user("mentor", "Gwen", "Harlow", riverside, fixed=True)
    roles.append(
        RoleAssignment(
            user=mentor,
            role=Role.MENTOR,
            organization=riverside,
            district=riverside,
            title="Engineering mentor, Riverside Precision Manufacturing",
            starts_on=b.year_start,
        )
    )
    b.user("student", "Jordan", "Alvarez", riverside, fixed=True)
    b.user("guardian", "Elena", "Alvarez", riverside, fixed=True)

    User.objects.bulk_create(list(b.users.values()), batch_size=500)
    saved_users = {u.username: u for u in User.objects.filter(username__in=list(b.users))}
    for role in roles:
        role.user = saved_users[role.user.username]
    for certification in certifications:
        certification.teacher = saved_users[certification.teacher.username]
    RoleAssignment.objects.bulk_create(roles, batch_size=500)
    TeacherCertification.objects.bulk_create(certifications, batch_size=500)

    # Students, school by school and grade by grade; Riverside High's first grade-10 student is `student`.
    students_by_school_grade: dict[tuple[str, int], list[Student]] = defaultdict(list)
    students: list[Student] = []
    for plan in DISTRICTS:
        district = districts[plan.slug]
        for school_plan in plan.schools:
            count = max(2, math.ceil(school_plan.students_per_grade * b.scale))
            for grade in school_plan.grades:
                for index in range(count):
                    is_fixed = school_plan.slug == "riverside-high" and grade == 10 and index == 0
                    first, last = ("Jordan", "Alvarez") if is_fixed else b.person_name()
                    birth_year = b.year_start.year - grade - 6
                    student = Student(
                        district=district,
                        user=saved_users["student"] if is_fixed else None,
                        sourced_id=f"{plan.slug}-stu-{len(students) + 1:04d}",
                        state_student_id=f"{9_000_000_000 + len(students) * 7919 + 13}",
                        first_name=first,
                        last_name=last,
                        birth_date=datetime.date(birth_year, 9, 1)
                        + datetime.timedelta(days=rng.randrange(365)),
                        cohort_year=b.year_start.year + 9 - grade,
                    )
                    students.append(student)
                    students_by_school_grade[(school_plan.slug, grade)].append(student)
    Student.objects.bulk_create(students, batch_size=500)
    student_ids = dict(Student.objects.values_list("sourced_id", "id"))
    for student in students:
        student.pk = student_ids[student.sourced_id]

    # Enrollment history: one span per school year, middle school before high school, and about one
    # student in twelve transferred in from the other district.
    enrollments: list[StudentEnrollment] = []
    other_district = {"riverside": hillcrest, "hillcrest": riverside}
    middle_of = {"riverside": schools["riverside-middle"], "hillcrest": schools["hillcrest-middle"]}
    high_of = {"riverside": schools["riverside-high"], "hillcrest": schools["hillcrest-high"]}
    for (school_slug, grade), grade_students in students_by_school_grade.items():
        district = school_district[school_slug]
        for index, student in enumerate(grade_students):
            transferred = index > 0 and rng.random() < 1 / 12 and grade > 6
            for past_grade in range(6, grade + 1):
                year = b.year_start.year - (grade - past_grade)
                current = past_grade == grade
                past_district = other_district[district.slug] if transferred and not current else district
                if current:
                    school = schools[school_slug]
                else:
                    school = (middle_of if past_grade < 9 else high_of)[past_district.slug]
                enrollments.append(
                    StudentEnrollment(
                        student=student,
                        district=past_district if not current else district,
                        school=school,
                        grade_level=past_grade,
                        entry_date=datetime.date(year, 8, 27),
                        exit_date=None if current else datetime.date(year + 1, 6, 15),
                        exit_reason=""
                        if current
                        else (
                            "Transferred to another district"
                            if transferred and past_grade == grade - 1
                            else "Promoted"
                        ),
                    )
                )
    StudentEnrollment.objects.bulk_create(enrollments, batch_size=1000)

    # Sections: per school, grade and subject, filled in order in chunks of SECTION_SIZE.
    sections: list[Section] = []
    section_teachers: list[tuple[Section, User, str]] = []
    roster: list[tuple[Section, Student]] = []
    for (school_slug, grade), grade_students in students_by_school_grade.items():
        school = schools[school_slug]
        for subject in SUBJECTS:
            pool = teacher_pools[(school_slug, subject)]
            for chunk_index in range(math.ceil(len(grade_students) / SECTION_SIZE)):
                section = Section(
                    district=school_district[school_slug],
                    school=school,
                    sourced_id=f"{school_slug}-{subject.split()[0].lower()}-{grade}-{chunk_index + 1}",
                    title=f"{subject} {grade} ({'ABCDEFGH'[chunk_index]})",
                    course_code=f"{subject[:4].upper()}-{grade:02d}",
                    subject=subject,
                    starts_on=b.year_start,
                    ends_on=b.year_end,
                )
                sections.append(section)
                teacher = pool[(grade + chunk_index) % len(pool)]
                section_teachers.append(
                    (section, saved_users[teacher.username], SectionTeacher.TeachingRole.LEAD)
                )
                if teacher.username in lapsed:
                    # A certified colleague co-teaches while the certification is renewed, so the class's
                    # scores count toward mastery (only a current certification makes a score count).
                    colleague = next((t for t in pool if t.username not in lapsed), None)
                    if colleague is not None:
                        section_teachers.append(
                            (section, saved_users[colleague.username], SectionTeacher.TeachingRole.CO_TEACHER)
                        )
                chunk = grade_students[chunk_index * SECTION_SIZE : (chunk_index + 1) * SECTION_SIZE]
                roster.extend((section, student) for student in chunk)
    # Data to fix: an elective that started this term before anyone was assigned to teach it. Its students
    # are enrolled; no teacher means no gradebook, no scores and no inbox for it yet.
    elective_students = students_by_school_grade.get(("riverside-high", 11), [])[:TEACHERLESS_ROSTER]
    if elective_students:
        elective = Section(
            district=riverside,
            school=schools["riverside-high"],
            sourced_id="riverside-high-cs-11-1",
            title="Computer Science 11 (A)",
            course_code="COMP-11",
            subject="Computer Science",
            starts_on=max(b.year_start, b.today - datetime.timedelta(days=TEACHERLESS_DAYS)),
            ends_on=b.year_end,
        )
        sections.append(elective)
        roster.extend((elective, student) for student in elective_students)
    Section.objects.bulk_create(sections, batch_size=500)
    section_ids = dict(Section.objects.values_list("sourced_id", "id"))
    for section in sections:
        section.pk = section_ids[section.sourced_id]
    SectionTeacher.objects.bulk_create(
        [
            SectionTeacher(section=section, teacher=teacher, teaching_role=role, starts_on=b.year_start)
            for section, teacher, role in section_teachers
        ],
        batch_size=500,
    )
    SectionEnrollment.objects.bulk_create(
        [
            SectionEnrollment(
                section=section, student=student, district=section.district, starts_on=section.starts_on
            )
            for section, student in roster
        ],
        batch_size=1000,
    )

    # Caseloads alternate between a school's advisors; every student has one guardian account. Data to fix:
    # the last two ninth graders of Riverside High joined after the caseloads were drawn and have no advisor.
    unadvised = {student.pk for student in students_by_school_grade.get(("riverside-high", 9), [])[-2:]}
    caseload = []
    guardians: list[User] = []
    guardian_links: list[tuple[str, Student, str]] = []
    for (school_slug, _grade), grade_students in students_by_school_grade.items():
        for index, student in enumerate(grade_students):
            advisor = advisor_pools[school_slug][index % ADVISORS_PER_SCHOOL]
            if student.pk not in unadvised:
                caseload.append(
                    AdvisorAssignment(
                        advisor=saved_users[advisor.username],
                        student=student,
                        district=student.district,
                        starts_on=b.year_start,
                    )
                )
            if student.user_id is not None:
                guardian_links.append(("guardian", student, GuardianLink.Relationship.PARENT))
                continue
            username = f"guardian-{student.sourced_id}"
            guardians.append(
                User(
                    username=username,
                    first_name=b.rng.choice(FIRST_NAMES),
                    last_name=student.last_name,
                    district=student.district,
                    email=f"{username}@demo.waypoint.invalid",
                    password=b.unusable,
                )
            )
            relationship = rng.choices(
                [
                    GuardianLink.Relationship.PARENT,
                    GuardianLink.Relationship.GUARDIAN,
                    GuardianLink.Relationship.RELATIVE,
                ],
                weights=[88, 8, 4],
            )[0]
            guardian_links.append((username, student, relationship))
    AdvisorAssignment.objects.bulk_create(caseload, batch_size=1000)
    User.objects.bulk_create(guardians, batch_size=500)
    guardian_ids = dict(
        User.objects.filter(username__in=[name for name, _, _ in guardian_links]).values_list(
            "username", "id"
        )
    )
    GuardianLink.objects.bulk_create(
        [
            GuardianLink(
                guardian_id=guardian_ids[name],
                student=student,
                district=student.district,
                relationship=relationship,
                starts_on=b.year_start,
            )
            for name, student, relationship in guardian_links
        ],
        batch_size=1000,
    )
    StudentDemographics.objects.bulk_create(
        [b.demographics(student, student.district) for student in students], batch_size=1000
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action=AuditAction.CREATE,
                object_type="student",
                object_id=str(student.pk),
                student=student,
                district=student.district,
                reason="Demo district loaded",
            )
            for student in students
        ],
        batch_size=1000,
    )
    return DemoWorld(
        state=state,
        districts=[riverside, hillcrest],
        today=b.today,
        year_start=b.year_start,
        ccss_path=ccss_path,
        counts={
            "districts": len(districts),
            "schools": len(schools),
            "students": len(students),
            "staff": len(b.users) - 2,
            "guardians": len(guardians) + 1,
            "sections": len(sections),
            "enrollments": len(enrollments),
        },
    )

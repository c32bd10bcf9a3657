"""Access-scoped reads at district scale: one JSON object per figure on stdout.

Builds a synthetic district (50,000 students by default) in a scratch database, then times what every page
and endpoint does first: scope the students with `waypoint.policy`, read a page, write its audit rows.

    python bench/access.py [--students 50000] [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench]

The default database is a fresh SQLite file in a temporary folder; a PostgreSQL URL must name an empty
database that may be dropped and recreated (the script does both).
"""

from __future__ import annotations

import argparse
import datetime
import os
import time

from _benchkit import emit, start_django, timed

GRADES = range(6, 13)
SUBJECTS = ["Mathematics", "English", "Science", "History"]
SECTION_SIZE = 25
SCHOOLS = 10


def build_district(students_wanted: int) -> dict[str, int]:
    """A district of `students_wanted` students in SCHOOLS schools, each on four rosters and a caseload."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from waypoint.core.models import (
        AdvisorAssignment,
        Organization,
        Role,
        RoleAssignment,
        Section,
        SectionEnrollment,
        SectionTeacher,
        Student,
        StudentEnrollment,
        User,
    )

    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    state = Organization.objects.create(
        kind="state", name="Bench State", slug="bench-state", sourced_id="b-s"
    )
    district = Organization.objects.create(
        kind="district", name="Bench District", slug="bench-district", sourced_id="b-d", parent=state
    )
    schools = Organization.objects.bulk_create(
        [
            Organization(
                kind="school",
                name=f"Bench School {i}",
                slug=f"bench-school-{i}",
                sourced_id=f"b-{i}",
                parent=district,
            )
            for i in range(SCHOOLS)
        ]
    )
    unusable = make_password(None)
    per_school = students_wanted // SCHOOLS
    students = Student.objects.bulk_create(
        [
            Student(
                district=district, sourced_id=f"s-{i}", first_name=f"First{i}", last_name=f"Last{i % 997}"
            )
            for i in range(per_school * SCHOOLS)
        ],
        batch_size=2000,
    )
    StudentEnrollment.objects.bulk_create(
        [
            StudentEnrollment(
                student=s,
                district=district,
                school=schools[i // per_school],
                grade_level=GRADES[i % len(GRADES)],
                entry_date=start,
            )
            for i, s in enumerate(students)
        ],
        batch_size=2000,
    )
    teachers = User.objects.bulk_create(
        [
            User(username=f"bench-teacher-{i}", password=unusable, district=district)
            for i in range(per_school // 5 * SCHOOLS)
        ],
        batch_size=2000,
    )
    advisors = User.objects.bulk_create(
        [
            User(username=f"bench-advisor-{i}", password=unusable, district=district)
            for i in range(SCHOOLS * 4)
        ]
    )
    admin = User.objects.create(username="bench-district-admin", password=unusable, district=district)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user=t,
                role=Role.TEACHER,
                organization=schools[i % SCHOOLS],
                district=district,
                starts_on=start,
            )
            for i, t in enumerate(teachers)
        ]
        + [
            RoleAssignment(
                user=a,
                role=Role.ADVISOR,
                organization=schools[i % SCHOOLS],
                district=district,
                starts_on=start,
            )
            for i, a in enumerate(advisors)
        ]
        + [
            RoleAssignment(
                user=admin,
                role=Role.DISTRICT_ADMIN,
                organization=district,
                district=district,
                starts_on=start,
            )
        ],
        batch_size=2000,
    )
    sections = []
    rosters: list[tuple[int, list[Student]]] = []
    for school_index, school in enumerate(schools):
        school_students = students[school_index * per_school : (school_index + 1) * per_school]
        for subject in SUBJECTS:
            for chunk in range(0, len(school_students), SECTION_SIZE):
                sections.append(
                    Section(
                        district=district,
                        school=school,
                        title=f"{subject} {chunk}",
                        sourced_id=f"sec-{school_index}-{subject}-{chunk}",
                        subject=subject,
                        starts_on=start,
                        ends_on=today + datetime.timedelta(days=200),
                    )
                )
                rosters.append((len(sections) - 1, school_students[chunk : chunk + SECTION_SIZE]))
    sections = Section.objects.bulk_create(sections, batch_size=2000)
    SectionTeacher.objects.bulk_create(
        [
            SectionTeacher(section=section, teacher=teachers[i % len(teachers)], starts_on=start)
            for i, section in enumerate(sections)
        ],
        batch_size=2000,
    )
    SectionEnrollment.objects.bulk_create(
        [
            SectionEnrollment(section=sections[index], student=s, district=district, starts_on=start)
            for index, members in rosters
            for s in members
        ],
        batch_size=5000,
    )
    AdvisorAssignment.objects.bulk_create(
        [
            AdvisorAssignment(
                advisor=advisors[i % len(advisors)], student=s, district=district, starts_on=start
            )
            for i, s in enumerate(students)
        ],
        batch_size=5000,
    )
    return {"students": len(students), "sections": len(sections), "teachers": len(teachers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=50)
    options = parser.parse_args()

    start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from waypoint import policy
    from waypoint.core.audit import RequestContext
    from waypoint.core.models import AuditEvent, Section, Student, User
    from waypoint.people.selectors import section_roster, student_list, student_record
    from waypoint.policy import Action
    from waypoint.site.demo import load_demo

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    started = time.perf_counter()
    demo = load_demo()
    emit("demo_load", seconds=round(time.perf_counter() - started, 2), database=vendor, **demo.counts)

    started = time.perf_counter()
    built = build_district(options.students)
    # Fresh planner statistics, as autovacuum (or SQLite's ANALYZE) would give a live database.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    emit(
        "synthetic_district_build", seconds=round(time.perf_counter() - started, 2), database=vendor, **built
    )

    admin = User.objects.get(username="bench-district-admin")
    teacher = User.objects.get(username="bench-teacher-0")
    section = Section.objects.filter(teachers=teacher).first()
    if section is None:
        raise SystemExit("the synthetic district has no section for bench-teacher-0")
    student = section.roster.first().student  # type: ignore[union-attr]
    admin_context = RequestContext(user=admin, client_address="127.0.0.1")
    teacher_context = RequestContext(user=teacher, client_address="127.0.0.1")
    scale = {"database": vendor, "students_in_district": built["students"]}

    emit(
        "visible_students_count_district_admin",
        count=policy.visible_students(admin).count(),
        **timed(lambda: policy.visible_students(admin).count(), options.repeat),
        **scale,
    )
    emit(
        "student_list_page_district_admin_50_rows_with_audit",
        **timed(lambda: student_list(context=admin_context, page=7, page_size=50), options.repeat),
        **scale,
    )
    emit(
        "student_search_district_admin",
        **timed(lambda: student_list(context=admin_context, search="Last42"), options.repeat),
        **scale,
    )
    emit(
        "student_record_teacher",
        **timed(lambda: student_record(context=teacher_context, student_id=student.pk), options.repeat),
        **scale,
    )
    emit(
        "section_roster_teacher",
        **timed(lambda: section_roster(context=teacher_context, section_id=section.pk), options.repeat),
        **scale,
    )
    emit(
        "can_view_student_teacher",
        **timed(
            lambda: policy.can(User.objects.get(pk=teacher.pk), Action.VIEW_STUDENT, student), options.repeat
        ),
        **scale,
    )

    client = Client()
    client.force_login(admin)
    emit(
        "api_students_page_http_district_admin",
        **timed(lambda: client.get("/api/v1/students?page=3&page_size=50"), options.repeat),
        **scale,
    )
    other = Student.objects.exclude(district=admin.district).first()
    if other is None:
        raise SystemExit("the demo districts are missing")
    emit(
        "api_student_denied_http",
        **timed(lambda: client.get(f"/api/v1/students/{other.pk}"), options.repeat),
        **scale,
    )
    emit("audit_events_written", count=AuditEvent.objects.count(), database=vendor)


if __name__ == "__main__":
    main()

"""List pages and endpoints run a fixed number of SQL queries however many rows they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CaseloadFactory,
    EnrollmentFactory,
    GuardianLinkFactory,
    RoleFactory,
    RosterFactory,
    SchoolFactory,
    SectionTeacherFactory,
)
from waypoint.core.models import Role, User

pytestmark = pytest.mark.django_db


class Classroom:
    """A teacher, an advisor and a district admin whose section, caseload and district grow on demand."""

    def __init__(self) -> None:
        self.school = SchoolFactory()
        self.teacher = RoleFactory(role=Role.TEACHER, organization=self.school).user
        self.advisor = RoleFactory(role=Role.ADVISOR, organization=self.school).user
        self.admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=self.school.parent).user
        self.section = SectionTeacherFactory(teacher=self.teacher, section__school=self.school).section
        SectionTeacherFactory(section=self.section)

    def add_students(self, count: int) -> None:
        for _ in range(count):
            student = EnrollmentFactory(student__district=self.school.parent, school=self.school).student
            RosterFactory(section=self.section, student=student)
            CaseloadFactory(advisor=self.advisor, student=student)
            GuardianLinkFactory(student=student)
            SectionTeacherFactory(teacher=self.teacher, section__school=self.school)


def queries_for(client: Client, user: User, url: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES: list[tuple[str, Callable[[Classroom], tuple[User, str]]]] = [
    ("student list", lambda c: (c.admin, "/students/")),
    ("student list API", lambda c: (c.admin, "/api/v1/students")),
    ("section roster", lambda c: (c.teacher, f"/sections/{c.section.pk}/")),
    ("sections", lambda c: (c.teacher, "/sections/")),
    ("caseload", lambda c: (c.advisor, "/caseload/")),
    ("home", lambda c: (c.teacher, "/")),
    ("audit log", lambda c: (c.admin, "/audit/")),
]


@pytest.mark.parametrize(("name", "target"), PAGES, ids=[name for name, _ in PAGES])
def test_queries_do_not_grow_with_rows(
    client: Client, name: str, target: Callable[[Classroom], tuple[User, str]]
) -> None:
    classroom = Classroom()
    classroom.add_students(2)
    user, url = target(classroom)
    small = queries_for(client, user, url)
    classroom.add_students(20)
    user, url = target(classroom)
    large = queries_for(client, user, url)
    assert large == small, f"{name}: {small} queries for 2 students, {large} for 22"


def test_student_page_query_count_is_fixed(client: Client) -> None:
    classroom = Classroom()
    classroom.add_students(3)
    student = classroom.section.roster.first().student  # type: ignore[union-attr]
    first = queries_for(client, classroom.admin, f"/students/{student.pk}/")
    for _ in range(5):
        SectionTeacherFactory(section__school=classroom.school)
        RosterFactory(
            section=SectionTeacherFactory(section__school=classroom.school).section, student=student
        )
        GuardianLinkFactory(student=student)
    assert queries_for(client, classroom.admin, f"/students/{student.pk}/") == first


def test_student_search_swaps_results_with_htmx(client: Client) -> None:
    classroom = Classroom()
    classroom.add_students(3)
    client.force_login(classroom.admin)
    full = client.get("/students/")
    partial = client.get("/students/?q=Last", HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'id="student-results"' not in partial.content.decode()
    assert "Page 1 of 1" in partial.content.decode()
    assert "HX-Request" in partial["Vary"]

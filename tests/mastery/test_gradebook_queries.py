"""The gradebook heatmap page runs the same number of SQL queries for a small class and a larger one, under
an upper bound, and cuts a large class into pages sorted across the whole class."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CertificationFactory,
    DistrictFactory,
    RoleFactory,
    RosterFactory,
    SchoolFactory,
    SectionFactory,
    SectionTeacherFactory,
    UserFactory,
)
from waypoint.core.audit import RequestContext
from waypoint.core.models import Role, Section, User
from waypoint.evidence.models import AssessmentKind
from waypoint.evidence.services import assessment_create, evidence_submit
from waypoint.frameworks.services import (
    CompetencyFields,
    competency_create,
    framework_create,
    version_publish,
)
from waypoint.mastery.models import MasteryLevel
from waypoint.mastery.selectors import GRADEBOOK_PAGE_SIZE
from waypoint.mastery.services import score_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def build_class(students: int, competencies: int) -> tuple[User, Section]:
    """A section of `students` students taught by a certified teacher, each with a level on each of
    `competencies` competencies (one assessed by the class, the others only scored)."""
    district = DistrictFactory()
    school = SchoolFactory(parent=district)
    teacher = UserFactory(district=district)
    RoleFactory(user=teacher, role=Role.TEACHER, organization=school)
    CertificationFactory(teacher=teacher)
    section = SectionFactory(school=school)
    SectionTeacherFactory(section=section, teacher=teacher)
    roster = [RosterFactory(section=section).student for _ in range(students)]
    version = framework_create(owner=district, title=f"Gradebook {students}×{competencies}")
    for number in range(competencies):
        competency_create(
            version=version,
            parent=None,
            fields=CompetencyFields(
                human_code=f"G.{number + 1}", full_statement=f"Shows skill {number + 1}."
            ),
        )
    version = version_publish(version=version, actor=None)
    ids = list(version.competencies.order_by("path").values_list("id", flat=True))
    context = RequestContext(user=teacher)
    assessment_create(
        context=context,
        title="Class task",
        kind=AssessmentKind.FORMATIVE,
        competency_ids=ids[:1],
        section_id=section.pk,
    )
    for index, student in enumerate(roster):
        evidence = evidence_submit(
            context=context,
            student_id=student.pk,
            title="Observed work",
            body="Seen in class.",
            competency_ids=ids,
            observation=True,
        )
        for offset, competency_id in enumerate(ids):
            score_record(
                context=context,
                evidence_id=evidence.pk,
                competency_id=competency_id,
                value=float(1 + (index + offset) % 4),
            )
    assert MasteryLevel.objects.filter(student__in=roster).count() == students * competencies
    return teacher, section


def gradebook_queries(teacher: User, section: Section) -> tuple[int, str]:
    client = Client()
    client.force_login(teacher)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/sections/{section.pk}/gradebook/")
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


# The whole page: the session and the user (2), the request's access context (3), the section, its teachers,
# the roster and its enrollments (4), the levels, the columns and the scores behind the page's cells (3), the
# navigation's unread count and visible students (2), the request's one audit insert (1), and the levels of a
# scale not yet frozen (1, never in a real gradebook: a score freezes its scale).
GRADEBOOK_MAX_QUERIES = 16


def test_the_gradebook_runs_a_fixed_number_of_queries_whatever_the_class_size() -> None:
    small_teacher, small_section = build_class(students=2, competencies=2)
    large_teacher, large_section = build_class(students=7, competencies=5)

    small_count, small_page = gradebook_queries(small_teacher, small_section)
    large_count, large_page = gradebook_queries(large_teacher, large_section)

    # Every student and competency is on the page: the count is not constant because data is missing.
    assert small_page.count('class="heat heat-') == 2 * 2
    assert large_page.count('class="heat heat-') == 7 * 5
    assert small_page.count("/evidence/") >= 2 * 2
    assert large_count == small_count, f"{small_count} queries for 2×2, {large_count} for 7×5"
    assert large_count <= GRADEBOOK_MAX_QUERIES


def _rows(page: str) -> list[tuple[str, float | None]]:
    """(student name, overall level shown) for each row of the page."""
    return [
        (name, float(overall) if overall else None)
        for name, overall in re.findall(
            r'<th scope="row"><a href="/students/\d+/mastery/">([^<]+)</a></th>'
            r'<td class="gradebook-overall num">([\d.]+)?',
            page,
        )
    ]


def test_a_large_class_is_cut_into_pages_sorted_across_the_whole_class() -> None:
    size = GRADEBOOK_PAGE_SIZE + 6
    teacher, section = build_class(students=size, competencies=1)
    client = Client()
    client.force_login(teacher)
    pages = []
    for number in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/sections/{section.pk}/gradebook/?sort=level&dir=desc&page={number}")
        assert response.status_code == 200
        assert len(captured.captured_queries) <= GRADEBOOK_MAX_QUERIES
        pages.append(response.content.decode())
    first, second = _rows(pages[0]), _rows(pages[1])
    assert (len(first), len(second)) == (GRADEBOOK_PAGE_SIZE, 6)
    assert {name for name, _ in first}.isdisjoint({name for name, _ in second})
    # Highest first over the whole class: page 2 carries on below page 1.
    levels = [level for _, level in first + second]
    assert None not in levels
    assert levels == sorted(levels, reverse=True)  # type: ignore[type-var]
    assert "Page 1 of 2" in pages[0]
    assert 'rel="next"' in pages[0]
    assert "sort=level&amp;dir=desc" in pages[0][pages[0].index('rel="next"') - 200 :]
    # A page past the end shows the last one.
    last = client.get(f"/sections/{section.pk}/gradebook/?sort=level&dir=desc&page=9").content.decode()
    assert _rows(last) == second

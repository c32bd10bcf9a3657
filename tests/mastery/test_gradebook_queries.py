"""The gradebook heatmap page runs the same number of SQL queries for a small class and a larger one."""

from __future__ import annotations

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

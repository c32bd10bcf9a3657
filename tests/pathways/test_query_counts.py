"""The catalog, the approval queue, an opportunity's participants, the path list and the equal access report
answer in a number of SQL queries that does not grow with their rows (pages and API)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import CaseloadFactory, DemographicsFactory, EnrollmentFactory, StudentFactory
from tests.pathways.conftest import World, opportunity
from waypoint.core.models import User
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.policy import today

pytestmark = pytest.mark.django_db


def queries_for(user: User, url: str) -> int:
    client = Client()
    client.force_login(user)
    client.get(url)  # the first request warms the session and the content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def add_opportunities(world: World, count: int) -> None:
    for number in range(count):
        opportunity(
            world.district,
            world.provider,
            title=f"Course {number}",
            kind="course",
            competencies=world.competencies,
            prerequisites=world.competencies[:1],
        )


def add_paths(world: World, count: int, status: str = PathStatus.PROPOSED) -> None:
    """`count` students of the school in the advisor's caseload, with demographics, each with a path on the
    internship (whose limit is lifted)."""
    world.internship.capacity = None
    world.internship.save()
    for _ in range(count):
        student = StudentFactory(district=world.district)
        EnrollmentFactory(student=student, school=world.school, grade_level=11)
        DemographicsFactory(student=student)
        CaseloadFactory(advisor=world.advisor, student=student)
        PathProposal.objects.create(
            student=student,
            district=world.district,
            status=status,
            opportunity=world.internship,
            mentor=world.mentor if status == PathStatus.ACTIVE else None,
            rationale="Growth",
            starts_on=today(),
            ends_on=today() + datetime.timedelta(days=30),
        )


CASES: list[tuple[str, Callable[[World], User], Callable[[World], str], Callable[[World, int], None]]] = [
    ("catalog page", lambda w: w.student_user, lambda w: "/opportunities/", add_opportunities),
    ("catalog API", lambda w: w.admin, lambda w: "/api/v1/opportunities", add_opportunities),
    ("approval queue page", lambda w: w.advisor, lambda w: "/paths/queue/", add_paths),
    ("approval queue API", lambda w: w.advisor, lambda w: "/api/v1/path-queue", add_paths),
    (
        "participants page",
        lambda w: w.admin,
        lambda w: f"/opportunities/{w.internship.pk}/",
        lambda w, n: add_paths(w, n, PathStatus.ACTIVE),
    ),
    (
        "participants API",
        lambda w: w.advisor,
        lambda w: f"/api/v1/opportunities/{w.internship.pk}/participants",
        lambda w, n: add_paths(w, n, PathStatus.ACTIVE),
    ),
    ("path list page", lambda w: w.admin, lambda w: "/paths/", add_paths),
    (
        "mentor's path list",
        lambda w: w.mentor,
        lambda w: "/paths/",
        lambda w, n: add_paths(w, n, PathStatus.ACTIVE),
    ),
    ("path list API", lambda w: w.advisor, lambda w: "/api/v1/paths", add_paths),
    (
        "access report page",
        lambda w: w.admin,
        lambda w: "/access-report/",
        lambda w, n: add_paths(w, n, PathStatus.ACTIVE),
    ),
    (
        "access report API",
        lambda w: w.admin,
        lambda w: "/api/v1/access-report",
        lambda w, n: add_paths(w, n, PathStatus.ACTIVE),
    ),
]


@pytest.mark.parametrize(("name", "reader", "url", "grow"), CASES, ids=[case[0] for case in CASES])
def test_lists_use_a_constant_number_of_queries(
    world: World,
    name: str,
    reader: Callable[[World], User],
    url: Callable[[World], str],
    grow: Callable[[World, int], None],
) -> None:
    grow(world, 2)
    few = queries_for(reader(world), url(world))
    grow(world, 6)
    assert queries_for(reader(world), url(world)) == few, name

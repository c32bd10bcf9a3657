"""The advisor's caseload with the pace columns answers in a number of SQL queries that does not grow with the
caseload, and shows each student's status, projected graduation, open alerts and supports and last
conference; it sorts by pace and filters by status."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.factories import CaseloadFactory, EnrollmentFactory, RoleFactory, SchoolFactory
from waypoint.core.models import Organization, Role, Student, User
from waypoint.policy import today
from waypoint.progress.models import (
    Alert,
    AlertKind,
    Conference,
    ConferenceKind,
    Status,
    StudentProgress,
    Support,
)

pytestmark = pytest.mark.django_db
STATUSES = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK, Status.AHEAD]


class Caseload:
    """An advisor at a new school whose caseload grows on demand, each student with a computed pace, and
    every other one with an open alert, a support and a held conference."""

    def __init__(self) -> None:
        self.school = SchoolFactory()
        self.district: Organization = self.school.parent  # type: ignore[assignment]
        self.advisor: User = RoleFactory(role=Role.ADVISOR, organization=self.school).user
        self.added: list[Student] = []

    def add_students(self, count: int) -> None:
        on = today()
        for _ in range(count):
            student = EnrollmentFactory(student__district=self.district, school=self.school).student
            CaseloadFactory(advisor=self.advisor, student=student)
            status = STATUSES[len(self.added) % len(STATUSES)]
            StudentProgress.objects.create(
                student=student,
                district=self.district,
                status=status,
                projected_on=on + datetime.timedelta(days=400 + len(self.added)),
            )
            if len(self.added) % 2 == 0:
                alert = Alert.objects.create(
                    district=self.district,
                    student=student,
                    kind=AlertKind.OFF_TRACK,
                    cause=f"q-{student.pk}",
                    facts={},
                )
                Support.objects.create(
                    district=self.district,
                    student=student,
                    alert=alert,
                    kind="tutoring",
                    owner=self.advisor,
                    starts_on=on,
                    follow_up_on=on + datetime.timedelta(days=14),
                )
                Conference.objects.create(
                    district=self.district,
                    student=student,
                    kind=ConferenceKind.ADVISOR_FAMILY,
                    scheduled_for=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=3),
                    held_on=on - datetime.timedelta(days=3),
                    organizer=self.advisor,
                )
            self.added.append(student)


@pytest.mark.parametrize("size", [10, 100])
def test_the_caseload_with_pace_runs_a_bounded_number_of_queries(
    client: Client, size: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    caseload = Caseload()
    caseload.add_students(size)
    client.force_login(caseload.advisor)
    # The same bound at 10 and at 100 students: the pace facts are four queries for the whole caseload.
    with django_assert_max_num_queries(30):
        response = client.get(reverse("caseload"), {"sort": "pace"})
    assert response.status_code == 200
    rows = response.context["caseload"].rows.items
    assert rows[0].pace_status == Status.OFF_TRACK
    assert rows[0].open_alerts == 1
    assert rows[0].open_supports == 1
    assert rows[0].last_conference_on == today() - datetime.timedelta(days=3)
    body = response.content.decode()
    assert "Pace and projected graduation" in body
    assert "Off track" in body


def test_the_caseload_filters_by_pace(client: Client) -> None:
    caseload = Caseload()
    caseload.add_students(8)
    client.force_login(caseload.advisor)
    response = client.get(reverse("caseload"), {"pace": Status.AHEAD})
    rows = response.context["caseload"].rows.items
    assert len(rows) == 2
    assert {row.pace_status for row in rows} == {Status.AHEAD}

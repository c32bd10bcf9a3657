"""The advisor's caseload: each student with what needs attention, searchable, sortable, paged, audited, and
read in a number of queries that does not grow with the caseload."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count, Max, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from tests.factories import CaseloadFactory, EnrollmentFactory, RoleFactory, SchoolFactory
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import AuditAction, AuditEvent, Organization, Role, Student, User
from waypoint.evidence.models import Evidence
from waypoint.mastery.models import MasteryLevel
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.people.selectors import QUIET_DAYS, caseload_page
from waypoint.profiles.models import SuccessPlan

pytestmark = pytest.mark.django_db


class Caseload:
    """An advisor at a new school whose caseload grows on demand; every other student has recent evidence,
    a mastery level below mastery and a success plan, and the rest have none of these."""

    def __init__(self) -> None:
        self.school = SchoolFactory()
        self.district: Organization = self.school.parent  # type: ignore[assignment]
        self.advisor: User = RoleFactory(role=Role.ADVISOR, organization=self.school).user
        self.template_evidence = Evidence.objects.order_by("pk").first()
        self.template_level = MasteryLevel.objects.filter(level__isnull=False, rolled_up=False).first()
        self.added = 0

    def add_students(self, count: int) -> list[Student]:
        students = []
        for _ in range(count):
            self.added += 1
            student = EnrollmentFactory(student__district=self.district, school=self.school).student
            CaseloadFactory(advisor=self.advisor, student=student)
            if self.added % 2:
                self._give_records(student)
            students.append(student)
        return students

    def _give_records(self, student: Student) -> None:
        evidence, level = self.template_evidence, self.template_level
        assert evidence is not None
        assert level is not None
        Evidence.objects.create(
            district=self.district,
            student=student,
            framework_version=evidence.framework_version,
            title="Linear functions quiz",
            recorded_by=self.advisor,
        )
        MasteryLevel.objects.create(
            district=self.district,
            student=student,
            competency=level.competency,
            framework_version=level.framework_version,
            level=1.0,
            meets_mastery=False,
            method=level.method,
        )
        SuccessPlan.objects.create(student=student, district=self.district)

    def context(self) -> RequestContext:
        return RequestContext(user=self.advisor)


def test_each_student_shows_what_needs_attention() -> None:
    caseload = Caseload()
    with_records, without = caseload.add_students(2)
    rows = {row.student.pk: row for row in caseload_page(context=caseload.context()).rows.items}
    busy, quiet = rows[with_records.pk], rows[without.pk]
    assert busy.last_evidence_at is not None
    assert not busy.quiet
    assert (busy.levels_known, busy.below_mastery) == (1, 1)
    assert busy.plan_review_due == timezone.localdate() + datetime.timedelta(days=365)
    assert not busy.plan_overdue
    assert busy.concerns == 0  # a competency below mastery is shown, not counted
    assert quiet.last_evidence_at is None
    assert quiet.quiet
    assert quiet.plan_review_due is None
    assert quiet.concerns == 2  # no evidence, no plan


def test_old_evidence_and_an_overdue_review_are_flagged() -> None:
    caseload = Caseload()
    [student, _] = caseload.add_students(2)
    long_ago = timezone.now() - datetime.timedelta(days=QUIET_DAYS + 1)
    Evidence.objects.filter(student=student).update(submitted_at=long_ago)
    SuccessPlan.objects.filter(student=student).update(created_at=long_ago - datetime.timedelta(days=400))
    [row] = [r for r in caseload_page(context=caseload.context()).rows.items if r.student.pk == student.pk]
    assert row.quiet
    assert row.plan_overdue
    assert row.concerns == 2


def test_the_demo_advisors_caseload_matches_the_records(demo: Demo) -> None:
    advisor = demo.users["advisor"]
    result = caseload_page(context=RequestContext(user=advisor), page_size=500)
    rows = result.rows.items
    assert rows
    assert result.size == len(rows)
    ids = [row.student.pk for row in rows]
    last = dict(
        Evidence.objects.filter(student_id__in=ids)
        .values("student_id")
        .annotate(last=Max("submitted_at"))
        .values_list("student_id", "last")
    )
    below = dict(
        MasteryLevel.objects.filter(student_id__in=ids, rolled_up=False, level__isnull=False)
        .values("student_id")
        .annotate(n=Count("pk", filter=Q(meets_mastery=False)))
        .values_list("student_id", "n")
    )
    waiting = dict(
        PathProposal.objects.filter(student_id__in=ids, status=PathStatus.PROPOSED)
        .values("student_id")
        .annotate(n=Count("pk"))
        .values_list("student_id", "n")
    )
    plans = set(SuccessPlan.objects.filter(student_id__in=ids).values_list("student_id", flat=True))
    for row in rows:
        pk = row.student.pk
        assert row.last_evidence_at == last.get(pk)
        assert row.below_mastery == below.get(pk, 0)
        assert row.paths_waiting == waiting.get(pk, 0)
        assert (row.plan_review_due is not None) == (pk in plans)
    # The demo gives the caseload something to show in every column.
    assert any(row.last_evidence_at for row in rows)
    assert any(row.plan_review_due for row in rows)
    # ...and the flag tells students apart: most are on track, a few have no plan or have gone quiet.
    flagged = [row for row in rows if row.concerns]
    assert flagged
    assert len(flagged) <= len(rows) // 2
    assert any(row.plan_review_due is None for row in rows)
    assert any(row.quiet for row in rows)
    assert any(row.plan_review_due and not row.plan_overdue for row in rows)


def test_search_by_name_and_sort_by_evidence_and_status() -> None:
    caseload = Caseload()
    students = caseload.add_students(6)
    target = students[3]
    found = caseload_page(context=caseload.context(), search=target.last_name).rows.items
    assert [row.student.pk for row in found] == [target.pk]
    assert caseload_page(context=caseload.context(), search="nobody-by-this-name").rows.count == 0

    by_name = caseload_page(context=caseload.context()).rows.items
    names = [(row.student.last_name, row.student.first_name) for row in by_name]
    assert names == sorted(names, key=lambda name: (name[0].casefold(), name[1].casefold()))

    by_evidence = caseload_page(context=caseload.context(), sort="evidence").rows.items
    dates = [row.last_evidence_at for row in by_evidence]
    assert dates[:3] == [None, None, None]  # no evidence at all comes first
    assert all(date is not None for date in dates[3:])

    by_status = caseload_page(context=caseload.context(), sort="status").rows.items
    concerns = [row.concerns for row in by_status]
    assert concerns == sorted(concerns, reverse=True)
    assert concerns[0] > concerns[-1]


def test_pages_and_audits_only_the_students_shown() -> None:
    caseload = Caseload()
    caseload.add_students(7)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    second = caseload_page(context=caseload.context(), page=2, page_size=5)
    assert (second.rows.number, second.rows.num_pages, second.rows.count) == (2, 2, 7)
    assert len(second.rows.items) == 2
    events = AuditEvent.objects.filter(pk__gt=before)
    assert sorted(events.values_list("student_id", flat=True)) == sorted(
        row.student.pk for row in second.rows.items
    )
    assert set(events.values_list("action", "object_type")) == {(AuditAction.VIEW, "caseload")}


def test_the_caseload_is_for_advisors_and_refusals_are_audited() -> None:
    teacher = RoleFactory(role=Role.TEACHER).user
    with pytest.raises(NotPermitted):
        caseload_page(context=RequestContext(user=teacher))
    refused = AuditEvent.objects.filter(actor=teacher, action=AuditAction.DENIED, object_type="caseload")
    assert refused.exists()


def test_the_page_shows_status_search_sort_and_an_empty_state(client: Client) -> None:
    caseload = Caseload()
    [busy, quiet] = caseload.add_students(2)
    client.force_login(caseload.advisor)
    page = client.get(reverse("caseload")).content.decode()
    assert f"No evidence in {QUIET_DAYS} days" in page
    assert "1 of 1 below mastery" in page
    assert "Next review by" in page
    assert "No plan yet" in page
    assert 'name="q"' in page
    assert 'name="sort"' in page
    searched = client.get(reverse("caseload"), {"q": quiet.last_name, "sort": "status"}).content.decode()
    assert quiet.last_name in searched
    assert busy.last_name not in searched
    missing = client.get(reverse("caseload"), {"q": "zzz"}).content.decode()
    assert "No student in your caseload matches “zzz”." in missing

    lonely = RoleFactory(role=Role.ADVISOR).user
    client.force_login(lonely)
    empty = client.get(reverse("caseload")).content.decode()
    assert "No students are assigned to you today" in empty
    assert 'name="q"' not in empty


def test_an_unknown_sort_falls_back_to_names(client: Client) -> None:
    caseload = Caseload()
    caseload.add_students(2)
    client.force_login(caseload.advisor)
    response = client.get(reverse("caseload"), {"sort": "'; drop table"})
    assert response.status_code == 200
    assert response.context["caseload"].sort == "name"


@pytest.mark.parametrize("size", [10, 100])
def test_the_caseload_page_runs_a_bounded_number_of_queries(
    client: Client, size: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    caseload = Caseload()
    caseload.add_students(size)
    client.force_login(caseload.advisor)
    # The same bound at 10 and at 100 students: the facts are read per caseload, not per student.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("caseload"), {"sort": "status"})
    assert response.status_code == 200
    assert response.context["caseload"].size == size

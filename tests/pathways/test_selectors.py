"""Reads: recommendations from the database, the equal access report with its suppression, and the audit of
every read of a student's pathway."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import DemographicsFactory, EnrollmentFactory, RoleFactory, StudentFactory, UserFactory
from tests.pathways.conftest import World, opportunity, propose
from waypoint.catalog import services as catalog_services
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, AuditEvent, Gender, Role, Student
from waypoint.evidence.models import Evidence
from waypoint.mastery.models import MasteryLevel
from waypoint.pathways import selectors, services
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.policy import today
from waypoint.profiles import services as profile_services

pytestmark = pytest.mark.django_db


def save_profile(world: World, **values: object) -> None:
    profile_services.profile_save(
        context=world.context(world.student_user),
        student=world.student,
        fields=profile_services.ProfileFields(**values),  # type: ignore[arg-type]
    )


def master(world: World, student: Student, competency_index: int) -> None:
    competency = world.competencies[competency_index]
    MasteryLevel.objects.create(
        district=world.district,
        student=student,
        competency=competency,
        framework_version=competency.version,
        level=3,
        meets_mastery=True,
        method="mean",
    )


def test_recommendations_rank_the_catalog_with_reasons(world: World) -> None:
    plain = opportunity(
        world.district, world.provider, title="Plain project", competencies=world.competencies[2:]
    )
    opportunity(
        world.district, world.provider, title="For seniors", min_grade=12, competencies=world.competencies
    )
    elsewhere = catalog_services.provider_save(
        district=world.other_district,
        fields=catalog_services.ProviderFields(name="Lake Works", kind="employer"),
    )
    opportunity(world.other_district, elsewhere, title="Elsewhere")
    save_profile(world, interests=["robotics"], career_clusters=["manufacturing"])
    page = selectors.recommendations_for(
        context=world.context(world.student_user), student_id=world.student.pk
    )
    assert page.has_profile
    assert [item.opportunity.title for item in page.items] == ["Machining internship", "Plain project"]
    first = page.items[0].suggestion
    assert first.reason.startswith(
        "Recommended because it can show 2 competencies you have not mastered yet: COL.1"
    )
    assert "your interest in robotics" in first.reason
    assert "Manufacturing career cluster you chose" in first.reason
    master(world, world.student, 0)
    master(world, world.student, 1)
    again = selectors.recommendations_for(context=world.context(world.advisor), student_id=world.student.pk)
    assert [item.opportunity for item in again.items] == [world.internship, plain]
    assert again.items[0].suggestion.competencies_to_master == ()
    assert again.items[1].suggestion.competencies_to_master == ("COL.3",)
    event = AuditEvent.objects.filter(object_type="recommendations", actor=world.advisor).get()
    assert event.student == world.student
    assert event.reason == "Advisor (caseload)"


def test_an_open_proposal_is_not_recommended_again(world: World) -> None:
    propose(world)
    page = selectors.recommendations_for(
        context=world.context(world.student_user), student_id=world.student.pk
    )
    assert page.items == []


def test_the_mentor_reads_the_active_path_and_the_audit_says_why(world: World) -> None:
    path = propose(world)
    with pytest.raises(NotVisible):
        selectors.path_page(context=world.context(world.mentor), path_id=path.pk)
    denied = AuditEvent.objects.get(actor=world.mentor, action=AuditAction.DENIED, object_type="path")
    assert denied.student == world.student
    services.path_approve(context=world.context(world.advisor), path=path)
    page = selectors.path_page(context=world.context(world.mentor), path_id=path.pk)
    assert page.viewer_is_mentor
    assert page.goals == []
    event = AuditEvent.objects.get(actor=world.mentor, action=AuditAction.VIEW, object_type="path")
    assert event.reason == "External mentor of an active path"
    listed = selectors.paths_for(context=world.context(world.mentor))
    assert [p.pk for p in listed.items] == [path.pk]


def test_the_approval_queue_lists_the_proposals_of_guided_students(world: World) -> None:
    path = propose(world)
    queue = selectors.approval_queue(context=world.context(world.advisor))
    assert queue.awaiting == [path]
    assert queue.awaiting_count == 1
    # The advisor's caseload has no success plan yet: both students are listed as due.
    assert {item.student for item in queue.plans_due} == {world.student, world.classmate}
    assert selectors.approval_queue(context=world.context(world.other_teacher)).awaiting == []
    with pytest.raises(NotPermitted):
        selectors.approval_queue(context=world.context(world.student_user))
    assert AuditEvent.objects.filter(object_type="approval-queue", student=world.student).exists()


def test_participants_are_the_students_the_reader_may_see(world: World) -> None:
    propose(world)
    advisor_view = selectors.opportunity_participants(
        context=world.context(world.advisor), opportunity=world.internship
    )
    assert [p.student for p in advisor_view] == [world.student]
    with pytest.raises(NotPermitted):
        selectors.opportunity_participants(context=world.context(world.mentor), opportunity=world.internship)


def cohort(world: World, count: int, gender: str, *, taking: int = 0) -> list[Student]:
    """`count` grade-9 students of a gender at the school, the first `taking` of them on an active project."""
    students = []
    project = opportunity(world.district, world.provider, title=f"Project {gender}", kind="project")
    for index in range(count):
        student = StudentFactory(district=world.district)
        EnrollmentFactory(student=student, school=world.school, grade_level=9)
        DemographicsFactory(student=student, gender=gender, white=True)
        if index < taking:
            PathProposal.objects.create(
                student=student,
                district=world.district,
                status=PathStatus.ACTIVE,
                opportunity=project,
                rationale="r",
                starts_on=today(),
                ends_on=today() + datetime.timedelta(days=10),
            )
        students.append(student)
    return students


def test_the_access_report_counts_participation_by_subgroup_and_hides_small_groups(world: World) -> None:
    cohort(world, 25, Gender.FEMALE, taking=12)
    cohort(world, 15, Gender.MALE, taking=10)
    cohort(world, 3, Gender.NONBINARY, taking=1)
    # A proposed path is not participation.
    propose(world)
    report = selectors.access_report(context=world.context(world.admin))
    kinds = [value for value, _ in report.kinds]
    project = kinds.index("project")
    # 25 + 15 + 3 of grade 9, and Jo and Kim (no demographics: "not reported").
    assert report.overall.size == 45
    assert report.overall.cells[project].participants == 23
    assert report.overall.cells[project].rate == 51.1
    assert report.overall.cells[kinds.index("internship")].participants == 0
    gender = next(d for d in report.dimensions if d.label == "Gender")
    rows = {row.label: row for row in gender.rows}
    assert rows["Female"].size == 25
    assert rows["Female"].cells[project].participants == 12
    assert rows["Female"].cells[project].rate == 48.0
    # Groups under 20 are hidden (Connecticut's rule): male (15), nonbinary (3) and not reported (2).
    assert rows["Nonbinary (X)"].size is None
    assert rows["Not reported"].size is None
    assert rows["Male"].size is None
    assert rows["Male"].cells[project].participants is None
    assert rows["Nonbinary (X)"].cells[project].participants is None
    assert rows["Female"].cells[kinds.index("internship")].participants == 0
    assert [cell.participants for cell in gender.kind_rows[project].cells] == [23, 12, None, None, None]
    event = AuditEvent.objects.get(object_type="access-report")
    assert event.district_id == world.district.pk


def test_a_few_who_do_not_take_part_are_not_singled_out(world: World) -> None:
    cohort(world, 30, Gender.FEMALE, taking=25)
    cohort(world, 20, Gender.MALE, taking=0)
    report = selectors.access_report(context=world.context(world.admin))
    project = [value for value, _ in report.kinds].index("project")
    rows = {row.label: row for row in next(d for d in report.dimensions if d.label == "Gender").rows}
    assert rows["Female"].size == 30
    # 25 of 30 take part: showing 25 would point at the 5 who do not.
    assert rows["Female"].cells[project].participants is None
    # Its share is recoded at the top: at least (30 - 5) / 30.
    assert rows["Female"].cells[project].rate is None
    assert rows["Female"].cells[project].rate_at_least == 83


def test_the_report_scope_follows_the_role(world: World) -> None:
    principal = UserFactory(district=world.district)
    RoleFactory(user=principal, role=Role.SCHOOL_ADMIN, organization=world.school)
    report = selectors.access_report(context=world.context(principal))
    assert report.scope == world.school
    assert (
        selectors.access_report(context=world.context(world.admin), school_id=world.school.pk).scope
        == world.school
    )
    other_school = world.outsider.enrollments.get().school
    with pytest.raises(NotVisible):
        selectors.access_report(context=world.context(world.admin), school_id=other_school.pk)
    with pytest.raises(NotPermitted):
        selectors.access_report(context=world.context(world.teacher))


def test_the_path_page_lists_the_evidence_done_on_the_path(world: World) -> None:
    path = propose(world)
    services.path_approve(context=world.context(world.advisor), path=path)
    version = world.competencies[0].version

    def evidence(title: str, on_path: PathProposal | None) -> Evidence:
        return Evidence.objects.create(
            district=world.district,
            student=world.student,
            framework_version=version,
            title=title,
            recorded_by=world.student_user,
            path=on_path,
        )

    evidence("Essay for English", None)
    first = evidence("Fixture drawing", path)
    revised = evidence("Fixture drawing, revised", path)
    Evidence.objects.filter(pk=revised.pk).update(revision_of=first)
    for reader in (world.mentor, world.advisor, world.student_user):
        page = selectors.path_page(context=world.context(reader), path_id=path.pk)
        assert [e.title for e in page.evidence] == ["Fixture drawing, revised"], reader

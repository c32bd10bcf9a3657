"""Who may do what with pace, alerts, supports and conferences (the policy), and the reads: a student's
trajectory, the caseload (with an upper bound on its queries), the ready-to-advance list, test lists."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from tests.conftest import Demo
from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AdvisorAssignment, AuditEvent, Student, User
from waypoint.policy import Action
from waypoint.progress import selectors, trajectory
from waypoint.progress.models import Alert, AlertKind, Conference, Status, StudentProgress

pytestmark = pytest.mark.django_db


def ctx(user: User) -> RequestContext:
    return RequestContext(user=user)


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("student", True),
        ("guardian", True),
        ("teacher", True),
        ("advisor", True),
        ("school-admin", True),
        ("district-admin", True),
        ("mentor", False),
        ("state-analyst", False),
        ("other-teacher", False),
    ],
)
def test_who_reaches_a_students_pace(demo: Demo, username: str, allowed: bool) -> None:
    user = demo.users[username]
    assert policy.can(user, Action.VIEW_PROGRESS, demo.student) is allowed
    if not allowed:
        with pytest.raises(NotVisible):
            selectors.student_progress(context=ctx(user), student=demo.student)


# The staff who guide Jordan: his two teachers, his advisor, his school's and his district's administrators.
GUIDES = {"teacher", "teacher-uncertified", "advisor", "school-admin", "district-admin"}


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        (Action.ADVANCE_STUDENT, {"teacher"}),
        (Action.MARK_TEST_READY, {"teacher", "teacher-uncertified"}),
        (Action.RECORD_TEST_SITTING, {"school-admin", "district-admin"}),
        (
            Action.MANAGE_SUPPORT,
            {"teacher", "teacher-uncertified", "advisor", "school-admin", "district-admin"},
        ),
        (
            Action.HOLD_CONFERENCE,
            {"teacher", "teacher-uncertified", "advisor", "school-admin", "district-admin"},
        ),
    ],
)
def test_actions_on_a_student(demo: Demo, action: Action, allowed: set[str]) -> None:
    # Jordan is in both teachers' classes; only `teacher` holds a current certification.
    granted = {name for name, user in demo.users.items() if policy.can(user, action, demo.student)}
    assert granted == allowed


def test_conference_notes_reach_a_guardian_only_once_shared(demo: Demo) -> None:
    shared = Conference.objects.get(student=demo.student, shares__isnull=False)
    unshared = Conference.objects.filter(student=demo.student, shares__isnull=True).first()
    guardian = demo.users["guardian"]
    assert policy.can(guardian, Action.READ_CONFERENCE_NOTES, shared)
    assert unshared is not None
    assert not policy.can(guardian, Action.READ_CONFERENCE_NOTES, unshared)
    assert policy.can(demo.users["student"], Action.READ_CONFERENCE_NOTES, unshared)
    for outsider in ("mentor", "state-analyst", "other-teacher"):
        assert not policy.can(demo.users[outsider], Action.READ_CONFERENCE_NOTES, shared)
    with pytest.raises(NotVisible):
        selectors.conference_get(context=ctx(guardian), conference_id=unshared.pk)
    assert selectors.conference_get(context=ctx(guardian), conference_id=shared.pk).notes


def test_district_and_repository_actions(demo: Demo) -> None:
    admin, analyst = demo.users["district-admin"], demo.users["state-analyst"]
    assert policy.can(admin, Action.MANAGE_INQUIRY, demo.riverside)
    assert not policy.can(admin, Action.MANAGE_INQUIRY, demo.hillcrest)
    assert not policy.can(demo.users["school-admin"], Action.MANAGE_INQUIRY, demo.riverside)
    assert policy.can(analyst, Action.VIEW_REPOSITORY)
    assert not policy.can(analyst, Action.PUBLISH_REPOSITORY)
    assert not policy.can(demo.users["student"], Action.VIEW_REPOSITORY)
    assert policy.can(demo.users["advisor"], Action.VIEW_PROGRESS_CASELOAD)
    assert not policy.can(demo.users["teacher"], Action.VIEW_PROGRESS_CASELOAD)


def test_a_students_trajectory_with_models_and_table(demo: Demo) -> None:
    view = selectors.student_progress(context=ctx(demo.users["student"]), student=demo.student)
    stored = StudentProgress.objects.get(student=demo.student)
    assert view.assessment.status == stored.status == Status.ON_TRACK
    assert view.assessment.projected_on == stored.projected_on
    assert set(view.models) == set(trajectory.TARGET_YEARS)
    assert [k for k, _ in view.points] == list(range(len(view.points)))
    counts = [count for _, count in view.points]
    assert counts == sorted(counts)
    assert counts[-1] == view.assessment.mastered
    assert len(view.rows) == len(view.models[6])
    assert view.rows[0].models[3] == 0
    assert "4-year target" in view.sentence
    with translation.override("es"):
        spanish = selectors.student_progress(context=ctx(demo.users["guardian"]), student=demo.student)
    assert spanish.sentence
    assert AuditEvent.objects.filter(object_type="progress", student=demo.student, action="view").exists()


def test_the_caseload_has_every_column_and_a_bounded_number_of_queries(
    demo: Demo, django_assert_max_num_queries: object
) -> None:
    advisor = demo.users["advisor"]
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        rows = selectors.caseload(context=ctx(advisor), sort="status")
    caseload = AdvisorAssignment.objects.filter(advisor=advisor, ends_on__isnull=True).count()
    assert len(rows) == caseload
    severities = [selectors.STATUS_SEVERITY[Status(row.status)] for row in rows]
    assert severities == sorted(severities)
    assert rows[0].status == Status.OFF_TRACK
    assert rows[0].open_alerts >= 1
    assert any(row.open_supports for row in rows)
    assert any(row.last_conference for row in rows)
    jordan = next(row for row in rows if row.student.pk == demo.student.pk)
    assert jordan.last_evidence is not None
    assert [r.student.pk for r in selectors.caseload(context=ctx(advisor), search="Alvarez")] == [
        demo.student.pk
    ]
    off = selectors.caseload(context=ctx(advisor), status=Status.OFF_TRACK)
    assert off
    assert {row.status for row in off} == {Status.OFF_TRACK}
    with pytest.raises(NotPermitted):
        selectors.caseload(context=ctx(demo.users["teacher"]))


def test_the_caseload_query_count_does_not_grow_with_the_caseload(
    demo: Demo, django_assert_max_num_queries: object
) -> None:
    advisor = demo.users["advisor"]
    others = Student.objects.filter(district=demo.riverside).exclude(advisor_assignments__advisor=advisor)[
        :20
    ]
    AdvisorAssignment.objects.bulk_create(
        AdvisorAssignment(
            advisor=advisor, student=s, district=demo.riverside, starts_on=datetime.date(2020, 1, 1)
        )
        for s in others
    )
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        selectors.caseload(context=ctx(advisor))


def test_ready_to_advance_lists_jordan_for_his_teacher(demo: Demo) -> None:
    rows = selectors.ready_to_advance(context=ctx(demo.users["teacher"]))
    jordan = [row for row in rows if row.student.pk == demo.student.pk]
    assert len(jordan) == 1
    assert jordan[0].section.course_code == "MATH-10"
    assert jordan[0].next_sections
    assert all(s.course_code == "MATH-11" for s in jordan[0].next_sections)
    assert selectors.ready_to_advance(context=ctx(demo.users["mentor"])) == []


def test_the_old_and_new_teachers_see_an_advancement(demo: Demo) -> None:
    advancement = selectors.advancements_seen(context=ctx(demo.users["teacher"])).get(
        from_section__course_code="MATH-10"
    )
    new_teacher = advancement.to_section.teachers.first()
    assert new_teacher is not None
    assert selectors.advancements_seen(context=ctx(new_teacher)).filter(pk=advancement.pk).exists()
    assert (
        not selectors.advancements_seen(context=ctx(demo.users["other-teacher"]))
        .filter(pk=advancement.pk)
        .exists()
    )


def test_the_advisor_sees_the_subgroup_alert_of_the_school_and_the_analyst_none(demo: Demo) -> None:
    advisor_alerts = selectors.alerts_open(context=ctx(demo.users["advisor"]))
    assert advisor_alerts.filter(kind=AlertKind.SUBGROUP_PACE).exists()
    assert advisor_alerts.filter(kind=AlertKind.OFF_TRACK).exists()
    assert not selectors.alerts_open(context=ctx(demo.users["state-analyst"])).exists()
    assert not selectors.alerts_open(context=ctx(demo.users["mentor"])).exists()
    tasks = selectors.school_tasks(context=ctx(demo.users["school-admin"]))
    assert tasks.filter(alert__kind=AlertKind.SUBGROUP_PACE).exists()
    assert not selectors.school_tasks(context=ctx(demo.users["advisor"])).exists()
    assert Alert.objects.filter(kind=AlertKind.SUBGROUP_PACE).count() >= 1


def test_test_lists_by_test_and_window_for_the_coordinator(demo: Demo) -> None:
    lists = selectors.test_lists(context=ctx(demo.users["school-admin"]))
    assert {entry.title for entry in lists} == {"Connecticut SAT School Day"}
    assert len({entry.window_title for entry in lists}) == 2
    assert any(row.status == "sat" for entry in lists for row in entry.readiness)
    with pytest.raises(NotPermitted):
        selectors.test_lists(context=ctx(demo.users["teacher"]))


def test_the_repository_is_read_across_the_state(demo: Demo) -> None:
    repository = selectors.repository(context=ctx(demo.users["state-analyst"]))
    assert repository.practices
    assert all(p.published for p in repository.practices)
    for exemplar in repository.exemplars:
        assert all(len(point) == 2 for point in exemplar.points)
        assert exemplar.students >= 10

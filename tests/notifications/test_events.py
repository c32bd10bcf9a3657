"""Each event makes one notification per person who may read the student: the student and their guardians,
never the person who acted, never someone outside the student's record."""

from __future__ import annotations

import datetime

from tests.evidence.conftest import Scene
from tests.pathways.conftest import World, propose
from waypoint.core.audit import RequestContext
from waypoint.core.models import GuardianLink
from waypoint.evidence.models import Evidence
from waypoint.evidence.services import evidence_submit, feedback_add
from waypoint.mastery.services import score_record
from waypoint.notifications.models import Notification
from waypoint.notifications.services import notify
from waypoint.pathways import services as path_services
from waypoint.pathways.models import PathStatus
from waypoint.policy import today


def submit(scene: Scene) -> Evidence:
    return evidence_submit(
        context=scene.context("student"),
        student_id=scene.student.pk,
        title="My town hall talk",
        body="I argued for a crosswalk on Main Street.",
        assessment_id=scene.assessment.pk,
    )


def recipients(kind: str, since: int = 0) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, pk__gt=since).values_list("recipient__username", flat=True)
    )


def newest_id() -> int:
    newest = Notification.objects.order_by("-pk").first()
    return newest.pk if newest else 0


def test_feedback_tells_the_student_and_guardian_not_the_teacher(scene: Scene) -> None:
    evidence = submit(scene)
    before = newest_id()
    feedback_add(
        context=scene.context("teacher"), evidence_id=evidence.pk, body="Strong opening; cite a source."
    )
    assert recipients("evidence.feedback", before) == {"student", "guardian"}
    row = Notification.objects.get(kind="evidence.feedback", recipient__username="guardian", pk__gt=before)
    assert (row.student_id, row.district_id) == (scene.student.pk, scene.district.pk)
    assert row.url == f"/evidence/{evidence.pk}/"
    assert row.params == {"title": "My town hall talk", "author": scene.users["teacher"].display_name}
    assert row.read_at is None
    assert row.emailed_at is None


def test_a_revision_request_is_its_own_kind(scene: Scene) -> None:
    evidence = submit(scene)
    before = newest_id()
    feedback_add(
        context=scene.context("teacher"),
        evidence_id=evidence.pk,
        body="Add the numbers.",
        requests_revision=True,
    )
    assert recipients("evidence.revision_requested", before) == {"student", "guardian"}
    assert recipients("evidence.feedback", before) == set()


def test_a_guardian_whose_link_ended_is_not_told(scene: Scene) -> None:
    GuardianLink.objects.filter(student=scene.student, guardian=scene.users["guardian"]).update(
        starts_on=today() - datetime.timedelta(days=30), ends_on=today() - datetime.timedelta(days=1)
    )
    evidence = submit(scene)
    before = newest_id()
    feedback_add(context=scene.context("teacher"), evidence_id=evidence.pk, body="Good.")
    assert recipients("evidence.feedback", before) == {"student"}


def test_notify_leaves_out_whoever_may_not_read_the_student(scene: Scene) -> None:
    before = newest_id()
    users = scene.users
    made = notify(
        kind="evidence.feedback",
        recipients=[users["guardian"], users["other-teacher"], users["state-analyst"], users["mentor"]],
        student=scene.student,
        params={"title": "T", "author": "A"},
    )
    assert [row.recipient.username for row in made] == ["guardian"]
    assert recipients("evidence.feedback", before) == {"guardian"}


def test_a_certified_score_that_moves_a_level_tells_the_family(scene: Scene) -> None:
    evidence = submit(scene)
    before = newest_id()
    score_record(
        context=scene.context("teacher"), evidence_id=evidence.pk, competency_id=scene.competency.pk, value=3
    )
    assert recipients("mastery.level_changed", before) == {"student", "guardian"}
    row = Notification.objects.get(kind="mastery.level_changed", recipient__username="student", pk__gt=before)
    (change,) = row.params["changes"]
    assert change["direction"] in {"new", "up", "down"}
    assert row.params["evidence_title"] == "My town hall talk"
    assert row.url == f"/students/{scene.student.pk}/mastery/"


def test_an_uncertified_score_moves_no_level_and_tells_nobody(scene: Scene) -> None:
    evidence = submit(scene)
    before = newest_id()
    score_record(
        context=scene.context("teacher-uncertified"),
        evidence_id=evidence.pk,
        competency_id=scene.competency.pk,
        value=3,
    )
    assert recipients("mastery.level_changed", before) == set()


def _decide(world: World) -> None:
    path = propose(world)
    path_services.path_request_changes(
        context=RequestContext(user=world.advisor), path=path, note="Say which days you can go."
    )
    path_services.path_revise(
        context=RequestContext(user=world.student_user),
        path=path,
        fields=path_services.ProposalFields(
            rationale="Tuesdays and Thursdays.",
            starts_on=path.starts_on,
            ends_on=path.ends_on,
            opportunity=world.internship,
        ),
    )
    path_services.path_approve(context=RequestContext(user=world.advisor), path=path)
    path_services.path_complete(context=RequestContext(user=world.advisor), path=path)


def test_path_decisions_tell_the_student_and_guardian(world: World) -> None:
    _decide(world)
    rows = Notification.objects.filter(kind="pathways.path_decision", student=world.student)
    statuses = sorted(row.params["status"] for row in rows if row.recipient == world.guardian)
    # Approved today starts at once; the resubmission goes to approvers, not the family.
    assert statuses == sorted(
        [PathStatus.CHANGES_REQUESTED, PathStatus.APPROVED, PathStatus.ACTIVE, PathStatus.COMPLETED]
    )
    assert {row.recipient for row in rows} == {world.student_user, world.guardian}
    sent_back = rows.get(recipient=world.student_user, params__status=PathStatus.CHANGES_REQUESTED)
    assert sent_back.params["note"] == "Say which days you can go."
    assert not rows.filter(recipient__in=[world.advisor, world.teacher, world.mentor]).exists()
    assert {row.district_id for row in rows} == {world.district.pk}


def test_a_student_withdrawing_tells_the_guardian_only(world: World) -> None:
    path = propose(world)
    path_services.path_withdraw(context=RequestContext(user=world.student_user), path=path, reason="Too far.")
    rows = Notification.objects.filter(kind="pathways.path_decision", params__status=PathStatus.WITHDRAWN)
    assert [row.recipient for row in rows] == [world.guardian]

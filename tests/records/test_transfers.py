"""Transfers between districts: Hillcrest (B) asks Riverside (A) for the record of Jordan, who now enrols in
Hillcrest; Riverside releases it with evidence chosen, declines it, or its policy releases it on a match."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Conflict, NotPermitted
from waypoint.core.models import (
    AuditEvent,
    GuardianLink,
    Organization,
    Role,
    RoleAssignment,
    Student,
    StudentEnrollment,
    User,
)
from waypoint.evidence.models import Evidence, Score
from waypoint.frameworks.models import Framework, FrameworkAdoption
from waypoint.mastery.models import MasteryLevel
from waypoint.notifications.models import Notification
from waypoint.records import events
from waypoint.records.models import TransferPolicy, TransferRequest, TransferStatus
from waypoint.records.selectors.transfers import transfers_waiting_count
from waypoint.records.services.transfers import (
    TransferError,
    transfer_decline,
    transfer_release,
    transfer_request,
)

STATE_ID = "CT-TRANSFER-0001"


@dataclass(frozen=True)
class World:
    demo: Demo
    source: Student  # Jordan in Riverside (A)
    arrival: Student  # Jordan's new record in Hillcrest (B)
    hillcrest_admin: User
    riverside_admin: User
    scored: list[Evidence]  # Jordan's evidence with counted scores on frameworks Hillcrest uses

    def b(self) -> RequestContext:
        return RequestContext(user=self.hillcrest_admin)

    def a(self) -> RequestContext:
        return RequestContext(user=self.riverside_admin)


def _arrival(district: Organization, like: Student, sourced_id: str, enrolled: bool = True) -> Student:
    arrival = Student.objects.create(
        district=district,
        sourced_id=sourced_id,
        first_name=like.first_name,
        last_name=like.last_name,
        birth_date=like.birth_date,
        cohort_year=like.cohort_year,
    )
    if enrolled:
        school = Organization.objects.filter(parent=district, kind=Organization.Kind.SCHOOL).order_by("pk")[0]
        StudentEnrollment.objects.create(
            student=arrival,
            district=district,
            school=school,
            grade_level=10,
            entry_date=timezone.localdate() - datetime.timedelta(days=3),
        )
    return arrival


@pytest.fixture
def world(demo: Demo) -> World:
    source = demo.student
    Student.objects.filter(pk=source.pk).update(state_student_id=STATE_ID)
    source.refresh_from_db()
    admin = User.objects.create_user(username="test-hillcrest-admin", district=demo.hillcrest)
    RoleAssignment.objects.create(
        user=admin,
        role=Role.DISTRICT_ADMIN,
        organization=demo.hillcrest,
        district=demo.hillcrest,
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    # Hillcrest scores against Riverside's frameworks too, so Jordan's scores have somewhere to land.
    for framework in Framework.objects.filter(owner=demo.riverside):
        FrameworkAdoption.objects.get_or_create(
            framework=framework, district=demo.hillcrest, defaults={"adopted_on": timezone.localdate()}
        )
    scored = list(
        Evidence.objects.filter(
            student=source, pk__in=Score.objects.counted().filter(student=source).values("evidence_id")
        ).order_by("pk")[:3]
    )
    assert scored, "the demo gives Jordan scored evidence"
    return World(
        demo=demo,
        source=source,
        arrival=_arrival(demo.hillcrest, source, "arrival-jordan"),
        hillcrest_admin=admin,
        riverside_admin=demo.users["district-admin"],
        scored=scored,
    )


def test_request_is_refused_for_a_student_not_enrolled_in_b(world: World) -> None:
    stranger = _arrival(world.demo.hillcrest, world.source, "not-enrolled", enrolled=False)
    audits = AuditEvent.objects.count()
    with pytest.raises(TransferError) as refused:
        transfer_request(context=world.b(), student=stranger, state_student_id=STATE_ID)
    assert "not enrolled" in refused.value.reason
    assert not TransferRequest.objects.filter(student=stranger).exists()
    assert AuditEvent.objects.count() == audits


def test_an_unknown_state_id_is_refused_without_naming_a_district(world: World) -> None:
    with pytest.raises(TransferError) as refused:
        transfer_request(context=world.b(), student=world.arrival, state_student_id="NO-SUCH-ID")
    assert refused.value.problems == ("No student with that state id can be requested.",)
    assert world.demo.riverside.name not in refused.value.reason
    assert not TransferRequest.objects.filter(student=world.arrival).exists()


def test_only_an_administrator_of_b_requests(world: World) -> None:
    with pytest.raises(NotPermitted):
        transfer_request(
            context=RequestContext(user=world.demo.users["teacher"]),
            student=world.arrival,
            state_student_id=STATE_ID,
        )


def test_request_tells_a_and_a_second_one_is_refused(world: World) -> None:
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    assert transfer.status == TransferStatus.REQUESTED
    assert transfer.from_district_id == world.demo.riverside.pk
    assert transfer.source_student_id == world.source.pk
    told = Notification.objects.filter(kind=events.TRANSFER_REQUESTED.code, student=world.source)
    assert set(told.values_list("recipient_id", flat=True)) >= {world.riverside_admin.pk}
    with pytest.raises(TransferError, match="already open"):
        transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)


def test_release_copies_evidence_and_scores_and_recomputes_b_levels(world: World) -> None:
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    assert not MasteryLevel.objects.filter(student=world.arrival).exists()
    chosen = world.scored[:2]
    transfer_release(context=world.a(), transfer=transfer, evidence_ids=[e.pk for e in chosen])
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RELEASED
    assert transfer.decided_by_id == world.riverside_admin.pk
    assert not transfer.released_automatically
    copies = Evidence.objects.filter(student=world.arrival).order_by("submitted_at", "pk")
    assert [c.title for c in copies] == [
        f"Transferred from {world.demo.riverside.name}: {e.title}" for e in chosen
    ]
    assert all(c.district_id == world.demo.hillcrest.pk for c in copies)
    originals = Score.objects.counted().filter(evidence__in=chosen).order_by("scored_at", "pk")
    copied = Score.objects.filter(student=world.arrival).order_by("scored_at", "pk")
    assert [
        (s.competency_id, s.value, s.scored_at, s.scored_by_id, s.source, s.certification_id) for s in copied
    ] == [
        (s.competency_id, s.value, s.scored_at, s.scored_by_id, s.source, s.certification_id)
        for s in originals
    ]
    assert all(s.district_id == world.demo.hillcrest.pk for s in copied)
    # B's levels are computed from the copied scores (A's levels are not copied as levels).
    levels = MasteryLevel.objects.filter(student=world.arrival)
    assert levels.exists()
    assert {lvl.district_id for lvl in levels} == {world.demo.hillcrest.pk}
    assert set(levels.filter(rolled_up=False).values_list("competency_id", flat=True)) == {
        s.competency_id for s in originals
    }
    for level in levels.filter(rolled_up=False):
        assert set(level.score_ids) <= set(copied.values_list("pk", flat=True))
    # The package holds the transcript-level data and the chosen evidence.
    assert [item["title"] for item in transfer.package["evidence"]] == [e.title for e in chosen]
    assert transfer.package["competencies"]
    # B's administrators, the student and the guardians hear of it (B's records).
    told = Notification.objects.filter(kind=events.TRANSFER_RELEASED.code, student=world.arrival)
    assert world.hillcrest_admin.pk in set(told.values_list("recipient_id", flat=True))


def test_release_and_request_are_audited_on_both_sides(world: World) -> None:
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    transfer_release(context=world.a(), transfer=transfer, evidence_ids=[world.scored[0].pk])
    on_a = AuditEvent.objects.filter(district_id=world.demo.riverside.pk, object_id=str(transfer.pk))
    on_b = AuditEvent.objects.filter(district_id=world.demo.hillcrest.pk, object_id=str(transfer.pk))
    assert set(on_a.values_list("object_type", "student_id")) >= {
        ("transfer-request-received", world.source.pk),
        ("transfer-disclosure", world.source.pk),
    }
    assert set(on_b.values_list("object_type", "student_id")) >= {
        ("transfer-request", world.arrival.pk),
        ("transfer-received", world.arrival.pk),
    }


def test_release_refuses_evidence_of_another_student_and_writes_nothing(world: World) -> None:
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    foreign = Evidence.objects.exclude(student=world.source).order_by("pk")[0]
    with pytest.raises(TransferError, match="not in the student"):
        transfer_release(context=world.a(), transfer=transfer, evidence_ids=[foreign.pk])
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED
    assert not Evidence.objects.filter(student=world.arrival).exists()


def test_b_may_not_release_its_own_request(world: World) -> None:
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    with pytest.raises(NotPermitted):
        transfer_release(context=world.b(), transfer=transfer, evidence_ids=[])


def test_decline_keeps_the_record_home(world: World) -> None:
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    with pytest.raises(TransferError):
        transfer_decline(context=world.a(), transfer=transfer, reason="  ")
    transfer_decline(context=world.a(), transfer=transfer, reason="The family asked us to wait.")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    assert transfer.decision_notes == "The family asked us to wait."
    assert transfer.package == {}
    assert not Evidence.objects.filter(student=world.arrival).exists()
    with pytest.raises(Conflict):
        transfer_release(context=world.a(), transfer=transfer, evidence_ids=[])
    # Declined, a new request may be made.
    again = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    assert again.status == TransferStatus.REQUESTED


def test_policy_releases_automatically_on_a_match(world: World) -> None:
    TransferPolicy.objects.update_or_create(
        district=world.demo.riverside, defaults={"release_on_match": True}
    )
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    assert transfer.status == TransferStatus.RELEASED
    assert transfer.released_automatically
    assert transfer.decided_by_id is None
    assert Score.objects.filter(student=world.arrival).exists()


def test_policy_does_not_release_when_the_enrolment_does_not_match(world: World) -> None:
    TransferPolicy.objects.update_or_create(
        district=world.demo.riverside, defaults={"release_on_match": True}
    )
    Student.objects.filter(pk=world.arrival.pk).update(first_name="Someone")
    world.arrival.refresh_from_db()
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    assert transfer.status == TransferStatus.REQUESTED
    assert not Evidence.objects.filter(student=world.arrival).exists()


# Pages -----------------------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_b_sees_only_what_b_created_before_and_after_release(world: World) -> None:
    b = _client(world.hillcrest_admin)
    a_pages = [
        reverse("student-detail", args=[world.source.pk]),
        reverse("records-transfer-new", args=[world.source.pk]),
        reverse("records-disposal-new", args=[world.source.pk]),
    ]
    for page in a_pages:
        assert b.get(page).status_code == 404, page
    response = b.post(
        reverse("records-transfer-new", args=[world.arrival.pk]), {"state_student_id": STATE_ID}
    )
    assert response.status_code == 302
    transfer = TransferRequest.objects.get(student=world.arrival)
    before = b.get(reverse("records-transfer", args=[transfer.pk]))
    assert before.status_code == 200
    assert world.scored[0].title not in before.content.decode()
    a = _client(world.riverside_admin)
    detail = a.get(reverse("records-transfer", args=[transfer.pk]))
    assert world.scored[0].title in detail.content.decode()  # the picker
    released = a.post(
        reverse("records-transfer", args=[transfer.pk]), {"do": "release", "evidence": [world.scored[0].pk]}
    )
    assert released.status_code == 302
    for page in a_pages:
        assert b.get(page).status_code == 404, page
    after = b.get(reverse("records-transfer", args=[transfer.pk])).content.decode()
    assert world.scored[0].title in after
    copy = Evidence.objects.get(student=world.arrival)
    assert b.get(reverse("evidence-detail", args=[copy.pk])).status_code == 200


def test_request_form_shows_every_problem_with_400(world: World) -> None:
    b = _client(world.hillcrest_admin)
    response = b.post(reverse("records-transfer-new", args=[world.arrival.pk]), {"state_student_id": "NOPE"})
    assert response.status_code == 400
    assert "No student with that state id can be requested." in response.content.decode()
    assert not TransferRequest.objects.filter(student=world.arrival).exists()


def test_decline_page_and_the_student_and_guardian_see_their_transfer(world: World) -> None:
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    a = _client(world.riverside_admin)
    assert (
        a.post(reverse("records-transfer", args=[transfer.pk]), {"do": "decline", "reason": ""}).status_code
        == 400
    )
    assert (
        a.post(
            reverse("records-transfer", args=[transfer.pk]), {"do": "decline", "reason": "Not yet."}
        ).status_code
        == 302
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    # Jordan (A's record) and Jordan's guardian read the transfer; a teacher does not.
    for username in ("student", "guardian"):
        client = _client(world.demo.users[username])
        assert client.get(reverse("records-transfer", args=[transfer.pk])).status_code == 200, username
        assert f"/transfers/{transfer.pk}/" in client.get(reverse("records-transfers")).content.decode()
    assert GuardianLink.objects.filter(guardian=world.demo.users["guardian"], student=world.source).exists()
    assert (
        _client(world.demo.users["teacher"]).get(reverse("records-transfer", args=[transfer.pk])).status_code
        == 404
    )


def test_transfer_list_puts_waiting_first_in_bounded_queries(
    world: World, django_assert_max_num_queries: pytest.FixtureRequest
) -> None:
    decided = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    transfer_decline(context=world.a(), transfer=decided, reason="No.")
    for number in range(4):
        arrival = _arrival(world.demo.hillcrest, world.source, f"arrival-{number}")
        transfer_request(context=world.b(), student=arrival, state_student_id=STATE_ID)
    client = _client(world.riverside_admin)
    client.get(reverse("records-transfers"))
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(reverse("records-transfers"))
    assert response.status_code == 200
    rows = list(response.context["rows"])
    waiting = [row.waiting for row in rows]
    assert waiting == sorted(waiting, reverse=True)
    mine = [row for row in rows if row.transfer.state_student_id == STATE_ID]
    assert [row.waiting for row in mine] == [True] * 4 + [False]
    assert all(row.outgoing and row.student == world.source for row in mine)


# API -------------------------------------------------------------------------------------------------


def test_api_request_release_and_list(world: World) -> None:
    b = _client(world.hillcrest_admin)
    created = b.post(
        f"/api/v1/records/students/{world.arrival.pk}/transfer-requests",
        data={"state_student_id": STATE_ID},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    transfer_id = created.json()["id"]
    assert created.json()["outgoing"] is False
    a = _client(world.riverside_admin)
    listed = a.get("/api/v1/records/transfers").json()["items"]
    assert [row["id"] for row in listed if row["status"] == "requested"][:1] == [transfer_id]
    released = a.post(
        f"/api/v1/records/transfers/{transfer_id}/release",
        data={"evidence_ids": [world.scored[0].pk]},
        content_type="application/json",
    )
    assert released.status_code == 200, released.content
    assert released.json()["status"] == "released"
    again = a.post(
        f"/api/v1/records/transfers/{transfer_id}/decline",
        data={"reason": "late"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_a_school_administrator_reads_the_outgoing_transfer_but_does_not_decide(world: World) -> None:
    transfer = transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    client = _client(world.demo.users["school-admin"])
    page = client.get(reverse("records-transfer", args=[transfer.pk]))
    assert page.status_code == 200
    assert page.context["row"].outgoing
    assert page.context["row"].student == world.source
    assert not page.context["can_decide"]
    rows = [
        row for row in client.get(reverse("records-transfers")).context["rows"] if row.transfer == transfer
    ]
    assert [row.outgoing for row in rows] == [True]
    refused = client.post(reverse("records-transfer", args=[transfer.pk]), {"do": "decline", "reason": "No."})
    assert refused.status_code == 403


def test_waiting_count_is_for_the_sender(world: World) -> None:
    before = transfers_waiting_count(context=world.a())
    transfer_request(context=world.b(), student=world.arrival, state_student_id=STATE_ID)
    assert transfers_waiting_count(context=world.a()) == before + 1
    assert transfers_waiting_count(context=RequestContext(user=world.demo.users["teacher"])) == 0

"""The pathways API: the same rules as the pages, with clear 400s for refused writes."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Demo
from tests.pathways.conftest import World, enrolled_student, propose
from waypoint.core.models import User
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.policy import today
from waypoint.profiles.models import LearnerProfile

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    if method == "get":
        return client.get(f"/api/v1{url}")
    return getattr(client, method)(
        f"/api/v1{url}", data=json.dumps(payload or {}), content_type="application/json"
    )


def dates(start: int = 0, end: int = 60) -> dict[str, str]:
    return {
        "starts_on": (today() + datetime.timedelta(days=start)).isoformat(),
        "ends_on": (today() + datetime.timedelta(days=end)).isoformat(),
    }


def test_recommendations_come_with_their_reasons(world: World) -> None:
    LearnerProfile.objects.create(student=world.student, district=world.district, interests=["robotics"])
    items = send(
        client_for(world.student_user), "get", f"/students/{world.student.pk}/recommendations"
    ).json()["items"]
    assert [item["opportunity"]["title"] for item in items] == ["Machining internship"]
    assert items[0]["reason"].startswith("Recommended because it can show 2 competencies")
    assert items[0]["interests_matched"] == ["robotics"]
    assert (
        send(client_for(world.mentor), "get", f"/students/{world.student.pk}/recommendations").status_code
        == 404
    )


def test_a_student_proposes_only_for_themselves(world: World, demo: Demo) -> None:
    proposal = {"opportunity_id": world.internship.pk, "rationale": "I like machines.", **dates()}
    student = client_for(world.student_user)
    other = send(student, "post", "/paths", {**proposal, "student_id": world.classmate.pk})
    assert other.status_code == 404
    for staff in (world.guardian, world.advisor):
        refused = send(client_for(staff), "post", "/paths", {**proposal, "student_id": world.student.pk})
        assert refused.status_code == 403
    backwards = send(student, "post", "/paths", {**proposal, "student_id": world.student.pk, **dates(10, 5)})
    assert backwards.status_code == 400
    assert "ends on" in backwards.json()["detail"]
    assert not demo.added(PathProposal).exists()
    made = send(student, "post", "/paths", {**proposal, "student_id": world.student.pk})
    assert made.status_code == 201
    assert made.json()["status"] == "proposed"


def test_decisions_and_the_mentor_view(world: World) -> None:
    path = propose(world)
    url = f"/paths/{path.pk}"
    assert (
        send(client_for(world.student_user), "post", f"{url}/decision", {"decision": "approve"}).status_code
        == 403
    )
    assert send(client_for(world.mentor), "get", url).status_code == 404
    advisor = client_for(world.advisor)
    sent_back = send(
        advisor, "post", f"{url}/decision", {"decision": "request_changes", "notes": "Add a goal."}
    )
    assert sent_back.json()["status"] == "changes_requested"
    revised = send(
        client_for(world.student_user), "put", url, {"rationale": "For my career goal.", **dates()}
    )
    assert revised.json()["status"] == "proposed"
    approved = send(advisor, "post", f"{url}/decision", {"decision": "approve", "notes": "Go for it."})
    assert approved.json()["status"] == "active"
    seen = send(client_for(world.mentor), "get", url).json()
    assert seen["mentor"] == world.mentor.display_name
    assert seen["rationale"] is None
    assert seen["goal_ids"] is None
    assert send(client_for(world.mentor), "get", f"/students/{world.student.pk}/plan").status_code == 404
    queue = send(advisor, "get", "/path-queue").json()
    assert queue["awaiting"] == []
    done = send(advisor, "post", f"{url}/status", {"to": "completed", "note": "Well done."})
    assert done.json()["status"] == "completed"
    assert send(client_for(world.mentor), "get", url).status_code == 404


def test_capacity_and_eligibility_answer_400(world: World) -> None:
    for grade in (11, 12):
        other = enrolled_student(world, grade)
        PathProposal.objects.create(
            student=other,
            district=world.district,
            status=PathStatus.ACTIVE,
            opportunity=world.internship,
            rationale="r",
            starts_on=today(),
            ends_on=today(),
        )
    full = send(
        client_for(world.student_user),
        "post",
        "/paths",
        {
            "student_id": world.student.pk,
            "opportunity_id": world.internship.pk,
            "rationale": "Please",
            **dates(),
        },
    )
    assert full.status_code == 400
    assert "no places left" in full.json()["detail"]


def test_the_access_report_api_hides_small_groups(world: World) -> None:
    report = send(client_for(world.admin), "get", "/access-report").json()
    # Two students in the school: every group is small.
    assert report["overall"]["students"] is None
    assert report["overall"]["cells"]["internship"]["participants"] is None
    assert send(client_for(world.teacher), "get", "/access-report").status_code == 403


def test_the_api_path_lists_show_only_the_readers_students(world: World) -> None:
    path = propose(world)
    assert send(client_for(world.other_teacher), "get", "/paths").json()["items"] == []
    assert send(client_for(world.mentor), "get", "/paths").json()["items"] == []
    listed = send(client_for(world.advisor), "get", "/paths").json()["items"]
    assert [(item["id"], item["student_id"]) for item in listed] == [(path.pk, world.student.pk)]
    assert send(client_for(world.other_teacher), "get", "/path-queue").json()["awaiting"] == []
    assert (
        send(
            client_for(world.other_teacher), "get", f"/opportunities/{world.internship.pk}/participants"
        ).status_code
        == 404
    )

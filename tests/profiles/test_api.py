"""The profiles API: the same rules as the pages, with clear 400s for refused writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Demo
from tests.pathways.conftest import World
from waypoint.core.models import User
from waypoint.profiles.models import PlanGoal

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


def test_the_student_keeps_the_profile_through_the_api(world: World) -> None:
    student = client_for(world.student_user)
    url = f"/students/{world.student.pk}/profile"
    assert send(student, "get", url).json()["exists"] is False
    saved = send(student, "put", url, {"interests": ["robotics"], "career_clusters": ["stem"]})
    assert saved.status_code == 200
    assert saved.json()["revision"] == 1
    assert send(student, "put", url, {"career_clusters": ["astronaut"]}).status_code == 400
    assert send(student, "put", url, {"interests": ["bad\x00"]}).status_code == 422
    assert send(client_for(world.advisor), "put", url, {}).status_code == 403
    assert send(client_for(world.other_teacher), "get", url).status_code == 404
    history = send(client_for(world.guardian), "get", f"{url}/history").json()["items"]
    assert [r["snapshot"]["interests"] for r in history] == [["robotics"]]


def test_goals_without_a_domain_are_refused(world: World, demo: Demo) -> None:
    response = send(
        client_for(world.student_user),
        "post",
        f"/students/{world.student.pk}/plan/goals",
        {"domain": "", "statement": "Read more."},
    )
    assert response.status_code == 400
    assert "Every goal needs a domain" in response.json()["detail"]
    assert not demo.added(PlanGoal).exists()
    made = send(
        client_for(world.advisor),
        "post",
        f"/students/{world.student.pk}/plan/goals",
        {"domain": "personal", "statement": "Sleep 8 hours.", "milestones": [{"description": "Track sleep"}]},
    )
    assert made.status_code == 201
    assert made.json()["milestones"][0]["status"] == "planned"
    plan = send(client_for(world.guardian), "get", f"/students/{world.student.pk}/plan").json()
    assert plan["goals"][0]["statement"] == "Sleep 8 hours."
    acknowledged = send(
        client_for(world.guardian), "post", f"/students/{world.student.pk}/plan/acknowledgements"
    )
    assert acknowledged.status_code == 201

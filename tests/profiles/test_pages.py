"""The learner profile and success plan pages: forms that save or explain what is wrong."""

from __future__ import annotations

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


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_a_goal_without_a_domain_shows_the_problem_and_saves_nothing(world: World, demo: Demo) -> None:
    student = client_for(world.student_user)
    url = f"/students/{world.student.pk}/plan/goals/new/"
    form = {
        "statement": "Read more.",
        "status": "not_started",
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-description": "Pick a book",
        "milestones-0-status": "planned",
    }
    refused = student.post(url, form)
    assert refused.status_code == 400
    assert "Choose the goal’s domain" in text(refused)
    assert not demo.added(PlanGoal).exists()
    saved = student.post(url, {**form, "domain": "academic"})
    assert saved.status_code == 302
    plan = text(student.get(f"/students/{world.student.pk}/plan/"))
    assert "Read more." in plan
    assert "Pick a book" in plan


def test_the_guardian_acknowledges_the_plan(world: World) -> None:
    client_for(world.student_user).post(
        f"/students/{world.student.pk}/plan/goals/new/",
        {
            "domain": "career",
            "statement": "Job shadow.",
            "status": "not_started",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
        },
    )
    guardian = client_for(world.guardian)
    assert "I have read this plan" in text(guardian.get(f"/students/{world.student.pk}/plan/"))
    guardian.post(f"/students/{world.student.pk}/plan/acknowledge/")
    assert "You acknowledged this version of the plan." in text(
        guardian.get(f"/students/{world.student.pk}/plan/")
    )

"""The action plans' API: the paged list, a new plan (from scratch and from a subgroup alert), one plan with
its readings against the goal, a new action; problem+json for bad input, refusals and conflicts."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.models import AuditEvent, Organization, User
from waypoint.insights.models import ActionPlan, GroupFigures, PlanStatus
from waypoint.progress.models import Alert

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LATER = (TODAY + datetime.timedelta(days=120)).isoformat()
PLANS = "/api/v1/insights/plans"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def high_school() -> Organization:
    return Organization.objects.get(slug="riverside-high")


def payload(**changes: object) -> dict[str, object]:
    return {
        "school_id": high_school().pk,
        "title": "Participation in paths",
        "measure": "participation_share",
        "goal": 60,
        "goal_on": LATER,
    } | changes


def test_a_plan_is_created_read_and_listed(demo: Demo) -> None:
    high = high_school()
    GroupFigures.objects.filter(school=high, dimension="all").delete()
    GroupFigures.objects.create(
        district=demo.riverside,
        school=high,
        grade=11,
        dimension="all",
        subgroup="all",
        students=50,
        path_any=20,
    )
    admin = client_for(demo.users["district-admin"])
    owner = demo.users["advisor"]
    created = admin.post(
        PLANS,
        payload(steps=[{"description": "Path fair", "owner_id": owner.pk, "due_on": LATER}]),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["baseline"] == 40.0
    assert body["status"] == "open"
    assert body["group_label"] == "All students"
    assert [(s["description"], s["owner_id"], s["overdue"]) for s in body["steps"]] == [
        ("Path fair", owner.pk, False)
    ]
    assert body["table"]["rows"][0]["cells"][0]["text"] == "40 %"
    plan_id = body["id"]
    assert AuditEvent.objects.filter(
        object_type="action-plan", action="create", object_id=str(plan_id)
    ).exists()

    read = admin.get(f"{PLANS}/{plan_id}")
    assert read.status_code == 200
    assert read.json()["title"] == "Participation in paths"

    listed = admin.get(PLANS, {"page_size": 1})
    assert listed.status_code == 200
    page = listed.json()
    assert page["page_size"] == 1
    assert len(page["items"]) == 1
    assert page["count"] == ActionPlan.objects.filter(district=demo.riverside).count()
    everything = admin.get(PLANS, {"page_size": 200}).json()["items"]
    mine = next(item for item in everything if item["id"] == plan_id)
    assert mine["open_steps"] == 1
    assert mine["overdue_steps"] == 0
    assert mine["latest"] is None

    step = admin.post(
        f"{PLANS}/{plan_id}/steps",
        {"description": "Counselor outreach", "owner_id": owner.pk, "due_on": LATER},
        content_type="application/json",
    )
    assert step.status_code == 201
    assert step.json()["owner"] == owner.display_name


def test_a_plan_from_the_subgroup_alert_needs_no_school(demo: Demo) -> None:
    alert = Alert.objects.filter(kind="subgroup_pace", district=demo.riverside).first()
    assert alert is not None
    response = client_for(demo.users["school-admin"]).post(
        PLANS,
        {
            "title": "Pace of the group",
            "measure": "mean_pace",
            "goal": 1.2,
            "goal_on": LATER,
            "alert_id": alert.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["school_id"] == alert.school_id
    assert body["dimension"] != "all"


def test_bad_input_is_a_400_problem_listing_every_reason(demo: Demo) -> None:
    admin = client_for(demo.users["district-admin"])
    before = ActionPlan.objects.count()
    response = admin.post(
        PLANS,
        payload(measure="nonsense", dimension="race", subgroup="' OR 1=1 --", goal_on=TODAY.isoformat()),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problems = response.json()["problems"]
    assert len(problems) == 3
    huge = admin.post(PLANS, payload(goal=10**30), content_type="application/json")
    assert huge.status_code in (400, 422)
    assert huge["Content-Type"] == "application/problem+json"
    assert ActionPlan.objects.count() == before


def test_refusals_and_conflicts_are_problems(demo: Demo) -> None:
    middle = Organization.objects.get(slug="riverside-middle")
    admin = client_for(demo.users["district-admin"])
    created = admin.post(PLANS, payload(school_id=middle.pk), content_type="application/json").json()
    url = f"{PLANS}/{created['id']}"
    assert client_for(demo.users["school-admin"]).get(url).status_code == 404
    assert client_for(demo.users["teacher"]).get(PLANS).status_code == 403
    assert client_for(demo.users["state-analyst"]).get(url).status_code in (403, 404)
    ActionPlan.objects.filter(pk=created["id"]).update(status=PlanStatus.CLOSED)
    conflict = admin.post(
        f"{url}/steps",
        {"description": "Late", "owner_id": demo.users["advisor"].pk, "due_on": LATER},
        content_type="application/json",
    )
    assert conflict.status_code == 409
    assert "closed" in conflict.json()["detail"]

"""The progress API: the trajectory with its series, alerts and supports, conferences, students ready to
advance and the repository, with the same scope and refusals as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.models import User
from waypoint.progress.models import Alert, AlertKind, Conference, Support

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_trajectory_has_the_models_and_is_hidden_from_the_mentor(demo: Demo) -> None:
    url = f"/api/v1/progress/students/{demo.student.pk}/trajectory"
    response = client_for(demo.users["guardian"]).get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["student_id"] == demo.student.pk
    assert body["status"] in {"ahead", "on_track", "at_risk", "off_track", "unknown"}
    models = [series for series in body["series"] if series["role"] == "model"]
    assert len(models) == 4
    assert all(point["count"] <= body["required"] for series in models for point in series["points"])
    assert client_for(demo.users["mentor"]).get(url).status_code == 404
    assert client_for(demo.users["state-analyst"]).get(url).status_code == 404


def test_an_advisor_lists_alerts_and_opens_a_support_from_one(demo: Demo) -> None:
    alert = Alert.objects.create(
        district=demo.riverside,
        student=demo.student,
        kind=AlertKind.STUCK,
        cause=f"api-stuck-{demo.student.pk}",
        facts={"competency": "M.10.1", "attempts": 3},
    )
    advisor = client_for(demo.users["advisor"])
    listed = advisor.get("/api/v1/progress/alerts", {"kind": "stuck"}).json()["items"]
    assert alert.pk in [item["id"] for item in listed]
    assert all(item["kind"] == "stuck" for item in listed)
    today = timezone.localdate()
    created = advisor.post(
        f"/api/v1/progress/students/{demo.student.pk}/supports",
        {
            "kind": "extended_time",
            "starts_on": today.isoformat(),
            "follow_up_on": (today + datetime.timedelta(days=10)).isoformat(),
            "alert_id": alert.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    support = Support.objects.get(pk=created.json()["id"])
    assert support.alert == alert
    assert support.owner == demo.users["advisor"]


def test_a_support_owned_by_someone_without_the_student_is_refused(demo: Demo) -> None:
    today = timezone.localdate()
    response = client_for(demo.users["advisor"]).post(
        f"/api/v1/progress/students/{demo.student.pk}/supports",
        {
            "kind": "tutoring",
            "owner_id": demo.users["other-teacher"].pk,
            "starts_on": today.isoformat(),
            "follow_up_on": (today + datetime.timedelta(days=10)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Support.objects.filter(student=demo.student, owner=demo.users["other-teacher"]).exists()


def test_a_conference_is_scheduled_and_the_student_reads_it(demo: Demo) -> None:
    when = (timezone.now() + datetime.timedelta(days=4)).isoformat()
    created = client_for(demo.users["advisor"]).post(
        f"/api/v1/progress/students/{demo.student.pk}/conferences",
        {"kind": "student_led", "scheduled_for": when, "attendee_ids": [demo.users["student"].pk]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    conference = Conference.objects.get(pk=created.json()["id"])
    assert created.json()["agenda"] == conference.agenda_items
    student = client_for(demo.users["student"])
    assert student.get(f"/api/v1/progress/conferences/{conference.pk}").status_code == 200
    listed = student.get("/api/v1/progress/conferences").json()["items"]
    assert conference.pk in [item["id"] for item in listed]


def test_an_advancement_dated_in_the_future_is_refused(demo: Demo) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    section = demo.student.section_enrollments.order_by("pk")[0].section
    response = client_for(demo.users["teacher"]).post(
        f"/api/v1/progress/students/{demo.student.pk}/advancements",
        {"to_section_id": section.pk, "advanced_on": tomorrow.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "future" in response.json()["detail"]


def test_the_repository_is_for_staff(demo: Demo) -> None:
    assert client_for(demo.users["state-analyst"]).get("/api/v1/progress/practices").status_code == 200
    assert client_for(demo.users["guardian"]).get("/api/v1/progress/practices").status_code == 403

"""The progress panels of each home page: the student's own status, the guardian's shared conference notes,
the staff's alerts, supports due and conferences of the week, a teacher's students ready to advance and the
school support plan; and the progress links of the page shell."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.home import HomePanel
from waypoint.core.models import User
from waypoint.progress.models import (
    Alert,
    AlertKind,
    Conference,
    ConferenceKind,
    ConferenceShare,
    StudentProgress,
    Support,
)

pytestmark = pytest.mark.django_db


def panels_of(user: User) -> tuple[str, dict[str, HomePanel]]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), {shown.panel.key: shown.panel for shown in response.context["panels"]}


def test_the_student_sees_their_status_and_sentence(demo: Demo) -> None:
    html, panels = panels_of(demo.users["student"])
    panel = panels["my-pace"]
    progress = StudentProgress.objects.filter(student=demo.student).first()
    if progress is not None:
        assert panel.items[0].label == progress.get_status_display()
        assert panel.items[0].detail == progress.sentence
    assert panel.action is not None
    assert panel.action.url == f"/students/{demo.student.pk}/trajectory/"
    assert f'href="/students/{demo.student.pk}/trajectory/"' in html


def test_the_advisor_sees_alerts_supports_and_conferences_of_the_week(demo: Demo) -> None:
    advisor = demo.users["advisor"]
    alert = Alert.objects.create(
        district=demo.riverside,
        student=demo.student,
        kind=AlertKind.NO_EVIDENCE,
        cause=f"home-{demo.student.pk}",
        facts={"weeks": 4},
    )
    today = timezone.localdate()
    support = Support.objects.create(
        district=demo.riverside,
        student=demo.student,
        alert=alert,
        kind="mentor",
        owner=advisor,
        starts_on=today - datetime.timedelta(days=20),
        follow_up_on=today,
    )
    conference = Conference.objects.create(
        district=demo.riverside,
        student=demo.student,
        kind=ConferenceKind.STUDENT_LED,
        scheduled_for=timezone.now() + datetime.timedelta(days=2),
        organizer=advisor,
    )
    _, panels = panels_of(advisor)
    assert f"/progress/alerts/{alert.pk}/" in [item.url for item in panels["progress-alerts"].items]
    assert f"/progress/supports/{support.pk}/" in [item.url for item in panels["supports-due"].items]
    assert f"/progress/conferences/{conference.pk}/" in [
        item.url for item in panels["conferences-week"].items
    ]
    assert "ready-to-advance" not in panels


def test_the_guardian_finds_the_shared_notes(demo: Demo) -> None:
    guardian = demo.users["guardian"]
    conference = Conference.objects.create(
        district=demo.riverside,
        student=demo.student,
        kind=ConferenceKind.ADVISOR_FAMILY,
        scheduled_for=timezone.now() - datetime.timedelta(days=1),
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        organizer=demo.users["advisor"],
        notes="Notes for the family.",
    )
    _, before = panels_of(guardian)
    assert f"/progress/conferences/{conference.pk}/" not in [i.url for i in before["conference-notes"].items]
    ConferenceShare.objects.create(conference=conference, guardian=guardian)
    _, after = panels_of(guardian)
    assert f"/progress/conferences/{conference.pk}/" in [i.url for i in after["conference-notes"].items]


def test_teachers_and_administrators_get_their_panels_and_links(demo: Demo) -> None:
    html, panels = panels_of(demo.users["teacher"])
    assert "ready-to-advance" in panels
    assert 'href="/progress/ready/"' in html
    html, panels = panels_of(demo.users["school-admin"])
    assert "school-support-plan" in panels
    assert 'href="/progress/school-plan/"' in html
    assert 'href="/progress/testing/"' in html
    html, panels = panels_of(demo.users["state-analyst"])
    assert not {"progress-alerts", "my-pace", "ready-to-advance"} & set(panels)
    assert 'href="/progress/repository/"' in html
    html, panels = panels_of(demo.users["mentor"])
    assert "/progress/" not in html

"""The pathways pages: forms that save or explain what is wrong, and pages that show each role its part."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tests.conftest import Demo
from tests.pathways.conftest import World, propose
from waypoint.catalog.models import Opportunity
from waypoint.core.models import User
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.policy import today
from waypoint.profiles.models import LearnerProfile

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_the_student_edits_the_profile_and_sees_recommendations(world: World) -> None:
    student = client_for(world.student_user)
    edit = f"/students/{world.student.pk}/profile/edit/"
    assert student.get(edit).status_code == 200
    response = student.post(
        edit,
        {
            "interests": "robotics, drawing",
            "strengths": "",
            "career_clusters": ["manufacturing"],
            "postsecondary_goal": "two_year",
            "has_home_device": "yes",
            "has_home_internet": "",
            "free_times": ["after_school"],
        },
    )
    assert response.status_code == 302
    profile = LearnerProfile.objects.get(student=world.student)
    assert profile.interests == ["robotics", "drawing"]
    assert profile.has_home_device is True
    assert profile.has_home_internet is None
    page = text(student.get(f"/students/{world.student.pk}/profile/"))
    assert "robotics" in page
    assert "Edit my profile" in page
    recommendations = text(student.get(f"/students/{world.student.pk}/recommendations/"))
    assert "Machining internship" in recommendations
    assert "it matches your interest in robotics" in recommendations
    assert f"/paths/new/?opportunity={world.internship.pk}" in recommendations
    # The advisor reads the profile and comments; only the student edits it.
    advisor = client_for(world.advisor)
    assert advisor.get(edit).status_code == 403
    advisor.post(f"/students/{world.student.pk}/profile/comments/", {"text": "Try the robotics club."})
    assert "Try the robotics club." in text(student.get(f"/students/{world.student.pk}/profile/"))


def test_propose_send_back_revise_approve_then_the_mentor_sees_it(world: World, demo: Demo) -> None:
    student = client_for(world.student_user)
    form = student.get(f"/paths/new/?opportunity={world.internship.pk}")
    assert "Propose: Machining internship" in text(form)
    backwards = student.post(
        f"/paths/new/?opportunity={world.internship.pk}",
        {"rationale": "I love machines.", "starts_on": today().isoformat(), "ends_on": "2000-01-01"},
    )
    assert backwards.status_code == 400
    assert "before it starts" in text(backwards)
    created = student.post(
        f"/paths/new/?opportunity={world.internship.pk}",
        {
            "rationale": "I love machines.",
            "starts_on": today().isoformat(),
            "ends_on": (today() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    path = demo.added(PathProposal).get()
    assert created["Location"] == f"/paths/{path.pk}/"
    advisor = client_for(world.advisor)
    assert "Machining internship" in text(advisor.get("/paths/queue/"))
    advisor.post(f"/paths/{path.pk}/decide/", {"decision": "request_changes", "notes": ""})
    path.refresh_from_db()
    assert path.status == PathStatus.PROPOSED
    advisor.post(f"/paths/{path.pk}/decide/", {"decision": "request_changes", "notes": "Which goal?"})
    path.refresh_from_db()
    assert path.status == PathStatus.CHANGES_REQUESTED
    assert "Which goal?" in text(student.get(f"/paths/{path.pk}/"))
    student.post(
        f"/paths/{path.pk}/edit/",
        {
            "rationale": "For my career goal.",
            "starts_on": path.starts_on.isoformat(),
            "ends_on": path.ends_on.isoformat(),
        },
    )
    path.refresh_from_db()
    assert path.status == PathStatus.PROPOSED
    mentor = client_for(world.mentor)
    assert mentor.get(f"/paths/{path.pk}/").status_code == 404
    advisor.post(f"/paths/{path.pk}/decide/", {"decision": "approve", "notes": "Great."})
    path.refresh_from_db()
    assert path.status == PathStatus.ACTIVE
    page = text(mentor.get(f"/paths/{path.pk}/"))
    assert "You see this path because you mentor it while it is active" in page
    assert "For my career goal." not in page
    assert "Machining internship" in text(mentor.get("/paths/"))
    for hidden in (f"/students/{world.student.pk}/", f"/students/{world.student.pk}/plan/", "/paths/queue/"):
        assert mentor.get(hidden).status_code in (403, 404), hidden
    advisor.post(f"/paths/{path.pk}/status/", {"to": "completed", "note": "Done."})
    path.refresh_from_db()
    assert path.status == PathStatus.COMPLETED
    assert mentor.get(f"/paths/{path.pk}/").status_code == 404


def test_the_student_designs_an_independent_study(world: World, demo: Demo) -> None:
    student = client_for(world.student_user)
    page = text(student.get("/paths/new/"))
    assert "Design an independent study" in page
    assert world.teacher.display_name in page
    response = student.post(
        "/paths/new/",
        {
            "title": "Comics and time",
            "question": "How do comics show time passing?",
            "product": "A short comic",
            "competencies": [str(world.competencies[0].pk)],
            "mentor": str(world.teacher.pk),
            "rationale": "I draw every day.",
            "starts_on": today().isoformat(),
            "ends_on": (today() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    path = demo.added(PathProposal).get()
    assert path.is_independent_study
    assert list(path.competencies.all()) == [world.competencies[0]]


def test_an_opportunity_page_tells_a_student_why_they_cannot_propose_it(world: World) -> None:
    path = propose(world)
    page = text(client_for(world.student_user).get(f"/opportunities/{world.internship.pk}/"))
    assert "You can’t propose it now" not in page
    assert f'href="/paths/{path.pk}/"' in page
    assert "/paths/new/?opportunity=" not in page
    senior = Opportunity.objects.create(
        district=world.district,
        provider=world.provider,
        title="Seniors only",
        kind="project",
        location="online",
        min_grade=12,
    )
    page = text(client_for(world.student_user).get(f"/opportunities/{senior.pk}/"))
    assert "It is for grade 12 and up, and the student is in grade 10." in page


def test_the_access_report_page(world: World) -> None:
    page = text(client_for(world.admin).get("/access-report/"))
    assert "Equal access to paths of study" in page
    assert "hidden" in page
    assert client_for(world.advisor).get("/access-report/").status_code == 403

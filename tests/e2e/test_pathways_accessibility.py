"""axe-core finds no serious or critical violation on the pathways pages of each role, at desktop width
(the role journeys scan the main ones at phone width)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import axe_violations, sign_in
from waypoint.catalog.models import Opportunity, Provider
from waypoint.core.models import Student
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.profiles.models import PlanGoal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
BLOCKING = {"serious", "critical"}


def role_pages() -> dict[str, list[str]]:
    jordan = Student.objects.get(user__username="student")
    internship = PathProposal.objects.get(student=jordan, status=PathStatus.ACTIVE)
    proposed = PathProposal.objects.filter(district=jordan.district, status=PathStatus.PROPOSED).first()
    goal = PlanGoal.objects.filter(plan__student=jordan).first()
    opportunity = Opportunity.objects.get(district=jordan.district, title="Engineering design internship")
    template = Opportunity.objects.filter(shared_as_template=True).first()
    provider = Provider.objects.filter(district=jordan.district).first()
    assert proposed is not None
    assert goal is not None
    assert template is not None
    assert provider is not None
    student_pages = [
        f"/students/{jordan.pk}/profile/",
        f"/students/{jordan.pk}/profile/edit/",
        f"/students/{jordan.pk}/profile/history/",
        f"/students/{jordan.pk}/plan/",
        f"/students/{jordan.pk}/plan/goals/new/",
        f"/plan-goals/{goal.pk}/edit/",
        f"/students/{jordan.pk}/recommendations/",
        "/opportunities/",
        "/opportunities/?kind=internship&with_places=on",
        f"/opportunities/{opportunity.pk}/",
        "/paths/",
        f"/paths/{internship.pk}/",
        f"/paths/new/?opportunity={opportunity.pk}",
        "/paths/new/",
    ]
    return {
        "student": student_pages,
        "guardian": [f"/students/{jordan.pk}/plan/", "/paths/"],
        "advisor": ["/paths/queue/", f"/paths/{proposed.pk}/", f"/students/{jordan.pk}/profile/"],
        "district-admin": [
            "/opportunities/",
            "/opportunities/new/",
            f"/opportunities/{opportunity.pk}/",
            f"/opportunities/{opportunity.pk}/edit/",
            "/opportunities/templates/",
            f"/opportunities/{template.pk}/copy/",
            "/providers/",
            "/providers/new/",
            f"/providers/{provider.pk}/edit/",
            "/access-report/",
        ],
        "mentor": ["/paths/", f"/paths/{internship.pk}/"],
    }


# At desktop width only: the role journeys (test_role_journeys.py) scan the main pathways pages at phone
# width too, and a second width of every page here cost CI about 30 s for markup that does not change.
@pytest.mark.parametrize("viewport", [(1280, 900)], ids=["desktop"])
def test_pathways_pages_have_no_serious_accessibility_violations(
    browser: Browser, demo_site: str, viewport: tuple[int, int]
) -> None:
    failures: list[str] = []
    for username, paths in role_pages().items():
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        page = context.new_page()
        sign_in(page, demo_site, username)
        for path in paths:
            response = page.goto(demo_site + path)
            assert response is not None
            assert response.status == 200, f"{username} {path}: {response.status}"
            for violation in axe_violations(page):
                if violation["impact"] in BLOCKING:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    failures.append(f"{username} {path}: {violation['id']} ({violation['impact']}) {targets}")
        context.close()
    assert failures == [], "\n".join(failures)

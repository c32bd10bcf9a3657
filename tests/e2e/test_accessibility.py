"""axe-core (the engine behind Lighthouse's accessibility audit) finds no serious or critical violation on any
page of each role's main work, at desktop and phone widths. Each role's home page, the caseload, the gradebook
and the calculation page are scanned by the role journeys (test_role_journeys.py), which visit them anyway."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import axe_violations, sign_in
from waypoint.core.models import Section, Student
from waypoint.frameworks.models import Framework, FrameworkKind, Rubric, VersionStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
BLOCKING = {"serious", "critical"}


def role_pages() -> dict[str, list[str]]:
    jordan = Student.objects.get(user__username="student")
    section = Section.objects.filter(teachers__username="teacher").order_by("pk").first()
    assert section is not None
    profile = Framework.objects.get(owner__slug="riverside", kind=FrameworkKind.GRADUATE_PROFILE)
    published = profile.versions.get(status=VersionStatus.PUBLISHED)
    draft = profile.versions.get(status=VersionStatus.DRAFT)
    competency = published.competencies.filter(rubric_criteria__isnull=False).first()
    rubric = Rubric.objects.filter(owner__slug="riverside").first()
    draft_competency = draft.competencies.order_by("path").first()
    assert competency is not None
    assert rubric is not None
    assert draft_competency is not None
    framework_pages = [
        "/frameworks/",
        f"/frameworks/versions/{published.pk}/",
        f"/frameworks/versions/{published.pk}/?q=1",
        f"/frameworks/versions/{published.pk}/?grade=09",
        f"/competencies/{competency.pk}/",
        f"/rubrics/{rubric.pk}/",
        "/rubrics/",
    ]
    return {
        "student": [
            f"/students/{jordan.pk}/",
            f"/students/{jordan.pk}/disclosures/",
            "/account/tokens/",
            *framework_pages,
        ],
        "teacher": ["/students/", "/students/?q=Alvarez", f"/sections/{section.pk}/", "/sections/"],
        "district-admin": [
            "/audit/",
            f"/students/{jordan.pk}/",
            *framework_pages,
            f"/frameworks/versions/{draft.pk}/",
            f"/frameworks/versions/{draft.pk}/publish/",
            f"/frameworks/versions/{draft.pk}/diff/",
            f"/competencies/{draft.competencies.order_by('path').last().pk}/edit/",  # type: ignore[union-attr]
            f"/frameworks/versions/{draft.pk}/competencies/new/",
            f"/competencies/{draft_competency.pk}/",
            "/frameworks/new/",
            "/frameworks/import/",
            f"/rubrics/new/?competency={competency.pk}",
            f"/rubrics/{rubric.pk}/edit/",
            f"/scales/{published.framework.scale_id}/",
            "/scales/new/",
        ],
        "state-analyst": ["/sections/"],
    }


PHONE_ROLES = {"", "student", "teacher"}


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_pages_have_no_serious_accessibility_violations(
    browser: Browser, demo_site: str, viewport: tuple[int, int]
) -> None:
    failures: list[str] = []
    pages = {"": ["/login/"], **role_pages()}
    if viewport[0] < 600:
        # On a phone: the pages people open there (signing in, a student's record, a teacher's rosters); the
        # administrators' authoring pages are checked at desktop width, where they are used, and every
        # role's journey is checked at both widths (tests/e2e/test_role_journeys.py).
        pages = {role: paths for role, paths in pages.items() if role in PHONE_ROLES}
    for username, paths in pages.items():
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        page = context.new_page()
        if username:
            sign_in(page, demo_site, username)
        for path in paths:
            page.goto(demo_site + path)
            for violation in axe_violations(page):
                if violation["impact"] in BLOCKING:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    who = username or "anonymous"
                    failures.append(f"{who} {path}: {violation['id']} ({violation['impact']}) {targets}")
        context.close()
    assert failures == [], "\n".join(failures)

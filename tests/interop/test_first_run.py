"""The first-run page and its checklist: each step done by what the district holds, for its district
administrators only, in a bounded number of queries."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.interop import roster_kit as kit
from waypoint.core.audit import RequestContext
from waypoint.core.models import User
from waypoint.interop.models import IdentityProvider, RosterImport
from waypoint.interop.selectors.first_run import first_run_state
from waypoint.interop.services.roster_import import roster_import
from waypoint.interop.services.setup import SetupResult, district_setup

CASE_FILE = Path(__file__).parents[1] / "frameworks" / "fixtures" / "case_rubrics.json"


def fresh_district() -> SetupResult:
    return district_setup(
        state_name="Connecticut",
        state_code="CT",
        district_name="Maple Valley Public Schools",
        district_slug="maple-valley",
        schools=[],
        admin_username="mv-admin",
        admin_email="it@maple-valley.example.org",
        admin_first_name="Nora",
        admin_last_name="Quinn",
        admin_password=None,
    )


@pytest.fixture
def fresh(load_demo_into_empty_db: Callable[..., Any]) -> SetupResult:
    """A database with nothing but one district set up (the demo emptied inside the test's transaction)."""
    return fresh_district()


def test_each_step_is_done_by_what_the_district_holds(fresh: SetupResult, tmp_path: Path) -> None:
    district = fresh.district
    state = first_run_state(district)
    assert (state.roster_done, state.framework_done, state.staff_done, state.sign_in_done) == (
        False,
        False,
        False,
        False,
    )
    assert state.steps_left == 3
    assert state.last_import is None

    run = roster_import(
        context=RequestContext(user=fresh.admin, acting_district_id=district.pk),
        district=district,
        source=kit.write_roster(tmp_path / "kit"),
        source_name="kit",
    )
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    state = first_run_state(district)
    assert state.roster_done
    assert state.students == 12
    assert state.staff == 3, "the kit's three teachers (its district administrator is not invited staff)"
    assert state.last_import == run
    assert not state.staff_done

    call_command("import-case", str(CASE_FILE), "--no-progress", stdout=io.StringIO())
    assert first_run_state(district).framework_done, "the state's framework is one the district uses"

    teacher = User.objects.get(sourced_id=kit.sid("teacher-1"))
    teacher.last_login = timezone.now()
    teacher.save()
    state = first_run_state(district)
    assert (state.staff_signed_in, state.staff_done, state.done) == (1, True, True)
    assert not state.sign_in_done, "the provider is optional, and not configured"

    IdentityProvider.objects.create(
        district=district, display_name="Maple ID", issuer="https://id.example.org", client_id="waypoint"
    )
    assert first_run_state(district).sign_in_done


def test_the_page_shows_the_checklist(fresh: SetupResult) -> None:
    client = Client()
    client.force_login(fresh.admin)
    response = client.get(reverse("interop-first-run"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Set up Maple Valley Public Schools" in page
    assert "3 steps are left" in page
    for heading in (
        "1. Import your roster",
        "2. Import or adopt a competency framework",
        "3. Invite your staff",
    ):
        assert heading in page
    assert page.count(">To do<") == 3
    for name in (
        "interop-roster-import-new",
        "framework-import",
        "password_reset",
        "interop-sign-in-settings",
        "interop-roster-export",
    ):
        assert f'href="{reverse(name)}"' in page, name


def test_only_district_administrators_see_it(demo: Demo) -> None:
    url = reverse("interop-first-run")
    for username, status in (
        ("district-admin", 200),
        ("school-admin", 403),
        ("teacher", 403),
        ("student", 403),
    ):
        client = Client()
        client.force_login(demo.users[username])
        assert client.get(url).status_code == status, username
    assert Client().get(url).status_code == 302


def test_the_state_and_the_page_take_few_queries(demo: Demo) -> None:
    with CaptureQueriesContext(connection) as state_queries:
        state = first_run_state(demo.riverside)
    assert state.roster_done
    assert len(state_queries) <= 6
    client = Client()
    client.force_login(demo.users["district-admin"])
    client.get(reverse("interop-first-run"))  # the session and its caches, once
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get(reverse("interop-first-run")).status_code == 200
    assert len(page_queries) <= 20, [query["sql"] for query in page_queries]

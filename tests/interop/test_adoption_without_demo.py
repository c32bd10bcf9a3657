"""A district adopts Waypoint without the demo: a fresh database goes through `waypoint setup`, its
administrator imports the district's OneRoster set and configures its identity provider, and a rostered
teacher signs in through that provider (a real one, in a second process on 127.0.0.1)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from tests.interop import roster_kit as kit
from tests.interop.oidc_kit import OidcProvider, oidc_provider, sign_in_at_provider
from waypoint.core.audit import RequestContext
from waypoint.core.models import Organization, RoleAssignment, Student, User
from waypoint.interop.models import ExternalIdentity, RosterImport
from waypoint.interop.services.roster_import import roster_import
from waypoint.interop.services.sign_in import SignInSettings, sign_in_settings_save

__all__ = ["oidc_provider"]


def test_a_fresh_database_goes_from_setup_to_a_teacher_signed_in_through_the_provider(
    load_demo_into_empty_db: Callable[..., Any], tmp_path: Path, oidc_provider: OidcProvider
) -> None:
    # `load_demo_into_empty_db` empties every Waypoint table (inside this test's transaction); nothing
    # loads the demo again.
    assert not Organization.objects.exists()
    assert not User.objects.exists()

    out = io.StringIO()
    call_command(
        "setup",
        "--no-input",
        "--state=Vermont:VT",
        "--district=Green Valley Unified:green-valley",
        "--school=Green Valley High:9-12",
        "--admin-username=gv.admin",
        "--admin-email=admin@green-valley.invalid",
        "--admin-name=Gale Admin",
        stdout=out,
    )
    district = Organization.objects.get(slug="green-valley", kind=Organization.Kind.DISTRICT)
    admin = User.objects.get(username="gv.admin")
    assert RoleAssignment.objects.filter(user=admin, organization=district, role="district_admin").exists()

    run = roster_import(
        context=RequestContext(user=admin),
        district=district,
        source=kit.write_roster(tmp_path / "roster"),
        source_name="kit roster",
    )
    assert run.status == RosterImport.Status.IMPORTED, run.problems
    teacher = User.objects.get(username=kit.username("teacher-1"))
    assert teacher.district == district
    assert Student.objects.filter(district=district).count() == 12

    sign_in_settings_save(
        context=RequestContext(user=admin),
        district=district,
        entered=SignInSettings(
            display_name="Green Valley Google",
            issuer=oidc_provider.issuer,
            client_id=oidc_provider.client_id,
            client_secret=oidc_provider.client_secret,
            match_claim="email",
            match_field="email",
            required_for_staff=True,
            enabled=True,
        ),
    )
    oidc_provider.add_user(
        "gv-teacher-1", email=kit.email("teacher-1"), first_name="Kit", last_name="Teacher"
    )

    client = Client()
    login_page = client.get("/login/").content.decode()
    assert "Sign in with Green Valley Google (Green Valley Unified)" in login_page
    start = client.get("/login/provider/green-valley/")
    assert start.status_code == 302
    response = client.get(sign_in_at_provider(start["Location"], "gv-teacher-1"))

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(teacher.pk)
    assert ExternalIdentity.objects.get(user=teacher).provider.district == district
    assert client.get("/").status_code == 200

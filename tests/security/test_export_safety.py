"""Bulk export safety (issue 17): no endpoint or export returns more than one district's students; exports
of student records need a sign-in within the last 15 minutes, share one hourly allowance, and are audited."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.interop.oidc_kit import OidcProvider, oidc_provider, sign_in_at_provider
from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.demo import DEMO_PASSWORD, FIXED_ACCOUNTS
from waypoint.core.export_limits import (
    STUDENT_EXPORTS_PER_HOUR,
    ExportsExhausted,
    student_export_allowance_check,
)
from waypoint.core.models import AuditAction, AuditEvent, Student, User
from waypoint.core.recent_sign_in import RECENT_SIGN_IN, SIGNED_IN_AT_SESSION_KEY
from waypoint.core.services import access_token_create
from waypoint.interop.models import IdentityProvider
from waypoint.site.api import api

__all__ = ["oidc_provider"]

ROSTER_PAGE = "/rosters/export/"
ROSTER_API = "/api/v1/interop/rosters/export"


def _signed_in(user: User, *, minutes_ago: int = 0) -> Client:
    client = Client()
    client.force_login(user)
    if minutes_ago:
        session = client.session
        session[SIGNED_IN_AT_SESSION_KEY] = (
            timezone.now() - datetime.timedelta(minutes=minutes_ago)
        ).isoformat()
        session.save()
    return client


def _roster_exports(user: User) -> int:
    return AuditEvent.objects.filter(
        actor=user, action=AuditAction.EXPORT, object_type="roster-export", student__isnull=True
    ).count()


# The recent sign-in ----------------------------------------------------------------------------------------


def test_a_fresh_sign_in_exports_and_an_old_one_is_sent_to_confirm(demo: Demo) -> None:
    admin = demo.users["district-admin"]
    assert _signed_in(admin).get(ROSTER_PAGE).status_code == 200
    stale = _signed_in(admin, minutes_ago=16)
    page = stale.get(ROSTER_PAGE)
    assert page.status_code == 302
    assert page["Location"] == reverse("confirm-identity") + "?next=%2Frosters%2Fexport%2F"
    # A POST is sent to confirm too, and comes back as the page, not as a second download.
    download = stale.post(ROSTER_PAGE)
    assert download.status_code == 302
    assert download["Location"].startswith(reverse("confirm-identity"))
    assert _roster_exports(admin) == 0, "nothing was exported on an old sign-in"


def test_a_session_without_a_sign_in_time_counts_as_old(demo: Demo) -> None:
    client = _signed_in(demo.users["district-admin"])
    session = client.session
    del session[SIGNED_IN_AT_SESSION_KEY]
    session.save()
    assert client.get(ROSTER_PAGE).status_code == 302


def test_the_api_refuses_an_old_sign_in_with_where_to_confirm(demo: Demo) -> None:
    admin = demo.users["district-admin"]
    response = _signed_in(admin, minutes_ago=int(RECENT_SIGN_IN.total_seconds() // 60) + 1).get(ROSTER_API)
    assert response.status_code == 403
    assert "/account/confirm/" in response.json()["detail"]
    assert _roster_exports(admin) == 0
    assert _signed_in(admin, minutes_ago=14).get(ROSTER_API).status_code == 200


def test_a_token_exports_only_after_its_owner_signed_in_recently(demo: Demo) -> None:
    admin = demo.users["district-admin"]
    _, secret = access_token_create(context=RequestContext(user=admin), user=admin, name="script")
    headers = {"Authorization": f"Bearer {secret}"}
    User.objects.filter(pk=admin.pk).update(last_login=timezone.now() - datetime.timedelta(hours=3))
    refused = Client().get(ROSTER_API, headers=headers)
    assert refused.status_code == 403
    User.objects.filter(pk=admin.pk).update(last_login=timezone.now() - datetime.timedelta(minutes=2))
    assert Client().get(ROSTER_API, headers=headers).status_code == 200


def test_confirming_with_the_password_renews_the_sign_in(demo: Demo) -> None:
    admin = demo.users["district-admin"]
    client = _signed_in(admin, minutes_ago=30)
    confirm = reverse("confirm-identity") + "?next=/rosters/export/"
    page = client.get(confirm)
    assert page.status_code == 200
    assert b'name="password"' in page.content
    wrong = client.post(confirm, {"password": "not-the-password", "next": ROSTER_PAGE})
    assert wrong.status_code == 200
    assert client.get(ROSTER_PAGE).status_code == 302, "a wrong password renews nothing"
    right = client.post(confirm, {"password": DEMO_PASSWORD, "next": ROSTER_PAGE})
    assert right.status_code == 302
    assert right["Location"] == ROSTER_PAGE
    assert client.get(ROSTER_PAGE).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, path=reverse("confirm-identity")
    ).exists()


def test_confirming_never_sends_to_another_site(demo: Demo) -> None:
    client = _signed_in(demo.users["district-admin"], minutes_ago=30)
    answer = client.post(
        reverse("confirm-identity"), {"password": DEMO_PASSWORD, "next": "https://elsewhere.example/"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("home")


def test_staff_of_a_district_that_requires_its_provider_confirm_there(demo: Demo) -> None:
    IdentityProvider.objects.update_or_create(
        district=demo.riverside,
        defaults={
            "display_name": "Riverside Login",
            "issuer": "https://login.riverside.example",
            "client_id": "waypoint",
            "enabled": True,
            "required_for_staff": True,
        },
    )
    client = _signed_in(demo.users["district-admin"], minutes_ago=30)
    page = client.get(reverse("confirm-identity") + "?next=/rosters/export/")
    assert page.status_code == 200
    assert b'name="password"' not in page.content
    assert b"/login/provider/riverside/?next=/rosters/export/" in page.content
    # A password sent anyway is not even tried.
    client.post(reverse("confirm-identity"), {"password": DEMO_PASSWORD})
    assert client.get(ROSTER_PAGE).status_code == 302


def test_confirming_through_the_districts_provider_renews_the_sign_in(
    demo: Demo, oidc_provider: OidcProvider
) -> None:
    """The provider's way back is a sign-in like the first: the confirm page's link starts it, and the
    callback records a fresh sign-in in the session and returns to the page asked for."""
    oidc_provider.configure(demo.riverside)
    client = _signed_in(demo.users["teacher"], minutes_ago=30)
    page = client.get(reverse("confirm-identity") + "?next=/students/")
    link = b"/login/provider/riverside/?next=/students/"
    assert link in page.content
    authorize = client.get(link.decode())
    assert authorize.status_code == 302
    back = client.get(sign_in_at_provider(str(authorize["Location"]), "teacher"))
    assert back["Location"] == "/students/"
    signed_in = datetime.datetime.fromisoformat(client.session[SIGNED_IN_AT_SESSION_KEY])
    assert timezone.now() - signed_in < datetime.timedelta(minutes=1)


# The shared allowance --------------------------------------------------------------------------------------


def test_the_allowance_counts_student_level_exports_not_figures(demo: Demo) -> None:
    admin = demo.users["district-admin"]
    now = timezone.now()

    def export(kind: str, minutes_ago: int) -> None:
        AuditEvent.objects.create(
            actor=admin,
            actor_username=admin.username,
            action=AuditAction.EXPORT,
            object_type=kind,
            district=demo.riverside,
            occurred_at=now - datetime.timedelta(minutes=minutes_ago),
        )

    for _ in range(10):
        export("insights-export", 5)
    export("roster-export", 61)
    for _ in range(STUDENT_EXPORTS_PER_HOUR - 1):
        export("roster-export", 30)
    student_export_allowance_check(actor=admin, now=now)
    export("roster-export", 1)
    with pytest.raises(ExportsExhausted) as refused:
        student_export_allowance_check(actor=admin, now=now)
    assert refused.value.status == 429
    # Past the hour of the oldest counted one, the allowance is back.
    student_export_allowance_check(actor=admin, now=now + datetime.timedelta(minutes=31))


# One district's students, whatever the endpoint -------------------------------------------------------------


def _student_ids(value: Any, *, students: bool = False) -> set[int]:
    """Every student id in a JSON answer: under `student_id` or `student` (an id or an object with an `id`),
    in a `students` list (not a count of students, as aggregates give), and with `students` the ids of the
    objects (the items of the student list)."""
    found: set[int] = set()
    if isinstance(value, dict):
        if students and isinstance(value.get("id"), int):
            found.add(value["id"])
        for name, item in value.items():
            if name in {"student", "student_id"} or (name == "students" and isinstance(item, list)):
                found |= _student_ids(item, students=True)
            else:
                found |= _student_ids(item, students=students and name == "items")
    elif isinstance(value, list):
        for item in value:
            found |= _student_ids(item, students=students)
    elif students and isinstance(value, int) and not isinstance(value, bool):
        found.add(value)
    return found


def _list_endpoints() -> list[str]:
    """Every GET of the API that takes no id in its path: the lists, and the roster export."""
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        path
        for path, operations in paths.items()
        if "get" in operations
        and not any(parameter["in"] == "path" for parameter in operations["get"].get("parameters", []))
    )


def test_no_endpoint_or_export_answers_another_districts_students(demo: Demo) -> None:
    """For every demo account (each role with API access), every list of the API and the roster export:
    each student id the answer holds, and each student the export names in the audit log, is of the
    district the account acts for."""
    endpoints = _list_endpoints()
    assert ROSTER_API in endpoints
    assert "/api/v1/students" in endpoints
    seen_students = 0
    problems: list[str] = []
    for username in FIXED_ACCOUNTS:
        user = demo.users[username]
        acting = policy.access_context(user).acting_district_id
        client = _signed_in(user)
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        named: set[int] = set()
        for path in endpoints:
            response = client.get(path, {"page_size": 100} if path != ROSTER_API else {})
            if response.status_code != 200 or not response["Content-Type"].startswith("application/json"):
                continue
            body = json.loads(response.content)
            named |= _student_ids(body, students=path == "/api/v1/students")
        # The export's file names its students in the audit log, one event each.
        named |= set(
            AuditEvent.objects.filter(
                pk__gt=before, actor=user, action=AuditAction.EXPORT, student__isnull=False
            ).values_list("student_id", flat=True)
        )
        districts = set(Student.objects.filter(pk__in=named).values_list("district_id", flat=True))
        seen_students += len(named)
        if districts - {acting}:
            problems.append(f"{username} (acting for {acting}) got students of districts {sorted(districts)}")
    assert problems == []
    assert seen_students > 0, "the walk reached students at all"

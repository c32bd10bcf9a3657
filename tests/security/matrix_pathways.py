"""Authorization-matrix rows of paths of study: recommendations, an opportunity's page and participants,
paths, the approval queue and the equal access report, pages and API. (Profiles and plans:
`matrix_profiles.py`; the catalog: `matrix_catalog.py`, whose `opportunity` target the rows below use too.)

A student's paths and recommendations are read by whoever reads the student (404 for everyone else). Only
the student proposes a path, only for themselves (403 for the other readers, guardians included); only staff
with the student in scope approve, send back, start or complete a path (403 for the student and the guardian:
nobody approves their own proposal). The external mentor sees a path only while it is active and it is
theirs: 404 on a proposed path, on the student's record, profile and plan, and on another district's path.
An opportunity's page is read within its district; its participants are for the district's staff; the equal
access report is for school and district administrators."""

from __future__ import annotations

import datetime

from django.db.models import Model
from django.utils import timezone

from tests.security.matrix_catalog import (
    ADMINS,
    CURATORS,
    IN_OWN_DISTRICT,
    matrix_opportunity,
    matrix_provider,
)
from tests.security.matrix_kit import OTHER, OWN, READS_OWN_STUDENT, Row, everyone, same_for_both
from tests.security.matrix_profiles import GUIDES_OWN, START, guided, readers, student_action, target_student
from waypoint.catalog.models import Opportunity
from waypoint.core.models import Organization, User
from waypoint.pathways.models import PathProposal, PathStatus

STAFF = CURATORS | {"advisor"}
DATES = {"starts_on": START.isoformat(), "ends_on": (START + datetime.timedelta(days=60)).isoformat()}
ACTIVE_PATH = {"<int:path_id>": "active_path"}
PROPOSAL = {
    "student_id": "<int:student_id>",
    "opportunity_id": "<int:fresh_opportunity_id>",
    "rationale": "Matrix",
}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "students/<int:student_id>/recommendations/": readers(),
    "opportunities/<int:opportunity_id>/": Row(allowed={OWN: IN_OWN_DISTRICT, OTHER: {"other-teacher"}}),
    "paths/": everyone(leak_check=True),
    "paths/new/": same_for_both({"student"}, 403),
    "paths/queue/": same_for_both(STAFF, 403, leak_check=True),
    "paths/<int:path_id>/": (
        readers(),
        # The mentor of an active path sees it; another district's mentor does not.
        readers(allowed={OWN: READS_OWN_STUDENT | {"mentor"}, OTHER: {"other-teacher"}}, objects=ACTIVE_PATH),
    ),
    "paths/<int:path_id>/edit/": student_action({"student"}, set()),
    "paths/<int:path_id>/decide/": (
        guided(ok=302, method="post"),
        # Seeing an active path does not let its mentor decide anything about it.
        Row(
            allowed={OWN: GUIDES_OWN, OTHER: {"other-teacher"}},
            overrides={(role, OWN): 403 for role in {"student", "guardian", "mentor"}},
            ok=302,
            method="post",
            objects=ACTIVE_PATH,
        ),
    ),
    "paths/<int:path_id>/status/": guided(ok=302, method="post"),
    # Work is added from an active path's page by its student and its mentor (the empty form comes back with
    # its problems, 400); the other readers of the path may not (403), nobody else sees it (404).
    "paths/<int:path_id>/evidence/": student_action(
        {"student", "mentor"}, set(), ok=400, method="post", multipart=True, payload={}, objects=ACTIVE_PATH
    ),
    "access-report/": same_for_both(ADMINS, 403),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/students/<int:student_id>/recommendations": readers(anonymous=401),
    "api/v1/opportunities/<int:opportunity_id>/participants": Row(
        allowed={OWN: GUIDES_OWN, OTHER: {"other-teacher"}},
        overrides={(role, OWN): 403 for role in {"student", "guardian", "mentor"}},
        anonymous=401,
    ),
    # The API's path lists name students by `student_id`, and a path's own `id` would set off the matrix's
    # leak check (which reads `"id": <student id>`): tests/pathways check the API lists' scope instead.
    "api/v1/paths": (
        everyone(anonymous=401),
        # A student proposes only for themselves: the guardian and staff who read the student get 403.
        student_action(
            {"student"}, set(), ok=201, anonymous=401, method="post", payload={**PROPOSAL, **DATES}
        ),
    ),
    "api/v1/paths/<int:path_id>": (
        readers(anonymous=401),
        readers(
            allowed={OWN: READS_OWN_STUDENT | {"mentor"}, OTHER: {"other-teacher"}},
            anonymous=401,
            objects=ACTIVE_PATH,
        ),
        student_action(
            {"student"}, set(), anonymous=401, method="put", payload={"rationale": "Matrix, revised", **DATES}
        ),
    ),
    # Staff who guide the student pass the access check and reach the service, which refuses to send a
    # proposal back without saying what should change (400); the student may not decide on their own (403).
    "api/v1/paths/<int:path_id>/decision": guided(
        ok=400, anonymous=401, method="post", payload={"decision": "request_changes", "notes": ""}
    ),
    # A proposed path cannot be completed: the deciders reach that refusal (400), nobody else does.
    "api/v1/paths/<int:path_id>/status": guided(
        ok=400, anonymous=401, method="post", payload={"to": "completed"}
    ),
    "api/v1/path-queue": same_for_both(STAFF, 403, anonymous=401),
    "api/v1/access-report": same_for_both(ADMINS, 403, anonymous=401),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """A proposed path of the target student and an active path with a mentor; an opportunity open to a new
    proposal."""
    student = target_student(district, users)
    provider = matrix_provider(district)
    today = timezone.localdate()
    proposed = PathProposal.objects.create(
        student=student,
        district=district,
        status=PathStatus.PROPOSED,
        opportunity=matrix_opportunity(district, provider, "Matrix project"),
        rationale="Matrix rationale",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=60),
        proposed_by=student.user,
    )
    mentors = User.objects.filter(role_assignments__role="mentor", role_assignments__district=district)
    active = PathProposal.objects.filter(
        student=student, status=PathStatus.ACTIVE, mentor__isnull=False
    ).first()
    if active is None:
        active = PathProposal.objects.create(
            student=student,
            district=district,
            status=PathStatus.ACTIVE,
            opportunity=Opportunity.objects.get(district=district, title="Precision machining internship"),
            rationale="Matrix rationale",
            starts_on=today - datetime.timedelta(days=7),
            ends_on=today + datetime.timedelta(days=60),
            mentor=mentors.order_by("pk")[0],
        )
    return {
        "path": proposed,
        "active_path": active,
        "fresh_opportunity": matrix_opportunity(district, provider, "Matrix open project"),
    }

"""Authorization-matrix rows of multiple paths of study: profiles, success plans, recommendations, the
catalog, providers, paths and the equal access report, pages and API.

A student's profile, plan, paths and recommendations are read by whoever reads the student (404 for everyone
else). Only the student keeps the profile and proposes a path, only for themselves (403 for the other
readers, guardians included); only staff with the student in scope approve, send back, start or complete a
path, review the plan and comment on the profile (403 for the student and the guardian: nobody approves their
own proposal). The external mentor sees a path only while it is active and it is theirs: 404 on a proposed
path, on the student's record, profile and plan, and on another district's path. The catalog is read within
its district; teachers and administrators curate it and read every district's shared templates; the equal
access report is for school and district administrators."""

from __future__ import annotations

import datetime

from django.db.models import Model
from django.utils import timezone

from tests.security.matrix_kit import OTHER, OWN, READS_OWN_STUDENT, SIGNED_IN, Row, everyone, same_for_both
from waypoint.core.models import Organization, Section, Student, User
from waypoint.pathways import services
from waypoint.pathways.models import Opportunity, PathProposal, PathStatus, PlanGoal, Provider

CURATORS = {"teacher", "teacher-uncertified", "school-admin", "district-admin", "other-teacher"}
OWN_CURATORS = CURATORS - {"other-teacher"}
STAFF = CURATORS | {"advisor"}
ADMINS = {"school-admin", "district-admin"}
# Staff who guide `student`: teaching, caseload or administration (never the student or the guardian).
GUIDES_OWN = READS_OWN_STUDENT - {"student", "guardian"}
IN_OWN_DISTRICT = set(SIGNED_IN) - {"other-teacher", "state-analyst"}
NON_CURATORS_OWN = IN_OWN_DISTRICT - OWN_CURATORS
START = timezone.localdate() - datetime.timedelta(days=1)
DATES = {"starts_on": START.isoformat(), "ends_on": (START + datetime.timedelta(days=60)).isoformat()}


def readers(**kwargs: object) -> Row:
    """Everyone who reads the target student gets `ok`; everyone else 404 (the mentor included)."""
    allowed = kwargs.pop("allowed", {OWN: READS_OWN_STUDENT, OTHER: {"other-teacher"}})
    return Row(allowed=allowed, **kwargs)  # type: ignore[arg-type]


def student_action(own: set[str], other: set[str], **kwargs: object) -> Row:
    """Readers of the student who may take the action get `ok`; the other readers 403; the rest 404."""
    overrides = {
        **{(role, OWN): 403 for role in READS_OWN_STUDENT - own},
        **{(role, OTHER): 403 for role in {"other-teacher"} - other},
    }
    return Row(allowed={OWN: own, OTHER: other}, overrides=overrides, **kwargs)  # type: ignore[arg-type]


def guided(**kwargs: object) -> Row:
    return student_action(GUIDES_OWN, {"other-teacher"}, **kwargs)


ACTIVE_PATH = {"<int:path_id>": "active_path"}
OPPORTUNITY_EDIT = {
    **{(role, OWN): 403 for role in IN_OWN_DISTRICT - ADMINS},
    ("other-teacher", OTHER): 403,
}
COPY = {(role, OWN): 403 for role in NON_CURATORS_OWN}
TEMPLATE = {"<int:opportunity_id>": "template"}
PROPOSAL = {
    "student_id": "<int:student_id>",
    "opportunity_id": "<int:fresh_opportunity_id>",
    "rationale": "Matrix",
}
OPPORTUNITY = {
    "title": "Matrix opportunity",
    "kind": "project",
    "provider_id": "<int:provider_id>",
    "location": "on_campus",
}
# A provider in the target's district: the curators of the other district name a provider not theirs (400).
FOREIGN_PROVIDER = {
    **{(role, OTHER): 400 for role in OWN_CURATORS},
    ("other-teacher", OWN): 400,
}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "students/<int:student_id>/profile/": readers(),
    "students/<int:student_id>/profile/edit/": student_action({"student"}, set()),
    "students/<int:student_id>/profile/history/": readers(),
    "students/<int:student_id>/profile/comments/": guided(ok=302, method="post"),
    "students/<int:student_id>/plan/": readers(),
    "students/<int:student_id>/plan/goals/new/": student_action(GUIDES_OWN | {"student"}, {"other-teacher"}),
    "students/<int:student_id>/plan/reviews/": guided(ok=302, method="post"),
    "students/<int:student_id>/plan/acknowledge/": student_action({"guardian"}, set(), ok=302, method="post"),
    "students/<int:student_id>/recommendations/": readers(),
    "plan-goals/<int:goal_id>/edit/": student_action(GUIDES_OWN | {"student"}, {"other-teacher"}),
    "opportunities/": everyone(),
    "opportunities/new/": same_for_both(CURATORS, 403),
    "opportunities/templates/": same_for_both(CURATORS, 403),
    "opportunities/<int:opportunity_id>/": Row(allowed={OWN: IN_OWN_DISTRICT, OTHER: {"other-teacher"}}),
    "opportunities/<int:opportunity_id>/edit/": Row(
        allowed={OWN: ADMINS, OTHER: set()}, overrides=OPPORTUNITY_EDIT
    ),
    "opportunities/<int:opportunity_id>/copy/": Row(
        allowed={OWN: CURATORS, OTHER: CURATORS}, overrides=COPY, objects=TEMPLATE
    ),
    "providers/": same_for_both(CURATORS, 403),
    "providers/new/": same_for_both(CURATORS, 403),
    "providers/<int:provider_id>/edit/": Row(allowed={OWN: OWN_CURATORS, OTHER: {"other-teacher"}}),
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
    "access-report/": same_for_both(ADMINS, 403),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/students/<int:student_id>/profile": (
        readers(anonymous=401),
        student_action(
            {"student"}, set(), anonymous=401, method="put", payload={"interests": ["robotics", "matrix"]}
        ),
    ),
    "api/v1/students/<int:student_id>/profile/history": readers(anonymous=401),
    "api/v1/students/<int:student_id>/profile/comments": guided(
        ok=201, anonymous=401, method="post", payload={"text": "Matrix comment"}
    ),
    "api/v1/students/<int:student_id>/plan": readers(anonymous=401),
    "api/v1/students/<int:student_id>/plan/goals": student_action(
        GUIDES_OWN | {"student"},
        {"other-teacher"},
        ok=201,
        anonymous=401,
        method="post",
        payload={"domain": "academic", "statement": "Matrix goal"},
    ),
    "api/v1/students/<int:student_id>/plan/reviews": guided(
        ok=201, anonymous=401, method="post", payload={"reviewed_on": START.isoformat()}
    ),
    "api/v1/students/<int:student_id>/plan/acknowledgements": student_action(
        {"guardian"}, set(), ok=201, anonymous=401, method="post", payload={}
    ),
    "api/v1/students/<int:student_id>/recommendations": readers(anonymous=401),
    "api/v1/plan-goals/<int:goal_id>": student_action(
        GUIDES_OWN | {"student"},
        {"other-teacher"},
        anonymous=401,
        method="put",
        payload={"domain": "career", "statement": "Matrix goal, revised"},
    ),
    "api/v1/opportunities": (
        everyone(anonymous=401),
        Row(
            allowed={OWN: OWN_CURATORS, OTHER: {"other-teacher"}},
            refused={OWN: 403, OTHER: 403},
            overrides=FOREIGN_PROVIDER,
            ok=201,
            anonymous=401,
            method="post",
            payload=OPPORTUNITY,
        ),
    ),
    "api/v1/opportunities/<int:opportunity_id>": (
        Row(allowed={OWN: IN_OWN_DISTRICT, OTHER: {"other-teacher"}}, anonymous=401),
        Row(
            allowed={OWN: ADMINS, OTHER: set()},
            overrides=OPPORTUNITY_EDIT,
            anonymous=401,
            method="put",
            payload=OPPORTUNITY,
        ),
    ),
    "api/v1/opportunities/<int:opportunity_id>/participants": Row(
        allowed={OWN: GUIDES_OWN, OTHER: {"other-teacher"}},
        overrides={(role, OWN): 403 for role in {"student", "guardian", "mentor"}},
        anonymous=401,
    ),
    "api/v1/opportunities/<int:opportunity_id>/copies": Row(
        allowed={OWN: CURATORS, OTHER: CURATORS},
        overrides={**COPY, **FOREIGN_PROVIDER},
        ok=201,
        anonymous=401,
        method="post",
        objects=TEMPLATE,
        payload={"provider_id": "<int:provider_id>"},
    ),
    "api/v1/opportunity-templates": same_for_both(CURATORS, 403, anonymous=401),
    "api/v1/providers": (
        same_for_both(CURATORS, 403, anonymous=401),
        # Curators pass the access check and reach validation: a website that is not http(s) is refused.
        same_for_both(
            CURATORS,
            403,
            ok=400,
            anonymous=401,
            method="post",
            payload={"name": "Matrix provider", "kind": "employer", "website": "ftp://example.org"},
        ),
    ),
    "api/v1/providers/<int:provider_id>": Row(
        allowed={OWN: OWN_CURATORS, OTHER: {"other-teacher"}},
        anonymous=401,
        method="put",
        payload={"name": "Matrix provider, renamed", "kind": "nonprofit"},
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


def _target_student(district: Organization, users: dict[str, User]) -> Student:
    """`student` in Riverside; in Hillcrest the first student of other-teacher's first section (as the core
    matrix chooses)."""
    if district.slug == "riverside":
        return Student.objects.get(user__username="student")
    section = Section.objects.filter(teachers=users["other-teacher"]).order_by("pk")[0]
    return section.roster.order_by("pk")[0].student


def _opportunity(district: Organization, provider: Provider, title: str) -> Opportunity:
    return services.opportunity_save(
        district=district,
        fields=services.OpportunityFields(
            title=title, kind="project", provider=provider, location="on_campus"
        ),
        actor=None,
    )


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """The target student's success plan goal, a proposed path and an active path with a mentor; an
    opportunity of the district, a template it shares, one open to a new proposal; a provider."""
    student = _target_student(district, users)
    provider = Provider.objects.get(district=district, name__contains="Historical Society")
    shared = Opportunity.objects.get(district=district, title="Food bank volunteer crew")
    shared.shared_as_template = True
    shared.save(update_fields=["shared_as_template"])
    today = timezone.localdate()
    proposed = PathProposal.objects.create(
        student=student,
        district=district,
        status=PathStatus.PROPOSED,
        opportunity=_opportunity(district, provider, "Matrix project"),
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
        "goal": PlanGoal.objects.filter(plan__student=student).order_by("pk")[0],
        "path": proposed,
        "active_path": active,
        "opportunity": Opportunity.objects.get(district=district, title="Spring musical company"),
        "template": shared,
        "fresh_opportunity": _opportunity(district, provider, "Matrix open project"),
        "provider": provider,
    }

"""Authorization-matrix rows of the accountability figures (insights), pages and API.

Every figure is an aggregate (`waypoint.policy.insights`):

- The dashboard and its exports: the district's administrators (the whole district) and a school's
  administrators (their school); everyone else signed in is refused (403). No id in the address, so the
  own and other targets are the same request.
- Refreshing the figures: the district's administrators only.
- The state view: the state's analysts only.
- Graduation rates and the self-study: the district's administrators and the state's analysts.
- Action plans: a school's administrators and the district's administrators; a plan of a school they do not
  read answers 404 (another district's), and someone who reads no school's plans at all is refused (403).
  The target plans are the matrix's own (one per district, at its high school, each with an open action):
  marking the action done answers 302 to the first administrator and 409 to the next (already done).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tests.security.matrix_kit import OTHER, OWN, Row, same_for_both
from waypoint.core.models import Organization, Role, User
from waypoint.insights.models import ActionPlan, ActionStep

DISTRICT_ADMIN = {"district-admin"}
ADMINS = {"district-admin", "school-admin"}
ANALYST = {"state-analyst"}
GOAL_ON = (timezone.localdate() + datetime.timedelta(days=120)).isoformat()
EXPORT = "?table=growth&format=csv"
DISTRICT = "?district=<int:district_id>"


def plan_row(**kwargs: object) -> Row:
    """A plan of the target district's high school: its administrators (the school's, in Riverside, and the
    district's) act on their own; another district's plan is missing to them; nobody else reads plans."""
    return Row(
        allowed={OWN: ADMINS, OTHER: set()},
        refused={OWN: 403, OTHER: 403},
        overrides={(role, OTHER): 404 for role in ADMINS},
        **kwargs,  # type: ignore[arg-type]
    )


def district_figures(**kwargs: object) -> Row:
    """A district's graduation rates or self-study, asked for by id: its administrators and the state's
    analysts read it; to another district's administrator that district's figures are missing (404)."""
    return Row(
        allowed={OWN: DISTRICT_ADMIN | ANALYST, OTHER: ANALYST},
        refused={OWN: 403, OTHER: 403},
        overrides={("district-admin", OTHER): 404},
        query=DISTRICT,
        **kwargs,  # type: ignore[arg-type]
    )


ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "insights/": same_for_both(ADMINS, 403),
    "insights/refresh/": same_for_both(DISTRICT_ADMIN, 403, ok=302, method="post"),
    "insights/export/": same_for_both(ADMINS, 403, query=EXPORT),
    "insights/state/": same_for_both(ANALYST, 403),
    "insights/graduation/": district_figures(),
    "insights/self-study/": district_figures(),
    "insights/plans/": same_for_both(ADMINS, 403),
    "insights/plans/new/": (
        same_for_both(ADMINS, 403),
        # An empty form comes back with its problems.
        same_for_both(ADMINS, 403, ok=400, method="post"),
    ),
    "insights/plans/<int:plan_id>/": (
        plan_row(),
        # A status change without its fields comes back with its problems.
        plan_row(ok=400, method="post"),
    ),
    "insights/plans/<int:plan_id>/steps/": plan_row(ok=400, method="post"),
    "insights/plans/<int:plan_id>/steps/<int:step_id>/done/": Row(
        allowed={OWN: ADMINS, OTHER: set()},
        refused={OWN: 403, OTHER: 403},
        overrides={**{(role, OTHER): 404 for role in ADMINS}, ("district-admin", OWN): 409},
        ok=302,
        method="post",
    ),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/insights/dashboard": same_for_both(ADMINS, 403, anonymous=401),
    "api/v1/insights/refresh": same_for_both(DISTRICT_ADMIN, 403, anonymous=401, method="post"),
    "api/v1/insights/exports/<str:table>": same_for_both(ADMINS, 403, anonymous=401, query="?format=csv"),
    "api/v1/insights/state": same_for_both(ANALYST, 403, anonymous=401),
    "api/v1/insights/graduation": district_figures(anonymous=401),
    "api/v1/insights/self-study": district_figures(anonymous=401),
    "api/v1/insights/plans": (
        same_for_both(ADMINS, 403, anonymous=401),
        plan_row(
            ok=201,
            anonymous=401,
            method="post",
            payload={
                "school_id": "<int:school_id>",
                "title": "Matrix plan",
                "measure": "on_track_share",
                "goal": 60,
                "goal_on": GOAL_ON,
            },
        ),
    ),
    "api/v1/insights/plans/<int:plan_id>": plan_row(anonymous=401),
    "api/v1/insights/plans/<int:plan_id>/steps": plan_row(
        ok=201,
        anonymous=401,
        method="post",
        payload={"description": "Matrix action", "owner_id": "<int:owner_id>", "due_on": GOAL_ON},
    ),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Any]:
    """The district, its high school, its district administrator, a plan there with one open action, and a
    dashboard table's key (a string: the `<str:table>` placeholder)."""
    school = Organization.objects.get(slug=f"{district.slug}-high")
    admin = (
        User.objects.filter(
            role_assignments__role=Role.DISTRICT_ADMIN, role_assignments__organization=district
        )
        .order_by("pk")
        .first()
    )
    assert admin is not None
    plan = ActionPlan.objects.create(
        district=district,
        school=school,
        title="Matrix plan",
        measure="on_track_share",
        goal=60,
        goal_on=datetime.date.fromisoformat(GOAL_ON),
        created_by=admin,
    )
    step = ActionStep.objects.create(
        plan=plan, district=district, description="Matrix action", owner=admin, due_on=plan.goal_on
    )
    return {
        "district": district,
        "school": school,
        "owner": admin,
        "plan": plan,
        "step": step,
        "table": "growth",
    }

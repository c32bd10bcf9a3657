"""The one access policy: who may see which student, and who may do what.

Nothing else in Waypoint filters students by role. Views, API endpoints, exports and reports ask
`visible_students(user)` for the rows a user may read and `can(user, action, obj)` for everything else.

`can()` hands each action to the rule module of its domain (the prefix of `Action`'s value, see
`registry.rule`): `people`, `frameworks`, `evidence`, `mastery`, `catalog`, `profiles`, `pathways`. A new
domain adds a module here that registers its rule; every module of this package is imported below, so nothing
else is edited. The policy sits above the domain models and below every service, selector, view and API: it
imports models, never the code that uses it.
"""

from __future__ import annotations

import importlib
import pkgutil

from waypoint.policy.actions import Action
from waypoint.policy.base import (
    GUARDIAN_ROLE,
    STUDENT_ROLE,
    Actor,
    Grant,
    active_on,
    grants,
    has_role,
    roles,
    today,
)
from waypoint.policy.catalog import (
    catalog_districts,
    curated_districts,
    mentor_candidates,
    visible_opportunities,
    visible_providers,
)
from waypoint.policy.context import (
    ACTING_DISTRICT_SESSION_KEY,
    AccessContext,
    access_context,
    request_access,
    request_context,
)
from waypoint.policy.evidence import visible_evidence
from waypoint.policy.frameworks import framework_districts, visible_framework_versions
from waypoint.policy.insights import InsightsScope, insights_scope
from waypoint.policy.interest import legitimate_interest
from waypoint.policy.pathways import (
    decidable_paths,
    mentor_active_paths,
    report_scopes,
    visible_paths,
)
from waypoint.policy.people import audit_districts, current_certification, visible_sections, visible_students
from waypoint.policy.profiles import guided_students
from waypoint.policy.registry import can

# Every rule module registers itself when imported; importing them all here means a new one needs no edit.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


__all__ = [
    "ACTING_DISTRICT_SESSION_KEY",
    "GUARDIAN_ROLE",
    "STUDENT_ROLE",
    "AccessContext",
    "Action",
    "Actor",
    "Grant",
    "InsightsScope",
    "access_context",
    "active_on",
    "audit_districts",
    "can",
    "catalog_districts",
    "curated_districts",
    "current_certification",
    "decidable_paths",
    "framework_districts",
    "grants",
    "guided_students",
    "has_role",
    "insights_scope",
    "legitimate_interest",
    "mentor_active_paths",
    "mentor_candidates",
    "report_scopes",
    "request_access",
    "request_context",
    "roles",
    "today",
    "visible_evidence",
    "visible_framework_versions",
    "visible_opportunities",
    "visible_paths",
    "visible_providers",
    "visible_sections",
    "visible_students",
]

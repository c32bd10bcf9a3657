"""The one access policy: who may see which student, and who may do what.

Nothing else in Waypoint filters students by role. Views, API endpoints, exports and reports ask
`visible_students(user)` for the rows a user may read and `can(user, action, obj)` for everything else.

`can()` hands each action to the rule module of its domain (the prefix of `Action`'s value, see
`registry.rule`): `people`, `frameworks`, `evidence`, `mastery`, `pathways`. A new domain adds a module here
that registers its rule; every module of this package is imported below, so nothing else is edited. The policy
sits above the domain models and below every service, selector, view and API: it imports models, never the
code that uses it.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil

from django.db.models import Model

from waypoint.core.models import User
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
from waypoint.policy.evidence import visible_evidence
from waypoint.policy.frameworks import framework_districts, visible_framework_versions
from waypoint.policy.interest import legitimate_interest
from waypoint.policy.pathways import (
    catalog_districts,
    curated_districts,
    decidable_paths,
    guided_students,
    mentor_active_paths,
    mentor_candidates,
    report_scopes,
    visible_opportunities,
    visible_paths,
    visible_providers,
)
from waypoint.policy.people import audit_districts, current_certification, visible_sections, visible_students
from waypoint.policy.registry import rule_for

# Every rule module registers itself when imported; importing them all here means a new one needs no edit.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def can(user: Actor, action: Action, obj: Model | None = None, on: datetime.date | None = None) -> bool:
    """Whether the user may take the action on the object (a student, a section, a district, a framework,
    a scale, a rubric, a piece of evidence, an assessment, an opportunity, a path, or none) on a date."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return rule_for(action)(user, action, obj, on or today())


__all__ = [
    "GUARDIAN_ROLE",
    "STUDENT_ROLE",
    "Action",
    "Actor",
    "Grant",
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
    "legitimate_interest",
    "mentor_active_paths",
    "mentor_candidates",
    "report_scopes",
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

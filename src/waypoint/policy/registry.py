"""Which rule decides an action: each domain's rule module registers itself for its action prefix."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import TypeAlias

from django.db.models import Model

from waypoint.core.models import User
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, today

# (the active user, the action, the object or None, the date) → allowed
Rule: TypeAlias = Callable[[User, Action, Model | None, datetime.date], bool]

_RULES: dict[str, Rule] = {}
# A domain large enough to keep its rules in several modules (records: one per area) registers each module
# for the actions it decides.
_ACTION_RULES: dict[Action, Rule] = {}


def rule(domain: str, *, actions: Iterable[Action] | None = None) -> Callable[[Rule], Rule]:
    """Registers the decorated function as the rule for every action `<domain>.*`, or only for `actions`."""

    def register(function: Rule) -> Rule:
        if actions is None:
            if domain in _RULES:
                raise RuntimeError(f"Two rules claim the actions of {domain!r}.")
            _RULES[domain] = function
            return function
        for action in actions:
            if action.domain != domain or action in _ACTION_RULES:
                raise RuntimeError(f"{action.value!r} is not {domain!r}'s, or two rules claim it.")
            _ACTION_RULES[action] = function
        return function

    return register


def rule_for(action: Action) -> Rule:
    found = _ACTION_RULES.get(action) or _RULES.get(action.domain)
    if found is None:
        raise LookupError(f"No rule module decides {action.value!r}.")
    return found


def can(user: Actor, action: Action, obj: Model | None = None, on: datetime.date | None = None) -> bool:
    """Whether the user may take the action on the object (a student, a section, a district, a framework,
    a scale, a rubric, a piece of evidence, an assessment, an opportunity, a path, or none) on a date."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return rule_for(action)(user, action, obj, on or today())

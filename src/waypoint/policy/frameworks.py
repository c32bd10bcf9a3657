"""Competency frameworks are not student data: every signed-in user reads published and retired versions.

A draft is read and edited only by the district administrators of the district that owns the framework, who
also import, publish and adopt frameworks and edit their district's proficiency scales. Teachers and
administrators write rubrics for their district; a rubric is edited by its author or its district's
administrators."""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.core.models import Organization, Role, User
from waypoint.frameworks.models import Framework, FrameworkVersion, ProficiencyScale, Rubric, VersionStatus
from waypoint.policy.actions import Action
from waypoint.policy.base import Actor, districts_where, has_role, today
from waypoint.policy.registry import rule

RUBRIC_WRITERS = (Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def framework_districts(user: Actor, on: datetime.date | None = None) -> set[int]:
    """The districts whose frameworks, drafts and scales the user manages."""
    return districts_where(user, Role.DISTRICT_ADMIN, on=on or today())


def visible_framework_versions(user: Actor, on: datetime.date | None = None) -> QuerySet[FrameworkVersion]:
    """The framework versions the user may read: every published or retired one, and the drafts of
    frameworks their district owns when they manage its frameworks."""
    if not isinstance(user, User) or not user.is_active:
        return FrameworkVersion.objects.none()
    drafts = Q(status=VersionStatus.DRAFT, framework__owner_id__in=framework_districts(user, on))
    return FrameworkVersion.objects.filter(~Q(status=VersionStatus.DRAFT) | drafts)


@rule("frameworks")
def frameworks_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    managed = framework_districts(user, on)
    if isinstance(obj, FrameworkVersion):
        if action is Action.VIEW_FRAMEWORK:
            return obj.status != VersionStatus.DRAFT or obj.framework.owner_id in managed
        return action is Action.EDIT_FRAMEWORK and obj.framework.owner_id in managed
    if isinstance(obj, Framework):
        return action is Action.EDIT_FRAMEWORK and obj.owner_id in managed
    if isinstance(obj, Rubric):
        if action is Action.VIEW_FRAMEWORK:
            return True
        # A rubric is edited by the teacher who wrote it or by its district's administrators.
        return action is Action.EDIT_FRAMEWORK and (obj.owner_id in managed or obj.created_by_id == user.pk)
    if isinstance(obj, ProficiencyScale):
        return action is Action.EDIT_SCALE and obj.owner_id in managed
    if isinstance(obj, Organization):
        return action is Action.MANAGE_FRAMEWORKS and obj.pk in managed
    if obj is not None:
        return False
    if action is Action.MANAGE_FRAMEWORKS:
        return has_role(user, Role.DISTRICT_ADMIN, on=on)
    if action is Action.CREATE_RUBRIC:
        return user.district_id is not None and has_role(user, *RUBRIC_WRITERS, on=on)
    return action is Action.VIEW_FRAMEWORK

"""The pathways app's kind of notification: a decision on a path (approved, sent back for changes, started,
completed, withdrawn), for the student and their guardians. Guardians are always e-mailed about it: an
approved path can take the student off campus, to an internship or a college course."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.notifications.registry import EventKind, Reading, Rendered, register
from waypoint.notifications.services import notify
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.policy import GUARDIAN_ROLE, Action
from waypoint.policy.notifications import family_of

# The moves the student and their family hear about; a proposal or its resubmission goes to the approvers.
TOLD = (
    PathStatus.APPROVED,
    PathStatus.CHANGES_REQUESTED,
    PathStatus.ACTIVE,
    PathStatus.COMPLETED,
    PathStatus.WITHDRAWN,
)


def _subject(status: str, own: bool, values: Mapping[str, str]) -> str:
    if status == PathStatus.APPROVED:
        return (
            _("Your path “%(title)s” is approved") if own else _("%(student)s’s path “%(title)s” is approved")
        ) % values
    if status == PathStatus.CHANGES_REQUESTED:
        return (
            _("Changes are asked for on your path “%(title)s”")
            if own
            else _("Changes are asked for on %(student)s’s path “%(title)s”")
        ) % values
    if status == PathStatus.ACTIVE:
        return (
            _("Your path “%(title)s” has started") if own else _("%(student)s’s path “%(title)s” has started")
        ) % values
    if status == PathStatus.COMPLETED:
        return (
            _("Your path “%(title)s” is completed")
            if own
            else _("%(student)s’s path “%(title)s” is completed")
        ) % values
    return (
        _("Your path “%(title)s” is withdrawn") if own else _("%(student)s’s path “%(title)s” is withdrawn")
    ) % values


def _decision_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    values = {"title": str(params.get("title", "")), "student": reading.student_name}
    status = str(params.get("status", ""))
    note = str(params.get("note", ""))
    body = ""
    if status == PathStatus.CHANGES_REQUESTED and note:
        body = _("What should change: %(note)s") % {"note": note}
    return Rendered(subject=_subject(status, reading.about_self, values), body=body)


PATH_DECISION = register(
    EventKind(
        code="pathways.path_decision",
        label=gettext_lazy("Decisions on paths"),
        description=gettext_lazy(
            "A path of study is approved, sent back for changes, started, completed or withdrawn."
        ),
        render=_decision_text,
        order=30,
        email_required_for=frozenset({GUARDIAN_ROLE}),
    )
)


def path_moved(*, context: RequestContext, path: PathProposal, to_status: str, note: str) -> None:
    """Tell the student and their guardians who may read the path; called in the transaction of the move."""
    if to_status not in TOLD:
        return
    actor = context.actor
    readers = [
        user for user in family_of(path.student) if user != actor and policy.can(user, Action.VIEW_PATH, path)
    ]
    notify(
        kind=PATH_DECISION.code,
        recipients=readers,
        student=path.student,
        # Only the student needs the reviewer's words, to revise; other moves carry their note in the history.
        params={
            "title": path.display_title,
            "status": str(to_status),
            "note": note if to_status == PathStatus.CHANGES_REQUESTED else "",
        },
        url=reverse("path-detail", args=[path.pk]),
    )

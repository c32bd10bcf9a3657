"""The mastery app's kind of notification: a certified score moved a student's level on a competency (to
another level of the scale, or across the mastery threshold). One notification per scoring of a piece of
work, listing every competency that moved, for the student and their guardians.

Only scoring tells anyone: a recompute after a district changes its calculation rule moves many levels at
once for a reason no family acted on, and is announced by the district, not by a notification each."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from waypoint.core.audit import RequestContext
from waypoint.core.models import Student
from waypoint.evidence.models import Evidence
from waypoint.frameworks.models import Competency
from waypoint.frameworks.selectors import level_name, scale_levels
from waypoint.mastery.models import MasteryLevelChange
from waypoint.notifications.registry import EventKind, Reading, Rendered, register
from waypoint.notifications.services import notify
from waypoint.policy.notifications import family_of

UP, DOWN, NEW = "up", "down", "new"


def _change_line(change: Mapping[str, Any]) -> str:
    values = {"competency": change.get("competency", ""), "level": change.get("level", "")}
    if change.get("direction") == UP:
        return _("%(competency)s: up to %(level)s") % values
    if change.get("direction") == DOWN:
        return _("%(competency)s: down to %(level)s") % values
    return _("%(competency)s: first level, %(level)s") % values


def _level_text(params: Mapping[str, Any], reading: Reading) -> Rendered:
    changes = list(params.get("changes", []))
    count = len(changes)
    values = {"count": count, "student": reading.student_name, "title": params.get("evidence_title", "")}
    if reading.about_self:
        subject = ngettext(
            "Your level changed on %(count)d competency",
            "Your levels changed on %(count)d competencies",
            count,
        )
    else:
        subject = ngettext(
            "%(student)s’s level changed on %(count)d competency",
            "%(student)s’s levels changed on %(count)d competencies",
            count,
        )
    lines = [_("From the scoring of “%(title)s”:") % values, *(_change_line(change) for change in changes)]
    return Rendered(subject=subject % values, body="\n".join(lines))


LEVEL_CHANGED = register(
    EventKind(
        code="mastery.level_changed",
        label=gettext_lazy("Mastery levels"),
        description=gettext_lazy("A teacher’s score moved a level on a competency."),
        render=_level_text,
        order=20,
    )
)


def _label(competency: Competency) -> str:
    return f"{competency.human_code} {competency.short_statement}".strip()


def levels_moved(
    *,
    context: RequestContext,
    evidence: Evidence,
    student: Student,
    competencies: Iterable[Competency],
    at: datetime.datetime,
) -> None:
    """Tell the student and their guardians which of the scored competencies changed level at `at` (the
    history rows `level_refresh` wrote in this transaction); nothing when none did."""
    scored = {competency.pk: competency for competency in competencies}
    changed = list(
        MasteryLevelChange.objects.filter(student=student, competency_id__in=scored, changed_at=at).order_by(
            "id"
        )
    )
    if not changed:
        return
    before: dict[int, float | None] = {}
    for competency_id, level in (
        MasteryLevelChange.objects.filter(
            student=student, competency_id__in={row.competency_id for row in changed}, changed_at__lt=at
        )
        .order_by("changed_at", "id")
        .values_list("competency_id", "level")
    ):
        before[competency_id] = level
    levels = scale_levels({scored[row.competency_id].version.framework.scale_id for row in changed})
    changes = []
    for row in changed:
        competency = scored[row.competency_id]
        scale = levels[competency.version.framework.scale_id]
        previous = before.get(row.competency_id)
        name = level_name(scale, row.level)
        if row.level is None or (previous is not None and level_name(scale, previous) == name):
            continue  # no level left, or a move within one level of the scale: nothing a family would see
        direction = NEW if previous is None else UP if row.level > previous else DOWN
        changes.append({"competency": _label(competency), "level": name, "direction": direction})
    if not changes:
        return
    # Levels are read by whoever reads the student, which `notify` checks for each recipient.
    notify(
        kind=LEVEL_CHANGED.code,
        recipients=[user for user in family_of(student) if user != context.actor],
        student=student,
        params={"evidence_title": evidence.title, "changes": changes},
        url=reverse("student-mastery", args=[student.pk]),
    )

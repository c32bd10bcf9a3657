"""The mastery panels of a home page: progress in plain words for a student and for a guardian's children,
with the link to how learning is measured; and a teacher's gradebooks.

Progress reads the stored levels (never recomputes): how many competencies are assessed, how many are at
mastery, and how many moved up in the past month, all children in one query."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.audit import audit_record_students
from waypoint.core.home import PROGRESS, REFERENCE, HomeItem, HomePanel
from waypoint.core.models import AuditAction, Role, Student, User
from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.policy import AccessContext, request_context

# "Moved up this month": a level higher now than it was this many days ago.
MONTH = datetime.timedelta(days=30)


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    panels: list[HomePanel] = []
    if access.own_student_id is not None:
        panels.append(_own_progress(access.own_student_id))
    if access.is_guardian:
        panels.append(_children_progress(request, access))
    if access.has_role(Role.TEACHER):
        panels.append(_gradebooks(access, user))
    return panels


@dataclass(frozen=True)
class Progress:
    """One student's levels in numbers: competencies assessed, at mastery, and moved up in the past month."""

    assessed: int = 0
    proficient: int = 0
    moved_up: int = 0


def progress_of(student_ids: Collection[int], since: datetime.datetime) -> dict[int, Progress]:
    """Each student's progress from their stored levels on competencies (not the rolled-up domains), for
    students the caller has scoped. A level "moved up" when it is higher than the student's last level on
    that competency before `since`; a first level is not a move. One query."""
    before = (
        MasteryLevelChange.objects.filter(
            student_id=OuterRef("student_id"), competency_id=OuterRef("competency_id"), changed_at__lt=since
        )
        .order_by("-changed_at", "-id")
        .values("level")[:1]
    )
    rows = (
        MasteryLevel.objects.filter(student_id__in=list(student_ids), rolled_up=False, level__isnull=False)
        .annotate(before=Subquery(before))
        .values("student_id")
        .annotate(
            assessed=Count("id"),
            proficient=Count("id", filter=Q(meets_mastery=True)),
            moved_up=Count("id", filter=Q(before__lt=F("level"))),
        )
        .order_by()
    )
    return {row["student_id"]: Progress(row["assessed"], row["proficient"], row["moved_up"]) for row in rows}


def _sentence(progress: Progress, name: str | None) -> str:
    """The progress in plain words, about the reader (`name` None) or about a named child."""
    if not progress.assessed:
        if name is None:
            return gettext("None of your competencies has been assessed yet.")
        return gettext("None of %(name)s’s competencies has been assessed yet.") % {"name": name}
    values = {"name": name, "proficient": progress.proficient, "assessed": progress.assessed}
    if name is None:
        level = ngettext(
            "You are proficient in %(proficient)s of %(assessed)s competency assessed.",
            "You are proficient in %(proficient)s of %(assessed)s competencies assessed.",
            progress.assessed,
        )
    else:
        level = ngettext(
            "%(name)s is proficient in %(proficient)s of %(assessed)s competency assessed.",
            "%(name)s is proficient in %(proficient)s of %(assessed)s competencies assessed.",
            progress.assessed,
        )
    sentences = [level % values]
    if progress.moved_up:
        sentences.append(
            ngettext("%(count)s moved up this month.", "%(count)s moved up this month.", progress.moved_up)
            % {"count": progress.moved_up}
        )
    return " ".join(sentences)


def _explainer() -> HomeItem | None:
    """The page for families on how levels are decided, once it exists."""
    try:
        url = reverse("how-learning-is-measured")
    except NoReverseMatch:
        return None
    return HomeItem(gettext("How learning is measured here"), url)


def _own_progress(student_id: int) -> HomePanel:
    # Three counts of the reader's own levels disclose nothing to anyone else: no audit (the progress page
    # behind the link audits the full read).
    progress = progress_of([student_id], timezone.now() - MONTH).get(student_id, Progress())
    return HomePanel(
        key="progress",
        title=gettext("Your progress"),
        order=PROGRESS,
        items=(
            HomeItem(
                gettext("My progress"),
                reverse("student-mastery", args=[student_id]),
                detail=_sentence(progress, None),
            ),
        ),
        action=_explainer(),
    )


def _children_progress(request: HttpRequest, access: AccessContext) -> HomePanel:
    children = list(
        policy.visible_students(access.user, access.on)
        .filter(id__in=access.guarded_student_ids)
        .order_by("last_name", "first_name", "id")
    )
    progress = progress_of([child.pk for child in children], timezone.now() - MONTH)
    audit_record_students(
        context=request_context(request),
        action=AuditAction.VIEW,
        object_type="home",
        students=children,
        reason=policy.legitimate_interest(access.user),
    )
    return HomePanel(
        key="children-progress",
        title=gettext("How your children are doing"),
        order=PROGRESS,
        items=tuple(_child_item(child, progress.get(child.pk, Progress())) for child in children),
        empty=gettext("No children are linked to your account."),
        action=_explainer(),
    )


def _child_item(child: Student, progress: Progress) -> HomeItem:
    return HomeItem(
        child.full_name,
        reverse("student-mastery", args=[child.pk]),
        detail=_sentence(progress, child.preferred_name or child.first_name),
    )


def _gradebooks(access: AccessContext, user: User) -> HomePanel:
    """The sections the teacher teaches today, each with its gradebook (names no student)."""
    on = access.on
    sections = (
        policy.visible_sections(user, on)
        .filter(
            policy.active_on(on, prefix="teacher_assignments__"),
            teacher_assignments__teacher=user,
            starts_on__lte=on,
            ends_on__gte=on,
        )
        .select_related("school")
        .annotate(students=Count("roster", filter=policy.active_on(on, prefix="roster__"), distinct=True))
        .order_by("course_code", "title", "id")
    )
    return HomePanel(
        key="gradebooks",
        title=gettext("Your gradebooks"),
        order=REFERENCE,
        items=tuple(
            HomeItem(
                section.title,
                reverse("section-gradebook", args=[section.pk]),
                detail=ngettext(
                    "%(school)s · %(count)s student", "%(school)s · %(count)s students", section.students
                )
                % {"school": section.school.name, "count": section.students},
            )
            for section in sections
        ),
        empty=gettext("You teach no section today."),
        action=HomeItem(gettext("All sections"), reverse("section-list")),
    )

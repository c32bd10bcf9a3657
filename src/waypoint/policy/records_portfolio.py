"""The access policy for the portfolio and for exhibitions (the `records.portfolio_*` and
`records.exhibition_*` actions).

The rules, each dated like the rest of the policy:
- The student owns the portfolio: only the student curates it (`CURATE_PORTFOLIO`), never a guardian or a
  teacher.
- The student chooses who reads each collection (`VIEW_PORTFOLIO` on a collection): the staff who guide
  the student (teaching, caseload, administration) when it is shared with teachers; linked guardians when
  shared with guardians; the panel members with an account of an exhibition that shows the collection when
  shared with the panel. A public link is not an access question: the page behind it checks the link.
- A student's portfolio page (`VIEW_PORTFOLIO` on the student) is opened by the student, linked guardians
  and the staff who guide them; each reads only the collections shared with them. A mentor and a state
  analyst read no portfolio.
- An exhibition is scheduled by the staff who guide the student (`SCHEDULE_EXHIBITION` on the student);
  the same staff record its outcome (`SCHEDULE_EXHIBITION` on the exhibition). It is read by the student,
  linked guardians, those staff and its panel members with an account. Each panel member with an account
  scores it while it is not cancelled (`SCORE_EXHIBITION`); whether the score sets a level is the
  service's question (a certified teacher's does).
"""

from __future__ import annotations

import datetime

from django.db.models import Model, Q, QuerySet

from waypoint.core.models import GuardianLink, Student, User
from waypoint.policy.actions import Action
from waypoint.policy.base import active_on
from waypoint.policy.people import is_self
from waypoint.policy.profiles import guided_students
from waypoint.policy.registry import rule
from waypoint.records.models import (
    Exhibition,
    ExhibitionStatus,
    PanelMember,
    PortfolioCollection,
)

ACTIONS = frozenset(
    {
        Action.VIEW_PORTFOLIO,
        Action.CURATE_PORTFOLIO,
        Action.SCHEDULE_EXHIBITION,
        Action.VIEW_EXHIBITION,
        Action.SCORE_EXHIBITION,
    }
)


def guides(user: User, student: Student, on: datetime.date) -> bool:
    return guided_students(user, on).filter(pk=student.pk).exists()


def is_guardian(user: User, student: Student, on: datetime.date) -> bool:
    return GuardianLink.objects.filter(active_on(on), guardian=user, student=student).exists()


def on_panel_showing(user: User, collection: PortfolioCollection) -> bool:
    """Whether the user sits on the panel of an exhibition (not cancelled) that shows the collection."""
    return (
        PanelMember.objects.filter(
            user=user,
            exhibition__collection=collection,
            exhibition__student_id=collection.student_id,
            district_id=collection.district_id,
        )
        .exclude(exhibition__status=ExhibitionStatus.CANCELLED)
        .exists()
    )


def visible_collections(user: User, student: Student, on: datetime.date) -> QuerySet[PortfolioCollection]:
    """The student's collections the user reads, by the sharing the student chose (one query to run)."""
    collections = PortfolioCollection.objects.filter(student=student, district_id=student.district_id)
    if is_self(user, student):
        return collections
    shared = Q(pk__in=[])
    if is_guardian(user, student, on):
        shared |= Q(shared_with_guardians=True)
    if guides(user, student, on):
        shared |= Q(shared_with_teachers=True)
    panels = PanelMember.objects.filter(user=user, exhibition__student=student).exclude(
        exhibition__status=ExhibitionStatus.CANCELLED
    )
    shared |= Q(shared_with_panel=True, pk__in=panels.values("exhibition__collection_id"))
    return collections.filter(shared)


def reads_collection(user: User, collection: PortfolioCollection, on: datetime.date) -> bool:
    student = collection.student
    if is_self(user, student):
        return True
    if collection.shared_with_guardians and is_guardian(user, student, on):
        return True
    if collection.shared_with_teachers and guides(user, student, on):
        return True
    return collection.shared_with_panel and on_panel_showing(user, collection)


def _student_rule(user: User, action: Action, student: Student, on: datetime.date) -> bool:
    if action is Action.CURATE_PORTFOLIO:
        return is_self(user, student)
    if action is Action.VIEW_PORTFOLIO:
        return is_self(user, student) or is_guardian(user, student, on) or guides(user, student, on)
    if action is Action.SCHEDULE_EXHIBITION:
        return guides(user, student, on)
    return False


def _on_panel(user: User, exhibition: Exhibition) -> bool:
    return exhibition.panel.filter(user=user).exists()


def _exhibition_rule(user: User, action: Action, exhibition: Exhibition, on: datetime.date) -> bool:
    student = exhibition.student
    if action is Action.VIEW_EXHIBITION:
        return (
            is_self(user, student)
            or is_guardian(user, student, on)
            or guides(user, student, on)
            or _on_panel(user, exhibition)
        )
    if action is Action.SCORE_EXHIBITION:
        return exhibition.status != ExhibitionStatus.CANCELLED and _on_panel(user, exhibition)
    if action is Action.SCHEDULE_EXHIBITION:
        return guides(user, student, on)
    return False


@rule("records", actions=ACTIONS)
def portfolio_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the portfolio and exhibition actions (the user is active; `can()` checked it)."""
    if isinstance(obj, PortfolioCollection):
        if action is Action.CURATE_PORTFOLIO:
            return is_self(user, obj.student)
        return action is Action.VIEW_PORTFOLIO and reads_collection(user, obj, on)
    if isinstance(obj, Exhibition):
        return _exhibition_rule(user, action, obj, on)
    if isinstance(obj, Student):
        return _student_rule(user, action, obj, on)
    return False

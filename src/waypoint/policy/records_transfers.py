"""The access policy for transfers between districts and for disposal on request.

- A transfer is requested by an administrator of the requesting district (B) who administers the student:
  a district administrator of B, or a school administrator of a school of B where the student is enrolled.
- A transfer is released or declined by a district administrator of the sending district (A).
- A transfer is read by the administrators of either side (district administrators of A or B; school
  administrators of a school where the student is enrolled, in A or in B), by the student and by their
  linked guardians (on either side's record). Until the release nothing of A's record reaches B: B's
  pages read only B's rows.
- A departed student's record is disposed of by a district administrator of the student's district.
"""

from __future__ import annotations

import datetime

from django.db.models import Model

from waypoint.core.models import Role, Student, User
from waypoint.policy.actions import Action
from waypoint.policy.base import districts_where, has_role
from waypoint.policy.people import administers, is_self_or_guardian
from waypoint.policy.registry import rule
from waypoint.records.models import DisposalRequest, TransferRequest

TRANSFER_ACTIONS = frozenset(
    {Action.REQUEST_TRANSFER, Action.RELEASE_TRANSFER, Action.VIEW_TRANSFERS, Action.DISPOSE_RECORD}
)
ADMIN_ROLES = (Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


def transfer_readable(user: User, transfer: TransferRequest, on: datetime.date) -> bool:
    """Whether the user reads this transfer: an administrator of either side, the student or a guardian."""
    if {transfer.from_district_id, transfer.to_district_id} & districts_where(
        user, Role.DISTRICT_ADMIN, on=on
    ):
        return True
    students = [transfer.student] + ([transfer.source_student] if transfer.source_student else [])
    return any(
        administers(user, student, on) or is_self_or_guardian(user, student, on) for student in students
    )


def _family_or_admin(user: User, on: datetime.date) -> bool:
    """Whoever may open the transfers list: administrators, and students and guardians for their own."""
    if has_role(user, *ADMIN_ROLES, on=on):
        return True
    if Student.objects.filter(user=user).exists():
        return True
    return user.guardian_links.exists()


@rule("records", actions=TRANSFER_ACTIONS)
def transfers_rule(user: User, action: Action, obj: Model | None, on: datetime.date) -> bool:
    """`can()` for the transfer and disposal actions (the user is active; `can()` checked it)."""
    if isinstance(obj, Student):
        if action is Action.REQUEST_TRANSFER:
            return administers(user, obj, on)
        if action is Action.DISPOSE_RECORD:
            return obj.district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on)
        return False
    if isinstance(obj, TransferRequest):
        if action is Action.RELEASE_TRANSFER:
            return obj.from_district_id in districts_where(user, Role.DISTRICT_ADMIN, on=on)
        return action is Action.VIEW_TRANSFERS and transfer_readable(user, obj, on)
    if isinstance(obj, DisposalRequest):
        return action is Action.DISPOSE_RECORD and obj.district_id in districts_where(
            user, Role.DISTRICT_ADMIN, on=on
        )
    if obj is not None:
        return False
    if action is Action.VIEW_TRANSFERS:
        return _family_or_admin(user, on)
    if action is Action.REQUEST_TRANSFER:
        return has_role(user, *ADMIN_ROLES, on=on)
    if action in (Action.RELEASE_TRANSFER, Action.DISPOSE_RECORD):
        return has_role(user, Role.DISTRICT_ADMIN, on=on)
    return False

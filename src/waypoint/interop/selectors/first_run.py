"""Where a district stands in its adoption: the first-run checklist's live state (the set-up page and the
home page's "Set up your district" panel read it).

The steps, each done by what the district holds today, not by a box someone ticked:

1. a roster: the district has students (a roster import, or any other way students arrived);
2. a framework: the district uses one (its own, its state's or an adopted one);
3. staff: someone holding a staff role in the district, other than its administrators, has signed in;
4. (optional) sign-in through the district's identity provider: one is configured and turned on.

The state is counts and dates, no names: reading it discloses no student, so it writes no audit event. The
caller decides who may read it (`Action.VIEW_FIRST_RUN`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import Organization, Role, RoleAssignment, Student
from waypoint.frameworks.selectors import frameworks_in_use
from waypoint.interop.models import IdentityProvider, RosterImport
from waypoint.policy import Action, active_on

# Staff whose arrival the third step waits for: the people the roster brings to teach and advise.
INVITED_ROLES = (Role.TEACHER, Role.ADVISOR, Role.SCHOOL_ADMIN)


@dataclass(frozen=True)
class FirstRunState:
    district: Organization
    students: int
    frameworks: int
    staff: int  # people holding a teacher, advisor or school-administrator role in the district today
    staff_signed_in: int  # of them, those who have signed in at least once
    provider: IdentityProvider | None
    last_import: RosterImport | None

    @property
    def roster_done(self) -> bool:
        return self.students > 0

    @property
    def framework_done(self) -> bool:
        return self.frameworks > 0

    @property
    def staff_done(self) -> bool:
        return self.staff_signed_in > 0

    @property
    def sign_in_done(self) -> bool:
        return self.provider is not None and self.provider.enabled

    @property
    def done(self) -> bool:
        """Every required step is done (the identity provider is optional)."""
        return self.roster_done and self.framework_done and self.staff_done

    @property
    def steps_left(self) -> int:
        return [self.roster_done, self.framework_done, self.staff_done].count(False)


def first_run_state(district: Organization) -> FirstRunState:
    """The district's checklist as it stands (six queries)."""
    staff = RoleAssignment.objects.filter(
        active_on(timezone.localdate()), district=district, role__in=INVITED_ROLES
    )
    return FirstRunState(
        district=district,
        students=Student.objects.filter(district=district).count(),
        frameworks=frameworks_in_use(district).count(),
        staff=staff.values("user_id").distinct().count(),
        staff_signed_in=staff.filter(user__last_login__isnull=False, user__is_active=True)
        .values("user_id")
        .distinct()
        .count(),
        provider=IdentityProvider.objects.filter(district=district).first(),
        last_import=RosterImport.objects.filter(district=district).order_by("-started_at", "-id").first(),
    )


def acting_district(*, context: RequestContext, action: Action) -> Organization:
    """The district the person acts for, when they may take the action there (403 otherwise)."""
    district = Organization.objects.filter(pk=context.district_id).first() if context.district_id else None
    if district is None or not policy.can(context.user, action, district):
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": action.label})
    return district

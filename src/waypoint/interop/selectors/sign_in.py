"""Reads about signing in through a district's identity provider: the buttons of the sign-in page, a
district's configuration, who must use the provider, and whom to ask when no account matches."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import GuardianLink, Organization, Role, RoleAssignment, Student, User
from waypoint.interop.models import IdentityProvider
from waypoint.policy import Action, active_on, today

# District administrators named as the people to ask, at most: a long list helps nobody.
CONTACTS_SHOWN = 3


# More districts than this on one installation get a picker instead of a button each.
PROVIDER_BUTTONS_AT_MOST = 3


def enabled_providers() -> list[IdentityProvider]:
    """Every district's enabled provider, by district name: one button each on the sign-in page."""
    return list(
        IdentityProvider.objects.filter(enabled=True).select_related("district").order_by("district__name")
    )


def sign_in_page_providers() -> dict[str, object]:
    """What the sign-in page shows of the providers: their buttons, and whether a picker replaces them."""
    providers = enabled_providers()
    return {"sign_in_providers": providers, "provider_picker": len(providers) > PROVIDER_BUTTONS_AT_MOST}


def enabled_provider(district_slug: str) -> IdentityProvider:
    """The enabled provider of the district with this slug; `NotVisible` when there is none."""
    provider = (
        IdentityProvider.objects.filter(enabled=True, district__slug=district_slug)
        .select_related("district")
        .first()
    )
    if provider is None:
        raise NotVisible(gettext("This district does not sign people in through an identity provider."))
    return provider


def provider_of_district(district_id: int) -> IdentityProvider | None:
    """A district's provider, enabled or not (the callback reads the one its sign-in started with)."""
    return IdentityProvider.objects.filter(district_id=district_id).select_related("district").first()


def configuring_district(context: RequestContext) -> Organization:
    """The district whose sign-in settings the person edits: the one they act for, which they must
    administer."""
    district_id = context.district_id
    district = None
    if district_id is not None:
        district = Organization.objects.filter(pk=district_id, kind=Organization.Kind.DISTRICT).first()
    if district is None or not policy.can(context.user, Action.CONFIGURE_SIGN_IN, district):
        raise NotPermitted(gettext("Only a district administrator configures how the district signs in."))
    return district


def sign_in_settings(*, context: RequestContext, district: Organization) -> IdentityProvider | None:
    """The district's provider configuration (None before the first save), for its administrators."""
    if not policy.can(context.user, Action.CONFIGURE_SIGN_IN, district):
        raise NotPermitted(gettext("Only a district administrator configures how the district signs in."))
    return IdentityProvider.objects.filter(district=district).first()


def staff_districts(user: User) -> QuerySet[Organization]:
    """The districts in which `user` holds a staff role today (any role assignment)."""
    on = today()
    district_ids = RoleAssignment.objects.filter(active_on(on), user=user).values("district_id")
    return Organization.objects.filter(pk__in=district_ids)


def provider_required_for(user: User) -> IdentityProvider | None:
    """The enabled provider that one of the user's staff districts requires staff to sign in with, if any:
    such staff may not sign in with a Waypoint password."""
    return (
        IdentityProvider.objects.filter(
            enabled=True, required_for_staff=True, district__in=staff_districts(user)
        )
        .select_related("district")
        .order_by("district__name")
        .first()
    )


def rostered_in(district: Organization) -> Q:
    """Users the district's roster holds today: a staff role there, a student record, or a guardian link."""
    on = today()
    staff = RoleAssignment.objects.filter(active_on(on), district=district).values("user_id")
    students = Student.objects.filter(district=district, user__isnull=False).values("user_id")
    guardians = GuardianLink.objects.filter(active_on(on), district=district).values("guardian_id")
    return Q(pk__in=staff) | Q(pk__in=students) | Q(pk__in=guardians)


def district_contacts(district: Organization) -> list[str]:
    """The e-mail addresses of the district's administrators today, to name whom to ask."""
    on = today()
    administrators = RoleAssignment.objects.filter(
        active_on(on), role=Role.DISTRICT_ADMIN, organization=district
    ).values("user_id")
    return list(
        User.objects.filter(pk__in=administrators, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()[:CONTACTS_SHOWN]
    )

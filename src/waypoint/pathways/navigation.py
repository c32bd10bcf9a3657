"""The navigation links of the pathways pages, each shown only when the access policy says it works."""

from __future__ import annotations

from django.urls import reverse

from waypoint import policy
from waypoint.policy import Action
from waypoint.policy.pathways import catalog_districts

# Everyone who may read some path: students, guardians, mentors and staff (not state analysts).
PATH_READERS = {"student", "guardian", "mentor", "teacher", "advisor", "school_admin", "district_admin"}


def nav_links(user: policy.Actor, own_record: int | None) -> list[tuple[str, str]]:
    """(label, url) pairs for the user: their plan (students), paths, approvals (staff), the catalog, and the
    equal access report (administrators)."""
    links: list[tuple[str, str]] = []
    if own_record is not None:
        links.append(("My plan", reverse("success-plan", args=[own_record])))
    if set(policy.roles(user)) & PATH_READERS:
        links.append(("Paths", reverse("path-list")))
    if policy.can(user, Action.VIEW_APPROVAL_QUEUE):
        links.append(("Approvals", reverse("path-queue")))
    if catalog_districts(user):
        links.append(("Opportunities", reverse("opportunity-list")))
    if policy.can(user, Action.VIEW_ACCESS_REPORT):
        links.append(("Equal access", reverse("access-report")))
    return links

"""The navigation each role sees in the page shell."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from waypoint import policy
from waypoint.core.models import Student
from waypoint.pathways.navigation import nav_links as pathways_nav_links
from waypoint.policy import Action


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


def navigation(request: HttpRequest) -> dict[str, object]:
    """`nav_items` for the signed-in user, from the access policy, so a link is shown only when it works."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    items = [NavItem("Home", reverse("home"))]
    own_record = Student.objects.filter(user_id=user.pk).values_list("id", flat=True).first()
    if own_record is not None:
        items.append(NavItem("My record", reverse("student-detail", args=[own_record])))
        items.append(NavItem("Who viewed my record", reverse("student-disclosures", args=[own_record])))
    elif policy.visible_students(user).exists():
        items.append(NavItem("Students", reverse("student-list")))
    if policy.can(user, Action.LIST_SECTIONS):
        items.append(NavItem("Sections", reverse("section-list")))
    if policy.can(user, Action.VIEW_CASELOAD):
        items.append(NavItem("Caseload", reverse("caseload")))
    items.extend(NavItem(label, url) for label, url in pathways_nav_links(user, own_record))
    if own_record is not None:
        items.append(NavItem("My evidence", reverse("student-evidence", args=[own_record])))
        items.append(NavItem("My progress", reverse("student-mastery", args=[own_record])))
    if policy.can(user, Action.WORK_EVIDENCE_INBOX):
        items.append(NavItem("Evidence inbox", reverse("evidence-inbox")))
    if policy.can(user, Action.CREATE_ASSESSMENT):
        items.append(NavItem("Assessments", reverse("assessment-list")))
    items.append(NavItem("Frameworks", reverse("framework-list")))
    if policy.can(user, Action.VIEW_DISTRICT_AUDIT):
        items.append(NavItem("Audit log", reverse("audit-log")))
    items.append(NavItem("API tokens", reverse("token-list")))
    return {"nav_items": items}

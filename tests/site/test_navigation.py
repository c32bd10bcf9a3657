"""The page shell's navigation: every app's links for the user, in their order, from the request context.

Navigation runs on every page, so it must cost almost nothing: it reads the request context (computed once
per request and shared with the page) and asks at most one question of its own (whether a staff member can
see any student)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tests.conftest import Demo
from waypoint import policy
from waypoint.site.navigation import navigation

# The request context (grants, own record, guardian links) and the "Students" link's one question.
NAVIGATION_QUERY_LIMIT = 4
EXPECTED_LABELS = {
    "student": ["Home", "My record", "Who viewed my record", "My plan", "Paths", "Opportunities",
                "My evidence", "My progress", "Frameworks", "API tokens"],
    "teacher": ["Home", "Students", "Sections", "Paths", "Approvals", "Opportunities", "Evidence inbox",
                "Assessments", "Frameworks", "API tokens"],
    "district-admin": ["Home", "Students", "Sections", "Paths", "Approvals", "Opportunities", "Equal access",
                       "Evidence inbox", "Assessments", "Frameworks", "Audit log", "API tokens"],
    "state-analyst": ["Home", "Frameworks", "API tokens"],
}  # fmt: skip


@pytest.mark.parametrize("username", sorted(EXPECTED_LABELS))
def test_each_role_sees_its_links_in_order(demo: Demo, username: str) -> None:
    request = RequestFactory().get("/")
    request.user = demo.users[username]
    request.session = {}  # type: ignore[assignment]
    labels = [item.label for item in navigation(request)["nav_items"]]  # type: ignore[attr-defined]
    assert labels == EXPECTED_LABELS[username]


@pytest.mark.parametrize(
    "username", ["student", "guardian", "teacher", "advisor", "district-admin", "mentor"]
)
def test_navigation_costs_at_most_the_request_context_and_one_question(
    demo: Demo, username: str, django_assert_max_num_queries: object
) -> None:
    request = RequestFactory().get("/")
    request.user = demo.users[username]
    request.session = {}  # type: ignore[assignment]
    with django_assert_max_num_queries(NAVIGATION_QUERY_LIMIT):  # type: ignore[operator]
        navigation(request)
    # The page that follows reads the same context: no query.
    with django_assert_max_num_queries(0):  # type: ignore[operator]
        policy.request_access(request)

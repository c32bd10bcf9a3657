"""The page shell's navigation: every app's links for the user, arranged by task, from the request context.

Navigation runs on every page, so it must cost almost nothing: it reads the request context (computed once
per request and shared with the page) and asks two questions of its own (whether a staff member can see any
student, how many notifications are unread)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tests.conftest import Demo
from waypoint import policy
from waypoint.core.navigation import ACCOUNT, DISTRICT, LEARNING, MAIN, STUDENTS, TEACHING, NavLink
from waypoint.site.navigation import Navigation, arrange, navigation

# The request context (grants, own record, guardian links), the "Students" link's one question and the
# account menu's unread notification count.
NAVIGATION_QUERY_LIMIT = 5


def _navigation(demo: Demo, username: str, path: str = "/") -> Navigation:
    request = RequestFactory().get(path)
    request.user = demo.users[username]
    request.session = {}  # type: ignore[assignment]
    nav = navigation(request)["nav"]
    assert isinstance(nav, Navigation)
    return nav


def _menu(nav: Navigation) -> dict[str, list[str]]:
    """The main menu as headings and labels: "" for the top level."""
    menu = {"": [link.label for link in nav.top]}
    menu.update({group.heading: [link.label for link in group.links] for group in nav.groups})
    return menu


# Students, guardians and the state analyst have links in one task at most: they see them flat.
FLAT_MENUS = {
    "student": ["Home", "My progress", "My evidence", "My plan", "My pace", "My diploma", "My transcript",
                "My portfolio", "Paths", "Opportunities", "My record", "Frameworks"],
    "guardian": ["Home", "My children", "Paths", "Opportunities", "Frameworks"],
    "state-analyst": ["Home", "Frameworks", "State view", "Graduation rates", "District self-study",
                      "Pacing repository"],
}  # fmt: skip
# Staff see their links under task headings.
GROUPED_MENUS = {
    "teacher": {
        "": ["Home"],
        "Teaching": ["Evidence inbox", "Gradebooks", "Assessments", "Ready to advance", "Sections"],
        "Students": ["Students", "Alerts", "Supports", "Conferences", "Exhibitions", "Paths", "Approvals"],
        "District": ["Opportunities", "Frameworks", "Pacing repository"],
    },
    "district-admin": {
        "": ["Home"],
        "Teaching": ["Evidence inbox", "Gradebooks", "Assessments", "Sections"],
        "Students": [
            "Students",
            "Alerts",
            "Supports",
            "Conferences",
            "Testing",
            "Exhibitions",
            "Diplomas",
            "Transcript requests",
            "Transfers",
            "Paths",
            "Approvals",
        ],
        "District": [
            "Opportunities",
            "Frameworks",
            "Growth dashboard",
            "Graduation rates",
            "District self-study",
            "Graduation rules",
            "Action plans",
            "Inquiry settings",
            "Advancement rules",
            "School support plan",
            "Equal access",
            "Pacing repository",
            "Audit log",
            "Export log",
            "Disposals",
            "Roster imports",
            "Sign-in settings",
        ],
    },
}


@pytest.mark.parametrize("username", sorted(FLAT_MENUS))
def test_a_person_with_links_in_one_task_sees_them_flat(demo: Demo, username: str) -> None:
    nav = _navigation(demo, username)
    assert nav.groups == ()
    assert [link.label for link in nav.top] == FLAT_MENUS[username]


@pytest.mark.parametrize("username", sorted(GROUPED_MENUS))
def test_staff_see_their_links_under_task_headings(demo: Demo, username: str) -> None:
    assert _menu(_navigation(demo, username)) == GROUPED_MENUS[username]


@pytest.mark.parametrize("username", ["student", "guardian", "teacher", "district-admin"])
def test_api_tokens_and_language_are_in_the_account_menu_not_the_main_menu(demo: Demo, username: str) -> None:
    nav = _navigation(demo, username)
    account = [link.label for link in nav.account]
    assert "API tokens" in account
    assert "Language" in account
    menu = [label for labels in _menu(nav).values() for label in labels]
    assert "API tokens" not in menu
    assert "Language" not in menu


def test_a_student_finds_who_viewed_their_record_in_the_account_menu(demo: Demo) -> None:
    account = [link.label for link in _navigation(demo, "student").account]
    assert account[0] == "Who viewed my record"


def test_the_page_and_its_section_are_marked_current(demo: Demo) -> None:
    nav = _navigation(demo, "teacher", f"/students/{demo.student.pk}/")
    students = next(group for group in nav.groups if group.key == STUDENTS)
    assert students.current
    assert [(link.label, link.current) for link in students.links if link.current] == [("Students", "true")]
    nav = _navigation(demo, "teacher", "/students/")
    assert [link.current for link in nav.top] == [""]  # Home is current only on "/"
    assert next(link for group in nav.groups for link in group.links if link.current).current == "page"


def test_arrange_groups_only_when_there_are_many_links_in_several_tasks() -> None:
    few = [NavLink("Home", "/", 1), NavLink("Inbox", "/i/", 70, TEACHING), NavLink("All", "/s/", 2, STUDENTS)]
    assert arrange(few, "/").groups == ()
    many = [
        *few,
        NavLink("Gradebooks", "/g/", 71, TEACHING),
        NavLink("Caseload", "/c/", 40, STUDENTS),
        NavLink("Approvals", "/a/", 41, STUDENTS),
        NavLink("Rules", "/r/", 80, DISTRICT),
        NavLink("Tokens", "/t/", 95, ACCOUNT),
    ]
    nav = arrange(many, "/")
    assert [group.key for group in nav.groups] == [TEACHING, STUDENTS, DISTRICT]
    assert [link.label for link in nav.top] == ["Home"]
    assert [link.label for link in nav.account] == ["Tokens"]
    one_task = [NavLink(f"L{i}", f"/l{i}/", i, LEARNING) for i in range(9)]
    assert arrange([NavLink("Home", "/", 0, MAIN), *one_task], "/").groups == ()


def test_a_link_names_a_known_group() -> None:
    with pytest.raises(ValueError, match="group"):
        NavLink("Somewhere", "/x/", 1, "somewhere")


@pytest.mark.parametrize(
    "username", ["student", "guardian", "teacher", "advisor", "district-admin", "mentor"]
)
def test_navigation_costs_at_most_the_request_context_and_two_questions(
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

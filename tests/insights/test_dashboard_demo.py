"""The dashboards on the demo district after a refresh: query bounds of the page, the API and the home
panel, and the navigation link."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from waypoint import policy
from waypoint.insights.home import home_panels
from waypoint.insights.navigation import nav_links
from waypoint.insights.services.refresh import refresh_district

PAGE_QUERY_LIMIT = 20
API_QUERY_LIMIT = 16
HOME_PANEL_QUERY_LIMIT = 3


@pytest.fixture
def refreshed(demo: Demo) -> Demo:
    refresh_district(district_id=demo.riverside.pk)
    return demo


@pytest.mark.parametrize("username", ["district-admin", "school-admin"])
@pytest.mark.parametrize("by", ["race", "school", "grade"])
def test_the_page_and_the_api_stay_under_their_query_limits(
    client: Client,
    refreshed: Demo,
    username: str,
    by: str,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(refreshed.users[username])
    with django_assert_max_num_queries(PAGE_QUERY_LIMIT):
        assert client.get(reverse("insights-dashboard"), {"by": by}).status_code == 200
    with django_assert_max_num_queries(API_QUERY_LIMIT):
        assert client.get("/api/v1/insights/dashboard", {"by": by}).status_code == 200


def test_small_demo_groups_are_hidden_on_the_page(client: Client, refreshed: Demo) -> None:
    client.force_login(refreshed.users["district-admin"])
    html = client.get(reverse("insights-dashboard")).content.decode()
    assert "hidden to protect a small group" in html
    assert 'src="/static/waypoint/insights-charts.js"' in html


@pytest.mark.parametrize("username", ["district-admin", "school-admin"])
def test_the_home_panel_shows_the_growth_in_few_queries(
    refreshed: Demo, username: str, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    user = refreshed.users[username]
    request = RequestFactory().get("/")
    request.user = user
    policy.request_access(request)  # the request's access context, which the page shell reads anyway
    with django_assert_max_num_queries(HOME_PANEL_QUERY_LIMIT):
        panels = home_panels(request, user)
    (panel,) = panels
    assert panel.key == "insights-growth"
    assert "figures as of" in panel.intro
    assert [item.label.split(":")[0] for item in panel.items] == ["On track or ahead", "Mean pace"]
    assert panel.action is not None
    assert panel.action.url == reverse("insights-dashboard")


def test_the_state_analyst_is_shown_the_state_view(demo: Demo) -> None:
    request = RequestFactory().get("/")
    request.user = demo.users["state-analyst"]
    (panel,) = home_panels(request, demo.users["state-analyst"])
    assert panel.items[0].url == reverse("insights-state")
    assert [link.url for link in nav_links(request, demo.users["state-analyst"])] == [
        reverse("insights-state"),
        reverse("insights-graduation"),
        reverse("insights-self-study"),
    ]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (
            "district-admin",
            ["insights-dashboard", "insights-graduation", "insights-self-study", "insights-plans"],
        ),
        ("school-admin", ["insights-dashboard", "insights-plans"]),
        ("teacher", []),
        ("student", []),
        ("guardian", []),
    ],
)
def test_the_insights_links_are_for_those_who_may_open_them(
    demo: Demo, username: str, expected: list[str]
) -> None:
    request = RequestFactory().get("/")
    request.user = demo.users[username]
    links = nav_links(request, demo.users[username])
    assert [link.url for link in links] == [reverse(name) for name in expected]
    if not expected:
        assert home_panels(request, demo.users[username]) == []

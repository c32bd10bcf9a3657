"""The student home's pathways panels stay cheap: the suggestions are ranked on the catalog's facts without
reading the suggested opportunities' details again, the open paths are read once for both panels, and the
panel still shows what the recommendations page ranks first."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import Truncator

from tests.conftest import Demo
from waypoint.pathways.home import SUGGESTIONS
from waypoint.pathways.selectors import current_grade, rank_for


def home_statements(client: Client, demo: Demo) -> list[str]:
    client.force_login(demo.users["student"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_home_suggestions_are_the_first_recommendations(client: Client, demo: Demo) -> None:
    expected = rank_for(demo.student, grade=current_grade(demo.student), limit=SUGGESTIONS)
    assert expected, "the demo student should have suggestions to compare"
    client.force_login(demo.users["student"])
    response = client.get(reverse("home"))
    panel = next(shown.panel for shown in response.context["panels"] if shown.panel.key == "suggestions")
    assert [(item.label, item.url, item.detail) for item in panel.items] == [
        (
            item.opportunity.title,
            reverse("opportunity-detail", args=[item.opportunity.pk]),
            Truncator(item.suggestion.reason).chars(160),
        )
        for item in expected
    ]


def test_the_home_reads_the_open_paths_once_and_no_opportunity_details(client: Client, demo: Demo) -> None:
    statements = home_statements(client, demo)
    # (The catalog's count of places held reads paths too, inside its own statement.)
    assert sum(sql.startswith('SELECT "pathways_pathproposal"') for sql in statements) == 1
    # The details (provider, competencies as models) are for the recommendations page, not the home.
    assert not any('"catalog_provider"' in sql for sql in statements)
    # Both relations of the catalog's competencies come in one statement.
    assert sum('"catalog_opportunity_prerequisites"' in sql for sql in statements) == 1

"""Framework and rubric lists answer in a number of SQL queries that does not grow with their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from waypoint.core.models import Organization, User
from waypoint.frameworks import services

pytestmark = pytest.mark.django_db

LISTS = ["/frameworks/", "/rubrics/", "/api/v1/frameworks", "/api/v1/rubrics"]


def add_frameworks(owner: Organization, count: int, start: int) -> None:
    """`count` published frameworks, each with a competency and a rubric on it, plus an open draft."""
    for number in range(start, start + count):
        version = services.framework_create(owner=owner, title=f"Framework {number}")
        competency = services.competency_create(
            version=version,
            parent=None,
            fields=services.CompetencyFields(human_code=f"F{number}", full_statement=f"Statement {number}."),
        )
        services.version_publish(version=version, actor=None)
        services.draft_create(framework=version.framework)
        services.rubric_create(
            owner=owner,
            title=f"Rubric {number}",
            scale=version.framework.scale,
            criteria=[
                services.CriterionSpec(
                    competency=competency, title="Quality", cells={float(v): ("T", "S") for v in (1, 2, 3, 4)}
                )
            ],
        )


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", LISTS)
def test_lists_use_a_constant_number_of_queries(
    url: str, district: Organization, district_admin: User
) -> None:
    client = Client()
    client.force_login(district_admin)
    add_frameworks(district, 2, 0)
    few = queries_for(client, url)
    add_frameworks(district, 6, 2)
    assert queries_for(client, url) == few

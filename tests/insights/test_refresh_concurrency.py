"""Two refreshes of one district at the same moment: the figures are never counted twice. On PostgreSQL the
second refresh either waits its turn or is refused as a conflict (409), never both rebuilds inserting. Real
PostgreSQL connections, committed transactions (see tests/concurrency.py); skipped on SQLite, whose writing
transactions begin one at a time."""

from __future__ import annotations

from functools import partial

import pytest
from django.db.models import Sum

from tests.concurrency import (  # noqa: F401  (the fixtures)
    ScratchDatabase,
    _race_template,
    scratch_postgres_fixture,
)
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Conflict
from waypoint.core.models import Organization, User
from waypoint.insights.models import GroupFigures
from waypoint.insights.services.refresh import refresh_district


def _riverside() -> int:
    return Organization.objects.get(slug="riverside").pk


def _refresh(district_id: int) -> None:
    refresh_district(
        district_id=district_id, context=RequestContext(user=User.objects.get(username="district-admin"))
    )


def _students(district_id: int) -> int:
    """The district's students as the aggregates count them (the "all" rows)."""
    found = GroupFigures.objects.filter(district_id=district_id, dimension="all").aggregate(n=Sum("students"))
    return int(found["n"] or 0)


@pytest.mark.django_db
def test_two_refreshes_at_once_never_count_the_district_twice(scratch_postgres: ScratchDatabase) -> None:
    district_id = scratch_postgres.one(_riverside)
    scratch_postgres.one(partial(_refresh, district_id))
    once = scratch_postgres.one(partial(_students, district_id))
    assert once > 0
    for _ in range(3):
        outcomes = scratch_postgres.run(partial(_refresh, district_id), partial(_refresh, district_id))
        errors = [outcome.error for outcome in outcomes if outcome.error is not None]
        assert all(isinstance(error, Conflict) for error in errors), errors
        assert len(errors) < 2
        assert scratch_postgres.one(partial(_students, district_id)) == once

"""Fuzz the REST API from its own OpenAPI schema (schemathesis, in-process through WSGI).

Every operation, called with generated parameters as a district administrator, must answer without a server
error, with a documented status code and a body that matches the documented schema. (Schemathesis's pytest
plugin does not run under pytest 9, so the test drives one Hypothesis search per operation itself.)"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from waypoint.core.audit import RequestContext
from waypoint.core.models import User
from waypoint.core.services import access_token_create

pytestmark = [pytest.mark.django_db, pytest.mark.once]


# The operations are fuzzed in shards, each a test of its own, so the two CI workers share them.
SHARDS = 4


@pytest.mark.usefixtures("connection_kept_across_requests")
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_conforms_to_its_schema(shard: int) -> None:
    admin = User.objects.get(username="district-admin")
    _, token = access_token_create(context=RequestContext(user=admin), user=admin, name="fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4 * SHARDS

    for operation in operations[shard::SHARDS]:
        # 15 cases an operation: the schema grew past 100 operations, and CI has a time limit. The cases
        # that once broke the API (surrogates, huge ids, far dates) are tested by name in tests/core.

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def conforms(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            # The test supplies a valid token itself, so "ignored auth" would flag every call; refusing bad
            # credentials is tested in tests/core/test_sign_in.py. A schema cannot say that a parent must
            # belong to the same framework version, so a well-formed write may still be refused with a
            # documented 400; those rules are tested in tests/frameworks/.
            case.validate_response(response, excluded_checks=[ignored_auth, positive_data_acceptance])

        conforms()

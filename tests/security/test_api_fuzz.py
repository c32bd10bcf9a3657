"""Fuzz the REST API from its own OpenAPI schema (schemathesis, in-process through WSGI), every operation.

1. Called with generated parameters as a district administrator, every operation answers without a server
   error, with a documented status code and a body (and media type) that matches the documented schema.
2. Called without credentials, every operation answers 401.
3. Called by another district's administrator with the ids of Riverside's objects, every operation that
   takes an id refuses (404, or 403 where the reader may know the object exists).

(Schemathesis's pytest plugin does not run under pytest 9, so the tests drive one Hypothesis search per
operation themselves.) `WAYPOINT_FUZZ_OPERATIONS=interop_,people_` limits the run to operations whose ids
start so, and `WAYPOINT_FUZZ_EXAMPLES` sets the cases an operation, while developing."""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db.models import Model, Q, QuerySet
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.conftest import Demo
from waypoint.catalog.models import Opportunity, Provider
from waypoint.core.api import PROBLEM_MEDIA_TYPE
from waypoint.core.audit import RequestContext
from waypoint.core.models import Organization, Section, Student, User
from waypoint.core.services import access_token_create
from waypoint.evidence.models import Assessment, Evidence
from waypoint.frameworks import services as framework_services
from waypoint.frameworks.models import (
    Alignment,
    Competency,
    Framework,
    FrameworkVersion,
    ProficiencyScale,
    Rubric,
)
from waypoint.insights.models import ActionPlan
from waypoint.interop.models import RosterImport
from waypoint.notifications.models import Notification
from waypoint.operations.models import TaskRun
from waypoint.pathways.models import PathProposal
from waypoint.profiles.models import PlanGoal
from waypoint.progress.models import Alert, Conference
from waypoint.records.models import DisposalRequest, Exhibition, GraduationRuleSet, TransferRequest

pytestmark = [pytest.mark.django_db, pytest.mark.once]

# The operations are fuzzed in shards, each a test of its own, so the two CI workers share them.
SHARDS = 4
EXAMPLES = int(os.environ.get("WAYPOINT_FUZZ_EXAMPLES", "15"))
ONLY = tuple(prefix for prefix in os.environ.get("WAYPOINT_FUZZ_OPERATIONS", "").split(",") if prefix)
# Few cases suffice to show a refusal: it comes before anything the generated values could change.
REFUSAL_EXAMPLES = 2

Operation = Any  # schemathesis.APIOperation
# Generation only: shrinking a failure to its smallest case costs minutes, and the failing case is reported
# as found, which is enough to reproduce it.
SEARCH: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
    "database": None,
    "phases": [Phase.explicit, Phase.generate],
}


def _operations() -> list[Operation]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if not ONLY or _operation_id(op).startswith(ONLY)]


def _operation_id(operation: Operation) -> str:
    return str(operation.definition.raw["operationId"])


def _token_for(user: User) -> str:
    _, token = access_token_create(context=RequestContext(user=user), user=user, name="fuzz")
    return token


def _search(operations: list[Operation], run: Callable[[Operation], None]) -> list[str]:
    """Run each operation's search; the failures of all of them, not only the first, each in a line."""
    failures = []
    for operation in operations:
        try:
            run(operation)
        except Exception as error:  # every failure is reported below, with its operation
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            failures.append(f"{operation.label}: {first_line}")
    return failures


@pytest.mark.usefixtures("connection_kept_across_requests")
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_conforms_to_its_schema(shard: int) -> None:
    token = _token_for(User.objects.get(username="district-admin"))
    operations = _operations()
    assert ONLY or len(operations) >= 4 * SHARDS

    def run(operation: Operation) -> None:
        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def conforms(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            # The test supplies a valid token itself, so "ignored auth" would flag every call (refusing bad
            # credentials is the second test). A schema cannot say that a parent must belong to the same
            # framework version, so a well-formed write may still be refused with a documented 400.
            case.validate_response(response, excluded_checks=[ignored_auth, positive_data_acceptance])

        conforms()

    failures = _search(operations[shard::SHARDS], run)
    assert not failures, f"{len(failures)} operations break their schema:\n" + "\n".join(failures)


def _url(operation: Operation, ids: dict[str, int]) -> str:
    return re.sub(r"{(\w+)}", lambda match: str(ids.get(match[1], 1)), operation.path)


@pytest.mark.usefixtures("connection_kept_across_requests")
def test_every_operation_refuses_a_caller_without_credentials(client: Client) -> None:
    wrong = []
    for operation in _operations():
        if not operation.definition.raw.get("security"):
            continue
        response = client.generic(
            operation.method.upper(), _url(operation, {}), content_type="application/json"
        )
        if response.status_code != 401 or not response["Content-Type"].startswith(PROBLEM_MEDIA_TYPE):
            wrong.append(f"{operation.label}: {response.status_code} {response['Content-Type']}")
    assert not wrong, "Answered a caller without credentials:\n" + "\n".join(wrong)


def _riverside_unpublished_work(demo: Demo) -> None:
    """What the demo lacks: Riverside's own draft framework (a competency with an alignment), a scale of its
    own, a disposal request, a roster import, a background task and a transfer from a third district."""
    riverside = demo.riverside
    draft = framework_services.framework_create(owner=riverside, title="Fuzz draft")
    fields = framework_services.CompetencyFields(human_code="FZ.1", full_statement="Fuzzes the API.")
    competency = framework_services.competency_create(version=draft, parent=None, fields=fields)
    framework_services.alignment_create(
        competency=competency, association_type="isPeerOf", target_identifier="urn:fuzz:1"
    )
    framework_services.scale_create(
        owner=riverside,
        name="Fuzz scale",
        levels=[
            framework_services.LevelSpec(value=1, label="Beginning"),
            framework_services.LevelSpec(value=2, label="Secure", meets_mastery=True),
        ],
    )
    today = timezone.localdate()
    DisposalRequest.objects.create(
        district=riverside,
        student=demo.student,
        student_reference="fuzz",
        requested_by_name="The family",
        received_on=today,
        due_on=today + datetime.timedelta(days=60),
        recorded_by=demo.users["district-admin"],
    )
    RosterImport.objects.create(
        district=riverside, started_by=demo.users["district-admin"], source_name="fuzz.zip"
    )
    TaskRun.objects.create(
        district=riverside, started_by=demo.users["district-admin"], kind="fuzz", work="fuzz.work"
    )
    # The demo's transfers run between Riverside and Hillcrest, whose administrator rightly acts on them.
    elsewhere = Organization.objects.create(
        kind=Organization.Kind.DISTRICT,
        name="Elsewhere",
        slug="fuzz-elsewhere",
        sourced_id="fuzz-elsewhere",
        parent=riverside.parent,
    )
    TransferRequest.objects.create(
        from_district=elsewhere,
        to_district=riverside,
        student=demo.student,
        state_student_id="FUZZ-1",
        requested_by=demo.users["district-admin"],
    )


def _riverside_ids(riverside: Organization) -> dict[str, int | None]:
    """An object of Riverside's for each kind of id the API's paths take; another district's administrator
    may see none of them. Frameworks that districts publish are readable by all (that is how they are
    adopted), so the framework objects here are Riverside's own unpublished work."""
    mine = Q(district=riverside)
    to_riverside = Q(to_district=riverside)

    def first(queryset: QuerySet[Any]) -> int | None:
        found: Model | None = queryset.order_by("pk").first()
        return found.pk if found is not None else None

    draft = FrameworkVersion.objects.filter(framework__owner=riverside, status="draft")
    return {
        "student_id": first(Student.objects.filter(mine)),
        "framework_id": first(
            Framework.objects.filter(owner=riverside, versions__in=draft).exclude(
                versions__status="published"
            )
        ),
        "version_id": first(draft),
        "competency_id": first(Competency.objects.filter(version__in=draft)),
        "alignment_id": first(Alignment.objects.filter(competency__version__in=draft)),
        "scale_id": first(ProficiencyScale.objects.filter(owner=riverside)),
        "rubric_id": first(Rubric.objects.filter(owner=riverside)),
        "assessment_id": first(Assessment.objects.filter(mine)),
        "evidence_id": first(Evidence.objects.filter(mine)),
        "plan_id": first(ActionPlan.objects.filter(mine)),
        "section_id": first(Section.objects.filter(mine)),
        "opportunity_id": first(Opportunity.objects.filter(mine, shared_as_template=False)),
        "provider_id": first(Provider.objects.filter(mine)),
        "goal_id": first(PlanGoal.objects.filter(mine)),
        "path_id": first(PathProposal.objects.filter(mine)),
        "notification_id": first(Notification.objects.filter(mine)),
        "alert_id": first(Alert.objects.filter(mine)),
        "conference_id": first(Conference.objects.filter(mine)),
        "rule_set_id": first(GraduationRuleSet.objects.filter(mine)),
        "exhibition_id": first(Exhibition.objects.filter(mine)),
        "transfer_id": first(
            TransferRequest.objects.filter(to_riverside, from_district__slug="fuzz-elsewhere")
        ),
        "disposal_id": first(DisposalRequest.objects.filter(mine)),
        "import_id": first(RosterImport.objects.filter(mine)),
        "task_run_id": first(TaskRun.objects.filter(mine)),
    }


# Read by every district by design: a proficiency scale and a rubric hold no student data, and districts
# share them so that others can score with them (their writes stay the owner's).
SHARED_READS = {"frameworks_scale_detail", "frameworks_rubric_detail"}


def _path_ids(operation: Operation) -> Iterator[str]:
    """The object ids in the operation's path (a table key such as the export's `{table}` names no object)."""
    yield from re.findall(r"{(\w+_id)}", operation.path)


@pytest.mark.usefixtures("connection_kept_across_requests")
def test_another_districts_administrator_is_refused_every_object_by_id(demo: Demo) -> None:
    outsider = User.objects.get(
        role_assignments__role="district_admin", role_assignments__organization=demo.hillcrest
    )
    token = _token_for(outsider)
    _riverside_unpublished_work(demo)
    ids = _riverside_ids(demo.riverside)
    operations = [op for op in _operations() if list(_path_ids(op)) and _operation_id(op) not in SHARED_READS]
    missing = sorted({name for op in operations for name in _path_ids(op) if ids.get(name) is None})
    assert not missing, f"No Riverside object to try for {missing}: add it to _riverside_ids."

    def run(operation: Operation) -> None:
        fixed = {name: ids[name] for name in _path_ids(operation)}

        @given(case=operation.as_strategy(path_parameters=fixed))
        @settings(max_examples=REFUSAL_EXAMPLES, **SEARCH)
        def refused(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code in (403, 404), f"{response.status_code} {response.text[:200]}"

        refused()

    failures = _search(operations, run)
    assert not failures, f"{len(failures)} operations let another district in:\n" + "\n".join(failures)

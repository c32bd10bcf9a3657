"""Writes of paths: what they record, and every bad input refused with a clear error and nothing written.
(Profiles and plans: tests/profiles; the catalog: tests/catalog.)"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from tests.factories import RoleFactory
from tests.pathways.conftest import (
    World,
    enrolled_student,
    goal,
    nothing_written_by,
    opportunity,
    proposal,
    propose,
)
from waypoint.core.audit import RequestContext
from waypoint.core.models import Role
from waypoint.mastery.models import MasteryLevel
from waypoint.pathways import services
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.pathways.services import PathwaysError
from waypoint.policy import today
from waypoint.profiles import services as profile_services

pytestmark = pytest.mark.django_db


@contextmanager
def nothing_written(match: str | None = None) -> Iterator[pytest.ExceptionInfo[PathwaysError]]:
    """The block raises PathwaysError (whose message matches) and writes nothing (`nothing_written_by`)."""
    with nothing_written_by(PathwaysError, match) as refused:
        yield refused


# Paths: the bad input of the issue --------------------------------------------------------------------------


def test_a_student_proposes_only_for_themselves(world: World) -> None:
    with nothing_written("only for themselves"):
        services.path_propose(
            context=world.context(world.student_user),
            student=world.classmate,
            fields=proposal(world.internship),
        )
    with nothing_written("only for themselves"):
        services.path_propose(
            context=world.context(world.advisor), student=world.student, fields=proposal(world.internship)
        )


def test_nobody_approves_their_own_proposal(world: World) -> None:
    # A student who also works as a teacher's aide at the school: the role does not let them approve.
    RoleFactory(user=world.student_user, role=Role.TEACHER, organization=world.school)
    path = propose(world)
    with nothing_written("your own proposal"):
        services.path_approve(context=world.context(world.student_user), path=path)
    with nothing_written("your own proposal"):
        services.path_request_changes(context=world.context(world.student_user), path=path, note="More")


def test_capacity_is_enforced_when_proposing_and_when_approving(world: World) -> None:
    classmate = enrolled_student(world, 11)
    third = enrolled_student(world, 12)
    first = propose(world)
    second = propose(world, classmate)
    waiting = propose(world, third)
    services.path_approve(context=world.context(world.advisor), path=first)
    services.path_approve(context=world.context(world.admin), path=second)
    with nothing_written("no places left"):
        services.path_approve(context=world.context(world.admin), path=waiting)
    fourth = enrolled_student(world, 10)
    with nothing_written("no places left"):
        propose(world, fourth)
    services.path_withdraw(context=world.context(world.student_user), path=first, reason="Moved away")
    services.path_approve(context=world.context(world.admin), path=waiting)
    assert PathProposal.objects.filter(opportunity=world.internship, status=PathStatus.ACTIVE).count() == 2


def test_an_ineligible_student_is_refused(world: World) -> None:
    young = enrolled_student(world, 9)
    with nothing_written("for grades 10–12, and the student is in grade 9"):
        propose(world, young)
    gated = opportunity(
        world.district, world.provider, title="Advanced", prerequisites=world.competencies[2:]
    )
    with nothing_written(r"needs mastery of COL\.3 first"):
        propose(world, opportunity=gated)
    competency = world.competencies[2]
    MasteryLevel.objects.create(
        district=world.district,
        student=world.student,
        competency=competency,
        framework_version=competency.version,
        level=3,
        meets_mastery=True,
        method="mean",
    )
    assert propose(world, opportunity=gated).status == PathStatus.PROPOSED
    retired = opportunity(world.district, world.provider, title="Retired", is_active=False)
    with nothing_written("no longer offered"):
        propose(world, opportunity=retired)


def test_dates_that_end_before_they_start_are_refused(world: World) -> None:
    with nothing_written(r"The path ends on .* before it starts"):
        propose(world, ends_on=today() - datetime.timedelta(days=1))


def test_one_open_proposal_per_opportunity(world: World) -> None:
    propose(world)
    with nothing_written("already an open proposal"):
        propose(world)


def test_a_proposal_needs_its_reasons(world: World) -> None:
    with nothing_written("reason for this path"):
        propose(world, rationale="  ")
    other_goal = profile_services.goal_add(
        context=RequestContext(user=world.advisor), student=world.classmate, fields=goal()
    )
    with nothing_written("own success plan goals"):
        propose(world, goals=[other_goal])


def test_an_independent_study_needs_a_question_a_product_and_competencies(world: World) -> None:
    with nothing_written() as refused:
        propose(world, opportunity=None, title="", question="", product="")
    assert len(refused.value.problems) == 4
    with nothing_written("not an external mentor or teacher"):
        propose(
            world,
            opportunity=None,
            title="Comics",
            question="Why?",
            product="A comic",
            competencies=world.competencies[:1],
            mentor=world.guardian,
        )
    path = propose(
        world,
        opportunity=None,
        title="Comics",
        question="How do comics tell time?",
        product="A comic",
        competencies=world.competencies[:1],
        mentor=world.teacher,
    )
    assert path.is_independent_study
    assert path.mentor == world.teacher
    services.path_approve(context=world.context(world.advisor), path=path)
    path.refresh_from_db()
    assert path.mentor == world.teacher


def test_changes_requested_then_revised_then_approved_and_started(world: World) -> None:
    path = propose(world)
    advisor = world.context(world.advisor)
    with nothing_written("What should change is required"):
        services.path_request_changes(context=advisor, path=path, note=" ")
    services.path_request_changes(context=advisor, path=path, note="Link it to a career goal.")
    path.refresh_from_db()
    assert path.status == PathStatus.CHANGES_REQUESTED
    with nothing_written("changes requested: it cannot be approved"):
        services.path_approve(context=advisor, path=path)
    services.path_revise(
        context=world.context(world.student_user),
        path=path,
        fields=proposal(world.internship, rationale="Career!"),
    )
    path.refresh_from_db()
    assert path.status == PathStatus.PROPOSED
    services.path_approve(context=advisor, path=path, notes="Great fit.")
    path.refresh_from_db()
    assert path.status == PathStatus.ACTIVE
    assert path.mentor == world.mentor
    assert path.decided_by == world.advisor
    assert path.decision_notes == "Great fit."
    assert list(path.events.values_list("from_status", "to_status")) == [
        ("", "proposed"),
        ("proposed", "changes_requested"),
        ("changes_requested", "proposed"),
        ("proposed", "approved"),
        ("approved", "active"),
    ]
    services.path_complete(context=advisor, path=path, note="Done well.")
    path.refresh_from_db()
    assert path.status == PathStatus.COMPLETED
    with nothing_written():
        services.path_withdraw(context=advisor, path=path)


def test_a_future_path_waits_approved_then_starts(world: World) -> None:
    path = propose(
        world, starts_on=today() + datetime.timedelta(days=10), ends_on=today() + datetime.timedelta(days=40)
    )
    services.path_approve(context=world.context(world.advisor), path=path)
    path.refresh_from_db()
    assert path.status == PathStatus.APPROVED
    automatic = RequestContext(user=AnonymousUser())
    assert services.paths_start_due(context=automatic) == 0
    assert services.paths_start_due(context=automatic, on=today() + datetime.timedelta(days=10)) == 1
    path.refresh_from_db()
    assert path.status == PathStatus.ACTIVE
    assert path.events.last().actor is None  # type: ignore[union-attr]


def test_starting_early_moves_the_start_to_today(world: World) -> None:
    path = propose(
        world, starts_on=today() + datetime.timedelta(days=10), ends_on=today() + datetime.timedelta(days=40)
    )
    services.path_approve(context=world.context(world.advisor), path=path)
    services.path_start(context=world.context(world.advisor), path=path)
    path.refresh_from_db()
    assert path.status == PathStatus.ACTIVE
    assert path.starts_on == today()
    assert "Started early" in path.events.last().note  # type: ignore[union-attr]


def test_the_daily_command_starts_the_paths_whose_day_has_come(world: World) -> None:
    path = propose(
        world, starts_on=today() + datetime.timedelta(days=3), ends_on=today() + datetime.timedelta(days=40)
    )
    services.path_approve(context=world.context(world.advisor), path=path)
    out = io.StringIO()
    call_command("start-paths", stdout=out)
    assert out.getvalue().strip() == "Started 0 paths."
    call_command("start-paths", "--on", (today() + datetime.timedelta(days=3)).isoformat(), stdout=out)
    assert "Started 1 path." in out.getvalue()
    path.refresh_from_db()
    assert path.status == PathStatus.ACTIVE

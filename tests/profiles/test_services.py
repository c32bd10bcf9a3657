"""Writes of learner profiles and success plans: what they record, and every bad input refused with a
clear error and nothing written."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import Demo
from tests.pathways.conftest import (
    World,
    goal,
    nothing_written_by,
)
from waypoint.core.models import AuditEvent
from waypoint.policy import today
from waypoint.profiles import services
from waypoint.profiles.models import GoalDomain, SuccessPlan
from waypoint.profiles.services import ProfileError

pytestmark = pytest.mark.django_db


@contextmanager
def nothing_written(match: str | None = None) -> Iterator[pytest.ExceptionInfo[ProfileError]]:
    """The block raises ProfileError (whose message matches) and writes nothing (`nothing_written_by`)."""
    with nothing_written_by(ProfileError, match) as refused:
        yield refused


def test_the_student_keeps_a_profile_with_its_history(world: World) -> None:
    context = world.context(world.student_user)
    fields = services.ProfileFields(
        interests=["Robotics", " robotics ", "drawing", ""],
        career_clusters=["stem", "manufacturing"],
        learning_preferences=["group", "hands_on"],
        has_home_internet=False,
        free_times=["weekends"],
    )
    profile = services.profile_save(context=context, student=world.student, fields=fields)
    assert profile.interests == ["Robotics", "drawing"]
    assert profile.career_clusters == ["manufacturing", "stem"]
    assert profile.learning_preferences == ["hands_on", "group"]
    services.profile_save(
        context=context, student=world.student, fields=services.ProfileFields(interests=["chess"])
    )
    revisions = list(profile.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].snapshot["interests"] == ["Robotics", "drawing"]
    assert revisions[1].snapshot["interests"] == ["chess"]
    assert AuditEvent.objects.filter(object_type="learner-profile", student=world.student).count() == 2


def test_nobody_else_writes_the_profile_and_bad_choices_are_refused(world: World) -> None:
    with nothing_written():
        services.profile_save(
            context=world.context(world.advisor), student=world.student, fields=services.ProfileFields()
        )
    for fields in (
        services.ProfileFields(career_clusters=["astronaut"]),
        services.ProfileFields(free_times=["midnight"]),
        services.ProfileFields(postsecondary_goal="lottery"),
        services.ProfileFields(interests=[f"interest {i}" for i in range(21)]),
        services.ProfileFields(aspirations="nul\x00"),
    ):
        with nothing_written():
            services.profile_save(
                context=world.context(world.student_user), student=world.student, fields=fields
            )


def test_comments_need_a_profile_and_words(world: World) -> None:
    with nothing_written():
        services.profile_comment_add(context=world.context(world.advisor), student=world.student, text="Nice")
    services.profile_save(
        context=world.context(world.student_user), student=world.student, fields=services.ProfileFields()
    )
    with nothing_written():
        services.profile_comment_add(context=world.context(world.advisor), student=world.student, text="   ")
    comment = services.profile_comment_add(
        context=world.context(world.advisor), student=world.student, text="Ask about the robotics club."
    )
    assert comment.author == world.advisor


def test_goals_with_milestones_and_links_grow_the_plan(world: World) -> None:
    context = world.context(world.student_user)
    added = services.goal_add(
        context=context,
        student=world.student,
        fields=goal(
            evidence_links=["https://example.org/portfolio", "/evidence/4/", " "],
            milestones=[services.MilestoneSpec("Meet my teacher", today()), services.MilestoneSpec("  ")],
        ),
    )
    assert added.evidence_links == ["https://example.org/portfolio", "/evidence/4/"]
    assert [m.description for m in added.milestones.all()] == ["Meet my teacher"]
    plan = SuccessPlan.objects.get(student=world.student)
    assert plan.revision == 2
    services.goal_update(
        context=world.context(world.advisor),
        goal=added,
        fields=goal(GoalDomain.CAREER, milestones=[services.MilestoneSpec("Job shadow")]),
    )
    added.refresh_from_db()
    assert added.domain == GoalDomain.CAREER
    assert [m.description for m in added.milestones.all()] == ["Job shadow"]
    plan.refresh_from_db()
    assert plan.revision == 3


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (goal(""), "Every goal needs a domain"),
        (goal("fitness"), "is not a goal domain"),
        (services.GoalFields(domain=GoalDomain.CAREER, statement=" "), "The goal is required"),
        (goal(evidence_links=["javascript:alert(1)"]), "is not a web address"),
        (goal(milestones=[services.MilestoneSpec("", today())]), "has a date but no description"),
        (goal(status="finished"), "is not a goal status"),
    ],
)
def test_bad_goals_are_refused(world: World, fields: services.GoalFields, problem: str, demo: Demo) -> None:
    with nothing_written(problem):
        services.goal_add(context=world.context(world.student_user), student=world.student, fields=fields)
    assert not demo.added(SuccessPlan).exists()


def test_reviews_and_acknowledgements(world: World) -> None:
    with nothing_written():
        services.plan_review_record(
            context=world.context(world.advisor), student=world.student, reviewed_on=today()
        )
    with nothing_written():
        services.plan_acknowledge(context=world.context(world.guardian), student=world.student)
    services.goal_add(context=world.context(world.student_user), student=world.student, fields=goal())
    with nothing_written("future"):
        services.plan_review_record(
            context=world.context(world.advisor),
            student=world.student,
            reviewed_on=today() + datetime.timedelta(days=1),
        )
    review = services.plan_review_record(
        context=world.context(world.advisor), student=world.student, reviewed_on=today(), notes="On track."
    )
    assert review.reviewer_name == world.advisor.display_name
    plan = SuccessPlan.objects.get(student=world.student)
    assert plan.review_due(review.reviewed_on) == today() + datetime.timedelta(days=365)
    acknowledgement = services.plan_acknowledge(context=world.context(world.guardian), student=world.student)
    assert acknowledgement.revision == plan.revision

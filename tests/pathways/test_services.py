"""Writes of profiles, plans, the catalog and paths: what they record, and every bad input refused with a
clear error and nothing written."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db.models import Model

from tests.factories import RoleFactory
from tests.pathways.conftest import (
    World,
    enrolled_student,
    goal,
    opportunity,
    proposal,
    propose,
    publish_profile,
)
from waypoint.core.audit import RequestContext
from waypoint.core.models import AuditEvent, Role
from waypoint.mastery.models import MasteryLevel
from waypoint.pathways import services
from waypoint.pathways.models import (
    GoalDomain,
    GoalMilestone,
    LearnerProfile,
    LearnerProfileRevision,
    Opportunity,
    PathEvent,
    PathProposal,
    PathStatus,
    PlanAcknowledgement,
    PlanGoal,
    PlanReview,
    ProfileComment,
    Provider,
    SuccessPlan,
)
from waypoint.pathways.services import PathwaysError
from waypoint.policy import today

pytestmark = pytest.mark.django_db

WRITTEN: tuple[type[Model], ...] = (
    LearnerProfile,
    LearnerProfileRevision,
    ProfileComment,
    SuccessPlan,
    PlanGoal,
    GoalMilestone,
    PlanReview,
    PlanAcknowledgement,
    Provider,
    Opportunity,
    PathProposal,
    PathEvent,
    AuditEvent,
)


@contextmanager
def nothing_written(match: str | None = None) -> Iterator[pytest.ExceptionInfo[PathwaysError]]:
    """The block raises PathwaysError (whose message matches) and leaves every pathways table and the audit
    log as they were."""
    before = {model: model.objects.count() for model in WRITTEN}
    with pytest.raises(PathwaysError, match=match) as refused:
        yield refused
    assert {model: model.objects.count() for model in WRITTEN} == before


# Learner profiles -----------------------------------------------------------------------------------------


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


# Success plans --------------------------------------------------------------------------------------------


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
def test_bad_goals_are_refused(world: World, fields: services.GoalFields, problem: str) -> None:
    with nothing_written(problem):
        services.goal_add(context=world.context(world.student_user), student=world.student, fields=fields)
    assert not SuccessPlan.objects.exists()


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


# The catalog ----------------------------------------------------------------------------------------------


def test_bad_opportunities_are_refused(world: World) -> None:
    foreign = services.provider_save(
        district=world.other_district, fields=services.ProviderFields(name="Elsewhere", kind="employer")
    )
    cases: list[tuple[dict[str, object], str]] = [
        (
            {"starts_on": today(), "ends_on": today() - datetime.timedelta(days=1)},
            "ends on .* before it starts",
        ),
        ({"min_grade": 12, "max_grade": 9}, "lowest grade is above"),
        ({"capacity": 0}, "at least 1"),
        ({"career_cluster": "astronaut"}, "16 career clusters"),
        ({"provider": foreign}, "another district"),
        ({"title": " "}, "title is required"),
        ({"mentor": world.other_teacher}, "not an external mentor or teacher"),
    ]
    for values, problem in cases:
        provider = values.pop("provider", world.provider)
        with nothing_written(problem):
            opportunity(world.district, provider, **values)  # type: ignore[arg-type]


def test_capacity_cannot_drop_below_the_places_taken(world: World) -> None:
    for student in (world.student, enrolled_student(world, 11)):
        services.path_approve(context=world.context(world.advisor), path=propose(world, student))
    fields = services.OpportunityFields(
        title="Machining internship",
        kind="internship",
        provider=world.provider,
        location="community",
        capacity=1,
    )
    with nothing_written("2 students already hold places"):
        services.opportunity_save(
            district=world.district, fields=fields, actor=None, opportunity=world.internship
        )


def test_providers_have_unique_names_and_real_mentors(world: World) -> None:
    with nothing_written("already has a provider"):
        services.provider_save(
            district=world.district, fields=services.ProviderFields(name="acme machining", kind="employer")
        )
    with nothing_written("not an email"):
        services.provider_save(
            district=world.district,
            fields=services.ProviderFields(name="New", kind="college", contact_email="nobody"),
        )
    with nothing_written("not an external mentor"):
        services.provider_save(
            district=world.district,
            fields=services.ProviderFields(name="New", kind="college", mentor=world.guardian),
        )


def test_copying_a_template_keeps_the_competencies_the_district_can_use(world: World) -> None:
    template = opportunity(
        world.other_district,
        services.provider_save(
            district=world.other_district, fields=services.ProviderFields(name="Lake Works", kind="employer")
        ),
        title="Shared internship",
        shared_as_template=True,
        competencies=publish_profile(world.other_district, ["LK.1"]),
    )
    copy, dropped = services.opportunity_copy(
        template=template, district=world.district, provider=world.provider, actor=world.admin
    )
    assert copy.district == world.district
    assert copy.copied_from == template
    assert not copy.shared_as_template
    assert dropped == 1
    assert not copy.competencies.exists()
    private = opportunity(world.other_district, template.provider, title="Private")
    with nothing_written("shared as a best practice"):
        services.opportunity_copy(
            template=private, district=world.district, provider=world.provider, actor=world.admin
        )
    with nothing_written("add to its catalog"):
        services.opportunity_copy(
            template=template, district=world.district, provider=world.provider, actor=world.mentor
        )


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
    other_goal = services.goal_add(
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


# Paths: the states ----------------------------------------------------------------------------------------


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

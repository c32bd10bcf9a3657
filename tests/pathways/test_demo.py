"""The demo's paths of study: a catalog of every type in both districts, a profile and a plan for every
student, paths in every state, and `student`'s internship with `mentor`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Count

from waypoint import policy
from waypoint.catalog.demo import load_demo_catalog
from waypoint.catalog.models import Opportunity, OpportunityKind
from waypoint.core.audit import RequestContext
from waypoint.core.demo import DemoSummary
from waypoint.core.models import Organization, Student, User
from waypoint.evidence.models import Evidence, EvidenceKind, Score, ScoreSource
from waypoint.pathways import selectors
from waypoint.pathways.demo import load_demo_pathways
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.policy import Action, can
from waypoint.policy.pathways import mentor_active_paths
from waypoint.profiles.demo import load_demo_profiles
from waypoint.profiles.models import GoalDomain, LearnerProfile, PlanGoal, SuccessPlan

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_catalog_profiles_plans_and_paths_in_every_state(
    load_demo_into_empty_db: Callable[..., DemoSummary],
) -> None:
    summary = load_demo_into_empty_db(scale=0.1)
    assert summary.counts["opportunities"] == Opportunity.objects.count() >= 40
    for district in Organization.objects.filter(kind=Organization.Kind.DISTRICT):
        kinds = set(Opportunity.objects.filter(district=district).values_list("kind", flat=True))
        assert kinds == set(OpportunityKind.values), district
    assert not Opportunity.objects.annotate(n=Count("competencies")).filter(n=0).exists()
    assert Opportunity.objects.filter(shared_as_template=True).exists()
    # The students enrolled today (the insights demo's former students of past classes have neither).
    enrolled = Student.objects.filter(enrollments__exit_date__isnull=True).distinct()
    students = enrolled.count()
    assert LearnerProfile.objects.filter(student__in=enrolled).count() == students
    # A few students in each caseload have no success plan yet (the caseload flags them).
    assert 0.8 * students <= SuccessPlan.objects.filter(student__in=enrolled).count() < students
    domains = PlanGoal.objects.values("plan").annotate(n=Count("domain", distinct=True))
    assert {row["n"] for row in domains} == {len(GoalDomain.values)}
    assert set(PathProposal.objects.values_list("status", flat=True)) == set(PathStatus.values)
    for status in PathStatus.values:
        assert PathProposal.objects.filter(status=status, district__slug="riverside").exists(), status


def test_student_has_an_active_internship_mentored_by_mentor() -> None:
    jordan = Student.objects.get(user__username="student")
    mentor = User.objects.get(username="mentor")
    internship = PathProposal.objects.get(student=jordan, opportunity__kind=OpportunityKind.INTERNSHIP)
    assert internship.status == PathStatus.ACTIVE
    assert internship.mentor == mentor
    assert internship in mentor_active_paths(mentor)
    assert can(mentor, Action.VIEW_PATH, internship)
    assert not can(mentor, Action.VIEW_STUDENT, jordan)
    # The advisor has proposals to decide, and Jordan can propose the engineering internship.
    advisor = User.objects.get(username="advisor")
    assert selectors.approval_queue(context=RequestContext(user=advisor)).awaiting
    engineering = Opportunity.objects.get(district=jordan.district, title="Engineering design internship")
    assert selectors.eligibility_barriers(jordan, engineering) == []
    ranked = selectors.rank_for(jordan, grade=10)
    assert engineering in [item.opportunity for item in ranked]


def test_loading_twice_changes_nothing() -> None:
    # The session's demo is the first load.
    before = (Opportunity.objects.count(), PathProposal.objects.count(), LearnerProfile.objects.count())
    districts = list(Organization.objects.filter(kind=Organization.Kind.DISTRICT))
    jordan = Student.objects.get(user__username="student")
    day = jordan.created_at.date()
    assert load_demo_catalog(districts=districts, year_start=day) == {}
    assert load_demo_profiles(districts=districts, today=day, year_start=day) == {}
    assert load_demo_pathways(districts=districts, today=day, year_start=day) == {}
    assert (
        Opportunity.objects.count(),
        PathProposal.objects.count(),
        LearnerProfile.objects.count(),
    ) == before


def test_active_paths_have_student_work_and_the_mentors_observation() -> None:
    mentor = User.objects.get(username="mentor")
    active = PathProposal.objects.filter(status=PathStatus.ACTIVE)
    assert active.filter(district__slug="hillcrest").exists()
    for path in active:
        work = Evidence.objects.filter(path=path)
        assert work.filter(kind=EvidenceKind.SUBMISSION).exists(), path
        assert not work.filter(competencies__isnull=True).exists(), path
        if path.mentor is not None:
            assert work.filter(kind=EvidenceKind.OBSERVATION, recorded_by=path.mentor).exists(), path
    # The mentor's pages are not empty: what they may read includes the work and their own judgement.
    internship = active.get(student__user__username="student")
    readable = policy.visible_evidence(mentor)
    assert set(readable) == set(Evidence.objects.filter(path__in=mentor_active_paths(mentor)))
    assert readable.filter(path=internship, kind=EvidenceKind.SUBMISSION).exists()
    judged = Score.objects.filter(evidence__path=internship, source=ScoreSource.MENTOR)
    assert judged.exists()
    assert not judged.filter(counts_toward_mastery=True).exists()

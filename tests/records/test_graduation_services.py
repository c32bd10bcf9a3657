"""Graduation rule sets and the diploma: versions, refusals that write nothing, the award, the revocation."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db.models import Model
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from tests.records.graduation_kit import ctx, hold_senior_project, profile, reach, senior_project_rules
from waypoint.core.errors import Conflict, NotPermitted
from waypoint.core.models import AuditEvent
from waypoint.frameworks.models import Framework, FrameworkKind, FrameworkVersion
from waypoint.frameworks.services import competency_delete, draft_create, version_publish
from waypoint.notifications.models import Notification
from waypoint.records.models import (
    Diploma,
    DiplomaImmutableError,
    GraduationRequirement,
    GraduationRuleSet,
    RuleSetStatus,
)
from waypoint.records.selectors.graduation import diploma_check, rule_sets_list
from waypoint.records.services.graduation import (
    GraduationError,
    RequirementSpec,
    diploma_award,
    diploma_revoke,
    rule_set_publish,
    rule_set_save,
)

pytestmark = pytest.mark.django_db

WRITTEN: list[type[Model]] = [GraduationRuleSet, GraduationRequirement, Diploma, AuditEvent, Notification]


@contextmanager
def nothing_written(match: str) -> Iterator[None]:
    before = {model: model._default_manager.count() for model in WRITTEN}
    with pytest.raises(GraduationError, match=match):
        yield
    assert {model: model._default_manager.count() for model in WRITTEN} == before


def test_editing_a_published_rule_set_makes_the_next_version_and_supersedes_it(demo: Demo) -> None:
    assert demo.student.cohort_year is not None
    earlier = GraduationRuleSet.objects.filter(district=demo.riverside, cohort_year=demo.student.cohort_year)
    # The demo's draft for Jordan's class would be rewritten in place: start from the versions in force.
    earlier.filter(status=RuleSetStatus.DRAFT).delete()
    before = max(earlier.values_list("version", flat=True), default=0)
    first = senior_project_rules(demo, demo.student)
    assert (first.version, first.status) == (before + 1, RuleSetStatus.PUBLISHED)
    assert not earlier.filter(status=RuleSetStatus.PUBLISHED).exclude(pk=first.pk).exists()
    draft = senior_project_rules(demo, demo.student, publish=False)
    assert (draft.version, draft.status) == (before + 2, RuleSetStatus.DRAFT)
    again = senior_project_rules(demo, demo.student, publish=False)
    assert again.pk == draft.pk  # the draft is rewritten, not multiplied
    assert again.requirements.count() == 2
    rule_set_publish(context=ctx(demo.users["district-admin"]), rule_set=draft)
    first.refresh_from_db()
    assert first.status == RuleSetStatus.SUPERSEDED
    assert AuditEvent.objects.filter(object_type="graduation-rule-set", object_id=str(draft.pk)).count() == 3


def test_every_problem_is_named_and_nothing_is_written(demo: Demo) -> None:
    p = profile(demo)
    elsewhere = Framework.objects.get(owner=demo.hillcrest, kind=FrameworkKind.GRADUATE_PROFILE)
    foreign = elsewhere.versions.get(status="published").competencies.filter(parent__isnull=False)[0]
    top = max(p.framework.scale.levels.values_list("value", flat=True))
    before = {model: model._default_manager.count() for model in WRITTEN}
    with pytest.raises(GraduationError, match="does not use") as refused:
        rule_set_save(
            context=ctx(demo.users["district-admin"]),
            district=demo.riverside,
            cohort_year=2025,
            title="Bad",
            requirements=[
                RequirementSpec(kind="competency", competency_id=foreign.pk),
                RequirementSpec(kind="count", framework_id=p.framework.pk, count=p.domains + 1),
                RequirementSpec(kind="competency", competency_id=p.leaf.pk, min_level=-1),
                RequirementSpec(kind="domain", competency_id=p.domain.pk, min_level=top + 1),
            ],
            publish=True,
        )
    assert {model: model._default_manager.count() for model in WRITTEN} == before
    problems = refused.value.problems
    assert len(problems) == 4
    assert "only" in problems[1]
    assert "negative" in problems[2]
    assert "above the scale" in problems[3]


def test_an_empty_rule_set_is_refused(demo: Demo) -> None:
    with nothing_written("at least one requirement"):
        rule_set_save(
            context=ctx(demo.users["district-admin"]),
            district=demo.riverside,
            cohort_year=2025,
            title="Empty",
            requirements=[],
            publish=True,
        )


def test_only_a_district_admin_changes_the_rules(demo: Demo) -> None:
    with pytest.raises(NotPermitted):
        rule_set_save(
            context=ctx(demo.users["school-admin"]),
            district=demo.riverside,
            cohort_year=2025,
            title="Mine",
            requirements=[RequirementSpec(kind="experience", experience="exhibition")],
            publish=True,
        )


def test_a_retired_competency_is_flagged_until_fixed(demo: Demo) -> None:
    rule_set = senior_project_rules(demo, demo.student)
    rows = rule_sets_list(context=ctx(demo.users["district-admin"]))
    assert [row.flagged for row in rows if row.rule_set.pk == rule_set.pk] == [0]
    FrameworkVersion.objects.filter(pk=profile(demo).leaf.version_id).update(retired_at=timezone.now())
    [row] = [
        row for row in rule_sets_list(context=ctx(demo.users["teacher"])) if row.rule_set.pk == rule_set.pk
    ]
    assert list(row.retired.values()) == ["its framework version was retired"]


def test_the_check_says_what_remains_and_the_award_follows_eligibility(demo: Demo) -> None:
    student = demo.student
    senior_project_rules(demo, student)
    leaf = profile(demo).leaf
    reach(student, leaf, mastery=False, value=1.0)
    check = diploma_check(student=student)
    assert (check.met_count, check.total, check.eligible) == (0, 2, False)
    assert check.requirements[0].remaining.startswith("Reach ")
    assert "still to complete" in check.requirements[1].remaining
    admin = ctx(demo.users["district-admin"])
    with nothing_written("Not yet met"):
        diploma_award(context=admin, student=student, awarded_on=timezone.localdate())

    reach(student, leaf, mastery=True)
    hold_senior_project(student)
    check = diploma_check(student=student)
    assert check.eligible
    assert check.requirements[1].evidence[0]["title"] == "Restoring the river"
    with nothing_written("still to come"):
        diploma_award(
            context=admin, student=student, awarded_on=timezone.localdate() + datetime.timedelta(days=1)
        )

    diploma = diploma_award(context=admin, student=student, awarded_on=timezone.localdate())
    assert diploma.requirements_check[0]["met"]
    assert diploma.rule_set.title == "Test diploma"
    assert Notification.objects.filter(
        kind="records.diploma_awarded", recipient=demo.users["student"]
    ).exists()
    assert AuditEvent.objects.filter(object_type="diploma", object_id=str(diploma.pk)).exists()
    with pytest.raises(Conflict):
        diploma_award(context=admin, student=student, awarded_on=timezone.localdate())

    diploma.awarded_on = diploma.awarded_on - datetime.timedelta(days=1)
    with pytest.raises(DiplomaImmutableError):
        diploma.save()
    with nothing_written("Say why"):
        diploma_revoke(context=admin, diploma=diploma, reason="  ")
    with pytest.raises(NotPermitted):
        diploma_revoke(context=ctx(demo.users["school-admin"]), diploma=diploma, reason="error")
    revoked = diploma_revoke(context=admin, diploma=diploma, reason="Awarded to the wrong student")
    assert revoked.revoked_at is not None
    assert not revoked.standing


def test_one_students_check_reads_in_a_few_queries(
    demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    senior_project_rules(demo, demo.student)
    reach(demo.student, profile(demo).leaf, mastery=True)
    with django_assert_max_num_queries(9):
        check = diploma_check(student=demo.student)
    assert check.met_count == 1


def test_a_competency_left_out_of_a_newer_version_is_flagged(demo: Demo) -> None:
    rule_set = senior_project_rules(demo, demo.student)
    p = profile(demo)
    draft = p.framework.versions.filter(status="draft").first() or draft_create(framework=p.framework)
    competency_delete(competency=draft.competencies.get(case_identifier=p.leaf.case_identifier))
    version_publish(version=draft, actor=None)
    [row] = [
        row
        for row in rule_sets_list(context=ctx(demo.users["school-admin"]))
        if row.rule_set.pk == rule_set.pk
    ]
    # Publishing the newer version retires the one the rule names: flagged until the rule names the new one.
    assert list(row.retired) == [row.requirements[0].pk]

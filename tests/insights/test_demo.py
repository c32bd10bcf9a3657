"""The insights part of the demo: past graduation cohorts the calculator can show (graduates in years 3 to 6,
transfers in and out), fresh aggregates for both demo districts, two action plans, and subgroup figures of
which the default suppression rule hides some and shows others.

The session's demo is built at scale 0.1 (tests/conftest.py): a past class has about a dozen students in
Riverside and six in Hillcrest. At full scale (`make demo`) a Riverside class has about 77."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.demo import school_year_start
from waypoint.core.models import ExitKind, Student, StudentEnrollment
from waypoint.insights.demo import COHORTS_AGO
from waypoint.insights.models import (
    ActionPlan,
    AggregateRefresh,
    CohortFigures,
    GroupFigures,
    PlanReading,
    PlanStatus,
)
from waypoint.insights.suppression import is_small
from waypoint.progress.models import AlertKind
from waypoint.records.models import Diploma, GraduationRuleSet, RuleSetStatus

pytestmark = pytest.mark.django_db


def _past_cohorts() -> list[int]:
    this_year = school_year_start(timezone.localdate()).year
    return [this_year - ago for ago in COHORTS_AGO]


def _cohort_totals(district_id: int) -> dict[int, dict[str, int]]:
    """The district's `all` cohort figures summed over its schools, per class."""
    columns = [
        "members",
        "transfers_in",
        "removed_by_4",
        "graduated_by_3",
        "graduated_by_4",
        "graduated_by_5",
        "graduated_by_6",
    ]
    rows = (
        CohortFigures.objects.filter(district_id=district_id, dimension="all", subgroup="all")
        .values("cohort")
        .annotate(**{column: Sum(column) for column in columns})
    )
    return {row["cohort"]: {column: row[column] for column in columns} for row in rows}


def test_past_cohorts_graduate_in_years_three_to_six_and_transfer_both_ways(demo: Demo) -> None:
    totals = _cohort_totals(demo.riverside.pk)
    oldest, *_, newest = _past_cohorts()
    assert set(_past_cohorts()) <= set(totals)
    past = [totals[cohort] for cohort in _past_cohorts()]
    # Each class: an early graduate in year 3, most by year 4, more in years 5 and 6 where those have passed.
    assert all(figures["graduated_by_3"] > 0 for figures in past)
    assert all(figures["graduated_by_4"] > figures["graduated_by_3"] for figures in past)
    assert all(
        totals[cohort]["graduated_by_5"] > totals[cohort]["graduated_by_4"] for cohort in _past_cohorts()[:3]
    )
    assert totals[oldest]["graduated_by_6"] > totals[oldest]["graduated_by_5"]
    # The newest class's fifth year is this one: nobody has graduated in it yet.
    assert totals[newest]["graduated_by_6"] == totals[newest]["graduated_by_4"]
    assert sum(figures["transfers_in"] for figures in past) > 0
    assert all(figures["removed_by_4"] > 0 for figures in past)
    assert all(figures["members"] >= figures["graduated_by_6"] + figures["removed_by_4"] for figures in past)


def test_past_cohorts_are_former_students_with_closed_enrollments(demo: Demo) -> None:
    former = Student.objects.filter(cohort_year__in=_past_cohorts())
    assert former.filter(district=demo.riverside).count() >= 4 * 10
    assert former.filter(district=demo.hillcrest).count() >= 4 * 6
    assert not former.filter(user__isnull=False).exists()
    assert not StudentEnrollment.objects.filter(student__in=former, exit_date__isnull=True).exists()
    # Every enrollment lies within the student's high school years, and each year's grade follows from it.
    for span in StudentEnrollment.objects.filter(student__in=former).select_related("student"):
        cohort = span.student.cohort_year
        assert cohort is not None
        assert datetime.date(cohort, 8, 1) <= span.entry_date <= (span.exit_date or span.entry_date)
        assert span.exit_date is not None
        assert span.exit_date < timezone.localdate()
        school_year = span.entry_date.year if span.entry_date.month >= 8 else span.entry_date.year - 1
        assert span.grade_level == min(9 + school_year - cohort, 13)
    # Fifth- and sixth-year students are enrolled in grade 13.
    assert StudentEnrollment.objects.filter(student__in=former, grade_level=13).exists()
    exits = set(
        StudentEnrollment.objects.filter(student__in=former)
        .exclude(exit_kind="")
        .values_list("exit_kind", flat=True)
    )
    assert {ExitKind.GRADUATED, ExitKind.TRANSFERRED, ExitKind.DROPPED_OUT} <= exits


def test_past_diplomas_stand_under_the_published_rules_of_their_class(demo: Demo) -> None:
    diplomas = Diploma.objects.filter(student__cohort_year__in=_past_cohorts()).select_related(
        "rule_set", "student"
    )
    assert diplomas.exists()
    for diploma in diplomas:
        assert diploma.standing
        assert diploma.student is not None
        assert diploma.rule_set.cohort_year == diploma.student.cohort_year
        assert diploma.rule_set.status == RuleSetStatus.PUBLISHED
        assert diploma.rule_set.district_id == diploma.district_id == diploma.student.district_id
    graduated = set(
        StudentEnrollment.objects.filter(
            student__cohort_year__in=_past_cohorts(), exit_kind=ExitKind.GRADUATED
        ).values_list("student_id", flat=True)
    )
    assert graduated == {diploma.student_id for diploma in diplomas}
    for district in (demo.riverside, demo.hillcrest):
        for cohort in _past_cohorts():
            assert (
                GraduationRuleSet.objects.filter(
                    district=district, cohort_year=cohort, status=RuleSetStatus.PUBLISHED
                ).count()
                == 1
            )


def test_the_dashboards_aggregates_exist_for_both_districts(demo: Demo) -> None:
    for district in (demo.riverside, demo.hillcrest):
        refresh = AggregateRefresh.objects.filter(district=district).first()
        assert refresh is not None
        assert refresh.as_of == timezone.localdate()
        everyone = GroupFigures.objects.filter(district=district, dimension="all")
        enrolled = StudentEnrollment.objects.filter(district=district, exit_date__isnull=True)
        assert (
            everyone.aggregate(students=Sum("students"))["students"]
            == enrolled.values("student").distinct().count()
        )
        assert CohortFigures.objects.filter(district=district, cohort__in=_past_cohorts()).exists()


def test_two_action_plans_with_steps_and_readings(demo: Demo) -> None:
    riverside = ActionPlan.objects.get(district=demo.riverside)
    assert riverside.school.slug == "riverside-high"
    assert riverside.status == PlanStatus.OPEN
    assert riverside.alert is not None
    assert riverside.alert.kind == AlertKind.SUBGROUP_PACE
    assert riverside.dimension != "all"
    today = timezone.localdate()
    steps = list(riverside.steps.all())
    assert len(steps) == 3
    assert len([step for step in steps if step.done_on is not None]) == 1
    assert len([step for step in steps if step.done_on is None and step.due_on < today]) == 1
    hillcrest = ActionPlan.objects.get(district=demo.hillcrest)
    assert hillcrest.measure == "participation_share"
    for plan in (riverside, hillcrest):
        assert PlanReading.objects.filter(plan=plan, measured_on__lt=today).count() == 2


def _subgroup_sizes(district_id: int, cohorts: list[int]) -> dict[tuple[str, str], int]:
    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for row in CohortFigures.objects.filter(district_id=district_id, cohort__in=cohorts).exclude(
        dimension="all"
    ):
        sizes[(row.dimension, row.subgroup)] += row.members
    return sizes


def test_some_subgroup_figures_are_suppressed_and_some_shown(demo: Demo) -> None:
    """At the tests' scale a single class is too small to show any group; the four past classes together
    show the larger groups and hide the smaller ones. (At full scale a single Riverside class of about 77
    shows its larger groups too.)"""
    minimum = settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR
    sizes = _subgroup_sizes(demo.riverside.pk, _past_cohorts())
    shown = [group for group, size in sizes.items() if size >= minimum]
    hidden = [group for group, size in sizes.items() if is_small(size, minimum)]
    assert shown
    assert hidden
    # The groups of one reporting dimension add up to the whole: some are large, some small.
    assert ("gender", "female") in shown or ("gender", "male") in shown
    assert any(dimension == "race" for dimension, _ in hidden)

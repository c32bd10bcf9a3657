"""The mastery engine: incremental refreshes and the bulk recompute give identical levels, roll-ups follow the
district's rule, and every stored level records how it was made."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mastery.conftest import Tree
from waypoint.core.models import Organization, Student
from waypoint.evidence.models import Evidence, Score, ScoreSource
from waypoint.frameworks.models import Competency
from waypoint.mastery.calc import Method, RollupRule
from waypoint.mastery.models import CalculationRule, MasteryLevel, MasteryLevelChange
from waypoint.mastery.services import (
    CalculationError,
    calculation_rule_set,
    level_refresh,
    recompute,
)


def record(
    tree: Tree, student: Student, competency: Competency, value: float, at: datetime.datetime
) -> Score:
    """A counted score written directly (the services' checks are tested elsewhere), then the incremental
    refresh the scoring service runs in its transaction."""
    evidence = Evidence.objects.create(
        district=tree.district,
        student=student,
        framework_version=tree.version,
        title="Work",
        recorded_by=tree.scorer,
    )
    score = Score.objects.create(
        district=tree.district,
        student=student,
        evidence=evidence,
        competency=competency,
        framework_version=tree.version,
        value=value,
        source=ScoreSource.CERTIFIED_TEACHER,
        counts_toward_mastery=True,
        scored_by=tree.scorer,
        scored_at=at,
    )
    level_refresh(student=student, competency=competency)
    return score


def snapshot(district: Organization) -> dict[tuple[int, int], tuple[object, ...]]:
    return {
        (row.student_id, row.competency_id): (
            row.level,
            row.meets_mastery,
            row.method,
            row.parameters,
            row.score_ids,
            row.rolled_up,
        )
        # A row without a level says no more than no row at all.
        for row in MasteryLevel.objects.filter(district=district, level__isnull=False)
    }


def test_roll_up_by_mean_through_indicators_to_the_domain(tree: Tree) -> None:
    student = tree.students[0]
    start = timezone.now()
    first = record(tree, student, tree.indicators[0], 4, start)
    record(tree, student, tree.indicators[1], 2, start + datetime.timedelta(minutes=1))
    competency = MasteryLevel.objects.get(student=student, competency=tree.competencies[0])
    assert (competency.level, competency.meets_mastery, competency.rolled_up) == (3, True, True)
    assert competency.method == "rollup:mean"
    assert first.pk in competency.score_ids
    domain = MasteryLevel.objects.get(student=student, competency=tree.domain)
    # Only the first competency has a level, so the domain's mean is that one.
    assert domain.level == 3


def test_decaying_average_is_the_default_and_is_recorded(tree: Tree) -> None:
    student = tree.students[0]
    start = timezone.now()
    scores = [
        record(tree, student, tree.indicators[0], value, start + datetime.timedelta(days=day))
        for day, value in enumerate((1, 4))
    ]
    level = MasteryLevel.objects.get(student=student, competency=tree.indicators[0])
    # d1 = 1; d2 = 0.35·1 + 0.65·4 = 2.95
    assert level.level == pytest.approx(2.95)
    assert not level.meets_mastery
    assert (level.method, level.parameters) == ("decaying_average", {"weight": 0.65})
    assert level.score_ids == [score.pk for score in scores]
    assert level.framework_version_id == tree.version.pk
    history = list(
        MasteryLevelChange.objects.filter(student=student, competency=tree.indicators[0]).values_list(
            "level", flat=True
        )
    )
    assert history == [1, pytest.approx(2.95)]


def test_a_rule_for_one_competency_overrides_the_framework_rule(tree: Tree) -> None:
    calculation_rule_set(district=tree.district, framework=tree.framework, method="highest", parameters={})
    calculation_rule_set(
        district=tree.district,
        framework=tree.framework,
        method="latest",
        parameters={},
        competency_identifier=tree.indicators[0].case_identifier,
    )
    student = tree.students[0]
    start = timezone.now()
    for offset, value in enumerate((4, 2)):
        record(tree, student, tree.indicators[0], value, start + datetime.timedelta(minutes=offset))
        record(tree, student, tree.indicators[2], value, start + datetime.timedelta(minutes=offset))
    assert MasteryLevel.objects.get(student=student, competency=tree.indicators[0]).level == 2
    assert MasteryLevel.objects.get(student=student, competency=tree.indicators[2]).level == 4


def test_changing_the_rule_recomputes_the_district(tree: Tree) -> None:
    student = tree.students[0]
    start = timezone.now()
    for offset, value in enumerate((4, 1, 1)):
        record(tree, student, tree.indicators[0], value, start + datetime.timedelta(minutes=offset))
    calculation_rule_set(district=tree.district, framework=tree.framework, method="highest", parameters={})
    level = MasteryLevel.objects.get(student=student, competency=tree.indicators[0])
    assert (level.level, level.method) == (4, "highest")


@pytest.mark.parametrize(
    ("method", "parameters", "message"),
    [
        ("median", {}, "unknown calculation method"),
        ("decaying_average", {"weight": 1.5}, "weight"),
        ("n_of_m", {"n": 4, "m": 2}, "m"),
        ("latest", {"weight": 0.5}, "does not take"),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_written(
    tree: Tree, method: str, parameters: dict[str, object], message: str
) -> None:
    with pytest.raises(CalculationError, match=message):
        calculation_rule_set(
            district=tree.district, framework=tree.framework, method=method, parameters=parameters
        )
    assert not CalculationRule.objects.exists()


def test_a_rule_for_an_unknown_competency_is_refused(tree: Tree) -> None:
    with pytest.raises(CalculationError, match="has no competency"):
        calculation_rule_set(
            district=tree.district,
            framework=tree.framework,
            method="latest",
            parameters={},
            competency_identifier="no-such-identifier",
        )


METHODS = [
    ("latest", {}),
    ("highest", {}),
    ("mean", {}),
    ("mode", {}),
    ("weighted_average", {"weight": 0.65}),
    ("decaying_average", {"weight": 0.4}),
    ("power_law", {}),
    ("n_of_m", {"n": 2, "m": 3}),
]
score_events = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # student
        st.integers(min_value=0, max_value=5),  # 0-3 indicators, 4-5 the two competencies directly
        st.sampled_from([1.0, 2.0, 3.0, 4.0]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=score_events,
    method=st.sampled_from(METHODS),
    rollup=st.sampled_from(list(RollupRule)),
)
def test_incremental_and_bulk_give_identical_levels(
    tree: Tree,
    events: list[tuple[int, int, float]],
    method: tuple[str, dict[str, object]],
    rollup: RollupRule,
) -> None:
    with transaction.atomic():
        CalculationRule.objects.create(
            district=tree.district,
            framework=tree.framework,
            method=method[0],
            parameters=method[1],
            rollup_rule=rollup.value,
        )
        targets = [*tree.indicators, *tree.competencies]
        start = timezone.now()
        for offset, (student_index, target_index, value) in enumerate(events):
            record(
                tree,
                tree.students[student_index],
                targets[target_index],
                value,
                start + datetime.timedelta(minutes=offset),
            )
        incremental = snapshot(tree.district)
        assert recompute(district=tree.district).changed == 0
        assert snapshot(tree.district) == incremental
        MasteryLevel.objects.filter(district=tree.district).delete()
        summary = recompute(district=tree.district)
        assert snapshot(tree.district) == incremental
        assert summary.scores == len(events)
        transaction.set_rollback(True)


def test_recompute_is_idempotent_and_repairs_a_lost_level(tree: Tree) -> None:
    student = tree.students[1]
    record(tree, student, tree.indicators[3], 3, timezone.now())
    before = snapshot(tree.district)
    assert recompute(district=tree.district).changed == 0
    MasteryLevel.objects.filter(student=student, competency=tree.indicators[3]).delete()
    after = recompute(district=tree.district)
    assert after.changed >= 1
    assert snapshot(tree.district) == before


def test_superseded_and_uncounted_scores_are_left_out(tree: Tree) -> None:
    student = tree.students[2]
    original = record(tree, student, tree.indicators[0], 1, timezone.now())
    correction = Score.objects.create(
        district=tree.district,
        student=student,
        evidence=original.evidence,
        competency=tree.indicators[0],
        framework_version=tree.version,
        value=4,
        source=ScoreSource.CERTIFIED_TEACHER,
        counts_toward_mastery=True,
        supersedes=original,
        correction_reason="Scored the wrong student",
        scored_by=tree.scorer,
    )
    Score.objects.create(
        district=tree.district,
        student=student,
        evidence=original.evidence,
        competency=tree.indicators[0],
        framework_version=tree.version,
        value=1,
        source=ScoreSource.TEACHER,
        counts_toward_mastery=False,
        scored_by=tree.scorer,
    )
    level_refresh(student=student, competency=tree.indicators[0])
    level = MasteryLevel.objects.get(student=student, competency=tree.indicators[0])
    assert (level.level, level.score_ids) == (4, [correction.pk])
    recompute(district=tree.district)
    assert MasteryLevel.objects.get(pk=level.pk).score_ids == [correction.pk]


def test_methods_enumerated_here_are_all_the_methods() -> None:
    assert {name for name, _ in METHODS} == {method.value for method in Method}


def test_the_recompute_command(tree: Tree) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    record(tree, tree.students[0], tree.indicators[0], 3, timezone.now())
    MasteryLevel.objects.all().delete()
    out = StringIO()
    call_command("recompute", district=tree.district.slug, stdout=out)
    assert "1 counted scores" in out.getvalue()
    assert MasteryLevel.objects.filter(student=tree.students[0], competency=tree.indicators[0]).exists()
    with pytest.raises(CommandError, match="No district"):
        call_command("recompute", district="atlantis")

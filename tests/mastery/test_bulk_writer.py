"""The set-based bulk recompute on a generated district: it stores exactly what refreshing each student's
levels one by one stores, writes nothing and no history when nothing changed, writes history only for the
levels whose value or mastery moved, and clears the levels nothing gives any more. Run on SQLite and on
PostgreSQL (DATABASE_URL), the two writers are held to the same expectations."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import StudentFactory
from tests.mastery.conftest import Tree
from waypoint.evidence.models import Evidence, Score, ScoreSource
from waypoint.mastery.calc import RollupRule
from waypoint.mastery.models import CalculationRule, MasteryLevel, MasteryLevelChange
from waypoint.mastery.services import levels_refresh, recompute

Snapshot = dict[tuple[int, int], tuple[object, ...]]


def snapshot(tree: Tree) -> Snapshot:
    return {
        (row.student_id, row.competency_id): (
            row.level,
            row.meets_mastery,
            row.method,
            row.parameters,
            row.score_ids,
            row.rolled_up,
            row.framework_version_id,
        )
        for row in MasteryLevel.objects.filter(district=tree.district)
    }


def generate(tree: Tree, students: int = 12, seed: int = 5) -> list[Score]:
    """Counted scores on indicators and on the competencies directly, some corrected, some uncounted."""
    rng = random.Random(seed)
    roster = [*tree.students, *(StudentFactory(district=tree.district) for _ in range(students - 3))]
    targets = [*tree.indicators, *tree.competencies]
    start = timezone.now() - datetime.timedelta(days=30)
    written: list[Score] = []
    for student in roster:
        evidence = Evidence.objects.create(
            district=tree.district,
            student=student,
            framework_version=tree.version,
            title="Work",
            recorded_by=tree.scorer,
        )
        for n in range(rng.randint(1, 14)):
            counted = rng.random() > 0.1
            score = Score.objects.create(
                district=tree.district,
                student=student,
                evidence=evidence,
                competency=rng.choice(targets),
                framework_version=tree.version,
                value=float(rng.randint(1, 4)),
                source=ScoreSource.CERTIFIED_TEACHER if counted else ScoreSource.TEACHER,
                counts_toward_mastery=counted,
                scored_by=tree.scorer,
                # Some at the same moment: the id breaks the tie.
                scored_at=start + datetime.timedelta(hours=n // 2),
            )
            if counted and rng.random() < 0.15:
                score = Score.objects.create(
                    district=tree.district,
                    student=student,
                    evidence=evidence,
                    competency=score.competency,
                    framework_version=tree.version,
                    value=float(rng.randint(1, 4)),
                    source=ScoreSource.CERTIFIED_TEACHER,
                    counts_toward_mastery=True,
                    supersedes=score,
                    correction_reason="Misread the rubric",
                    scored_by=tree.scorer,
                    scored_at=start + datetime.timedelta(hours=n // 2, minutes=5),
                )
            written.append(score)
    return written


def refreshed_one_by_one(tree: Tree) -> Snapshot:
    """What the incremental path stores: every student's levels refreshed from scratch."""
    MasteryLevel.objects.filter(district=tree.district).delete()
    scored = Score.objects.counted().filter(district=tree.district).select_related("competency")
    by_student: dict[int, set[int]] = {}
    for score in scored:
        by_student.setdefault(score.student_id, set()).add(score.competency_id)
    for student_id, competency_ids in sorted(by_student.items()):
        student = tree.district.students.get(pk=student_id)
        levels_refresh(
            student=student, competencies=list(tree.version.competencies.filter(pk__in=competency_ids))
        )
    return snapshot(tree)


@pytest.mark.parametrize(
    ("method", "parameters", "rollup"),
    [
        ("decaying_average", {"weight": 0.65}, RollupRule.MEAN),
        ("power_law", {}, RollupRule.ALL_MASTERED),
        ("n_of_m", {"n": 2, "m": 3}, RollupRule.POINTS),
        ("mode", {}, RollupRule.MINIMUM),
    ],
)
def test_the_bulk_writer_stores_what_refreshing_one_by_one_stores(
    tree: Tree, method: str, parameters: dict[str, object], rollup: RollupRule
) -> None:
    CalculationRule.objects.create(
        district=tree.district,
        framework=tree.framework,
        method=method,
        parameters=parameters,
        rollup_rule=rollup.value,
    )
    generate(tree)
    summary = recompute(district=tree.district)
    bulk = snapshot(tree)
    assert summary.scores == Score.objects.counted().filter(district=tree.district).count()
    assert bulk
    assert summary.levels == len(bulk)
    # A fresh district: every level is new, so each has one history row.
    assert summary.changed == MasteryLevelChange.objects.filter(district=tree.district).count() == len(bulk)
    assert refreshed_one_by_one(tree) == bulk


def test_a_re_run_with_nothing_changed_writes_nothing(tree: Tree) -> None:
    generate(tree)
    recompute(district=tree.district)
    before = snapshot(tree)
    computed_at = dict(MasteryLevel.objects.filter(district=tree.district).values_list("pk", "computed_at"))
    history = MasteryLevelChange.objects.count()
    summary = recompute(district=tree.district)
    assert summary.changed == 0
    assert MasteryLevelChange.objects.count() == history
    assert snapshot(tree) == before
    # Not even rewritten with the same values.
    assert (
        dict(MasteryLevel.objects.filter(district=tree.district).values_list("pk", "computed_at"))
        == computed_at
    )


def test_a_rule_change_writes_history_only_where_the_level_or_mastery_moved(tree: Tree) -> None:
    generate(tree, seed=11)
    recompute(district=tree.district)
    before = snapshot(tree)
    history = MasteryLevelChange.objects.count()
    CalculationRule.objects.create(
        district=tree.district, framework=tree.framework, method="highest", parameters={}
    )
    summary = recompute(district=tree.district)
    after = snapshot(tree)
    moved = {key for key in after if after[key][:2] != before.get(key, (None, None))[:2]}
    assert moved, "the generated district should have levels that highest moves"
    assert summary.changed == len(moved)
    new_rows = MasteryLevelChange.objects.order_by("pk")[history:]
    assert {(row.student_id, row.competency_id) for row in new_rows} == moved
    for row in new_rows:
        assert (row.level, row.meets_mastery, row.score_ids) == (
            after[(row.student_id, row.competency_id)][0],
            after[(row.student_id, row.competency_id)][1],
            after[(row.student_id, row.competency_id)][4],
        )
    # Levels that kept their value took the new method and are stored, without a history row.
    assert all(values[2] in {"highest", "rollup:mean"} for values in after.values())


def test_a_level_nothing_gives_any_more_is_cleared_once(tree: Tree) -> None:
    generate(tree, students=4)
    recompute(district=tree.district)
    # A level no score gives (one whose scores were all corrected onto another competency, say).
    student = StudentFactory(district=tree.district)
    MasteryLevel.objects.create(
        district=tree.district,
        student=student,
        competency=tree.indicators[3],
        framework_version=tree.version,
        level=2.0,
        method="latest",
        score_ids=[10**9],
    )
    history = MasteryLevelChange.objects.count()
    assert recompute(district=tree.district).changed == 1
    level = MasteryLevel.objects.get(student=student, competency=tree.indicators[3])
    assert (level.level, level.meets_mastery, level.score_ids, level.rolled_up) == (None, False, [], False)
    # Cleared under the competency's own rule, the default here.
    assert (level.method, level.parameters) == ("decaying_average", {"weight": 0.65})
    change = MasteryLevelChange.objects.order_by("pk")[history:]
    assert [(row.student_id, row.level, row.score_ids) for row in change] == [(student.pk, None, [])]
    assert recompute(district=tree.district).changed == 0


def test_score_ids_are_an_array_on_postgresql_and_json_text_on_sqlite(tree: Tree) -> None:
    generate(tree, students=3)
    recompute(district=tree.district)
    with connection.cursor() as cursor:
        cursor.execute("SELECT score_ids FROM mastery_masterylevel WHERE level IS NOT NULL LIMIT 1")
        (raw,) = cursor.fetchone()
    if connection.vendor == "postgresql":
        assert isinstance(raw, list)
        assert all(isinstance(item, int) for item in raw)
    else:
        assert isinstance(raw, str)
        assert raw.startswith("[")


def test_a_correction_flags_the_score_it_supersedes(tree: Tree) -> None:
    original = generate(tree, students=3)[0]
    assert not original.superseded
    correction = Score.objects.create(
        district=tree.district,
        student=original.student,
        evidence=original.evidence,
        competency=original.competency,
        framework_version=tree.version,
        value=4.0,
        source=ScoreSource.CERTIFIED_TEACHER,
        counts_toward_mastery=True,
        supersedes=original,
        correction_reason="Wrong student",
        scored_by=tree.scorer,
    )
    original.refresh_from_db()
    assert original.superseded
    assert not correction.superseded
    current = set(Score.objects.current().values_list("pk", flat=True))
    assert original.pk not in current
    assert correction.pk in current
    # The flag and the relation agree everywhere.
    assert set(Score.objects.filter(superseded=True).values_list("pk", flat=True)) == set(
        Score.objects.filter(superseded_by__isnull=False).values_list("pk", flat=True)
    )

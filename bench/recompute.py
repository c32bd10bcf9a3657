"""The bulk recompute at state scale, end to end on PostgreSQL: a district of 10,294 students scored by
certified teachers on a 68-competency profile (4 domains × 4 competencies × 3 indicators, 1 to 3 scores per
indicator): about 1,000,000 counted scores → 700,000 levels, beside 1 % of superseded scores and 3 % of
uncounted ones.

For decaying average, then power law, one JSON object each for:
- `bulk_recompute_fresh`: `recompute(district=…)` with no stored levels (every level inserted), with the
  commit;
- `bulk_recompute_unchanged`: the same again, nothing having changed (no level written, no history row);
- `bulk_recompute_rule_change` (power law only): the recompute after the rule changed from decaying average,
  over the decaying average's stored levels (most of them updated, with a history row each).
Before a fresh run the district's levels are deleted and the table vacuumed (untimed).

    python bench/recompute.py [--database-url postgres://postgres@127.0.0.1:5432/bench_recompute]
                              [--scale 0.01]

The database named is dropped and created afresh. The scores are written by COPY, so set-up takes seconds.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time

from _benchkit import emit, start_django

STUDENTS = 10_294
DOMAINS, COMPETENCIES, INDICATORS = 4, 4, 3


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_recompute"),
    )
    parser.add_argument("--scale", type=float, default=1.0, help="Fraction of the students (0.01: seconds).")
    options = parser.parse_args()
    if not options.database_url.startswith("postgres"):
        parser.error("the bulk recompute figure is PostgreSQL's: give a postgres:// URL")
    start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    district, framework, counted = build(max(1, round(STUDENTS * options.scale)))
    emit("bulk_recompute_build", scores=counted, seconds=round(time.perf_counter() - started, 1))

    from waypoint.mastery.calc import Method, MethodSpec
    from waypoint.mastery.models import CalculationRule, MasteryLevel
    from waypoint.mastery.services import recompute

    def run(figure: str, method: Method) -> None:
        began = time.perf_counter()
        summary = recompute(district=district)
        emit(
            figure,
            database=connection.vendor,
            method=method.value,
            scores=summary.scores,
            levels=summary.levels,
            changed=summary.changed,
            seconds=round(time.perf_counter() - began, 2),
        )

    for method in (Method.DECAYING_AVERAGE, Method.POWER_LAW):
        CalculationRule.objects.update_or_create(
            district=district,
            framework=framework,
            competency_identifier="",
            defaults={"method": method.value, "parameters": MethodSpec(method).parameters()},
        )
        if method is Method.POWER_LAW:
            run("bulk_recompute_rule_change", method)
        MasteryLevel.objects.filter(district=district).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {MasteryLevel._meta.db_table}")
        run("bulk_recompute_fresh", method)
        run("bulk_recompute_unchanged", method)


def build(student_count: int) -> tuple[object, object, int]:
    """The district, its profile and its scores; returns the number of counted scores."""
    from django.db import connection
    from django.utils import timezone

    from waypoint.core.models import Organization, Student, User
    from waypoint.evidence.models import Evidence, Score, ScoreSource
    from waypoint.frameworks.models import FrameworkKind, Tier
    from waypoint.frameworks.services import (
        CompetencyFields,
        competency_create,
        framework_create,
        version_publish,
    )

    state = Organization.objects.create(
        kind=Organization.Kind.STATE, name="State", slug="state", sourced_id="s"
    )
    district = Organization.objects.create(
        kind=Organization.Kind.DISTRICT, name="Bench", slug="bench", sourced_id="bench", parent=state
    )
    scorer = User.objects.create(username="scorer", first_name="Bench", last_name="Scorer")
    version = framework_create(owner=district, title="Bench profile", kind=FrameworkKind.GRADUATE_PROFILE)
    indicators = []
    for d in range(1, DOMAINS + 1):
        domain = competency_create(
            version=version, parent=None, fields=CompetencyFields(f"D{d}", f"Domain {d}", tier=Tier.DOMAIN)
        )
        for c in range(1, COMPETENCIES + 1):
            competency = competency_create(
                version=version, parent=domain, fields=CompetencyFields(f"D{d}.{c}", f"Competency {d}.{c}")
            )
            for i in range(1, INDICATORS + 1):
                indicators.append(
                    competency_create(
                        version=version,
                        parent=competency,
                        fields=CompetencyFields(
                            f"D{d}.{c}.{i}", f"Indicator {d}.{c}.{i}", tier=Tier.INDICATOR
                        ),
                    ).pk
                )
    version = version_publish(version=version, actor=None)
    Student.objects.bulk_create(
        (
            Student(district=district, sourced_id=f"s{n}", first_name="Bench", last_name=f"S{n}")
            for n in range(student_count)
        ),
        batch_size=5000,
    )
    students = Student.objects.filter(district=district).order_by("pk").values_list("pk", flat=True)
    Evidence.objects.bulk_create(
        (
            Evidence(
                district=district, student_id=s, framework_version=version, title="Bench", recorded_by=scorer
            )
            for s in students
        ),
        batch_size=5000,
    )

    # The scores are generated by PostgreSQL itself (INSERT … SELECT over generate_series, seeded): no row
    # crosses from Python, which is faster still than a COPY of a million formatted lines.
    table = Score._meta.db_table
    columns = (
        "district_id, student_id, evidence_id, competency_id, framework_version_id, value, criterion_levels, "
        "comment, source, counts_toward_mastery, supersedes_id, correction_reason, scored_by_id, scored_at, "
        "superseded"
    )
    facts = {
        "district": district.pk,
        "version": version.pk,
        "scorer": scorer.pk,
        "indicators": indicators,
        "start": timezone.now() - datetime.timedelta(days=365),
        "certified": ScoreSource.CERTIFIED_TEACHER.value,
        "mentor": ScoreSource.MENTOR.value,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.7)")
        # 1 to 3 scores per (student, indicator); 3 % of the judgements are a mentor's, not counted.
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            "SELECT %(district)s, student_id, evidence_id, competency_id, %(version)s, value, '{}', '', "
            "CASE WHEN uncounted THEN %(mentor)s ELSE %(certified)s END, NOT uncounted, NULL, '', "
            "%(scorer)s, "
            "%(start)s + minute * interval '1 minute', false FROM ("
            "SELECT g.student_id, g.evidence_id, g.competency_id, 1 + floor(random() * 4) AS value, "
            "floor(random() * 500000) AS minute, random() < 0.03 AS uncounted FROM ("
            "SELECT e.student_id, e.id AS evidence_id, c.id AS competency_id, "
            "1 + floor(random() * 3)::int AS scores FROM evidence_evidence e "
            "CROSS JOIN unnest(%(indicators)s::bigint[]) AS c (id) WHERE e.district_id = %(district)s) g "
            "CROSS JOIN LATERAL generate_series(1, g.scores)) rows",
            facts,
        )
        # 1 % of the counted scores were corrected: the original stays, superseded, beside the correction.
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            "SELECT district_id, student_id, evidence_id, competency_id, framework_version_id, 5 - value, "
            "'{}', '', %(certified)s, true, id, 'Scored the wrong work', scored_by_id, "
            f"scored_at + interval '1 minute', false FROM {table} "
            "WHERE district_id = %(district)s AND counts_toward_mastery AND random() < 0.01",
            facts,
        )
        cursor.execute(
            f"UPDATE {table} SET superseded = true WHERE id IN "  # noqa: S608
            f"(SELECT supersedes_id FROM {table} WHERE supersedes_id IS NOT NULL)"
        )
        cursor.execute(f"VACUUM ANALYZE {table}")
    return district, version.framework, Score.objects.counted().filter(district=district).count()


if __name__ == "__main__":
    main()

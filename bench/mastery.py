"""The mastery engine: the vectorized methods and the bulk recompute over 1,000,000 scores, the preview of a
calculation-rule change over that district, and a single new score → updated level through the scoring
service. One JSON object per figure.

    python bench/mastery.py [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench] [--scores N]

The default database is a fresh SQLite file; a PostgreSQL URL must name a database that may be dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import time

import numpy as np

from _benchkit import emit, start_django, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=1000, help="New scores timed one by one.")
    options = parser.parse_args()
    start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from waypoint.core.audit import RequestContext
    from waypoint.core.models import Organization, Student, User
    from waypoint.evidence.models import Evidence, Score, ScoreSource
    from waypoint.frameworks.models import Framework, FrameworkKind, Tier, VersionStatus
    from waypoint.mastery import vectorized
    from waypoint.mastery.calc import Method, MethodSpec
    from waypoint.mastery.models import CalculationRule, MasteryLevel
    from waypoint.mastery.services import calculation_rule_preview, recompute, rule_proposal, score_record
    from waypoint.site.demo import load_demo

    database = connection.vendor
    rng = np.random.default_rng(7)
    group_count = options.scores // 10
    lengths = rng.integers(1, 20, size=group_count)
    lengths = lengths * options.scores // lengths.sum()
    lengths[-1] += options.scores - lengths.sum()
    lengths = np.maximum(lengths, 1)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    values = rng.integers(1, 5, size=int(lengths.sum())).astype(np.float64)
    for method in (Method.DECAYING_AVERAGE, Method.POWER_LAW):
        spec = MethodSpec(method)
        figures = timed(
            lambda spec=spec: vectorized.levels(spec, starts, values, scale_min=1, scale_max=4), 5
        )
        emit("vectorized_levels", method=method.value, scores=len(values), groups=group_count, **figures)

    call_command("migrate", verbosity=0)
    load_demo(scale=0.1)
    district = Organization.objects.get(slug="riverside")
    profile = Framework.objects.get(owner=district, kind=FrameworkKind.GRADUATE_PROFILE)
    version = profile.versions.get(status=VersionStatus.PUBLISHED)
    indicators = list(version.competencies.filter(tier=Tier.INDICATOR).values_list("id", flat=True))
    scorer = User.objects.get(username="teacher")
    started = time.perf_counter()
    per_student = 100
    student_count = options.scores // per_student
    Student.objects.bulk_create(
        [
            Student(district=district, sourced_id=f"bench-{n}", first_name="Bench", last_name=f"S{n}")
            for n in range(student_count)
        ],
        batch_size=2000,
    )
    students = list(Student.objects.filter(sourced_id__startswith="bench-").values_list("id", flat=True))
    Evidence.objects.bulk_create(
        [
            Evidence(
                district=district, student_id=s, framework_version=version, title="Bench", recorded_by=scorer
            )
            for s in students
        ],
        batch_size=2000,
    )
    evidence_of = dict(Evidence.objects.filter(title="Bench").values_list("student_id", "id"))
    now = timezone.now()
    random.seed(7)
    batch: list[Score] = []
    for student_id in students:
        for n in range(per_student):
            batch.append(
                Score(
                    district=district,
                    student_id=student_id,
                    evidence_id=evidence_of[student_id],
                    competency_id=indicators[n % len(indicators)],
                    framework_version=version,
                    value=float(random.randint(1, 4)),
                    source=ScoreSource.CERTIFIED_TEACHER,
                    counts_toward_mastery=True,
                    scored_by=scorer,
                    scored_at=now - timezone.timedelta(minutes=per_student - n),
                )
            )
        if len(batch) >= 50_000:
            Score.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Score.objects.bulk_create(batch, batch_size=5000)
    emit(
        "bulk_build",
        database=database,
        scores=Score.objects.count(),
        seconds=round(time.perf_counter() - started, 1),
    )

    for method in (Method.DECAYING_AVERAGE, Method.POWER_LAW):
        with transaction.atomic():
            CalculationRule.objects.update_or_create(
                district=district,
                framework=profile,
                competency_identifier="",
                defaults={"method": method.value, "parameters": MethodSpec(method).parameters()},
            )
        MasteryLevel.objects.filter(district=district).delete()
        started = time.perf_counter()
        summary = recompute(district=district)
        emit(
            "bulk_recompute",
            database=database,
            method=method.value,
            scores=summary.scores,
            levels=summary.levels,
            changed=summary.changed,
            seconds=round(time.perf_counter() - started, 2),
        )

    # What a district administrator waits for before saving a rule: the preview recomputes every level of
    # the district in memory and writes none.
    admin = User.objects.get(username="district-admin")
    for method in (Method.LATEST, Method.HIGHEST):
        proposal = rule_proposal(district=district, framework=profile, method=method.value, parameters={})
        preview_figures = timed(
            lambda proposal=proposal: calculation_rule_preview(
                context=RequestContext(user=admin), proposal=proposal
            ),
            3,
        )
        emit(
            "rule_change_preview",
            database=database,
            method=method.value,
            scores=Score.objects.filter(district=district).count(),
            **preview_figures,
        )

    student = Student.objects.get(user__username="student")
    context = RequestContext(user=scorer)
    evidence = Evidence.objects.create(
        district=district,
        student=student,
        framework_version=version,
        title="Bench single",
        recorded_by=scorer,
    )
    evidence.competencies.set(indicators)
    cycle = iter(range(10**9))

    def one_score() -> None:
        n = next(cycle)
        score_record(
            context=context,
            evidence_id=evidence.pk,
            competency_id=indicators[n % len(indicators)],
            value=float(1 + n % 4),
        )

    emit("single_score_to_level", database=database, **timed(one_score, options.single))


if __name__ == "__main__":
    main()

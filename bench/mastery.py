"""The mastery engine: the vectorized methods over 1,000,000 scores; whole pages and the API in process
(Django's test client: middleware, policy, queries, template, audit rows) with their query counts; a single
new score → updated level through the scoring service; the nightly recompute of the small demo in process
beside the same `waypoint recompute` as a whole process; and the preview of a calculation-rule change over
a district of 1,000,000 scores. One JSON object per figure, each saying what it times. (The bulk recompute
at district scale is bench/recompute.py's.)

    python bench/mastery.py [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench] [--scores N]

The default database is a fresh SQLite file; a PostgreSQL URL must name a database that may be dropped.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import time
from collections.abc import Callable

import numpy as np

from _benchkit import emit, start_django, timed, timed_process
from load import Fixtures, build_sections


def pages(runs: int, single: int, *, fixtures: Fixtures) -> list[str]:
    """Whole pages and the scoring API in process, each with the queries one request makes and its size:
    the gradebooks of bench/load.py's sections (35 and 200 students × 25 competencies, 4 scores a cell),
    the demo student's My progress, and one score through the API; then the scoring service alone, as the
    figure was before whole pages were timed. Returns the figures that failed (each also printed with its
    error), so one broken page does not hide the others."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from waypoint.core.audit import RequestContext
    from waypoint.core.models import User
    from waypoint.core.services import access_token_create
    from waypoint.mastery.services import score_record

    database = connection.vendor
    scorer = User.objects.get(username="teacher")
    teacher = Client()
    teacher.force_login(scorer)
    own = Client()
    own.force_login(User.objects.get(username="student"))
    _, token = access_token_create(
        context=RequestContext(user=AnonymousUser()),
        user=scorer,
        name="bench",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    numbers = iter(range(10**9))
    competencies = fixtures.competencies

    def post_score() -> object:
        n = next(numbers)
        answer = teacher.post(
            f"/api/v1/evidence/{fixtures.evidence}/scores",
            data=json.dumps(
                {"competency_id": competencies[n % len(competencies)], "value": float(1 + n % 4)}
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        if answer.status_code != 201:
            raise SystemExit(f"POST score answered {answer.status_code}: {answer.content[:300]!r}")
        return answer

    checks: list[tuple[str, dict[str, object], Callable[[], object], int]] = [
        (
            "gradebook_page_in_process",
            {
                "what": f"GET a gradebook of {size} students × 25 competencies as its teacher",
                "students": size,
            },
            lambda section=section: teacher.get(f"/sections/{section}/gradebook/"),
            runs if size < 100 else max(3, runs // 4),
        )
        for size, section in fixtures.sections.items()
    ]
    checks += [
        (
            "my_progress_page_in_process",
            {"what": "GET the demo student's My progress page as the student"},
            lambda: own.get(f"/students/{fixtures.jordan}/mastery/"),
            runs,
        ),
        (
            "score_post_api_in_process",
            {"what": "POST /api/v1/evidence/{id}/scores: one counted score → stored level, token auth"},
            post_score,
            runs,
        ),
    ]
    failed = []
    for figure, labels, request, repeat in checks:
        try:
            with CaptureQueriesContext(connection) as captured:
                answer = request()
        except Exception as error:  # Reported here; the script fails at its end.
            emit(figure, **labels, database=database, error=repr(error))
            failed.append(figure)
            continue
        size = len(answer.content)  # type: ignore[attr-defined]
        emit(
            figure,
            **labels,
            database=database,
            queries=len(captured.captured_queries),
            kb=round(size / 1024, 1),
            **timed(request, repeat),
        )

    context = RequestContext(user=scorer)

    def one_score() -> None:
        n = next(numbers)
        score_record(
            context=context,
            evidence_id=fixtures.evidence,
            competency_id=competencies[n % len(competencies)],
            value=float(1 + n % 4),
        )

    emit(
        "single_score_to_level",
        what="the scoring service alone (no HTTP, no middleware): one counted score → stored level",
        database=database,
        **timed(one_score, single),
    )
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=1000, help="New scores timed one by one.")
    parser.add_argument("--runs", type=int, default=30, help="Requests timed per page.")
    parser.add_argument("--process-runs", type=int, default=3, help="Runs of each whole-process figure.")
    options = parser.parse_args()
    start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from waypoint.core.audit import RequestContext
    from waypoint.core.models import Organization, Student, User
    from waypoint.evidence.models import Evidence, Score, ScoreSource
    from waypoint.frameworks.models import Framework, FrameworkKind, Tier, VersionStatus
    from waypoint.mastery import vectorized
    from waypoint.mastery.calc import Method, MethodSpec
    from waypoint.mastery.services import calculation_rule_preview, recompute, rule_proposal
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
        emit(
            "vectorized_levels",
            what="the vectorized method alone, in memory: levels of every group of scores",
            method=method.value,
            scores=len(values),
            groups=group_count,
            **figures,
        )

    call_command("migrate", verbosity=0)
    load_demo(scale=0.1)
    district = Organization.objects.get(slug="riverside")
    profile = Framework.objects.get(owner=district, kind=FrameworkKind.GRADUATE_PROFILE)
    version = profile.versions.get(status=VersionStatus.PUBLISHED)
    indicators = list(version.competencies.filter(tier=Tier.INDICATOR).values_list("id", flat=True))
    scorer = User.objects.get(username="teacher")
    fixtures = build_sections([35, 200])

    # The same recompute of the small demo (scale 0.1) with those sections, in this process and as the
    # command a district runs at night: the difference is the interpreter, Django's start-up and its checks.
    emit(
        "recompute_small_demo_in_process",
        what="the recompute service in this process: every level of the demo's Riverside district",
        database=database,
        scores=Score.objects.filter(district=district).count(),
        **timed(lambda: recompute(district=district), options.process_runs),
    )
    emit(
        "recompute_small_demo_whole_process",
        what="`waypoint recompute --district riverside` as a process: start-up, checks, the same recompute",
        database=database,
        **timed_process(["recompute", "--district", "riverside"], options.process_runs),
    )
    failed = pages(options.runs, options.single, fixtures=fixtures)

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
                    scored_at=now - datetime.timedelta(minutes=per_student - n),
                )
            )
        if len(batch) >= 50_000:
            Score.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Score.objects.bulk_create(batch, batch_size=5000)
    emit(
        "bulk_build",
        what="bulk inserts of the synthetic scores the rule preview reads (bench/recompute.py times the bulk "
        "recompute)",
        database=database,
        scores=Score.objects.count(),
        seconds=round(time.perf_counter() - started, 1),
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
            warmup=0,
        )
        emit(
            "rule_change_preview",
            what="the rule preview service: every level of the district recomputed in memory, none written",
            database=database,
            method=method.value,
            scores=Score.objects.filter(district=district).count(),
            **preview_figures,
        )
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()

"""Pace, projections and the inquiry at district scale: one JSON object per figure on stdout.

    python bench/progress.py [--students 50000] [--caseload 300]
                             [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench]

On top of the small demo state it adds to Riverside High `--students` students in grades 9-12 with
demographics, an enrollment, a piece of evidence each, and two years of mastery history on the district's
required competencies (about one a month, each a `MasteryLevel` at mastery and the `MasteryLevelChange` that
dated it). It then times, once each as the nightly run does them: every student's status and projection
recomputed (`progress_refresh`, goal under 20 s on PostgreSQL) and the inquiry rules over the district
(`inquiry_run`, students and subgroups, goal under 30 s); and the caseload of an advisor with `--caseload`
students (p50/p95 over `--repeat` runs, goal p95 under 150 ms).

The default database is a fresh SQLite file in a temporary folder; a PostgreSQL URL must name a database that
may be dropped and recreated.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import time

from _benchkit import emit, start_django, timed

SEED = 20261206
MONTHS_OF_HISTORY = 24


def build(students_wanted: int, caseload: int) -> dict[str, int]:
    """The students, their history and a big caseload, written with bulk inserts; returns what was built."""
    from django.db import connection
    from django.utils import timezone

    from waypoint.core.models import (
        AdvisorAssignment,
        Gender,
        Organization,
        Role,
        RoleAssignment,
        Student,
        StudentDemographics,
        StudentEnrollment,
        User,
    )
    from waypoint.evidence.models import Evidence
    from waypoint.frameworks.models import Competency
    from waypoint.mastery.models import MasteryLevelChange
    from waypoint.progress.models import InquirySettings
    from waypoint.progress.services import required_competency_ids

    rng = random.Random(SEED)
    district = Organization.objects.get(slug="riverside")
    school = Organization.objects.get(slug="riverside-high")
    today = timezone.localdate()
    year = today.year if today.month >= 8 else today.year - 1
    required = required_competency_ids(district.pk, InquirySettings.for_district(district.pk).kinds)
    versions = dict(Competency.objects.filter(pk__in=required).values_list("pk", "version_id"))
    teacher = User.objects.get(username="teacher")
    genders = [Gender.FEMALE, Gender.MALE, Gender.NONBINARY]
    students = [
        Student(
            district=district,
            sourced_id=f"bench-progress-{index}",
            first_name=f"Bench{index % 977}",
            last_name=f"Student{index}",
            cohort_year=year - (index % 4),
        )
        for index in range(students_wanted)
    ]
    Student.objects.bulk_create(students, batch_size=5000)
    built = Student.objects.filter(sourced_id__startswith="bench-progress-").values_list("pk", "cohort_year")
    ids = [(pk, cohort or year) for pk, cohort in built]
    StudentEnrollment.objects.bulk_create(
        (
            StudentEnrollment(
                student_id=pk,
                district=district,
                school=school,
                grade_level=9 + year - cohort,
                entry_date=datetime.date(year, 8, 27),
            )
            for pk, cohort in ids
        ),
        batch_size=5000,
    )
    StudentDemographics.objects.bulk_create(
        (
            StudentDemographics(
                student_id=pk,
                district=district,
                gender=rng.choice(genders),
                hispanic_or_latino=rng.random() < 0.25,
                white=rng.random() < 0.5,
                black_or_african_american=rng.random() < 0.15,
                asian=rng.random() < 0.06,
                english_learner=rng.random() < 0.1,
                students_with_disabilities=rng.random() < 0.12,
                economically_disadvantaged=rng.random() < 0.35,
            )
            for pk, _ in ids
        ),
        batch_size=5000,
    )
    now = timezone.now()
    evidence = [
        Evidence(
            district=district,
            student_id=pk,
            framework_version_id=next(iter(versions.values())),
            title="Bench work",
            recorded_by=teacher,
            submitted_at=now - datetime.timedelta(days=rng.uniform(0, 60)),
        )
        for pk, _ in ids
    ]
    Evidence.objects.bulk_create(evidence, batch_size=5000)
    if connection.vendor == "postgresql":
        _history_in_sql(year=year, required=required)
    else:
        _history_in_python(
            rng, district_id=district.pk, ids=ids, year=year, required=required, versions=versions
        )
    advisor = User.objects.create(username="bench-progress-advisor", district=district)
    RoleAssignment.objects.create(
        user=advisor,
        role=Role.ADVISOR,
        organization=school,
        district=district,
        starts_on=datetime.date(year, 8, 1),
    )
    AdvisorAssignment.objects.bulk_create(
        AdvisorAssignment(
            advisor=advisor, student_id=pk, district=district, starts_on=datetime.date(year, 8, 1)
        )
        for pk, _ in ids[:caseload]
    )
    return {
        "students": len(ids),
        "required_competencies": len(required),
        "mastery_changes": MasteryLevelChange.objects.filter(method="bench").count(),
        "caseload": caseload,
    }


def _history_in_python(
    rng: random.Random,
    *,
    district_id: int,
    ids: list[tuple[int, int]],
    year: int,
    required: list[int],
    versions: dict[int, int],
) -> None:
    """About one required competency a month per student, each a level at mastery and the change that dated
    it, on days spread over the months the student has been in high school (at most two years)."""
    from django.utils import timezone

    from waypoint.mastery.models import MasteryLevel, MasteryLevelChange

    now = timezone.now()
    levels: list[MasteryLevel] = []
    changes: list[MasteryLevelChange] = []
    for pk, cohort in ids:
        months = min(MONTHS_OF_HISTORY, 12 * (year - cohort) + 3)
        count = min(len(required), round(rng.uniform(0.3, 2.2) * months))
        for competency in rng.sample(required, count):
            at = now - datetime.timedelta(days=rng.uniform(0, months * 30.4))
            common = {"district_id": district_id, "student_id": pk, "competency_id": competency}
            levels.append(
                MasteryLevel(
                    **common,
                    framework_version_id=versions[competency],
                    level=3.0,
                    meets_mastery=True,
                    method="bench",
                    computed_at=at,
                )
            )
            changes.append(
                MasteryLevelChange(**common, level=3.0, meets_mastery=True, method="bench", changed_at=at)
            )
    MasteryLevel.objects.bulk_create(levels, batch_size=5000)
    MasteryLevelChange.objects.bulk_create(changes, batch_size=5000)


def _history_in_sql(*, year: int, required: list[int]) -> None:
    """The same history generated by PostgreSQL itself (a million rows in seconds, not minutes)."""
    from django.db import connection

    from waypoint.mastery.models import MasteryLevel, MasteryLevelChange

    def empty_ids(model: type[MasteryLevel] | type[MasteryLevelChange]) -> str:
        return "'{}'" if model._meta.get_field("score_ids").db_type(connection) == "bigint[]" else "'[]'"

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(
            """
            CREATE TEMPORARY TABLE bench_history AS
            WITH req AS (
                SELECT id, version_id, (row_number() OVER (ORDER BY id) - 1)::int AS k
                FROM frameworks_competency WHERE id = ANY(%(required)s)
            ), s AS (
                SELECT id, district_id, LEAST(%(cap)s, 12 * (%(year)s - cohort_year) + 3) AS months,
                       0.3 + 1.9 * random() AS pace, floor(random() * %(n)s)::int AS first
                FROM core_student WHERE sourced_id LIKE 'bench-progress-%%'
            )
            SELECT s.id AS student_id, s.district_id, req.id AS competency_id, req.version_id,
                   now() - (random() * s.months * 30.4) * interval '1 day' AS at
            FROM s
            JOIN generate_series(0, %(n)s - 1) AS g(i) ON g.i < LEAST(%(n)s, round(s.pace * s.months))
            JOIN req ON req.k = (s.first + g.i) %% %(n)s
            """,
            {"required": required, "cap": MONTHS_OF_HISTORY, "year": year, "n": len(required)},
        )
        cursor.execute(
            f"""
            INSERT INTO mastery_masterylevel (district_id, student_id, competency_id, framework_version_id,
                level, meets_mastery, method, parameters, score_ids, rolled_up, computed_at)
            SELECT district_id, student_id, competency_id, version_id, 3.0, true, 'bench', '{{}}',
                {empty_ids(MasteryLevel)}, false, at FROM bench_history
            """  # noqa: S608 (a literal chosen above, no input)
        )
        cursor.execute(
            f"""
            INSERT INTO mastery_masterylevelchange (district_id, student_id, competency_id, level,
                meets_mastery, method, parameters, score_ids, changed_at)
            SELECT district_id, student_id, competency_id, 3.0, true, 'bench', '{{}}',
                {empty_ids(MasteryLevelChange)}, at FROM bench_history
            """  # noqa: S608 (a literal chosen above, no input)
        )
        cursor.execute("DROP TABLE bench_history")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--caseload", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()

    start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection

    from waypoint.core.audit import RequestContext
    from waypoint.core.models import Organization, User
    from waypoint.progress import selectors, services
    from waypoint.site.demo import load_demo

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    started = time.perf_counter()
    load_demo(scale=0.1)
    emit("progress_demo_load", database=vendor, scale=0.1, seconds=round(time.perf_counter() - started, 2))
    started = time.perf_counter()
    built = build(options.students, options.caseload)
    if vendor == "postgresql":
        # Fresh tables after bulk inserts: give the planner the statistics autovacuum would.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    emit("progress_build", database=vendor, seconds=round(time.perf_counter() - started, 1), **built)

    district = Organization.objects.get(slug="riverside")
    started = time.perf_counter()
    written = services.progress_refresh(district_id=district.pk)
    emit(
        "progress_refresh_district",
        database=vendor,
        students=written,
        seconds=round(time.perf_counter() - started, 2),
        goal_seconds=20,
    )
    started = time.perf_counter()
    result = services.inquiry_run(district_id=district.pk)
    emit(
        "inquiry_run_district",
        database=vendor,
        students=written,
        seconds=round(time.perf_counter() - started, 2),
        opened=result.opened,
        goal_seconds=30,
    )
    started = time.perf_counter()
    again = services.inquiry_run(district_id=district.pk)
    emit(
        "inquiry_run_district_again",
        database=vendor,
        seconds=round(time.perf_counter() - started, 2),
        opened=again.opened,
        closed=again.closed,
    )
    advisor = RequestContext(user=User.objects.get(username="bench-progress-advisor"))
    emit(
        "progress_caseload",
        database=vendor,
        students=options.caseload,
        goal_p95_ms=150,
        **timed(lambda: selectors.caseload(context=advisor, sort="status"), options.repeat),
    )


if __name__ == "__main__":
    main()

"""Multiple paths of study at district scale: one JSON object per figure on stdout.

    python bench/pathways.py [--students 50000] [--opportunities 2000]
                             [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench]

On top of the small demo state it builds, in Riverside, a catalog of `--opportunities` opportunities (each
evidencing four graduate-profile competencies, a quarter with a prerequisite) and `--students` more students
in grades 6-12 with demographics, a learner profile for one in two and a path for one in three. It then times
the recommendations for one student (the whole catalog ranked, as the page does), the catalog's first page,
the approval queue and the equal access report for the district (p50/p95).

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

KINDS = [
    "course",
    "online_course",
    "internship",
    "apprenticeship",
    "dual_enrollment",
    "cte_program",
    "independent_study",
    "community_service",
    "performing_group",
    "private_instruction",
    "project",
    "work_based_learning",
]
TOPICS = ["robotics", "music", "animals", "coding", "design", "health", "food", "writing", "cars", "theater"]
CLUSTERS = ["manufacturing", "stem", "arts", "health", "business", "information_technology"]


def build(students_wanted: int, opportunities_wanted: int) -> dict[str, int]:
    """The catalog and the students, written with bulk inserts; returns what was built."""
    from django.utils import timezone

    from waypoint.catalog.models import Opportunity, Provider
    from waypoint.core.models import (
        AdvisorAssignment,
        Gender,
        Organization,
        Student,
        StudentDemographics,
        StudentEnrollment,
        User,
    )
    from waypoint.frameworks.models import Competency, FrameworkKind, Tier, VersionStatus
    from waypoint.pathways.models import PathProposal, PathStatus
    from waypoint.profiles.models import LearnerProfile

    rng = random.Random(7)
    today = timezone.localdate()
    district = Organization.objects.get(slug="riverside")
    school = Organization.objects.get(slug="riverside-high")
    advisor = User.objects.get(username="advisor")
    competencies = list(
        Competency.objects.filter(
            version__framework__owner=district,
            version__framework__kind=FrameworkKind.GRADUATE_PROFILE,
            version__status=VersionStatus.PUBLISHED,
            tier=Tier.COMPETENCY,
        ).values_list("pk", flat=True)
    )
    provider = Provider.objects.filter(district=district).first()
    catalog = Opportunity.objects.bulk_create(
        [
            Opportunity(
                district=district,
                provider=provider,
                title=f"Bench opportunity {i}",
                kind=KINDS[i % len(KINDS)],
                description=f"Learning about {rng.choice(TOPICS)} and {rng.choice(TOPICS)}.",
                topics=rng.sample(TOPICS, 2),
                location=rng.choice(["on_campus", "community", "online"]),
                times=[rng.choice(["school_day", "after_school", "evenings", "weekends"])],
                min_grade=rng.choice([None, 6, 9, 11]),
                capacity=rng.choice([None, 10, 25, 100]),
                career_cluster=rng.choice(CLUSTERS),
            )
            for i in range(opportunities_wanted)
        ],
        batch_size=1000,
    )
    evidences = Opportunity.competencies.through
    evidences.objects.bulk_create(
        [
            evidences(opportunity_id=o.pk, competency_id=c)
            for o in catalog
            for c in rng.sample(competencies, min(4, len(competencies)))
        ],
        batch_size=5000,
    )
    requires = Opportunity.prerequisites.through
    requires.objects.bulk_create(
        [requires(opportunity_id=o.pk, competency_id=rng.choice(competencies)) for o in catalog[::4]],
        batch_size=5000,
    )
    students = Student.objects.bulk_create(
        [
            Student(
                district=district, sourced_id=f"bench-{i}", first_name=f"First{i}", last_name=f"Last{i % 997}"
            )
            for i in range(students_wanted)
        ],
        batch_size=2000,
    )
    start = today - datetime.timedelta(days=60)
    StudentEnrollment.objects.bulk_create(
        [
            StudentEnrollment(
                student=s, district=district, school=school, grade_level=6 + i % 7, entry_date=start
            )
            for i, s in enumerate(students)
        ],
        batch_size=5000,
    )
    StudentDemographics.objects.bulk_create(
        [
            StudentDemographics(
                student=s,
                district=district,
                gender=rng.choice([Gender.FEMALE, Gender.MALE, Gender.FEMALE, Gender.MALE, Gender.NONBINARY]),
                hispanic_or_latino=rng.random() < 0.3,
                white=rng.random() < 0.5,
                black_or_african_american=rng.random() < 0.15,
                asian=rng.random() < 0.06,
                english_learner=rng.random() < 0.1,
                students_with_disabilities=rng.random() < 0.17,
                economically_disadvantaged=rng.random() < 0.4,
            )
            for s in students
        ],
        batch_size=5000,
    )
    LearnerProfile.objects.bulk_create(
        [
            LearnerProfile(
                student=s,
                district=district,
                interests=rng.sample(TOPICS, 3),
                career_clusters=rng.sample(CLUSTERS, 2),
                free_times=["after_school"],
            )
            for s in students[::2]
        ],
        batch_size=5000,
    )
    statuses = [PathStatus.PROPOSED, PathStatus.ACTIVE, PathStatus.COMPLETED, PathStatus.APPROVED]
    PathProposal.objects.bulk_create(
        [
            PathProposal(
                student=s,
                district=district,
                status=statuses[i % len(statuses)],
                opportunity=catalog[i % len(catalog)],
                rationale="Bench",
                starts_on=today - datetime.timedelta(days=10),
                ends_on=today + datetime.timedelta(days=80),
            )
            for i, s in enumerate(students[::3])
        ],
        batch_size=5000,
    )
    # The fixed advisor guides a realistic caseload: 300 of the new students.
    AdvisorAssignment.objects.bulk_create(
        [
            AdvisorAssignment(advisor=advisor, student=s, district=district, starts_on=start)
            for s in students[:300]
        ],
        batch_size=5000,
    )
    return {"students": len(students), "opportunities": len(catalog), "paths": len(students[::3])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--opportunities", type=int, default=2_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()

    start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from waypoint.catalog import selectors as catalog_selectors
    from waypoint.core.audit import RequestContext
    from waypoint.core.models import Student, User
    from waypoint.pathways import recommend, selectors
    from waypoint.site.demo import load_demo

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    started = time.perf_counter()
    load_demo(scale=0.1)
    emit("pathways_demo_load", database=vendor, scale=0.1, seconds=round(time.perf_counter() - started, 2))
    started = time.perf_counter()
    built = build(options.students, options.opportunities)
    if vendor == "postgresql":
        # Fresh tables after bulk inserts: give the planner the statistics autovacuum would.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    emit("pathways_build", database=vendor, seconds=round(time.perf_counter() - started, 1), **built)

    jordan = Student.objects.get(user__username="student")
    student = RequestContext(user=User.objects.get(username="student"))
    advisor = RequestContext(user=User.objects.get(username="advisor"))
    admin = RequestContext(user=User.objects.get(username="district-admin"))
    catalog_size = options.opportunities + 24

    emit(
        "recommendations_one_student",
        database=vendor,
        catalog=catalog_size,
        **timed(lambda: selectors.recommendations_for(context=student, student_id=jordan.pk), options.repeat),
    )
    learner = selectors.learner_facts(jordan, grade=10)
    facts = selectors.catalog_facts(catalog_selectors.catalog_opportunities(student))
    emit(
        "recommendations_rank_only",
        catalog=len(facts),
        **timed(lambda: recommend.rank(learner, facts, limit=10), options.repeat),
    )
    emit(
        "catalog_first_page",
        database=vendor,
        catalog=catalog_size,
        **timed(
            lambda: catalog_selectors.catalog(
                context=student, filters=catalog_selectors.CatalogFilters(), page=1, page_size=50
            ),
            options.repeat,
        ),
    )
    emit(
        "approval_queue_caseload_300",
        database=vendor,
        **timed(lambda: selectors.approval_queue(context=advisor), options.repeat),
    )
    emit(
        "access_report_district",
        database=vendor,
        students=options.students,
        **timed(lambda: selectors.access_report(context=admin), max(3, options.repeat // 4)),
    )

    # The same reads as whole pages through the test client: middleware, policy, template and audit rows.
    for username, page, figure, repeat in (
        ("student", f"/students/{jordan.pk}/recommendations/", "recommendations_page", options.repeat),
        ("student", "/opportunities/", "catalog_page", options.repeat),
        ("advisor", "/paths/queue/", "approval_queue_page", options.repeat),
        ("district-admin", "/access-report/", "access_report_page", max(3, options.repeat // 4)),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        answer = client.get(page)
        if answer.status_code != 200:
            raise SystemExit(f"{page} answered {answer.status_code} to {username}")
        emit(
            figure,
            what=f"GET {page} as {username}, in process through the test client",
            database=vendor,
            kb=round(len(answer.content) / 1024, 1),
            **timed(lambda client=client, page=page: client.get(page), repeat),
        )


if __name__ == "__main__":
    main()

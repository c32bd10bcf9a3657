"""A district's OneRoster import at full size, one JSON object per figure on stdout.

    python bench/oneroster.py [--scale 1.0] [--users N] [--skip-process]
                              [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench]

It generates (into a temporary folder) a OneRoster 1.1 bulk set of `--users` users (default 100,000 ×
`--scale`: 90 % students, 4 % teachers, 6 % parents naming a student), 5,000 classes at 20 schools and
1,000,000 enrollments (each class's teacher, the rest students at their school's classes), then times:
- `waypoint import-oneroster` as a whole process, into an empty district (start-up included), with its peak
  resident memory (`RUSAGE_CHILDREN`): goals under 60 s on PostgreSQL, under 90 s on SQLite, under 1 GB;
  then the same command again (nothing changes: every row is read back and compared);
- the same import in this process (`roster_import`, a second set and district), with this process's peak
  memory (`RUSAGE_SELF`, which includes the generator's);
- re-importing that set (nothing changes; every row is compared);
- a delta of 1 % of the rows (users renamed, enrollments ended with `tobedeleted`, new enrollments): goal
  under 5 s.

The default database is a fresh SQLite file in a temporary folder; a PostgreSQL URL must name a database that
may be dropped and recreated.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _benchkit import WAYPOINT, emit, start_django

FULL_USERS = 100_000
FULL_CLASSES = 5_000
FULL_ENROLLMENTS = 1_000_000
SCHOOLS = 20
# Enough classes at each school for a student's dozen enrollments to be in different classes.
CLASSES_PER_SCHOOL = 250
GOAL_SECONDS = {"postgresql": 60, "sqlite": 90}
DELTA_GOAL_SECONDS = 5
MEMORY_GOAL_MB = 1024


def _rss_mb(who: int) -> float:
    # Linux reports ru_maxrss in kilobytes.
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def _write(path: Path, header: list[str], rows: Iterator[list[str]] | list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def _student_enrollment(prefix: str, e: int, students: int, per_school: list[list[int]]) -> list[str]:
    """The e-th student enrollment: student e mod students, in one of their school's classes (a student's
    enrollments land in different classes)."""
    n = e % students
    schools = len(per_school)
    school_classes = per_school[n % schools]
    k = school_classes[(n // schools + e // students) % len(school_classes)]
    return [
        f"{prefix}-e{e}",
        "active",
        "",
        f"{prefix}-k{k}",
        f"{prefix}-s{n % schools}",
        f"{prefix}-u{n}",
        "student",
        "false",
    ]


def generate(folder: Path, *, prefix: str, users: int, classes: int, enrollments: int) -> dict[str, int]:
    """Write a bulk set; returns its rows per file."""
    folder.mkdir(parents=True)
    # The school year that contains today, so that every enrollment is current when the bench runs.
    today = datetime.date.today()  # noqa: DTZ011 (the machine's date is the school's)
    start = datetime.date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    year_end, fall_end = datetime.date(start.year + 1, 6, 30), datetime.date(start.year, 12, 31)
    schools = max(1, min(SCHOOLS, classes // CLASSES_PER_SCHOOL))
    students, teachers = int(users * 0.90), max(schools, int(users * 0.04))
    parents = users - students - teachers
    header_common = ["sourcedId", "status", "dateLastModified"]
    _write(
        folder / "orgs.csv",
        [*header_common, "name", "type", "identifier", "parentSourcedId"],
        [[f"{prefix}-d", "active", "", "Bench District", "district", "", ""]]
        + [
            [f"{prefix}-s{s}", "active", "", f"School {s}", "school", "", f"{prefix}-d"]
            for s in range(schools)
        ],
    )
    _write(
        folder / "academicSessions.csv",
        [*header_common, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"],
        [
            [
                f"{prefix}-y",
                "active",
                "",
                "School year",
                "schoolYear",
                str(start),
                str(year_end),
                "",
                str(year_end.year),
            ],
            [
                f"{prefix}-f",
                "active",
                "",
                "Fall",
                "semester",
                str(start),
                str(fall_end),
                f"{prefix}-y",
                str(year_end.year),
            ],
        ],
    )
    _write(
        folder / "courses.csv",
        [*header_common, "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects"],
        [
            [
                f"{prefix}-c{c}",
                "active",
                "",
                f"{prefix}-y",
                f"Course {c}",
                f"C-{c}",
                "09",
                f"{prefix}-d",
                "Math",
            ]
            for c in range(50)
        ],
    )
    _write(
        folder / "classes.csv",
        [
            *header_common,
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "periods",
        ],
        (
            [
                f"{prefix}-k{k}",
                "active",
                "",
                f"Class {k}",
                "09",
                f"{prefix}-c{k % 50}",
                f"K{k}",
                "scheduled",
                f"Room {k % 300}",
                f"{prefix}-s{k % schools}",
                f"{prefix}-{'f' if k % 2 else 'y'}",
                "Math",
                str(k % 8),
            ]
            for k in range(classes)
        ),
    )

    def user_rows() -> Iterator[list[str]]:
        for n in range(students):
            agents = f"{prefix}-p{n}" if n < parents else ""
            yield [
                f"{prefix}-u{n}",
                "active",
                "",
                "true",
                f"{prefix}-s{n % schools}",
                "student",
                f"{prefix}.u{n}",
                f"Given{n}",
                f"Family{n}",
                f"{prefix}.u{n}@bench.invalid",
                agents,
                str(9 + n % 4),
            ]
        for t in range(teachers):
            yield [
                f"{prefix}-t{t}",
                "active",
                "",
                "true",
                f"{prefix}-s{t % schools}",
                "teacher",
                f"{prefix}.t{t}",
                f"Teacher{t}",
                "Staff",
                f"{prefix}.t{t}@bench.invalid",
                "",
                "",
            ]
        for p in range(parents):
            yield [
                f"{prefix}-p{p}",
                "active",
                "",
                "true",
                f"{prefix}-s{p % schools}",
                "parent",
                f"{prefix}.p{p}",
                f"Parent{p}",
                f"Family{p}",
                f"{prefix}.p{p}@bench.invalid",
                f"{prefix}-u{p}",
                "",
            ]

    _write(
        folder / "users.csv",
        [
            *header_common,
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "givenName",
            "familyName",
            "email",
            "agentSourcedIds",
            "grades",
        ],
        user_rows(),
    )
    per_school = [list(range(s, classes, schools)) for s in range(schools)]
    student_rows = enrollments - classes

    def enrollment_rows() -> Iterator[list[str]]:
        for k in range(classes):
            yield [
                f"{prefix}-e-t{k}",
                "active",
                "",
                f"{prefix}-k{k}",
                f"{prefix}-s{k % schools}",
                f"{prefix}-t{k % teachers}",
                "teacher",
                "true",
            ]
        for e in range(student_rows):
            yield _student_enrollment(prefix, e, students, per_school)

    _write(
        folder / "enrollments.csv",
        [*header_common, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary"],
        enrollment_rows(),
    )
    files = ["academicSessions", "classes", "courses", "enrollments", "orgs", "users"]
    _write(
        folder / "manifest.csv",
        ["propertyName", "value"],
        [["manifest.version", "1.0"], ["oneroster.version", "1.1"]]
        + [
            [f"file.{name}", "bulk" if name in files else "absent"]
            for name in (
                *files,
                "demographics",
                "resources",
                "classResources",
                "courseResources",
                "categories",
                "lineItems",
                "results",
            )
        ],
    )
    return {"users": users, "classes": classes, "enrollments": enrollments, "schools": schools}


def generate_delta(folder: Path, *, prefix: str, users: int, enrollments: int, classes: int) -> int:
    """1 % of the rows: users renamed, student enrollments ended, new enrollments for the same students."""
    folder.mkdir(parents=True)
    students = int(users * 0.90)
    schools = max(1, min(SCHOOLS, classes // CLASSES_PER_SCHOOL))
    changed_users = max(1, users // 100)
    changed_enrollments = max(2, enrollments // 100)
    header = ["sourcedId", "status", "dateLastModified"]
    _write(
        folder / "users.csv",
        [
            *header,
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "givenName",
            "familyName",
            "email",
            "grades",
        ],
        (
            [
                f"{prefix}-u{n}",
                "active",
                "",
                "true",
                f"{prefix}-s{n % schools}",
                "student",
                f"{prefix}.u{n}",
                f"Renamed{n}",
                f"Family{n}",
                f"{prefix}.u{n}@bench.invalid",
                str(9 + n % 4),
            ]
            for n in range(0, students, students // changed_users)
        ),
    )

    per_school = [list(range(s, classes, schools)) for s in range(schools)]

    def rows() -> Iterator[list[str]]:
        for e in range(changed_enrollments // 2):
            ended = _student_enrollment(prefix, e * 97 % (enrollments - classes), students, per_school)
            yield [ended[0], "tobedeleted", *ended[2:]]
        for e in range(changed_enrollments // 2):
            # Half a school's classes away from the student's own: a class they are not in yet.
            n = e * 31 % students
            school_classes = per_school[n % schools]
            k = school_classes[(n // schools + len(school_classes) // 2) % len(school_classes)]
            yield [
                f"{prefix}-new{e}",
                "active",
                "",
                f"{prefix}-k{k}",
                f"{prefix}-s{n % schools}",
                f"{prefix}-u{n}",
                "student",
                "false",
            ]

    _write(
        folder / "enrollments.csv",
        [*header, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary"],
        rows(),
    )
    files = ("users", "enrollments")
    _write(
        folder / "manifest.csv",
        ["propertyName", "value"],
        [["manifest.version", "1.0"], ["oneroster.version", "1.1"]]
        + [
            [f"file.{name}", "delta" if name in files else "absent"]
            for name in (
                "academicSessions",
                "classes",
                "courses",
                "demographics",
                "enrollments",
                "orgs",
                "users",
            )
        ],
    )
    return changed_users + changed_enrollments


def _district(slug: str, sourced_id: str) -> tuple[object, object]:
    from waypoint.core.models import Organization, Role, RoleAssignment, User

    state, _created = Organization.objects.get_or_create(
        sourced_id="bench-state", defaults={"kind": "state", "name": "Bench State", "slug": "bench-state"}
    )
    district = Organization.objects.create(
        kind="district", name=slug, slug=slug, sourced_id=sourced_id, parent=state
    )
    admin = User.objects.create_user(username=f"{slug}-admin", district=district)
    RoleAssignment.objects.create(
        user=admin, role=Role.DISTRICT_ADMIN, organization=district, district=district
    )
    return district, admin


def _command(folder: Path, district: str) -> tuple[float, float]:
    """`waypoint import-oneroster` as a whole process: its wall time and its CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (the checkout's own command, arguments from this script)
        [str(WAYPOINT), "import-oneroster", str(folder), "--district", district, "--no-progress"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="A fraction of the full size (0.05: a quick run)."
    )
    parser.add_argument("--users", type=int, default=None, help="Users (default 100,000 × scale).")
    parser.add_argument("--skip-process", action="store_true", help="Do not time the command as a process.")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    options = parser.parse_args()
    users = options.users or int(FULL_USERS * options.scale)
    classes = max(10, int(FULL_CLASSES * options.scale))
    enrollments = max(classes * 2, int(FULL_ENROLLMENTS * options.scale))

    start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    scratch = Path(tempfile.mkdtemp(prefix="waypoint-oneroster-"))
    size = {"users": users, "classes": classes, "enrollments": enrollments}

    if not options.skip_process:
        started = time.perf_counter()
        generate(scratch / "a", prefix="a", **size)
        emit("oneroster_generate", database=vendor, seconds=round(time.perf_counter() - started, 1), **size)
        _district("bench-a", "a-d")
        connection.close()
        for figure in ("oneroster_import_process", "oneroster_reimport_process"):
            seconds, cpu_seconds = _command(scratch / "a", "bench-a")
            peak = _rss_mb(resource.RUSAGE_CHILDREN)
            emit(
                figure,
                database=vendor,
                seconds=round(seconds, 1),
                # The command's own CPU time: what the shared machine's load inflates far less than the wall
                # time (a PostgreSQL server's CPU is not in it; SQLite's is).
                cpu_seconds=round(cpu_seconds, 1),
                goal_seconds=GOAL_SECONDS.get(vendor),
                met=seconds < GOAL_SECONDS.get(vendor, 0) and peak < MEMORY_GOAL_MB,
                # The largest of the commands run so far (the kernel keeps one maximum for all children).
                peak_rss_mb=peak,
                memory_goal_mb=MEMORY_GOAL_MB,
                **size,
            )

    from waypoint.core.audit import RequestContext
    from waypoint.interop.services.roster_import import roster_import

    generate(scratch / "b", prefix="b", **size)
    district, admin = _district("bench-b", "b-d")
    context = RequestContext(user=admin)  # type: ignore[arg-type]

    def run_import(folder: Path, figure: str, goal: float | None) -> None:
        started, cpu_started = time.perf_counter(), time.process_time()
        run = roster_import(context=context, district=district, source=folder, source_name=folder.name)  # type: ignore[arg-type]
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        totals = {
            key: sum(counts[key] for counts in run.counts.values())
            for key in ("created", "updated", "ended", "unchanged")
        }
        emit(
            figure,
            database=vendor,
            seconds=round(seconds, 2),
            cpu_seconds=round(cpu_seconds, 2),
            goal_seconds=goal,
            met=None if goal is None else seconds < goal,
            peak_rss_mb=_rss_mb(resource.RUSAGE_SELF),
            **totals,
            **size,
        )

    run_import(scratch / "b", "oneroster_import_in_process", GOAL_SECONDS.get(vendor))
    run_import(scratch / "b", "oneroster_reimport_unchanged", None)
    generate_delta(scratch / "delta", prefix="b", users=users, enrollments=enrollments, classes=classes)
    run_import(scratch / "delta", "oneroster_delta_1_percent", DELTA_GOAL_SECONDS)


if __name__ == "__main__":
    main()

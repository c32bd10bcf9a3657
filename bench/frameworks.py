"""CASE import and export of Common Core Math (703 items) and ELA (1,189 items): one JSON object per figure.

    python bench/frameworks.py [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench]

Reads the real packages in ../shared/data/case/ beside the checkout (it prints a "skipped" figure when they
are absent). The default database is a fresh SQLite file in a temporary folder; a PostgreSQL URL must name a
database that may be dropped and recreated.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from pathlib import Path

from _benchkit import emit, start_django, timed

CASE_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "case"
MATH = CASE_DIR / "ccss_math_opensalt_2017.json"
ELA = CASE_DIR / "ccss_ela_items_opensalt.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args()
    if not MATH.is_file():
        emit("case_import", skipped=f"{MATH} is absent")
        return

    start_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from waypoint.core.models import Organization, User
    from waypoint.frameworks import case, services
    from waypoint.frameworks.selectors import case_export
    from waypoint.site.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo(scale=0.1)
    vendor = connection.vendor
    state = Organization.objects.get(kind=Organization.Kind.STATE)

    for path in (MATH, ELA):
        emit(
            f"case_parse_{path.suffix[1:]}",
            file=path.name,
            **timed(
                lambda path=path: services.case_parse(raw=path.read_bytes(), file_name=path.name),
                options.repeat,
            ),
        )

    math = MATH.read_bytes()
    owners = iter(range(10_000))

    def fresh_import() -> services.ImportResult:
        """Parse and import into a district that has never seen the package: every row is new."""
        district = Organization.objects.create(
            kind=Organization.Kind.DISTRICT,
            name="Bench",
            slug=f"bench-{next(owners)}",
            sourced_id=f"bench-{time.time_ns()}",
            parent=state,
        )
        return services.case_import(
            package=case.parse_package(math), owner=district, file_name=MATH.name, content=math
        )

    emit("case_import_new", database=vendor, file=MATH.name, items=703, **timed(fresh_import, options.repeat))
    riverside = Organization.objects.get(slug="riverside")
    result = services.case_import(
        package=case.parse_package(math), owner=riverside, file_name=MATH.name, content=math, publish=True
    )
    emit(
        "case_reimport_unchanged",
        database=vendor,
        file=MATH.name,
        **timed(
            lambda: services.case_import(
                package=case.parse_package(math), owner=riverside, file_name=MATH.name, content=math
            ),
            options.repeat,
        ),
    )
    version = result.version
    emit(
        "case_export",
        database=vendor,
        items=version.competencies.count(),
        **timed(lambda: case_export(version), options.repeat),
    )
    exported = json.dumps(case_export(version))
    emit("case_export_bytes", bytes=len(exported.encode()))

    command_started = time.perf_counter()
    with transaction.atomic():
        call_command(
            "import-case",
            str(ELA),
            "--district",
            "hillcrest",
            "--no-progress",
            stdout=io.StringIO(),
        )
    emit(
        "case_import_cli_csv",
        database=vendor,
        file=ELA.name,
        items=1189,
        seconds=round(time.perf_counter() - command_started, 3),
    )

    admin = User.objects.get(username="district-admin")
    client = Client()
    client.force_login(admin)
    page = f"/frameworks/versions/{version.pk}/"
    emit(
        "framework_browser_page",
        database=vendor,
        items=703,
        **timed(lambda: client.get(page), options.repeat),
    )
    emit(
        "framework_search",
        database=vendor,
        **timed(
            lambda: client.get(page + "?q=8.EE", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"),
            options.repeat,
        ),
    )


if __name__ == "__main__":
    main()

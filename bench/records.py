"""Records that travel: transcripts printed and credentials signed, one JSON object per figure on stdout.

    python bench/records.py [--repeat 20] [--batch 1000 (0: skip)] [--processes 2] [--seconds 2]
                            [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench]

On the small demo state (scale 0.1) it times:
- one competency transcript of the demo student printed to PDF (`render_pdf`, with a verification code and
  its QR, as issued), p50/p95 over `--repeat` runs: goal under 300 ms; the content read before it
  (`transcript_content`) is timed apart;
- `--batch` transcripts (content read and PDF printed) by a pool of `--processes` worker processes over the
  district's demo students, taken round and round (1,000 transcripts of a real district are 1,000
  different students; the demo has fewer, and each print is the same work whoever it is for): goal under
  2 minutes on 2 cores;
- Open Badges credentials signed and verified per second with the district's Ed25519 key
  (`waypoint.records.vc.sign` and `verify`), for `--seconds` each; skipped, with the reason, when that
  module does not offer them.

The default database is a fresh SQLite file in a temporary folder; a PostgreSQL URL must name a database that
may be dropped and recreated.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import logging
import multiprocessing
import os
import time
from typing import Any

from _benchkit import emit, start_django, summary_ms, timed

TRANSCRIPT_GOAL_MS = 300
BATCH_GOAL_SECONDS = 120


def _print_one(student_id: int) -> tuple[int, float]:
    """One transcript read and printed in a worker process: its size in bytes and its wall time in ms."""
    from waypoint.core.models import Student
    from waypoint.records.selectors.transcripts import transcript_content
    from waypoint.records.services.transcripts import render_pdf

    started = time.perf_counter()
    student = Student.objects.select_related("district").get(pk=student_id)
    code = hashlib.sha256(f"bench-{student_id}-{started}".encode()).hexdigest()[:32]
    pdf = render_pdf(transcript_content(student=student), code=code)
    return len(pdf), (time.perf_counter() - started) * 1000


def _worker_start() -> None:
    """A forked worker opens its own database connection: the parent's is closed before the fork."""
    from django.db import connections

    connections.close_all()


def one_transcript(vendor: str, repeat: int) -> None:
    from waypoint.core.models import Student
    from waypoint.records.selectors.transcripts import transcript_content
    from waypoint.records.services.transcripts import render_pdf

    student = Student.objects.select_related("district").get(user__username="student")
    content = transcript_content(student=student)
    emit(
        "records_transcript_content",
        database=vendor,
        competencies=sum(len(group["competencies"]) for group in content["frameworks"]),
        **timed(lambda: transcript_content(student=student), repeat=repeat),
    )
    figures = timed(lambda: render_pdf(content, code="bench-verification-code"), repeat=repeat)
    emit(
        "records_transcript_pdf",
        database=vendor,
        bytes=len(render_pdf(content, code="bench-verification-code")),
        goal_ms=TRANSCRIPT_GOAL_MS,
        met=figures["p95_ms"] < TRANSCRIPT_GOAL_MS,
        **figures,
    )


def transcript_batch(vendor: str, batch: int, processes: int) -> None:
    from django.db import connections

    from waypoint.core.models import Organization, Student

    district = Organization.objects.get(slug="riverside")
    ids = list(Student.objects.filter(district=district).order_by("pk").values_list("pk", flat=True))
    wanted = [ids[index % len(ids)] for index in range(batch)]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(processes, initializer=_worker_start) as pool:
        results = pool.map(_print_one, wanted, chunksize=max(1, batch // (processes * 20)))
    seconds = time.perf_counter() - started
    emit(
        "records_transcript_batch",
        database=vendor,
        transcripts=len(results),
        distinct_students=len(set(wanted)),
        processes=processes,
        cores=os.cpu_count(),
        seconds=round(seconds, 2),
        per_second=round(len(results) / seconds, 1),
        megabytes=round(sum(size for size, _ms in results) / 1e6, 1),
        goal_seconds=BATCH_GOAL_SECONDS,
        met=seconds < BATCH_GOAL_SECONDS,
        **{f"each_{key}": value for key, value in summary_ms([ms for _size, ms in results]).items()},
    )


def _credential(vc: Any) -> dict[str, Any]:
    """One Open Badges credential of a competency at mastery, as the issuing service builds them."""
    now = datetime.datetime.now(datetime.UTC)
    return vc.achievement_credential(  # type: ignore[no-any-return]
        credential_id=vc.new_credential_id(),
        issuer=vc.Issuer(id="https://bench.example/districts/riverside", name="Riverside School District"),
        learner=vc.Learner(id="urn:uuid:6f1f8f3e-3b0e-4a39-9d1f-5a3b2d7c9e10", name="Jordan Alvarez"),
        achievement=vc.AchievementFacts(
            id="https://bench.example/competencies/1",
            name="Communicates clearly",
            description="Communicates ideas clearly in writing and speech.",
            criteria="A certified teacher's scores at the mastery level.",
        ),
        status_url="https://bench.example/districts/riverside/credentials/status.json",
        valid_from=now,
    )


def _per_second(run: Any, seconds: float) -> tuple[int, float]:
    count = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        run()
        count += 1
    return count, count / elapsed


def credentials_per_second(seconds: float) -> None:
    """Signed and verified per second, through `waypoint.records.vc` when it offers `sign` and `verify`."""
    try:
        from waypoint.records import vc
    except ImportError as error:
        emit("records_credentials_per_second", skipped=f"waypoint.records.vc cannot be imported: {error}")
        return
    needed = ["sign", "verify", "new_key", "achievement_credential", "KnownKey", "Issuer", "Learner"]
    missing = [name for name in needed if not hasattr(vc, name)]
    if missing:
        emit("records_credentials_per_second", skipped=f"waypoint.records.vc lacks {', '.join(missing)}")
        return
    try:
        key = vc.new_key()
        credential = _credential(vc)
        token = vc.sign(credential, key.private_jwk)
        known = vc.KnownKey(
            public_jwk=key.public_jwk, owner="Riverside School District", issuer_id=credential["issuer"]["id"]
        )
        now = datetime.datetime.now(datetime.UTC)

        def verify() -> None:
            result = vc.verify(
                token,
                resolve_key=lambda kid: known if kid == key.kid else None,
                is_revoked=lambda _id: False,
                now=now,
            )
            if not result.valid:
                raise RuntimeError("the benchmark's own credential did not verify")

        verify()
    except (TypeError, KeyError, AttributeError) as error:
        emit("records_credentials_per_second", skipped=f"waypoint.records.vc changed its interface: {error}")
        return
    signed, signed_rate = _per_second(lambda: vc.sign(credential, key.private_jwk), seconds)
    verified, verified_rate = _per_second(verify, seconds)
    emit(
        "records_credentials_per_second",
        algorithm="EdDSA (Ed25519), VC-JWT",
        token_bytes=len(token),
        signed=signed,
        signed_per_second=round(signed_rate, 1),
        verified=verified,
        verified_per_second=round(verified_rate, 1),
        seconds_each=seconds,
        schema_checked=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2.0)
    options = parser.parse_args()

    start_django(options.database_url)
    # WeasyPrint reports each step of each print at INFO: a thousand prints would bury the figures.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from waypoint.site.demo import load_demo

    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    started = time.perf_counter()
    load_demo(scale=0.1)
    emit("records_demo_load", database=vendor, scale=0.1, seconds=round(time.perf_counter() - started, 2))
    one_transcript(vendor, options.repeat)
    if options.batch:
        transcript_batch(vendor, options.batch, options.processes)
    credentials_per_second(options.seconds)


if __name__ == "__main__":
    main()

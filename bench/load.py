"""Waypoint under load: gunicorn and PostgreSQL on this machine, real sign-ins, a bounded number of requests
from concurrent keep-alive clients. One JSON object per figure on stdout.

    python bench/load.py [--quick] [--database-url postgres://postgres@127.0.0.1:5432/bench_load]
                         [--workers 4] [--worker-class sync] [--threads 1] [--scale 1.0] [--time-limit 60]
                         [--duration 60] [--only all|mixed]

What it does, in order (each step's time is reported):
1. drops and recreates the scratch database, then runs `waypoint migrate` and `waypoint demo` as processes;
2. adds two generated sections taught by the demo's `teacher`, of 35 and of 200 new students, each student
   with 4 counted scores on each of 25 graduate-profile indicators, and runs `waypoint recompute`;
3. makes an API token for `teacher` with `waypoint token`, and collects the static files;
4. starts gunicorn on 127.0.0.1 with WAYPOINT_ENV=production (DEBUG off, manifest static files, persistent
   database connections; only the HTTPS redirect is off, as there is no TLS here);
5. starts `waypoint worker` beside gunicorn (the production profile runs one), and stops both at the end;
6. signs real demo accounts in through the sign-in form (CSRF token and all; every sign-in succeeds, so
   django-axes never counts a failure), then drives each scenario with its number of clients until its
   request count or its time limit is reached, whichever comes first;
7. the mixed workload: for `--duration` seconds (60 by default, 300 at most), every client at once, each on
   one kind of work (student homes, "My progress", gradebooks, scoring by POST, API lists), with
   requests per second, p50/p95/p99 and errors per kind and overall (figure `load_mixed`).

`--only mixed` runs the /healthz ceiling, the student home alone (the goal: 300 requests per second on two
cores, no errors) and the mixed workload, and skips the other one-at-a-time scenarios.

Each client is a thread with its own persistent HTTP/1.1 connection and session cookie (gunicorn's sync
workers close the connection after each response; the client then reconnects, as a browser would). Latency
is from sending the request to reading the last byte of the body. Percentiles are linear interpolation
(see _benchkit). The driver shares the two cores with gunicorn and PostgreSQL, so its ceiling is measured
first, on /healthz (the whole middleware stack, no database), and every scenario reports the driver's own
CPU time beside the wall time.

Requests per second on a shared machine say as much about the neighbours as about Waypoint, so every
scenario also reports the CPU time gunicorn's workers and this database's PostgreSQL backends spent per
request (read from /proc before and after), and the rate two otherwise idle cores would reach at that cost
(an estimate: it leaves out the driver, the kernel's network work and waits on locks). `--quick` sends a
tenth of the requests and stops each scenario after 15 s; POST /scores then adds 40 scores, not 400.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from _benchkit import (
    ROOT,
    WAYPOINT,
    emit,
    percentile,
    production_environment,
    scratch_environment,
    timed_process,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bench_load"
GUNICORN = Path(sys.executable).with_name("gunicorn")
DEMO_PASSWORD = "waypoint-demo"  # noqa: S105 (the demo's published password)
COMPETENCIES = 25
SCORES_PER_CELL = 4
EXTRA_SCORES = 400
# The mixed workload is bounded: a bench on a shared machine never runs for long.
MAX_DURATION = 300.0


@dataclass
class Session:
    """One client: a persistent connection to the server and its cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes]:
        sent = {**self.headers, **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            content = response.read()
        except (ConnectionError, http.client.HTTPException):
            # A connection the server closed between two requests: reconnect once, as a browser does.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content


def sign_in(port: int, username: str) -> Session:
    """Sign in through the form, as a browser does: GET the page for the CSRF cookie and token, POST it."""
    session = Session(port)
    status, page = session.request("GET", "/login/")
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or found is None:
        raise SystemExit(f"the sign-in page answered {status} without a CSRF token")
    form = urllib.parse.urlencode(
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": found.group(1).decode()}
    ).encode()
    status, _ = session.request(
        "POST", "/login/", body=form, **{"Content-Type": "application/x-www-form-urlencoded"}
    )
    if status != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"{username} could not sign in (HTTP {status})")
    return session


Request = Callable[[Session, int], tuple[int, bytes]]


def drive(
    sessions: list[Session],
    request: Request,
    *,
    requests: int,
    time_limit: float,
    expected: int = 200,
    warmup: int = 1,
) -> tuple[dict[str, object], int]:
    """Every session a thread, sending `request` back to back until `requests` have been sent in all or
    `time_limit` seconds have passed; latencies of every request, errors (any other status, or a broken
    connection) counted, and left out of the rate. Each client first sends `warmup` requests untimed
    (the first request a gunicorn worker serves loads Django's URLs and templates). Returns the figures
    and how many requests the server was sent in all, warm-ups included."""
    for session in sessions:
        for number in range(warmup):
            request(session, -1 - number)
    numbers = itertools.count()
    latencies: list[list[float]] = [[] for _ in sessions]
    errors = [0] * len(sessions)
    sent = [0] * len(sessions)
    failed = [0] * len(sessions)
    unexpected: list[list[int]] = [[] for _ in sessions]
    sizes: list[int] = []
    deadline = time.monotonic() + time_limit

    def client(index: int) -> None:
        session = sessions[index]
        while time.monotonic() < deadline:
            number = next(numbers)
            if number >= requests:
                return
            sent[index] += 1
            started = time.perf_counter()
            try:
                status, content = request(session, number)
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                continue
            latencies[index].append((time.perf_counter() - started) * 1000)
            if status != expected:
                errors[index] += 1
                failed[index] += 1
                unexpected[index].append(status)
            if not sizes:
                sizes.append(len(content))

    cpu_started = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(index,)) for index in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    driver_cpu = time.process_time() - cpu_started
    done = [latency for per_client in latencies for latency in per_client]
    figures: dict[str, object] = {
        "clients": len(sessions),
        "requests": sum(sent),
        "warmup_requests": warmup * len(sessions),
        "errors": sum(errors),
        # Which answers were not the one expected (a 500 means a traceback in the gunicorn log).
        "unexpected_statuses": dict(Counter(str(status) for each in unexpected for status in each)),
        "seconds": round(wall, 2),
        "req_per_s": round((len(done) - sum(failed)) / wall, 1),
        "p50_ms": round(percentile(done, 50), 2) if done else None,
        "p95_ms": round(percentile(done, 95), 2) if done else None,
        "p99_ms": round(percentile(done, 99), 2) if done else None,
        "response_kb": round(sizes[0] / 1024, 1) if sizes else None,
        "driver_cpu_share": round(driver_cpu / wall, 2),
        "stopped_by": "time limit" if sum(sent) < requests else "request count",
    }
    return figures, sum(sent) + warmup * len(sessions)


TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a live process has used (0 for one that has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the
    # 14th and 15th fields of the line.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


@dataclass(frozen=True)
class CpuMeter:
    """The CPU time of gunicorn's workers and of the database's backends for this database: what a request
    costs the machine, whatever else competes for the cores while it is measured."""

    master: int
    database_url: str

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.master}/task/{self.master}/children").read_text().split()
        return [int(pid) for pid in children]

    def backends(self) -> list[int]:
        import psycopg

        name = self.database_url.rsplit("/", 1)[1]
        with psycopg.connect(self.database_url.rsplit("/", 1)[0] + "/postgres") as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
                (name,),
            ).fetchall()
        return [int(pid) for (pid,) in rows]

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {
            "app": {pid: cpu_seconds(pid) for pid in self.workers()},
            "database": {pid: cpu_seconds(pid) for pid in self.backends()},
        }

    def per_request(self, before: dict[str, dict[int, float]], requests: int) -> dict[str, object]:
        after = self.snapshot()
        used = {
            side: sum(after[side].get(pid, 0.0) - before[side].get(pid, 0.0) for pid in after[side])
            for side in after
        }
        app = used["app"] * 1000 / max(requests, 1)
        database = used["database"] * 1000 / max(requests, 1)
        return {
            "app_cpu_ms_per_request": round(app, 2),
            "database_cpu_ms_per_request": round(database, 2),
            # What two otherwise idle cores could serve if the app and database were all they ran: an
            # estimate that leaves out the driver, the kernel's network work and any waiting on locks.
            "estimated_req_per_s_on_2_idle_cores": round(2000 / (app + database), 1)
            if app + database
            else None,
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Fixtures:
    jordan: int
    evidence: int
    competencies: list[int]
    sections: dict[int, int]


def build_sections(sizes: list[int]) -> Fixtures:
    """Sections of `sizes` new students taught by `teacher`, every student with SCORES_PER_CELL counted
    scores on each of COMPETENCIES graduate-profile indicators; and a piece of Jordan's (`student`'s)
    evidence about the same indicators, for `teacher` to score through the API."""
    import datetime

    from django.utils import timezone

    from waypoint.core.models import (
        Organization,
        Section,
        SectionEnrollment,
        SectionTeacher,
        Student,
        StudentEnrollment,
        User,
    )
    from waypoint.evidence.models import Evidence, Score, ScoreSource
    from waypoint.frameworks.models import Framework, FrameworkKind, Tier, VersionStatus

    district = Organization.objects.get(slug="riverside")
    school = Organization.objects.get(slug="riverside-high")
    teacher = User.objects.get(username="teacher")
    profile = Framework.objects.get(owner=district, kind=FrameworkKind.GRADUATE_PROFILE)
    version = profile.versions.get(status=VersionStatus.PUBLISHED)
    indicators = list(
        version.competencies.filter(tier=Tier.INDICATOR).order_by("path").values_list("id", flat=True)
    )[:COMPETENCIES]
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    now = timezone.now()
    sections: dict[int, int] = {}
    for size in sizes:
        section = Section.objects.create(
            district=district,
            school=school,
            sourced_id=f"bench-load-{size}",
            title=f"Load bench {size}",
            subject="Mathematics",
            starts_on=start,
            ends_on=today + datetime.timedelta(days=200),
        )
        SectionTeacher.objects.create(section=section, teacher=teacher, starts_on=start)
        students = Student.objects.bulk_create(
            [
                Student(
                    district=district,
                    sourced_id=f"bench-load-{size}-{n}",
                    first_name=f"Load{n}",
                    last_name=f"Bench{size}",
                )
                for n in range(size)
            ]
        )
        StudentEnrollment.objects.bulk_create(
            [
                StudentEnrollment(
                    student=s, district=district, school=school, grade_level=10, entry_date=start
                )
                for s in students
            ]
        )
        SectionEnrollment.objects.bulk_create(
            [
                SectionEnrollment(section=section, student=s, district=district, starts_on=start)
                for s in students
            ]
        )
        evidence = Evidence.objects.bulk_create(
            [
                Evidence(
                    district=district,
                    student=s,
                    framework_version=version,
                    title="Load bench work",
                    recorded_by=teacher,
                )
                for s in students
            ]
        )
        Score.objects.bulk_create(
            [
                Score(
                    district=district,
                    student=s,
                    evidence=e,
                    competency_id=competency,
                    framework_version=version,
                    value=float(1 + (s.pk + competency + n) % 4),
                    source=ScoreSource.CERTIFIED_TEACHER,
                    counts_toward_mastery=True,
                    scored_by=teacher,
                    scored_at=now - datetime.timedelta(days=7 * (SCORES_PER_CELL - n)),
                )
                for s, e in zip(students, evidence, strict=True)
                for competency in indicators
                for n in range(SCORES_PER_CELL)
            ],
            batch_size=5000,
        )
        sections[size] = section.pk
    jordan = Student.objects.get(user__username="student")
    work = Evidence.objects.create(
        district=district, student=jordan, framework_version=version, title="Load bench", recorded_by=teacher
    )
    work.competencies.set(indicators)
    return Fixtures(jordan=jordan.pk, evidence=work.pk, competencies=indicators, sections=sections)


def history_points(student_id: int) -> dict[str, int]:
    from waypoint.evidence.models import Score
    from waypoint.mastery.models import MasteryLevelChange

    return {
        "scores": Score.objects.filter(student_id=student_id).count(),
        "history_points": MasteryLevelChange.objects.filter(student_id=student_id).count(),
    }


@dataclass(frozen=True)
class Kind:
    """One kind of work in the mixed workload: its clients and the request each sends again and again."""

    name: str
    sessions: list[Session]
    request: Request
    expected: int = 200


@dataclass
class Tally:
    """What one kind's clients saw: the latency of every answer, the answers that were not the one expected
    (by status) and the requests that got no answer at all."""

    latencies: list[float] = field(default_factory=list)
    unexpected: Counter[str] = field(default_factory=Counter)
    broken: int = 0

    def add(self, other: Tally) -> None:
        self.latencies.extend(other.latencies)
        self.unexpected.update(other.unexpected)
        self.broken += other.broken

    def figures(self, wall: float) -> dict[str, object]:
        answered = self.latencies
        failed = sum(self.unexpected.values())
        return {
            "requests": len(answered) + self.broken,
            "errors": failed + self.broken,
            "unexpected_statuses": dict(self.unexpected),
            "broken_connections": self.broken,
            "req_per_s": round((len(answered) - failed) / wall, 1),
            "p50_ms": round(percentile(answered, 50), 2) if answered else None,
            "p95_ms": round(percentile(answered, 95), 2) if answered else None,
            "p99_ms": round(percentile(answered, 99), 2) if answered else None,
        }


def drive_mixed(kinds: list[Kind], duration: float) -> dict[str, object]:
    """Every client of every kind at once, each a thread sending its kind's request back to back for
    `duration` seconds (after one untimed warm-up request each): figures per kind and overall, with the
    driver's own CPU share."""
    for kind in kinds:
        for session in kind.sessions:
            kind.request(session, -1)
    tallies = {kind.name: Tally() for kind in kinds}
    numbers = itertools.count()
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(kind: Kind, session: Session) -> None:
        tally = tallies[kind.name]
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, _ = kind.request(session, next(numbers))
            except (OSError, http.client.HTTPException):
                with lock:
                    tally.broken += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                tally.latencies.append(elapsed)
                if status != kind.expected:
                    tally.unexpected[str(status)] += 1

    cpu_started = time.process_time()
    started = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(kind, session)) for kind in kinds for session in kind.sessions
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    overall = Tally()
    for tally in tallies.values():
        overall.add(tally)
    return {
        "seconds": round(wall, 2),
        "clients": {kind.name: len(kind.sessions) for kind in kinds},
        "overall": overall.figures(wall),
        "per_kind": {name: tally.figures(wall) for name, tally in tallies.items()},
        "driver_cpu_share": round((time.process_time() - cpu_started) / wall, 2),
    }


def start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes] | None:
    """`waypoint worker` in its own process group, as the production profile runs it beside gunicorn; None
    (and a figure saying so) when this checkout has no worker command."""
    probe = subprocess.run(  # noqa: S603 (the checkout's own command)
        [str(WAYPOINT), "worker", "--help"], env=environment, capture_output=True, check=False
    )
    if probe.returncode != 0:
        emit(
            "load_worker", started=False, reason="`waypoint worker --help` failed: no worker in this checkout"
        )
        return None
    worker = subprocess.Popen(  # noqa: S603
        [str(WAYPOINT), "worker"],
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    emit("load_worker", started=True, pid=worker.pid, log=str(log))
    return worker


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM to the process group a bench started, then wait for it."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_gunicorn(
    environment: dict[str, str], options: argparse.Namespace, log: Path
) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn in its own process group, answering /healthz; its port."""
    port = free_port()
    command = [
        str(GUNICORN),
        "waypoint.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(options.workers),
        "--worker-class",
        options.worker_class,
        "--threads",
        str(options.threads),
        "--backlog",
        "256",
    ]
    server = subprocess.Popen(  # noqa: S603 (the venv's gunicorn, arguments from this script)
        command, env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start-up; see {log}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--quick", action="store_true", help="A tenth of the requests, 15 s per scenario.")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="The demo's scale (`waypoint demo --scale`)."
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="Threads per worker (gthread).")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=60.0, help="Seconds per scenario at most.")
    parser.add_argument(
        "--duration", type=float, default=60.0, help="Seconds of the mixed workload (at most 300)."
    )
    parser.add_argument(
        "--only",
        choices=["all", "mixed"],
        default="all",
        help="`mixed`: the /healthz ceiling, the student home and the mixed workload only.",
    )
    options = parser.parse_args()
    if not 0 < options.duration <= MAX_DURATION:
        parser.error(f"--duration is between 0 and {MAX_DURATION} seconds")
    share = 0.1 if options.quick else 1.0
    time_limit = 15.0 if options.quick else options.time_limit

    def count(full: int) -> int:
        return max(10, int(full * share))

    environment = {**os.environ, **scratch_environment(options.database_url)}
    os.environ.update(environment)
    database = environment["DATABASE_URL"]
    emit("load_setup_migrate_process", **timed_process(["migrate", "--noinput"], 1))
    emit(
        "load_setup_demo_process",
        scale=options.scale,
        **timed_process(["demo", "--scale", str(options.scale)], 1),
    )

    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    started = time.perf_counter()
    fixtures = build_sections([35, 200])
    emit(
        "load_setup_sections",
        sizes=[35, 200],
        competencies=COMPETENCIES,
        seconds=round(time.perf_counter() - started, 2),
    )
    emit("load_setup_recompute_process", **timed_process(["recompute", "--district", "riverside"], 1))
    token = subprocess.run(  # noqa: S603
        [str(WAYPOINT), "token", "teacher", "--name", "load bench"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    production = production_environment(environment)
    log = Path(environment["WAYPOINT_VAR_DIR"]) / "gunicorn.log"
    server, port = start_gunicorn(production, options, log)
    worker = start_worker(production, log.with_name("worker.log"))
    # Stopped from outside, stop gunicorn too: the `finally` below runs on SystemExit, not on a bare signal.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(f"stopped; gunicorn {server.pid} stopped too"))
    meter = CpuMeter(server.pid, database)
    emit("load_server", command=" ".join(server.args), log=str(log))  # type: ignore[arg-type]
    server_figures = {
        "database": "postgresql" if database.startswith("postgres") else "sqlite",
        "server": f"gunicorn {options.worker_class} workers={options.workers} threads={options.threads}",
    }
    try:
        students = [sign_in(port, "student") for _ in range(options.clients)]
        teacher = sign_in(port, "teacher")

        def get(path: str) -> Request:
            return lambda session, _: session.request("GET", path)

        def scenario(
            name: str,
            sessions: list[Session],
            request: Request,
            requests: int,
            expected: int = 200,
            limit: float = time_limit,
        ) -> None:
            before = meter.snapshot()
            figures, served = drive(sessions, request, requests=requests, time_limit=limit, expected=expected)
            cost = meter.per_request(before, served)
            emit("load", scenario=name, **server_figures, **figures, **cost)

        # Signed out, so no session is read: what the driver and gunicorn can do at most on this machine.
        anonymous = [Session(port) for _ in range(options.clients)]
        scenario("healthz (driver and server ceiling)", anonymous, get("/healthz"), count(5000))
        scenario("student home", students, get("/"), count(3000))
        api = Session(port, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})

        def score(session: Session, number: int) -> tuple[int, bytes]:
            body = {
                "competency_id": fixtures.competencies[number % COMPETENCIES],
                "value": float(1 + number % 4),
            }
            return session.request(
                "POST", f"/api/v1/evidence/{fixtures.evidence}/scores", body=json.dumps(body).encode()
            )

        if options.only == "all":
            one_at_a_time(scenario, students, teacher, api, score, fixtures, count, time_limit)
        mixed(port, token, students, fixtures, score, options.duration, server_figures)
    finally:
        stop(worker)
        stop(server)


def one_at_a_time(
    scenario: Callable[..., None],
    students: list[Session],
    teacher: Session,
    api: Session,
    score: Request,
    fixtures: Fixtures,
    count: Callable[[int], int],
    time_limit: float,
) -> None:
    """The scenarios of the "Speed and correctness under load" issue, each alone on the server."""

    def get(path: str) -> Request:
        return lambda session, _: session.request("GET", path)

    progress = f"/students/{fixtures.jordan}/mastery/"
    before = history_points(fixtures.jordan)
    emit("my_progress_data", when="before", **before)
    scenario("my progress", students, get(progress), count(2000))
    for size, section in fixtures.sections.items():
        scenario(
            f"gradebook {size}x{COMPETENCIES}",
            [teacher],
            get(f"/sections/{section}/gradebook/"),
            count(200 if size < 100 else 60),
        )
    # Up to two minutes: the 400 scores are what "My progress after 400 more scores" means.
    scenario(
        "POST score, one client",
        [api],
        score,
        count(EXTRA_SCORES),
        expected=201,
        limit=max(time_limit, 120),
    )
    after = history_points(fixtures.jordan)
    added = after["scores"] - before["scores"]
    emit("my_progress_data", when="after", scores_added=added, **after)
    scenario(f"my progress after {added} more scores", students, get(progress), count(2000))


def mixed(
    port: int,
    token: str,
    students: list[Session],
    fixtures: Fixtures,
    score: Request,
    duration: float,
    server_figures: dict[str, str],
) -> None:
    """Every kind of work at once: half the clients on student homes and "My progress" (what a school's
    students do all day), teachers on the two gradebooks, one API client scoring and one listing."""

    def get(path: str) -> Request:
        return lambda session, _: session.request("GET", path)

    def api_session() -> Session:
        return Session(port, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})

    half = max(1, len(students) // 2)
    gradebooks = list(fixtures.sections.values())

    def gradebook(session: Session, number: int) -> tuple[int, bytes]:
        return session.request("GET", f"/sections/{gradebooks[number % len(gradebooks)]}/gradebook/")

    def api_list(session: Session, number: int) -> tuple[int, bytes]:
        return session.request("GET", "/api/v1/students" if number % 2 else "/api/v1/evidence/inbox")

    kinds = [
        Kind("student home", students[:half], get("/")),
        Kind("my progress", students[half:] or students[:1], get(f"/students/{fixtures.jordan}/mastery/")),
        Kind("gradebook", [sign_in(port, "teacher") for _ in range(2)], gradebook),
        Kind("POST score", [api_session()], score, expected=201),
        Kind("API lists", [api_session()], api_list),
    ]
    emit("load_mixed", **server_figures, **drive_mixed(kinds, duration))


if __name__ == "__main__":
    main()

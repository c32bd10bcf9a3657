"""Waypoint under faults: gunicorn on 127.0.0.1 against a PostgreSQL cluster this script creates for itself
(so the shared server is never restarted), and the faults an operator meets. One JSON line per scenario on
stdout: what was done, what happened, and whether that is what Waypoint promises (`"passed"`).

    python bench/failures.py [--port 5439] [--scale 0.1] [--only web-kill,db-restart,disk-full,worker-kill]

Run as root (it creates the cluster as the `postgres` user and mounts a 2 MiB tmpfs for the uploads). Every
scenario is bounded in requests and seconds; the cluster, the mount and every process it started are
removed at the end, whatever happened.

1. web-kill: a bulk scoring POST (one score on each of 25 competencies, one transaction); the gunicorn
   worker serving it is sent SIGKILL once its transaction has written (PostgreSQL has given it a
   transaction id) and before it commits. Nothing half-written: the scores and history rows are all there
   or none, and the next POST succeeds on the worker gunicorn starts in its place.
2. db-restart: clients load student homes and an API list while the cluster is stopped (fast shutdown),
   kept down a few seconds and started again. Every answer while it is down is a 503 with Retry-After,
   never a 500; answers are 200 again once it is back, from the same gunicorn workers (no restart).
3. disk-full: the upload folder is a 2 MiB tmpfs; a student uploads 300 KiB files through the API until the
   disk is full. The refusal is a 507 in words; every artifact row has its whole file (size and SHA-256)
   and every file its row.
4. worker-kill: a roster import of 20,000 users; its `waypoint worker` is sent SIGKILL once the import's
   transaction has been writing for a second. No partial rows (every table with a district column counted
   before, after the kill and at the end), and a second worker ends the task visibly (failed), never
   leaving it "running". The set-up is the tasks engineer's (tests/operations/proof_roster.py).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from _benchkit import ROOT, WAYPOINT, emit, production_environment, timed_process
from load import Fixtures, Session, build_sections, free_port, sign_in, stop

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
MOUNT = shutil.which("mount") or "/usr/bin/mount"
UMOUNT = shutil.which("umount") or "/usr/bin/umount"
SCENARIOS = ("web-kill", "db-restart", "disk-full", "worker-kill")
WEB_KILL_ATTEMPTS = 3
DOWN_SECONDS = 5.0
UPLOAD_BYTES = 300 * 1024
MAX_UPLOADS = 12
# As many users as the tasks engineer's proof imports: enough for the import to write for seconds.
ROSTER_USERS = 20_000


def report(scenario: str, *, done: str, happened: dict[str, object], passed: bool | None) -> None:
    """One scenario's line; `passed` None when it could not be run here (the reason is in `happened`)."""
    emit("failure", scenario=scenario, done=done, happened=happened, passed=passed)


# The private cluster ----------------------------------------------------------------------------------------


def as_postgres(*arguments: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # noqa: S603 (PostgreSQL's own tools, arguments from this script)
        [RUNUSER, "-u", "postgres", "--", *arguments], check=True, capture_output=True
    )


class Cluster:
    """A PostgreSQL 15 cluster in a scratch folder, on its own port of 127.0.0.1, owned by `postgres`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="waypoint-failures-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8"
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/waypoint_failures"

    def pg_ctl(self, *arguments: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            "-w",
            *arguments,
        )

    def remove(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def tiny_upload_disk() -> Iterator[Path | str]:
    """A 2 MiB tmpfs for the uploads, or the reason there is none."""
    folder = Path(tempfile.mkdtemp(prefix="waypoint-failures-media-"))
    mounted = subprocess.run(  # noqa: S603
        [MOUNT, "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        folder.rmdir()
        yield f"a tmpfs could not be mounted: {mounted.stderr.decode().strip()}"
        return
    try:
        yield folder
    finally:
        subprocess.run([UMOUNT, str(folder)], check=False)  # noqa: S603
        folder.rmdir()


# gunicorn ---------------------------------------------------------------------------------------------------


def start_gunicorn(
    environment: dict[str, str], log: Path, workers: int = 2
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (the venv's gunicorn, arguments from this script)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "waypoint.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
        ],
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    if not wait_for_healthz(port, server, 60):
        raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {log}")
    return server, port


def wait_for_healthz(port: int, server: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.2)
    return False


def web_workers(master: int) -> set[int]:
    return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def serving_worker(workers: set[int], server_port: int, client_port: int) -> int | None:
    """The gunicorn worker holding the accepted socket of the client's connection (from /proc/net/tcp and
    each worker's open files)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    if inode is None:
        return None
    for pid in workers:
        with suppress(OSError):
            for descriptor in Path(f"/proc/{pid}/fd").iterdir():
                if os.readlink(descriptor) == f"socket:[{inode}]":
                    return pid
    return None


# 1. A web process killed in the middle of a write -----------------------------------------------------------


def web_kill(database_url: str, port: int, master: int, token: str, fixtures: Fixtures) -> None:
    import psycopg

    from waypoint.evidence.models import Score
    from waypoint.mastery.models import MasteryLevelChange

    evidence, competencies = fixtures.evidence, fixtures.competencies

    def rows() -> dict[str, int]:
        return {
            "scores": Score.objects.filter(evidence_id=evidence).count(),
            "history_points": MasteryLevelChange.objects.filter(student_id=fixtures.jordan).count(),
        }

    body = json.dumps({"scores": [{"competency_id": c, "value": 3.0} for c in competencies]}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    attempts: list[dict[str, object]] = []
    whole, mid_transaction = True, 0
    watcher = psycopg.connect(database_url, autocommit=True)
    for _ in range(WEB_KILL_ATTEMPTS):
        before = rows()
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        client.connect()
        client_port = client.sock.getsockname()[1]
        answer: dict[str, object] = {}

        def send(client: http.client.HTTPConnection = client, answer: dict[str, object] = answer) -> None:
            try:
                client.request("POST", f"/api/v1/evidence/{evidence}/scores", body=body, headers=headers)
                answer["status"] = client.getresponse().status
            except (OSError, http.client.HTTPException) as error:
                answer["error"] = type(error).__name__

        workers = web_workers(master)
        sender = threading.Thread(target=send)
        sender.start()
        # The request's transaction has written once PostgreSQL has given it a transaction id.
        writing = None
        deadline = time.monotonic() + 30
        while writing is None and sender.is_alive() and time.monotonic() < deadline:
            writing = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_xid IS NOT NULL AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchone()
        killed = serving_worker(workers, port, client_port) if writing is not None else None
        if killed is not None:
            os.kill(killed, signal.SIGKILL)
        sender.join(timeout=60)
        # PostgreSQL rolls the transaction back once it sees its client gone.
        while (
            writing is not None
            and watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (writing[0],)).fetchone()
        ):
            time.sleep(0.05)
        after = rows()
        added = after["scores"] - before["scores"]
        # All or nothing: no score of the call, or every one of them (the commit won the race).
        whole = whole and added in (0, len(competencies))
        mid_transaction += killed is not None and added == 0
        attempts.append(
            {
                "killed_worker": killed,
                "killed_after_the_transaction_wrote": killed is not None,
                "client_saw": answer,
                "rows_before": before,
                "rows_after": after,
            }
        )
    watcher.close()
    retry = Session(port, headers=headers)
    status, _ = retry.request("POST", f"/api/v1/evidence/{evidence}/scores", body=body)
    report(
        "web-kill",
        done=f"SIGKILL to the gunicorn worker serving a bulk scoring POST ({len(competencies)} scores, one "
        f"transaction) after its transaction wrote, {WEB_KILL_ATTEMPTS} times; then the same POST again",
        happened={
            "attempts": attempts,
            "killed_mid_transaction": mid_transaction,
            "next_post_status": status,
            "workers_after": sorted(web_workers(master)),
        },
        passed=whole and mid_transaction > 0 and status == 201,
    )


# 2. The database restarted under load -----------------------------------------------------------------------


def db_restart(cluster: Cluster, port: int, master: int, token: str) -> None:
    from django.db import connections

    students = [sign_in(port, "student") for _ in range(3)]
    api = Session(port, headers={"Authorization": f"Bearer {token}"})
    workers_before = web_workers(master)
    timeline: list[tuple[float, str, str]] = []  # (when it was answered, phase, outcome)
    phase = ["before"]
    lock = threading.Lock()
    stop_at = [time.monotonic() + 10 * 3600]
    retry_after_missing = [0]

    def client(session: Session, path: str) -> None:
        while time.monotonic() < stop_at[0]:
            try:
                session.connection.request("GET", path, headers=session_headers(session))
                response = session.connection.getresponse()
                response.read()
                outcome = str(response.status)
                if response.status == 503 and not response.getheader("Retry-After"):
                    retry_after_missing[0] += 1
            except (OSError, http.client.HTTPException) as error:
                session.connection.close()
                outcome = f"no answer ({type(error).__name__})"
            with lock:
                timeline.append((time.monotonic(), phase[0], outcome))
            if outcome != "200":
                time.sleep(0.1)

    threads = [threading.Thread(target=client, args=(s, "/")) for s in students]
    threads.append(threading.Thread(target=client, args=(api, "/api/v1/students")))
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(5)
    phase[0] = "down"
    stopped = time.monotonic()
    cluster.pg_ctl("stop", "-m", "fast")
    time.sleep(DOWN_SECONDS)
    cluster.pg_ctl("start")
    back = time.monotonic()
    # This process's own connection died with the server too; the next query here opens a new one.
    connections.close_all()
    phase[0] = "after"
    stop_at[0] = time.monotonic() + 10
    for thread in threads:
        thread.join()
    by_phase: dict[str, Counter[str]] = {}
    for _, name, outcome in timeline:
        by_phase.setdefault(name, Counter())[outcome] += 1
    first_ok = min(
        (at for at, name, outcome in timeline if name == "after" and outcome == "200"), default=None
    )
    outcomes = Counter(outcome for _, _, outcome in timeline)
    workers_after = web_workers(master)
    report(
        "db-restart",
        done=f"3 student-home clients and 1 API-list client; the bench cluster stopped (fast) "
        f"{round(stopped - began, 1)} s in, kept down {DOWN_SECONDS} s, started again; 10 s more",
        happened={
            "answers_by_phase": {name: dict(counter) for name, counter in by_phase.items()},
            "503_without_retry_after": retry_after_missing[0],
            "seconds_from_database_up_to_first_200": round(first_ok - back, 2) if first_ok else None,
            "web_workers_unchanged": workers_before == workers_after,
        },
        passed=outcomes.get("500", 0) == 0
        and by_phase.get("down", Counter()).get("503", 0) > 0
        and retry_after_missing[0] == 0
        and by_phase.get("after", Counter()).get("200", 0) > 0
        and workers_before == workers_after,
    )


def session_headers(session: Session) -> dict[str, str]:
    headers = dict(session.headers)
    if session.cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    return headers


# 3. The upload disk full ------------------------------------------------------------------------------------


def multipart(boundary: str, fields: dict[str, str], filename: str, content: bytes) -> bytes:
    """A multipart/form-data body: the fields, then one text file under `files`."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
    )
    return b"".join([*parts, content, f"\r\n--{boundary}--\r\n".encode()])


def disk_full(media: Path | str, port: int, student_token: str, student_id: int, competency_id: int) -> None:
    if isinstance(media, str):
        report("disk-full", done="nothing", happened={"not_run": media}, passed=None)
        return
    from waypoint.evidence.models import Artifact

    boundary = secrets.token_hex(8)
    statuses: list[int] = []
    refusal = ""
    for number in range(MAX_UPLOADS):
        content = (f"Upload {number}: my reflection on the town hall.\n" * (UPLOAD_BYTES // 40)).encode()
        fields = {
            "student_id": str(student_id),
            "title": f"Upload {number}",
            "competency_ids": str(competency_id),
        }
        body = multipart(boundary, fields, f"work{number}.txt", content)
        session = Session(port, headers={"Authorization": f"Bearer {student_token}"})
        status, answer = session.request(
            "POST",
            "/api/v1/evidence",
            body=body,
            **{"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        statuses.append(status)
        if status != 201:
            refusal = answer.decode(errors="replace")
            break
    rows = list(Artifact.objects.filter(evidence__student_id=student_id).exclude(file=""))
    stored = {str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()}
    damaged = [
        a.pk
        for a in rows
        if a.file.name in stored
        and hashlib.sha256((media / a.file.name).read_bytes()).hexdigest() != a.sha256
    ]
    on_this_disk = {a.file.name for a in rows if a.file.name.startswith("evidence/")}
    missing = sorted(on_this_disk - stored)
    orphans = sorted(stored - on_this_disk)
    report(
        "disk-full",
        done=f"{UPLOAD_BYTES // 1024} KiB uploads through POST /api/v1/evidence into a 2 MiB tmpfs, until "
        "one is refused",
        happened={
            "statuses": statuses,
            "refusal": refusal[:400],
            "artifact_rows": len(on_this_disk),
            "files": len(stored),
            "rows_without_their_file": missing,
            "files_without_their_row": orphans,
            "files_not_matching_their_checksum": damaged,
        },
        passed=bool(statuses)
        and statuses[-1] == 507
        and "storage for files is full" in refusal
        and not (missing or orphans or damaged),
    )


# 4. A worker killed in the middle of an import --------------------------------------------------------------


def worker_kill(database_url: str, environment: dict[str, str], var: Path) -> None:
    import psycopg

    # The district, its administrator and a queued import of a generated roster: the set-up of the tasks
    # engineer's own proof (tests/operations/test_worker_killed.py), run here against the bench cluster.
    made = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.operations.proof_roster", str(ROSTER_USERS), str(var)],
        env={**environment, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=False,
        capture_output=True,
    )
    if made.returncode != 0:
        report(
            "worker-kill",
            done="nothing: the import could not be set up",
            happened={"not_run": made.stderr.decode(errors="replace")[-1500:]},
            passed=None,
        )
        return
    ids = json.loads(made.stdout.decode().strip().splitlines()[-1])
    workers: list[subprocess.Popen[bytes]] = []
    with psycopg.connect(database_url, autocommit=True) as db:
        before = district_rows(db, ids["district"])

        def task_run() -> tuple[str, str]:
            row = db.execute(
                "SELECT status, message FROM operations_taskrun WHERE id = %s", [ids["task_run"]]
            )
            return row.fetchone() or ("missing", "")

        try:
            doomed = start_task_worker("doomed", environment, var, "--beat", "1")
            workers.append(doomed)
            writing = until(
                lambda: db.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_xid IS NOT NULL AND now() - xact_start > interval '1 second'"
                ).fetchone()
            )
            seen_running = task_run()
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(10)
            after_kill = district_rows(db, ids["district"])
            rescuer = start_task_worker("rescuer", environment, var, "--beat", "0.5", "--stale-after", "3")
            workers.append(rescuer)
            ended = until(lambda: task_run() if task_run()[0] != "running" else None)
            after = district_rows(db, ids["district"])
        finally:
            for worker in workers:
                stop(worker)
    report(
        "worker-kill",
        done=f"a roster import of {ROSTER_USERS} users; its `waypoint worker` sent SIGKILL once the import's "
        "transaction had been writing for a second; a second worker started to reap it",
        happened={
            "import_was_writing": writing is not None,
            "task_seen_before_the_kill": seen_running,
            "district_rows_before": sum(before.values()),
            "district_rows_after_the_kill": sum(after_kill.values()),
            "district_rows_at_the_end": sum(after.values()),
            "task_at_the_end": ended,
        },
        passed=writing is not None
        and after_kill == before == after
        and ended is not None
        and ended[0] in ("failed", "succeeded"),
    )


def start_task_worker(
    name: str, environment: dict[str, str], var: Path, *options: str
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [str(WAYPOINT), "worker", "--name", name, "--no-schedule", "--interval", "0.2", *options],
        env=environment,
        stdout=(var / f"worker-{name}.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def district_rows(db: Any, district_id: int) -> dict[str, int]:
    """Every table with a district column (the task bookkeeping aside): its rows of the district."""
    tables = db.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'district_id' AND table_name NOT LIKE 'operations_%' ORDER BY 1"
    ).fetchall()
    counts = {}
    for (table,) in tables:
        # Table names from the catalog, not from input.
        query = f'SELECT count(*) FROM "{table}" WHERE district_id = %s'  # noqa: S608
        (counts[table],) = db.execute(query, [district_id]).fetchone()
    return counts


def until(check: Callable[[], Any], seconds: float = 120) -> Any:
    """`check()` once it is truthy, polled every 0.1 s; None after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    return None


# Putting it together ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=5439, help="The bench cluster's port on 127.0.0.1.")
    parser.add_argument("--scale", type=float, default=0.1, help="The demo's scale.")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="Scenarios, comma-separated.")
    options = parser.parse_args()
    chosen = [name for name in options.only.split(",") if name]
    if unknown := set(chosen) - set(SCENARIOS):
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if os.geteuid() != 0:
        raise SystemExit("run as root: the bench creates its own PostgreSQL cluster and mounts a tmpfs")
    cluster = Cluster(options.port)
    server: subprocess.Popen[bytes] | None = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    try:
        cluster.pg_ctl("start")
        as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(options.port), "waypoint_failures")
        with tiny_upload_disk() as media:
            var = Path(tempfile.mkdtemp(prefix="waypoint-failures-"))
            environment = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "waypoint.settings",
                "WAYPOINT_VAR_DIR": str(var),
                "WAYPOINT_DEBUG": "0",
                "DATABASE_URL": cluster.url,
            }
            if isinstance(media, Path):
                environment["WAYPOINT_MEDIA_DIR"] = str(media)
            os.environ.update(environment)
            emit("failures_setup_migrate", **timed_process(["migrate", "--noinput"], 1))
            emit("failures_setup_demo", **timed_process(["demo", "--scale", str(options.scale)], 1))
            sys.path.insert(0, str(ROOT / "src"))
            import django

            django.setup()
            fixtures = build_sections([5])

            def token(username: str) -> str:
                return subprocess.run(  # noqa: S603
                    [str(WAYPOINT), "token", username, "--name", "failures bench"],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.strip()

            production = production_environment(environment)
            server, port = start_gunicorn(production, var / "gunicorn.log")
            master = server.pid
            emit("failures_server", port=port, log=str(var / "gunicorn.log"), cluster=cluster.url)
            teacher_token = token("teacher")
            runs: dict[str, Callable[[], None]] = {
                "web-kill": lambda: web_kill(cluster.url, port, master, teacher_token, fixtures),
                "db-restart": lambda: db_restart(cluster, port, master, teacher_token),
                "disk-full": lambda: disk_full(
                    media, port, token("student"), fixtures.jordan, fixtures.competencies[0]
                ),
                # Its own upload folder: the roster's upload must not meet the disk-full scenario's full one.
                "worker-kill": lambda: worker_kill(
                    cluster.url, {**production, "WAYPOINT_MEDIA_DIR": str(var / "media")}, var
                ),
            }
            for name in chosen:
                runs[name]()
    finally:
        stop(server)
        cluster.remove()


if __name__ == "__main__":
    main()

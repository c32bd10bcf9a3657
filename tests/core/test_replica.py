"""The read replica's routing (`waypoint.core.db_router`): read-only requests read the replica, writes and a
person's own recent writes the primary, and a replica that is down costs a warning, never an error page.

The fast tests drive the middleware with a `replica` alias on the test database itself and read where each
query *would* go (`QuerySet.db`), on both engines. The one proof (`once`, PostgreSQL only) starts a real
streaming replica of the test cluster with `pg_basebackup` on another port of 127.0.0.1 and serves real pages
against it."""

from __future__ import annotations

import json
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection, connections, router, transaction
from django.db.utils import load_backend
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from waypoint.core.db_router import (
    PIN_COOKIE,
    PIN_SALT,
    PRIMARY,
    REPLICA,
    ReplicaReadsMiddleware,
    replica_health,
)
from waypoint.core.models import Organization, Student, User

ROUTER_LOGGER = "waypoint.core.db_router"


@pytest.fixture
def replica(db: None, settings: Any) -> Iterator[None]:
    """A replica configured, read through a `replica` connection to the test database itself, with no
    remembered replica failure before or after.

    The connection is handed to Django's connection handler directly rather than added to its settings:
    Django's test case refuses connections to a configured alias a test did not declare, and opens a
    transaction on every alias it declares, while a replica is read outside any transaction, as in
    production, and is moved and stopped while a test runs."""
    settings.WAYPOINT_REPLICA_URL = "the test database, read through a second connection"
    _connect_replica()
    replica_health.retry_at = 0.0
    try:
        yield
    finally:
        _drop_replica_connection()
        replica_health.retry_at = 0.0


def _connect_replica(**overrides: Any) -> None:
    """The `replica` alias on the primary's settings, changed by `overrides` (another port, a file that
    cannot open), with health checks as settings.py gives it."""
    settings_dict = {**connections[PRIMARY].settings_dict, "CONN_HEALTH_CHECKS": True, **overrides}
    connections[REPLICA] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, REPLICA)


def _drop_replica_connection() -> None:
    connections[REPLICA].close()
    del connections[REPLICA]


@contextmanager
def replica_at(**overrides: Any) -> Iterator[None]:
    """The replica moved while the block runs (see `_connect_replica`)."""
    _drop_replica_connection()
    _connect_replica(**overrides)
    try:
        yield
    finally:
        _drop_replica_connection()
        _connect_replica()


def where_reads_go(
    request: HttpRequest, during: Callable[[], None] | None = None
) -> tuple[dict[str, str], HttpResponse]:
    """Serve `request` through the middleware with a view that notes where a student read and a session read
    would go, after running `during` (a write, an atomic block) when given."""
    seen: dict[str, str] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["student"] = Student.objects.all().db
        seen["session"] = Session.objects.all().db
        if during is not None:
            during()
            seen["after"] = Student.objects.all().db
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(view)(request)
    return seen, response


def pin_of(response: HttpResponse) -> str | None:
    morsel = response.cookies.get(PIN_COOKIE)
    return morsel.value if morsel is not None else None


def test_without_a_replica_every_request_reads_the_primary_and_nobody_is_pinned(
    rf: RequestFactory, settings: Any
) -> None:
    settings.WAYPOINT_REPLICA_URL = ""
    seen, response = where_reads_go(rf.get("/"))
    assert seen == {"student": PRIMARY, "session": PRIMARY}
    assert pin_of(response) is None
    assert pin_of(where_reads_go(rf.post("/"))[1]) is None


def test_router_keeps_migrations_off_the_replica_and_allows_relations_between_both() -> None:
    assert router.allow_migrate(REPLICA, "core", model_name="student") is False
    assert router.allow_migrate(PRIMARY, "core", model_name="student") is True
    from_replica, from_primary = Organization(name="a"), Organization(name="b")
    from_replica._state.db, from_primary._state.db = REPLICA, PRIMARY
    assert router.allow_relation(from_replica, from_primary) is True


@pytest.mark.usefixtures("replica")
def test_outside_a_request_everything_is_the_primary() -> None:
    assert Student.objects.all().db == PRIMARY
    assert router.db_for_write(Student) == PRIMARY


@pytest.mark.usefixtures("replica")
def test_a_get_reads_the_replica_but_the_session_and_atomic_blocks_read_the_primary(
    rf: RequestFactory,
) -> None:
    inside: list[str] = []

    def atomic_block() -> None:
        with transaction.atomic():
            inside.append(Student.objects.all().db)
        # Building an object writes nothing, though Django asks the router's `db_for_write` for it.
        Student(district=Organization(name="unsaved"))

    seen, response = where_reads_go(rf.get("/"), during=atomic_block)
    assert seen == {"student": REPLICA, "session": PRIMARY, "after": REPLICA}
    assert inside == [PRIMARY]
    assert pin_of(response) is None
    # `select_for_update` is routed as a write, to the primary.
    assert Student.objects.select_for_update().db == PRIMARY


@pytest.mark.usefixtures("replica")
def test_a_get_that_writes_reads_the_primary_afterwards_and_pins_the_person(rf: RequestFactory) -> None:
    def write() -> None:
        Organization.objects.filter(pk=-1).update(name="nothing")

    seen, response = where_reads_go(rf.get("/"), during=write)
    assert seen == {"student": REPLICA, "session": PRIMARY, "after": PRIMARY}
    assert pin_of(response)


@pytest.mark.usefixtures("replica")
def test_a_post_reads_the_primary_and_pins_the_next_gets_until_the_pin_expires(
    rf: RequestFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen, response = where_reads_go(rf.post("/"))
    pin = pin_of(response)
    assert seen == {"student": PRIMARY, "session": PRIMARY}
    assert pin
    assert response.cookies[PIN_COOKIE]["max-age"] == django_settings.WAYPOINT_REPLICA_PIN_SECONDS
    assert response.cookies[PIN_COOKIE]["httponly"]

    pinned = rf.get("/")
    pinned.COOKIES[PIN_COOKIE] = pin
    assert where_reads_go(pinned)[0]["student"] == PRIMARY

    forged = rf.get("/")
    forged.COOKIES[PIN_COOKIE] = pin[:-2] + "xx"
    assert where_reads_go(forged)[0]["student"] == REPLICA

    # A pin signed longer ago than a pin lasts no longer counts, whatever the browser kept.
    signed_at = time.time() - django_settings.WAYPOINT_REPLICA_PIN_SECONDS - 5
    monkeypatch.setattr(signing, "time", type("Clock", (), {"time": staticmethod(lambda: signed_at)}))
    stale_pin = signing.get_cookie_signer(salt=PIN_COOKIE + PIN_SALT).sign("1")
    monkeypatch.undo()
    stale = rf.get("/")
    stale.COOKIES[PIN_COOKIE] = stale_pin
    assert where_reads_go(stale)[0]["student"] == REPLICA


def _unreachable() -> dict[str, Any]:
    """Settings of a replica that refuses connections: a closed port on PostgreSQL, a folder that does not
    exist on SQLite."""
    if connection.vendor == "postgresql":
        return {"HOST": "127.0.0.1", "PORT": str(_free_port())}
    return {"NAME": "/nonexistent/waypoint-replica/db.sqlite3"}


@pytest.mark.usefixtures("replica")
def test_a_replica_that_is_down_sends_reads_to_the_primary_logs_once_and_waits(
    rf: RequestFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with replica_at(**_unreachable()), caplog.at_level(logging.WARNING, logger=ROUTER_LOGGER):
        first, response = where_reads_go(rf.get("/"))
        second, _ = where_reads_go(rf.get("/"))
        assert replica_health.retry_at > time.monotonic()
    assert first == second == {"student": PRIMARY, "session": PRIMARY}
    assert response.status_code == 200
    assert pin_of(response) is None
    # The second request did not try again: one warning, with the database's error for IT staff.
    warnings = [record for record in caplog.records if record.name == ROUTER_LOGGER]
    assert len(warnings) == 1
    assert warnings[0].exc_info is not None


def _settings_of(env: dict[str, str]) -> dict[str, Any]:
    """The settings module's databases, routers and middleware under `env`, read in a fresh process."""
    program = (
        "import importlib, json, os; "
        "s = importlib.import_module(os.environ['DJANGO_SETTINGS_MODULE']); "
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS, "
        "'middleware': s.MIDDLEWARE, 'replica_url': s.WAYPOINT_REPLICA_URL}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WAYPOINT_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", program],
        env={**clean, "DJANGO_SETTINGS_MODULE": django_settings.SETTINGS_MODULE, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_settings_add_the_replica_only_when_configured_and_mirror_it_in_tests(tmp_path: Path) -> None:
    primary = {
        "DATABASE_URL": "postgres://waypoint@db.example.org:5432/waypoint",
        "WAYPOINT_VAR_DIR": str(tmp_path),
    }
    without = _settings_of(primary)
    with_replica = _settings_of(
        {**primary, "WAYPOINT_REPLICA_URL": "postgres://reader@replica.example.org/waypoint"}
    )

    assert set(without["databases"]) == {PRIMARY}
    assert without["replica_url"] == ""
    replica = with_replica["databases"][REPLICA]
    assert (replica["HOST"], replica["NAME"], replica["TEST"]) == (
        "replica.example.org",
        "waypoint",
        {"MIRROR": PRIMARY},
    )
    assert replica["CONN_HEALTH_CHECKS"] is True
    for built in (without, with_replica):
        assert built["routers"] == ["waypoint.core.db_router.ReplicaRouter"]
        middleware = built["middleware"]
        # Below the audit batch (its insert is no one's write), above the session (the first read).
        assert (
            middleware.index("waypoint.core.middleware.AuditBatchMiddleware")
            < middleware.index("waypoint.core.db_router.ReplicaReadsMiddleware")
            < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
        )


# The real replica ---------------------------------------------------------------------------------------

# A base backup copies the whole cluster, every engineer's and every worker's test database with it: past
# this size the proof would take minutes rather than seconds.
LARGEST_CLUSTER = 1024**3
# Settings a hot standby must have at least as high as its primary, or it refuses to start.
STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
HBA_FIX = "host replication all 127.0.0.1/32 trust"
RUN_TIMEOUT = 120


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, which sets WAYPOINT_REQUIRE_REPLICA=1."""
    if os.environ.get("WAYPOINT_REQUIRE_REPLICA") == "1":
        pytest.fail(f"{reason} (WAYPOINT_REQUIRE_REPLICA=1 makes this a failure)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pg_program(name: str) -> str:
    """A PostgreSQL program of the server's own major version (Debian keeps one folder per version)."""
    major = connection.pg_version // 10000  # type: ignore[attr-defined]
    versioned = Path(f"/usr/lib/postgresql/{major}/bin") / name
    found = str(versioned) if versioned.exists() else shutil.which(name)
    if found is None:
        _unavailable(f"{name} is not installed")
    return str(found)


def _as_server_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run as the `postgres` account; otherwise as oneself."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], what: str) -> None:
    """Run a PostgreSQL program; past the timeout, end it with everything it started (`runuser` does not pass
    its own end on to the program it runs)."""
    process = subprocess.Popen(
        _as_server_owner(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{what} did not finish within {RUN_TIMEOUT} s")
    if process.returncode != 0:
        hint = f" The primary must accept replication connections: add `{HBA_FIX}` to pg_hba.conf and reload."
        pytest.fail(f"{what} failed: {stderr.strip()}" + (hint if "pg_hba.conf" in stderr else ""))


def _primary_facts() -> tuple[int, dict[str, str]]:
    """The cluster's size in bytes, and the primary's values of the settings a standby must match."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(pg_database_size(oid)) FROM pg_database")
        (size,) = cursor.fetchone()
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(STANDBY_MINIMUMS)])
        return int(size), dict(cursor.fetchall())


@dataclass(frozen=True)
class StreamingReplica:
    port: int
    data: Path
    pg_ctl: str

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_owner([self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"]),
                capture_output=True,
                timeout=30,
                check=False,
            )


def _standby_configuration(
    replica: StreamingReplica, socket_folder: Path, minimums: dict[str, str]
) -> dict[str, str]:
    """The configuration files of the copy: Debian keeps the primary's outside its data folder, so the base
    backup brings none."""
    settings_lines = [
        "listen_addresses = '127.0.0.1'",
        f"port = {replica.port}",
        f"unix_socket_directories = '{socket_folder}'",
        # No crash safety for a copy deleted at the end; it also spares the start a sync of every file.
        "fsync = off",
        *(f"{name} = {value}" for name, value in minimums.items()),
    ]
    return {
        "postgresql.conf": "\n".join(settings_lines) + "\n",
        "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        "pg_ident.conf": "",
    }


@pytest.fixture
def streaming_replica(db: None) -> Iterator[StreamingReplica]:
    """A hot standby of the test cluster, streaming from it on a free port of 127.0.0.1; stopped and deleted
    at the end, whatever happened."""
    primary = connections[PRIMARY].settings_dict
    if primary["HOST"] not in {"127.0.0.1", "localhost"}:
        _unavailable(f"the test database is not on this machine (HOST={primary['HOST']!r})")
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root, and there is no `postgres` account to run the replica as")
    size, minimums = _primary_facts()
    if size > LARGEST_CLUSTER:
        _unavailable(f"the cluster holds {size / 1024**3:.1f} GiB: a base backup of it would take minutes")
    pg_basebackup, pg_ctl = _pg_program("pg_basebackup"), _pg_program("pg_ctl")

    folder = Path(tempfile.mkdtemp(prefix="waypoint-replica-"))
    replica = StreamingReplica(port=_free_port(), data=folder / "data", pg_ctl=pg_ctl)
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    try:
        # A fast checkpoint and no fsync: a throwaway copy, wanted in seconds.
        _run(
            [
                *(pg_basebackup, "-h", primary["HOST"], "-p", str(primary["PORT"] or 5432)),
                *("-U", primary["USER"], "-D", str(replica.data)),
                *("--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast", "--no-sync"),
            ],
            "pg_basebackup",
        )
        for name, text in _standby_configuration(replica, folder, minimums).items():
            (replica.data / name).write_text(text)
            if owner is not None:
                os.chown(replica.data / name, owner.pw_uid, owner.pw_gid)
        _run(
            [pg_ctl, "-D", str(replica.data), "-l", str(folder / "log"), "-w", "-t", "30", "start"],
            "starting the replica",
        )
        yield replica
    finally:
        replica.stop(mode="immediate")
        shutil.rmtree(folder, ignore_errors=True)


def _psycopg(port: int) -> psycopg.Connection[Any]:
    primary = connections[PRIMARY].settings_dict
    return psycopg.connect(
        host="127.0.0.1",
        port=port,
        user=primary["USER"],
        password=primary["PASSWORD"] or None,
        dbname=primary["NAME"],
        autocommit=True,
    )


def _assert_streams(replica_port: int) -> None:
    """A row committed on the primary after the base backup appears on the replica. Its table is dropped
    at the end, so nothing stays in the session's demo."""
    written = uuid.uuid4().hex
    primary_port = int(connections[PRIMARY].settings_dict["PORT"] or 5432)
    with _psycopg(primary_port) as primary, _psycopg(replica_port) as replica:
        primary.execute("CREATE TABLE waypoint_replica_probe (written text)")
        try:
            primary.execute("INSERT INTO waypoint_replica_probe VALUES (%s)", [written])
            deadline, seen = time.monotonic() + 10, None
            while seen is None and time.monotonic() < deadline:
                try:
                    seen = replica.execute("SELECT written FROM waypoint_replica_probe").fetchone()
                except psycopg.errors.UndefinedTable:
                    time.sleep(0.05)
            assert seen == (written,)
            assert replica.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        finally:
            primary.execute("DROP TABLE waypoint_replica_probe")


@contextmanager
def queries_by_alias() -> Iterator[dict[str, list[str]]]:
    """The SQL each alias runs inside the block."""
    seen: dict[str, list[str]] = {PRIMARY: [], REPLICA: []}

    def recorder(alias: str) -> Callable[..., Any]:
        def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            seen[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with (
        connections[PRIMARY].execute_wrapper(recorder(PRIMARY)),
        connections[REPLICA].execute_wrapper(recorder(REPLICA)),
    ):
        yield seen


def _home_language(client: Client) -> tuple[str, dict[str, list[str]]]:
    """The language the home page is served in, and the SQL each alias ran for it."""
    with queries_by_alias() as seen:
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0], seen


def _table_reads(statements: list[str]) -> list[str]:
    """The statements that read a table (a row-security scope's `SELECT set_config(...)` reads none)."""
    return [
        sql for sql in statements if sql.lstrip().upper().startswith("SELECT") and " FROM " in sql.upper()
    ]


@pytest.mark.once
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica needs PostgreSQL")
@pytest.mark.usefixtures("replica")
def test_a_real_streaming_replica_serves_read_only_requests(
    streaming_replica: StreamingReplica, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    _assert_streams(streaming_replica.port)
    client.force_login(User.objects.get(username="student"))
    with replica_at(HOST="127.0.0.1", PORT=str(streaming_replica.port)):
        # A GET reads the page from the replica; the primary serves only the session (and stores the audit).
        language, seen = _home_language(client)
        assert language == "en"
        assert any('"core_student"' in sql for sql in seen[REPLICA])
        assert [sql for sql in _table_reads(seen[PRIMARY]) if '"django_session"' not in sql] == []

        # A POST reads and writes the primary only, and pins the person to it.
        with queries_by_alias() as seen:
            response = client.post("/account/language/", {"language": "es"})
        assert response.status_code == 302
        assert seen[REPLICA] == []
        assert PIN_COOKIE in response.cookies
        # From here the language can come only from the account, wherever it is read (not from the cookie
        # that keeps the sign-in page in the same language).
        del client.cookies[django_settings.LANGUAGE_COOKIE_NAME]

        # Right after, the person reads their own write: from the primary, in the language just saved.
        language, seen = _home_language(client)
        assert (language, seen[REPLICA]) == ("es", [])

        # Without the pin the page is read from the replica, which never receives that write (this test's
        # transaction is never committed): the reads really came from the replica. The API's GETs too.
        del client.cookies[PIN_COOKIE]
        language, seen = _home_language(client)
        assert language == "en"
        assert seen[REPLICA]
        with queries_by_alias() as seen:
            assert client.get("/api/v1/notifications").status_code == 200
        assert any('"notifications_' in sql for sql in _table_reads(seen[REPLICA]))

        # The replica stops: the next page comes from the primary (in Spanish again), with one warning.
        streaming_replica.stop()
        with caplog.at_level(logging.WARNING, logger=ROUTER_LOGGER):
            language, seen = _home_language(client)
        assert (language, seen[REPLICA]) == ("es", [])
        assert [record.name for record in caplog.records if record.levelno >= logging.WARNING] == [
            ROUTER_LOGGER
        ]

"""Each role's home page on the full demo: what a person waits for when they sign in. One JSON object per
figure: in process (Django's test client: middleware, policy, queries, template) and over HTTP from a server
in this process (a new connection per request, WSGI and the same page), side by side; and the demo load
itself as the `waypoint demo` process a person runs, then run again when nothing is left to change (start-up
and checks alone). bench/load.py serves the pages from gunicorn to concurrent clients.

    python bench/homes.py [--database-url postgres://postgres@127.0.0.1:5432/waypoint_bench] [--runs 30]

The default database is a fresh SQLite file; a PostgreSQL URL must name a database that may be dropped.
"""

from __future__ import annotations

import argparse
import os
import threading
import urllib.request

from _benchkit import emit, start_django, timed, timed_process

ROLES = [
    "student",
    "guardian",
    "teacher",
    "advisor",
    "mentor",
    "school-admin",
    "district-admin",
    "state-analyst",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0)
    options = parser.parse_args()
    start_django(options.database_url)
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from waypoint.core.models import User

    call_command("migrate", verbosity=0)
    for what in ("a fresh load", "again, nothing to change"):
        emit(
            "demo_load_whole_process",
            what=f"`waypoint demo` as a process, {what}",
            database=connection.vendor,
            scale=options.scale,
            **timed_process(["demo", "--scale", str(options.scale)], 1),
        )

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """No access log on stdout: it carries the JSON figures."""

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_port}/"

    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        with CaptureQueriesContext(connection) as captured:
            status = client.get("/").status_code
        if status != 200:
            raise SystemExit(f"{username}'s home answered {status}")

        def in_process(client: Client = client) -> None:
            client.get("/")

        cookie = f"sessionid={client.cookies['sessionid'].value}"

        def over_http(cookie: str = cookie) -> None:
            request = urllib.request.Request(address, headers={"Cookie": cookie})
            with urllib.request.urlopen(request) as response:  # noqa: S310 (a fixed local address)
                response.read()

        emit(
            "home_page",
            what="GET / signed in: in process through the test client, and over HTTP",
            database=connection.vendor,
            role=username,
            queries=len(captured.captured_queries),
            in_process=timed(in_process, options.runs),
            over_http=timed(over_http, options.runs),
        )
    server.shutdown()


if __name__ == "__main__":
    main()

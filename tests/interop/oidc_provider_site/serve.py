"""Starts the test provider: `python -m tests.interop.oidc_provider_site.serve` from the checkout, with
`OIDC_KIT_DATABASE`, `OIDC_KIT_TOKEN` and `OIDC_KIT_CLIENTS` (JSON: client id → secret) set. It creates its
database, signing key and client registrations, binds a free port on 127.0.0.1 and prints one JSON line
`{"port": N}` once it answers, then serves until it is terminated."""

from __future__ import annotations

import json
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The tests read the provider's answers, not its access log."""


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.interop.oidc_provider_site.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.core.wsgi import get_wsgi_application
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey", stdout=open(os.devnull, "w"))  # noqa: SIM115 (closed with the process)
    code = ResponseType.objects.get(value="code")
    for client_id, secret in json.loads(os.environ["OIDC_KIT_CLIENTS"]).items():
        client = Client.objects.create(
            name=client_id,
            client_type="confidential",
            client_id=client_id,
            client_secret=secret,
            require_consent=False,
            reuse_consent=True,
            _redirect_uris="http://testserver/login/provider/callback/",
        )
        client.response_types.add(code)

    server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler)
    server.set_app(get_wsgi_application())
    sys.stdout.write(json.dumps({"port": server.server_address[1]}) + "\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()

"""Authorization-matrix rows of signing in through a district's identity provider.

The sign-in routes are for everyone, signed in or not: the demo districts have no provider, so starting one
is 404 for all (as for a district that does not exist), and a callback that carries no pending sign-in is
refused as a bad request (400). The sign-in settings, page and API, are the district administrator's, for
the district they act for (403 for everyone else); the rows save a disabled provider, which needs no
network."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import Row, everyone, same_for_both
from waypoint.core.models import Organization, User

ADMIN = {"district-admin"}
# A disabled provider: saved without reading any discovery document.
SETTINGS: dict[str, object] = {
    "display_name": "Matrix provider",
    "issuer": "https://idp.matrix.invalid",
    "client_id": "matrix",
    "client_secret": "matrix-secret",
    "match_claim": "email",
    "match_field": "email",
}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    "login/provider/": everyone(404, anonymous=404),
    "login/provider/callback/": everyone(400, anonymous=400),
    "login/provider/<slug:district>/": everyone(404, anonymous=404),
    "district/sign-in/": (
        same_for_both(ADMIN, 403),
        same_for_both(ADMIN, 403, ok=302, method="post", multipart=True, payload=SETTINGS),
    ),
    "api/v1/interop/sign-in": (
        same_for_both(ADMIN, 403, anonymous=401),
        same_for_both(ADMIN, 403, anonymous=401, method="put", payload={**SETTINGS, "enabled": False}),
    ),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """Nothing: the rows name no object."""
    return {}

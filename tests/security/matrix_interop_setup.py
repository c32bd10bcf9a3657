"""Authorization-matrix rows of a district's first run and its roster export, pages and API.

Both belong to the district's administrators, for the district they act for (no id in the address, so the
own and other targets are the same request): everyone else signed in is refused (403), signed out is sent
to sign in (pages) or answered 401 (API). The export's POST and the API answer the zip itself."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import Row, same_for_both
from waypoint.core.models import Organization, User

ADMIN = {"district-admin"}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    "setup/": same_for_both(ADMIN, 403),
    "rosters/export/": (same_for_both(ADMIN, 403), same_for_both(ADMIN, 403, method="post")),
    "api/v1/interop/rosters/export": same_for_both(ADMIN, 403, anonymous=401),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """No object: the routes act on the district the person acts for."""
    return {}

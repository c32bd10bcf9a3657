"""Authorization-matrix rows of export safety's pages: the district's export log (page and CSV) and the
"confirm it's you" step.

The export log belongs to the district's administrators, for the district they act for (no id in the
address, so the own and other targets are the same request); everyone else signed in is refused (403).
Anyone signed in may confirm who they are: the page opens, and a POST without a password shows the form
again (200) without trying a password, so the matrix never counts towards a lockout."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import Row, everyone, same_for_both
from waypoint.core.models import Organization, User

ADMIN = {"district-admin"}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    "audit/exports/": same_for_both(ADMIN, 403),
    "audit/exports.csv": same_for_both(ADMIN, 403),
    "account/confirm/": (everyone(), everyone(method="post", multipart=True, payload={})),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """No object: the log is the acting district's, the confirmation the person's own."""
    return {}

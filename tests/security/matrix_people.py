"""Authorization matrix rows of the people pages that belong to no other module: choosing the district one
acts for. Anyone signed in opens the page; a POST is accepted only for a district the person works, studies
or has a child in (a redirect home), and refused with the reason otherwise (403)."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import OTHER, OWN, SIGNED_IN, Row, everyone
from waypoint.core.models import Organization, User

# Who may act for Riverside: everyone with a role, a record or a child there; for Hillcrest, other-teacher.
ACTS_FOR = {OWN: set(SIGNED_IN) - {"state-analyst", "other-teacher"}, OTHER: {"other-teacher"}}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    return {"district": district}


ROWS: dict[str, Row | tuple[Row, ...]] = {
    "account/district/": (
        everyone(),
        Row(
            allowed=ACTS_FOR,
            refused={OWN: 403, OTHER: 403},
            ok=302,
            method="post",
            multipart=True,
            payload={"district": "<int:district_id>"},
        ),
    ),
}

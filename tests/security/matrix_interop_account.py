"""Authorization-matrix rows of a person's own account: the password reset and two-step sign-in.

The password reset pages are public (a person who forgot their password is signed out): everyone, signed in
or not, gets them; a link that is not valid (the row's) opens the "this link does not work" page. Two-step
sign-in is for staff (the policy's `MANAGE_OWN_MFA`): students, guardians and mentors are refused (403);
starting a set-up redirects back to the page. The code page has nothing to ask of anyone in the matrix (no
one has a confirmed app), so it sends everyone on (302); signed out, to the sign-in page."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import Row, everyone, same_for_both
from waypoint.core.models import Organization, User

STAFF = {
    "teacher",
    "teacher-uncertified",
    "advisor",
    "school-admin",
    "district-admin",
    "state-analyst",
    "other-teacher",
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    # A link of the right shape whose token is not one Waypoint made.
    return {"uidb64": "MQ", "token": "matrix-not-a-token"}  # type: ignore[dict-item]


ROWS: dict[str, Row | tuple[Row, ...]] = {
    "password-reset/": everyone(anonymous=200),
    "password-reset/sent/": everyone(anonymous=200),
    "password-reset/done/": everyone(anonymous=200),
    "password-reset/<str:uidb64>/<str:token>/": everyone(anonymous=200),
    "account/two-step/": (
        same_for_both(STAFF, 403),
        same_for_both(STAFF, 403, ok=302, method="post", multipart=True, payload={"do": "start"}),
    ),
    "account/two-step/verify/": everyone(302),
}

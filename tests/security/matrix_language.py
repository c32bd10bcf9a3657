"""Authorization matrix rows of choosing a language. Anyone signed in opens the language page and saves a
choice for their own account (a redirect home); signed out, the page sends to sign-in. The sign-in page's
switch (Django's `set_language`) is open to everyone: it only sets the language cookie and redirects."""

from __future__ import annotations

from django.db.models import Model

from tests.security.matrix_kit import Row, everyone
from waypoint.core.models import Organization, User


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    return {}


ROWS: dict[str, Row | tuple[Row, ...]] = {
    "account/language/": (
        everyone(),
        everyone(302, method="post", multipart=True, payload={"language": "es"}),
    ),
    "i18n/setlang/": everyone(302, anonymous=302, method="post", multipart=True, payload={"language": "es"}),
}

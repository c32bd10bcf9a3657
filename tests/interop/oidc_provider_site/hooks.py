"""What the test provider puts in its tokens. Two client registrations misbehave on purpose, so that the
tests can see Waypoint refuse what a broken or hostile provider would send: `<id>-expired` issues ID tokens
that expired an hour ago, `<id>-wrong-audience` issues them to another application."""

from __future__ import annotations

import time
from typing import Any

EXPIRED_SUFFIX = "-expired"
WRONG_AUDIENCE_SUFFIX = "-wrong-audience"


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    claims["email"] = user.email
    claims["email_verified"] = True
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = f"{user.first_name} {user.last_name}".strip()
    claims["preferred_username"] = user.username
    return claims


def id_token(payload: dict[str, Any], *, token: Any, **kwargs: Any) -> dict[str, Any]:
    client_id: str = token.client.client_id
    if client_id.endswith(EXPIRED_SUFFIX):
        now = int(time.time())
        payload["iat"] = now - 2 * 3600
        payload["exp"] = now - 3600
    if client_id.endswith(WRONG_AUDIENCE_SUFFIX):
        payload["aud"] = "another-application"
    return payload

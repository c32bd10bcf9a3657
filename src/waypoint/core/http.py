"""What every app's HTML views share: the signed-in user and the page number. Refusals need no helper:
views raise them and `RefusalMiddleware` answers them. Pure Django and `waypoint.core` only."""

from __future__ import annotations

from django.http import HttpRequest

from waypoint.core.models import User


def user_of(request: HttpRequest) -> User:
    """The signed-in user of a view behind `login_required`."""
    assert isinstance(request.user, User)  # noqa: S101  (login_required guarantees a signed-in User)
    return request.user


def page_number(request: HttpRequest) -> int:
    """The `page` query parameter as a page number (1 when it is missing or not a positive number)."""
    raw = request.GET.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1

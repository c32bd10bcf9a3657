"""Placeholder until its owner writes it."""

from typing import Any


def home_panels(request: Any, user: Any) -> list[Any]:
    return []

"""What each app offers the site, declared on its AppConfig as dotted paths, so `site` imports every app
and no app imports `site`:

- `demo_loader`: `(world: DemoWorld) -> dict[str, int]`, adds the app's part of the demo and returns counts;
- `navigation`: `(request, user) -> list[NavLink]`, the links the app shows this user in the page shell;
- `home`: `(request, user) -> list[HomePanel]`, the app's panels on the user's home page
  (`waypoint.core.home`).

Apps are visited in INSTALLED_APPS order, which is the order of the layers."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@cache
def contributions(kind: str) -> tuple[Callable[..., Any], ...]:
    """The functions that apps declare for `kind` ("demo_loader", "navigation" or "home")."""
    found = []
    for config in apps.get_app_configs():
        path = getattr(config, kind, None)
        if path:
            found.append(import_string(path))
    return tuple(found)

"""The interop demo: nothing yet."""

from __future__ import annotations


def load_demo() -> None:
    """Nothing to load yet."""

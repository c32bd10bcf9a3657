"""The notifications tests run on the session's demo (an evidence scene in Riverside,
tests/evidence/conftest.py) and, for paths, in the small world of the pathways tests
(tests/pathways/conftest.py)."""

from __future__ import annotations

import pytest

from tests.evidence.conftest import scene
from tests.pathways.conftest import world
from waypoint.notifications import registry
from waypoint.notifications.registry import EventKind, Reading, Rendered

__all__ = ["language_kind", "scene", "world"]


def _language_text(params: object, reading: Reading) -> Rendered:
    from django.utils import translation

    return Rendered(subject=f"language={translation.get_language()}", body=reading.student_name)


@pytest.fixture
def language_kind(monkeypatch: pytest.MonkeyPatch) -> EventKind:
    """A kind whose subject is the language it was rendered in, registered for one test only."""
    kind = EventKind(code="tests.language", label="Language", description="", render=_language_text)
    monkeypatch.setitem(registry._KINDS, kind.code, kind)
    return kind

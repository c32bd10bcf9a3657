"""The message after scoring is one translatable sentence per outcome, chosen by the number scored: a
translation sees the whole of it, never a count glued to a separately translated clause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages

from tests.evidence.conftest import Scene
from tests.evidence.test_pages import client_for, rubric_choices, submit
from waypoint.mastery import views


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def marked_ngettext(singular: str, plural: str, number: int) -> str:
    """A stand-in catalog that marks what it translated, so the test sees which text went through it whole."""
    return f"«{singular if number == 1 else plural}»"


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("teacher", "«Scored %(count)d competencies. It counts toward the mastery level.»"),
        (
            "teacher-uncertified",
            "«Scored %(count)d competencies. It is recorded as feedback and does not change the "
            "mastery level.»",
        ),
    ],
)
def test_the_scoring_message_is_one_plural_sentence(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, username: str, expected: str
) -> None:
    monkeypatch.setattr(views, "ngettext", marked_ngettext)
    evidence = submit(scene)
    choices = rubric_choices(evidence, "3")
    competencies = len({name.split("-")[0] for name in choices})
    assert competencies > 1
    response = client_for(scene, username).post(f"/evidence/{evidence.pk}/score/", choices)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [expected % {"count": competencies}]

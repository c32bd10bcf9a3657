"""The student's mastery page speaks to its reader: "your" to the student, the student's name (third person)
to a guardian, a teacher or other staff; its chart's data carries real, ordered moments for a time axis."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import Demo
from waypoint.mastery import wording
from waypoint.mastery.calc import Method, MethodSpec
from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.mastery.selectors import explanation

pytestmark = pytest.mark.django_db


def _page(demo: Demo, username: str) -> str:
    client = Client()
    client.force_login(demo.users[username])
    response = client.get(f"/students/{demo.student.pk}/mastery/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _first_name(demo: Demo) -> str:
    return demo.student.preferred_name or demo.student.first_name


def _levels(demo: Demo) -> list[MasteryLevel]:
    levels = list(MasteryLevel.objects.filter(student=demo.student).exclude(score_ids=[]))
    assert levels, "the demo gives the student levels"
    return levels


def test_the_student_reads_about_their_own_levels(demo: Demo) -> None:
    page = _page(demo, "student")
    assert "My progress" in page
    assert "Your level" in page or "You reach" in page
    assert f"{_first_name(demo)}’s level" not in page
    for level in _levels(demo)[:5]:
        assert explanation(level.method, level.parameters, len(level.score_ids)) in page


@pytest.mark.parametrize("reader", ["guardian", "teacher", "district-admin"])
def test_guardians_and_staff_read_about_the_student_by_name(demo: Demo, reader: str) -> None:
    page = _page(demo, reader)
    name = _first_name(demo)
    assert "Your level" not in page
    assert "scores your work" not in page
    assert "My progress" not in page
    assert f"{demo.student.full_name}’s progress" in page
    assert f"Each of {name}’s levels" in page
    voice = wording.about(name)
    for level in _levels(demo)[:5]:
        sentence = explanation(level.method, level.parameters, len(level.score_ids), voice)
        assert sentence in page
        assert (
            sentence.startswith(name) or sentence.startswith("There is no level") or "No scores" in sentence
        )


def test_the_sentences_have_both_voices_for_every_method() -> None:
    for method in Method:
        spec = MethodSpec(method)
        for count in (1, 2, 5):
            own = wording.method_sentence(spec, count, wording.YOURS)
            named = wording.method_sentence(spec, count, wording.about("Jordan"))
            assert "Jordan" not in own
            if own.startswith("Your") or " you " in own:
                assert "Jordan" in named
                assert "your" not in named.lower()
    assert wording.method_sentence(MethodSpec(Method.HIGHEST), 4, wording.about_any_student()) == (
        "A student’s level is the highest of their 4 scores."
    )
    assert wording.rollup_sentence("minimum", wording.about("Jordan")) == (
        "Jordan’s level is their lowest level among the parts of this competency."
    )


def test_the_sentences_go_through_the_catalog(demo: Demo) -> None:
    """Every sentence is looked up whole in the active language (the catalogs are filled later): switching
    the language must not break the named placeholders."""
    with translation.override("es"):
        sentence = wording.method_sentence(MethodSpec(Method.MEAN), 3, wording.about("Jordan"))
    assert "Jordan" in sentence
    assert "%(" not in sentence
    assert wording.percent(0.65) == "65 %"
    assert wording.percent(0.125) == "12.5 %"


def test_the_api_explains_in_the_readers_voice(demo: Demo) -> None:
    client = Client()
    client.force_login(demo.users["guardian"])
    levels = client.get(f"/api/v1/students/{demo.student.pk}/mastery").json()["levels"]
    assert levels
    assert not any(item["explanation"].startswith("Your") for item in levels)


def test_the_chart_data_has_real_ordered_moments(demo: Demo) -> None:
    page = _page(demo, "student")
    blocks = re.findall(r'<script id="(mastery-history-\d+)" type="application/json">(.*?)</script>', page)
    assert blocks
    history_days = set()
    for chart_id, raw in blocks:
        data = json.loads(raw)
        moments = [datetime.datetime.fromisoformat(point["at"]) for point in data["points"]]
        days = [datetime.date.fromisoformat(point["date"]) for point in data["points"]]
        assert all(moment.tzinfo is not None for moment in moments)
        assert moments == sorted(moments), chart_id
        assert days == sorted(days)
        history_days.update(days)
        assert data["thresholdLabel"]
        assert data["levels"]
    competency_id = int(blocks[0][0].rsplit("-", 1)[1])
    stored = list(
        MasteryLevelChange.objects.filter(student=demo.student, competency_id=competency_id).order_by(
            "changed_at", "id"
        )
    )
    first = json.loads(blocks[0][1])
    # One point per day, at the day's last change.
    last_of_day: dict[datetime.date, datetime.datetime] = {}
    for change in stored:
        last_of_day[timezone.localdate(change.changed_at)] = change.changed_at
    assert [datetime.datetime.fromisoformat(p["at"]) for p in first["points"]] == list(last_of_day.values())
    # The demo's history spans several days, so a time axis has something to space out.
    assert len(history_days) > 1
    # The script that draws it is the static one, which places points by time, not by label.
    assert '/static/waypoint/mastery-charts.js"' in page

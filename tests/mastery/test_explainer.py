"""The families explainer, "How learning is measured here": written from the reader's district's own scale
and calculation rules (a student's and a guardian's is the child's district; staff read the acting
district's), with a worked example in real numbers, in English and Spanish."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Demo
from waypoint.frameworks.models import ScaleLevel
from waypoint.frameworks.services import (
    CompetencyFields,
    LevelSpec,
    competency_create,
    framework_create,
    scale_create,
    version_publish,
)
from waypoint.mastery.services import calculation_rule_set

pytestmark = pytest.mark.django_db

URL = "/learning/how-it-works/"


def _text(demo: Demo, username: str, **headers: Any) -> str:
    client = Client()
    client.force_login(demo.users[username])
    response = client.get(URL, **headers)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _hillcrest_scale_and_rule(demo: Demo) -> None:
    """Hillcrest measures its own framework on a three-level scale of its own, by the most recent score."""
    scale = scale_create(
        owner=demo.hillcrest,
        name="Hillcrest scale",
        levels=[
            LevelSpec(1, "Emerging", "Starting out.", "I am starting."),
            LevelSpec(2, "Progressing", "Getting there.", "I am getting there."),
            LevelSpec(3, "Secure", "Shows it every time.", "I can do it every time.", meets_mastery=True),
        ],
    )
    version = framework_create(owner=demo.hillcrest, title="Hillcrest habits", scale=scale)
    competency_create(version=version, parent=None, fields=CompetencyFields("H.1", "Shows up ready."))
    framework = version_publish(version=version, actor=None).framework
    calculation_rule_set(district=demo.hillcrest, framework=framework, method="latest", parameters={})


def test_the_url_is_named() -> None:
    assert reverse("how-learning-is-measured") == URL


def test_the_student_reads_their_districts_own_levels_and_rule_with_a_worked_example(demo: Demo) -> None:
    page = _text(demo, "student")
    assert "How learning is measured here" in page
    assert demo.riverside.name in page
    labels = list(
        ScaleLevel.objects.filter(scale__frameworks__owner=demo.riverside).values_list("label", flat=True)
    )
    assert labels
    for label in set(labels):
        assert label in page
    # The default rule, a decaying average, worked out step by step with the scale's real numbers.
    assert "Decaying average" in page
    assert "Start at the first score: 1." in page
    assert "0.35 × 1 + 0.65 × 3 = 2.3." in page
    assert "So the level is" in page
    assert 'href="/students/' in page  # the way to the progress page


def test_districts_read_their_own_scale_and_rules(demo: Demo) -> None:
    _hillcrest_scale_and_rule(demo)
    riverside = _text(demo, "guardian")  # Jordan's guardian: Riverside
    hillcrest = _text(demo, "other-teacher")  # acts for Hillcrest
    assert demo.hillcrest.name in hillcrest
    assert demo.hillcrest.name not in riverside
    for label in ("Emerging", "Progressing", "Secure"):
        assert label in hillcrest
        assert label not in riverside
    assert "Most recent score" in hillcrest
    assert "The most recent score is 3." in hillcrest  # the example on the three-level scale: 1, 3, 2, 3, 3
    assert "Most recent score" not in riverside
    assert riverside != hillcrest


def test_staff_read_their_acting_district_and_nobody_without_one_is_refused(demo: Demo) -> None:
    assert demo.riverside.name in _text(demo, "teacher")
    assert "How learning is measured here" in _text(demo, "state-analyst")


def test_the_explainer_is_served_in_spanish_to_a_spanish_reader(demo: Demo) -> None:
    """Every string goes through the catalog (filled by the translators); the page renders in the reader's
    saved language with the district's own level names."""
    guardian = demo.users["guardian"]
    guardian.language = "es"
    guardian.save(update_fields=["language"])
    page = _text(demo, "guardian")
    assert '<html lang="es">' in page
    assert demo.riverside.name in page
    assert "Proficient" in page  # the district's own words, not translated


def test_the_explainer_runs_a_handful_of_queries(demo: Demo, django_assert_max_num_queries: Any) -> None:
    client = Client()
    client.force_login(demo.users["guardian"])
    with django_assert_max_num_queries(25):
        assert client.get(URL).status_code == 200

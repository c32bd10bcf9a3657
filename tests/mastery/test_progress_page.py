"""The progress page at rest is a few screens: a summary of levels by subject, then each subject as a folding
section of one-line competencies whose chart and history fold too. A practice estimate shows only where there
is practice; a day with several changes is one point; "I can…" statements are for the student alone."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.models import AuditAction, AuditEvent
from waypoint.frameworks.models import Competency
from waypoint.mastery.models import KnowledgeEstimate, MasteryLevel, MasteryLevelChange
from waypoint.mastery.selectors import CHART_POINTS, CompetencyLevel, HistoryPoint, Trend, history_days

pytestmark = pytest.mark.django_db


def _page(demo: Demo, username: str) -> str:
    client = Client()
    client.force_login(demo.users[username])
    response = client.get(f"/students/{demo.student.pk}/mastery/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_summary_counts_the_levels_of_each_subject_and_one_subject_starts_open(demo: Demo) -> None:
    page = _page(demo, "student")
    levels = MasteryLevel.objects.filter(student=demo.student)
    summary = page[page.index('id="summary-heading"') : page.index('class="panel progress-subject"')]
    assert "Levels by subject" in summary
    mastered = levels.filter(meets_mastery=True).count()
    counted = sum(
        int(n) for n in re.findall(r'class="level-count[^"]*">[^<]*<strong>(\d+)</strong>', summary)
    )
    assert counted == levels.count()
    numbers = [
        (int(m), int(t)) for m, t in re.findall(r"(\d+) of (\d+) competenc(?:y|ies) at mastery", summary)
    ]
    assert sum(m for m, _ in numbers) == mastered
    assert sum(t for _, t in numbers) == levels.count()
    # Each subject folds; exactly one starts open, the one changed most recently.
    subjects = re.findall(r'<details class="panel progress-subject" id="framework-(\d+)"( open)?>', page)
    assert len(subjects) == len(numbers) >= 1
    opened = [int(pk) for pk, is_open in subjects if is_open]
    latest = MasteryLevelChange.objects.filter(student=demo.student).order_by("-changed_at", "-id").first()
    assert latest is not None
    assert opened == [latest.competency.version.framework_id]
    # Each competency's explanation and chart are folded inside its own row.
    assert page.count('<details class="progress-row-more">') == levels.count()
    for canvas in re.finditer(r'<canvas class="mastery-chart"', page):
        before = page[: canvas.start()]
        assert before.rfind('<details class="progress-row-more">') > before.rfind("</details>")


def test_a_practice_estimate_shows_only_where_there_is_practice(demo: Demo) -> None:
    page = _page(demo, "student")
    assert "No practice yet" not in page
    practised = set(
        KnowledgeEstimate.objects.filter(student=demo.student).values_list("competency_id", flat=True)
    )
    with_level = set(
        MasteryLevel.objects.filter(student=demo.student).values_list("competency_id", flat=True)
    )
    boxes = page.count('<p class="estimate-label">')
    assert boxes == len(practised & with_level)
    unpractised = (
        MasteryLevel.objects.filter(student=demo.student).exclude(competency_id__in=practised).first()
    )
    assert unpractised is not None
    KnowledgeEstimate.objects.update_or_create(
        student=demo.student,
        competency=unpractised.competency,
        defaults={
            "district": demo.riverside,
            "probability_mastered": 0.4,
            "attempts": 1,
            "evidence_sufficient": False,
        },
    )
    page = _page(demo, "student")
    row = page[page.index(f'id="competency-{unpractised.competency_id}"') :]
    row = row[: row.index("</li>")]
    assert "Insufficient evidence" in row


def test_several_changes_on_one_day_are_one_point_at_the_level_the_day_ended_on() -> None:
    tz = datetime.UTC
    morning = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=tz)
    history = [
        HistoryPoint(morning, 2.0),
        HistoryPoint(morning + datetime.timedelta(minutes=5), 2.5),
        HistoryPoint(morning + datetime.timedelta(minutes=9), 3.0),
        HistoryPoint(morning + datetime.timedelta(days=3), 2.0),
    ]
    days = history_days(history)
    assert [(day.level, day.steps) for day in days] == [(3.0, [2.0, 2.5, 3.0]), (2.0, [2.0])]
    assert days[0].at == morning + datetime.timedelta(minutes=9)


def test_the_chart_has_one_point_per_day_and_the_text_lists_the_days_changes(demo: Demo) -> None:
    page = _page(demo, "student")
    blocks = re.findall(r'<script id="mastery-history-(\d+)" type="application/json">(.*?)</script>', page)
    assert blocks
    several = 0
    for competency_id, raw in blocks:
        data = json.loads(raw)
        dates = [point["date"] for point in data["points"]]
        assert len(dates) == len(set(dates)), "one point per day"
        for point in data["points"]:
            assert point["steps"][-1] == point["level"]
            several += len(point["steps"]) > 1
        changes = MasteryLevelChange.objects.filter(student=demo.student, competency_id=int(competency_id))
        assert sum(len(point["steps"]) for point in data["points"]) == changes.count()
    assert several, "the demo has a day with several changes"
    assert "Levels that day" in page


def test_only_the_student_reads_the_statements_written_for_students(demo: Demo) -> None:
    level = MasteryLevel.objects.filter(student=demo.student).select_related("competency").first()
    assert level is not None
    competency = level.competency
    competency.student_statement = "I can explain my thinking out loud."
    competency.save(update_fields=["student_statement"])

    def row(username: str) -> str:
        page = _page(demo, username)
        found = page[page.index(f'id="competency-{competency.pk}"') :]
        return found[: found.index("</h3>")]

    assert "I can explain my thinking out loud." in row("student")
    for reader in ("guardian", "teacher"):
        text = row(reader)
        assert "I can explain" not in text
        assert competency.full_statement in text


def test_the_progress_page_runs_a_bounded_number_of_queries(
    demo: Demo, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(demo.users["guardian"])
    with django_assert_max_num_queries(30):
        response = client.get(f"/students/{demo.student.pk}/mastery/")
    assert response.status_code == 200


def test_the_trend_compares_the_last_two_days() -> None:
    def trend(*levels: float | None) -> Trend | None:
        start = datetime.datetime(2026, 1, 5, 15, tzinfo=datetime.UTC)
        history = [HistoryPoint(start + datetime.timedelta(days=n), level) for n, level in enumerate(levels)]
        item = CompetencyLevel(
            competency=Competency(),
            level=MasteryLevel(),
            label="",
            explanation="",
            history=history,
            estimate=None,
        )
        return item.trend

    assert trend() is None
    assert trend(2.0) is Trend.FIRST
    assert trend(2.0, 3.0) is Trend.UP
    assert trend(3.0, 2.0) is Trend.DOWN
    assert trend(3.0, 3.0) is Trend.STEADY
    assert trend(None, 1.0) is Trend.UP


def _add_history(demo: Demo, changes: int) -> MasteryLevel:
    """`changes` more changes of one of the student's levels, as many scores leave behind: most on days of
    their own, some several to a day."""
    level = MasteryLevel.objects.filter(student=demo.student).order_by("pk").first()
    assert level is not None
    start = timezone.now() - datetime.timedelta(days=changes)
    MasteryLevelChange.objects.bulk_create(
        MasteryLevelChange(
            district_id=level.district_id,
            student=demo.student,
            competency_id=level.competency_id,
            level=1 + (n % 30) / 10,
            meets_mastery=n % 30 >= 20,
            method=level.method,
            parameters=level.parameters,
            score_ids=[],
            changed_at=start + datetime.timedelta(days=n - n % 4 // 3, minutes=n),
        )
        for n in range(changes)
    )
    return level


def test_the_page_stays_the_same_size_however_long_the_history_grows(demo: Demo) -> None:
    """400 more scores on one competency: the chart draws at most CHART_POINTS points spread over the whole
    history, and the page grows by a few kilobytes at most (it grew by the whole history before)."""
    before = len(_page(demo, "student"))
    level = _add_history(demo, 400)
    page = _page(demo, "student")
    assert len(page) - before < 12_000, f"the page grew by {len(page) - before} bytes"
    raw = re.search(
        rf'<script id="mastery-history-{level.competency_id}" type="application/json">(.*?)</script>', page
    )
    assert raw is not None
    points = json.loads(raw.group(1))["points"]
    assert len(points) == CHART_POINTS
    history = MasteryLevelChange.objects.filter(student=demo.student, competency_id=level.competency_id)
    first = history.order_by("changed_at", "id").first()
    last = history.order_by("-changed_at", "-id").first()
    assert first is not None
    assert last is not None
    # The line still starts in the first run of days (a month at most here) and ends at the latest change.
    assert points[-1]["at"] == last.changed_at.isoformat()
    early = timezone.localdate(first.changed_at + datetime.timedelta(days=30))
    assert points[0]["date"] <= early.isoformat()
    assert f'href="/students/{demo.student.pk}/mastery/{level.competency_id}/history/"' in page
    assert f"The chart shows {CHART_POINTS} of " in page


def test_the_full_history_lists_every_day_and_is_audited(demo: Demo) -> None:
    level = _add_history(demo, 60)
    client = Client()
    client.force_login(demo.users["guardian"])
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.get(f"/students/{demo.student.pk}/mastery/{level.competency_id}/history/")
    assert response.status_code == 200
    page = response.content.decode()
    days = {
        timezone.localdate(at)
        for at in MasteryLevelChange.objects.filter(
            student=demo.student, competency_id=level.competency_id
        ).values_list("changed_at", flat=True)
    }
    assert page.count('<tr><th scope="row"><time') == len(days) > CHART_POINTS
    assert "Jordan’s level now:" in page
    [event] = AuditEvent.objects.filter(pk__gt=before)
    assert (event.action, event.student_id) == (AuditAction.VIEW, demo.student.pk)
    # An unknown competency is not found, like any other hidden thing.
    assert client.get(f"/students/{demo.student.pk}/mastery/987654321/history/").status_code == 404

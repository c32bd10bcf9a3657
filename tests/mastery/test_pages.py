"""The mastery pages: a student's levels with how each was computed, its chart and the practice estimate
beside it; the section gradebook; the district's choice of calculation method."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Demo as SessionDemo
from waypoint.core.audit import RequestContext
from waypoint.core.models import Organization, Section, Student, User
from waypoint.evidence.models import Assessment, AssessmentKind, Evidence, Score
from waypoint.evidence.services import assessment_create, evidence_submit
from waypoint.frameworks.models import Competency, Framework, FrameworkKind, Rubric
from waypoint.frameworks.selectors import level_name
from waypoint.mastery.models import CalculationRule, KnowledgeEstimate, MasteryLevel
from waypoint.mastery.selectors import explanation
from waypoint.mastery.services import score_record

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Demo:
    district: Organization
    student: Student
    users: dict[str, User]
    rubric: Rubric
    assessment: Assessment
    competency: Competency

    def client(self, username: str) -> Client:
        client = Client()
        client.force_login(self.users[username])
        return client

    def scored(self, username: str, level: float, title: str = "A talk") -> Evidence:
        """New work by the student on the assessment, judged by `username` at `level` on every criterion."""
        evidence = evidence_submit(
            context=RequestContext(user=self.users["student"]),
            student_id=self.student.pk,
            title=title,
            body="The work.",
            assessment_id=self.assessment.pk,
        )
        for criterion in self.rubric.criteria.all():
            score_record(
                context=RequestContext(user=self.users[username]),
                evidence_id=evidence.pk,
                competency_id=criterion.competency_id,
                criterion_levels={criterion.pk: level},
            )
        return evidence


@pytest.fixture
def demo(settings: Any, tmp_path: Path, demo: SessionDemo) -> Demo:
    """The session's demo (tests/conftest.py), with an assessment for this test to score."""
    settings.MEDIA_ROOT = tmp_path / "media"
    district, users = demo.riverside, demo.users
    # The demo has scored `student` on the presentation rubric; this one is still unscored for them.
    rubric = Rubric.objects.get(owner=district, title="Goal setting and reflection")
    assessment = assessment_create(
        context=RequestContext(user=users["teacher"]),
        title="Town hall presentation",
        kind=AssessmentKind.PERFORMANCE_TASK,
        competency_ids=list(rubric.criteria.values_list("competency_id", flat=True)),
        rubric_id=rubric.pk,
    )
    return Demo(
        district=district,
        student=demo.student,
        users=users,
        rubric=rubric,
        assessment=assessment,
        competency=rubric.criteria.order_by("position").first().competency,  # type: ignore[union-attr]
    )


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_student_sees_each_level_how_it_was_computed_its_chart_and_the_estimate(demo: Demo) -> None:
    demo.scored("teacher", 2, "First talk")
    demo.scored("teacher", 4, "Second talk")
    feedback = demo.scored("teacher-uncertified", 1, "Practice talk")
    KnowledgeEstimate.objects.update_or_create(
        student=demo.student,
        competency=demo.competency,
        defaults={
            "district": demo.district,
            "probability_mastered": 0.91,
            "attempts": 2,
            "evidence_sufficient": False,
        },
    )
    level = MasteryLevel.objects.get(student=demo.student, competency=demo.competency)

    response = demo.client("student").get(f"/students/{demo.student.pk}/mastery/")
    page = text_of(response)
    assert response.status_code == 200
    assert "My progress" in page
    assert explanation(level.method, level.parameters, len(level.score_ids)) in page
    # The practice estimate sits beside the level, labelled, and says when its evidence is too thin.
    card = page[page.index(f'id="competency-{demo.competency.pk}"') :]
    card = card[: card.index("</li>")]
    assert "Practice estimate (knowledge tracing)" in card
    assert "Insufficient evidence" in card
    assert "91 %" not in card
    assert ("At mastery" in card) is level.meets_mastery
    # The chart reads its data from a JSON block; the canvas has a text alternative and a table beside it.
    chart_id = f"mastery-history-{demo.competency.pk}"
    assert f'data-chart-source="{chart_id}"' in card
    assert 'role="img"' in card
    block = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', page)
    assert block is not None
    data = json.loads(block.group(1))
    # Two scores today: one point for the day, at the level it ended on, listing both changes.
    assert len(data["points"]) == 1
    assert len(data["points"][0]["steps"]) >= 2
    assert data["points"][-1]["level"] == pytest.approx(level.level)
    assert data["threshold"] == 3
    assert "The history as a table" in card
    # Scripts come from /static/ only; the JSON blocks are data, not code.
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "/static/waypoint/vendor/chartjs/chart.umd.min.js" in page
    assert "/static/waypoint/mastery-charts.js" in page
    # The uncertified teacher's judgements are listed apart, never counted.
    judged = page[page.index("Judgements that did not count") :]
    assert f'href="/evidence/{feedback.pk}/"' in judged
    assert "Feedback only" in judged
    uncounted = Score.objects.filter(evidence=feedback).values_list("pk", flat=True)
    assert not set(uncounted) & set(level.score_ids)


def test_who_reads_a_students_levels(demo: Demo) -> None:
    url = f"/students/{demo.student.pk}/mastery/"
    for username in ("guardian", "teacher", "advisor", "district-admin"):
        assert demo.client(username).get(url).status_code == 200
    for username in ("other-teacher", "mentor", "state-analyst"):
        assert demo.client(username).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_gradebook_shows_each_level_by_number_and_name_linked_to_its_evidence(demo: Demo) -> None:
    evidence = demo.scored("teacher", 3)
    section = Section.objects.get(teachers__username="teacher", roster__student=demo.student)
    response = demo.client("teacher").get(f"/sections/{section.pk}/gradebook/")
    page = text_of(response)
    assert response.status_code == 200
    assert demo.student.full_name in page
    assert "<abbr title=" in page
    assert demo.competency.human_code in page
    assert f'href="/evidence/{evidence.pk}/"' in page
    level = MasteryLevel.objects.get(student=demo.student, competency=demo.competency)
    levels = list(demo.rubric.scale.levels.order_by("value"))
    assert f'<span class="heat-label">{level_name(levels, level.level)}' in page
    assert 'tabindex="0" role="region"' in page
    assert demo.client("teacher-uncertified").get(f"/sections/{section.pk}/gradebook/").status_code == 404
    assert demo.client("student").get(f"/sections/{section.pk}/gradebook/").status_code == 404
    assert demo.client("district-admin").get(f"/sections/{section.pk}/gradebook/").status_code == 200


def previewed_then_saved(client: Client, url: str, data: dict[str, object]) -> Any:
    """The two steps of choosing a rule: the preview (nothing saved), then the confirmation of its token."""
    preview = client.post(url, {"step": "preview", **data})
    assert preview.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
    assert token is not None, "the preview offers to confirm"
    return client.post(url, {"step": "apply", "token": token.group(1)})


def test_a_district_administrator_chooses_the_method_and_everyone_reads_it(demo: Demo) -> None:
    demo.scored("teacher", 2, "First talk")
    demo.scored("teacher", 4, "Second talk")
    profile = Framework.objects.get(owner=demo.district, kind=FrameworkKind.GRADUATE_PROFILE)
    url = f"/frameworks/{profile.pk}/calculation/"

    read = demo.client("student").get(url)
    page = text_of(read)
    assert read.status_code == 200
    assert "the default: nothing chosen yet" in page
    assert "A worked example" in page
    assert page.count('<th scope="row">', page.index("A worked example")) >= 8
    assert "Preview the change" not in page
    assert demo.client("teacher").post(url, {"method": "latest", "rollup_rule": "mean"}).status_code == 403

    admin = demo.client("district-admin")
    assert "Preview the change" in text_of(admin.get(url))
    refused = admin.post(url, {"method": "n_of_m", "n": 4, "m": 2, "rollup_rule": "mean"})
    assert refused.status_code == 200
    assert "m must be at least n." in text_of(refused)
    assert not CalculationRule.objects.filter(framework=profile).exists()

    saved = previewed_then_saved(
        admin, url, {"method": "weighted_average", "weight_percent": 50, "rollup_rule": "minimum"}
    )
    assert saved.status_code == 302
    rule = CalculationRule.objects.get(district=demo.district, framework=profile, competency_identifier="")
    assert (rule.method, rule.parameters, rule.rollup_rule) == (
        "weighted_average",
        {"weight": 0.5},
        "minimum",
    )
    level = MasteryLevel.objects.get(student=demo.student, competency=demo.competency)
    assert level.method == "weighted_average"
    assert "newest score 50 %" in text_of(demo.client("student").get(url))

    one = previewed_then_saved(
        admin,
        url,
        {
            "competency_identifier": demo.competency.case_identifier,
            "method": "latest",
            "rollup_rule": "mean",
        },
    )
    assert one.status_code == 302
    assert (
        CalculationRule.objects.get(competency_identifier=demo.competency.case_identifier).method == "latest"
    )
    assert MasteryLevel.objects.get(student=demo.student, competency=demo.competency).level == 4
    assert demo.competency.human_code in text_of(admin.get(url))

    other = Framework.objects.get(owner__slug="hillcrest", kind=FrameworkKind.GRADUATE_PROFILE)
    assert admin.get(f"/frameworks/{other.pk}/calculation/").status_code == 200
    assert admin.post(f"/frameworks/{other.pk}/calculation/", {"method": "latest"}).status_code == 403

"""Scoring several competencies of one piece of evidence is one service call in one transaction, all or
nothing, with every problem listed per item; the scoring page and the API both go through it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from tests.evidence.conftest import Scene, written
from waypoint.core.models import AuditAction, AuditEvent
from waypoint.evidence.models import Evidence, EvidenceStatus, Score, ScoreSource
from waypoint.evidence.services import evidence_submit
from waypoint.frameworks.models import Competency, FrameworkVersion, VersionStatus
from waypoint.mastery.models import MasteryLevel
from waypoint.mastery.services import (
    SCALES,
    TREES,
    ScoreInput,
    ScoringError,
    _scale_of,
    _version_tree,
    calculation_rule_apply,
    calculation_rule_preview,
    rule_proposal,
    scores_record,
)


def submit(scene: Scene, title: str = "My town hall talk") -> Evidence:
    return evidence_submit(
        context=scene.context("student"),
        student_id=scene.student.pk,
        title=title,
        body="I argued for a crosswalk on Main Street.",
        assessment_id=scene.assessment.pk,
    )


def competencies(scene: Scene) -> list[Competency]:
    """The assessment's competencies in tree order (three, one rubric criterion each)."""
    found = list(scene.assessment.competencies.order_by("path"))
    assert len(found) >= 3
    return found


def criterion_of(scene: Scene, competency: Competency) -> int:
    return scene.rubric.criteria.get(competency=competency).pk


def score_audits() -> int:
    return AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="score").count()


def client_for(scene: Scene, username: str) -> Client:
    client = Client()
    client.force_login(scene.users[username])
    return client


def post_json(client: Client, url: str, body: object) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def recorded(evidence: Evidence) -> list[tuple[object, ...]]:
    """What was written on the evidence, without ids and times."""
    return sorted(
        (
            score.competency_id,
            score.value,
            score.source,
            score.counts_toward_mastery,
            score.rubric_id,
            json.dumps(score.criterion_levels, sort_keys=True),
            score.comment,
            score.scored_by_id,
        )
        for score in Score.objects.filter(evidence=evidence)
    )


def test_several_competencies_are_scored_in_one_call(scene: Scene) -> None:
    evidence = submit(scene)
    first, second, third = competencies(scene)[:3]
    audits = score_audits()
    scores = scores_record(
        context=scene.context("teacher"),
        evidence_id=evidence.pk,
        scores=[
            ScoreInput(competency_id=first.pk, criterion_levels={criterion_of(scene, first): 4}),
            ScoreInput(competency_id=second.pk, value=3, comment="Clear and honest."),
            ScoreInput(competency_id=third.pk, value=2),
        ],
    )
    assert [score.competency_id for score in scores] == [first.pk, second.pk, third.pk]
    assert [score.value for score in scores] == [4, 3, 2]
    assert scores[0].rubric == scene.rubric
    assert scores[1].rubric is None
    assert all(
        score.source == ScoreSource.CERTIFIED_TEACHER and score.counts_toward_mastery for score in scores
    )
    assert len({score.scored_at for score in scores}) == 1
    for score in scores:
        level = MasteryLevel.objects.get(student=scene.student, competency_id=score.competency_id)
        assert (level.level, level.score_ids) == (score.value, [score.pk])
    assert score_audits() == audits + 3
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SCORED


def test_one_refused_item_writes_nothing_and_every_problem_is_listed_per_item(scene: Scene) -> None:
    evidence = submit(scene)
    first, second = competencies(scene)[:2]
    stranger = Competency.objects.exclude(pk__in=evidence.competencies.values("id")).order_by("pk")[0]
    before, audits = written(), score_audits()
    with pytest.raises(ScoringError) as refused:
        scores_record(
            context=scene.context("teacher"),
            evidence_id=evidence.pk,
            scores=[
                ScoreInput(competency_id=first.pk, value=3),
                ScoreInput(competency_id=second.pk, value=7, supersedes_id=10**9),
                ScoreInput(competency_id=stranger.pk, value=3),
            ],
        )
    error = refused.value
    assert [(item.index, item.competency_id) for item in error.items] == [(1, second.pk), (2, stranger.pk)]
    wrong_value, not_current, no_reason = error.items[0].problems
    assert wrong_value.startswith("7 is not a level of the scale")
    assert wrong_value.endswith("(1, 2, 3, 4).")
    assert not_current == "Only a current score on this evidence and competency can be corrected."
    assert no_reason == "Say why the score is corrected."
    assert error.items[1].problems == (f"The evidence is not about competency {stranger.pk}.",)
    # Each problem is named by its competency, the way the scoring page and the API show it.
    assert second.human_code
    assert error.items[0].label == f"Competency {second.human_code}"
    assert f"Competency {second.human_code}: {wrong_value}" in error.problems
    assert (
        error.problems[-1] == f"Competency {stranger.pk}: The evidence is not about competency {stranger.pk}."
    )
    assert len(error.problems) == 4
    # Nothing at all was written, not even the good item's score, its level or its audit row.
    assert written() == before
    assert score_audits() == audits
    assert not MasteryLevel.objects.filter(student=scene.student, competency=first).exists()
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.AWAITING_SCORE


def test_a_competency_judged_twice_or_nothing_judged_is_refused(scene: Scene) -> None:
    evidence = submit(scene)
    first = competencies(scene)[0]
    before = written()
    with pytest.raises(ScoringError) as twice:
        scores_record(
            context=scene.context("teacher"),
            evidence_id=evidence.pk,
            scores=[ScoreInput(competency_id=first.pk, value=3), ScoreInput(competency_id=first.pk, value=4)],
        )
    assert [item.index for item in twice.value.items] == [0, 1]
    assert all("more than once" in item.problems[0] for item in twice.value.items)
    with pytest.raises(ScoringError, match="at least one competency"):
        scores_record(context=scene.context("teacher"), evidence_id=evidence.pk, scores=[])
    assert written() == before


def test_the_api_scores_a_list_all_or_nothing(scene: Scene) -> None:
    evidence = submit(scene)
    first, second, third = competencies(scene)[:3]
    url = f"/api/v1/evidence/{evidence.pk}/scores"
    teacher = client_for(scene, "teacher")
    before = written()

    refused = post_json(
        teacher,
        url,
        {
            "scores": [
                {"competency_id": first.pk, "value": 3},
                {"competency_id": second.pk, "value": 9},
                {"competency_id": third.pk, "criterion_levels": {str(criterion_of(scene, first)): 3}},
            ]
        },
    )
    assert refused.status_code == 400, refused.content
    body = refused.json()
    assert [(item["index"], item["competency_id"]) for item in body["items"]] == [
        (1, second.pk),
        (2, third.pk),
    ]
    assert body["items"][0]["problems"][0].startswith("9 is not a level of the scale")
    assert body["items"][1]["problems"] == [
        f"Rubric criterion {criterion_of(scene, first)} is not about this competency."
    ]
    assert body["problems"][0]["reason"].startswith(f"Competency {second.human_code}: 9 is not a level")
    assert "not a level of the scale" in body["detail"]
    assert written() == before

    scored = post_json(
        teacher,
        url,
        {
            "scores": [
                {"competency_id": first.pk, "value": 3},
                {"competency_id": second.pk, "criterion_levels": {str(criterion_of(scene, second)): 4}},
            ]
        },
    )
    assert scored.status_code == 201, scored.content
    out = scored.json()["scores"]
    assert [(score["competency_id"], score["value"]) for score in out] == [(first.pk, 3), (second.pk, 4)]
    assert all(score["counts_toward_mastery"] for score in out)
    assert Score.objects.filter(evidence=evidence).count() == 2
    # The single object of before still records one score and answers with it.
    single = post_json(teacher, url, {"competency_id": third.pk, "value": 2})
    assert single.status_code == 201, single.content
    assert single.json()["competency_id"] == third.pk


def test_the_page_and_the_api_record_the_same_scores_and_refuse_alike(scene: Scene) -> None:
    by_page, by_api = submit(scene, "Scored on the page"), submit(scene, "Scored through the API")
    chosen = competencies(scene)[:2]
    teacher = client_for(scene, "teacher")

    page = teacher.post(
        f"/evidence/{by_page.pk}/score/",
        {
            **{f"c{c.pk}-k{criterion_of(scene, c)}": "3" for c in chosen},
            f"c{chosen[0].pk}-comment": "Sourced and clear.",
        },
    )
    assert page.status_code == 302
    api = post_json(
        teacher,
        f"/api/v1/evidence/{by_api.pk}/scores",
        {
            "scores": [
                {
                    "competency_id": c.pk,
                    "criterion_levels": {str(criterion_of(scene, c)): 3},
                    "comment": "Sourced and clear." if c == chosen[0] else "",
                }
                for c in chosen
            ]
        },
    )
    assert api.status_code == 201, api.content
    assert recorded(by_page) == recorded(by_api)
    assert len(recorded(by_page)) == 2
    for evidence in (by_page, by_api):
        evidence.refresh_from_db()
        assert evidence.status == EvidenceStatus.SCORED

    # A correction without a reason, beside a good score: refused by both with the same words, nothing kept.
    competency, other = chosen[0], competencies(scene)[2]
    before = written()
    page = teacher.post(
        f"/evidence/{by_page.pk}/score/",
        {
            f"c{competency.pk}-k{criterion_of(scene, competency)}": "4",
            f"c{competency.pk}-supersedes": Score.objects.get(evidence=by_page, competency=competency).pk,
            f"c{other.pk}-k{criterion_of(scene, other)}": "2",
        },
    )
    api = post_json(
        teacher,
        f"/api/v1/evidence/{by_api.pk}/scores",
        {
            "scores": [
                {
                    "competency_id": competency.pk,
                    "criterion_levels": {str(criterion_of(scene, competency)): 4},
                    "supersedes_id": Score.objects.get(evidence=by_api, competency=competency).pk,
                },
                {"competency_id": other.pk, "criterion_levels": {str(criterion_of(scene, other)): 2}},
            ]
        },
    )
    assert page.status_code == 200
    assert api.status_code == 400
    problems = [item["reason"] for item in api.json()["problems"]]
    assert problems == [f"Competency {competency.human_code}: Say why the score is corrected."]
    page_text = re.sub(r"\s+", " ", page.content.decode())
    assert "Nothing was scored" in page_text
    assert all(escape(problem) in page_text for problem in problems)
    assert written() == before


# One score, fast and fresh ---------------------------------------------------------------------------------

# 37 on PostgreSQL when this bound was set (45 before the caches and the one-statement writes). The scoring
# transaction itself: the evidence's lock, its competencies, the score, its status, the student's lock, the
# rules, the scores, the stored levels, one write of levels and one of history; the rest is signing in, the
# access policy, the audit rows and notifying the family.
SCORE_QUERIES = 38


def test_one_score_through_the_api_takes_at_most_a_bounded_number_of_queries(
    scene: Scene, django_assert_max_num_queries: Any
) -> None:
    first, second = submit(scene, "First piece"), submit(scene, "Second piece")
    competency = competencies(scene)[0]
    teacher = client_for(scene, "teacher")
    # The first score of the session reads the framework version's tree and freezes the scale (both cached).
    warm = post_json(
        teacher, f"/api/v1/evidence/{first.pk}/scores", {"competency_id": competency.pk, "value": 2}
    )
    assert warm.status_code == 201, warm.content
    with django_assert_max_num_queries(SCORE_QUERIES):
        scored = post_json(
            teacher, f"/api/v1/evidence/{second.pk}/scores", {"competency_id": competency.pk, "value": 4}
        )
    assert scored.status_code == 201, scored.content
    level = MasteryLevel.objects.get(student=scene.student, competency=competency)
    assert level.score_ids[-2:] == [warm.json()["id"], scored.json()["id"]]


def test_a_score_after_a_rule_change_follows_the_new_rule(scene: Scene) -> None:
    """The framework version's tree is cached in the process; the district's rules never are, so a score
    recorded right after a rule is applied is computed by that rule."""
    competency = competencies(scene)[0]
    framework = competency.version.framework
    first, second = submit(scene, "Before the change"), submit(scene, "After the change")
    scores_record(
        context=scene.context("teacher"),
        evidence_id=first.pk,
        scores=[ScoreInput(competency_id=competency.pk, value=4)],
    )
    admin = scene.context("district-admin")
    proposal = rule_proposal(district=scene.district, framework=framework, method="highest", parameters={})
    preview = calculation_rule_preview(context=admin, proposal=proposal)
    calculation_rule_apply(context=admin, district=scene.district, framework=framework, token=preview.token)
    scores_record(
        context=scene.context("teacher"),
        evidence_id=second.pk,
        scores=[ScoreInput(competency_id=competency.pk, value=1)],
    )
    level = MasteryLevel.objects.get(student=scene.student, competency=competency)
    assert (level.method, level.level) == ("highest", 4)
    # And back: the next score follows the rule as changed again.
    proposal = rule_proposal(district=scene.district, framework=framework, method="latest", parameters={})
    preview = calculation_rule_preview(context=admin, proposal=proposal)
    calculation_rule_apply(context=admin, district=scene.district, framework=framework, token=preview.token)
    third = submit(scene, "After the second change")
    scores_record(
        context=scene.context("teacher"),
        evidence_id=third.pk,
        scores=[ScoreInput(competency_id=competency.pk, value=2)],
    )
    level.refresh_from_db()
    assert (level.method, level.level) == ("latest", 2)


def test_only_published_versions_and_frozen_scales_are_cached(scene: Scene) -> None:
    competency = competencies(scene)[0]
    version = competency.version
    TREES.clear()
    SCALES.clear()
    facts, _ = _version_tree(version)
    assert competency.pk in facts
    assert _version_tree(version)[0] is facts
    assert (TREES.misses, TREES.hits) == (1, 1)
    draft = FrameworkVersion(
        pk=version.pk, framework=version.framework, number=99, status=VersionStatus.DRAFT
    )
    assert _version_tree(draft)[0] is not facts
    assert len(TREES) == 1
    scale = version.framework.scale
    scale.in_use_since = None
    _scale_of(scale)
    assert len(SCALES) == 0
    scale.in_use_since = timezone.now()
    assert _scale_of(scale) is _scale_of(scale)
    assert len(SCALES) == 1

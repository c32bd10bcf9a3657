"""Previewing a change of calculation rule: how many levels would move up, down or stay, with examples,
computed by the engine without writing; then a confirmation that applies exactly what was previewed, or a
409 when the rules or the scores changed in between."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Conflict, Invalid
from waypoint.core.models import AuditEvent, Organization
from waypoint.evidence.models import Score
from waypoint.frameworks.models import Competency, Framework, FrameworkKind
from waypoint.frameworks.selectors import scale_levels
from waypoint.mastery import services
from waypoint.mastery.models import CalculationRule, MasteryLevel, MasteryLevelChange

pytestmark = pytest.mark.django_db

Snapshot = dict[tuple[int, int], tuple[float | None, bool]]


def _profile(district: Organization) -> Framework:
    return Framework.objects.get(owner=district, kind=FrameworkKind.GRADUATE_PROFILE)


def _snapshot(district: Organization) -> Snapshot:
    return {
        (student_id, competency_id): (level, meets)
        for student_id, competency_id, level, meets in MasteryLevel.objects.filter(
            district=district
        ).values_list("student_id", "competency_id", "level", "meets_mastery")
    }


def _proposal(demo: Demo, method: str = "latest", **parameters: Any) -> services.RuleProposal:
    return services.rule_proposal(
        district=demo.riverside, framework=_profile(demo.riverside), method=method, parameters=parameters
    )


def _admin(demo: Demo) -> RequestContext:
    return RequestContext(user=demo.users["district-admin"])


def _moves(before: Snapshot, after: Snapshot) -> tuple[int, int, int]:
    """Up, down and same by the scale's named levels, as the preview counts them."""
    scale_of = dict(
        Competency.objects.filter(pk__in={key[1] for key in after}).values_list(
            "id", "version__framework__scale_id"
        )
    )
    names = scale_levels(set(scale_of.values()))
    up = down = same = 0
    for key, (level, _) in after.items():
        levels = names[scale_of[key[1]]]
        step = services._named_position(levels, level) - services._named_position(
            levels, before.get(key, (None, False))[0]
        )
        up, down, same = up + (step > 0), down + (step < 0), same + (step == 0)
    return up, down, same


def test_the_preview_counts_what_applying_the_rule_then_does(demo: Demo) -> None:
    before = _snapshot(demo.riverside)
    preview = services.calculation_rule_preview(context=_admin(demo), proposal=_proposal(demo))
    assert preview.counts.up + preview.counts.down > 0, "the most recent score moves some demo levels"

    services.calculation_rule_apply(
        context=_admin(demo), district=demo.riverside, framework=_profile(demo.riverside), token=preview.token
    )
    after = _snapshot(demo.riverside)
    assert _moves(before, after) == (preview.counts.up, preview.counts.down, preview.counts.same)
    assert preview.counts.total == len(after)
    gained = sum(1 for key, (_, meets) in after.items() if meets and not before.get(key, (None, False))[1])
    assert preview.mastery_gained == gained
    for example in preview.examples:
        assert after[(example.student.pk, example.competency_id)][0] == example.after
        assert before.get((example.student.pk, example.competency_id), (None, False))[0] == example.before
    rule = CalculationRule.objects.get(district=demo.riverside, framework=_profile(demo.riverside))
    assert rule.method == "latest"
    assert AuditEvent.objects.filter(object_type="calculation-rule", object_id=str(rule.pk)).exists()
    # Per competency, the counts add up to the changes.
    assert sum(item.counts.up + item.counts.down for item in preview.by_competency) <= (
        preview.counts.up + preview.counts.down
    )


def test_the_preview_writes_no_level_and_no_rule_and_audits_the_students_it_names(demo: Demo) -> None:
    levels = _snapshot(demo.riverside)
    changes = MasteryLevelChange.objects.count()
    rules = CalculationRule.objects.count()
    newest_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    preview = services.calculation_rule_preview(context=_admin(demo), proposal=_proposal(demo, "highest"))

    assert _snapshot(demo.riverside) == levels
    assert MasteryLevelChange.objects.count() == changes
    assert CalculationRule.objects.count() == rules
    events = AuditEvent.objects.filter(pk__gt=newest_event)
    assert set(events.values_list("action", "object_type")) <= {("view", "calculation-preview")}
    assert set(events.values_list("student_id", flat=True)) == {move.student.pk for move in preview.examples}
    assert preview.examples, "the demo has levels a new rule moves"


def test_applying_is_refused_when_the_rule_changed_since_the_preview(demo: Demo) -> None:
    preview = services.calculation_rule_preview(context=_admin(demo), proposal=_proposal(demo))
    services.calculation_rule_set(
        district=demo.riverside, framework=_profile(demo.riverside), method="mean", parameters={}
    )
    with pytest.raises(Conflict, match="rules changed"):
        services.calculation_rule_apply(
            context=_admin(demo),
            district=demo.riverside,
            framework=_profile(demo.riverside),
            token=preview.token,
        )
    assert (
        CalculationRule.objects.get(district=demo.riverside, framework=_profile(demo.riverside)).method
        == "mean"
    )


def test_applying_is_refused_when_scores_arrived_since_the_preview(demo: Demo) -> None:
    preview = services.calculation_rule_preview(context=_admin(demo), proposal=_proposal(demo))
    score = Score.objects.filter(district=demo.riverside, counts_toward_mastery=True).order_by("pk").first()
    assert score is not None
    score.pk = None
    score.supersedes = None
    score.save()
    with pytest.raises(Conflict, match="Scores were recorded"):
        services.calculation_rule_apply(
            context=_admin(demo),
            district=demo.riverside,
            framework=_profile(demo.riverside),
            token=preview.token,
        )


def test_a_token_waypoint_did_not_make_is_refused(demo: Demo) -> None:
    with pytest.raises(Invalid):
        services.calculation_rule_apply(
            context=_admin(demo),
            district=demo.riverside,
            framework=_profile(demo.riverside),
            token="forged:token",
        )


def test_the_page_previews_then_saves_exactly_the_previewed_rule(demo: Demo) -> None:
    framework = _profile(demo.riverside)
    client = Client()
    client.force_login(demo.users["district-admin"])
    url = f"/frameworks/{framework.pk}/calculation/"
    previewed = client.post(
        url, {"step": "preview", "method": "highest", "weight_percent": 65, "rollup_rule": "mean"}
    )
    page = previewed.content.decode()
    assert previewed.status_code == 200
    assert "Before you save" in page
    assert "would move up" in page
    assert not CalculationRule.objects.filter(district=demo.riverside, framework=framework).exists()
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]

    # The form is sent again with another method: the token, not the form, says what is saved.
    saved = client.post(url, {"step": "apply", "token": token, "method": "mean", "rollup_rule": "mean"})
    assert saved.status_code == 302
    assert CalculationRule.objects.get(district=demo.riverside, framework=framework).method == "highest"

    again = client.post(url, {"step": "apply", "token": token, "method": "highest", "rollup_rule": "mean"})
    assert again.status_code == 409
    assert "rules changed after this preview" in again.content.decode()


def test_the_api_previews_and_applies_for_administrators_only(demo: Demo) -> None:
    framework = _profile(demo.riverside)
    admin = Client()
    admin.force_login(demo.users["district-admin"])
    base = f"/api/v1/frameworks/{framework.pk}/calculation-rules"
    body = json.dumps({"method": "n_of_m", "parameters": {"n": 2, "m": 3}})
    preview = admin.post(f"{base}/preview", data=body, content_type="application/json")
    assert preview.status_code == 200
    data = preview.json()
    assert data["method"] == "n_of_m"
    assert data["counts"]["total"] == data["counts"]["up"] + data["counts"]["down"] + data["counts"]["same"]
    for example in data["examples"]:
        assert example["before_label"] != example["after_label"]
    teacher = Client()
    teacher.force_login(demo.users["teacher"])
    assert teacher.post(f"{base}/preview", data=body, content_type="application/json").status_code == 403
    assert (
        teacher.post(
            f"{base}/apply", data=json.dumps({"token": data["token"]}), content_type="application/json"
        ).status_code
        == 403
    )
    applied = admin.post(
        f"{base}/apply", data=json.dumps({"token": data["token"]}), content_type="application/json"
    )
    assert applied.status_code == 200
    assert applied.json()["parameters"] == {"n": 2, "m": 3}
    replay = admin.post(
        f"{base}/apply", data=json.dumps({"token": data["token"]}), content_type="application/json"
    )
    assert replay.status_code == 409


def test_the_preview_audits_each_student_it_names_once(demo: Demo) -> None:
    newest_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    previews = [
        services.calculation_rule_preview(context=_admin(demo), proposal=_proposal(demo, method))
        for method in ("highest", "latest", "mean")
    ]
    named_twice = any(
        len({move.student.pk for move in preview.examples}) < len(preview.examples) for preview in previews
    )
    assert named_twice, "some preview's examples name a student for several competencies"
    events = AuditEvent.objects.filter(pk__gt=newest_event, object_type="calculation-preview")
    expected = sum(len({move.student.pk for move in preview.examples}) for preview in previews)
    assert events.count() == expected

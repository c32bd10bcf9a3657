"""Versions, editing, publishing, scales and rubrics through the services, against the database."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Demo
from waypoint.core.models import Organization, User
from waypoint.frameworks import services
from waypoint.frameworks.models import (
    Competency,
    Framework,
    FrameworkVersion,
    ProficiencyScale,
    Rubric,
    ScaleLevel,
    Tier,
    VersionStatus,
)
from waypoint.frameworks.selectors import version_diff, version_tree
from waypoint.frameworks.services import CompetencyFields, FrameworkError, Frozen, LevelSpec

pytestmark = pytest.mark.django_db


def fields(code: str, statement: str = "", tier: str = Tier.COMPETENCY) -> CompetencyFields:
    return CompetencyFields(human_code=code, full_statement=statement or f"Statement of {code}", tier=tier)


def small_framework(owner: Organization, actor: User | None = None) -> FrameworkVersion:
    """A draft: two domains, a competency with two indicators under the first."""
    draft = services.framework_create(
        owner=owner, title="Graduate profile", kind="graduate_profile", actor=actor
    )
    communication = services.competency_create(
        version=draft, parent=None, fields=fields("COM", tier=Tier.DOMAIN)
    )
    services.competency_create(version=draft, parent=None, fields=fields("THINK", tier=Tier.DOMAIN))
    speaking = services.competency_create(version=draft, parent=communication, fields=fields("COM.1"))
    services.competency_create(version=draft, parent=speaking, fields=fields("COM.1.a", tier=Tier.INDICATOR))
    services.competency_create(version=draft, parent=speaking, fields=fields("COM.1.b", tier=Tier.INDICATOR))
    return draft


def codes(version: FrameworkVersion) -> list[str]:
    return [c.human_code for c in version_tree(version)]


def test_new_framework_gets_the_default_scale_and_a_tree_in_order(district: Organization) -> None:
    draft = small_framework(district)
    assert codes(draft) == ["COM", "COM.1", "COM.1.a", "COM.1.b", "THINK"]
    scale = draft.framework.scale
    levels = list(scale.levels.values_list("value", "label", "meets_mastery"))
    assert levels == [
        (1, "Beginning", False),
        (2, "Developing", False),
        (3, "Proficient", True),
        (4, "Advanced", True),
    ]


def test_publishing_freezes_the_version(district: Organization, district_admin: User) -> None:
    draft = small_framework(district)
    published = services.version_publish(version=draft, actor=district_admin)
    assert published.status == VersionStatus.PUBLISHED
    assert published.published_by == district_admin
    competency = published.competencies.get(human_code="COM.1")
    statement_before = competency.full_statement
    with pytest.raises(Frozen, match="published and cannot change"):
        services.competency_update(competency=competency, fields=fields("COM.1", "Changed"))
    with pytest.raises(Frozen):
        services.competency_create(version=published, parent=None, fields=fields("NEW"))
    with pytest.raises(Frozen):
        services.competency_delete(competency=competency)
    with pytest.raises(Frozen):
        services.version_publish(version=published, actor=district_admin)
    competency.refresh_from_db()
    assert competency.full_statement == statement_before
    assert published.competencies.count() == 5


def test_a_new_draft_copies_the_tree_and_maps_each_competency_to_its_original(district: Organization) -> None:
    first = services.version_publish(version=small_framework(district), actor=None)
    draft = services.draft_create(framework=first.framework)
    assert draft.number == 2
    assert draft.based_on == first
    assert codes(draft) == codes(first)
    originals = {c.pk: c.human_code for c in first.competencies.all()}
    assert {originals[c.replaces_id] for c in draft.competencies.all()} == set(originals.values())
    assert all(c.human_code == originals[c.replaces_id] for c in draft.competencies.all())
    with pytest.raises(FrameworkError, match="already has a draft"):
        services.draft_create(framework=first.framework)


def test_diff_between_versions_names_what_was_added_changed_and_removed(district: Organization) -> None:
    first = services.version_publish(version=small_framework(district), actor=None)
    draft = services.draft_create(framework=first.framework)
    services.competency_update(
        competency=draft.competencies.get(human_code="COM.1"), fields=fields("COM.1", "New words")
    )
    services.competency_delete(competency=draft.competencies.get(human_code="COM.1.b"))
    services.competency_create(
        version=draft, parent=draft.competencies.get(human_code="THINK"), fields=fields("THINK.1")
    )
    diff = version_diff(first, draft)
    assert [s.human_code for s in diff.added] == ["THINK.1"]
    assert [s.human_code for s in diff.removed] == ["COM.1.b"]
    assert [(c.human_code, c.fields) for c in diff.changed] == [("COM.1", ("full_statement",))]
    assert diff.summary == "1 added, 1 changed, 1 removed."
    services.version_publish(version=draft, actor=None)
    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert version_diff(first, draft).summary == diff.summary


def test_moving_a_competency_under_its_own_indicator_is_refused(district: Organization) -> None:
    draft = small_framework(district)
    speaking = draft.competencies.get(human_code="COM.1")
    indicator = draft.competencies.get(human_code="COM.1.a")
    with pytest.raises(FrameworkError, match="cannot move under itself"):
        services.competency_update(competency=speaking, fields=fields("COM.1"), move=True, parent=indicator)
    services.competency_update(
        competency=speaking,
        fields=fields("COM.1"),
        move=True,
        parent=draft.competencies.get(human_code="THINK"),
    )
    assert codes(draft) == ["COM", "THINK", "COM.1", "COM.1.a", "COM.1.b"]
    assert Competency.objects.get(pk=indicator.pk).depth == 2


def test_bad_competency_fields_are_all_reported_and_nothing_is_written(district: Organization) -> None:
    draft = small_framework(district)
    before = draft.competencies.count()
    bad = CompetencyFields(human_code="X", full_statement="  ", tier="chapter", education_levels=("Grade 9",))
    with pytest.raises(FrameworkError) as refused:
        services.competency_create(version=draft, parent=None, fields=bad)
    assert len(refused.value.problems) == 3
    assert "full statement" in refused.value.problems[0]
    assert draft.competencies.count() == before


def test_a_scale_in_use_cannot_change(district: Organization) -> None:
    scale = services.default_scale(owner=district)
    renamed = [LevelSpec(1, "Not yet"), LevelSpec(2, "Almost"), LevelSpec(3, "Yes", meets_mastery=True)]
    services.scale_update(scale=scale, name="Three levels", levels=renamed)
    assert list(scale.levels.values_list("label", flat=True)) == ["Not yet", "Almost", "Yes"]
    services.scale_mark_in_use(scale=scale)
    with pytest.raises(Frozen, match="used for scores"):
        services.scale_update(scale=scale, name="Other", levels=list(services.DEFAULT_SCALE_LEVELS))
    assert ProficiencyScale.objects.get(pk=scale.pk).name == "Three levels"
    assert ScaleLevel.objects.filter(scale=scale).count() == 3


@given(
    values=st.lists(st.integers(min_value=0, max_value=20), min_size=2, max_size=8, unique=True),
    threshold=st.integers(min_value=0, max_value=7),
)
def test_a_scale_with_mastery_at_the_top_levels_is_valid(values: list[int], threshold: int) -> None:
    ordered = sorted(values)
    cut = min(threshold, len(ordered) - 1)
    levels = [LevelSpec(v, f"Level {v}", meets_mastery=i >= cut) for i, v in enumerate(ordered)]
    assert services.scale_problems(levels) == []
    if cut > 0 and len(ordered) > 2:
        # A non-mastery level above a mastery level is never allowed.
        gap = [LevelSpec(v, f"Level {v}", meets_mastery=i == cut - 1) for i, v in enumerate(ordered)]
        assert "Every level above the mastery threshold must also meet mastery." in services.scale_problems(
            gap
        )


def test_scale_problems_lists_every_problem() -> None:
    problems = services.scale_problems([LevelSpec(1, "Same"), LevelSpec(1, "same")])
    assert problems == [
        "Two levels have the same value.",
        "Two levels have the same label.",
        "At least one level must meet mastery.",
    ]


def test_rubric_needs_text_for_every_level_in_both_languages(district: Organization) -> None:
    draft = small_framework(district)
    scale = draft.framework.scale
    competency = draft.competencies.get(human_code="COM.1")
    complete = {float(v): (f"Teacher {v}", f"I can {v}") for v in (1, 2, 3, 4)}
    rubric = services.rubric_create(
        owner=district,
        title="Speaking",
        scale=scale,
        criteria=[services.CriterionSpec(competency=competency, title="Clarity", cells=complete)],
    )
    cells = list(rubric.criteria.get().cells.values_list("level__value", "student_description"))
    assert cells == [(1, "I can 1"), (2, "I can 2"), (3, "I can 3"), (4, "I can 4")]
    partial = {1.0: ("Teacher", "Student"), 5.0: ("Too high", "Too high")}
    with pytest.raises(FrameworkError) as refused:
        services.rubric_create(
            owner=district,
            title="Broken",
            scale=scale,
            criteria=[services.CriterionSpec(competency=competency, title="Clarity", cells=partial)],
        )
    assert "no text for level(s) 2, 3, 4" in str(refused.value)
    assert "level(s) 5" in str(refused.value)
    assert Rubric.objects.filter(title="Broken").count() == 0


def test_a_competency_a_rubric_assesses_cannot_be_deleted(district: Organization) -> None:
    draft = small_framework(district)
    competency = draft.competencies.get(human_code="COM.1.a")
    services.rubric_create(
        owner=district,
        title="Speaking",
        scale=draft.framework.scale,
        criteria=[
            services.CriterionSpec(
                competency=competency, title="Clarity", cells={float(v): ("T", "S") for v in (1, 2, 3, 4)}
            )
        ],
    )
    with pytest.raises(FrameworkError, match="rubric assesses"):
        services.competency_delete(competency=draft.competencies.get(human_code="COM.1"))
    assert draft.competencies.count() == 5


def test_discarding_the_only_draft_removes_the_framework(district: Organization, demo: Demo) -> None:
    draft = small_framework(district)
    services.version_discard(version=draft)
    assert not demo.added(Framework).exists()
    assert not demo.added(Competency).exists()


def test_a_district_adopts_another_owners_published_framework_once(
    state: Organization, district: Organization
) -> None:
    standards = services.framework_create(owner=state, title="State standards")
    services.competency_create(version=standards, parent=None, fields=fields("S.1"))
    with pytest.raises(FrameworkError, match="no published version"):
        services.framework_adopt(
            framework=standards.framework, district=district, on=datetime.date(2026, 9, 1)
        )
    services.version_publish(version=standards, actor=None)
    first = services.framework_adopt(
        framework=standards.framework, district=district, on=datetime.date(2026, 9, 1)
    )
    again = services.framework_adopt(
        framework=standards.framework, district=district, on=datetime.date(2026, 10, 1)
    )
    assert first.pk == again.pk
    assert again.adopted_on == datetime.date(2026, 9, 1)
    own = services.framework_create(owner=district, title="Own profile")
    with pytest.raises(FrameworkError, match="nothing to adopt"):
        services.framework_adopt(framework=own.framework, district=district, on=datetime.date(2026, 9, 1))
    with pytest.raises(FrameworkError, match="Only a district"):
        services.framework_adopt(framework=standards.framework, district=state, on=datetime.date(2026, 9, 1))

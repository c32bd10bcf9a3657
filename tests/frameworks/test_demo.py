"""The demo frameworks: graduate profiles, adopted content frameworks, rubrics, and a draft to review."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest

from waypoint.core.demo import DemoSummary
from waypoint.core.models import Organization
from waypoint.frameworks.demo import load_demo_frameworks
from waypoint.frameworks.models import (
    Alignment,
    Competency,
    Framework,
    FrameworkAdoption,
    FrameworkKind,
    Rubric,
    RubricCell,
    Tier,
    VersionStatus,
)
from waypoint.frameworks.selectors import version_diff

pytestmark = pytest.mark.django_db


def test_demo_frameworks_cover_the_graduate_profile_four_subjects_and_a_cte_cluster() -> None:
    riverside, hillcrest = (Organization.objects.get(slug=slug) for slug in ("riverside", "hillcrest"))
    for district in (riverside, hillcrest):
        profile = Framework.objects.get(owner=district, kind=FrameworkKind.GRADUATE_PROFILE)
        published = profile.versions.get(status=VersionStatus.PUBLISHED)
        domains = published.competencies.filter(tier=Tier.DOMAIN)
        assert domains.count() == 6
        assert published.competencies.filter(tier=Tier.INDICATOR).count() > 2 * domains.count()
        assert not published.competencies.filter(tier=Tier.COMPETENCY, student_statement="").exists()
        assert Rubric.objects.filter(owner=district).exists()
    state_frameworks = Framework.objects.filter(owner__kind=Organization.Kind.STATE)
    assert {f.kind for f in state_frameworks} == {FrameworkKind.CONTENT, FrameworkKind.CAREER}
    assert state_frameworks.count() == 5
    assert FrameworkAdoption.objects.filter(district=riverside).count() == 5
    assert not RubricCell.objects.filter(student_description="").exists()
    scale_labels = list(state_frameworks.first().scale.levels.values_list("label", "meets_mastery"))  # type: ignore[union-attr]
    assert scale_labels == [
        ("Beginning", False),
        ("Developing", False),
        ("Proficient", True),
        ("Advanced", True),
    ]

    draft = Framework.objects.get(owner=riverside, kind=FrameworkKind.GRADUATE_PROFILE).versions.get(
        status=VersionStatus.DRAFT
    )
    diff = version_diff(draft.based_on, draft)  # type: ignore[arg-type]
    assert (len(diff.added), len(diff.changed), len(diff.removed)) == (1, 1, 0)

    assert (
        load_demo_frameworks(
            state=riverside.parent,
            districts=[riverside, hillcrest],
            today=datetime.date(2026, 11, 25),  # type: ignore[arg-type]
        )
        == {}
    )
    assert Framework.objects.count() == 7


def test_demo_aligns_math_and_ela_to_common_core_when_the_file_is_at_hand(
    shared_data: Path, load_demo_into_empty_db: Callable[..., DemoSummary]
) -> None:
    load_demo_into_empty_db(scale=0.1, ccss_path=shared_data / "case" / "ccss_math_opensalt_2017.json")
    ccss = Framework.objects.get(title="Common Core State Standards for Mathematics")
    assert ccss.versions.get().competencies.count() == 703
    assert FrameworkAdoption.objects.filter(framework=ccss).count() == 2
    math_alignments = Alignment.objects.filter(
        competency__version__framework__title__startswith="Mathematics"
    )
    assert math_alignments.count() > 20
    ccss_ids = set(
        Competency.objects.filter(version__framework=ccss).values_list("case_identifier", flat=True)
    )
    assert {a.target_identifier for a in math_alignments} <= ccss_ids

"""A small published framework (a domain, two competencies, four indicators) in a district of its own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.evidence.conftest import scene  # noqa: F401  (the evidence tests' scene, for the scoring tests)
from tests.factories import DistrictFactory, StudentFactory, UserFactory
from waypoint.core.models import Organization, Student, User
from waypoint.frameworks.models import Competency, Framework, FrameworkVersion, Tier
from waypoint.frameworks.services import (
    CompetencyFields,
    competency_create,
    framework_create,
    version_publish,
)


@dataclass(frozen=True)
class Tree:
    district: Organization
    version: FrameworkVersion
    framework: Framework
    domain: Competency
    competencies: list[Competency]
    indicators: list[Competency]
    students: list[Student]
    scorer: User


@pytest.fixture
def tree(db: None) -> Tree:
    """A domain with two competencies, each with two indicators, on the default 1-4 scale (mastery at 3)."""
    district = DistrictFactory()
    version = framework_create(owner=district, title="Engine test profile")
    domain = competency_create(
        version=version, parent=None, fields=CompetencyFields("D", "Domain", tier=Tier.DOMAIN)
    )
    competencies, indicators = [], []
    for number in (1, 2):
        competency = competency_create(
            version=version, parent=domain, fields=CompetencyFields(f"D.{number}", f"Competency {number}")
        )
        competencies.append(competency)
        for part in (1, 2):
            indicators.append(
                competency_create(
                    version=version,
                    parent=competency,
                    fields=CompetencyFields(f"D.{number}.{part}", f"Indicator {part}", tier=Tier.INDICATOR),
                )
            )
    version = version_publish(version=version, actor=None)
    return Tree(
        district=district,
        version=version,
        framework=version.framework,
        domain=domain,
        competencies=competencies,
        indicators=indicators,
        students=[StudentFactory(district=district) for _ in range(3)],
        scorer=UserFactory(district=district),
    )

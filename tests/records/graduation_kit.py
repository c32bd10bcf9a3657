"""Small rule sets from the demo's competencies, shared by the graduation tests (no big fixtures)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.models import Student, User
from waypoint.frameworks.models import Competency, Framework, FrameworkKind, VersionStatus
from waypoint.mastery.models import MasteryLevel
from waypoint.records.models import (
    Exhibition,
    ExhibitionKind,
    ExhibitionOutcome,
    ExhibitionStatus,
    GraduationRuleSet,
)
from waypoint.records.services.graduation import RequirementSpec, rule_set_save


def ctx(user: User) -> RequestContext:
    return RequestContext(user=user)


@dataclass(frozen=True)
class Profile:
    """Riverside's graduate profile: its framework, a domain with its leaves, and one leaf to require."""

    framework: Framework
    domain: Competency
    leaf: Competency
    domains: int


def profile(demo: Demo) -> Profile:
    framework = Framework.objects.get(owner=demo.riverside, kind=FrameworkKind.GRADUATE_PROFILE)
    version = framework.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number")[0]
    roots = list(Competency.objects.filter(version=version, parent__isnull=True).order_by("path"))
    domain = next(root for root in roots if root.children.exists())
    leaf = Competency.objects.filter(
        version=version, path__startswith=domain.path + ".", children__isnull=True
    )
    return Profile(framework=framework, domain=domain, leaf=leaf.order_by("path")[0], domains=len(roots))


def senior_project_rules(demo: Demo, student: Student, *, publish: bool = True) -> GraduationRuleSet:
    """One competency at mastery and a Senior Demonstration Project, for the student's cohort."""
    p = profile(demo)
    assert student.cohort_year is not None
    return rule_set_save(
        context=ctx(demo.users["district-admin"]),
        district=demo.riverside,
        cohort_year=student.cohort_year,
        title="Test diploma",
        requirements=[
            RequirementSpec(kind="competency", competency_id=p.leaf.pk),
            RequirementSpec(
                kind="experience", experience="senior_project", label="A Senior Demonstration Project"
            ),
        ],
        publish=publish,
    )


def reach(student: Student, competency: Competency, *, mastery: bool, value: float = 3.0) -> None:
    MasteryLevel.objects.update_or_create(
        student=student,
        competency=competency,
        defaults={
            "district_id": student.district_id,
            "framework_version_id": competency.version_id,
            "level": value,
            "meets_mastery": mastery,
            "method": "test",
        },
    )


def hold_senior_project(student: Student) -> Exhibition:
    return Exhibition.objects.create(
        district_id=student.district_id,
        student=student,
        kind=ExhibitionKind.SENIOR_PROJECT,
        title="Restoring the river",
        scheduled_at=timezone.now() - datetime.timedelta(days=2),
        status=ExhibitionStatus.HELD,
        outcome=ExhibitionOutcome.PASSED,
        held_on=timezone.localdate() - datetime.timedelta(days=2),
    )

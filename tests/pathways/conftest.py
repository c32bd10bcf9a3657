"""A small world for the pathways tests, and for the catalog and profiles tests (tests/catalog/conftest.py and
tests/profiles/conftest.py use this `world`): a district with a high school, a grade-10 student with an
account, their guardian, advisor and teacher, an administrator, an external mentor, a published graduate
profile, a provider and an internship; and a second district with its own teacher and student."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import pytest
from django.db.models import Model

from tests.factories import (
    CaseloadFactory,
    DistrictFactory,
    EnrollmentFactory,
    GuardianLinkFactory,
    RoleFactory,
    RosterFactory,
    SchoolFactory,
    SectionFactory,
    SectionTeacherFactory,
    StateFactory,
    StudentFactory,
    UserFactory,
)
from waypoint.catalog import services as catalog_services
from waypoint.catalog.models import Location, Opportunity, OpportunityKind, Provider, ProviderKind
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid
from waypoint.core.models import AuditEvent, Organization, Role, Student, User
from waypoint.frameworks import services as framework_services
from waypoint.frameworks.models import Competency, FrameworkKind, Tier
from waypoint.pathways import services
from waypoint.pathways.models import PathEvent, PathProposal
from waypoint.policy import today
from waypoint.profiles import services as profile_services
from waypoint.profiles.models import (
    GoalDomain,
    GoalMilestone,
    LearnerProfile,
    LearnerProfileRevision,
    PlanAcknowledgement,
    PlanGoal,
    PlanReview,
    ProfileComment,
    SuccessPlan,
)


@dataclass
class World:
    district: Organization
    school: Organization
    other_district: Organization
    student: Student
    classmate: Student
    outsider: Student
    student_user: User
    guardian: User
    advisor: User
    teacher: User
    admin: User
    mentor: User
    other_teacher: User
    analyst: User
    competencies: list[Competency]
    provider: Provider
    internship: Opportunity

    def context(self, user: User) -> RequestContext:
        return RequestContext(user=user)


def publish_profile(district: Organization, codes: list[str]) -> list[Competency]:
    """A published graduate profile of the district: one domain ("Collaboration") with the competencies."""
    version = framework_services.framework_create(
        owner=district, title=f"{district.name} profile", kind=FrameworkKind.GRADUATE_PROFILE
    )
    domain = framework_services.competency_create(
        version=version,
        parent=None,
        fields=framework_services.CompetencyFields(
            human_code="COL", full_statement="Collaboration", tier=Tier.DOMAIN
        ),
    )
    rows = [
        framework_services.competency_create(
            version=version,
            parent=domain,
            fields=framework_services.CompetencyFields(human_code=code, full_statement=f"Statement {code}."),
        )
        for code in codes
    ]
    framework_services.version_publish(version=version, actor=None)
    return list(Competency.objects.filter(pk__in=[row.pk for row in rows]).order_by("path"))


def opportunity(
    district: Organization, provider: Provider, *, title: str = "Internship", **values: object
) -> Opportunity:
    fields = {
        "title": title,
        "kind": OpportunityKind.INTERNSHIP,
        "provider": provider,
        "location": Location.COMMUNITY,
        **values,
    }
    return catalog_services.opportunity_save(
        district=district, fields=catalog_services.OpportunityFields(**fields), actor=None
    )  # type: ignore[arg-type]


@pytest.fixture
def world(db: None) -> World:
    state = StateFactory()
    district = DistrictFactory(parent=state, name="Riverbend")
    other_district = DistrictFactory(parent=state, name="Lakeside")
    school = SchoolFactory(parent=district, name="Riverbend High")
    other_school = SchoolFactory(parent=other_district)
    student_user = UserFactory(district=district, first_name="Jo", last_name="Student")
    student = StudentFactory(district=district, user=student_user, first_name="Jo", last_name="Student")
    EnrollmentFactory(student=student, school=school, grade_level=10)
    classmate = StudentFactory(district=district, first_name="Kim", last_name="Classmate")
    EnrollmentFactory(student=classmate, school=school, grade_level=11)
    outsider = StudentFactory(district=other_district)
    EnrollmentFactory(student=outsider, school=other_school, grade_level=10)

    guardian = UserFactory(district=district)
    GuardianLinkFactory(guardian=guardian, student=student)
    advisor = UserFactory(district=district, first_name="Ada", last_name="Advisor")
    RoleFactory(user=advisor, role=Role.ADVISOR, organization=school)
    CaseloadFactory(advisor=advisor, student=student)
    CaseloadFactory(advisor=advisor, student=classmate)
    teacher = UserFactory(district=district)
    RoleFactory(user=teacher, role=Role.TEACHER, organization=school)
    section = SectionFactory(school=school)
    SectionTeacherFactory(section=section, teacher=teacher)
    RosterFactory(section=section, student=student)
    admin = UserFactory(district=district)
    RoleFactory(user=admin, role=Role.DISTRICT_ADMIN, organization=district)
    mentor = UserFactory(district=district, first_name="Gus", last_name="Mentor")
    RoleFactory(user=mentor, role=Role.MENTOR, organization=district)
    other_teacher = UserFactory(district=other_district)
    RoleFactory(user=other_teacher, role=Role.TEACHER, organization=other_school)
    other_section = SectionFactory(school=other_school)
    SectionTeacherFactory(section=other_section, teacher=other_teacher)
    RosterFactory(section=other_section, student=outsider)
    analyst = UserFactory()
    RoleFactory(user=analyst, role=Role.STATE_ANALYST, organization=state, district=None)

    competencies = publish_profile(district, ["COL.1", "COL.2", "COL.3"])
    provider = catalog_services.provider_save(
        district=district,
        fields=catalog_services.ProviderFields(
            name="Acme Machining", kind=ProviderKind.EMPLOYER, mentor=mentor
        ),
    )
    internship = opportunity(
        district,
        provider,
        title="Machining internship",
        capacity=2,
        min_grade=10,
        max_grade=12,
        competencies=competencies[:2],
        career_cluster="manufacturing",
        topics=["robotics", "machines"],
    )
    return World(
        district=district,
        school=school,
        other_district=other_district,
        student=student,
        classmate=classmate,
        outsider=outsider,
        student_user=student_user,
        guardian=guardian,
        advisor=advisor,
        teacher=teacher,
        admin=admin,
        mentor=mentor,
        other_teacher=other_teacher,
        analyst=analyst,
        competencies=competencies,
        provider=provider,
        internship=internship,
    )


def proposal(opportunity: Opportunity | None = None, **values: object) -> services.ProposalFields:
    fields: dict[str, object] = {
        "rationale": "It fits my interest in machines.",
        "starts_on": today(),
        "ends_on": today() + datetime.timedelta(days=60),
        "opportunity": opportunity,
        **values,
    }
    return services.ProposalFields(**fields)  # type: ignore[arg-type]


def propose(world: World, student: Student | None = None, **values: object) -> PathProposal:
    student = student or world.student
    assert student.user is not None
    opportunity_value = values.pop("opportunity", world.internship)
    return services.path_propose(
        context=RequestContext(user=student.user),
        student=student,
        fields=proposal(opportunity_value, **values),  # type: ignore[arg-type]
    )


def enrolled_student(world: World, grade: int) -> Student:
    user = UserFactory(district=world.district)
    student = StudentFactory(district=world.district, user=user)
    EnrollmentFactory(student=student, school=world.school, grade_level=grade)
    return student


def goal(domain: str = GoalDomain.ACADEMIC, **values: object) -> profile_services.GoalFields:
    return profile_services.GoalFields(domain=domain, statement="Reach mastery in algebra.", **values)  # type: ignore[arg-type]


# Every table a refused write of the profiles, the catalog or the paths must leave as it was.
WRITTEN: tuple[type[Model], ...] = (
    LearnerProfile,
    LearnerProfileRevision,
    ProfileComment,
    SuccessPlan,
    PlanGoal,
    GoalMilestone,
    PlanReview,
    PlanAcknowledgement,
    Provider,
    Opportunity,
    PathProposal,
    PathEvent,
    AuditEvent,
)

E = TypeVar("E", bound=Invalid)


@contextmanager
def nothing_written_by(error: type[E], match: str | None = None) -> Iterator[pytest.ExceptionInfo[E]]:
    """The block raises `error` (whose message matches) and leaves every table of the profiles, the catalog,
    the paths and the audit log as they were."""
    before = {model: model.objects.count() for model in WRITTEN}
    with pytest.raises(error, match=match) as refused:
        yield refused
    assert {model: model.objects.count() for model in WRITTEN} == before

"""factory_boy factories for core records. Dates default to spans that include today."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from waypoint.core.models import (
    AdvisorAssignment,
    GuardianLink,
    Organization,
    Role,
    RoleAssignment,
    Section,
    SectionEnrollment,
    SectionTeacher,
    Student,
    StudentDemographics,
    StudentEnrollment,
    TeacherCertification,
    User,
)


def _today() -> datetime.date:
    return timezone.localdate()


def _year_ago() -> datetime.date:
    return _today() - datetime.timedelta(days=365)


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.STATE
    name = factory.Sequence(lambda n: f"State {n}")
    slug = factory.Sequence(lambda n: f"state-{n}")
    sourced_id = factory.Sequence(lambda n: f"state-{n}")


class DistrictFactory(StateFactory):
    kind = Organization.Kind.DISTRICT
    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    sourced_id = factory.Sequence(lambda n: f"district-{n}")
    parent = factory.SubFactory(StateFactory)


class SchoolFactory(StateFactory):
    kind = Organization.Kind.SCHOOL
    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")
    sourced_id = factory.Sequence(lambda n: f"school-{n}")
    parent = factory.SubFactory(DistrictFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.django.Password(None)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.TEACHER
    organization = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(
        lambda o: (
            o.organization if o.organization.kind == Organization.Kind.DISTRICT else o.organization.parent
        )
    )
    starts_on = factory.LazyFunction(_year_ago)


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeacherCertification

    teacher = factory.SubFactory(UserFactory)
    number = factory.Sequence(lambda n: f"CT-{n:06d}")
    area = "Mathematics 7-12"
    issued_on = factory.LazyFunction(_year_ago)
    expires_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=365))


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    district = factory.SubFactory(DistrictFactory)
    sourced_id = factory.Sequence(lambda n: f"stu-{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    cohort_year = 2025


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentEnrollment

    student = factory.SubFactory(StudentFactory)
    school = factory.SubFactory(SchoolFactory, parent=factory.SelfAttribute("..student.district"))
    district = factory.SelfAttribute("student.district")
    grade_level = 10
    entry_date = factory.LazyFunction(_year_ago)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    school = factory.SubFactory(SchoolFactory)
    district = factory.SelfAttribute("school.parent")
    sourced_id = factory.Sequence(lambda n: f"section-{n}")
    title = factory.Sequence(lambda n: f"Algebra {n}")
    subject = "Mathematics"
    starts_on = factory.LazyFunction(_year_ago)
    ends_on = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=200))


class SectionTeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectionTeacher

    section = factory.SubFactory(SectionFactory)
    teacher = factory.SubFactory(UserFactory)
    starts_on = factory.LazyFunction(_year_ago)


class RosterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectionEnrollment

    section = factory.SubFactory(SectionFactory)
    student = factory.SubFactory(StudentFactory, district=factory.SelfAttribute("..section.district"))
    district = factory.SelfAttribute("section.district")
    starts_on = factory.LazyFunction(_year_ago)


class CaseloadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisorAssignment

    advisor = factory.SubFactory(UserFactory)
    student = factory.SubFactory(StudentFactory)
    district = factory.SelfAttribute("student.district")
    starts_on = factory.LazyFunction(_year_ago)


class GuardianLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardianLink

    guardian = factory.SubFactory(UserFactory)
    student = factory.SubFactory(StudentFactory)
    district = factory.SelfAttribute("student.district")
    starts_on = factory.LazyFunction(_year_ago)


class DemographicsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentDemographics

    student = factory.SubFactory(StudentFactory)
    district = factory.SelfAttribute("student.district")

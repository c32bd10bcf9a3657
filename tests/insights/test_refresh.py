"""The refresh of a district's aggregates, on a small district of our own whose every figure is worked out by
hand below (the demo's districts are there too, and must not be touched)."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model

from tests.factories import (
    CertificationFactory,
    DemographicsFactory,
    DistrictFactory,
    EnrollmentFactory,
    RoleFactory,
    SchoolFactory,
    SectionFactory,
    StudentFactory,
    UserFactory,
)
from waypoint.catalog.models import Opportunity, OpportunityKind, Provider
from waypoint.core.audit import RequestContext
from waypoint.core.models import AuditAction, AuditEvent, Gender, Organization, Role, Student, User
from waypoint.evidence.models import Assessment, AssessmentKind, Evidence, EvidenceKind
from waypoint.frameworks.models import FrameworkVersion
from waypoint.insights.dimensions import DIMENSIONS
from waypoint.insights.models import (
    AggregateRefresh,
    CohortFigures,
    EvidenceVolume,
    GroupFigures,
    MonthlyFigures,
)
from waypoint.insights.services.refresh import refresh_all, refresh_district
from waypoint.mastery.models import MasteryLevelChange
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.progress.models import Advancement, Alert, AlertKind, FollowUp, Status, StudentProgress, Support

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 3, 15)
LOCAL = ZoneInfo("America/New_York")
UTC = datetime.UTC


def at(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=LOCAL)


@dataclass
class World:
    district: Organization
    other: Organization
    a: Organization
    b: Organization
    admin: User


def _student(district: Organization, cohort: int | None, **demographics: Any) -> Student:
    student = StudentFactory(district=district, cohort_year=cohort)
    if demographics:
        DemographicsFactory(student=student, **demographics)
    return student


def _progress(student: Student, status: str, mastered: int, pace: float) -> None:
    StudentProgress.objects.create(
        student=student, district=student.district, status=status, mastered=mastered, required=40, pace=pace
    )


def _mastery(student: Student, competency: int, when: datetime.datetime, *, meets: bool = True) -> None:
    # MasteryLevelChange's competency has no database constraint: a number is enough for a key.
    MasteryLevelChange.objects.create(
        district=student.district,
        student=student,
        competency_id=competency,
        level=3.0 if meets else 1.0,
        meets_mastery=meets,
        method="test",
        changed_at=when,
    )


@pytest.fixture
def world() -> World:
    """Schools A and B of a new district; the students, as the refresh on ON must key them:

    - s1: A, grade 10, cohort 2024; female, Hispanic (and white), English learner, economically
      disadvantaged; on track, 10 of 40 mastered, pace 1.2; an internship and a dual enrollment this year.
    - s2: A, grade 10, cohort 2024; male, two or more races (Asian and white); ahead, 20 mastered, pace
      3.5; an approved independent study.
    - s3: A, grade 10, cohort 2024; no demographics, no progress row; enrollment ends on ON (still counted);
      a proposed internship (not taking part).
    - s4: B, grade 9, cohort 2025; nonbinary, Black, IEP and 504; off track, 2 mastered, pace 0.2; a CTE
      program last school year (not counted).
    - s5: B, grade 9, no cohort; female, white; progress "not started" (pace 0, not paced).
    - s6: exited A the day before ON: not counted, nor are its events.
    - s7: two enrollments open on ON, B grade 9 (older) and A grade 11 (newer): keyed A, grade 11, cohort
      2023; male, American Indian; at risk, 5 mastered, pace 0.7.
    """
    district = DistrictFactory()
    other = DistrictFactory(parent=district.parent)
    a = SchoolFactory(parent=district)
    b = SchoolFactory(parent=district)
    since = datetime.date(2025, 8, 25)
    s1 = _student(
        district,
        2024,
        gender=Gender.FEMALE,
        hispanic_or_latino=True,
        white=True,
        english_learner=True,
        economically_disadvantaged=True,
    )
    s2 = _student(district, 2024, gender=Gender.MALE, asian=True, white=True)
    s3 = _student(district, 2024)
    s4 = _student(
        district,
        2025,
        gender=Gender.NONBINARY,
        black_or_african_american=True,
        students_with_disabilities=True,
        section_504=True,
    )
    s5 = _student(district, None, gender=Gender.FEMALE, white=True)
    s6 = _student(district, 2024, gender=Gender.FEMALE, white=True)
    s7 = _student(district, 2023, gender=Gender.MALE, american_indian_or_alaska_native=True)
    for student in (s1, s2):
        EnrollmentFactory(student=student, school=a, grade_level=10, entry_date=since)
    EnrollmentFactory(student=s3, school=a, grade_level=10, entry_date=since, exit_date=ON)
    for student in (s4, s5):
        EnrollmentFactory(student=student, school=b, grade_level=9, entry_date=since)
    EnrollmentFactory(
        student=s6, school=a, grade_level=10, entry_date=since, exit_date=ON - datetime.timedelta(days=1)
    )
    EnrollmentFactory(student=s7, school=b, grade_level=9, entry_date=datetime.date(2025, 8, 1))
    EnrollmentFactory(student=s7, school=a, grade_level=11, entry_date=datetime.date(2025, 9, 1))

    _progress(s1, Status.ON_TRACK, 10, 1.2)
    _progress(s2, Status.AHEAD, 20, 3.5)
    _progress(s4, Status.OFF_TRACK, 2, 0.2)
    _progress(s5, Status.UNKNOWN, 0, 0.0)
    _progress(s6, Status.ON_TRACK, 9, 1.0)
    _progress(s7, Status.AT_RISK, 5, 0.7)

    staff = UserFactory(district=district)
    provider = Provider.objects.create(district=district, name="Works", kind="employer")

    def opportunity(kind: str) -> Opportunity:
        return Opportunity.objects.create(
            district=district, provider=provider, title=kind, kind=kind, location="on_site"
        )

    internship = opportunity(OpportunityKind.INTERNSHIP)

    def path(student: Student, status: str, found: Opportunity | None, starts: datetime.date) -> PathProposal:
        return PathProposal.objects.create(
            student=student,
            district=district,
            status=status,
            opportunity=found,
            question="" if found else "How do bridges stand?",
            rationale="Because",
            starts_on=starts,
            ends_on=starts + datetime.timedelta(days=200),
        )

    s1_internship = path(s1, PathStatus.ACTIVE, internship, datetime.date(2025, 9, 1))
    path(s1, PathStatus.COMPLETED, opportunity(OpportunityKind.DUAL_ENROLLMENT), datetime.date(2025, 9, 1))
    s2_study = path(s2, PathStatus.APPROVED, None, datetime.date(2025, 6, 1))
    path(s3, PathStatus.PROPOSED, internship, datetime.date(2025, 9, 1))
    path(s4, PathStatus.ACTIVE, opportunity(OpportunityKind.CTE_PROGRAM), datetime.date(2024, 9, 1))

    # Mastery: s1's competency 1 first at mastery in November 2025 (again in January: not a second gain);
    # s1's competency 2 first in 2022, before the 36 months; s2's competency 1 in March 2026, competency 3
    # after ON, competency 4 at 3 a.m. UTC on March 1 (still February 28 in the district's time zone).
    _mastery(s1, 1, at(2025, 10, 3), meets=False)
    _mastery(s1, 1, at(2025, 11, 10))
    _mastery(s1, 1, at(2026, 1, 5))
    _mastery(s1, 2, at(2022, 1, 10))
    _mastery(s1, 2, at(2025, 12, 1))
    _mastery(s2, 1, at(2026, 3, 10))
    _mastery(s2, 3, at(2026, 3, 20))
    _mastery(s2, 4, datetime.datetime(2026, 3, 1, 3, tzinfo=UTC))
    _mastery(s6, 1, at(2026, 1, 5))

    certification = CertificationFactory(teacher=staff)
    Advancement.objects.create(
        district=district,
        student=s1,
        from_section=SectionFactory(school=a),
        to_section=SectionFactory(school=a),
        advanced_on=datetime.date(2026, 2, 10),
        recorded_by=staff,
        certification=certification,
        requirements_met=True,
    )
    Alert.objects.create(
        district=district,
        student=s2,
        kind=AlertKind.NO_EVIDENCE,
        cause="s2",
        opened_at=at(2026, 1, 15),
        closed_at=at(2026, 2, 20),
    )
    Alert.objects.create(
        district=district, school=a, kind=AlertKind.SUBGROUP_PACE, cause="school", opened_at=at(2026, 1, 15)
    )
    Alert.objects.create(
        district=district, student=s6, kind=AlertKind.STUCK, cause="s6", opened_at=at(2026, 1, 9)
    )
    support = {"district": district, "student": s4, "kind": "tutoring", "owner": staff}
    Support.objects.create(
        **support,
        starts_on=datetime.date(2026, 2, 1),
        follow_up_on=datetime.date(2026, 3, 1),
        created_at=at(2026, 2, 1),
        followed_up_at=datetime.datetime(2026, 3, 1, 15, tzinfo=UTC),
        follow_up_result=FollowUp.CLEARED,
    )
    Support.objects.create(
        **support,
        starts_on=datetime.date(2026, 3, 2),
        follow_up_on=datetime.date(2026, 4, 1),
        created_at=at(2026, 3, 2),
        followed_up_at=at(2026, 3, 3),
        follow_up_result=FollowUp.NONE,
    )

    version = FrameworkVersion.objects.first()
    project = Assessment.objects.create(
        district=district,
        title="Bridge",
        kind=AssessmentKind.PROJECT,
        framework_version=version,
        created_by=staff,
    )

    def evidence(student: Student, when: datetime.datetime, **extra: Any) -> None:
        Evidence.objects.create(
            district=district,
            student=student,
            framework_version=version,
            title="Work",
            recorded_by=staff,
            submitted_at=when,
            **extra,
        )

    evidence(s1, at(2026, 1, 10))
    evidence(s1, at(2025, 10, 1), assessment=project, path=s1_internship)
    evidence(s1, at(2022, 9, 15))
    evidence(s1, at(2026, 3, 20))
    evidence(s2, at(2025, 6, 20), kind=EvidenceKind.OBSERVATION, path=s2_study)
    evidence(s6, at(2026, 1, 10))

    admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=district, user__district=district).user
    return World(district=district, other=other, a=a, b=b, admin=admin)


def _rows(model: type[Model], district: Organization, **filters: Any) -> list[dict[str, Any]]:
    rows = model.objects.filter(district=district, **filters).values()  # type: ignore[attr-defined]
    return sorted(
        ({key: value for key, value in row.items() if key != "id"} for row in rows),
        key=lambda row: tuple(str(value) for value in row.values()),
    )


def _key(world: World, school: Organization, grade: int, cohort: int | None) -> dict[str, Any]:
    return {"district_id": world.district.pk, "school_id": school.pk, "grade": grade, "cohort": cohort}


ZERO_GROUP = dict.fromkeys(
    (
        "students",
        "ahead",
        "on_track",
        "at_risk",
        "off_track",
        "not_started",
        "mastered",
        "required",
        "paced",
        "pace_band_0",
        "pace_band_1",
        "pace_band_2",
        "pace_band_3",
        "pace_band_4",
        "pace_band_5",
        "path_any",
        "path_internship",
        "path_apprenticeship",
        "path_dual_enrollment",
        "path_cte_program",
        "path_online_course",
        "path_community_service",
    ),
    0,
) | {"pace_total": 0.0}


def _group(
    world: World, school: Organization, grade: int, cohort: int | None, **values: Any
) -> dict[str, Any]:
    return _key(world, school, grade, cohort) | {"dimension": "all", "subgroup": "all"} | ZERO_GROUP | values


def test_group_figures_of_all_students(world: World) -> None:
    refresh_district(district_id=world.district.pk, on=ON)

    found = _rows(GroupFigures, world.district, dimension="all")
    for row in found:
        row["pace_total"] = round(row["pace_total"], 6)
    expected = [
        _group(
            world,
            world.a,
            10,
            2024,
            students=3,
            ahead=1,
            on_track=1,
            not_started=1,
            mastered=30,
            required=80,
            paced=2,
            pace_total=4.7,
            pace_band_2=1,
            pace_band_5=1,
            path_any=2,
            path_internship=1,
            path_dual_enrollment=1,
        ),
        _group(
            world,
            world.a,
            11,
            2023,
            students=1,
            at_risk=1,
            mastered=5,
            required=40,
            paced=1,
            pace_total=0.7,
            pace_band_1=1,
        ),
        _group(
            world,
            world.b,
            9,
            2025,
            students=1,
            off_track=1,
            mastered=2,
            required=40,
            paced=1,
            pace_total=0.2,
            pace_band_0=1,
        ),
        _group(world, world.b, 9, None, students=1, not_started=1, required=40),
    ]
    assert found == sorted(expected, key=lambda row: tuple(str(value) for value in row.values()))


def test_subgroups_follow_the_equal_access_rules(world: World) -> None:
    refresh_district(district_id=world.district.pk, on=ON)

    def students(dimension: str, school: Organization, grade: int) -> dict[str, int]:
        return {
            row["subgroup"]: row["students"]
            for row in GroupFigures.objects.filter(
                district=world.district, dimension=dimension, school=school, grade=grade
            ).values("subgroup", "students")
        }

    # s1 is Hispanic whatever her other race; s2 two or more; s3 has no demographics at all.
    assert students("race", world.a, 10) == {"hispanic": 1, "two_or_more": 1, "not_reported": 1}
    assert students("gender", world.a, 10) == {"female": 1, "male": 1, "not_reported": 1}
    assert students("english_learner", world.a, 10) == {"yes": 1, "no": 2}
    assert students("economically_disadvantaged", world.a, 10) == {"yes": 1, "no": 2}
    assert students("students_with_disabilities", world.a, 10) == {"no": 3}
    assert students("section_504", world.a, 10) == {"no": 3}
    assert students("race", world.a, 11) == {"american_indian": 1}
    assert students("race", world.b, 9) == {"black": 1, "white": 1}
    assert students("students_with_disabilities", world.b, 9) == {"yes": 1, "no": 1}
    assert students("section_504", world.b, 9) == {"yes": 1, "no": 1}
    hispanic = GroupFigures.objects.get(district=world.district, dimension="race", subgroup="hispanic")
    assert (hispanic.on_track, hispanic.path_internship, hispanic.path_dual_enrollment) == (1, 1, 1)
    unreported = GroupFigures.objects.get(
        district=world.district, dimension="gender", subgroup="not_reported"
    )
    assert (unreported.not_started, unreported.paced, unreported.path_any) == (1, 0, 0)


MONTHLY = (
    "mastered_gained",
    "advancements",
    "alerts_opened",
    "alerts_closed",
    "supports_opened",
    "supports_resolved",
    "evidence",
)


def _month(
    world: World, school: Organization, grade: int, cohort: int, month: datetime.date, **counts: int
) -> dict[str, Any]:
    return (
        _key(world, school, grade, cohort)
        | {"dimension": "all", "subgroup": "all", "month": month}
        | dict.fromkeys(MONTHLY, 0)
        | counts
    )


def test_monthly_figures(world: World) -> None:
    refresh_district(district_id=world.district.pk, on=ON)

    d = datetime.date
    expected = [
        _month(world, world.a, 10, 2024, d(2025, 6, 1), evidence=1),
        _month(world, world.a, 10, 2024, d(2025, 10, 1), evidence=1),
        _month(world, world.a, 10, 2024, d(2025, 11, 1), mastered_gained=1),
        _month(world, world.a, 10, 2024, d(2026, 1, 1), evidence=1, alerts_opened=1),
        _month(world, world.a, 10, 2024, d(2026, 2, 1), advancements=1, mastered_gained=1, alerts_closed=1),
        _month(world, world.a, 10, 2024, d(2026, 3, 1), mastered_gained=1),
        _month(world, world.b, 9, 2025, d(2026, 2, 1), supports_opened=1),
        _month(world, world.b, 9, 2025, d(2026, 3, 1), supports_opened=1, supports_resolved=1),
    ]
    key = lambda row: tuple(str(value) for value in row.values())  # noqa: E731
    assert _rows(MonthlyFigures, world.district, dimension="all") == sorted(expected, key=key)
    february = {
        row.subgroup: row
        for row in MonthlyFigures.objects.filter(
            district=world.district, dimension="race", month=datetime.date(2026, 2, 1), school=world.a
        )
    }
    assert set(february) == {"hispanic", "two_or_more"}
    assert (february["hispanic"].advancements, february["hispanic"].mastered_gained) == (1, 0)
    assert (february["two_or_more"].mastered_gained, february["two_or_more"].alerts_closed) == (1, 1)


def test_evidence_volume(world: World) -> None:
    refresh_district(district_id=world.district.pk, on=ON)

    found = {
        (row["school_year"], row["evidence_type"], row["path_kind"]): row["count"]
        for row in _rows(EvidenceVolume, world.district, dimension="all")
    }
    assert found == {
        (2025, "submission", ""): 1,
        (2025, AssessmentKind.PROJECT, OpportunityKind.INTERNSHIP): 1,
        (2024, EvidenceKind.OBSERVATION, OpportunityKind.INDEPENDENT_STUDY): 1,
        (2022, "submission", ""): 1,
    }
    assert set(
        EvidenceVolume.objects.filter(district=world.district).values_list("school_id", flat=True)
    ) == {world.a.pk}


def _sums(
    model: type[Model], district: Organization, extra: tuple[str, ...], measures: tuple[str, ...]
) -> dict[str, dict[tuple[Any, ...], tuple[float, ...]]]:
    found: dict[str, dict[tuple[Any, ...], list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0] * len(measures))
    )
    for row in model.objects.filter(district=district).values():  # type: ignore[attr-defined]
        key = (row["school_id"], row["grade"], row["cohort"], *(row[name] for name in extra))
        for index, name in enumerate(measures):
            found[row["dimension"]][key][index] += row[name]
    return {
        dimension: {key: tuple(round(value, 6) for value in values) for key, values in keyed.items()}
        for dimension, keyed in found.items()
    }


@pytest.mark.parametrize(
    ("model", "extra", "measures"),
    [
        (GroupFigures, (), tuple(ZERO_GROUP)),
        (MonthlyFigures, ("month",), MONTHLY),
        (EvidenceVolume, ("school_year", "evidence_type", "path_kind"), ("count",)),
    ],
)
def test_every_dimension_adds_up_to_all(
    world: World, model: type[Model], extra: tuple[str, ...], measures: tuple[str, ...]
) -> None:
    refresh_district(district_id=world.district.pk, on=ON)

    sums = _sums(model, world.district, extra, measures)
    assert set(sums) == {dimension.key for dimension in DIMENSIONS}
    for dimension in DIMENSIONS:
        assert sums[dimension.key] == sums["all"], dimension.key
    groups = {dimension.key: {value for value, _ in dimension.groups} for dimension in DIMENSIONS}
    for dimension, subgroup in model.objects.filter(district=world.district).values_list(
        "dimension", "subgroup"
    ):  # type: ignore[attr-defined]
        assert subgroup in groups[dimension]


def test_a_second_refresh_writes_the_same_rows_and_leaves_other_districts_alone(world: World) -> None:
    demo = Organization.objects.get(slug="riverside")
    refresh_district(district_id=demo.pk, on=ON)
    before_demo = {model: _rows(model, demo) for model in (GroupFigures, MonthlyFigures, EvidenceVolume)}
    assert before_demo[GroupFigures]

    first = refresh_district(district_id=world.district.pk, on=ON)
    rows = {model: _rows(model, world.district) for model in (GroupFigures, MonthlyFigures, EvidenceVolume)}
    second = refresh_district(district_id=world.district.pk, on=ON)

    assert {model: _rows(model, world.district) for model in rows} == rows
    assert first.rows == second.rows
    assert {model: _rows(model, demo) for model in before_demo} == before_demo


def test_the_refresh_is_recorded(world: World) -> None:
    refresh = refresh_district(district_id=world.district.pk, on=ON)

    written = sum(
        model.objects.filter(district=world.district).count()  # type: ignore[attr-defined]
        for model in (GroupFigures, MonthlyFigures, EvidenceVolume, CohortFigures)
    )
    assert refresh.rows == written > 0
    assert (refresh.district, refresh.as_of, refresh.requested_by) == (world.district, ON, None)
    assert refresh.started_at <= refresh.finished_at
    assert refresh.seconds >= 0
    assert AggregateRefresh.objects.filter(district=world.district).first() == refresh
    assert not AuditEvent.objects.filter(object_type="insights-refresh", district=world.district).exists()


def test_a_requested_refresh_is_audited(world: World) -> None:
    refresh = refresh_district(district_id=world.district.pk, on=ON, context=RequestContext(user=world.admin))

    assert refresh.requested_by == world.admin
    event = AuditEvent.objects.get(object_type="insights-refresh", district=world.district)
    assert (event.action, event.actor, event.object_id, event.student_id) == (
        AuditAction.UPDATE,
        world.admin,
        str(refresh.pk),
        None,
    )


def test_refresh_all_covers_every_district(world: World) -> None:
    refreshes = refresh_all(on=ON)

    assert {refresh.district_id for refresh in refreshes} == set(
        Organization.objects.filter(kind=Organization.Kind.DISTRICT).values_list("pk", flat=True)
    )
    assert GroupFigures.objects.filter(district=world.district, dimension="all").count() == 4


def test_the_command_refreshes_one_district(world: World) -> None:
    others = AggregateRefresh.objects.exclude(district=world.district).count()
    out = io.StringIO()
    call_command("insights-refresh", "--district", world.district.slug, "--on", ON.isoformat(), stdout=out)

    refresh = AggregateRefresh.objects.get(district=world.district)
    assert refresh.as_of == ON
    assert out.getvalue().startswith(f"{world.district.slug}: {refresh.rows} rows as of 2026-03-15 in ")
    assert AggregateRefresh.objects.exclude(district=world.district).count() == others


def test_the_command_refuses_an_unknown_district(world: World) -> None:
    before = AggregateRefresh.objects.count()
    with pytest.raises(CommandError, match="no-such-district"):
        call_command("insights-refresh", "--district", "no-such-district", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("insights-refresh", "--district", world.a.slug, stdout=io.StringIO())
    assert AggregateRefresh.objects.count() == before

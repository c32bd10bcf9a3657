"""The cohort figures the refresh writes (`services.cohort_figures.rebuild`), on a small hand-built district,
checked column by column against the model's definitions.

The district (two schools, North and South), as of 2026-10-15. Cohort 2020 (deadlines: year 3 2023-08-31,
year 4 2024-08-31, year 5 2025-08-31, year 6 2026-08-31):

Each student: demographics; enrollments (school: entry → exit, kind); what else.
- a: Hispanic, EL; North 2020-09-01 →; diploma 2023-06-15 (year 3).
- b: Asian; North 2020-09-01 →; diploma 2024-06-15 (year 4).
- c: Asian + White; North 2020-09-01 →; diploma 2025-06-15 (year 5).
- d: no demographics; North 2020-09-01 →; diploma 2026-08-31 (year 6, its last day).
- e: White; North 2020-09-01 → 2022-03-01 transferred: removed in year 2.
- f: White; North 2020-09-01 → 2024-10-01 emigrated: removed in year 5.
- g: Black, IEP; South 2021-01-10 → (arrived after October 1: a transfer in); diploma 2024-09-01 (year 5).
- h: Black; North 2020-09-01 → 2022-01-01 transferred, then South 2022-02-01 →: back, not removed.
- i: none; South 2020-09-01 →; record released to another district 2025-12-01: removed in year 6.
- j: none; South 2020-09-01 → 2023-05-01 dropped out: kept in the cohort, no diploma.
- k: none; South 2020-10-01 → (October 1 itself: first-time); a diploma of 2024-06-01 revoked, a standing
  one 2025-09-05 (year 6).
- l: none; South 2020-09-01 → 2024-06-20 transferred, with a diploma of 2024-06-15: a graduate, not removed.
- n: none; North 2020-09-01 →; diploma 2026-12-01, after the refresh day: not counted.

Cohort 2024 (windows open): m at North from 2024-09-01 with a diploma 2026-06-01 (year 2, so by year 3).
Outside the population: a student without a cohort year; a student of another district; a student whose
only enrollment begins after the refresh day.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.conftest import Demo
from tests.factories import (
    DemographicsFactory,
    DistrictFactory,
    EnrollmentFactory,
    SchoolFactory,
    StudentFactory,
)
from waypoint.core.models import ExitKind, Organization, Student
from waypoint.insights.models import CohortFigures
from waypoint.insights.services.cohort_figures import rebuild
from waypoint.records.models import Diploma, GraduationRuleSet, TransferRequest, TransferStatus

ON = datetime.date(2026, 10, 15)
COUNTS = (
    "members",
    "transfers_in",
    "removed_by_4",
    "removed_by_5",
    "removed_by_6",
    "graduated_by_3",
    "graduated_by_4",
    "graduated_by_5",
    "graduated_by_6",
)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class District:
    def __init__(self, demo: Demo) -> None:
        self.district = DistrictFactory(parent=demo.riverside.parent)
        self.north = SchoolFactory(parent=self.district, name="North")
        self.south = SchoolFactory(parent=self.district, name="South")
        self.admin = demo.users["district-admin"]
        self.rules = {
            year: GraduationRuleSet.objects.create(
                district=self.district, cohort_year=year, title=f"Rules {year}"
            )
            for year in (2020, 2024)
        }
        self.students: dict[str, Student] = {}

    def student(self, name: str, cohort: int | None = 2020, **demographics: object) -> Student:
        student = StudentFactory(district=self.district, cohort_year=cohort, first_name=name)
        if demographics:
            DemographicsFactory(student=student, district=self.district, **demographics)
        self.students[name] = student
        return student

    def enrol(
        self, student: Student, school: Organization, entry: str, exit: str | None = None, kind: str = ""
    ) -> None:
        EnrollmentFactory(
            student=student,
            school=school,
            district=self.district,
            entry_date=d(entry),
            exit_date=d(exit) if exit else None,
            exit_kind=kind,
        )

    def diploma(self, student: Student, awarded: str, *, revoked: bool = False) -> None:
        assert student.cohort_year is not None
        Diploma.objects.create(
            district=self.district,
            student=student,
            rule_set=self.rules[student.cohort_year],
            student_name=student.full_name,
            awarded_on=d(awarded),
            awarded_by=self.admin,
            revoked_at=timezone.now() if revoked else None,
            revoked_by=self.admin if revoked else None,
            revoke_reason="Entered in error" if revoked else "",
        )


@pytest.fixture
def built(demo: Demo) -> District:
    b = District(demo)
    north, south = b.north, b.south
    a = b.student("a", hispanic_or_latino=True, english_learner=True, gender="female")
    b.enrol(a, north, "2020-09-01")
    b.diploma(a, "2023-06-15")
    s = b.student("b", asian=True)
    b.enrol(s, north, "2020-09-01")
    b.diploma(s, "2024-06-15")
    s = b.student("c", asian=True, white=True)
    b.enrol(s, north, "2020-09-01")
    b.diploma(s, "2025-06-15")
    s = b.student("d")
    b.enrol(s, north, "2020-09-01")
    b.diploma(s, "2026-08-31")
    s = b.student("e", white=True)
    b.enrol(s, north, "2020-09-01", "2022-03-01", ExitKind.TRANSFERRED)
    s = b.student("f", white=True)
    b.enrol(s, north, "2020-09-01", "2024-10-01", ExitKind.EMIGRATED)
    s = b.student("g", black_or_african_american=True, students_with_disabilities=True)
    b.enrol(s, south, "2021-01-10")
    b.diploma(s, "2024-09-01")
    s = b.student("h", black_or_african_american=True)
    b.enrol(s, north, "2020-09-01", "2022-01-01", ExitKind.TRANSFERRED)
    b.enrol(s, south, "2022-02-01")
    s = b.student("i")
    b.enrol(s, south, "2020-09-01")
    other = DistrictFactory(parent=b.district.parent)
    TransferRequest.objects.create(
        from_district=b.district,
        to_district=other,
        student=StudentFactory(district=other, cohort_year=2020),
        source_student=s,
        state_student_id="CT-1",
        status=TransferStatus.RELEASED,
        requested_by=b.admin,
        decided_by=b.admin,
        decided_at=datetime.datetime(2025, 12, 1, 10, tzinfo=timezone.get_current_timezone()),
    )
    s = b.student("j")
    b.enrol(s, south, "2020-09-01", "2023-05-01", ExitKind.DROPPED_OUT)
    s = b.student("k")
    b.enrol(s, south, "2020-10-01")
    b.diploma(s, "2024-06-01", revoked=True)
    b.diploma(s, "2025-09-05")
    s = b.student("l")
    b.enrol(s, south, "2020-09-01", "2024-06-20", ExitKind.TRANSFERRED)
    b.diploma(s, "2024-06-15")
    m = b.student("m", cohort=2024)
    b.enrol(m, north, "2024-09-01")
    b.diploma(m, "2026-06-01")
    # Outside the population.
    b.enrol(b.student("no cohort", cohort=None), north, "2020-09-01")
    b.enrol(b.student("later", cohort=2020), north, "2026-11-01")
    n = b.student("n")
    b.enrol(n, north, "2020-09-01")
    b.diploma(n, "2026-12-01")
    elsewhere = StudentFactory(district=other, cohort_year=2020)
    EnrollmentFactory(
        student=elsewhere, school=SchoolFactory(parent=other), district=other, entry_date=d("2020-09-01")
    )
    return b


def figures(b: District, dimension: str, subgroup: str, cohort: int = 2020) -> dict[str, int]:
    rows = CohortFigures.objects.filter(
        district=b.district, dimension=dimension, subgroup=subgroup, cohort=cohort
    )
    return {key: sum(getattr(row, key) for row in rows) for key in COUNTS}


def at(b: District, school: Organization, cohort: int = 2020) -> dict[str, int]:
    row = CohortFigures.objects.get(district=b.district, dimension="all", school=school, cohort=cohort)
    return {key: getattr(row, key) for key in COUNTS}


def test_the_whole_cohort_column_by_column(built: District) -> None:
    written = rebuild(district_id=built.district.pk, on=ON)
    assert written == CohortFigures.objects.filter(district=built.district).count()
    # a–l and n are members (13); "later" began after the refresh day and "no cohort" has no cohort year.
    assert figures(built, "all", "all") == {
        "members": 13,
        "transfers_in": 1,  # g (January); k began on October 1 itself
        "removed_by_4": 1,  # e; h came back; l graduated
        "removed_by_5": 2,  # + f (emigrated 2024-10-01, year 5)
        "removed_by_6": 3,  # + i (released 2025-12-01, year 6)
        "graduated_by_3": 1,  # a
        "graduated_by_4": 3,  # + b, l (k's diploma of year 4 was revoked)
        "graduated_by_5": 5,  # + c, g (2024-09-01 is in year 5)
        "graduated_by_6": 7,  # + d (on the last day), k; n's diploma is after the refresh day
    }


def test_keyed_by_the_school_of_the_latest_enrollment(built: District) -> None:
    rebuild(district_id=built.district.pk, on=ON)
    north = at(built, built.north)
    south = at(built, built.south)
    # North: a b c d e f n; South: g h i j k l (h's latest enrollment is at South).
    assert (north["members"], south["members"]) == (7, 6)
    assert (north["removed_by_6"], south["removed_by_6"]) == (2, 1)
    assert (north["graduated_by_6"], south["graduated_by_6"]) == (4, 3)
    assert (north["transfers_in"], south["transfers_in"]) == (0, 1)


def test_every_dimension_splits_the_same_students(built: District) -> None:
    rebuild(district_id=built.district.pk, on=ON)
    whole = figures(built, "all", "all")
    for dimension in ("gender", "race", "english_learner", "students_with_disabilities", "section_504"):
        subgroups = CohortFigures.objects.filter(
            district=built.district, dimension=dimension, cohort=2020
        ).values_list("subgroup", flat=True)
        parts = [figures(built, dimension, subgroup) for subgroup in set(subgroups)]
        assert {key: sum(part[key] for part in parts) for key in COUNTS} == whole, dimension


def test_subgroups_as_the_federal_categories(built: District) -> None:
    rebuild(district_id=built.district.pk, on=ON)
    assert figures(built, "race", "hispanic")["members"] == 1
    assert figures(built, "race", "asian")["members"] == 1  # b; c reported two races
    assert figures(built, "race", "two_or_more")["graduated_by_5"] == 1
    assert figures(built, "race", "white")["removed_by_5"] == 2  # e and f
    black = figures(built, "race", "black")
    assert (black["members"], black["transfers_in"], black["graduated_by_4"], black["graduated_by_5"]) == (
        2,
        1,
        0,
        1,
    )
    # Students without demographics: not reported, and "no" for every flag.
    assert figures(built, "race", "not_reported")["members"] == 6  # d i j k l n
    assert figures(built, "gender", "not_reported")["members"] == 12
    assert figures(built, "gender", "female")["members"] == 1
    assert figures(built, "english_learner", "yes")["graduated_by_3"] == 1
    assert figures(built, "students_with_disabilities", "yes")["transfers_in"] == 1
    assert figures(built, "economically_disadvantaged", "no")["members"] == 13


def test_a_cohort_whose_windows_are_open(built: District) -> None:
    rebuild(district_id=built.district.pk, on=ON)
    assert figures(built, "all", "all", cohort=2024) == dict.fromkeys(COUNTS, 0) | {
        "members": 1,
        "graduated_by_3": 1,
        "graduated_by_4": 1,
        "graduated_by_5": 1,
        "graduated_by_6": 1,
    }


def test_rebuilt_as_of_an_earlier_day_counts_nothing_after_it(built: District) -> None:
    rebuild(district_id=built.district.pk, on=d("2024-12-31"))
    whole = figures(built, "all", "all")
    assert whole["members"] == 13
    assert whole["removed_by_6"] == 2  # e, f: i's record was released later
    assert whole["graduated_by_6"] == 4  # a b g l; the diplomas of c, d, k came later


def test_a_rebuild_replaces_the_district_rows_only(built: District, demo: Demo) -> None:
    rebuild(district_id=built.district.pk, on=ON)
    first = set(
        CohortFigures.objects.filter(district=built.district).values_list(
            "school", "cohort", "dimension", "subgroup", "members"
        )
    )
    others = CohortFigures.objects.exclude(district=built.district).count()
    rebuild(district_id=built.district.pk, on=ON)
    again = set(
        CohortFigures.objects.filter(district=built.district).values_list(
            "school", "cohort", "dimension", "subgroup", "members"
        )
    )
    assert first == again
    assert CohortFigures.objects.exclude(district=built.district).count() == others

"""The graduation-rate calculator's selector, page and API on hand-written cohort figures: the tables, the
white paper's question, suppression across groups, who may read which district, bad parameters, the audit
and the number of queries.

The district (as of 2025-09-15) has two schools. Cohort 2018 (every window closed):
- Alpha: 60 members (5 transfers in), removed 2 / 3 / 3 by year 4 / 5 / 6, graduates 1 / 45 / 50 / 51 by
  year 3 / 4 / 5 / 6; all of them female.
- Beta: 48 members (3 transfers in), removed 2 / 2 / 3, graduates 1 / 35 / 36 / 38; all of them male.
- Together (`test_graduation_rates`' worked cohort): 108 members, 4-year 80 / 104 = 76.9 %, 6-year and
  mastery-based 89 / 102 = 87.3 %, 5-year withheld (86 and 89 differ by 3), early hidden (2), 9 students
  counted differently.
- By gender: female 45 / 58 = 77.6 %, male 35 / 46 = 76.1 % in 4 years. Male graduates of years 5 and 6
  are 3 (hidden), so the male 6-year rate is withheld, and with the whole shown the female one must be
  hidden too (89 − 51 = 38 would give it away).
- English learners: 15 of Alpha's students (a group under 20, hidden) and, as its complement, the others.
Cohort 2022: 30 members at Alpha, 7 graduates by year 3 (closed), year 4 still open.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.factories import DistrictFactory, RoleFactory, SchoolFactory
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid, NotPermitted, NotVisible
from waypoint.core.models import AuditAction, AuditEvent, Organization, Role, User
from waypoint.insights.models import AggregateRefresh, CohortFigures
from waypoint.insights.selectors.graduation import graduation_rates
from waypoint.insights.tables import HIDDEN, FigureTable

AS_OF = datetime.date(2025, 9, 15)
COLUMNS = ("students", "four_year", "five_year", "six_year", "mastery", "early", "counted_differently")
ALPHA = {
    "members": 60,
    "transfers_in": 5,
    "removed_by_4": 2,
    "removed_by_5": 3,
    "removed_by_6": 3,
    "graduated_by_3": 1,
    "graduated_by_4": 45,
    "graduated_by_5": 50,
    "graduated_by_6": 51,
}
BETA = {
    "members": 48,
    "transfers_in": 3,
    "removed_by_4": 2,
    "removed_by_5": 2,
    "removed_by_6": 3,
    "graduated_by_3": 1,
    "graduated_by_4": 35,
    "graduated_by_5": 36,
    "graduated_by_6": 38,
}
ALPHA_EL = {"members": 15, "graduated_by_4": 10, "graduated_by_5": 12, "graduated_by_6": 12}


def _minus(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {key: a[key] - b.get(key, 0) for key in a}


class Graduation:
    def __init__(self, state: Organization) -> None:
        self.district = DistrictFactory(parent=state)
        self.alpha = SchoolFactory(parent=self.district, name="Alpha High")
        self.beta = SchoolFactory(parent=self.district, name="Beta High")
        rows = [
            (self.alpha, 2018, "all", "all", ALPHA),
            (self.beta, 2018, "all", "all", BETA),
            (self.alpha, 2018, "gender", "female", ALPHA),
            (self.beta, 2018, "gender", "male", BETA),
            (self.alpha, 2018, "english_learner", "yes", ALPHA_EL),
            (self.alpha, 2018, "english_learner", "no", _minus(ALPHA, ALPHA_EL)),
            (self.beta, 2018, "english_learner", "no", BETA),
        ]
        early = {
            "members": 30,
            "graduated_by_3": 7,
            "graduated_by_4": 7,
            "graduated_by_5": 7,
            "graduated_by_6": 7,
        }
        rows += [(self.alpha, 2022, "all", "all", early), (self.alpha, 2022, "gender", "female", early)]
        for school, cohort, dimension, subgroup, counts in rows:
            CohortFigures.objects.create(
                district=self.district,
                school=school,
                cohort=cohort,
                dimension=dimension,
                subgroup=subgroup,
                **counts,
            )
        AggregateRefresh.objects.create(
            district=self.district, as_of=AS_OF, finished_at=timezone.now(), seconds=0.1, rows=len(rows)
        )
        self.admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=self.district).user


@pytest.fixture
def grad(demo: Demo) -> Graduation:
    assert demo.riverside.parent is not None
    return Graduation(demo.riverside.parent)


def ctx(user: User) -> RequestContext:
    return RequestContext(user=user)


def cells(table: FigureTable, row: str) -> dict[str, str]:
    found = next(r for r in table.rows if r.key == row)
    return dict(zip(table.column_keys, (cell.text for cell in found.cells), strict=True))


def test_the_cohorts_side_by_side(grad: Graduation) -> None:
    report = graduation_rates(context=ctx(grad.admin), district_id=None, by="gender", school_id=None)
    assert report.district == grad.district
    assert report.on == AS_OF
    assert report.cohort == 2018  # the latest cohort whose 6 years are over
    table = report.table("cohorts")
    assert [row.key for row in table.rows] == ["2022", "2018"]
    assert table.column_keys == COLUMNS
    assert cells(table, "2018") == {
        "students": "104",
        "four_year": "76.9 %",
        "five_year": HIDDEN,  # 3 graduates between it and the 6-year rate
        "six_year": "87.3 %",
        "mastery": "87.3 %",
        "early": HIDDEN,  # 2 students
        "counted_differently": "9",
    }
    assert report.question is not None
    assert report.question.counted_differently.shown == 9


def test_a_window_still_open_is_not_a_rate(grad: Graduation) -> None:
    report = graduation_rates(context=ctx(grad.admin), district_id=None, by="gender", school_id=None)
    row = next(r for r in report.table("cohorts").rows if r.key == "2022")
    by_key = dict(zip(COLUMNS, row.cells, strict=True))
    assert by_key["early"].text == "23.3 %"  # 7 / 30, year 3 closed on 2025-08-31
    assert by_key["early"].value == 23.3
    for key in ("four_year", "five_year", "six_year", "mastery"):
        assert by_key[key].value is None, key
        assert by_key[key].text.startswith("still open: 23.3 % so far"), key
    assert by_key["counted_differently"].text == "still open: 0 so far"
    # The comparison (the chart) holds only cohorts whose 6-year window has closed.
    comparison = report.table("comparison")
    assert [row.key for row in comparison.rows] == ["2018"]
    assert [cell.value for cell in comparison.rows[0].cells] == [76.9, 87.3]


def test_groups_hide_what_the_whole_would_give_away(grad: Graduation) -> None:
    report = graduation_rates(context=ctx(grad.admin), district_id=None, by="gender", school_id=None)
    table = report.table("groups")
    assert [row.key for row in table.rows] == ["all", "female", "male", "nonbinary", "not_reported"]
    female, male = cells(table, "female"), cells(table, "male")
    assert (female["students"], male["students"]) == ("58", "46")
    assert (female["four_year"], male["four_year"]) == ("77.6 %", "76.1 %")
    # The male 6-year figure is withheld (3 graduates in years 5 and 6); the female one is its complement.
    assert (female["six_year"], male["six_year"]) == (HIDDEN, HIDDEN)
    assert (female["counted_differently"], male["counted_differently"]) == (HIDDEN, HIDDEN)
    assert cells(table, "all")["six_year"] == "87.3 %"
    # Empty groups: no rate, and their size (0) is shown, so saying so reveals nothing.
    assert cells(table, "nonbinary")["students"] == "0"
    assert cells(table, "nonbinary")["four_year"] == "—"


def test_a_small_group_and_its_complement_are_hidden(grad: Graduation) -> None:
    report = graduation_rates(context=ctx(grad.admin), district_id=None, by="english_learner", school_id=None)
    table = report.table("groups")
    yes, no = cells(table, "yes"), cells(table, "no")
    assert set(yes.values()) == {HIDDEN}
    assert set(no.values()) == {HIDDEN}  # 89 of 104: the whole minus it would give the small group
    assert no["students"] == HIDDEN
    assert no["four_year"] == HIDDEN


def test_the_thresholds_come_from_settings(grad: Graduation, settings: Any) -> None:
    settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR = 1
    settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR = 1
    report = graduation_rates(context=ctx(grad.admin), district_id=None, by="english_learner", school_id=None)
    yes = cells(report.table("groups"), "yes")
    assert (yes["students"], yes["four_year"], yes["mastery"]) == ("15", "66.7 %", "80.0 %")
    assert cells(report.table("cohorts"), "2018")["five_year"] == "83.5 %"


def test_one_school(grad: Graduation) -> None:
    report = graduation_rates(context=ctx(grad.admin), district_id=None, by="gender", school_id=grad.beta.pk)
    assert report.school == grad.beta
    assert [row.key for row in report.table("cohorts").rows] == ["2018"]
    assert cells(report.table("cohorts"), "2018")["four_year"] == "76.1 %"  # 35 / 46


def test_reads_are_audited_without_naming_anyone(grad: Graduation) -> None:
    before = AuditEvent.objects.count()
    graduation_rates(context=ctx(grad.admin), district_id=None, by="race", school_id=grad.alpha.pk)
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.object_type, event.action, event.district_id) == (
        "graduation-rates",
        AuditAction.VIEW,
        grad.district.pk,
    )
    assert event.object_id == str(grad.alpha.pk)
    assert event.student_id is None


def test_the_state_analyst_reads_districts_of_their_state_only(grad: Graduation, demo: Demo) -> None:
    analyst = demo.users["state-analyst"]
    report = graduation_rates(context=ctx(analyst), district_id=grad.district.pk, by="race", school_id=None)
    assert report.district == grad.district
    assert grad.district in report.district_choices
    elsewhere = DistrictFactory()  # a district of another state
    with pytest.raises(NotVisible):
        graduation_rates(context=ctx(analyst), district_id=elsewhere.pk, by="race", school_id=None)
    refused = AuditEvent.objects.order_by("-pk").first()
    assert refused is not None
    assert (refused.action, refused.object_type) == (AuditAction.DENIED, "graduation-rates")


def test_a_district_admin_may_not_read_another_district(grad: Graduation, demo: Demo) -> None:
    with pytest.raises(NotVisible):
        graduation_rates(context=ctx(grad.admin), district_id=demo.riverside.pk, by="race", school_id=None)
    with pytest.raises(NotVisible):
        graduation_rates(
            context=ctx(grad.admin),
            district_id=None,
            by="race",
            school_id=SchoolFactory(parent=demo.riverside).pk,
        )


def test_teachers_are_refused(demo: Demo) -> None:
    with pytest.raises(NotPermitted):
        graduation_rates(context=ctx(demo.users["teacher"]), district_id=None, by="race", school_id=None)


def test_an_unknown_cohort_or_breakdown_is_invalid(grad: Graduation) -> None:
    with pytest.raises(Invalid):
        graduation_rates(context=ctx(grad.admin), district_id=None, by="race", school_id=None, cohort=2001)
    with pytest.raises(Invalid):
        graduation_rates(context=ctx(grad.admin), district_id=None, by="all", school_id=None)


# The page and the API -------------------------------------------------------------------------------------


def test_the_page_shows_the_question_and_the_definitions(client: Client, grad: Graduation) -> None:
    client.force_login(grad.admin)
    response = client.get(reverse("insights-graduation"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="graduation-question"' in html
    assert "9 students of the cohort of 2018 graduated in a fifth or sixth year." in html
    assert "Mastery-based completion (3–6 years)" in html
    assert "4-year adjusted cohort graduation rate (federal)" in html
    for key in ("comparison", "cohorts", "groups"):
        assert f'id="figures-{key}"' in html
    assert 'id="chart-comparison"' in html  # the chart, with its table beneath
    assert "76.9 %" in html


def test_the_page_as_the_state_analyst(client: Client, grad: Graduation, demo: Demo) -> None:
    client.force_login(demo.users["state-analyst"])
    ok = client.get(reverse("insights-graduation"), {"district": grad.district.pk})
    assert ok.status_code == 200
    assert "76.9 %" in ok.content.decode()
    assert client.get(reverse("insights-graduation"), {"district": DistrictFactory().pk}).status_code == 404
    assert client.get("/api/v1/insights/graduation", {"district": DistrictFactory().pk}).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"by": "race' OR 1=1--"},
        {"by": "all"},
        {"cohort": "twenty"},
        {"cohort": "1850"},
        {"school": "9" * 40},
        {"district": "-1"},
        {"cohort": "2001"},  # no figures for it
    ],
)
def test_bad_parameters_answer_400(client: Client, grad: Graduation, params: dict[str, str]) -> None:
    client.force_login(grad.admin)
    before = AuditEvent.objects.count()
    response = client.get(reverse("insights-graduation"), params)
    assert response.status_code == 400
    assert 'id="graduation-error"' in response.content.decode()
    api = client.get("/api/v1/insights/graduation", params)
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["problems"][0]["reason"]
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("username", ["teacher", "student", "guardian", "advisor"])
def test_people_who_are_not_administrators_are_refused(client: Client, demo: Demo, username: str) -> None:
    client.force_login(demo.users[username])
    assert client.get(reverse("insights-graduation")).status_code == 403
    assert client.get("/api/v1/insights/graduation").status_code == 403


def test_the_api_answers_the_tables(client: Client, grad: Graduation) -> None:
    client.force_login(grad.admin)
    response = client.get("/api/v1/insights/graduation", {"by": "gender", "cohort": "2018"})
    assert response.status_code == 200
    body = response.json()
    assert (body["district_id"], body["cohort"], body["by"], body["as_of"]) == (
        grad.district.pk,
        2018,
        "gender",
        "2025-09-15",
    )
    assert body["counted_differently"] == {"cohort": 2018, "count": 9, "provisional": False}
    tables = {table["key"]: table for table in body["tables"]}
    assert set(tables) == {"comparison", "cohorts", "groups"}
    row_2018 = next(row for row in tables["cohorts"]["rows"] if row["key"] == "2018")
    assert [cell["value"] for cell in row_2018["cells"]] == [104.0, 76.9, None, 87.3, 87.3, None, 9.0]
    male = next(row for row in tables["groups"]["rows"] if row["key"] == "male")
    assert male["cells"][3] == {"value": None, "text": HIDDEN, "at_least": None}


def test_the_page_reads_a_bounded_number_of_queries(
    client: Client, grad: Graduation, django_assert_max_num_queries: Any
) -> None:
    client.force_login(grad.admin)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("insights-graduation"), {"by": "race"}).status_code == 200

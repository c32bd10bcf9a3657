"""The state view: figures of hand-made aggregate rows across several districts, suppressed with the settings'
thresholds; another state's districts never included; other roles refused; bad parameters answer 400; one
audit row per view; a query count that does not grow with the districts."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.factories import DistrictFactory, RoleFactory, SchoolFactory, StateFactory, UserFactory
from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid, NotPermitted, NotVisible
from waypoint.core.models import AuditAction, AuditEvent, Organization, Role, StudentEnrollment, User
from waypoint.insights.models import AggregateRefresh, CohortFigures, GroupFigures, MonthlyFigures
from waypoint.insights.selectors.state import (
    latest_closed_cohort,
    parse_state_query,
    school_year_of,
    state_view,
)
from waypoint.insights.services.refresh import refresh_district
from waypoint.insights.tables import FigureTable

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def this_year() -> int:
    return school_year_of(today())


def months_so_far() -> int:
    """The months of the current school year up to today's, as figures computed today cover."""
    on = today()
    return (on.year - this_year()) * 12 + on.month - 7 + 1


@dataclass
class World:
    state: Organization
    analyst: User
    districts: dict[str, Organization]
    schools: dict[str, Organization]
    other_district: Organization


def _district(state: Organization, name: str) -> tuple[Organization, Organization]:
    district = DistrictFactory(parent=state, name=name)
    return district, SchoolFactory(parent=district, name=f"{name} High")


def _refresh(district: Organization, on: datetime.date | None = None) -> None:
    AggregateRefresh.objects.create(
        district=district, as_of=on or today(), finished_at=timezone.now(), seconds=1.0, rows=1
    )


def _groups(school: Organization, dimension: str, subgroup: str, **counts: float) -> GroupFigures:
    return GroupFigures.objects.create(
        district_id=school.parent_id,
        school=school,
        grade=10,
        cohort=this_year() - 1,
        dimension=dimension,
        subgroup=subgroup,
        **counts,
    )


def _month(school: Organization, month: datetime.date, **counts: int) -> MonthlyFigures:
    return MonthlyFigures.objects.create(
        district_id=school.parent_id,
        school=school,
        grade=10,
        cohort=this_year() - 1,
        dimension="all",
        subgroup="all",
        month=month,
        **counts,
    )


def _cohort(school: Organization, **counts: int) -> CohortFigures:
    return CohortFigures.objects.create(
        district_id=school.parent_id,
        school=school,
        cohort=latest_closed_cohort(today()),
        dimension="all",
        subgroup="all",
        **counts,
    )


def _analyst(state: Organization) -> User:
    return RoleFactory(user=UserFactory(), role=Role.STATE_ANALYST, organization=state, district=None).user


@pytest.fixture
def world(db: None) -> World:
    """Three districts of a new state: Ashford (40 students), Brook (10: a small group) and Cedar (30), with
    a refresh each; and a district of another state with rows that must never show."""
    state = StateFactory(name="Testland")
    districts, schools = {}, {}
    for name in ("Ashford", "Brook", "Cedar"):
        districts[name], schools[name] = _district(state, name)
        _refresh(districts[name])
    start = datetime.date(this_year(), 7, 1)
    # Ashford: 40 students, 20 of 40 paced on track or ahead, pace 1.0, 10 in a path.
    _groups(
        schools["Ashford"],
        "all",
        "all",
        students=40,
        paced=40,
        ahead=5,
        on_track=15,
        at_risk=10,
        off_track=10,
        pace_total=40.0,
        path_any=10,
        mastered=100,
        required=400,
    )
    _groups(
        schools["Ashford"],
        "race",
        "hispanic",
        students=25,
        paced=25,
        on_track=10,
        at_risk=15,
        pace_total=30.0,
        path_any=8,
    )
    _groups(
        schools["Ashford"],
        "race",
        "white",
        students=15,
        paced=15,
        ahead=5,
        on_track=5,
        off_track=5,
        pace_total=10.0,
        path_any=2,
    )
    _month(schools["Ashford"], start, mastered_gained=40 * months_so_far(), advancements=12, evidence=300)
    _month(
        schools["Ashford"],
        datetime.date(this_year() - 1, 9, 1),
        mastered_gained=240,
        advancements=7,
        evidence=100,
    )
    _cohort(
        schools["Ashford"],
        members=50,
        removed_by_4=2,
        removed_by_5=2,
        removed_by_6=2,
        graduated_by_3=0,
        graduated_by_4=30,
        graduated_by_5=38,
        graduated_by_6=40,
    )
    # Brook: 10 students, all paced and on track.
    _groups(schools["Brook"], "all", "all", students=10, paced=10, on_track=10, pace_total=12.0, path_any=9)
    _groups(
        schools["Brook"], "race", "hispanic", students=10, paced=10, on_track=10, pace_total=12.0, path_any=9
    )
    _month(schools["Brook"], start, mastered_gained=30, advancements=3, evidence=40)
    # Cedar: 30 students, 12 of 30 on track, 28 in a path; 22 hispanic and 8 white.
    _groups(
        schools["Cedar"],
        "all",
        "all",
        students=30,
        paced=30,
        on_track=12,
        at_risk=18,
        pace_total=24.0,
        path_any=28,
    )
    _groups(
        schools["Cedar"],
        "race",
        "hispanic",
        students=22,
        paced=22,
        on_track=9,
        at_risk=13,
        pace_total=17.6,
        path_any=20,
    )
    _groups(
        schools["Cedar"],
        "race",
        "white",
        students=8,
        paced=8,
        on_track=3,
        at_risk=5,
        pace_total=6.4,
        path_any=8,
    )
    _month(schools["Cedar"], start, mastered_gained=60, advancements=9, evidence=50)
    other, other_school = _district(StateFactory(name="Elsewhere"), "Faraway")
    _refresh(other)
    _groups(other_school, "all", "all", students=500, paced=500, on_track=500, pace_total=500.0, path_any=1)
    _month(other_school, start, mastered_gained=999, advancements=999, evidence=999)
    return World(state, _analyst(state), districts, schools, other)


def _view(world: World, **params: Any) -> Any:
    return state_view(
        context=RequestContext(user=world.analyst),
        measure=params.pop("measure", "on_track_share"),
        year=params.pop("year", None),
        **params,
    )


def _texts(table: FigureTable) -> dict[str, list[str]]:
    return {row.label: [cell.text for cell in row.cells] for row in table.rows}


def _column(table: FigureTable, key: str) -> dict[str, str]:
    index = table.column_keys.index(key)
    return {row.label: row.cells[index].text for row in table.rows}


STATE = "Testland (all districts)"


def test_district_comparison_figures_and_suppression(world: World) -> None:
    table = _view(world).comparison
    assert [row.label for row in table.rows] == ["Ashford", "Brook", "Cedar", STATE]
    # Brook's 10 students are a small group; Cedar's 30 are hidden with it so 80 − 40 does not give 10.
    assert _column(table, "students") == {"Ashford": "40", "Brook": "*", "Cedar": "*", STATE: "80"}
    # Every figure of a hidden district is hidden with it: Cedar's on-track share (12 of 30) with the state's
    # (42 of 80) and Ashford's (20 of 40) would give Brook's 10 of 10.
    for key in ("on_track_share", "mean_pace", "mastery_per_student_month", "participation_share"):
        column = _column(table, key)
        assert (column["Brook"], column["Cedar"]) == ("*", "*"), key
    assert _column(table, "on_track_share")["Ashford"] == "50.0 %"
    assert _column(table, "on_track_share")[STATE] == f"{100 * 42 / 80:.1f} %"
    assert _column(table, "mean_pace")["Ashford"] == "1.00"
    assert _column(table, "mean_pace")[STATE] == "0.95"
    assert _column(table, "participation_share")["Ashford"] == "25.0 %"
    assert _column(table, "participation_share")[STATE] == f"{100 * 47 / 80:.1f} %"
    months = months_so_far()
    assert _column(table, "mastery_per_student_month")["Ashford"] == "1.00"
    assert _column(table, "mastery_per_student_month")[STATE] == f"{(40 * months + 90) / (80 * months):.2f}"
    # Brook's 3 advancements and Cedar's 9 are hidden with their districts; together they are 12.
    assert _column(table, "advancements") == {"Ashford": "12", "Brook": "*", "Cedar": "*", STATE: "24"}
    # Ashford's cohort: 30 and 40 graduates of 48 who stayed; the others have no cohort figures.
    assert _column(table, "graduation_4_year") == {
        "Ashford": "62.5 %",
        "Brook": "*",
        "Cedar": "*",
        STATE: "62.5 %",
    }
    assert _column(table, "completion_6_year") == {
        "Ashford": "83.3 %",
        "Brook": "*",
        "Cedar": "*",
        STATE: "83.3 %",
    }
    hidden = [cell for row in table.rows for cell in row.cells if cell.hidden]
    assert hidden
    assert all(cell.value is None for cell in hidden)
    assert "Brook as of" in table.note


def test_thresholds_come_from_the_settings(world: World, settings: Any) -> None:
    settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR = 5
    settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR = 2
    table = _view(world).comparison
    assert _column(table, "students") == {"Ashford": "40", "Brook": "10", "Cedar": "30", STATE: "80"}
    # All 10 of Brook's students are on track: recoded at the top, not shown exactly; and Cedar's share is
    # hidden as its complement, or the state's 42 less Ashford's 20 and Cedar's 12 would give Brook's 10.
    assert _column(table, "on_track_share") == {
        "Ashford": "50.0 %",
        "Brook": "≥ 90 %",
        "Cedar": "*",
        STATE: f"{100 * 42 / 80:.1f} %",
    }
    assert _column(table, "mean_pace") == {"Ashford": "1.00", "Brook": "1.20", "Cedar": "0.80", STATE: "0.95"}


def test_another_states_districts_are_never_included(world: World) -> None:
    view = _view(world)
    assert {d.pk for d in view.districts} == {d.pk for d in world.districts.values()}
    for table in view.tables:
        labels = {row.label for row in table.rows}
        assert "Faraway" not in labels
        assert str(world.other_district.pk) not in {row.key for row in table.rows}
        assert "999" not in json.dumps(_texts(table))


def test_subgroups_table_by_race(world: World) -> None:
    table = _view(world, dimension="race").subgroups
    texts = _texts(table)
    hispanic = table.column_keys.index("hispanic")
    white = table.column_keys.index("white")
    assert table.column_keys[0] == "all"
    assert texts["Ashford"][0] == "50.0 %"
    # Hispanic students: Ashford 25, Brook 10 (a small group), Cedar 22 (hidden with Brook's).
    assert texts["Ashford"][hispanic] == "40.0 %"
    assert texts["Brook"][hispanic] == "*"
    assert texts["Cedar"][hispanic] == "*"
    assert texts[STATE][hispanic] == f"{100 * 29 / 57:.1f} %"
    # White students: Ashford 15 and Cedar 8, both small; the state's 23 are shown.
    assert (texts["Ashford"][white], texts["Brook"][white], texts["Cedar"][white]) == ("*", "*", "*")
    assert texts[STATE][white] == f"{100 * 13 / 23:.1f} %"
    pace = _view(world, measure="mean_pace", dimension="race").subgroups
    assert pace.unit == "pace"
    assert _texts(pace)["Ashford"][hispanic] == "1.20"


def test_trends_by_school_year(world: World) -> None:
    view = _view(world)
    years = [str(year) for year in range(this_year() - 2, this_year() + 1)]
    mastery, advancements, evidence = view.trends
    assert mastery.column_keys == advancements.column_keys == evidence.column_keys == tuple(years)
    last_year = years.index(str(this_year() - 1))
    now = years.index(str(this_year()))
    # Ashford gained 240 last school year, over 40 students × 12 months.
    assert _texts(mastery)["Ashford"][last_year] == "0.50"
    assert _texts(mastery)["Ashford"][now] == "1.00"
    assert _texts(mastery)["Brook"][now] == "*"
    # Last year only Ashford advanced anyone (7); the hidden districts' 0s need a complement: Ashford's.
    assert _texts(advancements)["Ashford"] == ["0", "*", "12"]
    assert _texts(advancements)[STATE][last_year] == "7"
    assert _texts(advancements)[STATE][now] == "24"
    assert _texts(evidence)["Ashford"][now] == "300"
    assert _texts(evidence)["Brook"][now] == "*"
    assert _texts(evidence)[STATE][now] == "390"


def test_a_past_year_is_compared_when_asked(world: World) -> None:
    table = _view(world, year=this_year() - 1).comparison
    # Ashford's 7 hide with the hidden districts' 0s (a complement); the state's 7 stand.
    assert _column(table, "advancements") == {"Ashford": "*", "Brook": "*", "Cedar": "*", STATE: "7"}
    assert _column(table, "mastery_per_student_month")["Ashford"] == "0.50"


def test_a_district_without_figures_reads_not_applicable(world: World) -> None:
    empty, _school = _district(world.state, "Dale")
    view = _view(world)
    assert _texts(view.comparison)["Dale"] == ["—"] * len(view.comparison.columns)
    assert [f.as_of for f in view.freshness if f.name == "Dale"] == [None]
    assert "Dale not computed yet" in view.comparison.note
    assert empty.pk in {d.pk for d in view.districts}


def test_the_view_is_audited_once_without_a_district(world: World) -> None:
    before = AuditEvent.objects.filter(object_type="insights-state").count()
    _view(world)
    events = list(AuditEvent.objects.filter(object_type="insights-state").order_by("-pk"))
    assert len(events) == before + 1
    event = events[0]
    assert event.action == AuditAction.VIEW
    assert event.district_id is None
    assert event.object_id == str(world.state.pk)
    assert event.student_id is None


@pytest.mark.parametrize("username", ["district-admin", "school-admin", "teacher", "student", "guardian"])
def test_other_roles_are_refused(demo: Demo, username: str) -> None:
    with pytest.raises(NotPermitted):
        state_view(context=RequestContext(user=demo.users[username]), measure="on_track_share", year=None)
    client = Client()
    client.force_login(demo.users[username])
    assert client.get("/insights/state/").status_code == 403
    assert client.get("/api/v1/insights/state").status_code == 403


def test_a_state_the_analyst_does_not_analyse_is_not_visible(world: World) -> None:
    other_state = world.other_district.parent
    assert other_state is not None
    with pytest.raises(NotVisible):
        _view(world, state_id=other_state.pk)
    client = Client()
    client.force_login(world.analyst)
    assert client.get(f"/insights/state/?state={other_state.pk}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "measure=nope",
        "measure=on_track_share%27%20OR%201%3D1",
        "dimension=all",
        "dimension=shoe_size",
        "year=1999",
        "year=99999999999999999999",
        "year=twenty",
        "state=-1",
    ],
)
def test_bad_parameters_answer_400(world: World, query: str) -> None:
    client = Client()
    client.force_login(world.analyst)
    before = AuditEvent.objects.filter(object_type="insights-state").count()
    page = client.get(f"/insights/state/?{query}")
    assert page.status_code == 400
    assert "cannot be shown" in page.content.decode()
    api = client.get(f"/api/v1/insights/state?{query}")
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["problems"][0]["reason"]
    assert AuditEvent.objects.filter(object_type="insights-state").count() == before


def test_parse_state_query_lists_every_problem() -> None:
    with pytest.raises(Invalid) as refused:
        parse_state_query({"measure": "x", "dimension": "y", "year": "z"})
    assert len(refused.value.problems) == 3
    assert parse_state_query({"measure": "mean_pace", "year": "2025", "unknown": "1"}).year == 2025


def test_page_shows_the_comparison_with_links_to_district_pages(world: World) -> None:
    client = Client()
    client.force_login(world.analyst)
    response = client.get("/insights/state/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="table-comparison"' in body
    assert "Ashford" in body
    assert "Faraway" not in body
    assert "<caption" in body
    assert 'scope="col"' in body
    for district in world.districts.values():
        for name in ("insights-graduation", "insights-self-study"):
            assert f"{reverse(name)}?district={district.pk}" in body
    assert "/students/" not in body


def test_api_answers_the_same_tables(world: World) -> None:
    client = Client()
    client.force_login(world.analyst)
    response = client.get("/api/v1/insights/state?measure=participation_share&dimension=race")
    assert response.status_code == 200
    data = response.json()
    assert data["state_id"] == world.state.pk
    assert [table["key"] for table in data["tables"]] == [
        "comparison",
        "subgroups",
        "trend_mastery",
        "trend_advancements",
        "trend_evidence",
    ]
    comparison = data["tables"][0]
    brook = next(row for row in comparison["rows"] if row["label"] == "Brook")
    assert brook["cells"][0] == {"value": None, "text": "*", "at_least": None}
    assert {f["name"] for f in data["freshness"]} == {"Ashford", "Brook", "Cedar"}


def _state_with(districts: int) -> User:
    state = StateFactory()
    for index in range(districts):
        district, school = _district(state, f"District {index}")
        _refresh(district)
        _groups(school, "all", "all", students=30, paced=30, on_track=12, pace_total=24.0, path_any=7)
        _groups(school, "race", "white", students=30, paced=30, on_track=12, pace_total=24.0, path_any=7)
        _month(school, datetime.date(this_year(), 7, 1), mastered_gained=20, advancements=6, evidence=9)
        _cohort(school, members=30, graduated_by_4=20, graduated_by_5=22, graduated_by_6=25)
    return _analyst(state)


# Sign-in session, the user and their grants, the state, its districts with freshness, four aggregate reads,
# the audit row, and the page's own (navigation, home district): the same however many districts.
MAX_QUERIES = 24


@pytest.mark.parametrize("districts", [2, 6])
def test_queries_do_not_grow_with_districts(
    db: None, districts: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(_state_with(districts))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/insights/state/")
    assert response.status_code == 200
    assert response.content.decode().count("District ") >= districts


def test_figures_refreshed_from_the_demo(demo: Demo) -> None:
    """Through the refresh that fills the aggregates: the state's students are the demo's enrolled ones, and
    each district's figures are as fresh as the refresh."""
    for district in (demo.riverside, demo.hillcrest):
        refresh_district(district_id=district.pk, on=today())
    analyst = demo.users["state-analyst"]
    view = state_view(context=RequestContext(user=analyst), measure="on_track_share", year=None)
    enrolled = (
        StudentEnrollment.objects.filter(
            policy.active_on(today(), start="entry_date", end="exit_date"),
            district__in=[demo.riverside, demo.hillcrest],
        )
        .values("student_id")
        .distinct()
        .count()
    )
    state_row = view.comparison.rows[-1]
    assert state_row.key == "state"
    assert state_row.cells[0].value == enrolled
    assert {f.name: f.as_of for f in view.freshness} == {
        demo.riverside.name: today(),
        demo.hillcrest.name: today(),
    }
    assert {row.label for row in view.comparison.rows[:-1]} == {demo.riverside.name, demo.hillcrest.name}

"""The school and district dashboards on a hand-built cube of aggregates: the figures, their suppression,
the filters, who may read which scope, the audit, bad filters, and the API's shape."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from tests.factories import DistrictFactory, RoleFactory, SchoolFactory, UserFactory
from tests.operations.runner import run_queued
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditEvent, Organization, Role, User
from waypoint.insights.models import AggregateRefresh, GroupFigures, MonthlyFigures
from waypoint.insights.selectors.dashboard import (
    chart_data,
    dashboard,
    dashboard_table,
    group_figures,
    headline,
    refresh_target,
)
from waypoint.insights.selectors.filters import Filters
from waypoint.insights.tables import HIDDEN, FigureTable
from waypoint.operations.models import TaskRun

AS_OF = datetime.date(2025, 9, 15)


def figures(
    district: Organization, school: Organization, grade: int, cohort: int, group: str, **n: Any
) -> None:
    dimension, subgroup = group.split(":")
    GroupFigures.objects.create(
        district=district,
        school=school,
        grade=grade,
        cohort=cohort,
        dimension=dimension,
        subgroup=subgroup,
        **n,
    )


def monthly(
    district: Organization,
    school: Organization,
    grade: int,
    cohort: int,
    group: str,
    month: datetime.date,
    **n: Any,
) -> None:
    dimension, subgroup = group.split(":")
    MonthlyFigures.objects.create(
        district=district,
        school=school,
        grade=grade,
        cohort=cohort,
        dimension=dimension,
        subgroup=subgroup,
        month=month,
        **n,
    )


def refreshed(district: Organization) -> AggregateRefresh:
    return AggregateRefresh.objects.create(
        district=district, as_of=AS_OF, finished_at=timezone.now(), seconds=0.5, rows=10
    )


class Cube:
    """A district with two schools: A (grade 9, 30 English learners and 40 others) and B (grade 10, 25
    students who are not English learners, all ahead)."""

    def __init__(self) -> None:
        self.district = DistrictFactory()
        self.a = SchoolFactory(parent=self.district, name="Alpha High")
        self.b = SchoolFactory(parent=self.district, name="Beta High")
        d, a, b = self.district, self.a, self.b
        yes = {
            "ahead": 6,
            "on_track": 12,
            "at_risk": 6,
            "off_track": 6,
            "paced": 30,
            "pace_total": 30.0,
            "pace_band_2": 30,
        }
        yes |= {"students": 30, "path_any": 10, "path_internship": 10, "mastered": 60, "required": 300}
        no = {
            "ahead": 10,
            "on_track": 10,
            "at_risk": 10,
            "off_track": 10,
            "paced": 40,
            "pace_total": 60.0,
            "pace_band_3": 40,
        }
        no |= {"students": 40, "path_any": 20, "path_internship": 20, "mastered": 100, "required": 400}
        figures(d, a, 9, 2025, "english_learner:yes", **yes)
        figures(d, a, 9, 2025, "english_learner:no", **no)
        figures(d, a, 9, 2025, "all:all", **{key: yes.get(key, 0) + no.get(key, 0) for key in yes | no})
        beta = {
            "students": 25,
            "ahead": 25,
            "paced": 25,
            "pace_total": 50.0,
            "pace_band_4": 25,
            "mastered": 50,
            "required": 250,
        }
        figures(d, b, 10, 2024, "english_learner:no", **beta)
        figures(d, b, 10, 2024, "all:all", **beta)
        # The default breakdown (race): every one of them white, as far as these figures go.
        figures(d, a, 9, 2025, "race:white", **{key: yes.get(key, 0) + no.get(key, 0) for key in yes | no})
        figures(d, b, 10, 2024, "race:white", **beta)
        monthly(
            d,
            a,
            9,
            2025,
            "english_learner:yes",
            datetime.date(2025, 9, 1),
            mastered_gained=45,
            advancements=6,
        )
        monthly(
            d,
            a,
            9,
            2025,
            "english_learner:no",
            datetime.date(2025, 8, 1),
            mastered_gained=120,
            advancements=8,
        )
        # Last school year: not part of this year's growth.
        monthly(d, a, 9, 2025, "english_learner:yes", datetime.date(2025, 6, 1), mastered_gained=999)
        refreshed(d)
        self.admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=d).user
        self.school_admin = RoleFactory(role=Role.SCHOOL_ADMIN, organization=a).user


def ctx(user: User) -> RequestContext:
    return RequestContext(user=user)


def texts(table: FigureTable) -> dict[str, list[str]]:
    return {row.key: [cell.text for cell in row.cells] for row in table.rows}


@pytest.fixture
def cube(db: None) -> Cube:
    return Cube()


BY_EL = Filters(by="english_learner")


def test_the_figures_of_the_cube(cube: Cube) -> None:
    page = dashboard(context=ctx(cube.admin), filters=BY_EL)
    assert page.scope == cube.district
    assert page.freshness is not None
    assert page.freshness.as_of == AS_OF
    status = texts(page.table("status"))
    assert status["yes"] == ["30", "20.0 %", "40.0 %", "20.0 %", "20.0 %", "0.0 %"]
    assert status["no"][:2] == ["65", "53.8 %"]  # 35 of 65 ahead (10 at Alpha, 25 at Beta)
    assert status["all"][0] == "95"
    growth = texts(page.table("growth"))
    # Attainment 60/300; mastery gained 45 over 30 students and 3 months (July to September); pace 30/30.
    assert growth["yes"] == ["30", "20.0 %", "0.50", "1.00"]
    assert growth["no"] == ["65", "23.1 %", "0.62", "1.69"]  # 120 / 65 / 3; (60 + 50) / 65
    access = texts(page.table("access"))
    assert access["yes"][:2] == ["30", "33.3 %"]
    assert access["no"][:2] == ["65", "30.8 %"]
    pace = texts(page.table("pace"))
    assert pace["no"] == ["65", "0", "0", "0", "40", "25", "0"]
    advancements = texts(page.table("advancements"))
    assert [row.key for row in page.table("advancements").rows] == ["2025-07", "2025-08", "2025-09", "year"]
    assert advancements["2025-09"] == ["6", "0", "6"]
    assert advancements["year"] == ["6", "8", "14"]


def test_a_small_group_and_its_complement_are_hidden(db: None, settings: Any) -> None:
    district = DistrictFactory()
    school = SchoolFactory(parent=district)
    figures(district, school, 9, 2025, "english_learner:yes", students=4, ahead=4, paced=4, pace_total=4.0)
    figures(district, school, 9, 2025, "english_learner:no", students=40, ahead=20, on_track=20, paced=40)
    refreshed(district)
    admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=district).user
    status = texts(dashboard(context=ctx(admin), filters=BY_EL).table("status"))
    assert status["yes"] == [HIDDEN] * 6
    # The 40 would give the 4 away from the total of 44: it is hidden too, the total is not.
    assert status["no"][0] == HIDDEN
    assert status["all"][0] == "44"
    growth = texts(dashboard(context=ctx(admin), filters=BY_EL).table("growth"))
    assert growth["yes"] == [HIDDEN] * 4
    settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR = 3
    settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR = 1
    status = texts(dashboard(context=ctx(admin), filters=BY_EL).table("status"))
    assert status["yes"][:3] == ["4", "≥ 100 %", "0.0 %"]
    assert status["no"][0] == "40"


def test_a_filter_that_isolates_a_few_students_shows_hidden_cells(cube: Cube) -> None:
    # Grade 9 English learners at Beta: nobody; every figure empty or hidden, never an error.
    table = dashboard_table(
        context=ctx(cube.admin),
        filters=Filters(school_id=cube.b.pk, dimension="english_learner", subgroup="yes", by="grade"),
        key="status",
    )
    assert [row.key for row in table.rows] == ["all"]
    assert texts(table)["all"][0] == "0"


def test_filters_narrow_the_figures(cube: Cube) -> None:
    admin = ctx(cube.admin)
    assert texts(
        dashboard_table(
            context=admin, filters=Filters(school_id=cube.b.pk, by="english_learner"), key="status"
        )
    )["no"][:2] == ["25", "≥ 80 %"]
    assert (
        texts(dashboard_table(context=admin, filters=Filters(grade=9, by="english_learner"), key="growth"))[
            "no"
        ][0]
        == "40"
    )
    by_school = dashboard_table(context=admin, filters=Filters(by="school"), key="growth")
    assert [(row.label, row.cells[0].text) for row in by_school.rows] == [
        ("Alpha High", "70"),
        ("Beta High", "25"),
        ("All students", "95"),
    ]
    learners = dashboard_table(
        context=admin, filters=Filters(dimension="english_learner", subgroup="yes", by="cohort"), key="growth"
    )
    assert texts(learners) == {
        "2025": ["30", "20.0 %", "0.50", "1.00"],
        "all": ["30", "20.0 %", "0.50", "1.00"],
    }
    assert group_figures(district_id=cube.district.pk, filters=Filters(school_id=cube.b.pk))["students"] == 25


def test_a_school_admin_reads_only_their_school(cube: Cube) -> None:
    reader = ctx(cube.school_admin)
    page = dashboard(context=reader, filters=BY_EL)
    assert page.scope == cube.a
    assert not page.can_refresh
    assert texts(page.table("status"))["all"][0] == "70"
    by_school = dashboard_table(context=reader, filters=Filters(by="school"), key="status")
    assert [row.label for row in by_school.rows] == ["Alpha High", "All students"]
    with pytest.raises(NotVisible):
        dashboard(context=reader, filters=Filters(school_id=cube.b.pk))
    with pytest.raises(NotVisible):
        dashboard(context=reader, filters=Filters(district_id=DistrictFactory().pk))
    with pytest.raises(NotPermitted):
        refresh_target(context=reader, filters=Filters())


def test_a_district_admin_may_not_read_another_district(cube: Cube) -> None:
    other = SchoolFactory()
    with pytest.raises(NotVisible):
        dashboard(context=ctx(cube.admin), filters=Filters(school_id=other.pk))
    with pytest.raises(NotVisible):
        dashboard(context=ctx(cube.admin), filters=Filters(district_id=other.parent_id))


def test_a_page_view_is_audited_once(cube: Cube) -> None:
    before = AuditEvent.objects.count()
    dashboard(context=ctx(cube.school_admin), filters=Filters())
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.action, event.object_type, event.object_id) == (
        "view",
        "insights-dashboard",
        str(cube.a.pk),
    )
    assert event.district_id == cube.district.pk
    assert event.student_id is None


def test_the_headline_matches_the_default_dashboard(cube: Cube) -> None:
    figures_now = headline(district_id=cube.district.pk, school_id=None)
    status = texts(dashboard_table(context=ctx(cube.admin), filters=Filters(), key="status"))
    assert figures_now.students.text == status["all"][0] == "95"
    assert figures_now.on_track.text == "66.3 %"  # (16 + 25 ahead, 22 on track) of 95
    assert figures_now.mean_pace.text == "1.47"  # (30 + 60 + 50) / 95


def test_chart_data_leaves_out_margins_and_keeps_gaps(cube: Cube) -> None:
    table = dashboard_table(context=ctx(cube.admin), filters=BY_EL, key="growth")
    chart = chart_data(table)
    assert chart["labels"] == ["Yes", "No"]
    assert [series["label"] for series in chart["series"]] == ["Mastery gained a month", "Mean pace"]
    assert chart["series"][1]["values"] == [1.0, 1.69]


# Pages and API ---------------------------------------------------------------------------------------------


def test_the_page_shows_every_table_with_its_chart(client: Client, cube: Cube) -> None:
    client.force_login(cube.admin)
    response = client.get(reverse("insights-dashboard"), {"by": "english_learner"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="insights-filters"' in html
    for key in ("growth", "status", "pace", "access", "advancements", "alerts", "evidence"):
        assert f'id="table-{key}"' in html
    for key in ("growth", "status", "access", "advancements"):
        assert f'id="chart-{key}"' in html
        assert f'id="chart-data-{key}"' in html
    assert "table=status&amp;format=xlsx&amp;by=english_learner" in html
    assert "Figures as of" in html


def test_a_district_without_figures_says_so(client: Client, db: None) -> None:
    district = DistrictFactory()
    SchoolFactory(parent=district)
    client.force_login(RoleFactory(role=Role.DISTRICT_ADMIN, organization=district).user)
    html = client.get(reverse("insights-dashboard")).content.decode()
    assert 'id="insights-empty"' in html
    assert "refresh them now" in html
    assert 'id="table-status"' not in html


@pytest.mark.parametrize(
    "params",
    [
        {"subgroup": "race:x' OR 1=1--"},
        {"grade": "99"},
        {"school": "9" * 40},
        {"subgroup": "race:white", "by": "gender"},
    ],
)
def test_a_bad_filter_answers_400(client: Client, cube: Cube, params: dict[str, str]) -> None:
    client.force_login(cube.admin)
    before = AuditEvent.objects.count()
    response = client.get(reverse("insights-dashboard"), params)
    assert response.status_code == 400
    assert 'id="insights-filter-error"' in response.content.decode()
    api = client.get("/api/v1/insights/dashboard", params)
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["problems"][0]["reason"]
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("username", ["teacher", "student", "guardian", "advisor"])
def test_people_who_are_not_administrators_are_refused(client: Client, demo: Demo, username: str) -> None:
    client.force_login(demo.users[username])
    assert client.get(reverse("insights-dashboard")).status_code == 403
    assert client.get("/api/v1/insights/dashboard").status_code == 403
    assert client.post(reverse("insights-refresh")).status_code == 403


def test_the_api_answers_the_tables(client: Client, cube: Cube) -> None:
    client.force_login(cube.school_admin)
    body = client.get("/api/v1/insights/dashboard", {"by": "english_learner"}).json()
    assert body["scope"] == {"id": cube.a.pk, "name": "Alpha High", "kind": "school"}
    assert body["freshness"]["as_of"] == AS_OF.isoformat()
    assert [table["key"] for table in body["tables"]] == [
        "growth",
        "status",
        "pace",
        "access",
        "advancements",
        "alerts",
        "evidence",
    ]
    status = body["tables"][1]
    assert set(status) == {"key", "title", "row_header", "columns", "rows", "chart", "unit", "note"}
    assert status["rows"][0]["cells"][1] == {"value": 20.0, "text": "20.0 %", "at_least": None}
    assert client.post("/api/v1/insights/refresh").status_code == 403


def test_a_district_admin_refreshes_and_comes_back_to_the_same_filters(client: Client, cube: Cube) -> None:
    client.force_login(cube.admin)
    response = client.post(reverse("insights-refresh"), {"by": "grade", "grade": "9"})
    run = TaskRun.objects.get(kind="insights-refresh", district=cube.district)
    assert response.status_code == 302
    assert response["Location"] == reverse("task-run", args=[run.pk])
    assert run_queued() == 1
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED
    assert run.result_url == reverse("insights-dashboard") + "?grade=9&by=grade"
    latest = AggregateRefresh.objects.filter(district=cube.district).order_by("-finished_at", "-id").first()
    assert latest is not None
    assert latest.requested_by == cube.admin
    assert AuditEvent.objects.filter(object_type="insights-refresh", district=cube.district).exists()
    school_admin = Client()
    school_admin.force_login(cube.school_admin)
    assert school_admin.post(reverse("insights-refresh")).status_code == 403


def test_a_user_without_any_login_is_sent_to_sign_in(client: Client, db: None) -> None:
    assert client.get(reverse("insights-dashboard")).status_code == 302
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("insights-dashboard")).status_code == 403

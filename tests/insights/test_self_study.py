"""The district self-study: the four steps (adopted, aligned, evidenced, mastered) on a small world where
every figure is known, who may read it, bad input, its audit row and its query count; and on the demo."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from tests.conftest import Demo
from tests.factories import (
    DistrictFactory,
    EnrollmentFactory,
    RoleFactory,
    SchoolFactory,
    StateFactory,
    StudentFactory,
    UserFactory,
)
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Invalid, NotPermitted, NotVisible
from waypoint.core.models import AuditAction, AuditEvent, Organization, Role, Student, User
from waypoint.evidence.models import Evidence, Score
from waypoint.frameworks.models import (
    Alignment,
    AssociationType,
    Competency,
    Framework,
    FrameworkAdoption,
    FrameworkVersion,
    ProficiencyScale,
    Tier,
    VersionStatus,
)
from waypoint.insights.selectors.self_study import (
    SelfStudy,
    grades_of,
    parse_district,
    school_year,
    self_study,
)
from waypoint.insights.tables import FigureTable
from waypoint.mastery.models import MasteryLevel

_identifiers = itertools.count(1)


@dataclass
class World:
    state: Organization
    district: Organization
    admin: User
    analyst: User
    teacher: User
    f1: Framework  # adopted; grades 9–10: domain A (a1, a2), domain B (b1 → b1i)
    f2: Framework  # not adopted; no grades: domain C (c1, c2), domain E (e1)


def _framework(
    owner: Organization, title: str, scale: ProficiencyScale
) -> tuple[Framework, FrameworkVersion]:
    framework = Framework.objects.create(
        owner=owner, title=title, case_identifier=f"fw-{next(_identifiers)}", scale=scale
    )
    version = FrameworkVersion.objects.create(framework=framework, number=1, status=VersionStatus.PUBLISHED)
    return framework, version


def _item(
    version: FrameworkVersion,
    code: str,
    parent: Competency | None = None,
    tier: str = Tier.COMPETENCY,
    levels: tuple[str, ...] = (),
) -> Competency:
    position = (parent.children.count() if parent else version.competencies.filter(depth=0).count()) + 1
    segment = f"{position:05d}"
    return Competency.objects.create(
        version=version,
        parent=parent,
        position=position,
        path=f"{parent.path}.{segment}" if parent else segment,
        depth=parent.depth + 1 if parent else 0,
        case_identifier=f"{code}-{next(_identifiers)}",
        human_code=code,
        full_statement=f"Statement {code}",
        abbreviated_statement=f"Domain {code}" if tier == Tier.DOMAIN else "",
        tier=tier,
        education_levels=list(levels),
    )


def _students(district: Organization, school: Organization, count: int, grade: int = 10) -> list[Student]:
    students = []
    for _ in range(count):
        student = StudentFactory(district=district)
        EnrollmentFactory(student=student, school=school, grade_level=grade)
        students.append(student)
    return students


def _master(students: list[Student], competency: Competency) -> None:
    MasteryLevel.objects.bulk_create(
        MasteryLevel(
            district_id=student.district_id,
            student=student,
            competency=competency,
            framework_version=competency.version,
            level=3,
            meets_mastery=True,
            method="test",
        )
        for student in students
    )


def _evidence(
    student: Student, competency: Competency, recorder: User, when: datetime.datetime | None = None
) -> Evidence:
    evidence = Evidence.objects.create(
        district_id=student.district_id,
        student=student,
        framework_version=competency.version,
        title="Work",
        recorded_by=recorder,
        submitted_at=when or timezone.now(),
    )
    evidence.competencies.add(competency)
    return evidence


def _align(source: Competency, target: Competency, kind: str = AssociationType.IS_RELATED_TO) -> None:
    Alignment.objects.create(
        competency=source,
        association_type=kind,
        target_identifier=target.case_identifier,
        case_identifier=f"assoc-{next(_identifiers)}",
    )


@pytest.fixture
def world(db: None) -> World:
    state = StateFactory()
    district = DistrictFactory(parent=state)
    school = SchoolFactory(parent=district)
    scale = ProficiencyScale.objects.create(owner=state, name="Scale")
    admin = RoleFactory(role=Role.DISTRICT_ADMIN, organization=district).user
    analyst = RoleFactory(user=UserFactory(), role=Role.STATE_ANALYST, organization=state, district=None).user
    teacher = RoleFactory(role=Role.TEACHER, organization=school).user

    f1, v1 = _framework(state, "F1 Adopted", scale)
    FrameworkAdoption.objects.create(framework=f1, district=district, adopted_on=timezone.localdate())
    domain_a = _item(v1, "A", tier=Tier.DOMAIN)
    a1 = _item(v1, "a1", domain_a, levels=("09", "10"))
    a2 = _item(v1, "a2", domain_a, levels=("09",))
    domain_b = _item(v1, "B", tier=Tier.DOMAIN)
    b1 = _item(v1, "b1", domain_b, levels=("10",))
    b1i = _item(v1, "b1i", b1, tier=Tier.INDICATOR, levels=("10",))

    f2, v2 = _framework(state, "F2 Not adopted", scale)
    domain_c = _item(v2, "C", tier=Tier.DOMAIN)
    c1 = _item(v2, "c1", domain_c)
    c2 = _item(v2, "c2", domain_c)
    domain_e = _item(v2, "E", tier=Tier.DOMAIN)
    e1 = _item(v2, "e1", domain_e)

    _own, own_version = _framework(district, "District profile", scale)
    g1 = _item(own_version, "g1")
    g2 = _item(own_version, "g2")
    _align(g1, c1)
    _align(g2, c2, AssociationType.PRECEDES)  # an order, not a coverage

    # 25 students in grade 10 (F1's grades), one in grade 5 (outside them: F2's population only).
    tenth = _students(district, school, 25)
    (fifth,) = _students(district, school, 1, grade=5)
    _master(tenth[:12], a1)
    _master([fifth], a1)
    _master(tenth[:8], a2)
    _master(tenth[:3], b1i)
    # c1: twelve students through g1, three of them on c1 as well: twelve distinct students.
    _master(tenth[:12], g1)
    _master(tenth[:3], c1)

    year_start, _end = school_year(timezone.localdate())
    before = timezone.make_aware(
        datetime.datetime.combine(year_start, datetime.time.min)
    ) - datetime.timedelta(days=1)
    _evidence(tenth[0], a1, teacher)  # direct, this year
    _evidence(tenth[1], a2, teacher, when=before)  # last school year: does not count
    _evidence(tenth[2], g1, teacher)  # through g1's alignment: c1
    _evidence(tenth[3], e1, teacher)  # direct on a framework not adopted: covers e1 too
    _evidence(tenth[4], g2, teacher)  # "precedes" is no coverage: c2 stays unevidenced
    # Another district's evidence on b1i says nothing about this district.
    other = DistrictFactory(parent=state)
    _evidence(StudentFactory(district=other), b1i, teacher)
    return World(state, district, admin, analyst, teacher, f1, f2)


def _study(user: User, district_id: int | None = None, **context: Any) -> SelfStudy:
    return self_study(context=RequestContext(user=user, **context), district_id=district_id)


def _table(table: FigureTable) -> dict[str, dict[str, str]]:
    return {
        row.label: {key: cell.text for key, cell in zip(table.column_keys, row.cells, strict=True)}
        for row in table.rows
    }


def _domains(study: SelfStudy, framework: Framework) -> dict[str, dict[str, str]]:
    return _table(next(t for t in study.domains if t.key == f"framework-{framework.pk}"))


def test_the_four_steps_per_framework(world: World) -> None:
    study = _study(world.admin)
    assert study.district == world.district
    summary = _table(study.summary)
    assert list(summary) == [
        "F1 Adopted",
        "F2 Not adopted",
    ]  # the district's own framework is not the state's
    assert summary["F1 Adopted"] == {
        "adopted": "Yes",
        "competencies": "3",  # a1, a2 and b1i (b1 has an indicator, so it is no leaf)
        "aligned": "3 (100 %)",
        "evidenced": "1 (33 %)",  # a1; a2's evidence is last year's
        "students": "25",  # grade 10 only: the grade-5 student is outside its grades
        "mastering": "8",  # (12 + 8 + 3) / 3
        "mastering_share": "32 %",
    }
    assert summary["F2 Not adopted"] == {
        "adopted": "No",
        "competencies": "3",
        "aligned": "2 (67 %)",  # c1 through g1, e1 through direct evidence; c2 only "preceded"
        "evidenced": "2 (67 %)",
        "students": "26",
        "mastering": "*",  # (12 + 0 + 0) / 3 = 4: too few
        "mastering_share": "*",
    }


def test_the_four_steps_per_domain(world: World) -> None:
    study = _study(world.admin)
    assert _domains(study, world.f1) == {
        "Domain A": {
            "competencies": "2",
            "aligned": "2 (100 %)",
            "evidenced": "1 (50 %)",
            "mastering": "10",  # the grade-5 student's mastery of a1 is not counted
            "mastering_share": "40 %",
        },
        "Domain B": {
            "competencies": "1",
            "aligned": "1 (100 %)",
            "evidenced": "0 (0 %)",  # another district's evidence does not count
            "mastering": "*",  # three students: hidden
            "mastering_share": "*",
        },
    }
    assert _domains(study, world.f2) == {
        "Domain C": {
            "competencies": "2",
            "aligned": "1 (50 %)",
            "evidenced": "1 (50 %)",
            "mastering": "6",  # c1: 12 distinct students (not 15), c2: 0
            "mastering_share": "23.1 %",
        },
        "Domain E": {
            "competencies": "1",
            "aligned": "1 (100 %)",
            "evidenced": "1 (100 %)",
            "mastering": "0",
            "mastering_share": "0 %",
        },
    }
    f1_table = next(t for t in study.domains if t.key == f"framework-{world.f1.pk}")
    assert "grades 9–10" in f1_table.note


def test_a_score_counts_as_evidence(world: World) -> None:
    b1i = Competency.objects.get(version__framework=world.f1, human_code="b1i")
    a1 = Competency.objects.get(version__framework=world.f1, human_code="a1")
    student = Student.objects.filter(district=world.district).first()
    assert student is not None
    evidence = _evidence(student, a1, world.teacher)
    Score.objects.create(
        district=world.district,
        student=student,
        evidence=evidence,
        competency=b1i,
        framework_version=b1i.version,
        value=3,
        source="teacher",
        counts_toward_mastery=False,
        scored_by=world.teacher,
    )
    assert _domains(_study(world.admin), world.f1)["Domain B"]["evidenced"] == "1 (100 %)"


def test_where_to_look_lists_the_least_covered_domains_first(world: World) -> None:
    leads = _study(world.admin).leads
    # Domain B (nothing evidenced) first; C and A have half evidenced, C only half aligned; Domain E is
    # fully evidenced and not listed.
    assert [(lead.framework, lead.domain) for lead in leads] == [
        ("F1 Adopted", "Domain B"),
        ("F2 Not adopted", "Domain C"),
        ("F1 Adopted", "Domain A"),
    ]
    assert (leads[0].competencies, leads[0].aligned, leads[0].evidenced) == (1, 1, 0)


def test_the_thresholds_come_from_the_settings(world: World, settings: Any) -> None:
    settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR = 26
    summary = _table(_study(world.admin).summary)
    assert summary["F1 Adopted"]["students"] == "*"  # 25 < 26
    assert summary["F1 Adopted"]["mastering_share"] == "*"
    assert summary["F2 Not adopted"]["students"] == "26"
    settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR = 11
    domain_a = _domains(_study(world.admin), world.f2)
    assert domain_a["Domain C"]["mastering"] == "*"  # 6 < 11


def test_a_share_is_recoded_when_nearly_everyone_masters(world: World) -> None:
    students = list(Student.objects.filter(district=world.district, enrollments__grade_level=10))
    a2 = Competency.objects.get(version__framework=world.f1, human_code="a2")
    a1 = Competency.objects.get(version__framework=world.f1, human_code="a1")
    MasteryLevel.objects.filter(competency__in=[a1, a2]).delete()
    _master(students[:24], a1)
    _master(students[:24], a2)
    domain_a = _domains(_study(world.admin), world.f1)["Domain A"]
    # 24 of 25: the one who has not mastered would be named, so the count is hidden, the share recoded.
    assert domain_a["mastering"] == "*"
    assert domain_a["mastering_share"] == "≥ 80 %"


def test_the_state_analyst_reads_any_district_of_the_state(world: World) -> None:
    second = DistrictFactory(parent=world.state, name="Zeta district")
    study = _study(world.analyst, world.district.pk)
    assert study.district == world.district
    assert {choice.pk for choice in study.choices} >= {world.district.pk, second.pk}
    assert _study(world.analyst, second.pk).district == second
    # Without a district, the first one of the state.
    assert _study(world.analyst).district in study.choices


def test_other_roles_are_refused_and_audited(world: World) -> None:
    with pytest.raises(NotPermitted):
        _study(world.teacher, world.district.pk)
    assert AuditEvent.objects.filter(
        actor=world.teacher, action=AuditAction.DENIED, object_type="district-self-study"
    ).exists()


def test_another_states_district_is_not_visible(world: World) -> None:
    elsewhere = DistrictFactory(parent=StateFactory())
    for user in (world.analyst, world.admin):
        with pytest.raises(NotVisible):
            _study(user, elsewhere.pk)
    # A district administrator reads their own district only, not another of the same state.
    with pytest.raises(NotVisible):
        _study(world.admin, DistrictFactory(parent=world.state).pk)
    assert AuditEvent.objects.filter(
        actor=world.analyst, action=AuditAction.DENIED, object_id=str(elsewhere.pk)
    ).exists()


def test_the_read_is_audited_once_naming_no_student(world: World) -> None:
    _study(world.analyst, world.district.pk)
    events = AuditEvent.objects.filter(actor=world.analyst, object_type="district-self-study")
    assert [(e.action, e.district_id, e.student_id) for e in events] == [
        (AuditAction.VIEW, world.district.pk, None)
    ]


def test_the_query_count_does_not_grow_with_frameworks(
    world: World, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(16) as before:
        _study(world.admin)
    scale = ProficiencyScale.objects.get(owner=world.state)
    for number in range(4):
        _framework_with_domains(world.state, f"Extra {number}", scale, domains=3)
    with django_assert_max_num_queries(len(before.captured_queries)):
        study = _study(world.admin)
    assert len(study.domains) == 6
    assert all(len(table.rows) == 3 for table in study.domains[2:] if table.title.startswith("Extra"))


def _framework_with_domains(owner: Organization, title: str, scale: ProficiencyScale, domains: int) -> None:
    _framework_obj, version = _framework(owner, title, scale)
    for number in range(domains):
        domain = _item(version, f"{title}-{number}", tier=Tier.DOMAIN)
        _item(version, f"{title}-{number}.1", domain)


@pytest.mark.parametrize("text", ["abc", "1; DROP TABLE x", "0", "-3", "9" * 40, "١٢"])
def test_parse_district_refuses_what_is_not_an_id(text: str) -> None:
    with pytest.raises(Invalid):
        parse_district(text)


def test_parse_district_and_grades() -> None:
    assert parse_district("") is None
    assert parse_district(" 12 ") == 12
    assert grades_of(["KG", "01", "09", "13", "PK", "AS", "9"]) == frozenset({0, 1, 9, 13})


# Pages and API ---------------------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_explains_the_steps_and_shows_the_tables(world: World) -> None:
    response = _client(world.admin).get("/insights/self-study/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The four steps" in page
    assert 'id="figures-frameworks"' in page
    assert f'id="figures-framework-{world.f1.pk}"' in page
    assert "Where to look first" in page
    assert "Domain B" in page


def test_the_page_lets_the_analyst_choose_a_district(world: World) -> None:
    DistrictFactory(parent=world.state)
    response = _client(world.analyst).get(f"/insights/self-study/?district={world.district.pk}")
    assert response.status_code == 200
    assert 'name="district"' in response.content.decode()


@pytest.mark.parametrize("query", ["district=abc", "district=1%27%20OR%201=1", f"district={'9' * 30}"])
def test_bad_parameters_answer_400_on_the_page_and_the_api(world: World, query: str) -> None:
    client = _client(world.admin)
    page = client.get(f"/insights/self-study/?{query}")
    assert page.status_code == 400
    assert "The district must be given by its number." in page.content.decode()
    api = client.get(f"/api/v1/insights/self-study?{query}")
    assert api.status_code == 400
    assert api["Content-Type"].startswith("application/problem+json")
    assert not AuditEvent.objects.filter(object_type="district-self-study").exists()


def test_refusals_on_the_page_and_the_api(world: World) -> None:
    teacher = _client(world.teacher)
    assert teacher.get("/insights/self-study/").status_code == 403
    assert teacher.get("/api/v1/insights/self-study").status_code == 403
    elsewhere = DistrictFactory(parent=StateFactory())
    analyst = _client(world.analyst)
    assert analyst.get(f"/insights/self-study/?district={elsewhere.pk}").status_code == 404
    assert analyst.get(f"/api/v1/insights/self-study?district={elsewhere.pk}").status_code == 404


def test_the_api_answers_the_same_tables(world: World) -> None:
    response = _client(world.analyst).get(f"/api/v1/insights/self-study?district={world.district.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["district_id"] == world.district.pk
    rows = {row["label"]: row for row in body["summary"]["rows"]}
    assert [cell["text"] for cell in rows["F2 Not adopted"]["cells"]] == [
        "No",
        "3",
        "2 (67 %)",
        "2 (67 %)",
        "26",
        "*",
        "*",
    ]
    assert rows["F2 Not adopted"]["cells"][5]["value"] is None  # a hidden figure carries no value
    assert len(body["domains"]) == 2
    assert body["where_to_look"][0]["domain"] == "Domain B"


# The demo -------------------------------------------------------------------------------------------------


def test_on_the_demo_every_state_framework_is_adopted_and_evidence_is_counted(demo: Demo) -> None:
    district = demo.riverside
    study = _study(demo.users["district-admin"])
    assert study.district == district
    year_from = timezone.make_aware(
        datetime.datetime.combine(school_year(timezone.localdate())[0], datetime.time.min)
    )
    versions = FrameworkVersion.objects.filter(
        framework__owner_id=district.parent_id, status=VersionStatus.PUBLISHED
    ).select_related("framework")
    assert len(study.summary.rows) == versions.count() > 0
    for version in versions:
        leaves = Competency.objects.filter(version=version, children__isnull=True).exclude(tier=Tier.DOMAIN)
        named = set(
            Evidence.objects.filter(district=district, submitted_at__gte=year_from)
            .filter(competencies__version__framework=version.framework)
            .values_list("competencies__case_identifier", flat=True)
        ) | set(
            Score.objects.filter(district=district, scored_at__gte=year_from)
            .filter(competency__version__framework=version.framework)
            .values_list("competency__case_identifier", flat=True)
        )
        evidenced = leaves.filter(case_identifier__in=named).count()
        row = next(r for r in study.summary.rows if r.key == str(version.framework_id))
        texts = dict(zip(study.summary.column_keys, (c.text for c in row.cells), strict=True))
        adopted = FrameworkAdoption.objects.filter(framework=version.framework, district=district).exists()
        assert texts["adopted"] == ("Yes" if adopted else "No")
        assert texts["competencies"] == str(leaves.count())
        assert texts["evidenced"].startswith(f"{evidenced} (")
    assert any(not row.cells[3].text.startswith("0 ") for row in study.summary.rows), (
        "the demo's evidence reaches the state frameworks"
    )


def test_on_the_demo_the_analyst_reads_hillcrest_and_mastery_is_suppressed(
    demo: Demo, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(16):
        study = _study(demo.users["state-analyst"], demo.hillcrest.pk)
    assert study.district == demo.hillcrest
    cells = [cell for table in study.domains for row in table.rows for cell in row.cells]
    # Every hidden figure is "*" with no value: nothing suppressed leaks through the value.
    assert all(cell.value is None for cell in cells if cell.text == "*")
    assert not AuditEvent.objects.filter(Q(student__isnull=False), object_type="district-self-study").exists()

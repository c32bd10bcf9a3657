"""The district administrator's forms of variable time: the inquiry settings (page and API), advancement
rules, publishing an exemplar trajectory; and assigning an alert to someone who guides the student. Each page
is for its role only; a refused write shows the service's reason (400) and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.models import Student, User
from waypoint.frameworks.selectors import district_competencies
from waypoint.notifications.models import Notification
from waypoint.progress import selectors_ui
from waypoint.progress.models import (
    AdvancementRequirement,
    AdvancementRule,
    Alert,
    AlertKind,
    ExemplarTrajectory,
    InquirySettings,
    Status,
    StudentProgress,
)

pytestmark = pytest.mark.django_db

INQUIRY = "/progress/inquiry-settings/"
RULES = "/progress/advancement-rules/"
EXEMPLAR = "/progress/repository/exemplars/new/"
API = "/api/v1/progress/inquiry-settings"
GOOD_SETTINGS: dict[str, object] = {
    "pace_window_weeks": 10,
    "no_evidence_weeks": 5,
    "stuck_attempts": 4,
    "ahead_months": 3,
    "at_risk_months": 6,
    "subgroup_min_pace": 0.8,
    "subgroup_margin": 0.3,
    "min_cell_size": 12,
    "exemplar_min_students": 10,
    "requirement_kinds": ["graduate_profile"],
}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: object) -> str:
    return str(response.content.decode())  # type: ignore[attr-defined]


def stored(district_id: int) -> dict[str, object]:
    settings = InquirySettings.for_district(district_id)
    return {name: getattr(settings, name) for name in GOOD_SETTINGS}


@pytest.fixture
def admin(demo: Demo) -> Client:
    return client_for(demo.users["district-admin"])


# Who reaches the pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [INQUIRY, RULES, EXEMPLAR])
def test_the_admin_pages_render_for_the_district_admin(admin: Client, url: str) -> None:
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize("url", [INQUIRY, RULES, EXEMPLAR])
@pytest.mark.parametrize("role", ["teacher", "school-admin", "advisor", "state-analyst", "student"])
def test_the_admin_pages_refuse_other_roles(demo: Demo, url: str, role: str) -> None:
    client = client_for(demo.users[role])
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_the_navigation_links_the_admin_pages_for_district_admins_only(demo: Demo) -> None:
    page = text(client_for(demo.users["district-admin"]).get("/progress/repository/"))
    assert INQUIRY in page
    assert RULES in page
    assert EXEMPLAR in page
    teacher_page = text(client_for(demo.users["teacher"]).get("/progress/repository/"))
    assert INQUIRY not in teacher_page
    assert RULES not in teacher_page
    assert EXEMPLAR not in teacher_page


# Inquiry settings -----------------------------------------------------------------------------------------


def test_the_settings_page_shows_each_threshold_with_its_help_and_range(admin: Client) -> None:
    page = text(admin.get(INQUIRY))
    assert "How far back pace is measured" in page
    assert "Allowed: 1 to 104." in page
    assert "Allowed: 10 to 1000." in page
    assert "Allowed: 0 to 0.95." in page


def test_good_settings_are_saved(demo: Demo, admin: Client) -> None:
    response = admin.post(INQUIRY, GOOD_SETTINGS)
    assert response.status_code == 302
    assert stored(demo.riverside.pk) == GOOD_SETTINGS
    assert InquirySettings.objects.get(district=demo.riverside).updated_by == demo.users["district-admin"]


def test_an_impossible_threshold_is_shown_and_nothing_is_saved(demo: Demo, admin: Client) -> None:
    before = stored(demo.riverside.pk)
    response = admin.post(INQUIRY, {**GOOD_SETTINGS, "min_cell_size": 5, "subgroup_margin": 1.5})
    assert response.status_code == 400
    page = text(response)
    assert "min_cell_size must be between 10 and 1000; 5 cannot be met." in page
    assert "subgroup_margin must be between 0 and 0.95" in page
    assert stored(demo.riverside.pk) == before


def test_no_framework_kind_is_refused(demo: Demo, admin: Client) -> None:
    before = stored(demo.riverside.pk)
    response = admin.post(INQUIRY, {**GOOD_SETTINGS, "requirement_kinds": []})
    assert response.status_code == 400
    assert "Choose at least one kind of framework" in text(response)
    assert stored(demo.riverside.pk) == before


def test_the_api_reads_and_replaces_the_settings(demo: Demo, admin: Client) -> None:
    read = admin.get(API)
    assert read.status_code == 200
    assert read.json()["limits"]["min_cell_size"] == {"low": 10, "high": 1000}
    response = admin.put(API, GOOD_SETTINGS, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["min_cell_size"] == 12
    assert stored(demo.riverside.pk) == GOOD_SETTINGS


def test_the_api_refuses_an_impossible_threshold_and_saves_nothing(demo: Demo, admin: Client) -> None:
    before = stored(demo.riverside.pk)
    response = admin.put(API, {**GOOD_SETTINGS, "pace_window_weeks": 0}, content_type="application/json")
    assert response.status_code == 400
    assert "pace_window_weeks must be between 1 and 104" in response.content.decode()
    assert response["Content-Type"].startswith("application/problem+json")
    assert stored(demo.riverside.pk) == before


def test_the_api_is_for_district_admins(demo: Demo) -> None:
    teacher = client_for(demo.users["teacher"])
    assert teacher.get(API).status_code == 403
    assert teacher.put(API, GOOD_SETTINGS, content_type="application/json").status_code == 403


# Advancement rules ----------------------------------------------------------------------------------------


def _competencies(demo: Demo, count: int) -> list[int]:
    return list(district_competencies(demo.riverside).order_by("pk").values_list("pk", flat=True)[:count])


def _rule_post(competencies: list[int], levels: list[str], **fields: str) -> dict[str, object]:
    data: dict[str, object] = {
        "course_code": "ALG1",
        "next_course_code": "ALG2",
        "title": "Algebra",
        "requirements-TOTAL_FORMS": "4",
        "requirements-INITIAL_FORMS": "0",
        "requirements-MIN_NUM_FORMS": "0",
        "requirements-MAX_NUM_FORMS": "40",
        **fields,
    }
    for index, (competency, level) in enumerate(zip(competencies, levels, strict=True)):
        data[f"requirements-{index}-competency"] = str(competency)
        data[f"requirements-{index}-min_level"] = level
    return data


def test_a_rule_is_saved_with_its_requirements(demo: Demo, admin: Client) -> None:
    first, second = _competencies(demo, 2)
    response = admin.post(RULES, _rule_post([first, second], ["", "2.5"]))
    assert response.status_code == 302
    rule = AdvancementRule.objects.get(district=demo.riverside, course_code="ALG1")
    assert (rule.next_course_code, rule.title) == ("ALG2", "Algebra")
    assert set(rule.requirements.values_list("competency_id", "min_level")) == {(first, None), (second, 2.5)}
    listed = text(admin.get(RULES))
    assert "ALG1" in listed
    assert "at least 2.5" in listed


def test_an_impossible_rule_shows_the_reason_and_writes_nothing(demo: Demo, admin: Client) -> None:
    (first,) = _competencies(demo, 1)
    response = admin.post(RULES, _rule_post([first], ["-1"], next_course_code="ALG1"))
    assert response.status_code == 400
    page = text(response)
    assert "A course cannot lead to itself." in page
    assert "A required level cannot be negative." in page
    assert not AdvancementRule.objects.filter(district=demo.riverside, course_code="ALG1").exists()


def test_a_rule_naming_a_competency_twice_is_refused(demo: Demo, admin: Client) -> None:
    (first,) = _competencies(demo, 1)
    response = admin.post(RULES, _rule_post([first, first], ["", "2"]))
    assert response.status_code == 400
    assert "Name each competency once." in text(response)
    assert not AdvancementRule.objects.filter(district=demo.riverside, course_code="ALG1").exists()


def test_a_rule_is_changed_on_its_page_and_another_districts_is_not_there(demo: Demo, admin: Client) -> None:
    first, second = _competencies(demo, 2)
    rule = AdvancementRule.objects.create(district=demo.riverside, course_code="GEO", next_course_code="GEO2")
    AdvancementRequirement.objects.create(rule=rule, competency_id=first)
    page = admin.get(f"{RULES}{rule.pk}/")
    assert page.status_code == 200
    assert f'value="{first}" selected' in text(page)
    # The course code is fixed on its page: a changed one in the post is ignored.
    data = _rule_post([second], ["3"], course_code="OTHER", next_course_code="GEO3")
    data["requirements-INITIAL_FORMS"] = "1"
    assert admin.post(f"{RULES}{rule.pk}/", data).status_code == 302
    rule.refresh_from_db()
    assert rule.next_course_code == "GEO3"
    assert list(rule.requirements.values_list("competency_id", "min_level")) == [(second, 3.0)]
    assert not AdvancementRule.objects.filter(course_code="OTHER").exists()
    theirs = AdvancementRule.objects.create(
        district=demo.hillcrest, course_code="GEO", next_course_code="GEO2"
    )
    assert admin.get(f"{RULES}{theirs.pk}/").status_code == 404
    assert client_for(demo.users["teacher"]).get(f"{RULES}{rule.pk}/").status_code == 403


# Exemplar trajectories ------------------------------------------------------------------------------------


def test_the_repository_links_the_exemplar_form_for_publishers(admin: Client) -> None:
    assert EXEMPLAR in text(admin.get("/progress/repository/"))


def test_too_few_students_refuse_an_exemplar_with_the_reason(demo: Demo, admin: Client) -> None:
    InquirySettings.objects.update_or_create(
        district=demo.riverside, defaults={"exemplar_min_students": 1000}
    )
    before = ExemplarTrajectory.objects.count()
    response = admin.post(EXEMPLAR, {"title": "Four years", "target_years": "4"})
    assert response.status_code == 400
    assert "Fewer than 1000 students share this trajectory, so it cannot be published." in text(response)
    assert ExemplarTrajectory.objects.count() == before


def _students_on_track(demo: Demo, count: int) -> None:
    """`count` Riverside students aiming at four years, on track since a year ago."""
    started = timezone.localdate() - datetime.timedelta(days=365)
    for student in Student.objects.filter(district=demo.riverside).order_by("pk")[:count]:
        StudentProgress.objects.update_or_create(
            student=student,
            defaults={
                "district": demo.riverside,
                "status": Status.ON_TRACK,
                "target_years": 4,
                "started_on": started,
                "required": 10,
                "mastered": 0,
                "pace": 0.0,
            },
        )


def test_an_exemplar_shared_by_enough_students_is_published(demo: Demo, admin: Client) -> None:
    _students_on_track(demo, 10)
    InquirySettings.objects.update_or_create(district=demo.riverside, defaults={"exemplar_min_students": 10})
    response = admin.post(EXEMPLAR, {"title": "Four years at Riverside", "target_years": "4"})
    assert response.status_code == 302, text(response)
    exemplar = ExemplarTrajectory.objects.get(district=demo.riverside, title="Four years at Riverside")
    assert exemplar.students >= 10
    assert exemplar.points


# Assigning an alert ---------------------------------------------------------------------------------------


@pytest.fixture
def alert(demo: Demo) -> Alert:
    return Alert.objects.create(
        district=demo.riverside,
        school_id=demo.student.enrollments.order_by("-entry_date").values_list("school_id", flat=True)[0],
        student=demo.student,
        kind=AlertKind.NO_EVIDENCE,
        cause="admin-forms",
        facts={"weeks": 5},
    )


def test_the_alert_page_offers_the_staff_who_guide_the_student(demo: Demo, alert: Alert) -> None:
    page = text(client_for(demo.users["teacher"]).get(f"/progress/alerts/{alert.pk}/"))
    assert f"/progress/alerts/{alert.pk}/assign/" in page
    assert demo.users["advisor"].display_name in page
    assert demo.users["mentor"].display_name not in page


def test_an_assigned_alert_notifies_the_assignee(demo: Demo, alert: Alert) -> None:
    advisor = demo.users["advisor"]
    response = client_for(demo.users["teacher"]).post(
        f"/progress/alerts/{alert.pk}/assign/", {"assignee": advisor.pk}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.assigned_to == advisor
    notice = demo.added(Notification).get(kind="progress.alert_assigned")
    assert (notice.recipient, notice.student) == (advisor, demo.student)


def test_someone_without_the_student_in_scope_is_refused(demo: Demo, alert: Alert) -> None:
    guides = selectors_ui.owner_choices(demo.student)
    outsider = selectors_ui.district_staff(demo.student).exclude(pk__in=guides.values("pk")).first()
    assert outsider is not None, "the demo has Riverside staff who do not guide Jordan"
    response = client_for(demo.users["teacher"]).post(
        f"/progress/alerts/{alert.pk}/assign/", {"assignee": outsider.pk}
    )
    assert response.status_code == 400
    assert "does not have Jordan Alvarez in their scope" in text(response)
    alert.refresh_from_db()
    assert alert.assigned_to is None
    assert not demo.added(Notification).filter(kind="progress.alert_assigned").exists()


def test_assigning_is_for_the_staff_who_guide_the_student(demo: Demo, alert: Alert) -> None:
    url = f"/progress/alerts/{alert.pk}/assign/"
    assert (
        client_for(demo.users["student"]).post(url, {"assignee": demo.users["advisor"].pk}).status_code == 403
    )
    assert (
        client_for(demo.users["other-teacher"]).post(url, {"assignee": demo.users["advisor"].pk}).status_code
        == 404
    )
    alert.refresh_from_db()
    assert alert.assigned_to is None


# Query counts ---------------------------------------------------------------------------------------------


def test_the_rules_page_reads_a_bounded_number_of_queries(
    demo: Demo, admin: Client, django_assert_max_num_queries: object
) -> None:
    competencies = _competencies(demo, 3)
    for index in range(5):
        rule = AdvancementRule.objects.create(
            district=demo.riverside, course_code=f"C{index}", next_course_code=f"C{index + 1}"
        )
        for competency in competencies:
            AdvancementRequirement.objects.create(rule=rule, competency_id=competency)
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        assert admin.get(RULES).status_code == 200


def test_the_settings_page_reads_a_bounded_number_of_queries(
    admin: Client, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        assert admin.get(INQUIRY).status_code == 200

"""The records panels of each home page and the records links of the page shell: a student's diploma check
and transcript, a guardian's children's, the seniors eligible for the diploma, the transcript requests,
transfers and disposals waiting for administrators; each home within a bound of queries."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.home import HomePanel
from waypoint.core.models import AuditEvent, StudentEnrollment, User
from waypoint.mastery.services import score_record
from waypoint.records.demo import HILLCREST_ADMIN, TRIGONOMETRY_TASK
from waypoint.records.home import home_panels
from waypoint.records.models import DisposalRequest, TranscriptRequest
from waypoint.records.navigation import nav_links
from waypoint.records.selectors.graduation import diploma_check
from waypoint.records.services.disposal import disposal_request
from waypoint.records.services.transcripts import transcript_request

pytestmark = pytest.mark.django_db


def panels_of(user: User) -> tuple[str, dict[str, HomePanel]]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), {shown.panel.key: shown.panel for shown in response.context["panels"]}


def _request(user: User) -> object:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    return request


def links_of(user: User) -> dict[str, str]:
    return {str(link.label): link.url for link in nav_links(_request(user), user)}  # type: ignore[arg-type]


def test_the_student_sees_the_diploma_check_and_transcript(demo: Demo) -> None:
    html, panels = panels_of(demo.users["student"])
    panel = panels["my-diploma"]
    # Jordan's class has no rules in force yet (the demo phases the diploma in from the seniors).
    assert diploma_check(student=demo.student).rule_set is None
    assert panel.items[0].url == f"/students/{demo.student.pk}/diploma/"
    assert panel.items[0].detail == "No graduation rules are in force for this cohort yet."
    assert panel.items[1].url == f"/students/{demo.student.pk}/transcript/"
    assert f'href="/students/{demo.student.pk}/diploma/"' in html
    assert AuditEvent.objects.filter(object_type="home", student=demo.student).exists()


def test_the_senior_reads_how_many_requirements_are_met(demo: Demo) -> None:
    senior = User.objects.get(username="senior")
    _, panels = panels_of(senior)
    check = diploma_check(student=senior.student_record)
    assert (check.met_count, check.total) == (3, 4)
    assert panels["my-diploma"].items[0].detail == "3 of 4 requirements met"


def test_the_graduate_reads_the_award(demo: Demo) -> None:
    _, panels = panels_of(User.objects.get(username="graduate"))
    assert panels["my-diploma"].items[0].detail.startswith("Awarded on")


def test_the_guardian_sees_the_childs_diploma_check(demo: Demo) -> None:
    _, panels = panels_of(demo.users["guardian"])
    (item,) = panels["children-diplomas"].items
    assert item.label == demo.student.full_name
    assert item.url == f"/students/{demo.student.pk}/diploma/"
    assert item.detail == "What is met toward the diploma, and what remains"


def test_the_graduates_guardian_reads_the_award(demo: Demo) -> None:
    graduate = User.objects.get(username="graduate").student_record
    guardian = User.objects.get(guardian_links__student=graduate)
    _, panels = panels_of(guardian)
    (item,) = panels["children-diplomas"].items
    assert item.detail.startswith("Awarded on")


def test_the_district_admin_sees_a_senior_once_eligible(demo: Demo) -> None:
    senior = User.objects.get(username="senior").student_record
    admin = demo.users["district-admin"]
    _, before = panels_of(admin)
    assert senior.full_name not in [item.label for item in before["diplomas-to-award"].items]
    waiting = senior.evidence.get(assessment__title=TRIGONOMETRY_TASK)
    score_record(
        context=RequestContext(user=demo.users["teacher"]),
        evidence_id=waiting.pk,
        competency_id=waiting.competencies.get().pk,
        value=3.0,
    )
    _, after = panels_of(admin)
    item = next(i for i in after["diplomas-to-award"].items if i.label == senior.full_name)
    assert item.url == f"/students/{senior.pk}/diploma/"
    assert after["diplomas-to-award"].count == before["diplomas-to-award"].count + 1  # type: ignore[operator]


def test_transfers_waiting_are_counted_on_each_side(demo: Demo) -> None:
    _, riverside = panels_of(demo.users["district-admin"])
    assert [(i.label, i.count) for i in riverside["transfers-waiting"].items] == [
        ("Records you asked for", 1)
    ]
    _, hillcrest = panels_of(User.objects.get(username=HILLCREST_ADMIN))
    assert [(i.label, i.count) for i in hillcrest["transfers-waiting"].items] == [
        ("Records other districts ask for", 1)
    ]


def test_a_transcript_request_waits_on_the_school_admins_home(demo: Demo) -> None:
    _, before = panels_of(demo.users["school-admin"])
    assert before["transcript-requests"].count == 0
    transcript_request(
        context=RequestContext(user=demo.users["student"]), student=demo.student, recipient="State University"
    )
    assert TranscriptRequest.objects.filter(student=demo.student).exists()
    _, after = panels_of(demo.users["school-admin"])
    (item,) = after["transcript-requests"].items
    assert item.label == demo.student.full_name
    assert item.detail == "For State University"


def test_a_disposal_request_is_due_on_the_district_admins_home(demo: Demo) -> None:
    admin = demo.users["district-admin"]
    _, before = panels_of(admin)
    assert before["disposals-due"].items == ()
    departed = (
        StudentEnrollment.objects.filter(district=demo.riverside, student__user__isnull=True)
        .order_by("student_id")
        .first()
    )
    assert departed is not None
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    StudentEnrollment.objects.filter(student=departed.student).update(exit_date=yesterday)
    disposal_request(
        context=RequestContext(user=admin),
        student=departed.student,
        requested_by_name="The family",
        received_on=yesterday,
    )
    assert DisposalRequest.objects.filter(student=departed.student).exists()
    _, after = panels_of(admin)
    (item,) = after["disposals-due"].items
    assert item.count == 1
    assert item.url == "/records/disposals/"


def test_others_get_no_records_panel(demo: Demo) -> None:
    for username in ("teacher", "mentor", "state-analyst", "other-teacher"):
        user = demo.users[username]
        assert home_panels(_request(user), user) == [], username  # type: ignore[arg-type]


# Upper bounds on the queries of the records panels alone, per role: they do not grow with the district.
QUERY_LIMITS = {"student": 18, "guardian": 6, "school-admin": 12, "district-admin": 30}


@pytest.mark.parametrize("username", sorted(QUERY_LIMITS))
def test_records_panels_stay_under_their_query_limit(
    demo: Demo, username: str, django_assert_max_num_queries: object
) -> None:
    user = demo.users[username]
    request = _request(user)
    with django_assert_max_num_queries(QUERY_LIMITS[username]):  # type: ignore[operator]
        assert home_panels(request, user)  # type: ignore[arg-type]


def test_the_student_and_guardian_find_their_pages(demo: Demo) -> None:
    own = demo.student.pk
    assert links_of(demo.users["student"]) == {
        "My diploma": f"/students/{own}/diploma/",
        "My transcript": f"/students/{own}/transcript/",
        "My portfolio": f"/students/{own}/portfolio/",
    }
    assert links_of(demo.users["guardian"]) == {}


def test_staff_links_follow_the_policy(demo: Demo) -> None:
    assert links_of(demo.users["teacher"]) == {"Exhibitions": "/records/exhibitions/"}
    school_admin = links_of(demo.users["school-admin"])
    assert {"Exhibitions", "Transcript requests", "Transfers", "Graduation rules"} == set(school_admin)
    district_admin = links_of(demo.users["district-admin"])
    assert {"Diplomas", "Disposals", "Graduation rules", "Transfers"} <= set(district_admin)
    assert district_admin["Diplomas"] == "/records/diplomas/"
    for outsider in ("mentor", "state-analyst"):
        assert links_of(demo.users[outsider]) == {}

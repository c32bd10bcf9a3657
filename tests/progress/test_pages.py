"""The progress pages: the trajectory with its chart data and table, advancement (refused without the
requirements unless a reason is given, the reason shown on the record), alerts and supports, conferences
whose next step becomes a milestone and whose notes a guardian reads in Spanish, the school support plan,
the repository and the success plan's target."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.models import Section, SectionEnrollment, Student, User
from waypoint.frameworks.models import Competency
from waypoint.mastery.models import MasteryLevel
from waypoint.policy import today
from waypoint.profiles.models import GoalMilestone, SuccessPlan
from waypoint.progress.models import (
    Advancement,
    AdvancementRequirement,
    AdvancementRule,
    Alert,
    AlertKind,
    Conference,
    ConferenceShare,
    PacingPractice,
    SchoolSupportTask,
    Support,
)

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _math_place(student: Student, teacher: User) -> SectionEnrollment:
    on = today()
    return (
        SectionEnrollment.objects.filter(
            student=student, section__teacher_assignments__teacher=teacher, starts_on__lte=on
        )
        .exclude(ends_on__lt=on)
        .select_related("section")
        .order_by("pk")
        .first()
    )  # type: ignore[return-value]


def _rule_with_unmet_requirement(place: SectionEnrollment) -> tuple[AdvancementRule, Section]:
    """A rule on the student's section's course that requires one competency the student has not mastered,
    and a section of the next course at the same school that runs today."""
    section = place.section
    code = section.course_code or f"C{section.pk}"
    if not section.course_code:
        Section.objects.filter(pk=section.pk).update(course_code=code)
    rule = AdvancementRule.objects.filter(district_id=section.district_id, course_code=code).first()
    if rule is None:
        rule = AdvancementRule.objects.create(
            district_id=section.district_id, course_code=code, next_course_code=f"{code}-NEXT"
        )
    mastered = MasteryLevel.objects.filter(student_id=place.student_id, meets_mastery=True).values(
        "competency_id"
    )
    unmet = Competency.objects.filter(version__framework__owner_id=section.district_id).exclude(
        id__in=mastered
    )[0]
    rule.requirements.all().delete()
    AdvancementRequirement.objects.create(rule=rule, competency=unmet)
    following = Section.objects.create(
        district_id=section.district_id,
        school_id=section.school_id,
        sourced_id=f"next-{section.pk}",
        title="Next course (A)",
        course_code=rule.next_course_code,
        starts_on=section.starts_on,
        ends_on=section.ends_on,
    )
    return rule, following


def test_the_trajectory_shows_status_chart_data_and_the_table(demo: Demo) -> None:
    response = client_for(demo.users["student"]).get(f"/students/{demo.student.pk}/trajectory/")
    assert response.status_code == 200
    body = text(response)
    assert "My pace toward graduation" in body
    assert 'class="trajectory-chart"' in body
    match = re.search(r'<script id="trajectory-data" type="application/json">(.*?)</script>', body, re.S)
    assert match is not None
    chart = json.loads(match.group(1))
    roles = [series["role"] for series in chart["series"]]
    assert roles.count("model") == 4
    assert "student" in roles
    # The plan's target (4 years unless chosen) is the one model drawn solid.
    assert sum(1 for series in chart["series"] if series.get("target")) == 1
    assert "Competencies at mastery by month of high school, with the models" in body
    for years in (3, 4, 5, 6):
        assert f"{years}-year model" in body


def test_a_mentor_and_the_state_analyst_reach_no_students_pace(demo: Demo) -> None:
    url = f"/students/{demo.student.pk}/trajectory/"
    assert client_for(demo.users["guardian"]).get(url).status_code == 200
    assert client_for(demo.users["mentor"]).get(url).status_code == 404
    assert client_for(demo.users["state-analyst"]).get(url).status_code == 404


def test_an_advancement_without_the_requirements_needs_a_reason_shown_on_the_record(demo: Demo) -> None:
    teacher = demo.users["teacher"]
    place = _math_place(demo.student, teacher)
    _, following = _rule_with_unmet_requirement(place)
    client = client_for(teacher)
    url = f"/students/{demo.student.pk}/advance/"
    assert "Not yet" in text(client.get(url))
    form = {"to_section": following.pk, "advanced_on": today().isoformat(), "override_reason": ""}
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "Not ready to advance" in text(refused)
    assert not Advancement.objects.filter(student=demo.student, to_section=following).exists()
    reason = "Showed the missing competency in the summer program."
    done = client.post(url, {**form, "override_reason": reason})
    assert done.status_code == 302
    advancement = Advancement.objects.get(student=demo.student, to_section=following)
    assert advancement.overridden
    record = text(client_for(demo.users["guardian"]).get(f"/students/{demo.student.pk}/trajectory/"))
    assert "Advanced without every requirement" in record
    assert reason in record


def test_an_uncertified_teacher_may_not_advance(demo: Demo) -> None:
    response = client_for(demo.users["teacher-uncertified"]).get(f"/students/{demo.student.pk}/advance/")
    assert response.status_code == 403


def _student_alert(demo: Demo) -> Alert:
    return Alert.objects.create(
        district=demo.riverside,
        student=demo.student,
        kind=AlertKind.NO_EVIDENCE,
        cause=f"test-no-evidence-{demo.student.pk}",
        facts={"weeks": 4, "last_evidence": "2026-10-01"},
    )


def test_an_advisor_turns_an_alert_into_a_support(demo: Demo) -> None:
    alert = _student_alert(demo)
    advisor = client_for(demo.users["advisor"])
    listed = text(advisor.get("/progress/alerts/"))
    assert f"/progress/alerts/{alert.pk}/" in listed
    detail = text(advisor.get(f"/progress/alerts/{alert.pk}/"))
    assert "No new evidence in 4 weeks" in detail
    url = f"/students/{demo.student.pk}/supports/new/?alert={alert.pk}"
    assert advisor.get(url).status_code == 200
    on = today()
    response = advisor.post(
        url,
        {
            "kind": "tutoring",
            "owner": demo.users["advisor"].pk,
            "starts_on": on.isoformat(),
            "follow_up_on": (on + datetime.timedelta(days=14)).isoformat(),
            "description": "Two sessions a week.",
        },
    )
    assert response.status_code == 302
    support = Support.objects.get(alert=alert)
    assert support.owner == demo.users["advisor"]
    assert text(advisor.get(f"/progress/supports/{support.pk}/")).count("Two sessions a week.") == 1


def test_the_student_and_guardian_do_not_open_alerts(demo: Demo) -> None:
    alert = _student_alert(demo)
    assert client_for(demo.users["student"]).get(f"/progress/alerts/{alert.pk}/").status_code == 403
    assert client_for(demo.users["guardian"]).get("/progress/alerts/").status_code == 403
    assert client_for(demo.users["other-teacher"]).get(f"/progress/alerts/{alert.pk}/").status_code == 404


def test_a_conference_next_step_becomes_a_milestone_and_the_guardian_reads_the_shared_notes(
    demo: Demo,
) -> None:
    advisor = client_for(demo.users["advisor"])
    guardian_user = demo.users["guardian"]
    when = timezone.localtime() + datetime.timedelta(days=2)
    scheduled = advisor.post(
        f"/students/{demo.student.pk}/conferences/new/",
        {
            "kind": "advisor_family",
            "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"),
            "attendees": [guardian_user.pk],
        },
    )
    assert scheduled.status_code == 302
    conference = Conference.objects.filter(student=demo.student).order_by("-pk")[0]
    # Before the notes are shared the guardian cannot open the conference.
    guardian = client_for(guardian_user)
    assert guardian.get(f"/progress/conferences/{conference.pk}/").status_code == 404
    recorded = advisor.post(
        f"/progress/conferences/{conference.pk}/record/",
        {
            "held_on": today().isoformat(),
            "notes": "Jordan will bring the lab report to mastery.",
            "attended": [guardian_user.pk],
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-0-text": "Revise the lab report",
            "steps-0-becomes": "milestone",
            "steps-0-due": (today() + datetime.timedelta(days=21)).isoformat(),
        },
    )
    assert recorded.status_code == 302, text(recorded)
    assert GoalMilestone.objects.filter(
        goal__plan__student=demo.student, description="Revise the lab report"
    ).exists()
    shared = advisor.post(f"/progress/conferences/{conference.pk}/share/", {"guardians": [guardian_user.pk]})
    assert shared.status_code == 302
    assert ConferenceShare.objects.filter(conference=conference, guardian=guardian_user).exists()
    guardian_user.language = "es"
    guardian_user.save(update_fields=["language"])
    page = guardian.get(f"/progress/conferences/{conference.pk}/")
    assert page.status_code == 200
    body = text(page)
    assert "Jordan will bring the lab report to mastery." in body
    assert page["Content-Language"] == "es"
    assert "Próximos pasos" in body


def test_the_school_admin_sees_the_support_plan_and_the_analyst_browses_the_repository(demo: Demo) -> None:
    assert client_for(demo.users["school-admin"]).get("/progress/school-plan/").status_code == 200
    assert client_for(demo.users["teacher"]).get("/progress/school-plan/").status_code == 403
    assert client_for(demo.users["state-analyst"]).get("/progress/repository/").status_code == 200
    assert client_for(demo.users["student"]).get("/progress/repository/").status_code == 403


def test_a_district_copies_a_practice_as_a_template(demo: Demo) -> None:
    practice = PacingPractice.objects.create(
        district=demo.hillcrest,
        title="Flex Fridays",
        write_up="Open labs.",
        for_struggling="Time.",
        published=True,
    )
    admin = client_for(demo.users["district-admin"])
    assert "Flex Fridays" in text(admin.get("/progress/repository/"))
    response = admin.post(f"/progress/repository/practices/{practice.pk}/copy/")
    assert response.status_code == 302
    copy = PacingPractice.objects.get(copied_from=practice)
    assert copy.district == demo.riverside
    assert not copy.published


def test_school_tasks_list_only_the_administrators_schools(demo: Demo) -> None:
    tasks = SchoolSupportTask.objects.filter(district=demo.riverside)
    body = text(client_for(demo.users["district-admin"]).get("/progress/school-plan/"))
    for task in tasks:
        assert f'id="task-{task.pk}"' in body


def test_the_plan_sets_the_target_years(demo: Demo) -> None:
    client = client_for(demo.users["advisor"])
    response = client.post(f"/students/{demo.student.pk}/plan/target/", {"target_years": "5"})
    assert response.status_code == 302
    assert SuccessPlan.objects.get(student=demo.student).target_years == 5
    assert "5-year target" in text(client.get(f"/students/{demo.student.pk}/plan/"))
    refused = client_for(demo.users["guardian"]).post(
        f"/students/{demo.student.pk}/plan/target/", {"target_years": "3"}
    )
    assert refused.status_code == 403

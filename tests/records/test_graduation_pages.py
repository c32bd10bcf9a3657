"""The graduation pages and API: the rule sets and their form, the diploma check (a guardian reads it),
the award and revocation, the seniors list within a bounded number of queries."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Demo
from tests.records.graduation_kit import hold_senior_project, profile, reach, senior_project_rules
from waypoint.records.models import Diploma, GraduationRuleSet

pytestmark = pytest.mark.django_db


def signed_in(demo: Demo, username: str) -> Client:
    client = Client()
    client.force_login(demo.users[username])
    return client


def test_the_rule_sets_page_lists_and_the_form_saves_a_new_version(demo: Demo) -> None:
    rule_set = senior_project_rules(demo, demo.student)
    teacher = signed_in(demo, "teacher").get("/district-admin/rules/graduation/")
    assert teacher.status_code == 200
    assert "Test diploma" in teacher.content.decode()
    page = signed_in(demo, "teacher").get(f"/district-admin/rules/graduation/{rule_set.pk}/")
    assert page.status_code == 200
    assert "Change the rules" not in page.content.decode()

    admin = signed_in(demo, "district-admin")
    form = {
        "title": "Changed",
        "description": "",
        "requirements-TOTAL_FORMS": "1",
        "requirements-INITIAL_FORMS": "0",
        "requirements-0-kind": "experience",
        "requirements-0-experience": "exhibition",
        "publish": "on",
    }
    response = admin.post(f"/district-admin/rules/graduation/{rule_set.pk}/", form)
    assert response.status_code == 302
    newest = GraduationRuleSet.objects.filter(
        district=demo.riverside, cohort_year=rule_set.cohort_year
    ).first()
    assert newest is not None
    assert (newest.title, newest.version) == ("Changed", rule_set.version + 1)

    form["requirements-0-kind"] = ""  # no requirement left: refused, shown again with the problem
    refused = admin.post(f"/district-admin/rules/graduation/{rule_set.pk}/", form)
    assert refused.status_code == 400
    assert "at least one requirement" in refused.content.decode()


def test_a_guardian_reads_the_check_without_the_award(demo: Demo) -> None:
    senior_project_rules(demo, demo.student)
    client = signed_in(demo, "guardian")
    response = client.get(f"/students/{demo.student.pk}/diploma/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Award the diploma" not in response.content.decode()


def test_an_admin_awards_an_eligible_student_and_revokes_with_a_reason(demo: Demo) -> None:
    student = demo.student
    senior_project_rules(demo, student)
    admin = signed_in(demo, "district-admin")
    url = f"/students/{student.pk}/diploma/"
    refused = admin.post(url + "award/", {"awarded_on": timezone.localdate().isoformat()})
    assert refused.status_code == 400
    assert "Not yet met" in refused.content.decode()

    reach(student, profile(demo).leaf, mastery=True)
    hold_senior_project(student)
    assert admin.post(url + "award/", {"awarded_on": timezone.localdate().isoformat()}).status_code == 302
    assert Diploma.objects.filter(student=student, revoked_at__isnull=True).exists()
    assert admin.post(url + "revoke/", {"reason": ""}).status_code == 400
    assert admin.post(url + "revoke/", {"reason": "Wrong student"}).status_code == 302
    assert not Diploma.objects.filter(student=student, revoked_at__isnull=True).exists()


def test_the_seniors_list_reads_in_a_bounded_number_of_queries(
    demo: Demo, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    admin = signed_in(demo, "district-admin")
    admin.get("/records/diplomas/")  # the session and the grants, read once
    with django_assert_max_num_queries(30):
        response = admin.get("/records/diplomas/")
    assert response.status_code == 200
    assert "Diplomas to award" in response.content.decode()


def test_the_api_reads_the_check_and_refuses_an_ineligible_award(demo: Demo) -> None:
    senior_project_rules(demo, demo.student)
    student = signed_in(demo, "student")
    check = student.get(f"/api/v1/records/students/{demo.student.pk}/diploma-check").json()
    assert check["total"] == 2
    assert check["eligible"] is False
    assert check["requirements"][1]["remaining"]

    admin = signed_in(demo, "district-admin")
    refused = admin.post(
        f"/api/v1/records/students/{demo.student.pk}/diploma",
        data=json.dumps({"awarded_on": timezone.localdate().isoformat()}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "Not yet met" in refused.json()["detail"]


def test_the_api_saves_a_rule_set_or_names_every_problem(demo: Demo) -> None:
    admin = signed_in(demo, "district-admin")
    p = profile(demo)
    bad = {
        "cohort_year": 2031,
        "title": "API rules",
        "requirements": [
            {"kind": "count", "framework_id": p.framework.pk, "count": p.domains + 1},
            {"kind": "competency", "competency_id": p.leaf.pk, "min_level": -2},
        ],
    }
    refused = admin.post(
        "/api/v1/records/graduation/rule-sets", data=json.dumps(bad), content_type="application/json"
    )
    assert refused.status_code == 400
    assert "only" in refused.json()["detail"]
    assert "negative" in refused.json()["detail"]
    assert not GraduationRuleSet.objects.filter(district=demo.riverside, cohort_year=2031).exists()

    bad["requirements"] = [{"kind": "competency", "competency_id": p.leaf.pk}]
    saved = admin.post(
        "/api/v1/records/graduation/rule-sets", data=json.dumps(bad), content_type="application/json"
    )
    assert saved.status_code == 201
    body = saved.json()
    assert (body["cohort_year"], body["status"]) == (2031, "draft")
    listed = admin.get("/api/v1/records/graduation/rule-sets").json()["items"]
    assert body["id"] in [r["id"] for r in listed]
    assert admin.get(f"/api/v1/records/graduation/rule-sets/{body['id']}").status_code == 200


def test_the_api_changes_a_published_rule_set_into_its_next_version(demo: Demo) -> None:
    rule_set = senior_project_rules(demo, demo.student)
    change = {"title": "Changed", "requirements": [{"kind": "experience", "experience": "internship"}]}
    admin = signed_in(demo, "district-admin")
    response = admin.post(
        f"/api/v1/records/graduation/rule-sets/{rule_set.pk}",
        data=json.dumps(change),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == (rule_set.version + 1, "draft")
    rule_set.refresh_from_db()
    assert rule_set.title == "Test diploma"  # the published one is unchanged
    teacher = signed_in(demo, "teacher").post(
        f"/api/v1/records/graduation/rule-sets/{rule_set.pk}",
        data=json.dumps(change),
        content_type="application/json",
    )
    assert teacher.status_code == 403

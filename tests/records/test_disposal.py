"""Disposal on request: a departed student's record goes within 60 days; the diplomas, the fact of
disposal and the audit log stay; all or nothing."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Conflict, NotPermitted
from waypoint.core.models import AuditEvent, GuardianLink, Student, StudentEnrollment
from waypoint.evidence.models import Artifact, Evidence, Score
from waypoint.mastery.models import MasteryLevel
from waypoint.notifications.models import Notification
from waypoint.records.models import (
    CredentialKind,
    Diploma,
    DisposalRequest,
    DisposalStatus,
    GraduationRuleSet,
    IssuedCredential,
    IssuedTranscript,
    PortfolioCollection,
    PortfolioItem,
    SigningKey,
    TranscriptRequest,
)
from waypoint.records.services import disposal as services
from waypoint.records.services.disposal import DisposalError, disposal_complete, disposal_request

TODAY = timezone.localdate()


def _admin(demo: Demo) -> RequestContext:
    return RequestContext(user=demo.users["district-admin"])


def _depart(student: Student) -> None:
    StudentEnrollment.objects.filter(student=student, exit_date__isnull=True).update(
        exit_date=TODAY - datetime.timedelta(days=1), exit_reason="Moved away"
    )
    StudentEnrollment.objects.filter(student=student, exit_date__gte=TODAY).update(
        exit_date=TODAY - datetime.timedelta(days=1)
    )


@pytest.fixture
def departed(demo: Demo) -> Student:
    """Jordan, departed from Riverside, with a diploma and a file on a piece of evidence."""
    jordan = demo.student
    _depart(jordan)
    rule_set = GraduationRuleSet.objects.filter(district=demo.riverside).order_by("pk").first() or (
        GraduationRuleSet.objects.create(
            district=demo.riverside, cohort_year=jordan.cohort_year or 2024, title="T"
        )
    )
    Diploma.objects.create(
        district=demo.riverside,
        student=jordan,
        rule_set=rule_set,
        student_name=jordan.full_name,
        awarded_on=TODAY,
        awarded_by=demo.users["district-admin"],
    )
    evidence = Evidence.objects.filter(student=jordan).order_by("pk")[0]
    Artifact.objects.create(
        district=demo.riverside,
        evidence=evidence,
        file=ContentFile(b"essay", name="essay.txt"),
        original_name="essay.txt",
        content_type="text/plain",
        size=5,
    )
    collection = PortfolioCollection.objects.create(
        district=demo.riverside, student=jordan, title="Best work"
    )
    PortfolioItem.objects.create(collection=collection, district=demo.riverside, evidence=evidence)
    issued = IssuedTranscript.objects.create(
        district=demo.riverside,
        student=jordan,
        verification_code="disposal-test",
        content={"student": jordan.full_name},
        pdf=b"%PDF",
        sha256="0" * 64,
    )
    TranscriptRequest.objects.create(
        district=demo.riverside,
        student=jordan,
        recipient="A college",
        requested_by=demo.users["district-admin"],
        transcript=issued,
    )
    key = SigningKey.objects.create(
        district=demo.riverside, kid="disposal-test", public_jwk={}, private_pem=""
    )
    IssuedCredential.objects.create(
        district=demo.riverside,
        student=jordan,
        kind=CredentialKind.CLR,
        credential_id="urn:uuid:disposal-test",
        signing_key=key,
        token="header.payload.signature",
        status_index=9999,
    )
    return jordan


def test_disposal_is_refused_for_an_enrolled_student(demo: Demo) -> None:
    audits = AuditEvent.objects.count()
    with pytest.raises(DisposalError, match="still enrolled"):
        disposal_request(
            context=_admin(demo), student=demo.student, requested_by_name="The family", received_on=TODAY
        )
    assert not DisposalRequest.objects.exists() or not demo.added(DisposalRequest).exists()
    assert AuditEvent.objects.count() == audits


def test_request_lists_every_problem(departed: Student, demo: Demo) -> None:
    with pytest.raises(DisposalError) as refused:
        disposal_request(
            context=_admin(demo),
            student=departed,
            requested_by_name=" ",
            received_on=TODAY + datetime.timedelta(days=1),
        )
    assert len(refused.value.problems) == 2
    assert not demo.added(DisposalRequest).exists()


def test_only_a_district_admin_disposes(departed: Student, demo: Demo) -> None:
    with pytest.raises(NotPermitted):
        disposal_request(
            context=RequestContext(user=demo.users["school-admin"]),
            student=departed,
            requested_by_name="The family",
            received_on=TODAY,
        )


def test_disposal_removes_the_record_and_keeps_diploma_request_and_audit(
    departed: Student, demo: Demo
) -> None:
    received = TODAY - datetime.timedelta(days=5)
    request = disposal_request(
        context=_admin(demo), student=departed, requested_by_name="Maria Alvarez", received_on=received
    )
    assert request.due_on == received + datetime.timedelta(days=60)
    assert len(request.student_reference) == 64
    assert departed.last_name not in request.student_reference
    with pytest.raises(DisposalError, match="already open"):
        disposal_request(context=_admin(demo), student=departed, requested_by_name="Again", received_on=TODAY)
    pk = departed.pk
    audits_before = AuditEvent.objects.filter(student_id=pk).count()
    assert Score.objects.filter(student_id=pk).exists()
    assert MasteryLevel.objects.filter(student_id=pk).exists()
    artifact = Artifact.objects.filter(evidence__student_id=pk).get()
    storage, name = artifact.file.storage, artifact.file.name
    with mock.patch("django.db.transaction.on_commit", lambda run: run()):
        done = disposal_complete(context=_admin(demo), request=request)
    connection.check_constraints()
    assert done.status == DisposalStatus.COMPLETED
    assert done.student_id is None
    assert done.completed_by_id == demo.users["district-admin"].pk
    for model in (Student, Evidence, Score, MasteryLevel, StudentEnrollment, GuardianLink):
        field = "pk" if model is Student else "student_id"
        assert not model.objects.filter(**{field: pk}).exists(), model
    assert not Notification.objects.filter(student_id=pk).exists()
    assert not PortfolioCollection.objects.filter(student_id=pk).exists()
    assert not IssuedTranscript.objects.filter(verification_code="disposal-test").exists()
    assert not TranscriptRequest.objects.filter(student_id=pk).exists()
    assert not Artifact.objects.filter(pk=artifact.pk).exists()
    assert not storage.exists(name)
    diploma = Diploma.objects.get(student_name=departed.full_name, district=demo.riverside, awarded_on=TODAY)
    assert diploma.student_id is None
    assert AuditEvent.objects.filter(student_id=pk).count() == audits_before + 1
    assert AuditEvent.objects.filter(student_id=pk, object_type="disposal", action="delete").exists()
    assert done.disposed["core.student"] == 1
    assert done.disposed["evidence.score"] > 0
    assert done.kept["records.diploma"] == 1
    # The credential keeps its place on the revocation list, and nothing of the student.
    held = IssuedCredential.objects.get(credential_id="urn:uuid:disposal-test")
    assert (held.student_id, held.token, held.status_index) == (None, "", 9999)
    assert done.kept["records.issuedcredential"] == 1
    assert done.kept["records.disposalrequest"] == 1
    with pytest.raises(Conflict):
        disposal_complete(context=_admin(demo), request=done)


def test_disposal_is_all_or_nothing(departed: Student, demo: Demo) -> None:
    request = disposal_request(
        context=_admin(demo), student=departed, requested_by_name="The family", received_on=TODAY
    )
    evidence = Evidence.objects.filter(student=departed).count()
    original = services._remove

    def fail_at_the_student(rows, **kwargs):  # type: ignore[no-untyped-def]
        if rows.model is Student:
            raise RuntimeError("storage went away")
        return original(rows, **kwargs)

    with mock.patch.object(services, "_remove", side_effect=fail_at_the_student), pytest.raises(RuntimeError):
        disposal_complete(context=_admin(demo), request=request)
    request.refresh_from_db()
    assert request.status == DisposalStatus.REQUESTED
    assert request.student_id == departed.pk
    assert Evidence.objects.filter(student=departed).count() == evidence


def test_disposal_is_refused_when_the_student_enrolled_again(departed: Student, demo: Demo) -> None:
    request = disposal_request(
        context=_admin(demo), student=departed, requested_by_name="The family", received_on=TODAY
    )
    school = StudentEnrollment.objects.filter(student=departed).order_by("-entry_date")[0].school
    StudentEnrollment.objects.create(
        student=departed, district=demo.riverside, school=school, grade_level=10, entry_date=TODAY
    )
    with pytest.raises(DisposalError, match="enrolled in the district again"):
        disposal_complete(context=_admin(demo), request=request)
    assert Student.objects.filter(pk=departed.pk).exists()


def test_pages_record_complete_and_list_overdue_first(
    departed: Student, demo: Demo, django_assert_max_num_queries: pytest.FixtureRequest
) -> None:
    client = Client()
    client.force_login(demo.users["district-admin"])
    page = reverse("records-disposal-new", args=[departed.pk])
    assert client.get(page).status_code == 200
    bad = client.post(page, {"do": "record", "requested_by_name": "", "received_on": TODAY.isoformat()})
    assert bad.status_code == 400
    long_ago = TODAY - datetime.timedelta(days=90)
    assert (
        client.post(
            page, {"do": "record", "requested_by_name": "The family", "received_on": long_ago.isoformat()}
        ).status_code
        == 302
    )
    other = Student.objects.filter(district=demo.riverside).exclude(pk=departed.pk).order_by("pk")[0]
    _depart(other)
    disposal_request(context=_admin(demo), student=other, requested_by_name="Guardian", received_on=TODAY)
    client.get(reverse("records-disposals"))
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        listed = client.get(reverse("records-disposals"))
    rows = listed.context["rows"]
    assert rows[0].request.student_id == departed.pk
    assert rows[0].overdue
    assert not rows[1].overdue
    assert "Overdue" in listed.content.decode()
    assert client.post(page, {"do": "complete"}).status_code == 302
    assert not Student.objects.filter(pk=departed.pk).exists()


def test_the_enrolled_student_page_says_so_and_api_refuses(demo: Demo) -> None:
    client = Client()
    client.force_login(demo.users["district-admin"])
    response = client.get(reverse("records-disposal-new", args=[demo.student.pk]))
    assert "still enrolled" in response.content.decode()
    api = client.post(
        f"/api/v1/records/students/{demo.student.pk}/disposal-requests",
        data={"requested_by_name": "The family", "received_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert not demo.added(DisposalRequest).exists()


def test_api_records_and_completes(departed: Student, demo: Demo) -> None:
    client = Client()
    client.force_login(demo.users["district-admin"])
    created = client.post(
        f"/api/v1/records/students/{departed.pk}/disposal-requests",
        data={"requested_by_name": "The family", "received_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    listed = client.get("/api/v1/records/disposals").json()["items"]
    assert created.json()["id"] in [row["id"] for row in listed]
    done = client.post(f"/api/v1/records/disposals/{created.json()['id']}/complete")
    assert done.status_code == 200, done.content
    assert done.json()["student_id"] is None
    assert done.json()["kept"]["records.diploma"] == 1

"""The audit log: one event per read of a student record, denied requests too, and no way to change a row;
a request's events stored in one insert, without losing a read or claiming a change that rolled back."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.conftest import Demo
from tests.factories import (
    EnrollmentFactory,
    GuardianLinkFactory,
    RoleFactory,
    RosterFactory,
    SectionTeacherFactory,
)
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.middleware import AuditBatchMiddleware
from waypoint.core.models import AppendOnlyError, AuditAction, AuditEvent, Role, Section, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher_and_student() -> tuple[User, int]:
    enrollment = EnrollmentFactory()
    teacher = RoleFactory(role=Role.TEACHER, organization=enrollment.school).user
    section = SectionTeacherFactory(teacher=teacher, section__school=enrollment.school).section
    RosterFactory(section=section, student=enrollment.student)
    return teacher, enrollment.student.pk


def events_since(first_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=first_id).order_by("pk"))


def last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_student_page_read_writes_exactly_one_event(
    client: Client, teacher_and_student: tuple[User, int]
) -> None:
    teacher, student_id = teacher_and_student
    client.force_login(teacher)
    before = last_id()
    response = client.get(f"/students/{student_id}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    [event] = events_since(before)
    assert (event.action, event.object_type, event.student_id) == (AuditAction.VIEW, "student", student_id)
    assert event.actor_id == teacher.pk
    assert event.client_address == "10.1.2.3"
    assert event.district_id == teacher.role_assignments.get().district_id


def test_api_read_writes_exactly_one_event(client: Client, teacher_and_student: tuple[User, int]) -> None:
    teacher, student_id = teacher_and_student
    client.force_login(teacher)
    before = last_id()
    assert client.get(f"/api/v1/students/{student_id}").status_code == 200
    [event] = events_since(before)
    assert (event.action, event.student_id, event.path) == (
        AuditAction.VIEW,
        student_id,
        f"/api/v1/students/{student_id}",
    )


def test_denied_request_is_audited_with_the_students_district(client: Client) -> None:
    outsider = RoleFactory(role=Role.TEACHER).user
    student = EnrollmentFactory().student
    client.force_login(outsider)
    before = last_id()
    assert client.get(f"/students/{student.pk}/").status_code == 404
    assert client.get(f"/api/v1/students/{student.pk}").status_code == 404
    events = events_since(before)
    assert [e.action for e in events] == [AuditAction.DENIED, AuditAction.DENIED]
    assert {e.district_id for e in events} == {student.district_id}
    assert {e.actor_id for e in events} == {outsider.pk}


def test_denied_request_for_missing_student_looks_the_same(client: Client) -> None:
    outsider = RoleFactory(role=Role.TEACHER).user
    student = EnrollmentFactory().student
    client.force_login(outsider)
    hidden = client.get(f"/api/v1/students/{student.pk}")
    missing = client.get("/api/v1/students/987654321")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_list_page_audits_each_student_shown(client: Client, teacher_and_student: tuple[User, int]) -> None:
    teacher, student_id = teacher_and_student
    client.force_login(teacher)
    before = last_id()
    assert client.get("/api/v1/students").status_code == 200
    assert [(e.object_type, e.student_id) for e in events_since(before)] == [("student-list", student_id)]


def test_sign_in_and_failed_sign_in_are_audited(client: Client) -> None:
    user = User.objects.create_user(username="alex", password="correct horse battery")
    before = last_id()
    client.post("/login/", {"username": "alex", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    client.post("/login/", {"username": "alex", "password": "correct horse battery"}, REMOTE_ADDR="10.9.9.9")
    failed, signed_in = events_since(before)
    assert (failed.action, failed.object_id, failed.actor_id) == (AuditAction.LOGIN_FAILED, "alex", None)
    assert (signed_in.action, signed_in.actor_id) == (AuditAction.LOGIN, user.pk)


def _an_event() -> AuditEvent:
    return AuditEvent.objects.create(action=AuditAction.VIEW, object_type="student", object_id="1")


def test_orm_refuses_to_change_or_delete_audit_rows() -> None:
    event = _an_event()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_database_refuses_update_of_audit_rows() -> None:
    event = _an_event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = 'rewritten' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for Django's test flush")
def test_postgresql_refuses_delete_of_audit_rows() -> None:
    event = _an_event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_read_records_the_legitimate_interest(client: Client, teacher_and_student: tuple[User, int]) -> None:
    teacher, student_id = teacher_and_student
    client.force_login(teacher)
    before = last_id()
    client.get(f"/students/{student_id}/")
    client.get("/students/")
    detail, listed = events_since(before)
    assert detail.reason.startswith("Teacher of Algebra")
    assert listed.reason == "Teacher"


def test_refused_disclosures_are_audited_as_denied_not_viewed(
    client: Client, teacher_and_student: tuple[User, int]
) -> None:
    teacher, student_id = teacher_and_student
    client.force_login(teacher)
    before = last_id()
    assert client.get(f"/students/{student_id}/disclosures/").status_code == 403
    [event] = events_since(before)
    assert (event.action, event.object_type, event.student_id) == (
        AuditAction.DENIED,
        "disclosures",
        student_id,
    )


@pytest.mark.parametrize("url", ["/sections/", "/caseload/", "/audit/"])
def test_pages_for_other_roles_are_audited_as_denied(client: Client, url: str) -> None:
    student_user = User.objects.create(username="kid")
    EnrollmentFactory(student__user=student_user)
    client.force_login(student_user)
    before = last_id()
    assert client.get(url).status_code == 403
    [event] = events_since(before)
    assert (event.action, event.actor_id) == (AuditAction.DENIED, student_user.pk)


def test_students_own_visits_are_not_listed_as_disclosures(client: Client) -> None:
    student_user = User.objects.create(username="kid")
    student = EnrollmentFactory(student__user=student_user).student
    guardian = GuardianLinkFactory(student=student).guardian
    client.force_login(student_user)
    client.get(f"/students/{student.pk}/")
    client.force_login(guardian)
    client.get(f"/students/{student.pk}/")
    client.force_login(student_user)
    listed = client.get(f"/api/v1/students/{student.pk}/disclosures").json()["items"]
    assert [(item["actor"], item["description"]) for item in listed] == [
        (guardian.display_name, "Opened the record")
    ]


def test_failed_sign_in_is_shown_to_the_accounts_district(client: Client) -> None:
    teacher = RoleFactory(role=Role.TEACHER).user
    teacher.district = teacher.role_assignments.get().district
    teacher.save()
    client.post("/login/", {"username": teacher.username, "password": "wrong"})
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.district_id == teacher.district_id


@pytest.mark.parametrize(
    ("action", "object_type", "description"),
    [
        (AuditAction.VIEW, "section-roster", "Saw the name on a class roster"),
        (AuditAction.DENIED, "student", "Tried to open the record and was refused"),
        (AuditAction.CREATE, "student", "Created the record"),
        (AuditAction.EXPORT, "transcript", "Exported the record"),
        (AuditAction.VIEW, "portfolio", "Viewed (portfolio)"),
    ],
)
def test_events_describe_themselves_in_plain_words(action: str, object_type: str, description: str) -> None:
    assert AuditEvent(action=action, object_type=object_type).description == description


# One insert per request ----------------------------------------------------------------------------------


def _audit_inserts(captured: CaptureQueriesContext) -> int:
    return sum(
        1 for query in captured.captured_queries if query["sql"].startswith('INSERT INTO "core_auditevent"')
    )


def test_a_page_listing_students_stores_its_events_in_one_insert(client: Client, demo: Demo) -> None:
    teacher = demo.users["teacher"]
    section = Section.objects.filter(teachers=teacher).first()
    assert section is not None
    client.force_login(teacher)
    before = last_id()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/sections/{section.pk}/gradebook/").status_code == 200
    events = events_since(before)
    assert len(events) >= 2
    assert {event.object_type for event in events} == {"section-roster"}
    assert _audit_inserts(captured) == 1


def _request(path: str = "/somewhere/") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def _actor_context(user: User) -> RequestContext:
    return RequestContext(user=user, path="/somewhere/")


@transaction.atomic
def _failing_service(context: RequestContext) -> None:
    """A service that records a change and a refusal in its transaction, then fails."""
    audit_record(context=context, action=AuditAction.UPDATE, object_type="goal", object_id="rolled-back")
    audit_record(context=context, action=AuditAction.DENIED, object_type="goal", object_id="refused")
    raise RuntimeError("the service fails after auditing")


def test_a_rolled_back_change_leaves_no_event_but_the_reads_and_refusals_stay(
    teacher_and_student: tuple[User, int],
) -> None:
    """Inside a request: a read, then a service whose transaction records a change and a refusal and rolls
    back, then a committed change. The rolled-back change is not claimed; the read and the refusal are
    stored (one insert at the end); the committed change was written in its own transaction at once."""
    teacher, student_id = teacher_and_student
    context = _actor_context(teacher)
    before = last_id()
    seen_inside: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        audit_record(
            context=context, action=AuditAction.VIEW, object_type="student", object_id=str(student_id)
        )
        with pytest.raises(RuntimeError):
            _failing_service(context)
        with transaction.atomic():
            audit_record(context=context, action=AuditAction.UPDATE, object_type="goal", object_id="kept")
        # The committed change is in the table already; the read still waits for the request's insert.
        seen_inside.extend(AuditEvent.objects.filter(pk__gt=before).values_list("pk", flat=True))
        return HttpResponse(status=409)

    with CaptureQueriesContext(connection) as captured:
        response = AuditBatchMiddleware(view)(_request())
    assert response.status_code == 409
    stored = {(event.action, event.object_id) for event in events_since(before)}
    assert stored == {
        (AuditAction.VIEW, str(student_id)),
        (AuditAction.DENIED, "refused"),
        (AuditAction.UPDATE, "kept"),
    }
    assert len(seen_inside) == 1
    # Each change at once, inside its transaction (the rolled-back one rolled back with it); the read and
    # the refusal together in the request's one insert.
    assert _audit_inserts(captured) == 3


def test_the_reads_of_a_request_that_fails_are_stored(teacher_and_student: tuple[User, int]) -> None:
    teacher, student_id = teacher_and_student
    context = _actor_context(teacher)
    before = last_id()

    def view(request: HttpRequest) -> HttpResponse:
        audit_record(
            context=context, action=AuditAction.VIEW, object_type="student", object_id=str(student_id)
        )
        raise RuntimeError("the page breaks after the read")

    with pytest.raises(RuntimeError):
        AuditBatchMiddleware(view)(_request())
    [event] = events_since(before)
    assert (event.action, event.object_id) == (AuditAction.VIEW, str(student_id))


def test_a_refused_page_stores_its_denial(client: Client) -> None:
    outsider = RoleFactory(role=Role.TEACHER).user
    student = EnrollmentFactory().student
    client.force_login(outsider)
    before = last_id()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/students/{student.pk}/mastery/").status_code == 404
    [event] = events_since(before)
    assert (event.action, event.student_id) == (AuditAction.DENIED, student.pk)
    assert _audit_inserts(captured) == 1


def test_outside_a_request_every_event_is_written_at_once(teacher_and_student: tuple[User, int]) -> None:
    teacher, student_id = teacher_and_student
    before = last_id()
    audit_record(
        context=_actor_context(teacher),
        action=AuditAction.VIEW,
        object_type="student",
        object_id=str(student_id),
    )
    assert len(events_since(before)) == 1

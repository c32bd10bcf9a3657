"""The competency transcript: its content, the PDF, issuing with history, requests, and the public check.

The PDF is printed once for the module (WeasyPrint takes a good part of a second); the tests that go through
issuing or the PDF page print a stand-in whose bytes depend on the verification code, so each issue still
stores, hashes and serves its own bytes."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from tests.conftest import Demo
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted
from waypoint.core.models import AuditEvent, Student
from waypoint.notifications.models import Notification
from waypoint.records import events
from waypoint.records.models import Diploma, IssuedTranscript, TranscriptRequest
from waypoint.records.selectors.transcripts import transcript_content
from waypoint.records.services import transcripts as services

CODE = "module-verification-code"


@pytest.fixture(scope="module")
def content(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> dict[str, Any]:
    with django_db_blocker.unblock():
        student = Student.objects.select_related("district").get(user__username="student")
        return transcript_content(student=student)


@pytest.fixture(scope="module")
def printed(content: dict[str, Any]) -> services.PrintedTranscript:
    return services.print_transcript(content, code=CODE, issued_at=datetime.datetime.now(datetime.UTC))


@pytest.fixture
def stand_in_pdf(monkeypatch: pytest.MonkeyPatch, printed: services.PrintedTranscript) -> None:
    """Issues and the draft page print the module's PDF followed by their own code: distinct bytes each."""

    def render(content: dict[str, Any], *, code: str | None = None, **_: object) -> bytes:
        return printed.pdf + (code or "draft").encode()

    monkeypatch.setattr(services, "render_pdf", render)


def _context(demo: Demo, username: str) -> RequestContext:
    return RequestContext(user=demo.users[username])


def _client(demo: Demo, username: str) -> Client:
    client = Client()
    client.force_login(demo.users[username])
    return client


# The content -----------------------------------------------------------------------------------------------


def test_content_has_levels_with_the_day_each_was_reached(
    demo: Demo, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(14):
        content = transcript_content(student=demo.student)
    assert content["student"]["name"] == "Jordan Alvarez"
    assert content["district"]["name"] == demo.riverside.name
    assert content["school"]
    rows = [row for group in content["frameworks"] for row in group["competencies"]]
    assert rows, "the demo student has levels"
    assert all(datetime.date.fromisoformat(row["reached_on"]) <= timezone.localdate() for row in rows)
    mastered = [row for row in rows if row["meets_mastery"]]
    assert mastered
    assert all(row["mastered_on"] for row in mastered)
    assert content["mastered_count"] == len({row["id"] for row in mastered})


def test_content_summarises_the_graduate_profile_by_domain(demo: Demo) -> None:
    content = transcript_content(student=demo.student)
    domains = content["graduate_profile"]
    assert domains
    assert all(0 <= domain["mastered"] <= domain["total"] for domain in domains)
    profile = next(group for group in content["frameworks"] if group["kind"] == "graduate_profile")
    at_mastery = {row["id"] for row in profile["competencies"] if row["meets_mastery"] and row["depth"] == 1}
    assert sum(domain["mastered"] for domain in domains) == len(at_mastery)


def test_the_day_reached_is_the_start_of_the_last_run_at_the_level() -> None:
    from waypoint.records.selectors.transcripts import _mastered, _reached

    def day(number: int) -> datetime.datetime:
        return datetime.datetime(2026, 9, number, 12, tzinfo=datetime.UTC)

    changes = [(2.0, False, day(1)), (3.0, True, day(5)), (2.0, False, day(9)), (3.0, True, day(12))]
    assert _reached(changes, 3.0) == "2026-09-12"
    assert _mastered(changes) == "2026-09-12"
    assert _reached([(3.0, True, day(5)), (3.0, True, day(7))], 3.0) == "2026-09-05"


def test_content_shows_paths_and_the_diploma_once_awarded(demo: Demo) -> None:
    content = transcript_content(student=demo.student)
    assert content["paths"]
    assert all(path["kind_label"] for path in content["paths"])
    assert content["diploma"] is None
    diploma = Diploma.objects.filter(revoked_at__isnull=True).select_related("student__district").first()
    assert diploma is not None, "the demo has a graduate"
    assert diploma.student is not None
    graduate = transcript_content(student=diploma.student)
    assert graduate["diploma"] == {
        "awarded_on": diploma.awarded_on.isoformat(),
        "rule_set": diploma.rule_set.title,
        "cohort_year": diploma.rule_set.cohort_year,
    }


# The PDF ---------------------------------------------------------------------------------------------------


def test_the_issued_pdf_is_a_paginated_pdf(printed: services.PrintedTranscript) -> None:
    assert printed.pdf.startswith(b"%PDF-")
    assert printed.pages >= 1


def test_the_issued_print_carries_the_verification_address_and_its_qr(content: dict[str, Any]) -> None:
    html = render_to_string("records/transcript_pdf.html", services.document_context(content, code=CODE))
    url = services.verification_url(CODE)
    assert url.endswith(reverse("records-transcript-verify", args=[CODE]))
    assert url in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "size: Letter" in html
    assert "counter(pages)" in html
    assert content["district"]["name"] in html


def test_the_draft_print_is_marked_unofficial_and_links_no_evidence(content: dict[str, Any]) -> None:
    html = render_to_string("records/transcript_pdf.html", services.document_context(content))
    assert "tx-watermark" in html
    assert "Unofficial" in html
    assert "/evidence/" not in html
    assert "verify/transcripts" not in html


def test_the_district_name_is_a_safe_css_string() -> None:
    assert services.css_string('A "B" </style>') == '"A \\22 B\\22  \\3c /style\\3e "'


# Issuing ---------------------------------------------------------------------------------------------------


def test_issuing_keeps_the_history_and_the_hash_of_the_stored_pdf(demo: Demo, stand_in_pdf: None) -> None:
    context = _context(demo, "school-admin")
    first = services.transcript_issue(context=context, student=demo.student)
    second = services.transcript_issue(context=context, student=demo.student)
    first.refresh_from_db()
    assert second.supersedes == first
    assert first.superseded_by == second
    for issued in (first, second):
        assert issued.sha256 == hashlib.sha256(bytes(issued.pdf)).hexdigest()
        assert issued.content["student"]["name"] == "Jordan Alvarez"
        assert issued.issued_by == demo.users["school-admin"]
    assert first.verification_code != second.verification_code
    assert len(second.verification_code) >= 32
    assert AuditEvent.objects.filter(
        object_type="issued-transcript", object_id=str(second.pk), student=demo.student, action="create"
    ).exists()


def test_only_those_who_issue_may_issue(demo: Demo, stand_in_pdf: None) -> None:
    for username in ("teacher", "student", "guardian"):
        with pytest.raises(NotPermitted):
            services.transcript_issue(context=_context(demo, username), student=demo.student)
    assert not demo.added(IssuedTranscript).exists()
    assert services.transcript_issue(context=_context(demo, "advisor"), student=demo.student).pk


# Requests --------------------------------------------------------------------------------------------------


def test_a_request_tells_the_issuers_and_an_issue_fulfils_it(demo: Demo, stand_in_pdf: None) -> None:
    request = services.transcript_request(
        context=_context(demo, "student"), student=demo.student, recipient="  State  University  "
    )
    assert request.recipient == "State University"
    told = set(
        Notification.objects.filter(kind=events.TRANSCRIPT_REQUESTED.code, student=demo.student).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"school-admin", "district-admin", "advisor"} <= told
    assert "student" not in told
    issued = services.transcript_issue(context=_context(demo, "district-admin"), student=demo.student)
    request.refresh_from_db()
    assert request.transcript == issued
    assert request.fulfilled_at is not None


def test_a_request_without_a_recipient_is_refused_and_nothing_written(demo: Demo) -> None:
    client = _client(demo, "guardian")
    response = client.post(reverse("records-transcript-request", args=[demo.student.pk]), {"recipient": "  "})
    assert response.status_code == 400
    assert "Say who the transcript is for" in response.content.decode()
    assert not demo.added(TranscriptRequest).exists()


def test_a_teacher_may_not_request(demo: Demo) -> None:
    response = _client(demo, "teacher").post(
        reverse("records-transcript-request", args=[demo.student.pk]), {"recipient": "A college"}
    )
    assert response.status_code == 403
    assert not demo.added(TranscriptRequest).exists()


@pytest.fixture
def many_requests(demo: Demo) -> None:
    others = Student.objects.filter(district=demo.riverside).exclude(pk=demo.student.pk).order_by("pk")[:8]
    for student in [demo.student, *others]:
        TranscriptRequest.objects.create(
            district=demo.riverside,
            student=student,
            recipient="A college",
            requested_by=demo.users["advisor"],
        )


def test_the_requests_list_is_for_issuers_in_bounded_queries(
    demo: Demo, many_requests: None, django_assert_max_num_queries: Any
) -> None:
    client = _client(demo, "district-admin")
    url = reverse("records-transcript-requests")
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="inline-form"') == 9
    assert "Jordan Alvarez" in page
    assert _client(demo, "student").get(url).status_code == 403
    assert _client(demo, "teacher").get(url).status_code == 403


# Pages -----------------------------------------------------------------------------------------------------


def test_the_transcript_page_for_the_student_and_for_an_issuer(demo: Demo) -> None:
    url = reverse("records-transcript", args=[demo.student.pk])
    own = _client(demo, "student").get(url).content.decode()
    assert "My transcript" in own
    assert reverse("records-transcript-pdf", args=[demo.student.pk]) in own
    assert "Issue official transcript" not in own
    assert "Request an official transcript" in own
    admin = _client(demo, "school-admin").get(url).content.decode()
    assert "Issue official transcript" in admin


def test_the_transcript_page_in_spanish_for_the_guardian(demo: Demo) -> None:
    client = _client(demo, "guardian")
    client.cookies["django_language"] = "es"
    response = client.get(
        reverse("records-transcript", args=[demo.student.pk]), headers={"accept-language": "es"}
    )
    assert response.status_code == 200
    assert '<html lang="es' in response.content.decode()


def test_the_transcript_page_bounded_queries(demo: Demo, django_assert_max_num_queries: Any) -> None:
    client = _client(demo, "advisor")
    url = reverse("records-transcript", args=[demo.student.pk])
    client.get(url)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("username", ["mentor", "state-analyst"])
def test_no_transcript_for_a_mentor_or_the_state_analyst(demo: Demo, username: str) -> None:
    client = _client(demo, username)
    assert client.get(reverse("records-transcript", args=[demo.student.pk])).status_code == 404
    assert client.get(reverse("records-transcript-pdf", args=[demo.student.pk])).status_code == 404


def test_the_draft_pdf_for_a_reader(demo: Demo, stand_in_pdf: None) -> None:
    response = _client(demo, "guardian").get(reverse("records-transcript-pdf", args=[demo.student.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.endswith(b"draft")


def test_issuing_from_the_page(demo: Demo, stand_in_pdf: None) -> None:
    client = _client(demo, "school-admin")
    response = client.post(reverse("records-transcript-issue", args=[demo.student.pk]))
    assert response.status_code == 302
    issued = demo.added(IssuedTranscript).get()
    page = client.get(reverse("records-transcript", args=[demo.student.pk])).content.decode()
    assert reverse("records-transcript-verify", args=[issued.verification_code]) in page
    assert (
        _client(demo, "teacher").post(reverse("records-transcript-issue", args=[demo.student.pk])).status_code
        == 403
    )


# The public check ------------------------------------------------------------------------------------------


def test_the_public_check_shows_the_district_and_whether_it_is_the_latest(
    demo: Demo, stand_in_pdf: None
) -> None:
    context = _context(demo, "district-admin")
    first = services.transcript_issue(context=context, student=demo.student)
    anonymous = Client()
    url = reverse("records-transcript-verify", args=[first.verification_code])
    response = anonymous.get(url)
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    assert demo.riverside.name in page
    assert "Jordan Alvarez" in page
    assert first.sha256 in page
    assert "the latest transcript" in page
    second = services.transcript_issue(context=context, student=demo.student)
    page = anonymous.get(url).content.decode()
    assert "replaced by a newer transcript" in page
    pdf = anonymous.get(reverse("records-transcript-issued-pdf", args=[second.verification_code]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == second.sha256
    reads = AuditEvent.objects.filter(object_type="issued-transcript", object_id=str(first.pk), action="view")
    assert reads.count() == 2
    assert not reads.exclude(actor=None).exists()


def test_an_unknown_code_is_not_found(demo: Demo) -> None:
    anonymous = Client()
    assert anonymous.get(reverse("records-transcript-verify", args=["no-such-code"])).status_code == 404
    assert anonymous.get(reverse("records-transcript-issued-pdf", args=["no-such-code"])).status_code == 404


def test_a_signed_in_reader_checks_as_anyone_does(demo: Demo, stand_in_pdf: None) -> None:
    issued = services.transcript_issue(context=_context(demo, "advisor"), student=demo.student)
    response = _client(demo, "mentor").get(
        reverse("records-transcript-verify", args=[issued.verification_code])
    )
    assert response.status_code == 200
    read = AuditEvent.objects.get(object_type="issued-transcript", object_id=str(issued.pk), action="view")
    assert read.actor is None
    assert read.district_id == demo.riverside.pk


# The API ---------------------------------------------------------------------------------------------------


def test_the_api_reads_the_content_and_issues(demo: Demo, stand_in_pdf: None) -> None:
    base = f"/api/v1/records/students/{demo.student.pk}"
    student = _client(demo, "student")
    response = student.get(f"{base}/transcript")
    assert response.status_code == 200
    assert response.json()["content"]["student"]["name"] == "Jordan Alvarez"
    assert student.post(f"{base}/transcripts").status_code == 403
    admin = _client(demo, "school-admin")
    issued = admin.post(f"{base}/transcripts")
    assert issued.status_code == 201
    body = issued.json()
    assert body["verification_url"].endswith("/")
    assert len(body["sha256"]) == 64
    history = admin.get(f"{base}/transcripts").json()["items"]
    assert [row["id"] for row in history] == [body["id"]]
    assert _client(demo, "mentor").get(f"{base}/transcript").status_code == 404

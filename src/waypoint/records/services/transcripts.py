"""Every write about competency transcripts, and the PDF they are printed as.

- `render_pdf` prints a transcript's content with WeasyPrint from the same template as the HTML page.
  Without a verification code the PDF is a draft marked "Unofficial"; an issued one carries its
  verification address and the QR code of it.
- `transcript_issue` stores an official transcript: the content, the PDF, its SHA-256 and a random code the
  public verification page finds it by. A reissue supersedes the one before, which stays in the history.
- `transcript_request` records a request for an official transcript and tells the people who issue them.

Each write runs in one transaction with its audit row; bad input raises `TranscriptError` listing every
problem, and nothing is written. Refusals by the policy raise `NotPermitted`."""

from __future__ import annotations

import base64
import datetime
import functools
import gc
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import segno
import weasyprint
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from weasyprint.urls import URLFetcher

from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid, NotPermitted
from waypoint.core.models import AuditAction, Student
from waypoint.notifications.services import notify
from waypoint.policy import Action
from waypoint.policy.records_transcripts import may_request_transcript, transcript_issuers
from waypoint.records import events
from waypoint.records.models import IssuedTranscript, TranscriptRequest
from waypoint.records.selectors.transcripts import content_for_display, transcript_content
from waypoint.records.services import acting_user, require

RECIPIENT_MAX = 300
# Drafts kept printed per process (about 40 KB each).
DRAFTS_KEPT = 16


class TranscriptError(Invalid):
    """A refused write about a transcript; `problems` lists every reason, in words the person can act on."""


# The PDF ----------------------------------------------------------------------------------------------------


def verification_url(code: str) -> str:
    """The public address where anyone checks an issued transcript."""
    return f"{settings.WAYPOINT_BASE_URL}{reverse('records-transcript-verify', args=[code])}"


def qr_data_uri(url: str) -> str:
    """The QR code of an address as an SVG data URI: embedded in the page, so WeasyPrint fetches nothing."""
    svg = segno.make(url, error="m").svg_inline(scale=3, border=2, omitsize=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def css_string(text: str) -> str:
    """Text as a quoted CSS string, safe inside a <style> element (the district's name in the page header)."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&\n\r' or ord(char) < 32 else char for char in text
    )
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The CSS `content` of "Page X of Y" in the reader's language, the numbers from the page counters."""
    sentence = gettext("Page %(page)s of %(pages)s")
    parts = []
    for piece in sentence.replace("%(pages)s", "\0pages\0").replace("%(page)s", "\0page\0").split("\0"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def document_context(
    content: dict[str, Any],
    *,
    code: str | None = None,
    issued_at: datetime.datetime | None = None,
    readable_evidence: set[int] | None = None,
) -> dict[str, Any]:
    """What the transcript template needs beside the content: official or not, how to verify it, and the
    evidence the reader may open (none in a PDF: it shows titles and dates only)."""
    url = verification_url(code) if code else ""
    return {
        "content": content_for_display(content),
        "official": bool(code),
        "verification_url": url,
        "qr": qr_data_uri(url) if url else "",
        "issued_on": timezone.localdate(issued_at) if issued_at else None,
        "readable_evidence": readable_evidence or set(),
        "css_district": css_string(content["district"]["name"]),
        "css_student": css_string(content["student"]["name"]),
        "css_title": css_string(
            gettext("Official competency transcript") if code else gettext("Unofficial competency transcript")
        ),
        "css_page_counter": page_counter_css(),
    }


@dataclass(frozen=True)
class PrintedTranscript:
    pdf: bytes
    pages: int


def print_transcript(
    content: dict[str, Any], *, code: str | None = None, issued_at: datetime.datetime | None = None
) -> PrintedTranscript:
    """The transcript printed by WeasyPrint (US Letter, numbered pages, the district's name on each), with its
    number of pages. Without `code` it is a draft marked "Unofficial"; with one, the issued transcript
    carrying its verification address and QR code."""
    html = render_to_string(
        "records/transcript_pdf.html", document_context(content, code=code, issued_at=issued_at)
    )
    # Data URIs only: nothing typed by people (titles, names) makes the server request an address.
    fetcher = URLFetcher(allowed_protocols={"data"})
    # A print makes hundreds of thousands of short-lived objects, and the collector's passes over them and
    # over everything the process holds were the slow tail of a print (measured: spikes of 500–630 ms
    # among prints of 280 ms). Reference counting frees most of them; the collector runs after the print.
    gc.disable()
    try:
        document = weasyprint.HTML(
            string=html, base_url=settings.WAYPOINT_BASE_URL, url_fetcher=fetcher
        ).render()
        pdf: bytes = document.write_pdf()
    finally:
        gc.enable()
    return PrintedTranscript(pdf=pdf, pages=len(document.pages))


@functools.lru_cache(maxsize=DRAFTS_KEPT)
def _draft_pdf(content_json: str, language: str) -> bytes:
    """A draft's PDF, kept by content and language (the print uses the active language: part of the key)."""
    return print_transcript(json.loads(content_json)).pdf


def render_pdf(
    content: dict[str, Any], *, code: str | None = None, issued_at: datetime.datetime | None = None
) -> bytes:
    """The transcript as a PDF: see `print_transcript`. A draft is the same bytes for every reader of the
    same content in the same language (nothing in it depends on who reads), so the last few are kept: the
    download clicked twice, or by the student and a guardian, is printed once."""
    if code is None:
        return _draft_pdf(json.dumps(content, sort_keys=True), get_language() or "")
    return print_transcript(content, code=code, issued_at=issued_at).pdf


# Issuing ----------------------------------------------------------------------------------------------------


def transcript_issue(*, context: RequestContext, student: Student) -> IssuedTranscript:
    """Issue the student's official transcript as it stands now. The previous issue (if any) is superseded
    and kept; the requests waiting are fulfilled by this one."""
    actor = acting_user(context)
    require(context, Action.ISSUE_TRANSCRIPT, student)
    with transaction.atomic():
        # One issue at a time per student: each supersedes exactly the one before it.
        Student.objects.select_for_update().filter(pk=student.pk).values_list("pk", flat=True).first()
        previous = (
            IssuedTranscript.objects.filter(student=student, superseded_by__isnull=True)
            .only("pk")
            .order_by("-issued_at", "-pk")
            .first()
        )
        content = transcript_content(student=student)
        code = secrets.token_urlsafe(24)
        issued_at = timezone.now()
        pdf = render_pdf(content, code=code, issued_at=issued_at)
        transcript = IssuedTranscript.objects.create(
            district_id=student.district_id,
            student=student,
            verification_code=code,
            content=content,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            issued_at=issued_at,
            issued_by=actor,
            supersedes=previous,
        )
        fulfilled = TranscriptRequest.objects.filter(student=student, fulfilled_at__isnull=True).update(
            transcript=transcript, fulfilled_at=issued_at
        )
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type="issued-transcript",
            object_id=str(transcript.pk),
            student=student,
            reason=f"Official transcript issued ({fulfilled} requests fulfilled)",
        )
    return transcript


# Requests ---------------------------------------------------------------------------------------------------


def transcript_request(*, context: RequestContext, student: Student, recipient: str) -> TranscriptRequest:
    """Ask for an official transcript of the student for a recipient (a college, an employer); the people
    who issue the student's transcripts are told."""
    actor = acting_user(context)
    if not may_request_transcript(actor, student):
        raise NotPermitted(gettext("You may not request this student’s transcript."))
    recipient = " ".join(recipient.split())
    problems = []
    if not recipient:
        problems.append(gettext("Say who the transcript is for: a college, an employer, a scholarship."))
    elif len(recipient) > RECIPIENT_MAX:
        problems.append(
            gettext("Name the recipient in at most %(count)s characters.") % {"count": RECIPIENT_MAX}
        )
    if problems:
        raise TranscriptError(problems)
    with transaction.atomic():
        request = TranscriptRequest.objects.create(
            district_id=student.district_id, student=student, recipient=recipient, requested_by=actor
        )
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type="transcript-request",
            object_id=str(request.pk),
            student=student,
            reason="Official transcript requested",
        )
        notify(
            kind=events.TRANSCRIPT_REQUESTED.code,
            recipients=[user for user in transcript_issuers(student) if user.pk != actor.pk],
            student=student,
            params={"recipient": recipient},
            url=reverse("records-transcript", args=[student.pk]),
        )
    return request

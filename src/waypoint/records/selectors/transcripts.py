"""The reads behind the competency transcript: its content (what the HTML page and the PDF are rendered from),
the transcript page with its history of issues, the requests waiting for an issuer, and the public check of
an issued transcript.

`transcript_content` is internal (no access check, no audit): the page selector, the issuing service, the
batch benchmark and other areas call it once they have decided. Everything else here asks the access policy
and audits what it discloses; a student out of scope answers `NotVisible` (404)."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Organization, Student, StudentEnrollment
from waypoint.frameworks.models import (
    Competency,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    Tier,
    VersionStatus,
)
from waypoint.frameworks.selectors import level_name
from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.mastery.selectors import levels_of_scales
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.policy.base import active_on
from waypoint.policy.records_transcripts import may_request_transcript, transcript_issuers_students
from waypoint.records.models import (
    Diploma,
    Exhibition,
    ExhibitionStatus,
    IssuedTranscript,
    PortfolioItem,
    TranscriptRequest,
)

# Paths of study a transcript shows: approved ones under way and those completed.
SHOWN_PATHS = (PathStatus.APPROVED, PathStatus.ACTIVE, PathStatus.COMPLETED)
# One change of a level: the level, whether it met mastery, when.
Change: TypeAlias = tuple[float | None, bool, datetime.datetime]


def _day(moment: datetime.datetime | None) -> str | None:
    return timezone.localdate(moment).isoformat() if moment is not None else None


def _same(one: float | None, other: float | None) -> bool:
    """Levels are computed floats (averages): equal within rounding."""
    if one is None or other is None:
        return one is other
    return math.isclose(one, other, abs_tol=1e-9)


def _reached(changes: Sequence[Change], level: float | None) -> str | None:
    """The day the student reached the level they hold now: the first change of the last unbroken run of
    changes at that level (a level lost and regained dates from the regaining)."""
    reached: datetime.datetime | None = None
    previous: float | None = None
    for value, _meets, changed_at in changes:
        if not _same(value, previous) or reached is None:
            reached = changed_at if _same(value, level) else None
        previous = value
    return _day(reached) if _same(previous, level) else None


def _mastered(changes: Sequence[Change]) -> str | None:
    """The day mastery was reached, counting from the last time it was regained."""
    since: datetime.datetime | None = None
    for _value, meets, changed_at in changes:
        if meets and since is None:
            since = changed_at
        elif not meets:
            since = None
    return _day(since)


def _school_name(student: Student) -> str:
    today = timezone.localdate()
    enrollment = (
        StudentEnrollment.objects.filter(
            active_on(today, start="entry_date", end="exit_date"), student=student
        )
        .select_related("school")
        .order_by("-entry_date")
        .first()
    )
    return enrollment.school.name if enrollment is not None else ""


def _levels(student: Student) -> tuple[list[dict[str, Any]], set[int], int | None]:
    """The student's levels grouped by framework, each with the day it was reached; the competencies at
    mastery; and the latest graduate-profile version the levels are on (None: no such level)."""
    stored = list(
        # Domains and competencies: their performance indicators (the measurable parts) stay on the
        # student's mastery page, and would double the transcript's length.
        MasteryLevel.objects.filter(student=student, level__isnull=False)
        .exclude(competency__tier=Tier.INDICATOR)
        .select_related("competency__version__framework__scale")
        .order_by("competency__version__framework__title", "competency__path")
    )
    history: dict[int, list[Change]] = defaultdict(list)
    for competency_id, level, meets, changed_at in (
        MasteryLevelChange.objects.filter(student=student)
        .exclude(competency__tier=Tier.INDICATOR)
        .order_by("changed_at", "id")
        .values_list("competency_id", "level", "meets_mastery", "changed_at")
    ):
        history[competency_id].append((level, meets, changed_at))
    scales = levels_of_scales(row.competency.version.framework.scale for row in stored)
    frameworks: dict[int, dict[str, Any]] = {}
    mastered: set[int] = set()
    profile: tuple[int, int] | None = None
    for row in stored:
        competency = row.competency
        framework = competency.version.framework
        if framework.kind == FrameworkKind.GRADUATE_PROFILE:
            profile = max(profile or (0, 0), (competency.version.number, competency.version_id))
        group = frameworks.setdefault(
            framework.pk,
            {
                "title": framework.title,
                "kind": framework.kind,
                "kind_label": str(FrameworkKind(framework.kind).label),
                "competencies": [],
            },
        )
        changes = history.get(competency.pk, [])
        if row.meets_mastery:
            mastered.add(competency.pk)
        group["competencies"].append(
            {
                "id": competency.pk,
                "code": competency.human_code,
                "statement": competency.short_statement,
                "depth": competency.depth,
                "level": row.level,
                "level_label": level_name(scales[framework.scale_id], row.level),
                "meets_mastery": row.meets_mastery,
                "reached_on": _reached(changes, row.level) or _day(row.computed_at),
                "mastered_on": _mastered(changes) if row.meets_mastery else None,
            }
        )
    return list(frameworks.values()), mastered, profile[1] if profile else None


def _profile_version(student: Student) -> int | None:
    """The graduate profile a student without a level on one is measured against: the district's own, else
    the state's; of a profile, its latest published version."""
    owners = [student.district_id]
    if student.district.parent_id is not None:
        owners.append(student.district.parent_id)
    published = FrameworkVersion.objects.filter(
        framework__in=Framework.objects.filter(owner_id__in=owners, kind=FrameworkKind.GRADUATE_PROFILE),
        status=VersionStatus.PUBLISHED,
    ).values_list("framework__owner_id", "number", "pk")
    candidates = sorted(published, key=lambda row: (owners.index(row[0]), -row[1]))
    return candidates[0][2] if candidates else None


def _graduate_profile(student: Student, mastered: set[int], version_id: int | None) -> list[dict[str, Any]]:
    """The graduate profile's domains (of the version the student's levels are on, else the one they will
    be measured against) with how many of each domain's competencies (its children) the student has at
    mastery; a domain without children counts itself."""
    version_id = version_id or _profile_version(student)
    if version_id is None:
        return []
    rows = list(
        Competency.objects.filter(version_id=version_id, depth__lte=1)
        .order_by("path")
        .values_list("pk", "parent_id", "human_code", "abbreviated_statement", "full_statement")
    )
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent, *_text in rows:
        if parent is not None:
            children[parent].append(pk)
    domains: list[dict[str, Any]] = []
    for pk, parent, code, short, full in rows:
        if parent is not None:
            continue
        counted = children.get(pk) or [pk]
        domains.append(
            {
                "id": pk,
                "code": code,
                "title": short or full,
                "mastered": sum(1 for competency in counted if competency in mastered),
                "total": len(counted),
                "meets_mastery": pk in mastered,
            }
        )
    return domains


def _paths(student: Student) -> list[dict[str, Any]]:
    paths = (
        PathProposal.objects.filter(student=student, status__in=SHOWN_PATHS)
        .select_related("opportunity__provider")
        .order_by("starts_on", "pk")
    )
    return [
        {
            "title": path.display_title,
            "kind": path.kind,
            "kind_label": path.kind_label,
            "provider": path.opportunity.provider.name if path.opportunity is not None else "",
            "status": path.status,
            "status_label": str(PathStatus(path.status).label),
            "starts_on": path.starts_on.isoformat(),
            "ends_on": path.ends_on.isoformat(),
        }
        for path in paths
    ]


def _exhibitions(student: Student) -> list[dict[str, Any]]:
    held = Exhibition.objects.filter(student=student, status=ExhibitionStatus.HELD).order_by(
        "held_on", "scheduled_at", "pk"
    )
    return [
        {
            "title": exhibition.title,
            "kind": exhibition.kind,
            "kind_label": exhibition.get_kind_display(),
            "held_on": (exhibition.held_on or timezone.localdate(exhibition.scheduled_at)).isoformat(),
            "outcome": exhibition.outcome,
            "outcome_label": exhibition.get_outcome_display(),
            "summary": exhibition.summary,
        }
        for exhibition in held
    ]


def _shown_evidence(student: Student) -> list[dict[str, Any]]:
    """The evidence of the collections the student chose to show on the transcript, by collection."""
    items = (
        PortfolioItem.objects.filter(collection__student=student, collection__shown_on_transcript=True)
        .select_related("collection", "evidence")
        .order_by("collection__title", "collection_id", "position", "pk")
    )
    collections: dict[int, dict[str, Any]] = {}
    for item in items:
        entry = collections.setdefault(item.collection_id, {"title": item.collection.title, "items": []})
        entry["items"].append(
            {
                "evidence_id": item.evidence_id,
                "title": item.evidence.title,
                "submitted_on": _day(item.evidence.submitted_at),
            }
        )
    return list(collections.values())


def _diploma(student: Student) -> dict[str, Any] | None:
    diploma = (
        Diploma.objects.filter(student=student, revoked_at__isnull=True).select_related("rule_set").first()
    )
    if diploma is None:
        return None
    return {
        "awarded_on": diploma.awarded_on.isoformat(),
        "rule_set": diploma.rule_set.title,
        "cohort_year": diploma.rule_set.cohort_year,
    }


def transcript_content(*, student: Student) -> dict[str, Any]:
    """What a competency transcript says about the student today, as JSON-safe data (stored with an issued
    transcript, so the issue can be shown again exactly). No access check and no audit: callers decide."""
    district: Organization = student.district
    frameworks, mastered, profile_version = _levels(student)
    return {
        "student": {
            "id": student.pk,
            "name": student.full_name,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "cohort_year": student.cohort_year,
            "state_student_id": student.state_student_id or "",
        },
        "district": {"id": district.pk, "name": district.name, "slug": district.slug},
        "school": _school_name(student),
        "prepared_on": timezone.localdate().isoformat(),
        "frameworks": frameworks,
        "mastered_count": len(mastered),
        "graduate_profile": _graduate_profile(student, mastered, profile_version),
        "paths": _paths(student),
        "exhibitions": _exhibitions(student),
        "evidence": _shown_evidence(student),
        "diploma": _diploma(student),
    }


# The transcript page ----------------------------------------------------------------------------------------


@dataclass
class TranscriptPage:
    student: Student
    content: dict[str, Any]
    # The evidence ids the reader may open: only those are links on the page.
    readable_evidence: set[int]
    history: list[IssuedTranscript]
    requests: list[TranscriptRequest]
    can_issue: bool
    can_request: bool
    own: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def transcript_student(*, context: RequestContext, student_id: int, action: Action) -> Student:
    """The student, when the reader may take the action on their transcript (404 out of scope, 403 a
    visible student the reader may not act on); audited as a read of the transcript."""
    return student_get(context=context, student_id=student_id, action=action, audit_as="transcript")


def requesting_student(*, context: RequestContext, student_id: int) -> Student:
    """The student, when the reader may ask for their official transcript (404 out of scope, 403 a reader
    who may not ask, audited as denied)."""
    student = transcript_student(context=context, student_id=student_id, action=Action.VIEW_TRANSCRIPT)
    if not may_request_transcript(context.user, student):
        reason = gettext("You may not request this student’s transcript.")
        audit_record(
            context=context,
            action=AuditAction.DENIED,
            object_type="transcript-request",
            object_id=str(student.pk),
            student=student,
            reason=reason,
        )
        raise NotPermitted(reason)
    return student


def issued_history(student: Student) -> list[IssuedTranscript]:
    """Every transcript issued for the student, newest first, without the stored PDFs."""
    return list(
        IssuedTranscript.objects.filter(student=student)
        .defer("pdf", "content")
        .select_related("issued_by")
        .order_by("-issued_at", "-pk")
    )


def transcript_page(*, context: RequestContext, student_id: int) -> TranscriptPage:
    student = transcript_student(context=context, student_id=student_id, action=Action.VIEW_TRANSCRIPT)
    content = transcript_content(student=student)
    evidence_ids = [item["evidence_id"] for group in content["evidence"] for item in group["items"]]
    readable = (
        set(policy.visible_evidence(context.user).filter(pk__in=evidence_ids).values_list("pk", flat=True))
        if evidence_ids
        else set()
    )
    can_issue = policy.can(context.user, Action.ISSUE_TRANSCRIPT, student)
    return TranscriptPage(
        student=student,
        content=content,
        readable_evidence=readable,
        history=issued_history(student),
        requests=list(
            TranscriptRequest.objects.filter(student=student)
            .select_related("requested_by")
            .order_by("-requested_at")[:20]
        ),
        can_issue=can_issue,
        can_request=may_request_transcript(context.user, student),
        own=student.user_id is not None and student.user_id == context.user.pk,
    )


# Requests waiting -------------------------------------------------------------------------------------------


def waiting_requests(*, context: RequestContext) -> list[TranscriptRequest]:
    """The requests not yet fulfilled for the students whose transcripts the reader issues, oldest first;
    every student named is audited as seen in a list. Anyone else is refused (403)."""
    if not policy.can(context.user, Action.ISSUE_TRANSCRIPT):
        reason = gettext("Your role may not %(action)s.") % {"action": Action.ISSUE_TRANSCRIPT.label}
        audit_record(
            context=context,
            action=AuditAction.DENIED,
            object_type="transcript-requests",
            district_id=context.district_id,
            reason=reason,
        )
        raise NotPermitted(reason)
    requests = list(
        TranscriptRequest.objects.filter(
            fulfilled_at__isnull=True,
            student__in=transcript_issuers_students(context.user).values("pk"),
        )
        .select_related("student", "requested_by")
        .order_by("requested_at", "pk")
    )
    if requests:
        audit_record_students(
            context=context,
            action=AuditAction.VIEW,
            object_type="transcript-requests",
            students={request.student_id: request.student for request in requests}.values(),
            reason=policy.legitimate_interest(context.user),
        )
    return requests


# The public check of an issued transcript -------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    transcript: IssuedTranscript
    latest: bool
    superseded_on: datetime.date | None

    @property
    def revoked(self) -> bool:
        return self.transcript.revoked_at is not None


def issued_transcript_get(*, context: RequestContext, code: str, with_pdf: bool = False) -> Verification:
    """An issued transcript found by its verification code, for anyone holding the code (no sign-in): the
    code is the reader's authority. Audited as a read with no actor; an unknown code answers 404."""
    rows = IssuedTranscript.objects.select_related("district")
    if not with_pdf:
        rows = rows.defer("pdf")
    transcript = rows.filter(verification_code=code).first()
    if transcript is None:
        raise NotVisible("No issued transcript has this code.")
    successor = (
        IssuedTranscript.objects.filter(supersedes=transcript).values_list("issued_at", flat=True).first()
    )
    newest = (
        IssuedTranscript.objects.filter(student_id=transcript.student_id).aggregate(newest=Max("issued_at"))
        if transcript.student_id is not None
        else {"newest": transcript.issued_at}
    )
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="issued-transcript-pdf" if with_pdf else "issued-transcript",
        object_id=str(transcript.pk),
        district_id=transcript.district_id,
        reason="Verification by the holder of the code",
    )
    return Verification(
        transcript=transcript,
        latest=successor is None and newest["newest"] == transcript.issued_at,
        superseded_on=timezone.localdate(successor) if successor is not None else None,
    )


def requests_for(student: Student) -> QuerySet[TranscriptRequest]:
    """The requests of a student still waiting to be fulfilled."""
    return TranscriptRequest.objects.filter(student=student, fulfilled_at__isnull=True)


# Showing a content ------------------------------------------------------------------------------------------


def _shown(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: _shown(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if key.endswith("_on") and isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return value


def content_for_display(content: dict[str, Any]) -> dict[str, Any]:
    """A content (fresh or stored with an issue) ready for the template: its days as dates (formatted in the
    reader's language) and each graduate-profile domain's share at mastery in tenths (for the print bars)."""
    shown: dict[str, Any] = _shown(content)
    for domain in shown.get("graduate_profile", []):
        total = domain.get("total") or 0
        domain["tenths"] = round(10 * domain.get("mastered", 0) / total) if total else 0
    return shown

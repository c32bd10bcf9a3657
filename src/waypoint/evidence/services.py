"""Every write of the evidence app: assessments, evidence and its files, revisions and feedback. (Judgements
are recorded on evidence by the scoring of the mastery app, `scores_record`.)

Each function checks the access policy, validates everything before writing anything, writes in one
transaction, and audits the write on the student's record. Refusals raise `EvidenceError` (bad input, 400),
`NotPermitted` (403) or `NotVisible` (404).
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Conflict, Invalid, NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Student, User
from waypoint.evidence import events
from waypoint.evidence.models import (
    Artifact,
    Assessment,
    AssessmentKind,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Feedback,
)
from waypoint.frameworks.models import Competency, FrameworkVersion, Rubric, VersionStatus
from waypoint.policy import Action
from waypoint.policy.pathways import mentor_active_paths, visible_paths

MAX_LINKS = 10
MAX_FILES = 10
# Content types accepted for evidence, by what the bytes are (not the name): documents, images, audio, video.
ACCEPTED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "audio/mpeg": "mp3",
    "audio/x-wav": "wav",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "text/plain": "txt",
}
SNIFF_BYTES = 8192
logger = logging.getLogger(__name__)


class EvidenceError(Invalid):
    """Input that cannot be accepted; `problems` lists every reason."""


class UploadStorageFull(EvidenceError):
    """The disk that keeps uploaded files is full (or over its quota): nothing of the work was saved, and
    it can be sent again once IT staff have made room. Answered 507 Insufficient Storage."""

    status = 507


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str
    extension: str
    size: int
    sha256: str


def _looks_like_text(head: bytes) -> bool:
    """Plain UTF-8 text without control bytes (a file with no signature that is safe to show as text)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the sniff window is still text.
        return error.start >= len(head) - 3
    return True


def check_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """Every file's type from its content and its size, or an EvidenceError naming each bad file."""
    limit = settings.WAYPOINT_EVIDENCE_MAX_BYTES
    problems: list[str] = []
    checked: list[CheckedFile] = []
    if len(files) > MAX_FILES:
        problems.append(
            gettext("At most %(count)d files may be attached to one piece of evidence.")
            % {"count": MAX_FILES}
        )
    for upload in files:
        name = upload.name or "file"
        size = upload.size or 0
        if size == 0:
            problems.append(gettext("%(name)s: the file is empty.") % {"name": name})
            continue
        if size > limit:
            problems.append(
                gettext("%(name)s: %(size)s bytes is over the limit of %(limit)s bytes.")
                % {"name": name, "size": f"{size:,}", "limit": f"{limit:,}"}
            )
            continue
        upload.seek(0)
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        guessed = filetype.guess(head)
        if guessed is not None and guessed.mime in ACCEPTED_TYPES:
            content_type = guessed.mime
        elif guessed is None and _looks_like_text(head):
            content_type = "text/plain"
        else:
            found = guessed.mime if guessed is not None else gettext("an unrecognised binary format")
            problems.append(
                gettext(
                    "%(name)s: the content is %(found)s, which is not accepted "
                    "(documents, images, audio, video and plain text are)."
                )
                % {"name": name, "found": found}
            )
            continue
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(
            CheckedFile(upload, content_type, ACCEPTED_TYPES[content_type], size, digest.hexdigest())
        )
    if problems:
        raise EvidenceError(problems)
    return checked


@contextmanager
def _files_kept_only_with_their_rows() -> Iterator[list[str]]:
    """Around the transaction that writes evidence and its artifacts: yields the list `_attach` names each
    stored file in (before writing it), and if anything fails before the transaction commits (a full disk,
    a database error, the commit itself) removes every file named, so no file is left without its row; the
    rollback leaves no row without its file. A full disk is answered with `UploadStorageFull`."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException as error:
        storage = Artifact._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            # The person is told to come back later; IT staff learn it from the log, where it is an error.
            logger.error("The upload folder is full; an upload was refused and nothing of it kept: %s", error)
            raise UploadStorageFull(
                [
                    gettext(
                        "Waypoint’s storage for files is full, so this work was not saved: nothing of it "
                        "was kept. Please send it again later, and tell your school office so they can "
                        "make room."
                    )
                ]
            ) from error
        raise


def _attach(evidence: Evidence, files: Sequence[CheckedFile], stored: list[str]) -> None:
    field = Artifact._meta.get_field("file")
    for checked in files:
        artifact = Artifact(
            district_id=evidence.district_id,
            evidence=evidence,
            original_name=(checked.upload.name or "file")[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        # The stored name is random and carries the extension of the detected type, never the given one.
        name = field.generate_filename(artifact, f"upload.{checked.extension}")
        # Named before it is written: a file that a full disk cut short is removed with the others.
        stored.append(name)
        stored[-1] = field.storage.save(name, checked.upload, max_length=field.max_length)
        artifact.file = stored[-1]
        artifact.save()


def _without_nul(*texts: str) -> list[str]:
    """PostgreSQL cannot store NUL characters, and no text needs one."""
    return (
        [gettext("The text must not contain NUL characters.")]
        if any("\x00" in text for text in texts)
        else []
    )


def _clean_links(links: Sequence[str]) -> list[str]:
    cleaned = [link.strip() for link in links if link.strip()]
    problems = [
        gettext("%(link)s: a link must start with https:// or http://.") % {"link": link[:80]}
        for link in cleaned
        if not link.lower().startswith(("https://", "http://"))
    ]
    if len(cleaned) > MAX_LINKS:
        problems.append(gettext("At most %(count)d links may be given.") % {"count": MAX_LINKS})
    if problems:
        raise EvidenceError(problems)
    return cleaned


def _competencies_of_one_version(
    competency_ids: Sequence[int], *, version: FrameworkVersion | None = None
) -> tuple[FrameworkVersion, list[Competency]]:
    """The competencies named, all of one published framework version (the given one when there is one)."""
    if not competency_ids:
        raise EvidenceError([gettext("Name at least one competency the evidence shows.")])
    found = list(Competency.objects.filter(pk__in=set(competency_ids)).select_related("version"))
    problems = [
        gettext("Competency %(id)s does not exist.") % {"id": pk}
        for pk in sorted(set(competency_ids) - {c.pk for c in found})
    ]
    versions = {competency.version for competency in found}
    if version is not None and versions - {version}:
        problems.append(
            gettext(
                "Every competency must belong to %(framework)s version %(number)s, the version the "
                "assessment uses."
            )
            % {"framework": version.framework, "number": version.number}
        )
    elif len(versions) > 1:
        problems.append(gettext("The competencies belong to different framework versions; use one version."))
    chosen = version or (next(iter(versions)) if versions else None)
    if chosen is not None and chosen.status == VersionStatus.DRAFT:
        problems.append(gettext("Evidence is recorded against a published framework version, not a draft."))
    if problems or chosen is None:
        raise EvidenceError(problems)
    return chosen, found


def assessment_create(
    *,
    context: RequestContext,
    title: str,
    kind: str,
    competency_ids: Sequence[int],
    instructions: str = "",
    rubric_id: int | None = None,
    section_id: int | None = None,
    due_on: datetime.date | None = None,
) -> Assessment:
    """A teacher's or administrator's assessment for their district, aligned to published competencies."""
    actor = context.actor
    if actor is None or not policy.can(actor, Action.CREATE_ASSESSMENT):
        raise NotPermitted(gettext("Only teachers and administrators create assessments."))
    problems: list[str] = []
    if not title.strip():
        problems.append(gettext("Give the assessment a title."))
    if kind not in AssessmentKind.values:
        problems.append(gettext("Unknown assessment kind %(kind)s.") % {"kind": repr(kind)})
    try:
        version, competencies = _competencies_of_one_version(competency_ids)
    except EvidenceError as error:
        problems.extend(error.problems)
        version, competencies = None, []
    rubric = Rubric.objects.filter(pk=rubric_id).select_related("scale").first() if rubric_id else None
    if rubric_id and rubric is None:
        problems.append(gettext("Rubric %(id)s does not exist.") % {"id": rubric_id})
    if rubric is not None and version is not None and rubric.scale_id != version.framework.scale_id:
        problems.append(gettext("The rubric uses a different proficiency scale from the framework."))
    section = None
    if section_id is not None:
        section = policy.visible_sections(actor).filter(pk=section_id).first()
        if section is None:
            problems.append(gettext("Section %(id)s is not one of yours.") % {"id": section_id})
    if problems or version is None or context.district_id is None:
        raise EvidenceError(problems or [gettext("Your account acts for no district.")])
    with transaction.atomic():
        assessment = Assessment.objects.create(
            district_id=context.district_id,
            title=title.strip(),
            kind=kind,
            instructions=instructions.strip(),
            framework_version=version,
            rubric=rubric,
            section=section,
            due_on=due_on,
            created_by=actor,
        )
        assessment.competencies.set(competencies)
    return assessment


def _acting(context: RequestContext) -> User:
    """The signed-in actor (the selectors have already refused anyone else)."""
    if context.actor is None:
        raise NotPermitted(gettext("Sign in first."))
    return context.actor


@dataclass(frozen=True)
class _PathOnRecord:
    """What evidence needs of the path it was done on: evidence never imports pathways (it sits below it)."""

    id: int
    student: Student
    mentored_by_actor: bool


def _path_for(context: RequestContext, actor: User, path_id: int, student_id: int) -> _PathOnRecord:
    """The student's approved or active path that the actor may read, for evidence done on it."""
    path = visible_paths(actor).select_related("student").filter(pk=path_id).first()
    if path is None:
        audit_record(context=context, action=AuditAction.DENIED, object_type="path", object_id=str(path_id))
        raise NotVisible(f"No path {path_id} is visible to this user.")
    problems = []
    if path.student_id != student_id:
        problems.append(gettext("The path belongs to another student."))
    if not path.takes_evidence:
        problems.append(gettext("Evidence is added only to an approved or active path."))
    if problems:
        raise EvidenceError(problems)
    mentors = mentor_active_paths(actor).filter(pk=path.pk).exists()
    return _PathOnRecord(id=path.pk, student=path.student, mentored_by_actor=mentors)


def _visible_student(context: RequestContext, student_id: int, action: Action) -> Student:
    from waypoint.people.selectors import student_get

    return student_get(context=context, student_id=student_id, action=action, audit_as="evidence")


def evidence_submit(
    *,
    context: RequestContext,
    student_id: int,
    title: str,
    body: str = "",
    links: Sequence[str] = (),
    competency_ids: Sequence[int] = (),
    assessment_id: int | None = None,
    files: Sequence[UploadedFile] = (),
    observation: bool = False,
    path_id: int | None = None,
) -> Evidence:
    """A student's own work (or, with `observation`, a staff observation of a student in scope), with its
    links and files, optionally done on one of the student's approved paths; waits in the scorers' inbox.
    The external mentor of an active path records observations on that path only."""
    actor = _acting(context)
    path = _path_for(context, actor, path_id, student_id) if path_id is not None else None
    if path is not None and path.mentored_by_actor:
        student, observation = path.student, True
    else:
        action = Action.RECORD_OBSERVATION if observation else Action.SUBMIT_EVIDENCE
        student = _visible_student(context, student_id, action)
    problems = _without_nul(title, body, *links)
    if not title.strip():
        problems.append(gettext("Give the evidence a title."))
    assessment = None
    if assessment_id is not None:
        assessment = Assessment.objects.filter(pk=assessment_id, district_id=student.district_id).first()
        if assessment is None:
            problems.append(
                gettext("Assessment %(id)s is not one of this district’s.") % {"id": assessment_id}
            )
    ids = list(competency_ids) or (
        list(assessment.competencies.values_list("id", flat=True)) if assessment else []
    )
    version = None
    competencies: list[Competency] = []
    try:
        version, competencies = _competencies_of_one_version(
            ids, version=assessment.framework_version if assessment else None
        )
    except EvidenceError as error:
        problems.extend(error.problems)
    if assessment is not None and competencies:
        aligned = set(assessment.competencies.values_list("id", flat=True))
        stray = [c.human_code or str(c.pk) for c in competencies if c.pk not in aligned]
        if stray:
            problems.append(
                gettext("The assessment is not aligned to %(codes)s.") % {"codes": ", ".join(stray)}
            )
    try:
        cleaned_links = _clean_links(links)
    except EvidenceError as error:
        problems.extend(error.problems)
        cleaned_links = []
    try:
        checked = check_files(files)
    except EvidenceError as error:
        problems.extend(error.problems)
        checked = []
    if not (body.strip() or cleaned_links or checked) and not problems:
        problems.append(gettext("Add some work: text, a link or a file."))
    if problems or version is None:
        raise EvidenceError(problems)
    with _files_kept_only_with_their_rows() as stored, transaction.atomic():
        evidence = Evidence.objects.create(
            district_id=student.district_id,
            student=student,
            assessment=assessment,
            framework_version=version,
            kind=EvidenceKind.OBSERVATION if observation else EvidenceKind.SUBMISSION,
            title=title.strip(),
            body=body.strip(),
            links=cleaned_links,
            path_id=path.id if path else None,
            recorded_by=actor,
        )
        evidence.competencies.set(competencies)
        _attach(evidence, checked, stored)
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type="evidence",
            object_id=str(evidence.pk),
            student=student,
            reason=policy.legitimate_interest(actor, student),
        )
    return evidence


def _evidence_for(context: RequestContext, evidence_id: int, action: Action) -> Evidence:
    from waypoint.evidence.selectors import evidence_get

    return evidence_get(context=context, evidence_id=evidence_id, action=action)


def evidence_revise(
    *,
    context: RequestContext,
    evidence_id: int,
    title: str = "",
    body: str = "",
    links: Sequence[str] = (),
    files: Sequence[UploadedFile] = (),
) -> Evidence:
    """A new version of the student's own latest work; earlier versions and feedback stay in the chain."""
    earlier = _evidence_for(context, evidence_id, Action.REVISE_EVIDENCE)
    actor = _acting(context)
    if problems := _without_nul(title, body, *links):
        raise EvidenceError(problems)
    cleaned_links = _clean_links(links)
    checked = check_files(files)
    if not (body.strip() or cleaned_links or checked):
        raise EvidenceError([gettext("Add some work to the revision: text, a link or a file.")])
    with _files_kept_only_with_their_rows() as stored, transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=earlier.pk)
        if Evidence.objects.filter(revision_of=locked).exists():
            raise EvidenceError([gettext("This version has already been revised; revise the latest one.")])
        revision = Evidence.objects.create(
            district_id=locked.district_id,
            student_id=locked.student_id,
            assessment_id=locked.assessment_id,
            framework_version_id=locked.framework_version_id,
            kind=locked.kind,
            title=title.strip() or locked.title,
            body=body.strip(),
            links=cleaned_links,
            revision_of=locked,
            path_id=locked.path_id,
            version=locked.version + 1,
            recorded_by=actor,
        )
        revision.competencies.set(locked.competencies.all())
        _attach(revision, checked, stored)
        Evidence.objects.filter(pk=locked.pk).update(status=EvidenceStatus.REVISED)
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type="evidence-revision",
            object_id=str(revision.pk),
            student=earlier.student,
            reason=policy.legitimate_interest(actor, earlier.student),
        )
    return revision


def feedback_add(
    *, context: RequestContext, evidence_id: int, body: str, requests_revision: bool = False
) -> Feedback:
    """A comment on evidence; with `requests_revision` (staff only) the student is asked for a new version."""
    action = Action.REQUEST_REVISION if requests_revision else Action.JUDGE_EVIDENCE
    evidence = _evidence_for(context, evidence_id, action)
    actor = _acting(context)
    if not body.strip():
        raise EvidenceError([gettext("Write the feedback: what is strong and what to work on next.")])
    if requests_revision and Evidence.objects.filter(revision_of=evidence).exists():
        raise EvidenceError([gettext("A newer version exists; ask for a revision of the latest one.")])
    with transaction.atomic():
        feedback = Feedback.objects.create(
            district_id=evidence.district_id,
            evidence=evidence,
            author=actor,
            body=body.strip(),
            requests_revision=requests_revision,
        )
        if requests_revision:
            Evidence.objects.filter(pk=evidence.pk).update(status=EvidenceStatus.REVISION_REQUESTED)
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            object_type="evidence-feedback",
            object_id=str(evidence.pk),
            student=evidence.student,
            reason=policy.legitimate_interest(actor, evidence.student),
        )
        events.feedback_added(context=context, evidence=evidence, requests_revision=requests_revision)
    return feedback


def evidence_competencies_add(
    *, context: RequestContext, evidence_id: int, competency_ids: Sequence[int]
) -> Evidence:
    """Name the competencies a piece of evidence shows when it names none, so that it can be scored: the
    assessment's aligned competencies when it has some, else any of the evidence's framework version. For the
    staff who judge the student (`Action.ADD_EVIDENCE_COMPETENCIES`), on the latest version only."""
    evidence = _evidence_for(context, evidence_id, Action.JUDGE_EVIDENCE)
    actor = _acting(context)
    if evidence.competencies.exists():
        raise Conflict(gettext("This evidence already names its competencies."))
    if not policy.can(actor, Action.ADD_EVIDENCE_COMPETENCIES, evidence):
        raise NotPermitted(
            gettext(
                "Only the student's teachers and administrators name the competencies of the latest version."
            )
        )
    version = evidence.framework_version
    if not competency_ids:
        raise EvidenceError([gettext("Choose at least one competency the evidence shows.")])
    chosen = list(Competency.objects.filter(pk__in=set(competency_ids), version=version))
    problems = [
        gettext("Competency %(id)s is not in %(framework)s version %(number)s, the version of this evidence.")
        % {"id": pk, "framework": version.framework, "number": version.number}
        for pk in sorted(set(competency_ids) - {c.pk for c in chosen})
    ]
    if evidence.assessment is not None:
        aligned = set(evidence.assessment.competencies.values_list("id", flat=True))
        stray = [c.human_code or str(c.pk) for c in chosen if aligned and c.pk not in aligned]
        if stray:
            problems.append(
                gettext("The assessment is not aligned to %(codes)s.") % {"codes": ", ".join(stray)}
            )
    if problems:
        raise EvidenceError(problems)
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        # Two teachers naming them at once: the second finds them named.
        if locked.competencies.exists() or Evidence.objects.filter(revision_of=locked).exists():
            raise Conflict(gettext("This evidence already names its competencies."))
        locked.competencies.set(chosen)
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            object_type="evidence-competencies",
            object_id=str(evidence.pk),
            student=evidence.student,
            reason=policy.legitimate_interest(actor, evidence.student),
        )
    return locked

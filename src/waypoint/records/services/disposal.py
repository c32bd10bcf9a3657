"""Disposal on request, as the National Data Privacy Agreement expects: a district administrator records a
request to dispose of a departed student's record (who asked, when it was received; due 60 days later), then
completes it.

Completing removes every row of the student's record, found by walking the foreign keys that point at the
student, and at those rows, down to the leaves (evidence, its files and scores, levels and their history,
profiles, plans, paths, the portfolio, progress rows, notifications about the student, transcripts and
credentials issued, enrolments, guardian links, and the student row itself). What the law requires stays:
the diplomas issued (their `student` is emptied; the name is on the diploma), the request itself (the fact
of disposal, with a keyed hash of the district's student id instead of the student) and the audit log,
which no foreign key constraint ties to the student. All or nothing, in one transaction: files are removed
from storage only once it commits."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Conflict, Invalid
from waypoint.core.models import AuditAction, AuditEvent, Student, StudentEnrollment
from waypoint.policy import Action
from waypoint.policy.base import active_on
from waypoint.records.models import (
    Diploma,
    DisposalRequest,
    DisposalStatus,
    IssuedCredential,
    TransferRequest,
)
from waypoint.records.services import acting_user, require

DISPOSAL_DAYS = 60
MAX_NAME = 200
# Foreign keys to rows of the record that stay: each is emptied, not followed.
KEPT: frozenset[tuple[type[Model], str]] = frozenset(
    {(Diploma, "student"), (DisposalRequest, "student"), (TransferRequest, "source_student")}
)


class DisposalError(Invalid):
    """A refused disposal write; `problems` lists every reason, and nothing was written."""


def student_reference(student: Student) -> str:
    """An unreadable, stable reference to the student: a keyed hash of the district and its student id, so a
    repeated request is recognised after the record is gone, and no one without the key can reverse it."""
    message = f"{student.district_id}:{student.sourced_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def is_departed(student: Student, on: datetime.date) -> bool:
    """No enrolment in the student's district on the date."""
    return not StudentEnrollment.objects.filter(
        active_on(on, start="entry_date", end="exit_date"), student=student, district_id=student.district_id
    ).exists()


def disposal_request(
    *, context: RequestContext, student: Student, requested_by_name: str, received_on: datetime.date
) -> DisposalRequest:
    """Record a request to dispose of a departed student's record; it is due 60 days after it was received.
    Refused, with nothing written, for a student still enrolled in the district, a date in the future, a
    missing name, or when a request for the student is already open."""
    require(context, Action.DISPOSE_RECORD, student)
    actor = acting_user(context)
    today = timezone.localdate()
    name = " ".join(requested_by_name.split())
    problems: list[str] = []
    if not is_departed(student, today):
        problems.append(
            gettext(
                "%(student)s is still enrolled in the district: "
                "only a departed student’s record is disposed of."
            )
            % {"student": student.full_name}
        )
    if not name:
        problems.append(gettext("Say who asked for the disposal."))
    elif len(name) > MAX_NAME:
        problems.append(gettext("Keep the name under %(limit)d characters.") % {"limit": MAX_NAME})
    if received_on > today:
        problems.append(gettext("The request cannot have been received in the future."))
    if DisposalRequest.objects.filter(student=student, status=DisposalStatus.REQUESTED).exists():
        problems.append(gettext("A request to dispose of this record is already open."))
    if problems:
        raise DisposalError(problems)
    with transaction.atomic():
        request = DisposalRequest.objects.create(
            district_id=student.district_id,
            student=student,
            student_reference=student_reference(student),
            requested_by_name=name,
            received_on=received_on,
            due_on=received_on + datetime.timedelta(days=DISPOSAL_DAYS),
            recorded_by=actor,
        )
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type="disposal-request",
            object_id=str(request.pk),
            student=student,
            reason=f"Disposal requested by {name}, received {received_on.isoformat()}",
        )
    return request


def disposal_complete(*, context: RequestContext, request: DisposalRequest) -> DisposalRequest:
    """Dispose of the record now: every row of it goes, but the diplomas, this request and the audit log
    stay. Refused if the student enrolled in the district again meanwhile. All or nothing."""
    require(context, Action.DISPOSE_RECORD, request)
    actor = acting_user(context)
    with transaction.atomic():
        locked = DisposalRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != DisposalStatus.REQUESTED or locked.student_id is None:
            raise Conflict(gettext("This record was already disposed of."))
        student = Student.objects.select_related("district").get(pk=locked.student_id)
        if not is_departed(student, timezone.localdate()):
            raise DisposalError(
                gettext("%(student)s is enrolled in the district again: the record stays.")
                % {"student": student.full_name}
            )
        kept: Counter[str] = Counter()
        kept["records.diploma"] = Diploma.objects.filter(student=student).count()
        kept["records.transferrequest"] = TransferRequest.objects.filter(source_student=student).count()
        kept["core.auditevent"] = AuditEvent.objects.filter(student_id=student.pk).count()
        # An issued credential keeps its place on the district's revocation list, emptied of the signed
        # document and the student: a new credential must never take the index of one still held.
        kept["records.issuedcredential"] = models.QuerySet.update(
            IssuedCredential.objects.filter(student=student), student=None, token=""
        )
        # Audited before the rows go: the event names the student's id, which the log keeps.
        audit_record(
            context=context,
            action=AuditAction.DELETE,
            object_type="disposal",
            object_id=str(locked.pk),
            student=student,
            reason=f"Record disposed of on request {locked.pk} (received {locked.received_on.isoformat()})",
        )
        kept["core.auditevent"] += 1
        disposed: Counter[str] = Counter()
        files: list[tuple[Any, str]] = []
        _remove(Student.objects.filter(pk=student.pk), disposed=disposed, files=files)
        locked.status = DisposalStatus.COMPLETED
        locked.completed_at = timezone.now()
        locked.completed_by = actor
        locked.disposed = dict(sorted(disposed.items()))
        locked.kept = {**dict(sorted(kept.items())), "records.disposalrequest": 1}
        locked.student = None
        locked.save(update_fields=["status", "completed_at", "completed_by", "disposed", "kept", "student"])
        transaction.on_commit(lambda: _delete_files(files))
    return locked


def _label(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _remove(rows: QuerySet[Any], *, disposed: Counter[str], files: list[tuple[Any, str]]) -> None:
    """Delete the rows and, first, every row that points at them, depth first; a kept row's pointer is
    emptied instead. Raw deletes: the append-only guards of scores and levels refuse a person's change, not
    the law's disposal, and Django's collector would stop at the PROTECT keys that guard the record against
    accidents."""
    model = rows.model
    keys = rows.values("pk")
    for relation in model._meta.get_fields(include_hidden=True):
        if not (
            relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
        ):
            continue
        field = relation.field
        if field.remote_field.on_delete is models.DO_NOTHING:
            continue  # the audit log: no constraint ties it to the record, and it stays
        related: type[Model] = relation.related_model
        if related is model:
            continue  # a row of the same set (a revision, a correction): deleted with it
        pointing = related._base_manager.filter(**{f"{field.name}__in": keys})
        if (related, field.name) in KEPT:
            models.QuerySet.update(pointing, **{field.name: None})
            continue
        _remove(pointing, disposed=disposed, files=files)
    for file_field in [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]:
        files.extend(
            (file_field.storage, name)
            for name in rows.exclude(**{file_field.name: ""}).values_list(file_field.name, flat=True)
        )
    count = rows._raw_delete(router.db_for_write(model))
    if count:
        disposed[_label(model)] += count


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def disposal_overdue(request: DisposalRequest, on: datetime.date | None = None) -> bool:
    return request.status == DisposalStatus.REQUESTED and request.due_on < (on or timezone.localdate())

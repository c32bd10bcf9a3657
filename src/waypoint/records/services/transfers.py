"""Transfers between districts: the only path by which student data leaves a district.

District B, where the student is now enrolled, asks for the record by the state student id; district A, which
holds the student with that id, releases it (or declines with a reason), or A's policy releases it at once
when B's enrolment matches (same names and birth date). The release stores what was sent (`package`: the
transcript-level data and the chosen evidence) and copies it into B's record: each chosen piece of evidence
becomes an observation in B carrying copies of A's counted certified scores on the competencies B uses, and
B's levels are recomputed from them under B's rules. A's levels are never copied as levels. Every step is
audited on both sides; A's administrators hear of the request, and B's administrators, the student and the
guardians hear of the release."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Conflict, Invalid
from waypoint.core.models import (
    AuditAction,
    Organization,
    Role,
    RoleAssignment,
    Student,
    StudentEnrollment,
    User,
)
from waypoint.core.row_security import district_scope
from waypoint.evidence.models import Evidence, EvidenceKind, EvidenceStatus, Score
from waypoint.frameworks.models import Competency, Framework, FrameworkAdoption
from waypoint.mastery.models import MasteryLevel, MasteryLevelChange
from waypoint.mastery.services import levels_refresh
from waypoint.notifications.services import notify
from waypoint.pathways.models import PathProposal, PathStatus
from waypoint.policy import Action
from waypoint.policy.base import active_on
from waypoint.policy.notifications import family_of
from waypoint.records import events
from waypoint.records.models import Diploma, TransferPolicy, TransferRequest, TransferStatus
from waypoint.records.services import acting_user, require

# Paths that happened or are happening: a proposal never approved is not part of the record.
PATHS_ON_RECORD = (PathStatus.APPROVED, PathStatus.ACTIVE, PathStatus.COMPLETED)
MAX_REASON = 2000


class TransferError(Invalid):
    """A refused transfer write; `problems` lists every reason, and nothing was written."""


def enrolled_in(student: Student, district_id: int, on: datetime.date) -> bool:
    """Whether the student has an enrolment in the district on the date."""
    return StudentEnrollment.objects.filter(
        active_on(on, start="entry_date", end="exit_date"), student=student, district_id=district_id
    ).exists()


def _same_person(source: Student, student: Student) -> bool:
    """The matched enrolment a district's policy may release on: same names and a known, equal birth date."""

    def name(value: str) -> str:
        return " ".join(value.split()).casefold()

    return (
        source.birth_date is not None
        and source.birth_date == student.birth_date
        and name(source.first_name) == name(student.first_name)
        and name(source.last_name) == name(student.last_name)
    )


def district_admins(district_id: int, on: datetime.date | None = None) -> QuerySet[User]:
    """The active district administrators of a district."""
    admins = RoleAssignment.objects.filter(
        active_on(on or timezone.localdate()), role=Role.DISTRICT_ADMIN, district_id=district_id
    ).values("user_id")
    return User.objects.filter(pk__in=admins, is_active=True).order_by("pk")


def usable_frameworks(district: Organization) -> QuerySet[Framework]:
    """The frameworks a district scores against: its own, those it adopted and its state's."""
    adopted = FrameworkAdoption.objects.filter(district=district).values("framework_id")
    owners = Q(owner_id=district.pk) | Q(id__in=adopted)
    if district.parent_id is not None:
        owners |= Q(owner_id=district.parent_id)
    return Framework.objects.filter(owners)


# The request -----------------------------------------------------------------------------------------------


def transfer_request(*, context: RequestContext, student: Student, state_student_id: str) -> TransferRequest:
    """District B (the student's district) asks for the record held under the state student id elsewhere.
    Refused, with nothing written, when no other district holds a student with that id (without saying
    whether one exists), when the student is not enrolled in B today, or when a request is already open.
    A's administrators are told; A's policy may release the record at once on a matched enrolment."""
    require(context, Action.REQUEST_TRANSFER, student)
    # The one path between districts: the record is found by state id in another district and copied in,
    # so the row-level security scope (one district) is lifted; the access policy decided above.
    with district_scope(None):
        actor = acting_user(context)
        today = timezone.localdate()
        wanted = " ".join(state_student_id.split())
        problems: list[str] = []
        if not enrolled_in(student, student.district_id, today):
            problems.append(
                gettext(
                    "%(student)s is not enrolled in %(district)s today: "
                    "only an enrolled student’s record can be requested."
                )
                % {"student": student.full_name, "district": student.district.name}
            )
        source = (
            Student.objects.select_related("district")
            .filter(state_student_id=wanted)
            .exclude(district_id=student.district_id)
            .first()
            if wanted
            else None
        )
        if not wanted:
            problems.append(gettext("Give the student’s state id."))
        elif source is None:
            problems.append(gettext("No student with that state id can be requested."))
        elif TransferRequest.objects.filter(
            student=student, from_district_id=source.district_id, status=TransferStatus.REQUESTED
        ).exists():
            problems.append(gettext("A request for this student’s record is already open."))
        if problems or source is None:
            raise TransferError(problems)
        with transaction.atomic():
            try:
                # A savepoint: two administrators asking at once meet the one-open-request constraint.
                with transaction.atomic():
                    transfer = TransferRequest.objects.create(
                        from_district_id=source.district_id,
                        to_district_id=student.district_id,
                        student=student,
                        source_student=source,
                        state_student_id=wanted,
                        requested_by=actor,
                    )
            except IntegrityError:
                raise TransferError(gettext("A request for this student’s record is already open.")) from None
            audit_record(
                context=context,
                action=AuditAction.CREATE,
                object_type="transfer-request",
                object_id=str(transfer.pk),
                student=student,
                reason=f"Record requested from {source.district.name}",
            )
            audit_record(
                context=context,
                action=AuditAction.CREATE,
                object_type="transfer-request-received",
                object_id=str(transfer.pk),
                student=source,
                district_id=source.district_id,
                reason=f"Record requested by {student.district.name}",
            )
            url = reverse("records-transfer", args=[transfer.pk])
            notify(
                kind=events.TRANSFER_REQUESTED.code,
                recipients=list(district_admins(source.district_id)),
                student=source,
                params={"to": student.district.name},
                url=url,
            )
            rules = TransferPolicy.objects.filter(district_id=source.district_id).first()
            if rules is not None and rules.release_on_match and _same_person(source, student):
                chosen = Evidence.objects.filter(
                    student=source,
                    pk__in=Score.objects.counted().filter(student=source).values("evidence_id"),
                ).order_by("submitted_at", "pk")
                _release(context=context, transfer=transfer, evidence=list(chosen), by=None, recorder=actor)
    return transfer


# The release ---------------------------------------------------------------------------------------------


def _open(context: RequestContext, transfer: TransferRequest) -> TransferRequest:
    """The transfer, locked, still waiting for A's decision."""
    require(context, Action.RELEASE_TRANSFER, transfer)
    locked = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    if locked.status != TransferStatus.REQUESTED:
        raise Conflict(
            gettext("This request was already decided: %(status)s.") % {"status": locked.get_status_display()}
        )
    return locked


def transfer_release(
    *, context: RequestContext, transfer: TransferRequest, evidence_ids: Iterable[int]
) -> TransferRequest:
    """A's district administrator releases the record with the evidence chosen (a subset of the student's
    evidence in A): B receives the transcript-level data and copies of the evidence and its counted scores."""
    actor = acting_user(context)
    wanted = sorted(set(evidence_ids))
    # The transfer's two districts: the record is read in one and copied into the other.
    with district_scope({transfer.from_district_id, transfer.to_district_id}), transaction.atomic():
        locked = _open(context, transfer)
        source = locked.source_student
        if source is None:
            raise Conflict(gettext("The sending district no longer holds this student’s record."))
        chosen = list(Evidence.objects.filter(student=source, pk__in=wanted).order_by("submitted_at", "pk"))
        unknown = sorted(set(wanted) - {evidence.pk for evidence in chosen})
        if unknown:
            raise TransferError(
                gettext("These pieces of evidence are not in the student’s record: %(ids)s.")
                % {"ids": ", ".join(str(pk) for pk in unknown)}
            )
        _release(context=context, transfer=locked, evidence=chosen, by=actor, recorder=actor)
    return locked


def transfer_decline(*, context: RequestContext, transfer: TransferRequest, reason: str) -> TransferRequest:
    """A's district administrator declines the request, saying why; B's requester reads the reason."""
    actor = acting_user(context)
    reason = reason.strip()
    if not reason:
        raise TransferError(gettext("Say why the request is declined."))
    if len(reason) > MAX_REASON:
        raise TransferError(gettext("Keep the reason under %(limit)d characters.") % {"limit": MAX_REASON})
    with district_scope({transfer.from_district_id, transfer.to_district_id}), transaction.atomic():
        locked = _open(context, transfer)
        locked.status = TransferStatus.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_notes = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_notes"])
        for student, district_id, kind in (
            (locked.source_student, locked.from_district_id, "transfer-declined"),
            (locked.student, locked.to_district_id, "transfer-declined"),
        ):
            audit_record(
                context=context,
                action=AuditAction.UPDATE,
                object_type=kind,
                object_id=str(locked.pk),
                student=student,
                district_id=district_id,
                reason=reason,
            )
    return locked


def _release(
    *,
    context: RequestContext,
    transfer: TransferRequest,
    evidence: Sequence[Evidence],
    by: User | None,
    recorder: User,
) -> None:
    """Store the package, copy it into B, recompute B's levels, audit both sides and tell B's side. `by` is
    the releasing administrator (None when the policy released it); `recorder` is recorded on the copies."""
    source = transfer.source_student
    if source is None:
        raise Conflict(gettext("The sending district no longer holds this student’s record."))
    sender = Organization.objects.get(pk=transfer.from_district_id)
    receiver = Organization.objects.get(pk=transfer.to_district_id)
    now = timezone.now()
    transfer.package = transfer_package(source=source, evidence=evidence, sender=sender, receiver=receiver)
    copied = _copy_into(
        student=transfer.student, evidence=evidence, sender=sender, receiver=receiver, recorder=recorder
    )
    if copied:
        levels_refresh(student=transfer.student, competencies=copied, at=now)
    transfer.status = TransferStatus.RELEASED
    transfer.decided_by = by
    transfer.decided_at = now
    transfer.released_automatically = by is None
    transfer.save(update_fields=["package", "status", "decided_by", "decided_at", "released_automatically"])
    how = "automatically, on a matched enrolment" if by is None else "by the district administrator"
    audit_record(
        context=context,
        action=AuditAction.EXPORT,
        object_type="transfer-disclosure",
        object_id=str(transfer.pk),
        student=source,
        district_id=sender.pk,
        reason=f"Record disclosed to {receiver.name}, {how}",
    )
    audit_record(
        context=context,
        action=AuditAction.CREATE,
        object_type="transfer-received",
        object_id=str(transfer.pk),
        student=transfer.student,
        district_id=receiver.pk,
        reason=f"Record received from {sender.name}",
    )
    recipients = {user.pk: user for user in district_admins(receiver.pk)}
    recipients[transfer.requested_by_id] = transfer.requested_by
    recipients |= {user.pk: user for user in family_of(transfer.student)}
    notify(
        kind=events.TRANSFER_RELEASED.code,
        recipients=list(recipients.values()),
        student=transfer.student,
        params={"from": sender.name, "to": receiver.name},
        url=reverse("records-transfer", args=[transfer.pk]),
    )


def _copy_into(
    *,
    student: Student,
    evidence: Sequence[Evidence],
    sender: Organization,
    receiver: Organization,
    recorder: User,
) -> list[Competency]:
    """Copy each piece of evidence into B's record as an observation, with A's counted scores on the
    competencies B scores against (the scorer, date, source and certification kept: A's scores are the
    transfer evidence). Returns the competencies that received scores."""
    usable = set(usable_frameworks(receiver).values_list("pk", flat=True))
    scores_by_evidence: dict[int, list[Score]] = {}
    for score in (
        Score.objects.counted()
        .filter(evidence__in=[item.pk for item in evidence])
        .select_related("competency__version__framework__scale")
        .order_by("scored_at", "pk")
    ):
        scores_by_evidence.setdefault(score.evidence_id, []).append(score)
    scored: dict[int, Competency] = {}
    title_prefix = gettext("Transferred from %(district)s") % {"district": sender.name}
    for item in evidence:
        carried = [
            score
            for score in scores_by_evidence.get(item.pk, [])
            if score.competency.version.framework_id in usable
        ]
        copy = Evidence.objects.create(
            district=receiver,
            student=student,
            framework_version_id=item.framework_version_id,
            kind=EvidenceKind.OBSERVATION,
            title=f"{title_prefix}: {item.title}"[:300],
            body=item.body,
            links=item.links,
            status=EvidenceStatus.SCORED if carried else EvidenceStatus.AWAITING_SCORE,
            recorded_by=recorder,
            submitted_at=item.submitted_at,
        )
        copy.competencies.set(item.competencies.all())
        for score in carried:
            Score.objects.create(
                district=receiver,
                student=student,
                evidence=copy,
                competency=score.competency,
                framework_version_id=score.framework_version_id,
                value=score.value,
                rubric_id=score.rubric_id,
                criterion_levels=score.criterion_levels,
                comment=score.comment,
                source=score.source,
                counts_toward_mastery=score.counts_toward_mastery,
                certification_id=score.certification_id,
                scored_by_id=score.scored_by_id,
                scored_at=score.scored_at,
            )
            scored[score.competency.pk] = score.competency
    return list(scored.values())


def transfer_package(
    *, source: Student, evidence: Sequence[Evidence], sender: Organization, receiver: Organization
) -> dict[str, Any]:
    """What A sends, JSON-safe: the transcript-level data (competencies with levels and the date each was
    last reached, the diploma, the paths of study) and the chosen evidence with its counted scores."""
    reached = dict(
        MasteryLevelChange.objects.filter(student=source)
        .values("competency_id")
        .annotate(last=Max("changed_at"))
        .values_list("competency_id", "last")
    )
    competencies = [
        {
            "framework": level.competency.version.framework.title,
            "code": level.competency.human_code,
            "statement": level.competency.full_statement,
            "level": level.level,
            "meets_mastery": level.meets_mastery,
            "reached_on": _day(reached.get(level.competency_id) or level.computed_at),
        }
        for level in MasteryLevel.objects.filter(student=source, level__isnull=False)
        .select_related("competency__version__framework")
        .order_by("competency__version__framework__title", "competency__path")
    ]
    diploma = Diploma.objects.filter(student=source, revoked_at__isnull=True).order_by("-awarded_on").first()
    paths = [
        {
            "title": path.title or (path.opportunity.title if path.opportunity else ""),
            "status": path.status,
            "starts_on": path.starts_on.isoformat(),
            "ends_on": path.ends_on.isoformat(),
        }
        for path in PathProposal.objects.filter(student=source, status__in=PATHS_ON_RECORD)
        .select_related("opportunity")
        .order_by("starts_on", "pk")
    ]
    scores: dict[int, list[dict[str, Any]]] = {}
    for score in (
        Score.objects.counted()
        .filter(evidence__in=[item.pk for item in evidence])
        .select_related("competency", "scored_by")
        .order_by("scored_at", "pk")
    ):
        scores.setdefault(score.evidence_id, []).append(
            {
                "competency": score.competency.human_code or score.competency.full_statement[:80],
                "value": score.value,
                "scored_on": _day(score.scored_at),
                "scored_by": score.scored_by.display_name,
                "source": score.source,
            }
        )
    return {
        "from": sender.name,
        "to": receiver.name,
        "student": {"first_name": source.first_name, "last_name": source.last_name},
        "released_on": timezone.localdate().isoformat(),
        "competencies": competencies,
        "diploma": (
            {"awarded_on": diploma.awarded_on.isoformat(), "name": diploma.student_name} if diploma else None
        ),
        "paths": paths,
        "evidence": [
            {
                "title": item.title,
                "body": item.body,
                "submitted_on": _day(item.submitted_at),
                "scores": scores.get(item.pk, []),
            }
            for item in evidence
        ],
    }


def _day(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).date().isoformat()

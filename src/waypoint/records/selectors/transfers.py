"""Reads of transfers between districts, scoped by the access policy and audited. Each district sees its
own side: the sending district (A) its student's record, the requesting district (B) its own; the student
and the guardians see their own transfers. Before a release nothing of A's record is shown to B."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_record_students
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, GuardianLink, Role, Student, StudentEnrollment
from waypoint.core.row_security import district_scope
from waypoint.evidence.models import Evidence
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.policy.base import active_on, districts_where, organizations_where
from waypoint.records.models import TransferRequest, TransferStatus


@dataclass(frozen=True)
class TransferRow:
    """One transfer as the reader sees it: `outgoing` when the reader's district sends the record."""

    transfer: TransferRequest
    outgoing: bool

    @property
    def student(self) -> Student:
        """The reader's side of the record: A's student for the sender, B's for everyone else."""
        source = self.transfer.source_student
        return source if self.outgoing and source is not None else self.transfer.student

    @property
    def waiting(self) -> bool:
        return self.transfer.status == TransferStatus.REQUESTED


def _scope(context: RequestContext) -> Q:
    """The transfers the reader may see, as one filter (the policy's `transfer_readable`, for a list)."""
    user = context.actor
    if user is None:
        return Q(pk__in=[])
    on = policy.today()
    own = Q(student__user=user) | Q(source_student__user=user)
    guarded = GuardianLink.objects.filter(active_on(on), guardian=user).values("student_id")
    scope = own | Q(student_id__in=guarded) | Q(source_student_id__in=guarded)
    districts = districts_where(user, Role.DISTRICT_ADMIN, on=on)
    if districts:
        scope |= Q(from_district_id__in=districts) | Q(to_district_id__in=districts)
    enrolled = _administered(context)
    if enrolled is not None:
        school_districts = districts_where(user, Role.SCHOOL_ADMIN, on=on)
        students = enrolled.values("student_id")
        scope |= Q(to_district_id__in=school_districts, student_id__in=students)
        scope |= Q(from_district_id__in=school_districts, source_student_id__in=students)
    return scope


def _administered(context: RequestContext) -> QuerySet[StudentEnrollment] | None:
    """The enrolments today at the schools the reader administers (None: the reader administers no school)."""
    on = policy.today()
    schools = organizations_where(context.user, Role.SCHOOL_ADMIN, on=on)
    if not schools:
        return None
    return StudentEnrollment.objects.filter(
        active_on(on, start="entry_date", end="exit_date"), school_id__in=schools
    )


def _sending(context: RequestContext, transfers: list[TransferRequest]) -> set[int]:
    """The transfers the reader sees from the sending side: a district administrator of the sending district,
    or a school administrator of the student's school there (one query for the whole list)."""
    districts = districts_where(context.user, Role.DISTRICT_ADMIN, on=policy.today())
    sending = {t.pk for t in transfers if t.from_district_id in districts}
    enrolled = _administered(context)
    if enrolled is not None:
        sources = {t.source_student_id for t in transfers if t.pk not in sending and t.source_student_id}
        ours = set(enrolled.filter(student_id__in=sources).values_list("student_id", flat=True))
        sending |= {t.pk for t in transfers if t.source_student_id in ours}
    return sending


def _outgoing(context: RequestContext, transfer: TransferRequest) -> bool:
    return transfer.pk in _sending(context, [transfer])


def _disclose(context: RequestContext, rows: list[TransferRow]) -> None:
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="transfer-list",
        students={row.student.pk: row.student for row in rows}.values(),
        reason=policy.legitimate_interest(context.user),
    )


def transfer_list(*, context: RequestContext) -> list[TransferRow]:
    """The reader's transfers, in and out: those waiting for a decision first, newest first within."""
    if not policy.can(context.user, Action.VIEW_TRANSFERS):
        reason = gettext("Your role may not %(action)s.") % {"action": Action.VIEW_TRANSFERS.label}
        audit_record(
            context=context,
            action=AuditAction.DENIED,
            object_type="transfer-list",
            district_id=context.district_id,
            reason=reason,
        )
        raise NotPermitted(reason)
    found: QuerySet[TransferRequest] = (
        TransferRequest.objects.filter(_scope(context))
        .select_related(
            "student", "source_student", "from_district", "to_district", "requested_by", "decided_by"
        )
        .annotate(
            waiting=Case(
                When(status=TransferStatus.REQUESTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-requested_at", "-pk")
    )
    # A transfer names a student of each district; the access policy (`_scope`) chose these transfers, and the
    # row-level security scope, one district, would hide the other side's student.
    with district_scope(None):
        transfers = list(found)
    sending = _sending(context, transfers)
    rows = [TransferRow(transfer=t, outgoing=t.pk in sending) for t in transfers]
    _disclose(context, rows)
    return rows


def transfers_waiting_count(*, context: RequestContext) -> int:
    """How many requests wait for the reader's decision (a district administrator of the sending district):
    for a home item. A count discloses no student, so nothing is audited."""
    districts = districts_where(context.user, Role.DISTRICT_ADMIN, on=policy.today())
    if not districts:
        return 0
    return TransferRequest.objects.filter(
        from_district_id__in=districts, status=TransferStatus.REQUESTED
    ).count()


def transfer_get(*, context: RequestContext, transfer_id: int) -> TransferRow:
    """One transfer the reader may see (else 404, audited as denied), audited as read."""
    # Both sides' students, whatever the reader's row-level security scope; the policy decides below.
    with district_scope(None):
        transfer = (
            TransferRequest.objects.select_related(
                "student__district",
                "source_student__district",
                "from_district",
                "to_district",
                "requested_by",
                "decided_by",
            )
            .filter(pk=transfer_id)
            .first()
        )
    if transfer is None or not policy.can(context.user, Action.VIEW_TRANSFERS, transfer):
        audit_record(
            context=context, action=AuditAction.DENIED, object_type="transfer", object_id=str(transfer_id)
        )
        raise NotVisible(f"No transfer {transfer_id} is visible to this user.")
    row = TransferRow(transfer=transfer, outgoing=_outgoing(context, transfer))
    audit_record(
        context=context,
        action=AuditAction.VIEW,
        object_type="transfer",
        object_id=str(transfer.pk),
        student=row.student,
        reason=policy.legitimate_interest(context.user, row.student),
    )
    return row


@dataclass(frozen=True)
class EvidenceChoice:
    """A piece of the sending district's evidence A's administrator may choose to send."""

    evidence: Evidence
    counted_scores: int


def release_choices(*, context: RequestContext, row: TransferRow) -> list[EvidenceChoice]:
    """The evidence of A's record, newest first, with how many counted scores each carries; empty for
    anyone who may not release (B never sees A's evidence before the release)."""
    transfer = row.transfer
    if (
        transfer.status != TransferStatus.REQUESTED
        or transfer.source_student is None
        or not policy.can(context.user, Action.RELEASE_TRANSFER, transfer)
    ):
        return []
    found = (
        Evidence.objects.filter(student=transfer.source_student)
        .annotate(
            counted_scores=Count(
                "scores", filter=Q(scores__counts_toward_mastery=True, scores__superseded=False)
            )
        )
        .order_by("-submitted_at", "-pk")
    )
    return [EvidenceChoice(evidence=item, counted_scores=item.counted_scores) for item in found]


def transfer_student(*, context: RequestContext, student_id: int) -> Student:
    """The requesting district's student, for the request form: read through the people selector, which
    answers 404 out of scope and 403 for a role that may not request."""
    return student_get(
        context=context, student_id=student_id, action=Action.REQUEST_TRANSFER, audit_as="transfer-request"
    )

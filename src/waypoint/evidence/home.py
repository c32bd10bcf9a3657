"""The evidence panels of a home page.

- A student: the revision requests waiting for a new version, and the recent feedback on their work; a
  guardian: the recent feedback on their children's work.
- A scorer (a teacher, or anyone who has scored within a term): the evidence waiting for a score in each of
  their sections, filed as the inbox files it, and the new versions of work they asked to revise.
- An advisor: the students of their caseload with no evidence lately.

Each panel reads through the access policy and audits the students whose work it names ("home")."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record_students
from waypoint.core.home import PROGRESS, TODAY, HomeItem, HomePanel
from waypoint.core.models import AdvisorAssignment, AuditAction, Role, Student, User
from waypoint.evidence.models import Evidence, EvidenceStatus, Feedback, Score
from waypoint.evidence.selectors import waiting_to_score
from waypoint.policy import AccessContext, Action, request_context

# How many items a panel lists before it sends the reader to the full page.
SHOWN = 5
# Feedback older than this has been read or acted on; the student's evidence page keeps all of it.
FEEDBACK_DAYS = 30
# An advisor hears about a caseload student who has shown no work for this long.
QUIET_DAYS = 21
# Someone who is not a teacher (a principal who teaches one class) keeps the scoring panels this long after
# their last score: about a term.
SCORED_LATELY_DAYS = 90


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    context = request_context(request)
    panels: list[HomePanel] = []
    if access.own_student_id is not None:
        panels.extend(_student_panels(context, access.own_student_id))
    if access.is_guardian:
        panels.append(_children_feedback(context, access))
    if access.can(Action.WORK_EVIDENCE_INBOX) and _scores(access, user):
        panels.append(_to_score(context))
        panels.append(_resubmitted(context, user))
    if access.has_role(Role.ADVISOR):
        panels.append(_quiet_caseload(context, access, user))
    return panels


def _scores(access: AccessContext, user: User) -> bool:
    """Whether the reader scores work: a teacher, or anyone else who has scored within a term. An
    administrator may open the inbox, but "Evidence to score: 203" is not their work to do."""
    if access.has_role(Role.TEACHER):
        return True
    since = timezone.now() - datetime.timedelta(days=SCORED_LATELY_DAYS)
    return Score.objects.filter(scored_by=user, scored_at__gte=since).exists()


def _audit(context: RequestContext, students: Iterable[Student]) -> None:
    """One event per student whose work a panel names."""
    audit_record_students(
        context=context,
        action=AuditAction.VIEW,
        object_type="home",
        students={student.pk: student for student in students}.values(),
        reason=policy.legitimate_interest(context.user),
    )


def _excerpt(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(120)


def _recent_feedback(context: RequestContext, evidence: QuerySet[Evidence]) -> list[Feedback]:
    """The newest comments (not revision requests) by others on work not yet replaced by a revision."""
    since = timezone.now() - datetime.timedelta(days=FEEDBACK_DAYS)
    return list(
        Feedback.objects.filter(
            evidence__in=evidence.exclude(status=EvidenceStatus.REVISED),
            requests_revision=False,
            created_at__gte=since,
        )
        .exclude(author=context.actor)
        .select_related("evidence__student", "author")
        .order_by("-created_at", "-id")[:SHOWN]
    )


def _feedback_item(note: Feedback, *, named: bool) -> HomeItem:
    title = note.evidence.title
    if named:
        title = gettext("%(student)s: %(title)s") % {
            "student": note.evidence.student.full_name,
            "title": title,
        }
    return HomeItem(
        title,
        reverse("evidence-detail", args=[note.evidence_id]),
        detail=gettext("%(author)s: %(text)s")
        % {"author": note.author.display_name, "text": _excerpt(note.body)},
    )


def _student_panels(context: RequestContext, student_id: int) -> list[HomePanel]:
    own = policy.visible_evidence(context.user).filter(student_id=student_id)
    request_note = (
        Feedback.objects.filter(evidence=OuterRef("pk"), requests_revision=True)
        .order_by("-created_at", "-id")
        .values("body")[:1]
    )
    asked = own.filter(status=EvidenceStatus.REVISION_REQUESTED)
    revisions = list(
        asked.annotate(request_note=Subquery(request_note))
        .select_related("student")
        .order_by("submitted_at", "id")[:SHOWN]
    )
    asked_total = len(revisions) if len(revisions) < SHOWN else asked.count()
    feedback = _recent_feedback(context, own)
    _audit(context, [e.student for e in revisions] + [note.evidence.student for note in feedback])
    evidence_list = reverse("student-evidence", args=[student_id])
    return [
        HomePanel(
            key="revision-requests",
            title=gettext("Revision requests"),
            order=TODAY,
            tone="action" if revisions else "info",
            intro=gettext("Your teacher asked for a new version of this work.") if revisions else "",
            items=tuple(
                HomeItem(
                    evidence.title,
                    reverse("evidence-detail", args=[evidence.pk]),
                    detail=_excerpt(evidence.request_note or ""),
                    tone="action",
                )
                for evidence in revisions
            ),
            count=asked_total,
            empty=gettext("No revision is waiting for you."),
            action=HomeItem(gettext("All my evidence"), evidence_list) if asked_total > SHOWN else None,
        ),
        HomePanel(
            key="feedback",
            title=gettext("Feedback to act on"),
            order=TODAY + 5,
            items=tuple(_feedback_item(note, named=False) for note in feedback),
            empty=gettext("No new feedback in the last %(days)s days.") % {"days": FEEDBACK_DAYS},
            action=HomeItem(gettext("All my evidence"), evidence_list),
        ),
    ]


def _children_feedback(context: RequestContext, access: AccessContext) -> HomePanel:
    """What teachers and mentors said lately about the children's work."""
    children = policy.visible_evidence(context.user, access.on).filter(
        student_id__in=access.guarded_student_ids
    )
    feedback = _recent_feedback(context, children)
    _audit(context, [note.evidence.student for note in feedback])
    return HomePanel(
        key="children-feedback",
        title=gettext("Recent feedback"),
        order=PROGRESS + 5,
        items=tuple(_feedback_item(note, named=True) for note in feedback),
        empty=gettext("No new feedback on your children’s work in the last %(days)s days.")
        % {"days": FEEDBACK_DAYS},
    )


def _to_score(context: RequestContext) -> HomePanel:
    """Counts only: the panel names sections, not students."""
    waiting = waiting_to_score(context=context)
    inbox = reverse("evidence-inbox")
    items = [
        HomeItem(
            entry.section.title,
            f"{inbox}?section={entry.section.pk}",
            count=entry.waiting,
            tone="action",
        )
        for entry in waiting.sections
    ]
    if waiting.elsewhere:
        items.append(
            HomeItem(
                gettext("Other work from your students")
                if items
                else gettext("Work from students in your scope"),
                inbox,
                count=waiting.elsewhere,
                detail=gettext("Not filed under a section you teach: other subjects, observations, paths.")
                if items
                else "",
                tone="action",
            )
        )
    return HomePanel(
        key="to-score",
        title=gettext("Evidence to score"),
        order=TODAY,
        tone="action" if waiting.total else "info",
        items=tuple(items),
        count=waiting.total,
        empty=gettext("Nothing is waiting for your score."),
        action=HomeItem(gettext("Open the evidence inbox"), inbox),
    )


def _resubmitted(context: RequestContext, user: User) -> HomePanel:
    """New versions of work the reader asked to revise, waiting for their score; the oldest first."""
    asked_by_reader = Feedback.objects.filter(
        evidence_id=OuterRef("revision_of_id"), requests_revision=True, author=user
    )
    resubmitted = (
        policy.visible_evidence(user)
        .filter(status=EvidenceStatus.AWAITING_SCORE, revision_of__isnull=False)
        .filter(Exists(asked_by_reader))
    )
    shown = list(resubmitted.select_related("student").order_by("submitted_at", "id")[:SHOWN])
    total = len(shown) if len(shown) < SHOWN else resubmitted.count()
    _audit(context, [evidence.student for evidence in shown])
    return HomePanel(
        key="resubmitted",
        title=gettext("Revisions you asked for"),
        order=TODAY + 5,
        tone="action" if shown else "info",
        intro=gettext("Students sent a new version after your revision request.") if shown else "",
        items=tuple(
            HomeItem(
                gettext("%(student)s: %(title)s") % {"student": e.student.full_name, "title": e.title},
                reverse("evidence-detail", args=[e.pk]),
                detail=gettext("Version %(version)s, sent %(date)s")
                % {"version": e.version, "date": date_format(timezone.localtime(e.submitted_at))},
                tone="action",
            )
            for e in shown
        ),
        count=total,
        empty=gettext("No revision you asked for is waiting for your score."),
        action=HomeItem(gettext("Open the evidence inbox"), reverse("evidence-inbox"))
        if total > SHOWN
        else None,
    )


def _quiet_caseload(context: RequestContext, access: AccessContext, user: User) -> HomePanel:
    """Caseload students who have shown no work for `QUIET_DAYS`: the first sign a student is drifting."""
    since = timezone.now() - datetime.timedelta(days=QUIET_DAYS)
    caseload = AdvisorAssignment.objects.filter(policy.active_on(access.on), advisor=user)
    recent = Evidence.objects.filter(submitted_at__gte=since).values("student_id")
    quiet = (
        policy.visible_students(user, access.on)
        .filter(id__in=caseload.values("student_id"))
        .exclude(id__in=recent)
        .order_by("last_name", "first_name", "id")
    )
    shown = list(quiet[:SHOWN])
    total = len(shown) if len(shown) < SHOWN else quiet.count()
    _audit(context, shown)
    return HomePanel(
        key="quiet-caseload",
        title=gettext("Students with no recent evidence"),
        order=PROGRESS,
        tone="warning" if shown else "info",
        intro=ngettext(
            "Students in your caseload who have shown no work in the last %(days)s day.",
            "Students in your caseload who have shown no work in the last %(days)s days.",
            QUIET_DAYS,
        )
        % {"days": QUIET_DAYS},
        items=tuple(
            HomeItem(student.full_name, reverse("student-evidence", args=[student.pk]), tone="warning")
            for student in shown
        ),
        count=total,
        empty=gettext("Every student in your caseload has shown work lately."),
        action=(
            HomeItem(
                ngettext(
                    "%(count)s student in all: open your caseload",
                    "%(count)s students in all: open your caseload",
                    total,
                )
                % {"count": total},
                reverse("caseload"),
            )
            if total > SHOWN
            else None
        ),
    )

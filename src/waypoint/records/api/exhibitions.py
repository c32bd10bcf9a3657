"""The exhibitions API under /api/v1/records/: one exhibition with its panel, and a panel member's scores (a
certified teacher's set levels; everyone else's are kept as feedback). The same reads and services as the
pages."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from waypoint.core.api import READ_ERRORS, WRITE_ERRORS, Id, RefId, Text
from waypoint.policy import request_context
from waypoint.records.selectors import exhibitions as reads
from waypoint.records.services import exhibitions as services

router = Router(tags=["records"])


class PanelMemberOut(Schema):
    id: int
    name: str
    role: str = Field(description="staff, guardian or expert")
    affiliation: str


class ExhibitionOut(Schema):
    id: int
    student_id: int
    kind: str = Field(description="exhibition, gateway or senior_project")
    title: str
    summary: str
    scheduled_at: datetime.datetime
    location: str
    status: str = Field(description="scheduled, held or cancelled")
    outcome: str = Field(description="pending, passed or not_yet")
    held_on: datetime.date | None
    competency_ids: list[int]
    panel: list[PanelMemberOut]


class PanelScoreIn(Schema):
    competency_id: RefId
    value: float


class PanelScoresIn(Schema):
    scores: list[PanelScoreIn] = Field(max_length=50)
    comment: Text = Field(default="", max_length=services.MAX_TEXT)
    member_id: RefId | None = Field(
        default=None, description="A community expert of the panel whose judgement a staff member enters."
    )


class PanelScoresOut(Schema):
    sets_levels: bool
    score_ids: list[int]
    feedback_id: int | None


@router.get(
    "/exhibitions/{int:exhibition_id}",
    response={200: ExhibitionOut, **READ_ERRORS},
    summary="An exhibition with its panel",
)
def exhibition(request: HttpRequest, exhibition_id: Id) -> ExhibitionOut:
    """An exhibition with its panel: for the student, linked guardians, the staff who guide the student and
    the panel's members."""
    page = reads.exhibition_page(context=request_context(request), exhibition_id=exhibition_id)
    shown = page.exhibition
    return ExhibitionOut(
        id=shown.pk,
        student_id=shown.student_id,
        kind=shown.kind,
        title=shown.title,
        summary=shown.summary,
        scheduled_at=shown.scheduled_at,
        location=shown.location,
        status=shown.status,
        outcome=shown.outcome,
        held_on=shown.held_on,
        competency_ids=[c.pk for c in page.competencies],
        panel=[
            PanelMemberOut(id=m.pk, name=m.name, role=m.role, affiliation=m.affiliation) for m in page.panel
        ],
    )


@router.post(
    "/exhibitions/{int:exhibition_id}/scores",
    response={201: PanelScoresOut, **WRITE_ERRORS},
    summary="Your judgement as a panel member (or, with `member_id`, a community expert's, entered by staff)",
)
def exhibition_score(
    request: HttpRequest, exhibition_id: Id, payload: PanelScoresIn
) -> Status[PanelScoresOut]:
    """Your judgement as a panel member (or, with `member_id`, a community expert's, entered by staff). A
    certified teacher on the panel who judges the student sets levels; anyone else's is feedback."""
    context = request_context(request)
    page = reads.exhibition_page(context=context, exhibition_id=exhibition_id)
    done = services.exhibition_score(
        context=context,
        exhibition=page.exhibition,
        scores=[services.PanelScore(competency_id=s.competency_id, value=s.value) for s in payload.scores],
        comment=payload.comment,
        member_id=payload.member_id,
    )
    return Status(
        201,
        PanelScoresOut(
            sets_levels=done.sets_levels,
            score_ids=[score.pk for score in done.scores],
            feedback_id=done.feedback.pk if done.feedback else None,
        ),
    )

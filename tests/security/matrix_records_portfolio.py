"""Authorization-matrix rows of the portfolio and exhibitions, pages and API.

A student's portfolio page is opened by the student, linked guardians and the staff who guide the student
(each reads the collections shared with them); a mentor and the state analyst reach no portfolio (404). The
target collection is shared with teachers and guardians, so its readers are the student's readers; only the
student curates (403 for the other readers; the student's empty form is refused with its problems, 400).
The public page answers 404 for a token that opens nothing, to everyone (the matrix's URLs cannot carry a
live token: tests/records/test_portfolio.py checks a live one answers 200 to anyone, signed in or not).

Exhibitions are scheduled by the staff who guide the student (403 for the student and the guardian). The
target exhibition's panel is the student's teacher and guardian (other-teacher in Hillcrest): they reach the
scoring service with an empty judgement (400); the other readers may not score (403)."""

from __future__ import annotations

import datetime

from django.db.models import Model
from django.utils import timezone

from tests.security.matrix_kit import OTHER, OWN, READS_OWN_STUDENT, Row, everyone
from tests.security.matrix_profiles import guided, readers, student_action, target_student
from waypoint.core.audit import RequestContext
from waypoint.core.models import Organization, User
from waypoint.frameworks.selectors import district_competencies
from waypoint.records.models import ExhibitionKind, PortfolioCollection, PortfolioLink
from waypoint.records.services.exhibitions import ExhibitionPlan, exhibition_schedule, guardian_choices
from waypoint.records.services.portfolio import token_digest

PANEL = {OWN: {"teacher", "guardian"}, OTHER: {"other-teacher"}}


def panel_action(**kwargs: object) -> Row:
    """The panel reaches the service; the student's other readers are refused (403); the rest 404."""
    return Row(
        allowed=PANEL,
        overrides={(role, OWN): 403 for role in READS_OWN_STUDENT - PANEL[OWN]},
        **kwargs,  # type: ignore[arg-type]
    )


ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "students/<int:student_id>/portfolio/": readers(),
    "students/<int:student_id>/portfolio/new/": student_action({"student"}, set()),
    "portfolio/<int:collection_id>/": (
        readers(),
        student_action({"student"}, set(), ok=400, method="post"),
    ),
    "portfolio/<int:collection_id>/links/": student_action({"student"}, set(), ok=400, method="post"),
    # A live public link: anyone with it reads the collection, signed in or not (an expired, revoked or
    # unknown token answers 404: tests/records/test_portfolio.py).
    "p/<str:token>/": everyone(200, anonymous=200),
    "records/exhibitions/": everyone(leak_check=True),
    "students/<int:student_id>/exhibitions/new/": guided(),
    "exhibitions/<int:exhibition_id>/": (readers(), panel_action(ok=400, method="post")),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/records/students/<int:student_id>/portfolio": readers(anonymous=401),
    "api/v1/records/students/<int:student_id>/portfolio/collections": student_action(
        {"student"}, set(), ok=201, anonymous=401, method="post", payload={"title": "Matrix collection"}
    ),
    "api/v1/records/exhibitions/<int:exhibition_id>": readers(anonymous=401),
    "api/v1/records/exhibitions/<int:exhibition_id>/scores": panel_action(
        ok=400, anonymous=401, method="post", payload={"scores": []}
    ),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """A collection of the target student shared with teachers and guardians, and an exhibition whose panel
    is the student's teacher (other-teacher in Hillcrest) and linked guardians."""
    student = target_student(district, users)
    collection = PortfolioCollection.objects.create(
        district=district, student=student, title="Matrix collection", reflection="Matrix."
    )
    teacher = users["teacher"] if district.slug == "riverside" else users["other-teacher"]
    competency = district_competencies(district).order_by("pk").first()
    assert competency is not None
    guardians = guardian_choices(student).values_list("pk", flat=True)
    exhibition = exhibition_schedule(
        context=RequestContext(user=teacher),
        student=student,
        plan=ExhibitionPlan(
            kind=ExhibitionKind.EXHIBITION,
            title="Matrix exhibition",
            scheduled_at=timezone.now() + datetime.timedelta(days=5),
            competency_ids=[competency.pk],
            staff_ids=[teacher.pk],
            guardian_ids=list(guardians),
        ),
    )
    token = f"matrix-{district.slug}-link"
    PortfolioLink.objects.create(
        collection=collection,
        district=district,
        token_digest=token_digest(token),
        prefix=token[:8],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return {"collection": collection, "exhibition": exhibition, "token": token}  # type: ignore[dict-item]

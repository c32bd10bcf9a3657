"""Authorization-matrix rows of transfers between districts and disposal on request, pages and API.

The own district's transfer is Riverside asking Hillcrest for the record of `student` (Riverside's target
student): Riverside's administrators, the student and the guardian read it; no one in the matrix may decide
it (Hillcrest decides), so a reader's decision is 403 and everyone else gets 404. The other district's
transfers are Hillcrest asking Riverside for other records: only Riverside's district administrator (the
sender) reads them and releases or declines them. The transfers list is for administrators, students and
guardians (403 for everyone else). Requesting a record is for the administrators of the student's school or
district; the demo's `student` is enrolled, so a request with an unknown state id answers 400. Disposal is
for the district administrator alone; `student` is enrolled, so a disposal request answers 400, and the
disposal completed is of a departed student made for the row."""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone

from tests.security.matrix_kit import OTHER, OWN, Row, same_for_both
from tests.security.matrix_profiles import student_action, target_student
from waypoint.core.models import Organization, Role, RoleAssignment, Student, User
from waypoint.records.models import DisposalRequest, TransferRequest, TransferStatus
from waypoint.records.services.disposal import student_reference

FAMILY_AND_ADMINS = {"student", "guardian", "school-admin", "district-admin"}
REQUESTERS = {"school-admin", "district-admin"}
TODAY = timezone.localdate().isoformat()
DECLINE = {"<int:transfer_id>": "transfer_decline"}
DECLINE_HTML = {"<int:transfer_id>": "transfer_decline_html"}
UNKNOWN_ID = {"state_student_id": "MATRIX-NONE"}
RELEASE = {"<int:transfer_id>": "transfer_release"}


def _decision(**kwargs: object) -> Row:
    """A decision on a transfer: the own district's is read but not decided by its readers (403); the other
    district's is decided by Riverside's district administrator, the sender."""
    return Row(
        allowed={OWN: set(), OTHER: {"district-admin"}},
        overrides={(role, OWN): 403 for role in FAMILY_AND_ADMINS},
        method="post",
        **kwargs,  # type: ignore[arg-type]
    )


ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "records/transfers/": same_for_both(FAMILY_AND_ADMINS, 403, leak_check=True),
    "students/<int:student_id>/transfer/": (
        student_action(REQUESTERS, set()),
        student_action(
            REQUESTERS,
            set(),
            ok=400,
            method="post",
            multipart=True,
            payload=UNKNOWN_ID,
        ),
    ),
    "transfers/<int:transfer_id>/": (
        Row(allowed={OWN: FAMILY_AND_ADMINS, OTHER: {"district-admin"}}),
        _decision(
            ok=302, multipart=True, payload={"do": "decline", "reason": "Matrix"}, objects=DECLINE_HTML
        ),
    ),
    "records/disposals/": same_for_both({"district-admin"}, 403),
    "students/<int:student_id>/dispose/": (
        student_action({"district-admin"}, set()),
        student_action(
            {"district-admin"},
            set(),
            ok=400,
            method="post",
            multipart=True,
            payload={"do": "record", "requested_by_name": "Matrix", "received_on": TODAY},
        ),
    ),
    # API ----------------------------------------------------------------------------------------------------
    "api/v1/records/transfers": same_for_both(FAMILY_AND_ADMINS, 403, anonymous=401),
    "api/v1/records/students/<int:student_id>/transfer-requests": student_action(
        REQUESTERS, set(), ok=400, anonymous=401, method="post", payload=UNKNOWN_ID
    ),
    "api/v1/records/transfers/<int:transfer_id>/release": _decision(
        anonymous=401, payload={"evidence_ids": []}, objects=RELEASE
    ),
    "api/v1/records/transfers/<int:transfer_id>/decline": _decision(
        anonymous=401, payload={"reason": "Matrix"}, objects=DECLINE
    ),
    "api/v1/records/disposals": same_for_both({"district-admin"}, 403, anonymous=401),
    "api/v1/records/students/<int:student_id>/disposal-requests": student_action(
        {"district-admin"},
        set(),
        ok=400,
        anonymous=401,
        method="post",
        payload={"requested_by_name": "Matrix", "received_on": TODAY},
    ),
    "api/v1/records/disposals/<int:disposal_id>/complete": Row(
        allowed={OWN: {"district-admin"}, OTHER: set()}, anonymous=401, method="post"
    ),
}


def _newcomer(district: Organization, name: str) -> Student:
    """A student row of the district with no enrolment (a record requested, or departed)."""
    return Student.objects.create(
        district=district, sourced_id=f"matrix-{name}-{district.slug}", first_name="Matrix", last_name=name
    )


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """Transfers (see the module's docstring) and a disposal request of a departed student."""
    admin = users["district-admin"]
    departed = _newcomer(district, "departed")
    disposal = DisposalRequest.objects.create(
        district=district,
        student=departed,
        student_reference=student_reference(departed),
        requested_by_name="Matrix",
        received_on=timezone.localdate(),
        due_on=timezone.localdate(),
        recorded_by=admin,
    )
    hillcrest = Organization.objects.get(slug="hillcrest")
    riverside = Organization.objects.get(slug="riverside")
    if district.slug == "riverside":
        own = TransferRequest.objects.create(
            from_district=hillcrest,
            to_district=riverside,
            student=target_student(district, users),
            source_student=target_student(hillcrest, users),
            state_student_id="MATRIX-OWN",
            requested_by=admin,
        )
        return {
            "disposal": disposal,
            "transfer": own,
            "transfer_release": own,
            "transfer_decline": own,
            "transfer_decline_html": own,
        }
    # A Riverside student whom neither `student`, `guardian` nor `school-admin` reads.
    school_admin_schools = RoleAssignment.objects.filter(
        user=users["school-admin"], role=Role.SCHOOL_ADMIN
    ).values("organization_id")
    source = (
        Student.objects.filter(district=riverside)
        .exclude(user__username="student")
        .exclude(guardian_links__guardian=users["guardian"])
        .exclude(enrollments__school_id__in=school_admin_schools)
        .order_by("pk")[0]
    )
    made: dict[str, Model] = {"disposal": disposal}
    for key in ("transfer", "transfer_release", "transfer_decline", "transfer_decline_html"):
        made[key] = TransferRequest.objects.create(
            from_district=riverside,
            to_district=district,
            student=_newcomer(district, key),
            source_student=source,
            state_student_id=f"MATRIX-{key}",
            requested_by=admin,
            status=TransferStatus.RELEASED if key == "transfer" else TransferStatus.REQUESTED,
        )
    return made

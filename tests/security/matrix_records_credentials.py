"""Authorization-matrix rows of verifiable credentials, pages and API.

A student's credentials are listed and downloaded by the student, a linked guardian, the student's advisor
and the administrators who reach the student; a teacher reads the student but gets 403; a mentor, the state
analyst and the other district's staff get 404. The same staff but the student and guardian issue a record;
only the district's administrators revoke one. The verification page, the district's public keys and its
revocation list are public (200 signed out too). The API's verification needs sign-in like the whole API."""

from __future__ import annotations

import uuid

from django.db.models import Max, Model

from tests.security.matrix_kit import everyone
from tests.security.matrix_profiles import student_action, target_student
from waypoint.core.models import Organization, User
from waypoint.records.models import CredentialKind, IssuedCredential
from waypoint.records.services.credentials import signing_key_for

ISSUERS = {"advisor", "school-admin", "district-admin"}
DOWNLOADERS = ISSUERS | {"student", "guardian"}
PUBLIC = everyone(200, anonymous=200)

ROWS = {
    # Pages ------------------------------------------------------------------------------------------------
    "students/<int:student_id>/credentials/": student_action(DOWNLOADERS, set()),
    "students/<int:student_id>/credentials/issue/": student_action(ISSUERS, set(), ok=302, method="post"),
    "credentials/<int:credential_id>/download/": student_action(DOWNLOADERS, set()),
    "credentials/<int:credential_id>/revoke/": student_action(
        {"district-admin"}, set(), ok=302, method="post", payload={"reason": "Matrix"}, multipart=True
    ),
    "verify/": PUBLIC,
    # The matrix fills `<slug:district>` with the target's district (see the report of issue 14).
    "districts/<slug:district>/jwks.json": PUBLIC,
    "districts/<slug:district>/credentials/status.json": PUBLIC,
    # API --------------------------------------------------------------------------------------------------
    "api/v1/records/students/<int:student_id>/credentials": (
        student_action(DOWNLOADERS, set(), anonymous=401),
        student_action(ISSUERS, set(), ok=201, anonymous=401, method="post", payload={}),
    ),
    "api/v1/records/credentials/verify": everyone(
        200, anonymous=401, method="post", payload={"token": "a.b.c"}
    ),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """An issued CLR of the target student (its content is not what the matrix checks: who reaches it is)."""
    student = target_student(district, users)
    last = IssuedCredential.objects.filter(district=district).aggregate(last=Max("status_index"))["last"]
    credential = IssuedCredential.objects.create(
        district=district,
        student=student,
        kind=CredentialKind.CLR,
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        signing_key=signing_key_for(district=district),
        token="matrix.credential.token",
        status_index=(last if last is not None else -1) + 1,
    )
    return {"credential": credential}

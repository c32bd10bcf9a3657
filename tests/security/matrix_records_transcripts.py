"""Authorization-matrix rows of the competency transcript, pages and API.

A student's transcript (the page, the live unofficial PDF and the API's content and history) is read by
whoever reads the student; a mentor and the state analyst reach no transcript (404). Official transcripts are
issued by the school's and the district's administrators and the student's advisor (403 for the student's
other readers, and for other-teacher on the Hillcrest student). A request for one is made by the student, a
linked guardian or an issuer: the empty form comes back with its problem (400); a teacher may not ask (403).
The requests waiting are listed for the roles that issue.

The public check of an issued transcript and its PDF answer anyone holding the code, signed in or not (the
code is the reader's authority); tests/records/test_transcripts.py checks an unknown code answers 404."""

from __future__ import annotations

import hashlib
import secrets

from django.db.models import Model

from tests.security.matrix_kit import Row, everyone, same_for_both
from tests.security.matrix_profiles import readers, student_action, target_student
from waypoint.core.models import Organization, User
from waypoint.records.models import IssuedTranscript
from waypoint.records.selectors.transcripts import transcript_content

ISSUERS = {"advisor", "school-admin", "district-admin"}
REQUESTERS = ISSUERS | {"student", "guardian"}

ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "students/<int:student_id>/transcript/": readers(),
    "students/<int:student_id>/transcript.pdf": readers(),
    "students/<int:student_id>/transcript/issue/": student_action(ISSUERS, set(), ok=302, method="post"),
    "students/<int:student_id>/transcript/request/": student_action(REQUESTERS, set(), ok=400, method="post"),
    "records/transcripts/requests/": same_for_both(ISSUERS, 403, leak_check=True),
    "verify/transcripts/<str:code>/": everyone(anonymous=200),
    "verify/transcripts/<str:code>/pdf": everyone(anonymous=200),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/records/students/<int:student_id>/transcript": readers(anonymous=401),
    "api/v1/records/students/<int:student_id>/transcripts": (
        readers(anonymous=401),
        student_action(ISSUERS, set(), ok=201, anonymous=401, method="post"),
    ),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model | str]:
    """The code of a transcript issued for the target student (stored as issued, without printing it)."""
    student = target_student(district, users)
    pdf = b"%PDF-1.7 matrix"
    issued = IssuedTranscript.objects.create(
        district=district,
        student=student,
        verification_code=f"matrix-{district.slug}-{secrets.token_urlsafe(12)}",
        content=transcript_content(student=student),
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    return {"code": issued.verification_code}

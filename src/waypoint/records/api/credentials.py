"""API of verifiable credentials, under /api/v1/records/: a student's issued credentials, issuing a new CLR,
and verifying a credential. Verifying needs sign-in here like every endpoint of the API; the public page
(`records-verify`) is the way in without an account."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from waypoint.core.api import READ_ERRORS, WRITE_ERRORS, Id, Moment, PageOut, PageQuery, page_fields
from waypoint.core.paging import page_of
from waypoint.people.selectors import student_get
from waypoint.policy import Action, request_context
from waypoint.records.forms.credentials import MAX_CREDENTIAL_BYTES
from waypoint.records.models import IssuedCredential
from waypoint.records.selectors import credentials as reads
from waypoint.records.services import credentials as services

router = Router(tags=["records"])


class CredentialOut(Schema):
    id: int
    kind: str
    credential_id: str
    part_of: int | None
    issued_at: datetime.datetime
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    status_index: int
    token: str

    @staticmethod
    def of(row: IssuedCredential) -> CredentialOut:
        return CredentialOut(
            id=row.pk,
            kind=row.kind,
            credential_id=row.credential_id,
            part_of=row.part_of_id,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            status_index=row.status_index,
            token=row.token,
        )


class CredentialPageOut(PageOut):
    items: list[CredentialOut]


class IssueIn(Schema):
    valid_until: Moment | None = None


class VerifyIn(Schema):
    token: Annotated[str, Field(min_length=1, max_length=MAX_CREDENTIAL_BYTES)]


class CheckOut(Schema):
    check: str
    passed: bool | None
    message: str


class VerificationOut(Schema):
    valid: bool
    checks: list[CheckOut]


@router.get(
    "/students/{int:student_id}/credentials",
    response={200: CredentialPageOut, **READ_ERRORS},
    summary="Every credential issued to the student (CLRs and the badges they bundle), newest first",
)
def credentials_list(request: HttpRequest, student_id: Id, query: Query[PageQuery]) -> CredentialPageOut:
    """Every credential issued to the student (CLRs and the badges they bundle), newest first."""
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.DOWNLOAD_CREDENTIAL, audit_as="credentials"
    )
    credentials = reads.students_credentials(context=context, student=student)
    page = page_of(credentials, number=query.page, size=query.page_size)
    return CredentialPageOut(items=[CredentialOut.of(row) for row in page.items], **page_fields(page))


@router.post(
    "/students/{int:student_id}/credentials",
    response={201: CredentialOut, **WRITE_ERRORS},
    summary="Sign and issue the student's CLR (school and district administrators, the student's advisor)",
)
def credentials_issue(request: HttpRequest, student_id: Id, payload: IssueIn) -> Status[CredentialOut]:
    """Sign and issue the student's CLR (school and district administrators, the student's advisor)."""
    context = request_context(request)
    student = student_get(
        context=context, student_id=student_id, action=Action.ISSUE_CREDENTIAL, audit_as="credentials"
    )
    issued = services.credentials_issue(context=context, student=student, valid_until=payload.valid_until)
    return Status(201, CredentialOut.of(issued))


@router.post(
    "/credentials/verify",
    response={200: VerificationOut, **WRITE_ERRORS},
    summary="Check a credential",
)
def credentials_verify(request: HttpRequest, payload: VerifyIn) -> VerificationOut:
    """Check a credential: every check in words; `valid` only when a VC-JWT's signature holds and nothing
    failed. A JSON credential is checked against its schema only."""
    checked = reads.credential_check(payload.token)
    return VerificationOut(
        valid=checked.valid,
        checks=[
            CheckOut(check=said.check, passed=said.passed, message=said.sentence)
            for said in reads.check_sentences(checked)
        ],
    )

"""The reads of verifiable credentials: a student's issued credentials (scoped by the policy and audited), the
district's public keys and revocation list (public, no student data), and the verification and import of any
credential, with the keys Waypoint holds.

`credential_verify` wraps the pure `vc.verify`: the key is found by the token's `kid` among every district's
signing keys (retired ones too, so what they signed still verifies), and revocation is read from the issued
credentials. A credential of another issuer is reported "signature not checked: issuer key unknown"."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import AuditAction, Organization, Student
from waypoint.people.selectors import student_get
from waypoint.policy import Action
from waypoint.records import vc
from waypoint.records.models import CredentialKind, IssuedCredential, SigningKey
from waypoint.records.services.credentials import issuer_id, status_list_url

# Where the 1EdTech schemas are: a setting when the lead adds one, else ../shared/data beside the checkout.
_DEFAULT_SCHEMAS = Path(settings.PACKAGE_DIR).parents[1].parent / "shared" / "data" / "credentials" / "schema"


@functools.cache
def _schemas_in(directory: str) -> vc.Schemas | None:
    return vc.Schemas.load(Path(directory))


def schemas() -> vc.Schemas | None:
    """The 1EdTech schemas, compiled once per process; None when they are not installed."""
    return _schemas_in(str(getattr(settings, "WAYPOINT_CREDENTIAL_SCHEMAS", _DEFAULT_SCHEMAS)))


# A student's credentials ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialsPage:
    student: Student
    records: Sequence[IssuedCredential]
    can_issue: bool
    can_revoke: bool


def credentials_page(*, context: RequestContext, student_id: int) -> CredentialsPage:
    """The student's issued CLRs, newest first, each with how many credentials it bundles (audited with the
    student's read)."""
    student = student_get(
        context=context, student_id=student_id, action=Action.DOWNLOAD_CREDENTIAL, audit_as="credentials"
    )
    records = list(
        IssuedCredential.objects.filter(
            student=student, district_id=student.district_id, kind=CredentialKind.CLR
        )
        .select_related("issued_by")
        .annotate(part_count=Count("parts"))
        .order_by("-issued_at", "-pk")
    )
    return CredentialsPage(
        student=student,
        records=records,
        can_issue=policy.can(context.user, Action.ISSUE_CREDENTIAL, student),
        can_revoke=policy.can(context.user, Action.REVOKE_CREDENTIAL, student),
    )


def credential_get(*, context: RequestContext, credential_id: int, action: Action) -> IssuedCredential:
    """An issued credential of a student the actor reads, on which the actor may take `action`; one out of
    scope answers NotVisible (404), one in scope but not the actor's to act on NotPermitted (403). Both are
    audited as denied; a download is audited as an export."""
    credential = (
        IssuedCredential.objects.filter(pk=credential_id, student__in=policy.visible_students(context.user))
        .select_related("student", "district")
        .first()
    )
    if credential is None:
        audit_record(
            context=context, action=AuditAction.DENIED, object_type="credential", object_id=str(credential_id)
        )
        raise NotVisible(f"No credential {credential_id} is visible to this user.")
    if not policy.can(context.user, action, credential):
        audit_record(
            context=context,
            action=AuditAction.DENIED,
            object_type="credential",
            object_id=str(credential_id),
            student=credential.student,
        )
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": action.label})
    if action is Action.DOWNLOAD_CREDENTIAL:
        audit_record(
            context=context,
            action=AuditAction.EXPORT,
            object_type="credential",
            object_id=str(credential.pk),
            student=credential.student,
            reason=policy.legitimate_interest(context.user, credential.student),
        )
    return credential


def students_credentials(*, context: RequestContext, student: Student) -> QuerySet[IssuedCredential]:
    """Every credential issued to a student already read through `student_get` (the API's list)."""
    return IssuedCredential.objects.filter(student=student, district_id=student.district_id).order_by(
        "-issued_at", "kind", "pk"
    )


# Public: keys, revocation list, verification ----------------------------------------------------------------


def _district(slug: str) -> Organization:
    district = Organization.objects.filter(slug=slug, kind=Organization.Kind.DISTRICT).first()
    if district is None:
        raise NotVisible(f"No district {slug!r}.")
    return district


def district_jwks(*, slug: str) -> dict[str, Any]:
    """The district's public keys, as a JWK Set: every key it ever signed with, retired ones too."""
    district = _district(slug)
    keys = (
        SigningKey.objects.filter(district=district)
        .order_by("created_at", "pk")
        .values_list("public_jwk", flat=True)
    )
    return vc.jwks(keys)


def status_list(*, slug: str) -> dict[str, Any]:
    """The district's 1EdTech revocation list: the id and list index of every credential it revoked, and
    when. The reasons stay inside: they may name the student's circumstances."""
    district = _district(slug)
    revoked = IssuedCredential.objects.filter(district=district, revoked_at__isnull=False).order_by(
        "status_index"
    )
    return {
        "id": status_list_url(district),
        "type": vc.REVOCATION_LIST,
        "issuer": issuer_id(district),
        "revokedCredentials": [
            {
                "id": row.credential_id,
                "statusIndex": row.status_index,
                "revokedAt": vc.timestamp(row.revoked_at),
            }
            for row in revoked.only("credential_id", "status_index", "revoked_at")
            if row.revoked_at is not None
        ],
        "revokedIndexes": list(revoked.values_list("status_index", flat=True)),
    }


def _known_key(kid: str) -> vc.KnownKey | None:
    key = SigningKey.objects.filter(kid=kid).select_related("district").first()
    if key is None:
        return None
    return vc.KnownKey(public_jwk=key.public_jwk, owner=key.district.name, issuer_id=issuer_id(key.district))


def _revocation_of(issuer: str) -> Callable[[str], bool | None]:
    """Whether each credential id is revoked: known for credentials Waypoint issued under this issuer,
    unknown (None) for anything else."""

    def is_revoked(credential_id: str) -> bool | None:
        row = (
            IssuedCredential.objects.filter(credential_id=credential_id)
            .select_related("district")
            .only("revoked_at", "district__slug")
            .first()
        )
        if row is None or issuer_id(row.district) != issuer:
            return None
        return row.revoked_at is not None

    return is_revoked


def credential_verify(token: str, *, now: datetime.datetime | None = None) -> vc.Verification:
    """Verify a VC-JWT with the keys and revocation list Waypoint holds (public: no access check)."""
    found: list[vc.KnownKey] = []

    def resolve(kid: str) -> vc.KnownKey | None:
        key = _known_key(kid)
        if key is not None:
            found.append(key)
        return key

    def is_revoked(credential_id: str) -> bool | None:
        return _revocation_of(found[0].issuer_id)(credential_id) if found else None

    return vc.verify(
        token, resolve_key=resolve, is_revoked=is_revoked, now=now or timezone.now(), schemas=schemas()
    )


@dataclass(frozen=True)
class Checked:
    """What the verification page and `waypoint verify` show: the verification when the text was a VC-JWT,
    and what an import read (the schema's problems) for any credential."""

    read: vc.ReadCredential
    verification: vc.Verification | None

    @property
    def valid(self) -> bool:
        return self.verification is not None and self.verification.valid


def credential_read(data: bytes | str) -> vc.ReadCredential:
    """A credential (JSON or VC-JWT) read and checked against its schema; a VC-JWT signed by a key Waypoint
    holds is verified, and `signature` says whether it held."""
    found = vc.read(data, schemas=schemas())
    if found.token is not None and _known_key(str(found.token.header.get("kid", ""))) is not None:
        verification = credential_verify(found.token.text)
        found.signature = (
            vc.gettext_noop("The signature holds.")
            if verification.valid
            else verification.failures[0].message
        )
    return found


def credential_check(data: bytes | str, *, now: datetime.datetime | None = None) -> Checked:
    """Read the text and, when it is a VC-JWT, verify it: what the public page and the command report."""
    found = vc.read(data, schemas=schemas())
    verification = credential_verify(found.token.text, now=now) if found.token is not None else None
    return Checked(read=found, verification=verification)


@dataclass(frozen=True)
class Said:
    """One line of a report: which check (`vc.CheckName`), passed (True), failed (False) or not made (None),
    and the sentence, translated."""

    check: str
    passed: bool | None
    sentence: str


def check_sentences(checked: Checked) -> list[Said]:
    """Every check in words, translated. For a JSON credential: the schema's verdict with each problem, and
    why the signature was not checked."""
    if checked.verification is not None:
        return [
            Said(check.name.value, check.passed, gettext(check.message) % dict(check.params))
            for check in checked.verification.checks
        ]
    found = checked.read
    lines = [
        Said(
            vc.CheckName.FORMAT if problem.where == "(file)" else vc.CheckName.SCHEMA,
            False,
            gettext(problem.what) if problem.where == "(file)" else f"{problem.where}: {problem.what}",
        )
        for problem in found.problems
    ]
    if found.credential is not None:
        if found.schema_valid:
            lines.insert(
                0,
                Said(
                    vc.CheckName.SCHEMA,
                    True,
                    gettext("It matches the 1EdTech %(schema)s schema.") % {"schema": found.kind},
                ),
            )
        elif found.schema_checked:
            lines.insert(
                0, Said(vc.CheckName.SCHEMA, False, gettext("It does not match the 1EdTech schema:"))
            )
        lines.append(Said(vc.CheckName.SIGNATURE, None, gettext(found.signature)))
    return lines

"""Every write of verifiable credentials: the district's signing key (made on first use), issuing a student's
CLR with the Open Badges it bundles, and revoking one. Each write runs in one transaction with its audit row;
a refusal raises `CredentialError` (or `NotPermitted`) and writes nothing.

The documents and their signatures are built by the pure `waypoint.records.vc`; this module gathers the facts
(competencies at mastery with their CASE items, the standing diploma), numbers each credential on the
district's revocation list and stores what was signed."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record, audit_student
from waypoint.core.errors import Invalid, NotPermitted
from waypoint.core.models import AuditAction, Organization, Student, User
from waypoint.frameworks.models import Competency
from waypoint.frameworks.selectors import case_base_uri
from waypoint.mastery.models import MasteryLevel
from waypoint.policy import Action
from waypoint.records import vc
from waypoint.records.models import CredentialKind, Diploma, IssuedCredential, SigningKey

REASON_MAX = 500


class CredentialError(Invalid):
    """A refused credential write; `problems` lists every reason, in words the person can act on."""


def _require(context: RequestContext, action: Action, obj: object) -> User:
    if context.actor is None:
        raise NotPermitted(gettext("Sign in first."))
    if not policy.can(context.user, action, obj):  # type: ignore[arg-type]
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": action.label})
    return context.actor


# The district as issuer -------------------------------------------------------------------------------------


def issuer_id(district: Organization) -> str:
    """The district's URL under WAYPOINT_BASE_URL: the `issuer.id` of everything it signs."""
    return f"{settings.WAYPOINT_BASE_URL}/districts/{district.slug}"


def issuer_of(district: Organization) -> vc.Issuer:
    return vc.Issuer(id=issuer_id(district), name=district.name, url=settings.WAYPOINT_BASE_URL)


def status_list_url(district: Organization) -> str:
    return settings.WAYPOINT_BASE_URL + reverse("records-status-list", args=[district.slug])


def learner_id(district: Organization, student: Student) -> str:
    """An opaque, stable id for the student as this district's learner (a name-based UUID): the same in
    every credential, and no database id in sight."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{issuer_id(district)}/learners/{student.pk}')}"


def signing_key_for(*, district: Organization) -> SigningKey:
    """The district's signing key in force, made on first use. The district row is locked meanwhile, so two
    first issues at once make one key."""
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=district.pk).first()
        key = (
            SigningKey.objects.filter(district=district, retired_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if key is None:
            pair = vc.new_key()
            key = SigningKey.objects.create(
                district=district, kid=pair.kid, public_jwk=pair.public_jwk, private_pem=pair.private_pem
            )
    return key


# Issuing ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    kind: CredentialKind
    credential: dict[str, object]
    competency: Competency | None = None
    diploma: Diploma | None = None


def case_item_url(competency: Competency) -> str:
    """The competency's CASE item: its own URI when imported with one, else the CFItem Waypoint serves."""
    return competency.uri or f"{case_base_uri()}/CFItems/{competency.case_identifier}"


def _competency_facts(issuer: vc.Issuer, competency: Competency) -> vc.AchievementFacts:
    framework = competency.version.framework.title
    name = competency.abbreviated_statement or competency.full_statement
    return vc.AchievementFacts(
        id=f"{issuer.id}/achievements/competencies/{competency.case_identifier}",
        name=f"{competency.human_code} {name}".strip()[:300],
        description=competency.full_statement,
        criteria=gettext(
            "Demonstrated at mastery, as determined by a certified teacher from scored evidence."
        ),
        achievement_type="Competency",
        human_code=competency.human_code,
        alignment=vc.CaseAlignment(
            url=case_item_url(competency), code=competency.human_code, name=name, framework=framework
        ),
    )


def _diploma_facts(issuer: vc.Issuer, diploma: Diploma) -> vc.AchievementFacts:
    rule_set = diploma.rule_set
    return vc.AchievementFacts(
        id=f"{issuer.id}/achievements/diplomas/{rule_set.cohort_year}/v{rule_set.version}",
        name=gettext("Mastery-based diploma"),
        description=gettext("A high school diploma awarded on demonstrated mastery of the graduate profile."),
        criteria=gettext("Every requirement of “%(rules)s” met.") % {"rules": rule_set.title},
        achievement_type="Diploma",
    )


def _parts(
    *,
    issuer: vc.Issuer,
    learner: vc.Learner,
    student: Student,
    status_url: str,
    now: datetime.datetime,
    valid_until: datetime.datetime | None,
) -> list[_Part]:
    levels = (
        MasteryLevel.objects.filter(student=student, district_id=student.district_id, meets_mastery=True)
        .select_related("competency__version__framework")
        .order_by("competency__path")
    )
    parts = [
        _Part(
            CredentialKind.ACHIEVEMENT,
            vc.achievement_credential(
                credential_id=vc.new_credential_id(),
                issuer=issuer,
                learner=learner,
                achievement=_competency_facts(issuer, level.competency),
                status_url=status_url,
                valid_from=now,
                valid_until=valid_until,
            ),
            competency=level.competency,
        )
        for level in levels
    ]
    diploma = (
        Diploma.objects.filter(student=student, revoked_at__isnull=True).select_related("rule_set").first()
    )
    if diploma is not None:
        awarded = diploma.awarded_at
        parts.append(
            _Part(
                CredentialKind.DIPLOMA,
                vc.achievement_credential(
                    credential_id=vc.new_credential_id(),
                    issuer=issuer,
                    learner=learner,
                    achievement=_diploma_facts(issuer, diploma),
                    status_url=status_url,
                    valid_from=now,
                    valid_until=valid_until,
                    awarded_on=awarded,
                ),
                diploma=diploma,
            )
        )
    return parts


def credentials_issue(
    *, context: RequestContext, student: Student, valid_until: datetime.datetime | None = None
) -> IssuedCredential:
    """Sign and store the student's CLR: one OpenBadgeCredential per competency at mastery (aligned to its
    CASE item) and one for the standing diploma, each signed on its own and bundled in a ClrCredential signed
    as well. Every one gets its place on the district's revocation list. Returns the CLR."""
    actor = _require(context, Action.ISSUE_CREDENTIAL, student)
    now = timezone.now()
    if valid_until is not None and valid_until <= now:
        raise CredentialError(gettext("An expiry date must be in the future."))
    district = Organization.objects.get(pk=student.district_id)
    issuer = issuer_of(district)
    learner = vc.Learner(id=learner_id(district, student), name=student.full_name)
    status_url = status_list_url(district)
    parts = _parts(
        issuer=issuer,
        learner=learner,
        student=student,
        status_url=status_url,
        now=now,
        valid_until=valid_until,
    )
    if not parts:
        raise CredentialError(
            gettext("Nothing to issue yet: %(name)s has no competency at mastery and no diploma.")
            % {"name": student.full_name}
        )
    clr = vc.clr_credential(
        credential_id=vc.new_credential_id(),
        issuer=issuer,
        learner=learner,
        name=gettext("Comprehensive Learner Record of %(name)s") % {"name": student.full_name},
        credentials=[part.credential for part in parts],
        status_url=status_url,
        valid_from=now,
        valid_until=valid_until,
    )
    key = signing_key_for(district=district)
    with transaction.atomic():
        # The key row is the lock that numbers the district's revocation list one issue at a time.
        SigningKey.objects.select_for_update().filter(pk=key.pk).first()
        last = IssuedCredential.objects.filter(district=district).aggregate(last=Max("status_index"))["last"]
        index = (last if last is not None else -1) + 1

        def store(kind: CredentialKind, credential: dict[str, object], **links: object) -> IssuedCredential:
            nonlocal index
            row = IssuedCredential.objects.create(
                district=district,
                student=student,
                kind=kind,
                credential_id=str(credential["id"]),
                signing_key=key,
                token=vc.sign(credential, key.private_pem, kid=key.kid),
                status_index=index,
                issued_at=now,
                expires_at=valid_until,
                issued_by=actor,
                **links,
            )
            index += 1
            return row

        issued = store(CredentialKind.CLR, clr)
        for part in parts:
            store(
                part.kind, part.credential, competency=part.competency, diploma=part.diploma, part_of=issued
            )
        audit_student(
            context,
            AuditAction.CREATE,
            "credential",
            issued.pk,
            student,
            reason=gettext("Issued a CLR of %(count)s credentials") % {"count": len(parts)},
        )
    return issued


def credential_revoke(
    *, context: RequestContext, credential: IssuedCredential, reason: str
) -> IssuedCredential:
    """Revoke an issued credential with a reason, and the credentials issued with it (a CLR's parts): each
    goes on the district's revocation list. A credential is revoked once."""
    _require(context, Action.REVOKE_CREDENTIAL, credential)
    reason = reason.strip()
    problems = []
    if not reason:
        problems.append(gettext("Say why the credential is revoked."))
    elif len(reason) > REASON_MAX:
        problems.append(gettext("Keep the reason under %(max)s characters.") % {"max": REASON_MAX})
    if credential.revoked_at is not None:
        problems.append(gettext("This credential was already revoked."))
    if problems:
        raise CredentialError(problems)
    now = timezone.now()
    with transaction.atomic():
        updated = IssuedCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason=reason
        )
        if not updated:
            raise CredentialError(gettext("This credential was already revoked."))
        IssuedCredential.objects.filter(part_of=credential, revoked_at__isnull=True).update(
            revoked_at=now, revoke_reason=reason
        )
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            object_type="credential",
            object_id=str(credential.pk),
            student=credential.student,
            district_id=credential.district_id,
            reason=gettext("Revoked: %(reason)s") % {"reason": reason},
        )
    credential.revoked_at, credential.revoke_reason = now, reason
    return credential

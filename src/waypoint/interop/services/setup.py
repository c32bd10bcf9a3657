"""First run: a district adopting Waypoint without the demo gets its state, itself, its schools and its first
district administrator, in one transaction (`waypoint setup`).

There is nobody to ask the access policy yet: the set-up is the installer's act, like Django's
`createsuperuser`, and only the command line (someone with shell access to the server) calls it. Everything
after it (the roster, frameworks, sign-in) is done by the administrator it creates, through the policy.

Schools made here are matched by the roster import through their roster identifier (`sourced_id`): give
the one the student information system uses, or leave the schools to the roster, which brings them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Conflict, Invalid
from waypoint.core.models import AuditAction, Organization, Role, RoleAssignment, User

# Grades as core stores them: 0 is kindergarten, 13 a fifth or later year of high school.
LOWEST_GRADE, HIGHEST_GRADE = 0, 13
STATE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,15}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_MAX = 200
SLUG_MAX = 80
# The roster identifier of an organization made here without one (a roster's sourcedIds are the SIS's, so
# this prefix keeps them apart).
GENERATED_ID = "waypoint-"
# A command has no request: its events say where they came from.
COMMAND_CONTEXT = RequestContext(user=AnonymousUser(), path="waypoint setup")


@dataclass(frozen=True)
class SchoolSpec:
    """A school to create: its name, the grades it serves (both or neither) and, when known, the identifier
    the student information system gives it (its OneRoster `sourcedId`), so the roster import finds it."""

    name: str
    lowest_grade: int | None = None
    highest_grade: int | None = None
    sourced_id: str = ""


@dataclass(frozen=True)
class SetupResult:
    state: Organization
    state_created: bool
    district: Organization
    schools: list[Organization]
    admin: User
    admin_has_password: bool


def _name_problems(label: str, value: str) -> list[str]:
    if not value.strip():
        return [gettext("The %(what)s is missing.") % {"what": label}]
    if len(value.strip()) > NAME_MAX:
        return [gettext("The %(what)s is longer than %(max)d characters.") % {"what": label, "max": NAME_MAX}]
    return []


def _grade_problems(school: SchoolSpec) -> list[str]:
    low, high = school.lowest_grade, school.highest_grade
    if low is None and high is None:
        return []
    if low is None or high is None:
        return [
            gettext("School “%(name)s”: give both its lowest and highest grade, or neither.")
            % {"name": school.name.strip()}
        ]
    problems = [
        gettext("School “%(name)s”: grade %(grade)d is not one of 0 (kindergarten) to 13.")
        % {"name": school.name.strip(), "grade": grade}
        for grade in (low, high)
        if not LOWEST_GRADE <= grade <= HIGHEST_GRADE
    ]
    if not problems and low > high:
        problems.append(
            gettext("School “%(name)s”: its lowest grade %(low)d is above its highest grade %(high)d.")
            % {"name": school.name.strip(), "low": low, "high": high}
        )
    return problems


def _school_problems(schools: Sequence[SchoolSpec], district_slug: str) -> list[str]:
    problems: list[str] = []
    seen_names: set[str] = set()
    seen_ids: set[str] = set()
    for position, school in enumerate(schools, start=1):
        name = school.name.strip()
        if not name:
            problems.append(gettext("School %(position)d has no name.") % {"position": position})
            continue
        problems += _name_problems(gettext("name of school %(position)d") % {"position": position}, name)
        if name.casefold() in seen_names:
            problems.append(gettext("The school “%(name)s” is listed twice.") % {"name": name})
        seen_names.add(name.casefold())
        problems += _grade_problems(school)
        sourced_id = school.sourced_id.strip()
        if sourced_id:
            if sourced_id in seen_ids:
                problems.append(
                    gettext("Two schools have the roster identifier “%(id)s”.") % {"id": sourced_id}
                )
            elif Organization.objects.filter(sourced_id=sourced_id).exists():
                problems.append(
                    gettext("The roster identifier “%(id)s” of “%(name)s” belongs to another organization.")
                    % {"id": sourced_id, "name": name}
                )
            seen_ids.add(sourced_id)
        if not slugify(name):
            problems.append(
                gettext("The school name “%(name)s” needs at least one letter or digit.") % {"name": name}
            )
    return problems


def _admin_problems(
    *, username: str, email: str, first_name: str, last_name: str, password: str | None
) -> list[str]:
    problems: list[str] = []
    if not username:
        problems.append(gettext("The administrator’s username is missing."))
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            problems.append(
                gettext(
                    "The username “%(username)s” may hold only letters, digits and the characters @ . + - _."
                )
                % {"username": username}
            )
        if len(username) > 150:
            problems.append(gettext("The administrator’s username is longer than 150 characters."))
        elif User.objects.filter(username__iexact=username).exists():
            problems.append(gettext("The username “%(username)s” is taken.") % {"username": username})
    if not email:
        problems.append(gettext("The administrator’s e-mail address is missing."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(gettext("“%(email)s” is not an e-mail address.") % {"email": email})
    for label, value in (
        (gettext("administrator’s first name"), first_name),
        (gettext("administrator’s last name"), last_name),
    ):
        problems += _name_problems(label, value)
    if password is not None:
        try:
            validate_password(password, User(username=username, email=email, first_name=first_name))
        except ValidationError as error:
            problems += [
                gettext("The password: %(reason)s") % {"reason": reason} for reason in error.messages
            ]
    return problems


def _district_problems(
    *, state_name: str, state_code: str, district_name: str, district_slug: str
) -> list[str]:
    problems = _name_problems(gettext("state’s name"), state_name)
    if not STATE_CODE.match(state_code):
        problems.append(
            gettext(
                "The state code “%(code)s” should be its postal abbreviation (e.g. CT): 2 to 16 letters, "
                "digits or hyphens, starting with a letter."
            )
            % {"code": state_code}
        )
    problems += _name_problems(gettext("district’s name"), district_name)
    if not SLUG.match(district_slug) or len(district_slug) > SLUG_MAX:
        problems.append(
            gettext(
                "The district’s short name “%(slug)s” may hold only lowercase letters, digits and single "
                "hyphens, up to %(max)d characters (e.g. riverside)."
            )
            % {"slug": district_slug, "max": SLUG_MAX}
        )
    elif Organization.objects.filter(slug=district_slug).exclude(kind=Organization.Kind.DISTRICT).exists():
        problems.append(
            gettext("The short name “%(slug)s” is taken by a school or a state; choose another.")
            % {"slug": district_slug}
        )
    return problems


def _conflict(*, state: Organization | None, district_name: str, district_slug: str) -> str | None:
    """Why the district already exists, if it does: the same short name anywhere, or the same name in the
    same state."""
    existing = Organization.objects.filter(kind=Organization.Kind.DISTRICT, slug=district_slug).first()
    if existing is None and state is not None:
        existing = Organization.objects.filter(
            kind=Organization.Kind.DISTRICT, parent=state, name__iexact=district_name.strip()
        ).first()
    if existing is None:
        return None
    return gettext(
        "The district “%(name)s” (%(slug)s) is already set up; nothing was written. Its administrators "
        "sign in and carry on from its set-up page."
    ) % {"name": existing.name, "slug": existing.slug}


def _unique_slug(base: str, taken: set[str]) -> str:
    """A school's slug: its name's, made unique among every organization (slugs are global), and free as a
    roster identifier too (a school given none is identified by its slug)."""
    base = base[: SLUG_MAX - 4].strip("-")
    slug, counter = base, 2
    while (
        slug in taken
        or Organization.objects.filter(Q(slug=slug) | Q(sourced_id=f"{GENERATED_ID}{slug}")).exists()
    ):
        slug = f"{base}-{counter}"
        counter += 1
    taken.add(slug)
    return slug


def district_setup(
    *,
    state_name: str,
    state_code: str,
    district_name: str,
    district_slug: str,
    schools: Sequence[SchoolSpec],
    admin_username: str,
    admin_email: str,
    admin_first_name: str,
    admin_last_name: str,
    admin_password: str | None,
    context: RequestContext = COMMAND_CONTEXT,
) -> SetupResult:
    """Create the state organization (unless one with this code exists), the district, its schools and its
    first district administrator, all or nothing. Refused with `Conflict` when the district exists already
    (the same short name, or the same name in the state), else with `Invalid` listing every problem. With
    no password the administrator's account has an unusable one: they set theirs through a password reset
    link, or sign in through the district's provider once it is configured."""
    state_code = state_code.strip()
    district_slug = district_slug.strip()
    admin_username = admin_username.strip()
    admin_email = admin_email.strip()
    state_slug = state_code.lower()
    with transaction.atomic():
        state = Organization.objects.filter(kind=Organization.Kind.STATE, slug=state_slug).first()
        conflict = _conflict(state=state, district_name=district_name, district_slug=district_slug)
        if conflict:
            raise Conflict(conflict)
        problems = _district_problems(
            state_name=state_name,
            state_code=state_code,
            district_name=district_name,
            district_slug=district_slug,
        )
        if (
            state is None
            and Organization.objects.filter(
                Q(slug=state_slug) | Q(sourced_id=f"{GENERATED_ID}state-{state_slug}")
            ).exists()
        ):
            problems.append(
                gettext("The state code “%(code)s” is the short name of a district or school.")
                % {"code": state_code}
            )
        if Organization.objects.filter(sourced_id=f"{GENERATED_ID}{district_slug}").exists():
            problems.append(
                gettext(
                    "The roster identifier “%(id)s” the district would take belongs to another organization."
                )
                % {"id": f"{GENERATED_ID}{district_slug}"}
            )
        problems += _school_problems(schools, district_slug)
        problems += _admin_problems(
            username=admin_username,
            email=admin_email,
            first_name=admin_first_name,
            last_name=admin_last_name,
            password=admin_password,
        )
        if problems:
            raise Invalid(problems)
        state_created = state is None
        if state is None:
            state = Organization.objects.create(
                kind=Organization.Kind.STATE,
                name=state_name.strip(),
                slug=state_slug,
                sourced_id=f"{GENERATED_ID}state-{state_slug}",
            )
        district = Organization.objects.create(
            kind=Organization.Kind.DISTRICT,
            name=district_name.strip(),
            slug=district_slug,
            sourced_id=f"{GENERATED_ID}{district_slug}",
            parent=state,
        )
        taken: set[str] = set()
        created_schools = []
        for school in schools:
            slug = _unique_slug(f"{district_slug}-{slugify(school.name)}", taken)
            created_schools.append(
                Organization.objects.create(
                    kind=Organization.Kind.SCHOOL,
                    name=school.name.strip(),
                    slug=slug,
                    sourced_id=school.sourced_id.strip() or f"{GENERATED_ID}{slug}",
                    parent=district,
                    lowest_grade=school.lowest_grade,
                    highest_grade=school.highest_grade,
                )
            )
        admin = User(
            username=admin_username,
            email=admin_email,
            first_name=admin_first_name.strip(),
            last_name=admin_last_name.strip(),
            district=district,
        )
        admin.set_password(admin_password)  # None sets an unusable password
        admin.save()
        RoleAssignment.objects.create(
            user=admin,
            role=Role.DISTRICT_ADMIN,
            organization=district,
            district=district,
            title=gettext("District administrator"),
            starts_on=timezone.localdate(),
        )
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            object_type="district-setup",
            object_id=str(district.pk),
            district_id=district.pk,
            reason=gettext(
                "First-run set-up of %(district)s in %(state)s: %(schools)d schools, administrator %(admin)s."
            )
            % {
                "district": district.name,
                "state": state.name,
                "schools": len(created_schools),
                "admin": admin.username,
            },
        )
    return SetupResult(
        state=state,
        state_created=state_created,
        district=district,
        schools=created_schools,
        admin=admin,
        admin_has_password=admin_password is not None,
    )

"""Authorization-matrix rows of graduation rules and the diploma, pages and API.

The district's rule sets are read by its staff (teachers, advisors, school and district administrators) and
changed by its district administrators; another district's rule set answers 404. A student's diploma check is
read by whoever reads the student (a mentor and the state analyst: 404). Only a district administrator of the
student's district awards or revokes the diploma (the other readers: 403); the target students are not
eligible, so the award answers 400 with what is not yet met. The seniors to award are the district
administrator's."""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone

from tests.security.matrix_kit import OTHER, OWN, Row, same_for_both
from tests.security.matrix_profiles import readers, student_action
from waypoint.core.models import Organization, User
from waypoint.records.models import ExperienceKind, GraduationRequirement, GraduationRuleSet, RequirementKind

DISTRICT_ADMIN = {"district-admin"}
RULE_READERS = {
    "teacher",
    "teacher-uncertified",
    "other-teacher",
    "advisor",
    "school-admin",
    "district-admin",
}
OWN_RULE_READERS = RULE_READERS - {"other-teacher"}
TODAY = timezone.localdate().isoformat()
NEW_RULE_SET = {
    "cohort_year": 2031,
    "title": "Matrix rules",
    "requirements": [{"kind": "experience", "experience": "exhibition"}],
}

CHANGED_RULE_SET = {key: value for key, value in NEW_RULE_SET.items() if key != "cohort_year"}


def _rule_set_row(**kwargs: object) -> Row:
    return Row(allowed={OWN: OWN_RULE_READERS, OTHER: {"other-teacher"}}, **kwargs)  # type: ignore[arg-type]


def _rule_set_write(**kwargs: object) -> Row:
    """A reader of the rule set who may not change it gets 403; the district admin reaches the form (400)."""
    overrides = {
        **{(role, OWN): 403 for role in OWN_RULE_READERS - DISTRICT_ADMIN},
        ("other-teacher", OTHER): 403,
    }
    return Row(allowed={OWN: DISTRICT_ADMIN, OTHER: set()}, overrides=overrides, **kwargs)  # type: ignore[arg-type]


ROWS: dict[str, Row | tuple[Row, ...]] = {
    # Pages ------------------------------------------------------------------------------------------------
    "district-admin/rules/graduation/": same_for_both(RULE_READERS, 403),
    "district-admin/rules/graduation/new/": (
        same_for_both(DISTRICT_ADMIN, 403),
        same_for_both(DISTRICT_ADMIN, 403, ok=400, method="post"),
    ),
    "district-admin/rules/graduation/<int:rule_set_id>/": (
        _rule_set_row(),
        _rule_set_write(ok=400, method="post"),
    ),
    "students/<int:student_id>/diploma/": readers(),
    "students/<int:student_id>/diploma/award/": student_action(DISTRICT_ADMIN, set(), ok=400, method="post"),
    "students/<int:student_id>/diploma/revoke/": student_action(DISTRICT_ADMIN, set(), ok=400, method="post"),
    "records/diplomas/": same_for_both(DISTRICT_ADMIN, 403),
    # API --------------------------------------------------------------------------------------------------
    "api/v1/records/graduation/rule-sets": (
        same_for_both(RULE_READERS, 403, anonymous=401),
        same_for_both(DISTRICT_ADMIN, 403, ok=201, anonymous=401, method="post", payload=NEW_RULE_SET),
    ),
    "api/v1/records/graduation/rule-sets/<int:rule_set_id>": (
        _rule_set_row(anonymous=401),
        _rule_set_write(ok=201, anonymous=401, method="post", payload=CHANGED_RULE_SET),
    ),
    "api/v1/records/students/<int:student_id>/diploma-check": readers(anonymous=401),
    "api/v1/records/students/<int:student_id>/diploma": student_action(
        DISTRICT_ADMIN, set(), ok=400, anonymous=401, method="post", payload={"awarded_on": TODAY}
    ),
}


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """A rule set of the district: the demo's first, or a small one when the demo has none."""
    rule_set = GraduationRuleSet.objects.filter(district=district).order_by("pk").first()
    if rule_set is None:
        rule_set = GraduationRuleSet.objects.create(district=district, cohort_year=2030, title="Matrix")
        GraduationRequirement.objects.create(
            rule_set=rule_set, kind=RequirementKind.EXPERIENCE, experience=ExperienceKind.EXHIBITION
        )
    return {"rule_set": rule_set}

"""The filters of every insights table (dashboard, API, exports, plans), parsed once from query parameters.

A filter narrows the aggregate cube: a school, a grade, a cohort, one group of one reporting dimension; `by`
is the breakdown the tables are drawn along. Every value is checked against a closed vocabulary or a small
numeric range before it reaches a query, so crafted text (SQL-like or huge) is refused with a user-facing
reason and nothing else happens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from waypoint.insights.dimensions import ALL, DIMENSION_KEYS, is_group
from waypoint.insights.dimensions import dimension as dimension_named

MIN_GRADE, MAX_GRADE = 0, 13
MIN_COHORT, MAX_COHORT = 1990, 2100
# The breakdowns that are not a reporting dimension: the key columns of the aggregate rows.
KEY_BREAKDOWNS: tuple[str, ...] = ("grade", "cohort", "school")
BREAKDOWNS: tuple[str, ...] = tuple(key for key in DIMENSION_KEYS if key != ALL) + KEY_BREAKDOWNS
# An id longer than this is no id of ours; refusing it early keeps huge numbers away from the database.
_MAX_ID_DIGITS = 12


class FilterError(ValueError):
    """A filter value that is not one of ours; the message is user-facing and translated."""


@dataclass(frozen=True)
class Filters:
    school_id: int | None = None
    grade: int | None = None
    cohort: int | None = None
    dimension: str = ALL
    subgroup: str = ALL
    by: str = "race"
    district_id: int | None = None

    @property
    def by_dimension(self) -> bool:
        """Whether the breakdown is a reporting dimension (rather than grade, cohort or school)."""
        return self.by not in KEY_BREAKDOWNS

    @property
    def subgroup_param(self) -> str:
        """The subgroup as the `subgroup` parameter spells it ("race:hispanic"; "all" for every student)."""
        return ALL if self.dimension == ALL else f"{self.dimension}:{self.subgroup}"

    def as_params(self) -> dict[str, str]:
        """The query parameters that give back these filters (for links: exports, the refresh's redirect)."""
        params: dict[str, str] = {}
        if self.district_id is not None:
            params["district"] = str(self.district_id)
        if self.school_id is not None:
            params["school"] = str(self.school_id)
        if self.grade is not None:
            params["grade"] = str(self.grade)
        if self.cohort is not None:
            params["cohort"] = str(self.cohort)
        if self.dimension != ALL:
            params["subgroup"] = self.subgroup_param
        params["by"] = self.by
        return params


def _number(params: Mapping[str, str], key: str, label: str, low: int, high: int) -> int | None:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_ID_DIGITS:
        raise FilterError(_("The %(filter)s filter must be a whole number.") % {"filter": label})
    value = int(text)
    if not low <= value <= high:
        raise FilterError(
            _("The %(filter)s filter must be between %(low)s and %(high)s.")
            % {"filter": label, "low": low, "high": high}
        )
    return value


def parse_filters(params: Mapping[str, str]) -> Filters:
    """The filters in `params` (GET parameters: school, grade, cohort, subgroup as "<dimension>:<group>", by,
    district). Unknown parameters are ignored; an empty one is no filter; a bad value raises FilterError."""
    huge = 10**_MAX_ID_DIGITS
    school_id = _number(params, "school", _("school"), 1, huge)
    district_id = _number(params, "district", _("district"), 1, huge)
    grade = _number(params, "grade", _("grade"), MIN_GRADE, MAX_GRADE)
    cohort = _number(params, "cohort", _("cohort"), MIN_COHORT, MAX_COHORT)

    dimension, subgroup = ALL, ALL
    text = (params.get("subgroup") or "").strip()
    if text and text not in (ALL, f"{ALL}:{ALL}"):
        dimension, _sep, subgroup = text.partition(":")
        if dimension == ALL or not is_group(dimension, subgroup):
            raise FilterError(_("There is no student group called “%(group)s”.") % {"group": text[:40]})

    by = (params.get("by") or "").strip() or Filters.by
    if by not in BREAKDOWNS:
        raise FilterError(_("The figures cannot be broken down by “%(by)s”.") % {"by": by[:40]})
    if dimension != ALL and by in DIMENSION_KEYS and by != dimension:
        raise FilterError(
            _(
                "A group of one kind (here %(dimension)s) cannot be broken down by another kind of group; "
                "choose a breakdown by %(dimension)s, grade, cohort or school."
            )
            % {"dimension": _(dimension_named(dimension).label).lower()}
        )
    return Filters(
        school_id=school_id,
        grade=grade,
        cohort=cohort,
        dimension=dimension,
        subgroup=subgroup,
        by=by,
        district_id=district_id,
    )

"""The vocabulary every insights aggregate shares: the reporting dimensions and their groups, the pace bands,
the kinds of path whose access is reported, and the graduation windows. The refresh writes rows keyed by
these values and the dashboards, exports and plans read them back, so they are defined once, here.

Labels are marked for translation and translated where a page or an export is made (a lazy string would not
survive the API's schema)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from waypoint.catalog.models import OpportunityKind
from waypoint.core.demographics import RaceEthnicity
from waypoint.core.models import Gender

ALL = "all"
YES = "yes"
NO = "no"


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    groups: tuple[tuple[str, str], ...]


_YES_NO = ((YES, gettext_noop("Yes")), (NO, gettext_noop("No")))

# "all" is the whole population (one group, "all"); every other dimension splits it completely, so the groups
# of one dimension add up to the population. A student without demographics is "not reported" for gender and
# race and "no" for each flag, as the equal access report counts them.
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(ALL, gettext_noop("All students"), ((ALL, gettext_noop("All students")),)),
    Dimension("gender", gettext_noop("Gender"), tuple(Gender.choices)),
    Dimension("race", gettext_noop("Race and ethnicity"), tuple(RaceEthnicity.choices)),
    Dimension("english_learner", gettext_noop("English learners"), _YES_NO),
    Dimension("students_with_disabilities", gettext_noop("Students with disabilities (IEP)"), _YES_NO),
    Dimension("section_504", gettext_noop("Section 504 plan"), _YES_NO),
    Dimension("economically_disadvantaged", gettext_noop("Economically disadvantaged"), _YES_NO),
)
DIMENSION_KEYS = tuple(dimension.key for dimension in DIMENSIONS)
FLAG_DIMENSIONS = DIMENSION_KEYS[3:]


def dimension(key: str) -> Dimension:
    """The dimension named `key`; KeyError for any other text."""
    for found in DIMENSIONS:
        if found.key == key:
            return found
    raise KeyError(key)


def is_group(dimension_key: str, group: str) -> bool:
    """Whether `group` is one of the groups of the dimension `dimension_key`."""
    try:
        return group in {value for value, _ in dimension(dimension_key).groups}
    except KeyError:
        return False


# Pace, in competencies mastered per month: the lower edge of each band (the last band has no upper edge).
PACE_BANDS: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
PACE_BAND_LABELS: tuple[str, ...] = ("< 0.5", "0.5–1", "1–1.5", "1.5–2", "2–3", "≥ 3")

# The kinds of path the white paper names for equal access, each a column of `GroupFigures` (path_<kind>).
ACCESS_KINDS: tuple[str, ...] = (
    OpportunityKind.INTERNSHIP.value,
    OpportunityKind.APPRENTICESHIP.value,
    OpportunityKind.DUAL_ENROLLMENT.value,
    OpportunityKind.CTE_PROGRAM.value,
    OpportunityKind.ONLINE_COURSE.value,
    OpportunityKind.COMMUNITY_SERVICE.value,
)

# Graduation windows, in years after the fall a cohort entered grade 9: the federal rate counts diplomas by
# the summer after year 4 (5 and 6 for the extended rates); mastery-based completion counts years 3 to 6.
GRADUATION_YEARS: tuple[int, ...] = (3, 4, 5, 6)

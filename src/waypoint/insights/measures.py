"""The dashboard measures an action plan can set a goal on, and how each is read from the summed figures of
one group (`models.GroupFigures`). A share is shown only as `suppression.rate` allows; a mean pace only for a
group of at least the minimum size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from waypoint.insights.suppression import is_small, rate


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    # "percent" (a share of `denominator`, 0–100) or "pace" (competencies a month, a mean over `denominator`)
    unit: str
    numerator: tuple[str, ...]
    denominator: str
    # Whether a higher value is better (a plan's goal is then above its baseline).
    higher_is_better: bool = True


MEASURES: dict[str, Measure] = {
    measure.key: measure
    for measure in (
        Measure(
            "on_track_share", gettext_noop("On track or ahead"), "percent", ("ahead", "on_track"), "paced"
        ),
        Measure(
            "off_track_share",
            gettext_noop("At risk or off track"),
            "percent",
            ("at_risk", "off_track"),
            "paced",
            higher_is_better=False,
        ),
        Measure(
            "mean_pace", gettext_noop("Mean pace (competencies a month)"), "pace", ("pace_total",), "paced"
        ),
        Measure(
            "participation_share", gettext_noop("Taking part in a path"), "percent", ("path_any",), "students"
        ),
        Measure(
            "attainment_share", gettext_noop("Requirements mastered"), "percent", ("mastered",), "required"
        ),
    )
}


@dataclass(frozen=True)
class Reading:
    """A measure as it may be shown: `value` (None when hidden), or only `at_least` for a share recoded at
    the top."""

    value: float | None
    at_least: int | None = None


def read(
    measure: Measure, figures: Mapping[str, float], *, min_numerator: int, min_denominator: int
) -> Reading:
    """The measure of one group from its summed figures. The group (the denominator's students: `paced` or
    `students`; for attainment, the group's `students`) must reach `min_denominator`; a share's count must
    pass `rate` (a count under `min_numerator` is hidden, and so is a share of nearly all)."""
    group = int(
        figures.get("students", 0)
        if measure.denominator == "required"
        else figures.get(measure.denominator, 0)
    )
    if group <= 0 or is_small(group, min_denominator):
        return Reading(None)
    numerator = sum(float(figures.get(name, 0)) for name in measure.numerator)
    if measure.unit == "pace":
        return Reading(round(numerator / group, 2))
    if measure.denominator == "required":
        required = float(figures.get("required", 0))
        return Reading(round(100 * numerator / required, 1) if required > 0 else None)
    count = int(numerator)
    shown = rate(
        count,
        group,
        count_shown=not is_small(count, min_numerator),
        size_shown=True,
        min_numerator=min_numerator,
    )
    return Reading(shown.exact, shown.at_least)

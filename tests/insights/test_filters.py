"""The dashboard filters: good values parse; crafted or out-of-range ones are refused with a reason."""

from __future__ import annotations

import pytest

from waypoint.insights.selectors.filters import FilterError, Filters, parse_filters


def test_good_values_parse() -> None:
    filters = parse_filters(
        {
            "school": "12",
            "grade": "9",
            "cohort": "2024",
            "subgroup": "english_learner:yes",
            "by": "grade",
            "district": "3",
            "unknown": "ignored",
        }
    )
    assert filters == Filters(
        school_id=12,
        grade=9,
        cohort=2024,
        dimension="english_learner",
        subgroup="yes",
        by="grade",
        district_id=3,
    )
    assert parse_filters(filters.as_params()) == filters


def test_empty_parameters_are_no_filter() -> None:
    assert parse_filters({"school": "", "grade": " ", "subgroup": "all", "by": ""}) == Filters()


def test_a_subgroup_may_be_broken_down_by_its_own_dimension() -> None:
    filters = parse_filters({"subgroup": "race:hispanic", "by": "race"})
    assert (filters.dimension, filters.subgroup, filters.by) == ("race", "hispanic", "race")


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"subgroup": "race:martian"}, "no student group"),
        ({"subgroup": "race:x' OR 1=1--"}, "no student group"),
        ({"subgroup": "nonsense"}, "no student group"),
        ({"grade": "99"}, "between 0 and 13"),
        ({"grade": "-1"}, "whole number"),
        ({"cohort": "1200"}, "between 1990 and 2100"),
        ({"school": "1" * 40}, "whole number"),
        ({"school": "1; DROP TABLE x"}, "whole number"),
        ({"district": "٣"}, "whole number"),
        ({"by": "students.name"}, "cannot be broken down"),
        ({"by": "all"}, "cannot be broken down"),
        ({"subgroup": "race:hispanic", "by": "gender"}, "cannot be broken down by another kind"),
    ],
)
def test_bad_values_are_refused_with_a_reason(params: dict[str, str], reason: str) -> None:
    with pytest.raises(FilterError, match=reason):
        parse_filters(params)

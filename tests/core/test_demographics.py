"""Federal race/ethnicity categories, as a property of the flags, and against real OneRoster rosters."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from waypoint.core.demographics import (
    ONEROSTER_DEMOGRAPHIC_COLUMNS,
    RACE_FLAGS,
    RaceEthnicity,
    federal_race_ethnicity,
)
from waypoint.core.models import StudentDemographics

races = st.sets(st.sampled_from(sorted(RACE_FLAGS)))


@given(hispanic=st.booleans(), reported=races)
def test_exactly_one_category_by_the_federal_rule(hispanic: bool, reported: set[str]) -> None:
    category = federal_race_ethnicity(hispanic_or_latino=hispanic, races=reported)
    if hispanic:
        assert category is RaceEthnicity.HISPANIC
    elif len(reported) > 1:
        assert category is RaceEthnicity.TWO_OR_MORE
    elif reported:
        assert category is RACE_FLAGS[next(iter(reported))]
    else:
        assert category is RaceEthnicity.NOT_REPORTED


@given(hispanic=st.booleans(), reported=races)
def test_model_property_agrees_with_the_pure_rule(hispanic: bool, reported: set[str]) -> None:
    row = StudentDemographics(hispanic_or_latino=hispanic, **dict.fromkeys(reported, True))
    assert row.race_ethnicity is federal_race_ethnicity(hispanic_or_latino=hispanic, races=reported)


def test_every_oneroster_column_has_a_model_field() -> None:
    fields = {f.name for f in StudentDemographics._meta.get_fields()}
    assert set(ONEROSTER_DEMOGRAPHIC_COLUMNS.values()) <= fields
    assert set(RACE_FLAGS) <= fields


def test_real_oneroster_demographics_reduce_to_one_category(shared_data: Path) -> None:
    roster = shared_data / "oneroster" / "edfi-lms-toolkit-grandbend-v1.1" / "demographics.csv"
    with roster.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert set(ONEROSTER_DEMOGRAPHIC_COLUMNS) <= set(reader.fieldnames or [])
        rows = list(reader)
    assert rows
    for row in rows:
        flags = {
            field: row[column].strip().lower() == "true"
            for column, field in ONEROSTER_DEMOGRAPHIC_COLUMNS.items()
        }
        category = StudentDemographics(**flags).race_ethnicity
        assert category in RaceEthnicity
        if row["demographicRaceTwoOrMoreRaces"].strip().lower() == "true" and not flags["hispanic_or_latino"]:
            assert category is RaceEthnicity.TWO_OR_MORE or sum(flags[f] for f in RACE_FLAGS) == 1

"""Reducing race and ethnicity flags to the seven federal reporting categories (no database needed)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class RaceEthnicity(models.TextChoices):
    """The seven federal reporting categories (U.S. Department of Education, 2007)."""

    HISPANIC = "hispanic", "Hispanic or Latino"
    AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
    WHITE = "white", "White"
    TWO_OR_MORE = "two_or_more", "Two or more races"
    NOT_REPORTED = "not_reported", "Not reported"


# The race flags, named as StudentDemographics stores them, with the federal category each stands for.
RACE_FLAGS: dict[str, RaceEthnicity] = {
    "american_indian_or_alaska_native": RaceEthnicity.AMERICAN_INDIAN,
    "asian": RaceEthnicity.ASIAN,
    "black_or_african_american": RaceEthnicity.BLACK,
    "native_hawaiian_or_other_pacific_islander": RaceEthnicity.PACIFIC_ISLANDER,
    "white": RaceEthnicity.WHITE,
}

# OneRoster 1.1/1.2 demographics.csv columns and the StudentDemographics field each fills.
ONEROSTER_DEMOGRAPHIC_COLUMNS: dict[str, str] = {
    "americanIndianOrAlaskaNative": "american_indian_or_alaska_native",
    "asian": "asian",
    "blackOrAfricanAmerican": "black_or_african_american",
    "nativeHawaiianOrOtherPacificIslander": "native_hawaiian_or_other_pacific_islander",
    "white": "white",
    "hispanicOrLatinoEthnicity": "hispanic_or_latino",
}


def federal_race_ethnicity(*, hispanic_or_latino: bool, races: Iterable[str]) -> RaceEthnicity:
    """The federal category (2007 guidance): Hispanic or Latino whatever the races; otherwise two or more
    races when more than one is reported; otherwise the one race; otherwise not reported.

    >>> federal_race_ethnicity(hispanic_or_latino=False, races=["asian", "white"]).label
    'Two or more races'
    """
    if hispanic_or_latino:
        return RaceEthnicity.HISPANIC
    reported = {RACE_FLAGS[race] for race in races}
    if len(reported) > 1:
        return RaceEthnicity.TWO_OR_MORE
    return reported.pop() if reported else RaceEthnicity.NOT_REPORTED

"""Fixtures for the frameworks tests: organizations, district administrators and the CASE schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.factories import DistrictFactory, RoleFactory, StateFactory, UserFactory
from waypoint.core.models import Organization, Role, User

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def state(db: None) -> Organization:
    return StateFactory()


@pytest.fixture
def district(state: Organization) -> Organization:
    return DistrictFactory(parent=state)


@pytest.fixture
def other_district(state: Organization) -> Organization:
    return DistrictFactory(parent=state)


@pytest.fixture
def district_admin(district: Organization) -> User:
    admin = UserFactory(district=district)
    RoleFactory(user=admin, role=Role.DISTRICT_ADMIN, organization=district)
    return admin


@pytest.fixture(scope="session")
def case_schema(shared_data: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (shared_data / "case" / "schema" / "opensalt-case-v1p0-cfpackage-schema.json").read_text()
    )
    return schema


def schema_errors(schema: dict[str, Any], package: dict[str, Any]) -> list[str]:
    """Every violation of the CASE 1.0 schema, with formats (uri, date-time) really checked."""
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(package)
    ]

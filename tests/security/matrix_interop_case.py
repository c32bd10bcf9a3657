"""Authorization-matrix rows of the CASE 1.1 provider (/ims/case/v1p1/…).

CASE is published for subscribers and a framework holds no student data, so every published version is
public: everyone, signed in anywhere or not at all, reads both districts' frameworks (200). The targets are
each district's import of the hand-written CASE 1.1 package (every kind of definition) and a package with a
rubric, both published; the placeholders `<str:case_…>` are CASE identifiers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db.models import Model

from tests.security.matrix_kit import Row, everyone
from waypoint.core.models import Organization, User
from waypoint.frameworks import case, services
from waypoint.frameworks.models import CaseDefinition, CaseDefinitionKind, Competency, FrameworkVersion

FIXTURES = Path(__file__).parents[1] / "frameworks" / "fixtures"
API = "ims/case/v1p1/"
PUBLIC = everyone(200, anonymous=200)

ROWS: dict[str, Row | tuple[Row, ...]] = {
    f"{API}CFDocuments": PUBLIC,
    f"{API}CFDocuments/<str:case_document>": PUBLIC,
    f"{API}CFPackages/<str:case_document>": PUBLIC,
    f"{API}CFItems/<str:case_item>": PUBLIC,
    f"{API}CFItemAssociations/<str:case_item>": PUBLIC,
    f"{API}CFAssociations/<str:case_association>": PUBLIC,
    f"{API}CFRubrics/<str:case_rubric>": PUBLIC,
    **{f"{API}{kind.value}/<str:case_{kind.name.lower()}>": PUBLIC for kind in CaseDefinitionKind},
}


def _published(data: dict[str, Any], owner: Organization) -> FrameworkVersion:
    return services.case_import(
        package=case.parse_package_data(data),
        owner=owner,
        file_name="matrix.json",
        content=json.dumps(data).encode(),
        publish=True,
    ).version


def targets(district: Organization, users: dict[str, User]) -> dict[str, Model]:
    """The identifiers of each district's published CASE objects."""
    version = _published(json.loads((FIXTURES / "case_v1p1_complete.json").read_text()), district)
    rubrics = json.loads((FIXTURES / "case_rubrics.json").read_text())
    # A framework of its own: the API import row of the matrix imports this file as it is.
    text = json.dumps(rubrics).replace(
        rubrics["CFDocument"]["identifier"], "9e6f2d3c-5a4b-4c1d-8e7f-6a5b4c3d2e1f"
    )
    with_rubric = _published(json.loads(text), district)
    item = Competency.objects.filter(version=version).order_by("path").last()
    assert item is not None
    definitions = {
        f"case_{kind.name.lower()}": CaseDefinition.objects.filter(version=version, kind=kind)
        .values_list("case_identifier", flat=True)
        .first()
        for kind in CaseDefinitionKind
    }
    identifiers: dict[str, Any] = {  # identifiers, not objects: the `<str:…>` placeholders
        "case_document": version.framework.case_identifier,
        "case_item": item.case_identifier,
        "case_association": item.child_association_identifier,
        "case_rubric": with_rubric.rubrics.values_list("case_identifier", flat=True).get(),
        **definitions,
    }
    return identifiers

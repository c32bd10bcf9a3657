"""API of competency frameworks: every signed-in user reads; district administrators of the owning district
create, edit and publish. CASE 1.0 export at /frameworks/{id}/case."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from waypoint import policy
from waypoint.core.api import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    PageOut,
    PageQuery,
    Problem,
    RefId,
    Text,
    page_fields,
)
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import Organization, User
from waypoint.core.paging import page_of, page_of_sequence
from waypoint.frameworks import selectors, services
from waypoint.frameworks.case import CasePackageError
from waypoint.frameworks.models import (
    AssociationType,
    Competency,
    CompetencyKind,
    Framework,
    FrameworkKind,
    FrameworkVersion,
    ProficiencyScale,
    Rubric,
    Tier,
)
from waypoint.policy import Action

router = Router(tags=["frameworks"])


class VersionOut(Schema):
    id: int
    number: int
    status: str
    label: str
    published_at: datetime.datetime | None
    item_count: int | None = None


class FrameworkOut(Schema):
    id: int
    title: str
    kind: str
    subjects: list[str]
    owner: str
    case_identifier: str
    version: VersionOut = Field(description="The version readers see first: the published one if any.")


class FrameworkPageOut(PageOut):
    items: list[FrameworkOut]


class FrameworkDetailOut(FrameworkOut):
    description: str
    creator: str
    scale_id: int
    versions: list[VersionOut]


class CompetencyOut(Schema):
    id: int
    parent_id: int | None
    depth: int
    case_identifier: str
    human_code: str
    full_statement: str
    student_statement: str
    tier: str
    item_type: str
    education_levels: list[str]


class CompetencyPageOut(PageOut):
    items: list[CompetencyOut]


class CompetencyQuery(PageQuery):
    search: Text = Field("", max_length=200, description="Code prefix or words of the statement.")


class AlignmentOut(Schema):
    id: int
    association_type: str
    target_identifier: str
    target_title: str
    target_uri: str
    target_competency_id: int | None


class CompetencyDetailOut(CompetencyOut):
    version_id: int
    framework_id: int
    kind: str
    notes: str
    children: list[CompetencyOut]
    alignments: list[AlignmentOut]
    rubric_ids: list[int]


class LevelOut(Schema):
    value: float
    label: str
    description: str
    student_description: str
    meets_mastery: bool


class ScaleOut(Schema):
    id: int
    name: str
    description: str
    in_use: bool
    levels: list[LevelOut]


class CellOut(Schema):
    level_value: float
    level_label: str
    description: str
    student_description: str


class CriterionOut(Schema):
    title: str
    competency_id: int
    competency_code: str
    cells: list[CellOut]


class RubricOut(Schema):
    id: int
    title: str
    description: str
    scale_id: int
    criteria: list[CriterionOut]


class ChangeOut(Schema):
    human_code: str
    fields: list[str]


class SnapshotOut(Schema):
    human_code: str
    full_statement: str


class DiffOut(Schema):
    old_version_id: int
    new_version_id: int
    summary: str
    added: list[SnapshotOut]
    changed: list[ChangeOut]
    removed: list[SnapshotOut]


class FrameworkIn(Schema):
    title: Text = Field(min_length=1, max_length=500)
    kind: FrameworkKind = FrameworkKind.CONTENT
    subjects: list[Text] = []
    description: Text = ""
    district_id: RefId | None = Field(None, description="Needed only when you manage several districts.")


class CompetencyIn(Schema):
    human_code: Text = Field("", max_length=200)
    full_statement: Text = Field(min_length=1)
    student_statement: Text = ""
    tier: Tier = Tier.COMPETENCY
    kind: CompetencyKind = CompetencyKind.CONTENT
    education_levels: list[Text] = []
    notes: Text = ""
    parent_id: RefId | None = Field(
        None, description="The parent competency in the same version; none = top."
    )


class LevelIn(Schema):
    value: float
    label: Text = Field(min_length=1, max_length=100)
    description: Text = ""
    student_description: Text = ""
    meets_mastery: bool = False


class AlignmentIn(Schema):
    association_type: AssociationType
    target_competency_id: RefId | None = Field(
        None, description="A competency Waypoint holds; or give target_identifier instead."
    )
    target_identifier: Text = Field("", max_length=500, description="The CASE identifier of an outside item.")
    target_uri: Text = Field("", max_length=1000)
    target_title: Text = Field("", max_length=500)


class CellIn(Schema):
    level_value: float
    description: Text = Field(min_length=1)
    student_description: Text = ""


class CriterionIn(Schema):
    competency_id: RefId
    title: Text = Field("", max_length=500)
    description: Text = ""
    cells: list[CellIn]


class RubricIn(Schema):
    title: Text = Field(min_length=1, max_length=500)
    description: Text = ""
    criteria: list[CriterionIn] = Field(min_length=1, max_length=40)


class ScaleIn(Schema):
    name: Text = Field(min_length=1, max_length=200)
    levels: list[LevelIn]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the router's authentication guarantees it  # noqa: S101
    return request.user


def _version_out(version: FrameworkVersion) -> VersionOut:
    return VersionOut(
        id=version.pk,
        number=version.number,
        status=version.status,
        label=version.label,
        published_at=version.published_at,
        item_count=getattr(version, "item_count", None),
    )


def _framework_out(framework: Framework, version: FrameworkVersion) -> dict[str, Any]:
    return {
        "id": framework.pk,
        "title": framework.title,
        "kind": framework.kind,
        "subjects": framework.subjects,
        "owner": framework.owner.name,
        "case_identifier": framework.case_identifier,
        "version": _version_out(version),
    }


def _competency_out(competency: Competency) -> CompetencyOut:
    return CompetencyOut(
        id=competency.pk,
        parent_id=competency.parent_id,
        depth=competency.depth,
        case_identifier=competency.case_identifier,
        human_code=competency.human_code,
        full_statement=competency.full_statement,
        student_statement=competency.student_statement,
        tier=competency.tier,
        item_type=competency.item_type,
        education_levels=list(competency.education_levels or ()),
    )


@router.get(
    "/frameworks",
    response={200: FrameworkPageOut, **LIST_ERRORS},
    summary="Every framework you may read, with the version to read first",
)
def framework_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Every framework you may read, with the version to read first."""
    page = page_of_sequence(selectors.frameworks_for(_user(request)), number=query.page, size=query.page_size)
    return {"items": [_framework_out(f, v) for f, v in page.items], **page_fields(page)}


@router.get(
    "/frameworks/{int:framework_id}",
    response={200: FrameworkDetailOut, **READ_ERRORS},
    summary="One framework with its versions",
)
def framework_detail(request: HttpRequest, framework_id: Id) -> dict[str, Any]:
    framework, versions = selectors.framework_get(_user(request), framework_id)
    return {
        **_framework_out(framework, selectors.shown_version(versions)),
        "description": framework.description,
        "creator": framework.creator,
        "scale_id": framework.scale_id,
        "versions": [_version_out(v) for v in versions],
    }


@router.get(
    "/frameworks/{int:framework_id}/case",
    response={200: dict[str, Any], **READ_ERRORS},
    summary="The framework as a CASE 1.0 CFPackage (validates against the CASE 1.0 JSON schema)",
)
def framework_case(
    request: HttpRequest,
    framework_id: Id,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="A version number; default: published.")
    ] = None,
) -> dict[str, Any]:
    """The framework as a CASE 1.0 CFPackage (validates against the CASE 1.0 JSON schema)."""
    _, versions = selectors.framework_get(_user(request), framework_id)
    chosen = selectors.shown_version(versions)
    if version is not None:
        chosen = next((v for v in versions if v.number == version), None)  # type: ignore[assignment]
        if chosen is None:
            raise NotVisible(f"Framework {framework_id} has no version {version}.")
    return selectors.case_export(chosen)


@router.get(
    "/framework-versions/{int:version_id}/competencies",
    response={200: CompetencyPageOut, **READ_ERRORS},
    summary="The competency tree in order (parents first), or the matches of a search",
)
def version_competencies(
    request: HttpRequest, version_id: Id, query: Query[CompetencyQuery]
) -> CompetencyPageOut:
    """The competency tree in order (parents first), or the matches of a search."""
    version = selectors.version_get(_user(request), version_id)
    search = query.search.strip()
    rows = selectors.version_search(version, search) if search else selectors.version_tree(version)
    page = page_of_sequence(rows, number=query.page, size=query.page_size)
    return CompetencyPageOut(items=[_competency_out(row) for row in page.items], **page_fields(page))


@router.get(
    "/framework-versions/{int:version_id}/diff",
    response={200: DiffOut, **READ_ERRORS, 400: Problem},
    summary="What changed between two versions of one framework",
)
def version_diff(
    request: HttpRequest,
    version_id: Id,
    against: Annotated[int, Query(ge=1, le=MAX_ID, description="Another version id.")],
) -> dict[str, Any]:
    """What changed between two versions of one framework."""
    user = _user(request)
    version = selectors.version_get(user, version_id)
    other = selectors.version_get(user, against)
    if other.framework_id != version.framework_id:
        raise services.FrameworkError("Only two versions of one framework can be compared.")
    diff = selectors.version_diff(other, version)
    return {
        "old_version_id": min(version, other, key=lambda v: v.number).pk,
        "new_version_id": max(version, other, key=lambda v: v.number).pk,
        "summary": diff.summary,
        "added": [{"human_code": s.human_code, "full_statement": s.full_statement} for s in diff.added],
        "changed": [{"human_code": c.human_code, "fields": list(c.fields)} for c in diff.changed],
        "removed": [{"human_code": s.human_code, "full_statement": s.full_statement} for s in diff.removed],
    }


@router.get(
    "/competencies/{int:competency_id}",
    response={200: CompetencyDetailOut, **READ_ERRORS},
    summary="One competency with its children, alignments and rubrics",
)
def competency_detail(request: HttpRequest, competency_id: Id) -> dict[str, Any]:
    page = selectors.competency_page(_user(request), competency_id)
    competency = page.competency
    return {
        **_competency_out(competency).dict(),
        "version_id": competency.version_id,
        "framework_id": competency.version.framework_id,
        "kind": competency.kind,
        "notes": competency.notes,
        "children": [_competency_out(child) for child in page.children],
        "alignments": [
            {
                "id": alignment.pk,
                "association_type": alignment.association_type,
                "target_identifier": alignment.target_identifier,
                "target_title": alignment.target_title,
                "target_uri": alignment.target_uri,
                "target_competency_id": target.pk if target else None,
            }
            for alignment, target in page.alignments
        ],
        "rubric_ids": [rubric.pk for rubric in page.rubrics],
    }


def _scale_out(scale: ProficiencyScale) -> dict[str, Any]:
    return {
        "id": scale.pk,
        "name": scale.name,
        "description": scale.description,
        "in_use": scale.in_use_since is not None,
        "levels": [
            {
                "value": level.value,
                "label": level.label,
                "description": level.description,
                "student_description": level.student_description,
                "meets_mastery": level.meets_mastery,
            }
            for level in scale.levels.all()
        ],
    }


@router.get(
    "/scales/{int:scale_id}",
    response={200: ScaleOut, **READ_ERRORS},
    summary="One proficiency scale with its levels",
)
def scale_detail(request: HttpRequest, scale_id: Id) -> dict[str, Any]:
    scale = ProficiencyScale.objects.filter(pk=scale_id).prefetch_related("levels").first()
    if scale is None:
        raise NotVisible(f"No scale {scale_id}.")
    return _scale_out(scale)


@router.get(
    "/rubrics/{int:rubric_id}",
    response={200: RubricOut, **READ_ERRORS},
    summary="One rubric with its criteria",
)
def rubric_detail(request: HttpRequest, rubric_id: Id) -> dict[str, Any]:
    rubric: Rubric = selectors.rubric_get(_user(request), rubric_id)
    return {
        "id": rubric.pk,
        "title": rubric.title,
        "description": rubric.description,
        "scale_id": rubric.scale_id,
        "criteria": [
            {
                "title": criterion.title,
                "competency_id": criterion.competency_id,
                "competency_code": criterion.competency.human_code,
                "cells": [
                    {
                        "level_value": cell.level.value,
                        "level_label": cell.level.label,
                        "description": cell.description,
                        "student_description": cell.student_description,
                    }
                    for cell in criterion.cells.all()
                ],
            }
            for criterion in rubric.criteria.all()
        ],
    }


def _managed_district(user: User, district_id: int | None) -> Organization:
    managed = policy.framework_districts(user)
    if not managed:
        raise NotPermitted("Only district administrators manage frameworks and scales.")
    if district_id is None:
        if len(managed) > 1:
            raise services.FrameworkError("You manage several districts: say which with district_id.")
        district_id = next(iter(managed))
    district = Organization.objects.filter(pk=district_id).first()
    if district is None or not policy.can(user, Action.MANAGE_FRAMEWORKS, district):
        raise NotPermitted("You do not manage that district's frameworks.")
    return district


@router.post(
    "/frameworks",
    response={201: VersionOut, **WRITE_ERRORS},
    summary="Create a district framework with an empty draft (district administrators)",
)
def framework_create(request: HttpRequest, payload: FrameworkIn) -> Status[VersionOut]:
    """Create a district framework with an empty draft (district administrators)."""
    user = _user(request)
    district = _managed_district(user, payload.district_id)
    version = services.framework_create(
        owner=district,
        title=payload.title,
        kind=payload.kind,
        subjects=payload.subjects,
        description=payload.description,
        actor=user,
    )
    return Status(201, _version_out(version))


@router.post(
    "/frameworks/{int:framework_id}/drafts",
    response={201: VersionOut, **WRITE_ERRORS},
    summary="Open a new draft as a copy of the published version",
)
def draft_create(request: HttpRequest, framework_id: Id) -> Status[VersionOut]:
    """Open a new draft as a copy of the published version."""
    user = _user(request)
    framework, _ = selectors.framework_get(user, framework_id)
    if not policy.can(user, Action.EDIT_FRAMEWORK, framework):
        raise NotPermitted("Only the owning district's administrators edit this framework.")
    return Status(201, _version_out(services.draft_create(framework=framework, actor=user)))


def _parent(version: FrameworkVersion, parent_id: int | None) -> Competency | None:
    if parent_id is None:
        return None
    parent = version.competencies.filter(pk=parent_id).first()
    if parent is None:
        raise services.FrameworkError("The parent is not a competency of this version.")
    return parent


def _fields(payload: CompetencyIn) -> services.CompetencyFields:
    return services.CompetencyFields(
        human_code=payload.human_code,
        full_statement=payload.full_statement,
        student_statement=payload.student_statement,
        tier=payload.tier,
        kind=payload.kind,
        education_levels=tuple(payload.education_levels),
        notes=payload.notes,
    )


@router.post(
    "/framework-versions/{int:version_id}/competencies",
    response={201: CompetencyOut, **WRITE_ERRORS},
    summary="Add a competency to a draft",
)
def competency_create(request: HttpRequest, version_id: Id, payload: CompetencyIn) -> Status[CompetencyOut]:
    """Add a competency to a draft."""
    version = selectors.editable_version(_user(request), version_id)
    competency = services.competency_create(
        version=version, parent=_parent(version, payload.parent_id), fields=_fields(payload)
    )
    return Status(201, _competency_out(competency))


def _editable_competency(user: User, competency_id: int) -> Competency:
    competency = selectors.competency_get(user, competency_id)
    if not policy.can(user, Action.EDIT_FRAMEWORK, competency.version):
        raise NotPermitted("Only the owning district's administrators edit this framework.")
    return competency


@router.patch(
    "/competencies/{int:competency_id}",
    response={200: CompetencyOut, **WRITE_ERRORS},
    summary="Edit a competency of a draft; naming `parent_id` (null: the top level) also moves it",
)
def competency_update(request: HttpRequest, competency_id: Id, payload: CompetencyIn) -> CompetencyOut:
    """Edit a competency of a draft; naming `parent_id` (null: the top level) also moves it."""
    competency = _editable_competency(_user(request), competency_id)
    updated = services.competency_update(
        competency=competency,
        fields=_fields(payload),
        # Only a request that names parent_id (null for the top level) moves the competency.
        move="parent_id" in payload.model_fields_set,
        parent=_parent(competency.version, payload.parent_id),
    )
    return _competency_out(updated)


@router.delete(
    "/competencies/{int:competency_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a competency of a draft, with its indicators",
)
def competency_delete(request: HttpRequest, competency_id: Id) -> Status[None]:
    """Remove a competency of a draft, with its indicators."""
    services.competency_delete(competency=_editable_competency(_user(request), competency_id))
    return Status(204, None)


@router.post(
    "/framework-versions/{int:version_id}/publish",
    response={200: VersionOut, **WRITE_ERRORS},
    summary="Publish a draft: it becomes immutable and the previous published version is retired",
)
def version_publish(request: HttpRequest, version_id: Id) -> VersionOut:
    """Publish a draft: it becomes immutable and the previous published version is retired."""
    user = _user(request)
    version = selectors.editable_version(user, version_id)
    return _version_out(services.version_publish(version=version, actor=user))


@router.put(
    "/scales/{int:scale_id}",
    response={200: ScaleOut, **WRITE_ERRORS},
    summary="Rewrite a scale's levels; refused (409) once scores use it",
)
def scale_update(request: HttpRequest, scale_id: Id, payload: ScaleIn) -> dict[str, Any]:
    """Rewrite a scale's levels; refused (409) once scores use it."""
    user = _user(request)
    scale = ProficiencyScale.objects.filter(pk=scale_id).first()
    if scale is None:
        raise NotVisible(f"No scale {scale_id}.")
    if not policy.can(user, Action.EDIT_SCALE, scale):
        raise NotPermitted("Only the owning district's administrators edit this scale.")
    updated = services.scale_update(
        scale=scale,
        name=payload.name,
        levels=[services.LevelSpec(**level.dict()) for level in payload.levels],
    )
    return _scale_out(updated)


def _rubric_criteria(user: User, payload: RubricIn) -> list[services.CriterionSpec]:
    specs = []
    for criterion in payload.criteria:
        competency = selectors.competency_get(user, criterion.competency_id)
        specs.append(
            services.CriterionSpec(
                competency=competency,
                title=criterion.title or competency.human_code or competency.short_statement,
                description=criterion.description,
                cells={
                    cell.level_value: (cell.description, cell.student_description) for cell in criterion.cells
                },
            )
        )
    return specs


@router.post(
    "/rubrics",
    response={201: RubricOut, **WRITE_ERRORS},
    summary="Write a rubric for your district (teachers and administrators)",
)
def rubric_create(request: HttpRequest, payload: RubricIn) -> Status[dict[str, Any]]:
    """Write a rubric for your district (teachers and administrators); its scale is the scale of the first
    criterion's framework, and every criterion must share it."""
    user = _user(request)
    if not policy.can(user, Action.CREATE_RUBRIC):
        raise NotPermitted("Teachers and administrators of a district write rubrics.")
    specs = _rubric_criteria(user, payload)
    rubric = services.rubric_create(
        owner=Organization.objects.get(pk=policy.request_access(request).acting_district_id or 0),
        title=payload.title,
        description=payload.description,
        scale=specs[0].competency.version.framework.scale,
        criteria=specs,
        actor=user,
    )
    return Status(201, rubric_detail(request, rubric.pk))


@router.put(
    "/rubrics/{int:rubric_id}",
    response={200: RubricOut, **WRITE_ERRORS},
    summary="Rewrite a rubric (its author or its district's administrators)",
)
def rubric_update(request: HttpRequest, rubric_id: Id, payload: RubricIn) -> dict[str, Any]:
    """Rewrite a rubric (its author or its district's administrators)."""
    user = _user(request)
    rubric = selectors.rubric_get(user, rubric_id)
    if not policy.can(user, Action.EDIT_FRAMEWORK, rubric):
        raise NotPermitted("A rubric is edited by its author or its district's administrators.")
    services.rubric_update(
        rubric=rubric,
        title=payload.title,
        description=payload.description,
        criteria=_rubric_criteria(user, payload),
    )
    return rubric_detail(request, rubric.pk)


@router.post(
    "/competencies/{int:competency_id}/alignments",
    response={201: AlignmentOut, **WRITE_ERRORS},
    summary="Align a draft's competency to a competency Waypoint holds, or to an outside item by identifier",
)
def alignment_create(request: HttpRequest, competency_id: Id, payload: AlignmentIn) -> Status[AlignmentOut]:
    """Align a draft's competency to a competency Waypoint holds, or to an outside item by identifier."""
    user = _user(request)
    competency = _editable_competency(user, competency_id)
    target = (
        selectors.competency_get(user, payload.target_competency_id) if payload.target_competency_id else None
    )
    alignment = services.alignment_create(
        competency=competency,
        association_type=payload.association_type,
        target=target,
        target_identifier=payload.target_identifier,
        target_uri=payload.target_uri,
        target_title=payload.target_title,
    )
    return Status(
        201,
        AlignmentOut(
            id=alignment.pk,
            association_type=alignment.association_type,
            target_identifier=alignment.target_identifier,
            target_title=alignment.target_title,
            target_uri=alignment.target_uri,
            target_competency_id=target.pk if target else None,
        ),
    )


@router.delete(
    "/alignments/{int:alignment_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove an alignment of a draft's competency",
)
def alignment_delete(request: HttpRequest, alignment_id: Id) -> Status[None]:
    """Remove an alignment of a draft's competency."""
    user = _user(request)
    alignment = selectors.alignment_get(user, alignment_id)
    if not policy.can(user, Action.EDIT_FRAMEWORK, alignment.competency.version):
        raise NotPermitted("Only the owning district's administrators edit this framework.")
    services.alignment_delete(alignment=alignment)
    return Status(204, None)


class ImportOut(Schema):
    outcome: str = Field(description="created, updated (the open draft), new_draft or unchanged")
    framework_id: int
    version: VersionOut
    items: int
    associations: int
    warnings: list[str]


class AdoptionOut(Schema):
    framework_id: int
    district_id: int
    adopted_on: datetime.date


class RubricSummaryOut(Schema):
    id: int
    title: str
    owner: str
    scale_id: int
    criterion_count: int


class RubricPageOut(PageOut):
    items: list[RubricSummaryOut]


@router.post(
    "/frameworks/import",
    response={201: ImportOut, **WRITE_ERRORS},
    summary="Import a CASE 1.0 package or an OpenSALT item list for your district, all or nothing",
)
def framework_import(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[FrameworkKind] = FrameworkKind.STANDARDS,
    title: Form[str] = "",
    publish: Form[bool] = False,
    district_id: Form[RefId | None] = None,
) -> Status[ImportOut]:
    """Import a CASE 1.0 package (.json) or an OpenSALT item list (.csv) for your district, all or nothing;
    a refused file answers 400 listing every problem."""
    user = _user(request)
    district = _managed_district(user, district_id)
    limit = settings.WAYPOINT_CASE_MAX_BYTES
    if file.size is None or file.size > limit:
        raise services.FrameworkError(f"The file is larger than the limit of {limit // (1024 * 1024)} MB.")
    if "\x00" in title:
        raise services.FrameworkError("The title must not contain NUL characters.")
    raw = file.read()
    try:
        package = services.case_parse(raw=raw, file_name=file.name or "", title=title)
    except CasePackageError as refused:
        raise services.FrameworkError([str(problem) for problem in refused.problems]) from refused
    result = services.case_import(
        package=package,
        owner=district,
        file_name=file.name or "",
        content=raw,
        actor=user,
        kind=kind,
        publish=publish,
    )
    return Status(
        201,
        ImportOut(
            outcome=result.outcome,
            framework_id=result.version.framework_id,
            version=_version_out(result.version),
            items=result.items,
            associations=result.associations,
            warnings=result.warnings,
        ),
    )


@router.post(
    "/frameworks/{int:framework_id}/adoptions",
    response={201: AdoptionOut, **WRITE_ERRORS},
    summary="Adopt a published framework another owner publishes for your district",
)
def framework_adopt(
    request: HttpRequest, framework_id: Id, district_id: Annotated[RefId | None, Query()] = None
) -> Status[AdoptionOut]:
    """Adopt a published framework another owner publishes for your district."""
    user = _user(request)
    framework, _ = selectors.framework_get(user, framework_id)
    district = _managed_district(user, district_id)
    adoption = services.framework_adopt(framework=framework, district=district, on=policy.today())
    return Status(
        201, AdoptionOut(framework_id=framework.pk, district_id=district.pk, adopted_on=adoption.adopted_on)
    )


@router.post(
    "/framework-versions/{int:version_id}/retire",
    response={200: VersionOut, **WRITE_ERRORS},
    summary="Retire a published version without a successor; it stays readable",
)
def version_retire(request: HttpRequest, version_id: Id) -> VersionOut:
    """Retire a published version without a successor; it stays readable."""
    version = selectors.editable_version(_user(request), version_id)
    return _version_out(services.version_retire(version=version))


@router.delete(
    "/framework-versions/{int:version_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Throw a draft away (and its framework when it has no other version)",
)
def version_discard(request: HttpRequest, version_id: Id) -> Status[None]:
    """Throw a draft away (and its framework when it has no other version)."""
    version = selectors.editable_version(_user(request), version_id)
    services.version_discard(version=version)
    return Status(204, None)


@router.post(
    "/scales",
    response={201: ScaleOut, **WRITE_ERRORS},
    summary="Create a proficiency scale for your district (district administrators)",
)
def scale_create(
    request: HttpRequest, payload: ScaleIn, district_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> Status[dict[str, Any]]:
    """Create a proficiency scale for your district (district administrators)."""
    district = _managed_district(_user(request), district_id)
    scale = services.scale_create(
        owner=district,
        name=payload.name,
        levels=[services.LevelSpec(**level.dict()) for level in payload.levels],
    )
    return Status(201, _scale_out(scale))


@router.get(
    "/rubrics",
    response={200: RubricPageOut, **LIST_ERRORS},
    summary="Every rubric whose competencies you may read",
)
def rubric_list(request: HttpRequest, query: Query[PageQuery]) -> RubricPageOut:
    """Every rubric whose competencies you may read."""
    page = page_of(selectors.rubrics_for(_user(request)), number=query.page, size=query.page_size)
    items = [
        RubricSummaryOut(
            id=rubric.pk,
            title=rubric.title,
            owner=rubric.owner.name,
            scale_id=rubric.scale_id,
            criterion_count=getattr(rubric, "criterion_count", 0),
        )
        for rubric in page.items
    ]
    return RubricPageOut(items=items, **page_fields(page))

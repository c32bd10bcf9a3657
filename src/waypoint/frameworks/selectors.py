"""Reads of frameworks shared by pages, the API, the CLI and the CASE export.

Every read that depends on who asks goes through `policy.visible_framework_versions` or `can`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from waypoint import policy
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import Organization
from waypoint.frameworks import case
from waypoint.frameworks.models import (
    Alignment,
    CaseDefinition,
    Competency,
    Framework,
    FrameworkVersion,
    Rubric,
    RubricCell,
    RubricCriterion,
    ScaleLevel,
    Tier,
    VersionStatus,
)
from waypoint.frameworks.tree import Snapshot, VersionDiff, diff_versions
from waypoint.policy import Action, Actor

SEARCH_LIMIT = 200


def _stamp(moment: datetime.datetime | None) -> str:
    return moment.astimezone(datetime.UTC).isoformat() if moment else ""


def frameworks_for(user: Actor) -> list[tuple[Framework, FrameworkVersion]]:
    """Each framework the user may read with the version to show first: the published one, else the
    latest the user can see (a draft for its editors, the last retired one otherwise)."""
    versions = (
        policy.visible_framework_versions(user)
        .select_related("framework__owner")
        .annotate(item_count=Count("competencies"))
        .order_by("framework__title", "framework_id", "-number")
    )
    chosen: dict[int, FrameworkVersion] = {}
    for version in versions:
        current = chosen.get(version.framework_id)
        if current is None or (
            version.status == VersionStatus.PUBLISHED and current.status != VersionStatus.PUBLISHED
        ):
            chosen[version.framework_id] = version
    return [(version.framework, version) for version in chosen.values()]


def frameworks_in_use(district: Organization) -> QuerySet[Framework]:
    """The frameworks a district uses: its own, its state's, and those it has adopted. The one definition;
    evidence forms, calculation rules, the catalog and paths all ask it."""
    owners = [pk for pk in (district.pk, district.parent_id) if pk is not None]
    return Framework.objects.filter(Q(owner_id__in=owners) | Q(adoptions__district=district)).distinct()


def uses_framework(district: Organization, framework: Framework) -> bool:
    return (
        framework.owner_id in (district.pk, district.parent_id)
        or framework.adoptions.filter(district=district).exists()
    )


def district_competencies(district: Organization) -> QuerySet[Competency]:
    """The competencies (not domains) of the published versions of the frameworks a district uses: what its
    evidence, catalog and students' paths can name."""
    return Competency.objects.filter(
        version__framework_id__in=frameworks_in_use(district).values("id"),
        version__status=VersionStatus.PUBLISHED,
    ).exclude(tier=Tier.DOMAIN)


def version_get(user: Actor, version_id: int) -> FrameworkVersion:
    """A framework version the user may read, or NotVisible."""
    version = (
        policy.visible_framework_versions(user)
        .select_related("framework__owner", "framework__scale", "based_on")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotVisible(f"No framework version {version_id} is visible to this user.")
    return version


def editable_version(user: Actor, version_id: int) -> FrameworkVersion:
    """A version the user may edit (its framework's district administrators), or NotVisible/NotPermitted."""
    version = version_get(user, version_id)
    if not policy.can(user, Action.EDIT_FRAMEWORK, version):
        raise NotPermitted(gettext("Only the owning district's administrators edit this framework."))
    return version


def framework_get(user: Actor, framework_id: int) -> tuple[Framework, list[FrameworkVersion]]:
    """A framework the user may read, with the versions they may read, newest first."""
    versions: list[FrameworkVersion] = list(
        policy.visible_framework_versions(user)
        .filter(framework_id=framework_id)
        .select_related("framework__owner", "framework__scale")
        .annotate(item_count=Count("competencies"))
        .order_by("-number")
    )
    if not versions:
        raise NotVisible(f"No framework {framework_id} is visible to this user.")
    return versions[0].framework, versions


def shown_version(versions: list[FrameworkVersion]) -> FrameworkVersion:
    """The version a reader lands on: the published one if any, else the newest."""
    return next((v for v in versions if v.status == VersionStatus.PUBLISHED), versions[0])


def version_tree(version: FrameworkVersion) -> list[Competency]:
    """Every competency of a version in tree order (parents first), in one query."""
    return list(
        version.competencies.only(
            "id",
            "parent_id",
            "depth",
            "path",
            "human_code",
            "full_statement",
            "abbreviated_statement",
            "student_statement",
            "tier",
            "item_type",
            "education_levels",
            "case_identifier",
            "version_id",
        ).order_by("path")
    )


def version_search(version: FrameworkVersion, query: str) -> list[Competency]:
    """Competencies whose code starts with, or whose statement contains, every word of the query."""
    # NUL never occurs in a statement, and PostgreSQL refuses it in a query parameter.
    words = query.replace("\x00", "").split()
    if not words:
        return []
    matches = version.competencies.all()
    for word in words:
        matches = matches.filter(
            Q(human_code__istartswith=word)
            | Q(human_code__icontains=word)
            | Q(full_statement__icontains=word)
            | Q(student_statement__icontains=word)
        )
    return list(matches.order_by("path")[:SEARCH_LIMIT])


def ancestors_of(competency: Competency) -> list[Competency]:
    """The competency's ancestors, root first, in one query (their paths are prefixes of its path)."""
    segments = competency.path.split(".")
    prefixes = [".".join(segments[:n]) for n in range(1, len(segments))]
    return list(
        Competency.objects.filter(version_id=competency.version_id, path__in=prefixes)
        .only("id", "human_code", "full_statement", "abbreviated_statement", "path", "version_id")
        .order_by("path")
    )


@dataclass
class CompetencyPage:
    competency: Competency
    ancestors: list[Competency]
    children: list[Competency]
    alignments: list[tuple[Alignment, Competency | None]]
    aligned_from: list[Alignment]
    rubrics: list[Rubric]
    can_edit: bool


def competency_get(user: Actor, competency_id: int) -> Competency:
    competency = (
        Competency.objects.select_related("version__framework__owner", "version__framework__scale", "parent")
        .filter(pk=competency_id, version__in=policy.visible_framework_versions(user))
        .first()
    )
    if competency is None:
        raise NotVisible(f"No competency {competency_id} is visible to this user.")
    return competency


def competency_page(user: Actor, competency_id: int) -> CompetencyPage:
    """Everything the competency page shows: the statement, its place in the tree, indicators, alignments
    (resolved to Waypoint competencies where the target is a published item here), and rubrics."""
    competency = competency_get(user, competency_id)
    alignments = list(competency.alignments.all())
    targets: dict[str, Competency] = {}
    identifiers = [a.target_identifier for a in alignments]
    if identifiers:
        for target in (
            Competency.objects.filter(
                case_identifier__in=identifiers, version__in=policy.visible_framework_versions(user)
            )
            .exclude(version__status=VersionStatus.DRAFT)
            .select_related("version__framework")
            .order_by("version__status", "-version__number")
        ):
            targets.setdefault(target.case_identifier, target)
    aligned_from = list(
        Alignment.objects.filter(
            target_identifier=competency.case_identifier,
            competency__version__in=policy.visible_framework_versions(user),
        )
        .exclude(competency__version__status=VersionStatus.DRAFT)
        .select_related("competency__version__framework")[:50]
    )
    subtree = Competency.objects.filter(version_id=competency.version_id, path__startswith=competency.path)
    rubrics = list(
        Rubric.objects.filter(criteria__competency__in=subtree)
        .distinct()
        .prefetch_related(_criteria_prefetch())
        .select_related("scale")
    )
    return CompetencyPage(
        competency=competency,
        ancestors=ancestors_of(competency),
        children=list(competency.children.order_by("path")),
        alignments=[(a, targets.get(a.target_identifier)) for a in alignments],
        aligned_from=aligned_from,
        rubrics=rubrics,
        can_edit=competency.version.is_draft and policy.can(user, Action.EDIT_FRAMEWORK, competency.version),
    )


def _criteria_prefetch() -> Prefetch[str, QuerySet[RubricCriterion], str]:
    return Prefetch(
        "criteria",
        queryset=RubricCriterion.objects.select_related("competency").prefetch_related(
            Prefetch("cells", queryset=RubricCell.objects.select_related("level").order_by("level__value"))
        ),
    )


def rubric_get(user: Actor, rubric_id: int) -> Rubric:
    """A rubric whose competencies the user may read, with criteria, cells and levels loaded."""
    rubric = (
        Rubric.objects.filter(pk=rubric_id)
        .exclude(
            criteria__competency__version__in=FrameworkVersion.objects.exclude(
                pk__in=policy.visible_framework_versions(user)
            )
        )
        .select_related("scale", "owner")
        .prefetch_related(_criteria_prefetch(), "scale__levels")
        .first()
    )
    if rubric is None:
        raise NotVisible(f"No rubric {rubric_id} is visible to this user.")
    return rubric


def rubrics_for(user: Actor) -> QuerySet[Rubric]:
    hidden = FrameworkVersion.objects.exclude(pk__in=policy.visible_framework_versions(user))
    return (
        Rubric.objects.exclude(criteria__competency__version__in=hidden)
        .select_related("owner", "scale")
        .annotate(criterion_count=Count("criteria"))
        .order_by("title", "id")
    )


def version_diff(old: FrameworkVersion, new: FrameworkVersion) -> VersionDiff:
    """What changed between two versions of one framework.

    Competencies of `new` are matched to `old` through `replaces` (the mapping a draft keeps to the version it
    was copied from); when `new` is not a direct successor of `old`, the mapping is followed along the chain.
    """
    if old.framework_id != new.framework_id:
        raise ValueError("Only two versions of one framework can be compared.")
    if old.number > new.number:
        old, new = new, old
    mapping = dict(
        Competency.objects.filter(version__framework_id=new.framework_id, version__number__gt=old.number)
        .filter(version__number__lte=new.number)
        .values_list("id", "replaces_id")
    )
    new_rows = new.competencies.values_list("id", flat=True)
    lineage: dict[int, int] = {}
    for pk in new_rows:
        current: int | None = pk
        while current is not None and current in mapping:
            current = mapping[current]
        # The walk ends at a competency of `old` (or of an older version, or nowhere: added).
        lineage[pk] = current if current is not None else -pk
    old_lineage = {pk: pk for pk in old.competencies.values_list("id", flat=True)}
    return diff_versions(_snapshots(old, old_lineage), _snapshots(new, lineage))


def _snapshots(version: FrameworkVersion, lineage: dict[int, int]) -> list[Snapshot]:
    rows = list(
        version.competencies.values_list(
            "id", "parent_id", "human_code", "full_statement", "student_statement", "tier", "education_levels"
        ).order_by("path")
    )
    return [
        Snapshot(
            key=lineage[pk],
            parent_key=lineage[parent_id] if parent_id else None,
            human_code=code,
            full_statement=statement,
            student_statement=student,
            tier=tier,
            education_levels=tuple(levels or ()),
        )
        for pk, parent_id, code, statement, student, tier, levels in rows
    ]


def version_package(version: FrameworkVersion) -> case.CasePackage:
    """A version as a CASE package: the inverse of the import, so an export re-imports to the same tree."""
    rows = list(version.competencies.order_by("path"))
    identifier_of = {row.pk: row.case_identifier for row in rows}
    items = tuple(
        case.with_case_extras(
            case.CaseItem(
                identifier=row.case_identifier,
                source_identifier=row.source_identifier,
                uri=row.uri,
                full_statement=row.full_statement,
                human_code=row.human_code,
                abbreviated_statement=row.abbreviated_statement,
                alternative_label=row.alternative_label,
                item_type=row.item_type,
                education_levels=tuple(row.education_levels or ()),
                language=row.language,
                notes=row.notes,
                list_enumeration=row.list_enumeration,
                concept_keywords=tuple(row.concept_keywords or ()),
                last_change=_stamp(row.last_change),
                parent_identifier=identifier_of[row.parent_id] if row.parent_id else None,
                position=row.position,
                child_association_identifier=row.child_association_identifier,
                child_association_source_identifier=row.child_association_source_identifier,
                child_association_uri=row.child_association_uri,
                child_association_last_change=_stamp(row.child_association_last_change),
            ),
            row.case_extras or {},
        )
        for row in rows
    )
    associations = tuple(
        case.with_case_extras(
            case.CaseAssociation(
                identifier=alignment.case_identifier,
                source_identifier=alignment.source_identifier,
                uri=alignment.uri,
                association_type=alignment.association_type,
                origin_identifier=identifier_of[alignment.competency_id],
                destination_identifier=alignment.target_identifier,
                destination_uri=alignment.target_uri,
                destination_title=alignment.target_title,
                destination_in_package=alignment.target_in_package,
                sequence_number=alignment.sequence_number,
                last_change=_stamp(alignment.last_change),
            ),
            alignment.case_extras or {},
        )
        for alignment in Alignment.objects.filter(competency__version=version).order_by("id")
    )
    rubrics = tuple(
        case.CaseRubric(
            identifier=rubric.case_identifier,
            source_identifier=rubric.source_identifier,
            uri=rubric.uri,
            title=rubric.title,
            description=rubric.description,
            last_change=_stamp(rubric.last_change),
            criteria=tuple(
                case.CaseRubricCriterion(
                    identifier=criterion.case_identifier,
                    uri=criterion.uri,
                    category=criterion.title,
                    description=criterion.description,
                    item_identifier=criterion.competency.case_identifier,
                    weight=criterion.weight,
                    position=criterion.position,
                    levels=tuple(
                        case.CaseRubricLevel(
                            identifier=cell.case_identifier,
                            source_identifier=cell.source_identifier,
                            uri=cell.uri,
                            description=cell.description,
                            quality=cell.level.label,
                            score=cell.level.value,
                            feedback=cell.student_description,
                            position=cell.position or position,
                            last_change=_stamp(cell.last_change),
                        )
                        for position, cell in enumerate(criterion.cells.all(), start=1)
                    ),
                    source_identifier=criterion.source_identifier,
                    last_change=_stamp(criterion.last_change),
                )
                for criterion in rubric.criteria.all()
            ),
        )
        for rubric in version.rubrics.prefetch_related(_criteria_prefetch()).order_by("id")
    )
    return case.CasePackage(
        document=version_document(version),
        items=items,
        associations=associations,
        rubrics=rubrics,
        definitions=tuple(
            _definition(definition)
            for definition in version.case_definitions.order_by("kind", "position", "id")
        ),
    )


def _definition(row: CaseDefinition) -> case.CaseDefinition:
    return case.CaseDefinition(
        kind=row.kind,
        identifier=row.case_identifier,
        source_identifier=row.source_identifier,
        uri=row.uri,
        title=row.title,
        description=row.description,
        hierarchy_code=row.hierarchy_code,
        type_code=row.type_code,
        keywords=row.keywords,
        license_text=row.license_text,
        last_change=_stamp(row.last_change),
        extensions=row.extensions or {},
    )


def version_document(version: FrameworkVersion) -> case.CaseDocument:
    """A version's CFDocument alone (two rows: the version and its framework, which the caller may have
    selected with it)."""
    framework = version.framework
    document = case.CaseDocument(
        identifier=framework.case_identifier,
        source_identifier=framework.source_identifier,
        uri=framework.uri,
        title=framework.title,
        creator=framework.creator,
        publisher=framework.publisher,
        description=framework.description,
        subject=tuple(framework.subjects or ()),
        language=framework.language,
        version=version.label,
        adoption_status=version.adoption_status,
        official_source_url=framework.official_source_url,
        notes=version.notes,
        last_change=_stamp(version.last_change),
    )
    return case.with_case_extras(document, version.case_extras or {})


def case_base_uri() -> str:
    """Where the URIs the CASE export mints point: the CASE 1.1 REST API that serves them
    (waypoint.interop.views.case_provider)."""
    return f"{settings.WAYPOINT_BASE_URL}/ims/case/v1p1"


def case_generated_at(version: FrameworkVersion) -> str:
    """The date-time that stands in for a missing lastChangeDateTime: fixed for a version, so that exporting
    it twice gives the same file."""
    return _stamp(version.published_at or version.last_change or version.created_at)


def case_export(version: FrameworkVersion, *, case_version: case.CaseVersion = "1.0") -> dict[str, object]:
    """A version as a CASE CFPackage dict (1.0 unless asked for 1.1), deterministic for a given version."""
    return case.build_package(
        version_package(version),
        base_uri=case_base_uri(),
        generated_at=case_generated_at(version),
        case_version=case_version,
    )


def competency_by_code(user: Actor, framework_id: int, human_code: str) -> Competency:
    """The competency with this code in the version of the framework a reader lands on, or NotVisible."""
    _, versions = framework_get(user, framework_id)
    found = shown_version(versions).competencies.filter(human_code=human_code.strip()).first()
    if found is None:
        raise NotVisible(f"No competency {human_code!r} in framework {framework_id}.")
    return found


def alignment_get(user: Actor, alignment_id: int) -> Alignment:
    alignment = (
        Alignment.objects.select_related("competency__version__framework")
        .filter(pk=alignment_id, competency__version__in=policy.visible_framework_versions(user))
        .first()
    )
    if alignment is None:
        raise NotVisible(f"No alignment {alignment_id} is visible to this user.")
    return alignment


def scale_levels(scale_ids: Iterable[int]) -> dict[int, list[ScaleLevel]]:
    """Each scale's levels, lowest first, in one query (every scale asked about has an entry)."""
    wanted = set(scale_ids)
    levels: dict[int, list[ScaleLevel]] = {scale_id: [] for scale_id in wanted}
    for level in ScaleLevel.objects.filter(scale_id__in=wanted).order_by("value", "id"):
        levels[level.scale_id].append(level)
    return levels


def level_name(levels: Sequence[ScaleLevel], value: float | None, *, no_value: str = "No level") -> str:
    """The name of a scale level: the highest of `levels` (lowest first) at or below the value
    ("Proficient"), the lowest one's below them all, `no_value` when there is no value."""
    if value is None:
        return no_value
    reached = [level for level in levels if level.value <= value + 1e-9]
    return reached[-1].label if reached else (levels[0].label if levels else f"{value:g}")

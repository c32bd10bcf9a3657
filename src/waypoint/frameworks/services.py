"""Every write to frameworks, versions, competencies, scales and rubrics. Each function is one transaction.

Published versions are immutable: every edit goes through `_require_draft`, and an import that changes a
published framework opens a new draft instead of touching it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Model, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext

from waypoint.core.errors import Conflict, Invalid
from waypoint.core.models import Organization, User
from waypoint.frameworks import case
from waypoint.frameworks.models import (
    Alignment,
    AssociationType,
    CaseDefinition,
    Competency,
    CompetencyKind,
    Framework,
    FrameworkAdoption,
    FrameworkImport,
    FrameworkKind,
    FrameworkVersion,
    ProficiencyScale,
    Rubric,
    RubricCell,
    RubricCriterion,
    ScaleLevel,
    Tier,
    VersionStatus,
)
from waypoint.frameworks.selectors import version_package
from waypoint.frameworks.tree import MAX_POSITION, infer_tier, tree_paths, would_cycle

Progress = Callable[[str, int, int], None]

EDUCATION_LEVEL = re.compile(r"^(IT|PR|PK|TK|KG|0[1-9]|1[0-3]|AS|BA|PB|MD|MT|DO|PD|AE|PT|OT)$")


class FrameworkError(Invalid):
    """A refused framework write; `problems` lists every reason, in words an administrator can act on."""


class Frozen(FrameworkError):
    """A write to something that may no longer change: a published version, a scale scores use."""

    status = Conflict.status


@dataclass(frozen=True)
class LevelSpec:
    value: float
    label: str
    description: str = ""
    student_description: str = ""
    meets_mastery: bool = False


DEFAULT_SCALE_NAME = "Four-level proficiency scale"
DEFAULT_SCALE_LEVELS: tuple[LevelSpec, ...] = (
    LevelSpec(
        1,
        "Beginning",
        "Shows a beginning understanding; needs substantial support to apply the competency.",
        "I am just starting. I need a lot of help to do this.",
    ),
    LevelSpec(
        2,
        "Developing",
        "Shows a partial understanding; applies the competency with some support or with gaps.",
        "I can do parts of this, or I can do it with some help.",
    ),
    LevelSpec(
        3,
        "Proficient",
        "Meets the expectation independently and accurately: mastery.",
        "I can do this on my own, and I get it right.",
        meets_mastery=True,
    ),
    LevelSpec(
        4,
        "Advanced",
        "Exceeds the expectation: transfers the competency to new, complex situations.",
        "I can use this in new and harder situations, and I can explain it to others.",
        meets_mastery=True,
    ),
)


def scale_problems(levels: Sequence[LevelSpec]) -> list[str]:
    """Why a list of levels is not a usable proficiency scale (empty when it is).

    A scale has at least two levels with distinct values and labels, and at least one level meets mastery;
    every level above a mastery level also meets it, so "at or above the threshold" means mastery.
    """
    problems: list[str] = []
    if len(levels) < 2:
        problems.append(gettext("A scale needs at least two levels."))
    values = [level.value for level in levels]
    if len(set(values)) != len(values):
        problems.append(gettext("Two levels have the same value."))
    labels = [level.label.strip().lower() for level in levels]
    if any(not label for label in labels):
        problems.append(gettext("Every level needs a label."))
    if len(set(labels)) != len(labels):
        problems.append(gettext("Two levels have the same label."))
    ordered = sorted(levels, key=lambda level: level.value)
    if not any(level.meets_mastery for level in ordered):
        problems.append(gettext("At least one level must meet mastery."))
    else:
        threshold = next(i for i, level in enumerate(ordered) if level.meets_mastery)
        if not all(level.meets_mastery for level in ordered[threshold:]):
            problems.append(gettext("Every level above the mastery threshold must also meet mastery."))
    return problems


@transaction.atomic
def scale_create(
    *, owner: Organization, name: str, levels: Sequence[LevelSpec], description: str = ""
) -> ProficiencyScale:
    problems = scale_problems(levels)
    if not name.strip():
        problems.insert(0, gettext("A scale needs a name."))
    if problems:
        raise FrameworkError(problems)
    scale = ProficiencyScale.objects.create(owner=owner, name=name.strip(), description=description)
    ScaleLevel.objects.bulk_create(
        ScaleLevel(
            scale=scale,
            value=level.value,
            label=level.label.strip(),
            description=level.description,
            student_description=level.student_description,
            meets_mastery=level.meets_mastery,
        )
        for level in levels
    )
    return scale


def default_scale(*, owner: Organization) -> ProficiencyScale:
    """The default four-level scale (1 Beginning … 4 Advanced, mastery at 3): the owner's, else the one its
    state shares with every district, created for the owner on first use."""
    existing = (
        ProficiencyScale.objects.filter(name=DEFAULT_SCALE_NAME, owner_id__in=[owner.pk, owner.parent_id])
        .order_by("owner__kind")  # "district" sorts before "state": the owner's own scale wins
        .first()
    )
    return existing or scale_create(owner=owner, name=DEFAULT_SCALE_NAME, levels=DEFAULT_SCALE_LEVELS)


@transaction.atomic
def scale_update(*, scale: ProficiencyScale, name: str, levels: Sequence[LevelSpec]) -> ProficiencyScale:
    """Rename a scale and rewrite its levels (matched by value). Refused once a score uses the scale."""
    scale = ProficiencyScale.objects.select_for_update().get(pk=scale.pk)
    if scale.in_use_since is not None:
        raise Frozen(
            gettext(
                "“%(scale)s” has been used for scores since %(date)s, so it can no longer change: "
                "create a new scale instead."
            )
            % {"scale": scale.name, "date": f"{scale.in_use_since:%Y-%m-%d}"}
        )
    problems = scale_problems(levels)
    existing = {level.value: level for level in scale.levels.all()}
    removed = set(existing) - {level.value for level in levels}
    if removed and RubricCell.objects.filter(level__scale=scale, level__value__in=removed).exists():
        problems.append(gettext("A rubric uses a level that would be removed."))
    if problems:
        raise FrameworkError(problems)
    scale.name = name.strip() or scale.name
    scale.save(update_fields=["name"])
    ScaleLevel.objects.filter(scale=scale, value__in=removed).delete()
    for spec in levels:
        ScaleLevel.objects.update_or_create(
            scale=scale,
            value=spec.value,
            defaults={
                "label": spec.label.strip(),
                "description": spec.description,
                "student_description": spec.student_description,
                "meets_mastery": spec.meets_mastery,
            },
        )
    return scale


def scale_mark_in_use(*, scale: ProficiencyScale) -> None:
    """Freeze a scale: called when the first score is recorded on it."""
    ProficiencyScale.objects.filter(pk=scale.pk, in_use_since__isnull=True).update(
        in_use_since=timezone.now()
    )


def _require_draft(version: FrameworkVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise Frozen(
            gettext(
                "Version %(number)s of “%(framework)s” is %(status)s and cannot change; "
                "open a new draft to edit it."
            )
            % {
                "number": version.number,
                "framework": version.framework.title,
                "status": version.get_status_display().lower(),
            }
        )


def _when(stamp: str) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(stamp) if stamp else None


@transaction.atomic
def framework_create(
    *,
    owner: Organization,
    title: str,
    kind: str = FrameworkKind.CONTENT,
    subjects: Sequence[str] = (),
    description: str = "",
    actor: User | None = None,
    scale: ProficiencyScale | None = None,
) -> FrameworkVersion:
    """A new framework with an empty draft, version 1."""
    problems = []
    if not title.strip():
        problems.append(gettext("A framework needs a title."))
    if kind not in FrameworkKind.values:
        problems.append(gettext("“%(kind)s” is not a kind of framework.") % {"kind": kind})
    if scale is not None and scale.owner_id not in (owner.pk, owner.parent_id):
        problems.append(gettext("The scale belongs to another organization."))
    if problems:
        raise FrameworkError(problems)
    framework = Framework.objects.create(
        owner=owner,
        kind=kind,
        title=title.strip(),
        subjects=list(subjects),
        description=description,
        case_identifier=str(uuid.uuid4()),
        scale=scale or default_scale(owner=owner),
    )
    return FrameworkVersion.objects.create(framework=framework, number=1, created_by=actor)


@transaction.atomic
def framework_adopt(*, framework: Framework, district: Organization, on: datetime.date) -> FrameworkAdoption:
    if district.kind != Organization.Kind.DISTRICT:
        raise FrameworkError(gettext("Only a district adopts a framework."))
    if framework.owner_id == district.pk:
        raise FrameworkError(
            gettext("%(district)s owns “%(framework)s”; there is nothing to adopt.")
            % {"district": district.name, "framework": framework.title}
        )
    if not framework.versions.filter(status=VersionStatus.PUBLISHED).exists():
        raise FrameworkError(
            gettext("“%(framework)s” has no published version to adopt.") % {"framework": framework.title}
        )
    adoption, _ = FrameworkAdoption.objects.get_or_create(
        framework=framework, district=district, defaults={"adopted_on": on}
    )
    return adoption


def _next_number(framework: Framework) -> int:
    return (framework.versions.aggregate(highest=Max("number"))["highest"] or 0) + 1


@transaction.atomic
def draft_create(*, framework: Framework, actor: User | None = None) -> FrameworkVersion:
    """A new draft that starts as a copy of the latest published (or retired) version; every copied
    competency `replaces` its original, which is the mapping between the two versions."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.versions.filter(status=VersionStatus.DRAFT).exists():
        raise FrameworkError(
            gettext("“%(framework)s” already has a draft; edit that one.") % {"framework": framework.title}
        )
    source = framework.versions.exclude(status=VersionStatus.DRAFT).order_by("-number").first()
    draft = FrameworkVersion.objects.create(
        framework=framework,
        number=_next_number(framework),
        based_on=source,
        label="",
        adoption_status=source.adoption_status if source else "",
        notes=source.notes if source else "",
        case_extras=source.case_extras if source else {},
        created_by=actor,
    )
    if source is not None:
        _copy_version(source=source, target=draft)
    return draft


def _copy_version(*, source: FrameworkVersion, target: FrameworkVersion) -> None:
    originals = list(source.competencies.order_by("depth", "path"))
    new_id: dict[int, int] = {}
    copied_fields = [
        f.attname
        for f in Competency._meta.concrete_fields
        if f.attname not in ("id", "version_id", "parent_id", "replaces_id")
    ]
    # Level by level, so each copy's parent already has its new id when the copy is written.
    for depth in sorted({original.depth for original in originals}):
        level = [original for original in originals if original.depth == depth]
        copies = [
            Competency(
                **{name: getattr(original, name) for name in copied_fields},
                version=target,
                replaces_id=original.pk,
                parent_id=new_id[original.parent_id] if original.parent_id else None,
            )
            for original in level
        ]
        Competency.objects.bulk_create(copies, batch_size=500)
        new_id.update({original.pk: copy.pk for original, copy in zip(level, copies, strict=True)})
    Alignment.objects.bulk_create(
        Alignment(
            **{
                f.attname: getattr(alignment, f.attname)
                for f in Alignment._meta.concrete_fields
                if f.attname not in ("id", "competency_id")
            },
            competency_id=new_id[alignment.competency_id],
        )
        for alignment in Alignment.objects.filter(competency__version=source)
    )
    for rubric in source.rubrics.prefetch_related("criteria__cells"):
        criteria = list(rubric.criteria.all())
        rubric.pk = None
        rubric.version = target
        rubric.save()
        for criterion in criteria:
            cells = list(criterion.cells.all())
            criterion.pk = None
            criterion.rubric = rubric
            criterion.competency_id = new_id[criterion.competency_id]
            criterion.save()
            for cell in cells:
                cell.pk = None
                cell.criterion = criterion
            RubricCell.objects.bulk_create(cells)
    definitions = list(source.case_definitions.all())
    for definition in definitions:
        definition.pk = None
        definition.version = target
    CaseDefinition.objects.bulk_create(definitions)


def _renumber(version: FrameworkVersion) -> None:
    """Recompute every path and depth of a version after a move or insertion."""
    rows = list(version.competencies.only("id", "parent_id", "position", "path", "depth"))
    parents = {row.pk: row.parent_id for row in rows}
    paths = tree_paths(parents, {row.pk: row.position for row in rows})
    changed = []
    for row in rows:
        path = paths[row.pk]
        depth = path.count(".")
        if row.path != path or row.depth != depth:
            row.path, row.depth = path, depth
            changed.append(row)
    Competency.objects.bulk_update(changed, ["path", "depth"], batch_size=500)


@dataclass(frozen=True)
class CompetencyFields:
    human_code: str
    full_statement: str
    student_statement: str = ""
    tier: str = Tier.COMPETENCY
    kind: str = CompetencyKind.CONTENT
    education_levels: tuple[str, ...] = ()
    notes: str = ""


def _field_problems(fields: CompetencyFields) -> list[str]:
    problems = []
    if not fields.full_statement.strip():
        problems.append(gettext("A competency needs a full statement."))
    if len(fields.human_code) > 200:
        problems.append(gettext("The code is longer than 200 characters."))
    if fields.tier not in Tier.values:
        problems.append(gettext("“%(tier)s” is not a tier.") % {"tier": fields.tier})
    if fields.kind not in CompetencyKind.values:
        problems.append(gettext("“%(kind)s” is not a kind of competency.") % {"kind": fields.kind})
    wrong_levels = [level for level in fields.education_levels if not EDUCATION_LEVEL.match(level)]
    if wrong_levels:
        problems.append(
            gettext("Unknown education level(s) %(levels)s: use CASE codes such as KG, 01 … 12.")
            % {"levels": ", ".join(wrong_levels)}
        )
    return problems


@transaction.atomic
def competency_create(
    *, version: FrameworkVersion, parent: Competency | None, fields: CompetencyFields
) -> Competency:
    """Add a competency (at the end of its siblings) to a draft."""
    _require_draft(version)
    problems = _field_problems(fields)
    if parent is not None and parent.version_id != version.pk:
        problems.append(gettext("The parent belongs to another framework version."))
    if problems:
        raise FrameworkError(problems)
    siblings = version.competencies.filter(parent=parent)
    position = (siblings.aggregate(highest=Max("position"))["highest"] or 0) + 1
    competency = Competency.objects.create(
        version=version,
        parent=parent,
        position=position,
        path="",
        case_identifier=str(uuid.uuid4()),
        human_code=fields.human_code.strip(),
        full_statement=fields.full_statement.strip(),
        student_statement=fields.student_statement.strip(),
        tier=fields.tier,
        kind=fields.kind,
        education_levels=list(fields.education_levels),
        notes=fields.notes,
        last_change=timezone.now(),
    )
    _renumber(version)
    competency.refresh_from_db()
    return competency


@transaction.atomic
def competency_update(
    *, competency: Competency, fields: CompetencyFields, move: bool = False, parent: Competency | None = None
) -> Competency:
    """Edit a competency of a draft; with `move`, it goes under `parent` (None: the top level), never under
    itself or its descendants."""
    version = competency.version
    _require_draft(version)
    problems = _field_problems(fields)
    moving = move
    new_parent = parent
    if moving and new_parent is not None:
        if new_parent.version_id != version.pk:
            problems.append(gettext("The new parent belongs to another framework version."))
        else:
            parents = dict(version.competencies.values_list("id", "parent_id"))
            if would_cycle(parents, competency.pk, new_parent.pk):
                problems.append(
                    gettext("A competency cannot move under itself or one of its own indicators.")
                )
    if problems:
        raise FrameworkError(problems)
    competency.human_code = fields.human_code.strip()
    competency.full_statement = fields.full_statement.strip()
    competency.student_statement = fields.student_statement.strip()
    competency.tier = fields.tier
    competency.kind = fields.kind
    competency.education_levels = list(fields.education_levels)
    competency.notes = fields.notes
    competency.last_change = timezone.now()
    if moving and competency.parent_id != (new_parent.pk if new_parent else None):
        competency.parent = new_parent
        siblings = version.competencies.filter(parent=new_parent).exclude(pk=competency.pk)
        competency.position = (siblings.aggregate(highest=Max("position"))["highest"] or 0) + 1
    competency.save()
    _renumber(version)
    competency.refresh_from_db()
    return competency


@transaction.atomic
def alignment_create(
    *,
    competency: Competency,
    association_type: str,
    target: Competency | None = None,
    target_identifier: str = "",
    target_uri: str = "",
    target_title: str = "",
) -> Alignment:
    """Align a draft's competency to another item: a competency Waypoint holds (`target`), or an item known
    only by its CASE identifier (and optionally its URI and title)."""
    _require_draft(competency.version)
    problems = []
    if association_type not in AssociationType.values:
        problems.append(gettext("“%(type)s” is not a CASE association type.") % {"type": association_type})
    if target is not None:
        if target.pk == competency.pk:
            problems.append(gettext("A competency cannot be aligned to itself."))
        target_identifier, target_uri = target.case_identifier, target.uri
        target_title = target_title or target.human_code or target.short_statement
    elif not target_identifier.strip():
        problems.append(gettext("Say which item the competency aligns to."))
    duplicate = competency.alignments.filter(
        association_type=association_type, target_identifier=target_identifier.strip()
    ).exists()
    if duplicate:
        problems.append(gettext("This alignment is already there."))
    problems += _limit_problems(
        case.CaseAssociation(
            identifier="",
            source_identifier="",
            uri="",
            association_type=association_type,
            origin_identifier="",
            destination_identifier=target_identifier.strip(),
            destination_uri=target_uri.strip(),
            destination_title=target_title.strip(),
            destination_in_package=False,
        ),
        gettext("The alignment"),
        _ASSOCIATION_LIMITS,
        Alignment,
    )
    if problems:
        raise FrameworkError(problems)
    return Alignment.objects.create(
        competency=competency,
        association_type=association_type,
        target_identifier=target_identifier.strip(),
        target_uri=target_uri.strip(),
        target_title=target_title.strip(),
        target_in_package=target is not None and target.version_id == competency.version_id,
        case_identifier=str(uuid.uuid4()),
        last_change=timezone.now(),
    )


@transaction.atomic
def alignment_delete(*, alignment: Alignment) -> None:
    _require_draft(alignment.competency.version)
    alignment.delete()


@transaction.atomic
def competency_delete(*, competency: Competency) -> int:
    """Remove a competency of a draft with its descendants; returns how many were removed."""
    _require_draft(competency.version)
    prefix = competency.path
    subtree = competency.version.competencies.filter(path__startswith=prefix)
    if RubricCriterion.objects.filter(competency__in=subtree).exists():
        raise FrameworkError(
            gettext("A rubric assesses this competency or one of its indicators; change the rubric first.")
        )
    count = subtree.count()
    subtree.delete()
    return count


@transaction.atomic
def version_publish(*, version: FrameworkVersion, actor: User | None) -> FrameworkVersion:
    """Publish a draft; the version published before it is retired. From now on the version is immutable."""
    version = FrameworkVersion.objects.select_for_update().select_related("framework").get(pk=version.pk)
    _require_draft(version)
    if not version.competencies.exists():
        raise FrameworkError(gettext("An empty draft cannot be published: add competencies first."))
    now = timezone.now()
    FrameworkVersion.objects.filter(framework=version.framework, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = actor
    version.last_change = now
    version.save(update_fields=["status", "published_at", "published_by", "last_change"])
    _settle_child_associations(version)
    return version


def _settle_child_associations(version: FrameworkVersion) -> None:
    """Write down the isChildOf identifiers the CASE export would derive for competencies made in Waypoint:
    once published the tree no longer moves, and the CASE provider finds an association by its stored
    identifier, so the URI the export mints for it resolves."""
    document = version.framework.case_identifier
    rows = version.competencies.filter(child_association_identifier="").values_list(
        "pk", "case_identifier", "parent__case_identifier"
    )
    Competency.objects.bulk_update(
        [
            Competency(
                pk=pk,
                child_association_identifier=case.child_association_identifier(item, parent or document),
            )
            for pk, item, parent in rows
        ],
        ["child_association_identifier"],
        batch_size=500,
    )


@transaction.atomic
def version_retire(*, version: FrameworkVersion) -> FrameworkVersion:
    """Retire a published version without a successor: it stays readable (and scores on it keep their
    meaning) but is no longer offered for new work."""
    version = FrameworkVersion.objects.select_for_update().select_related("framework").get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise FrameworkError(
            gettext("Only a published version can be retired; version %(number)s is a %(status)s.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )
    version.status = VersionStatus.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at"])
    return version


@transaction.atomic
def version_discard(*, version: FrameworkVersion) -> None:
    """Throw a draft away (the framework too when it has nothing else)."""
    _require_draft(version)
    framework = version.framework
    version.delete()
    if not framework.versions.exists():
        framework.delete()


@dataclass(frozen=True)
class CriterionSpec:
    competency: Competency
    title: str
    cells: Mapping[float, tuple[str, str]]  # scale value → (teacher language, student language)
    description: str = ""
    weight: float | None = None


def _rubric_problems(*, title: str, scale: ProficiencyScale, criteria: Sequence[CriterionSpec]) -> list[str]:
    levels = {level.value for level in scale.levels.all()}
    problems = []
    if not title.strip():
        problems.append(gettext("A rubric needs a title."))
    if not criteria:
        problems.append(gettext("A rubric needs at least one criterion."))
    for number, spec in enumerate(criteria, start=1):
        missing = sorted(levels - set(spec.cells))
        unknown = sorted(set(spec.cells) - levels)
        if missing:
            problems.append(
                gettext("Criterion %(number)s has no text for level(s) %(levels)s.")
                % {"number": number, "levels": ", ".join(f"{v:g}" for v in missing)}
            )
        if unknown:
            problems.append(
                gettext(
                    "Criterion %(number)s has text for level(s) %(levels)s that “%(scale)s” does not have."
                )
                % {"number": number, "levels": ", ".join(f"{v:g}" for v in unknown), "scale": scale.name}
            )
        if any(not teacher.strip() for teacher, _ in spec.cells.values()):
            problems.append(gettext("Criterion %(number)s has an empty cell.") % {"number": number})
        if spec.competency.version.framework.scale_id != scale.pk:
            problems.append(
                gettext(
                    "Criterion %(number)s assesses %(competency)s of a framework scored on another "
                    "scale than “%(scale)s”."
                )
                % {
                    "number": number,
                    "competency": spec.competency.human_code or gettext("a competency"),
                    "scale": scale.name,
                }
            )
    return problems


def _write_criteria(*, rubric: Rubric, criteria: Sequence[CriterionSpec]) -> None:
    levels = {level.value: level for level in rubric.scale.levels.all()}
    for position, spec in enumerate(criteria, start=1):
        criterion = RubricCriterion.objects.create(
            rubric=rubric,
            competency=spec.competency,
            title=spec.title,
            description=spec.description,
            weight=spec.weight,
            position=position,
            case_identifier=str(uuid.uuid4()),
        )
        RubricCell.objects.bulk_create(
            RubricCell(
                criterion=criterion,
                level=levels[value],
                description=teacher.strip(),
                student_description=student.strip(),
                position=index,
                case_identifier=str(uuid.uuid4()),
            )
            for index, (value, (teacher, student)) in enumerate(sorted(spec.cells.items()), start=1)
        )


@transaction.atomic
def rubric_create(
    *,
    owner: Organization,
    title: str,
    scale: ProficiencyScale,
    criteria: Sequence[CriterionSpec],
    description: str = "",
    version: FrameworkVersion | None = None,
    actor: User | None = None,
) -> Rubric:
    """A reusable rubric: one row per criterion, one cell per scale level, each in both languages. Every
    criterion assesses a competency of a framework scored on the rubric's scale."""
    problems = _rubric_problems(title=title, scale=scale, criteria=criteria)
    if problems:
        raise FrameworkError(problems)
    rubric = Rubric.objects.create(
        owner=owner,
        title=title.strip(),
        description=description,
        scale=scale,
        version=version,
        case_identifier=str(uuid.uuid4()),
        last_change=timezone.now(),
        created_by=actor,
    )
    _write_criteria(rubric=rubric, criteria=criteria)
    return rubric


@transaction.atomic
def rubric_update(
    *, rubric: Rubric, title: str, criteria: Sequence[CriterionSpec], description: str = ""
) -> Rubric:
    """Rewrite a rubric's title, description and criteria (its identifier and scale stay)."""
    rubric = Rubric.objects.select_for_update().select_related("scale").get(pk=rubric.pk)
    if rubric.version is not None and rubric.version.status != VersionStatus.DRAFT:
        raise Frozen(gettext("This rubric was published with a framework version and cannot change."))
    problems = _rubric_problems(title=title, scale=rubric.scale, criteria=criteria)
    if problems:
        raise FrameworkError(problems)
    rubric.title = title.strip()
    rubric.description = description
    rubric.last_change = timezone.now()
    rubric.save(update_fields=["title", "description", "last_change"])
    rubric.criteria.all().delete()
    _write_criteria(rubric=rubric, criteria=criteria)
    return rubric


# --- CASE import -------------------------------------------------------------------------------------------


def case_parse(*, raw: bytes, file_name: str, title: str = "") -> case.CasePackage:
    """Parse an uploaded CASE file: a CFPackage JSON, or OpenSALT's CSV item list (titled by `title`, else by
    the file name). Raises case.CasePackageError listing every problem."""
    limit = settings.WAYPOINT_CASE_MAX_BYTES
    if file_name.lower().endswith(".csv"):
        stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("_", " ").strip()
        return case.parse_opensalt_csv(
            raw, title=title.strip() or stem or gettext("Imported framework"), max_bytes=limit
        )
    return case.parse_package(raw, max_bytes=limit)


@dataclass
class ImportResult:
    version: FrameworkVersion
    outcome: str
    items: int
    associations: int
    warnings: list[str] = field(default_factory=list)


def _comparable(package: case.CasePackage) -> tuple[object, ...]:
    def key(entry: object) -> str:
        return str(getattr(entry, "identifier", ""))

    document = package.document
    # Publishing writes down the isChildOf identifiers a package left to be derived (see
    # `_settle_child_associations`): the derived ones are what the package means.
    items = [
        replace(
            item,
            child_association_identifier=item.child_association_identifier
            or case.child_association_identifier(
                item.identifier, item.parent_identifier or document.identifier
            ),
        )
        for item in package.items
    ]
    return (
        (document.title, document.version, document.adoption_status, document.description),
        case.case_extras(document),
        sorted(items, key=key),
        sorted(package.associations, key=key),
        sorted(package.rubrics, key=key),
        case.all_definitions(package),
    )


ITEM_ROW_FIELDS = (
    "position",
    "path",
    "depth",
    "source_identifier",
    "uri",
    "human_code",
    "full_statement",
    "abbreviated_statement",
    "alternative_label",
    "notes",
    "item_type",
    "tier",
    "kind",
    "education_levels",
    "subject",
    "language",
    "list_enumeration",
    "concept_keywords",
    "last_change",
    "child_association_identifier",
    "child_association_source_identifier",
    "child_association_uri",
    "child_association_last_change",
    "case_extras",
)


def _item_row(
    item: case.CaseItem, *, path: str, has_children: bool, kind: str, subject: str
) -> dict[str, object]:
    depth = path.count(".")
    values: tuple[object, ...] = (
        item.position,
        path,
        depth,
        item.source_identifier,
        item.uri,
        item.human_code,
        item.full_statement,
        item.abbreviated_statement,
        item.alternative_label,
        item.notes,
        item.item_type,
        infer_tier(item.item_type, depth=depth, has_children=has_children),
        kind,
        list(item.education_levels),
        subject,
        item.language,
        item.list_enumeration,
        list(item.concept_keywords),
        _when(item.last_change),
        item.child_association_identifier,
        item.child_association_source_identifier,
        item.child_association_uri,
        _when(item.child_association_last_change),
        case.case_extras(item),
    )
    return dict(zip(ITEM_ROW_FIELDS, values, strict=True))


_KIND_OF_FRAMEWORK = {
    FrameworkKind.GRADUATE_PROFILE: CompetencyKind.TRANSFERABLE_SKILL,
    FrameworkKind.CAREER: CompetencyKind.CAREER,
}


def _apply_package(
    *, version: FrameworkVersion, package: case.CasePackage, progress: Progress | None
) -> None:
    """Make a draft hold exactly the package's items, associations and rubrics, matching by identifier."""
    framework = version.framework
    competency_kind = _KIND_OF_FRAMEWORK.get(FrameworkKind(framework.kind), CompetencyKind.CONTENT)
    subject = ", ".join(framework.subjects)
    items = package.items
    parents = {item.identifier: item.parent_identifier for item in items}
    paths = tree_paths(parents, {item.identifier: item.position for item in items})
    with_children = {item.parent_identifier for item in items if item.parent_identifier}
    existing = {row.case_identifier: row for row in version.competencies.all()}
    rows: dict[str, Competency] = {}
    changed_rows: list[Competency] = []
    by_depth: dict[int, list[case.CaseItem]] = {}
    for item in items:
        by_depth.setdefault(paths[item.identifier].count("."), []).append(item)
    done, total = 0, len(items)
    # One insert per tree level: every parent exists (with its id) before its children are written, so no
    # second pass has to set parents.
    for depth in sorted(by_depth):
        new_rows: list[Competency] = []
        for item in by_depth[depth]:
            values = _item_row(
                item,
                path=paths[item.identifier],
                has_children=item.identifier in with_children,
                kind=competency_kind,
                subject=subject,
            )
            values["parent_id"] = rows[item.parent_identifier].pk if item.parent_identifier else None
            row = existing.pop(item.identifier, None)
            if row is None:
                row = Competency(version=version, case_identifier=item.identifier, **values)
                new_rows.append(row)
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                changed_rows.append(row)
            rows[item.identifier] = row
        Competency.objects.bulk_create(new_rows, batch_size=500)
        done += len(by_depth[depth])
        if progress:
            progress("items", done, total)
    Competency.objects.bulk_update(changed_rows, ["parent", *ITEM_ROW_FIELDS], batch_size=200)
    if existing:
        try:
            Competency.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
        except ProtectedError as refused:
            codes = ", ".join(sorted({row.human_code or row.case_identifier for row in existing.values()}))
            raise FrameworkError(
                gettext(
                    "The package removes competencies that a rubric assesses (%(codes)s); "
                    "change the rubric first."
                )
                % {"codes": codes}
            ) from refused
    Alignment.objects.filter(competency__version=version).delete()
    Alignment.objects.bulk_create(
        (
            Alignment(
                competency=rows[association.origin_identifier],
                association_type=association.association_type,
                target_identifier=association.destination_identifier,
                target_uri=association.destination_uri,
                target_title=association.destination_title,
                target_in_package=association.destination_in_package,
                case_identifier=association.identifier,
                source_identifier=association.source_identifier,
                uri=association.uri,
                sequence_number=association.sequence_number,
                last_change=_when(association.last_change),
                case_extras=case.case_extras(association),
            )
            for association in package.associations
        ),
        batch_size=500,
    )
    if progress:
        progress("associations", len(package.associations), len(package.associations))
    _apply_rubrics(version=version, rubrics=package.rubrics, rows=rows)
    version.case_definitions.all().delete()
    CaseDefinition.objects.bulk_create(
        (
            CaseDefinition(
                version=version,
                kind=definition.kind,
                position=position,
                case_identifier=definition.identifier,
                source_identifier=definition.source_identifier,
                uri=definition.uri,
                title=definition.title,
                description=definition.description,
                hierarchy_code=definition.hierarchy_code,
                type_code=definition.type_code,
                keywords=definition.keywords,
                license_text=definition.license_text,
                last_change=_when(definition.last_change),
                extensions=definition.extensions,
            )
            # With the definitions its links imply, so that each resolves at the CASE provider.
            for position, definition in enumerate(case.all_definitions(package))
        ),
        batch_size=500,
    )


def _apply_rubrics(
    *, version: FrameworkVersion, rubrics: Sequence[case.CaseRubric], rows: Mapping[str, Competency]
) -> None:
    version.rubrics.all().delete()
    if not rubrics:
        return
    scale = version.framework.scale
    levels = list(scale.levels.all())
    by_value = {level.value: level for level in levels}
    problems = []
    for rubric in rubrics:
        for criterion in rubric.criteria:
            if criterion.item_identifier is None:
                problems.append(
                    gettext("%(identifier)s: a rubric criterion must assess an item of the framework.")
                    % {"identifier": criterion.identifier}
                )
            for level in criterion.levels:
                if level.score is None or level.score not in by_value:
                    problems.append(
                        gettext(
                            "%(identifier)s: the score %(score)s is not a level of “%(scale)s” (%(levels)s)."
                        )
                        % {
                            "identifier": level.identifier,
                            "score": level.score,
                            "scale": scale.name,
                            "levels": ", ".join(f"{value:g}" for value in by_value),
                        }
                    )
    if problems:
        raise FrameworkError(problems)
    for rubric in rubrics:
        stored = Rubric.objects.create(
            owner=version.framework.owner,
            title=rubric.title or "Rubric",
            description=rubric.description,
            scale=scale,
            version=version,
            case_identifier=rubric.identifier,
            source_identifier=rubric.source_identifier,
            uri=rubric.uri,
            last_change=_when(rubric.last_change),
        )
        for criterion in rubric.criteria:
            assert criterion.item_identifier is not None  # checked above  # noqa: S101
            stored_criterion = RubricCriterion.objects.create(
                rubric=stored,
                competency=rows[criterion.item_identifier],
                title=criterion.category,
                description=criterion.description,
                weight=criterion.weight,
                position=criterion.position,
                case_identifier=criterion.identifier,
                source_identifier=criterion.source_identifier,
                uri=criterion.uri,
                last_change=_when(criterion.last_change),
            )
            RubricCell.objects.bulk_create(
                RubricCell(
                    criterion=stored_criterion,
                    level=by_value[level.score],
                    description=level.description,
                    student_description=level.feedback,
                    position=level.position,
                    case_identifier=level.identifier,
                    source_identifier=level.source_identifier,
                    uri=level.uri,
                    last_change=_when(level.last_change),
                )
                for level in criterion.levels
                if level.score is not None
            )


def _document_fields(document: case.CaseDocument) -> dict[str, object]:
    return {
        "title": document.title,
        "subjects": list(document.subject),
        "description": document.description,
        "creator": document.creator,
        "publisher": document.publisher,
        "language": document.language,
        "source_identifier": document.source_identifier,
        "uri": document.uri,
        "official_source_url": document.official_source_url,
    }


def _version_fields(document: case.CaseDocument) -> dict[str, object]:
    return {
        "label": document.version,
        "adoption_status": document.adoption_status,
        "notes": document.notes,
        "last_change": _when(document.last_change),
        "case_extras": case.case_extras(document),
    }


_ITEM_LIMITS = (
    "human_code",
    "uri",
    "source_identifier",
    "item_type",
    "list_enumeration",
    "alternative_label",
    "language",
    "child_association_uri",
    "child_association_source_identifier",
)
_ASSOCIATION_LIMITS = {
    "destination_identifier": "target_identifier",
    "destination_uri": "target_uri",
    "destination_title": "target_title",
    "uri": "uri",
    "source_identifier": "source_identifier",
}
_DOCUMENT_LIMITS = ("title", "creator", "publisher", "uri")
_DEFINITION_LIMITS = ("uri", "source_identifier", "title", "hierarchy_code", "type_code")


def _limit_problems(
    entry: object, identifier: str, limits: Mapping[str, str] | Sequence[str], model: type[Model]
) -> list[str]:
    pairs = limits.items() if isinstance(limits, Mapping) else [(name, name) for name in limits]
    problems = []
    for attribute, field_name in pairs:
        limit = getattr(model._meta.get_field(field_name), "max_length", None)
        value = str(getattr(entry, attribute))
        if limit is not None and len(value) > limit:
            problems.append(
                gettext(
                    "%(identifier)s: %(attribute)s is %(length)s characters long; the limit is %(limit)s."
                )
                % {"identifier": identifier, "attribute": attribute, "length": len(value), "limit": limit}
            )
    return problems


def package_problems(package: case.CasePackage) -> list[str]:
    """What a parsed package holds that Waypoint cannot store faithfully (values longer than their columns,
    sibling positions beyond the tree's range): refused rather than cut short."""
    problems = _limit_problems(package.document, package.document.identifier, _DOCUMENT_LIMITS, Framework)
    for item in package.items:
        problems += _limit_problems(item, item.identifier, _ITEM_LIMITS, Competency)
        if not 0 <= item.position <= MAX_POSITION:
            problems.append(
                gettext("%(identifier)s: the position %(position)s is beyond %(limit)s.")
                % {"identifier": item.identifier, "position": item.position, "limit": MAX_POSITION}
            )
    for association in package.associations:
        problems += _limit_problems(association, association.identifier, _ASSOCIATION_LIMITS, Alignment)
    for definition in case.all_definitions(package):
        problems += _limit_problems(definition, definition.identifier, _DEFINITION_LIMITS, CaseDefinition)
    entries: list[object] = [
        package.document,
        *package.items,
        *package.associations,
        *package.definitions,
    ]
    for rubric in package.rubrics:
        entries += [
            rubric,
            *rubric.criteria,
            *(level for criterion in rubric.criteria for level in criterion.levels),
        ]
    for entry in entries:
        for name, value in vars(entry).items():
            # Through JSON, so that the text inside links and extensions is checked too (PostgreSQL stores
            # no NUL in text or JSON).
            if "\\u0000" in json.dumps(value, default=vars):
                problems.append(
                    gettext("%(identifier)s: %(attribute)s contains a NUL character.")
                    % {"identifier": getattr(entry, "identifier", ""), "attribute": name}
                )
    return problems


@transaction.atomic
def case_import(
    *,
    package: case.CasePackage,
    owner: Organization,
    file_name: str,
    content: bytes,
    actor: User | None = None,
    kind: str = FrameworkKind.STANDARDS,
    publish: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a parsed CASE package for an owner (the state or a district), all or nothing.

    The framework is found by its document identifier: a new one is created; a draft is updated in place; a
    published framework gets a new draft holding the changes, or nothing when the package says what the
    latest version already says. With `publish`, the resulting draft is published.
    """
    problems = package_problems(package)
    if problems:
        raise FrameworkError(problems)
    document = package.document
    framework = (
        Framework.objects.select_for_update().filter(owner=owner, case_identifier=document.identifier).first()
    )
    if framework is None:
        framework = Framework.objects.create(
            owner=owner,
            kind=kind,
            case_identifier=document.identifier,
            scale=default_scale(owner=owner),
            **_document_fields(document),
        )
        version = FrameworkVersion.objects.create(
            framework=framework, number=1, created_by=actor, **_version_fields(document)
        )
        outcome = FrameworkImport.Outcome.CREATED
    else:
        for name, value in _document_fields(document).items():
            setattr(framework, name, value)
        framework.save()
        draft = framework.versions.filter(status=VersionStatus.DRAFT).first()
        latest = draft or framework.versions.order_by("-number").first()
        if latest is not None and _comparable(version_package(latest)) == _comparable(package):
            version, outcome = latest, FrameworkImport.Outcome.UNCHANGED
        elif draft is not None:
            version, outcome = draft, FrameworkImport.Outcome.UPDATED
        else:
            version, outcome = (
                draft_create(framework=framework, actor=actor),
                FrameworkImport.Outcome.NEW_DRAFT,
            )
        if outcome != FrameworkImport.Outcome.UNCHANGED:
            for name, value in _version_fields(document).items():
                setattr(version, name, value)
            version.save()
    if outcome != FrameworkImport.Outcome.UNCHANGED:
        _apply_package(version=version, package=package, progress=progress)
    if publish and version.status == VersionStatus.DRAFT:
        version = version_publish(version=version, actor=actor)
        if document.last_change:
            # Publishing what was imported changes nothing in it: the document keeps its publisher's date.
            version.last_change = _when(document.last_change)
            version.save(update_fields=["last_change"])
    summary = case.package_summary(package)
    warnings = [str(warning) for warning in package.warnings]
    FrameworkImport.objects.create(
        version=version,
        outcome=outcome,
        file_name=file_name[:500],
        sha256=hashlib.sha256(content).hexdigest(),
        item_count=summary["items"],
        association_count=summary["associations"],
        warnings=warnings,
        imported_by=actor,
    )
    return ImportResult(
        version=version,
        outcome=outcome,
        items=summary["items"],
        associations=summary["associations"],
        warnings=warnings,
    )

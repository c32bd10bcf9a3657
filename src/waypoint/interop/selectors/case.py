"""The reads of the CASE 1.1 provider: published framework versions as the resources of the CASE REST API.

Public by decision. CASE publishes frameworks for subscribers, and a framework holds no student data: a
state's standards and a district's graduate profile are statements of what is expected, which the
district's families and partners are meant to read. So every published version is served to anyone,
whichever organization owns it; drafts never are, and a retired version stops being served when its
successor is published (its URIs then answer with the successor's content, which keeps the identifiers).

One identifier, one answer. The same CASE document can be held by two owners (a state imported it, and a
district imported it too): the state's copy is served, else the copy imported first. Identifiers are
compared as CASE does: a UUID in any letter case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext

from waypoint.core.errors import Invalid, NotVisible
from waypoint.core.models import Organization
from waypoint.frameworks import case
from waypoint.frameworks.models import (
    Alignment,
    CaseDefinition,
    CaseDefinitionKind,
    Competency,
    FrameworkVersion,
    Rubric,
    VersionStatus,
)
from waypoint.frameworks.selectors import (
    case_base_uri,
    case_generated_at,
    version_document,
    version_package,
)

PACKAGE_SECONDS = 300
DEFAULT_LIMIT = 100
Entry = dict[str, object]  # one entry of a built package (a CFItem, a CFAssociation, a definition…)
MAX_LIMIT = 1000
# The CFDocument fields a subscriber may sort the document list by.
SORT_FIELDS = (
    "identifier",
    "title",
    "creator",
    "publisher",
    "lastChangeDateTime",
    "version",
    "adoptionStatus",
)
# Definitions served as a set: the one asked for, then the ones below it in its hierarchy (by hierarchyCode).
DEFINITION_SETS = {CaseDefinitionKind.CONCEPT, CaseDefinitionKind.SUBJECT, CaseDefinitionKind.ITEM_TYPE}


class UnknownObject(NotVisible):
    """No published CASE resource has this identifier (CASE's `unknownobject`)."""


class InvalidSortField(Invalid):
    """The list cannot be sorted as asked (CASE's `invalid_sort_field`); the problems list every reason."""


class InvalidIdentifier(UnknownObject):
    """The identifier is not a UUID, so nothing can have it (CASE's `invalid_uuid`, still a 404)."""


@dataclass(frozen=True)
class DocumentPage:
    """One page of the CFDocuments list, and how many there are in all."""

    documents: list[dict[str, object]]
    total: int
    limit: int
    offset: int


def _forms(identifier: str) -> set[str]:
    """The stored spellings that match `identifier`: identifiers are kept as their publisher wrote them, and
    a UUID matches in any letter case."""
    if not case.is_uuid(identifier):
        raise InvalidIdentifier(gettext("“%(identifier)s” is not a UUID.") % {"identifier": identifier})
    return {identifier, identifier.lower(), identifier.upper()}


def _preferred(versions: QuerySet[FrameworkVersion]) -> QuerySet[FrameworkVersion]:
    """Published versions, the state's first, then by framework age (see the module's note)."""
    return (
        versions.filter(status=VersionStatus.PUBLISHED)
        .select_related("framework__owner")
        .annotate(
            owner_rank=Case(
                When(framework__owner__kind=Organization.Kind.STATE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("owner_rank", "framework_id")
    )


def _unknown(what: str, identifier: str) -> UnknownObject:
    return UnknownObject(
        gettext("No published %(what)s has the identifier %(identifier)s.")
        % {"what": what, "identifier": identifier}
    )


def _version_of(version_ids: Iterable[int], what: str, identifier: str) -> FrameworkVersion:
    version = _preferred(FrameworkVersion.objects.filter(pk__in=list(version_ids))).first()
    if version is None:
        raise _unknown(what, identifier)
    return version


def _found(
    version_ids: Iterable[int],
    what: str,
    identifier: str,
    entries: Callable[[dict[str, object]], list[Entry]],
) -> tuple[dict[str, object], Entry]:
    """The package of the preferred published version among `version_ids` whose `entries` hold
    `identifier`, and that entry. A lookup can be wider than a package (an item type's title matches even
    where every item links a type of its own), so each candidate's package is asked in turn."""
    for version in _preferred(FrameworkVersion.objects.filter(pk__in=list(version_ids))):
        built = _package(version)
        entry = _entry(entries(built), identifier)
        if entry is not None:
            return built, entry
    raise _unknown(what, identifier)


def _package(version: FrameworkVersion) -> dict[str, object]:
    """The version's CASE 1.1 package, built once and then kept for PACKAGE_SECONDS: every item, association
    and definition is answered from its package, and a subscriber reading a framework item by item would
    otherwise have the whole package built for each (a third of a second for Common Core's 703 items). A
    published version does not change; its framework's own fields (title, description…) only by a new
    import, which then shows after at most PACKAGE_SECONDS, like the answers' Cache-Control."""
    published = version.published_at.isoformat() if version.published_at else ""
    key = f"interop:case-package:{version.pk}:{published}:{case_base_uri()}"
    built: dict[str, object] | None = cache.get(key)
    if built is None:
        built = case.build_package(
            version_package(version),
            base_uri=case_base_uri(),
            generated_at=case_generated_at(version),
            case_version="1.1",
        )
        cache.set(key, built, PACKAGE_SECONDS)
    return built


def _entries(built: dict[str, object], name: str) -> list[dict[str, object]]:
    entries = built.get(name)
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def _entry(entries: Sequence[Entry], identifier: str) -> Entry | None:
    """The entry with `identifier`, compared as CASE does."""
    wanted = identifier.lower()
    return next((entry for entry in entries if str(entry["identifier"]).lower() == wanted), None)


def _document_link(built: dict[str, object]) -> dict[str, object]:
    document = built["CFDocument"]
    assert isinstance(document, dict)  # noqa: S101 — the writer always writes one
    return {"title": document["title"], "identifier": document["identifier"], "uri": document["uri"]}


def documents(
    *, limit: int = DEFAULT_LIMIT, offset: int = 0, sort: str = "", descending: bool = False
) -> DocumentPage:
    """A page of the CFDocuments of every published version (sorted by title unless `sort` names a field of
    SORT_FIELDS). Invalid for a limit or offset out of range or an unknown sort field."""
    problems = []
    if not 1 <= limit <= MAX_LIMIT:
        problems.append(gettext("limit must be between 1 and %(max)s.") % {"max": MAX_LIMIT})
    if offset < 0:
        problems.append(gettext("offset must not be negative."))
    if sort and sort not in SORT_FIELDS:
        problems.append(
            gettext("%(sort)s is not a field to sort by; use one of %(fields)s.")
            % {"sort": sort, "fields": ", ".join(SORT_FIELDS)}
        )
    if problems:
        raise (InvalidSortField if sort and sort not in SORT_FIELDS else Invalid)(problems)
    built = [
        case.build_document(
            case.CasePackage(document=version_document(version), items=(), associations=()),
            base_uri=case_base_uri(),
            generated_at=case_generated_at(version),
        )
        for version in _preferred(FrameworkVersion.objects.all())
    ]
    # One document per identifier: the preferred copy comes first.
    unique: dict[str, dict[str, object]] = {}
    for document in built:
        unique.setdefault(str(document["identifier"]).lower(), document)
    field = sort or "title"
    ordered = sorted(
        unique.values(),
        key=lambda document: (str(document.get(field, "")).casefold(), str(document["identifier"])),
        reverse=descending,
    )
    return DocumentPage(ordered[offset : offset + limit], len(ordered), limit, offset)


def _document_version(identifier: str) -> FrameworkVersion:
    return _version_of(
        FrameworkVersion.objects.filter(framework__case_identifier__in=_forms(identifier)).values_list(
            "pk", flat=True
        ),
        gettext("CFDocument"),
        identifier,
    )


def document(identifier: str) -> dict[str, object]:
    """The CFDocument (with its CFPackageURI) of the published version of the framework `identifier`."""
    version = _document_version(identifier)
    return case.build_document(
        case.CasePackage(document=version_document(version), items=(), associations=()),
        base_uri=case_base_uri(),
        generated_at=case_generated_at(version),
    )


def package(identifier: str) -> dict[str, object]:
    """The whole CASE 1.1 CFPackage of the published version of the framework `identifier`."""
    return _package(_document_version(identifier))


def _item(identifier: str) -> tuple[dict[str, object], Entry]:
    return _found(
        Competency.objects.filter(case_identifier__in=_forms(identifier)).values_list(
            "version_id", flat=True
        ),
        gettext("CFItem"),
        identifier,
        lambda built: _entries(built, "CFItems"),
    )


def item(identifier: str) -> dict[str, object]:
    """The CFItem `identifier` of a published version, with its CFDocumentURI."""
    built, found = _item(identifier)
    return {**found, "CFDocumentURI": _document_link(built)}


def item_associations(identifier: str) -> dict[str, object]:
    """The CFItem `identifier` and every association it is an end of (CFAssociationSet)."""
    built, found = _item(identifier)
    wanted = str(found["identifier"]).lower()

    def ends(association: dict[str, object]) -> set[str]:
        nodes = (association.get("originNodeURI"), association.get("destinationNodeURI"))
        return {str(node.get("identifier", "")).lower() for node in nodes if isinstance(node, dict)}

    return {
        "CFItem": {**found, "CFDocumentURI": _document_link(built)},
        "CFAssociations": [entry for entry in _entries(built, "CFAssociations") if wanted in ends(entry)],
    }


def association(identifier: str) -> dict[str, object]:
    """The CFAssociation `identifier` of a published version (an isChildOf one too), with its
    CFDocumentURI."""
    forms = _forms(identifier)
    version_ids = [
        *Alignment.objects.filter(case_identifier__in=forms).values_list("competency__version_id", flat=True),
        *Competency.objects.filter(child_association_identifier__in=forms).values_list(
            "version_id", flat=True
        ),
    ]
    built, found = _found(
        version_ids, gettext("CFAssociation"), identifier, lambda built: _entries(built, "CFAssociations")
    )
    return {**found, "CFDocumentURI": _document_link(built)}


def _definitions_of(built: dict[str, object], kind: str) -> list[dict[str, object]]:
    definitions = built.get("CFDefinitions")
    return _entries(definitions, kind) if isinstance(definitions, dict) else []


def definition(kind: CaseDefinitionKind, identifier: str) -> dict[str, object]:
    """The definition `identifier` of `kind`: for concepts, subjects and item types a set of it and the ones
    below it (`{"CFItemTypes": [...]}`), for licences and association groupings the definition alone."""
    forms = _forms(identifier)
    version_ids = list(
        CaseDefinition.objects.filter(kind=kind, case_identifier__in=forms).values_list(
            "version_id", flat=True
        )
    )
    if kind == CaseDefinitionKind.ITEM_TYPE:
        version_ids += _versions_deriving_item_type(forms)
    what = str(CaseDefinitionKind(kind).label)
    built, found = _found(version_ids, what, identifier, lambda built: _definitions_of(built, kind))
    if kind not in DEFINITION_SETS:
        return found
    code = str(found.get("hierarchyCode", ""))
    below = [
        entry
        for entry in _definitions_of(built, kind)
        if code and str(entry.get("hierarchyCode", "")).startswith(code + ".")
    ]
    return {kind: [found, *below]}


def _versions_deriving_item_type(forms: set[str]) -> list[int]:
    """Versions with competencies typed by a title alone (made in Waypoint, or imported before links were
    kept), whose item type the export derives from the title."""
    titles = (
        Competency.objects.filter(version__status=VersionStatus.PUBLISHED)
        .exclude(item_type="")
        .values_list("item_type", flat=True)
        .distinct()
    )
    matching = [title for title in titles if case.derived_item_type_identifier(title) in forms]
    if not matching:
        return []
    return list(
        Competency.objects.filter(version__status=VersionStatus.PUBLISHED, item_type__in=matching)
        .values_list("version_id", flat=True)
        .distinct()
    )


def rubric(identifier: str) -> dict[str, object]:
    """The CFRubric `identifier` published with a framework version."""
    rubrics = Rubric.objects.filter(case_identifier__in=_forms(identifier), version__isnull=False)
    _, found = _found(
        rubrics.values_list("version_id", flat=True),
        gettext("CFRubric"),
        identifier,
        lambda built: _entries(built, "CFRubrics"),
    )
    return found

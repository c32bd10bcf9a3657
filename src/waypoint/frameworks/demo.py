"""The demo districts' frameworks: a graduate profile per district, state-wide content frameworks the
districts adopt, the default scale, rubrics in both languages, and (when the file is at hand) Common Core Math
imported from CASE and aligned to.

Everything goes through the same services as real data: the frameworks are built as CASE packages and
imported, so the demo also exercises the importer. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from waypoint.core.demo import DemoWorld
from waypoint.core.models import Organization
from waypoint.frameworks import case, demo_content, services
from waypoint.frameworks.models import Competency, Framework, FrameworkKind, Tier

CCSS_MATH_FILE = "ccss_math_opensalt_2017.json"
DEMO_STAMP = "2026-08-01T00:00:00+00:00"

_FRAMEWORK_KINDS = {
    "graduate-profile": FrameworkKind.GRADUATE_PROFILE,
    "cte-health-science": FrameworkKind.CAREER,
}


def default_ccss_path() -> Path | None:
    """Common Core Math as OpenSALT published it, when the shared sample data sits beside the project."""
    checkout = Path(__file__).resolve().parents[3]
    candidate = checkout.parent / "shared" / "data" / "case" / CCSS_MATH_FILE
    return candidate if candidate.is_file() else None


def _identifier(owner: Organization, code: str) -> str:
    return case.stable_identifier(f"waypoint-demo:{owner.slug}:{code}")


def _package(
    framework: demo_content.DemoFramework, owner: Organization, ccss_codes: dict[str, Competency]
) -> tuple[case.CasePackage, dict[str, tuple[str, str, str]]]:
    """The demo framework as a CASE package, plus what CASE has no field for (tier, kind, student wording)
    keyed by item identifier."""
    items: list[case.CaseItem] = []
    associations: list[case.CaseAssociation] = []
    extras: dict[str, tuple[str, str, str]] = {}

    def add(
        code: str,
        statement: str,
        student: str,
        parent: str | None,
        position: int,
        tier: str,
        kind: str,
        levels: tuple[str, ...],
        item_type: str,
        abbreviated: str = "",
    ) -> str:
        identifier = _identifier(owner, code)
        items.append(
            case.CaseItem(
                identifier=identifier,
                source_identifier="",
                uri="",
                full_statement=statement,
                human_code=code,
                abbreviated_statement=abbreviated,
                item_type=item_type,
                education_levels=levels,
                language="en",
                last_change=DEMO_STAMP,
                parent_identifier=parent,
                position=position,
                child_association_identifier=_identifier(owner, f"isChildOf:{code}"),
                child_association_last_change=DEMO_STAMP,
            )
        )
        extras[identifier] = (tier, kind, student)
        return identifier

    for d_position, domain in enumerate(framework.domains, start=1):
        levels = tuple(sorted({level for c in domain.competencies for level in c.education_levels}))
        kind = domain.competencies[0].kind if domain.competencies else "content"
        domain_id = add(
            domain.code,
            domain.statement,
            domain.student_statement,
            None,
            d_position,
            Tier.DOMAIN,
            kind,
            levels,
            "Domain",
            domain.title,
        )
        for c_position, competency in enumerate(domain.competencies, start=1):
            competency_id = add(
                competency.code,
                competency.statement,
                competency.student_statement,
                domain_id,
                c_position,
                Tier.COMPETENCY,
                competency.kind,
                competency.education_levels,
                "Competency",
            )
            for i_position, indicator in enumerate(competency.indicators, start=1):
                add(
                    indicator.code,
                    indicator.statement,
                    indicator.student_statement,
                    competency_id,
                    i_position,
                    Tier.INDICATOR,
                    competency.kind,
                    competency.education_levels,
                    "Performance Indicator",
                )
            for number, code in enumerate(competency.aligned_ccss_codes, start=1):
                target = ccss_codes.get(code)
                associations.append(
                    case.CaseAssociation(
                        identifier=_identifier(owner, f"alignment:{competency.code}:{code}"),
                        source_identifier="",
                        uri="",
                        association_type="isRelatedTo",
                        origin_identifier=competency_id,
                        destination_identifier=target.case_identifier
                        if target
                        else case.stable_identifier(code),
                        destination_uri=target.uri if target else "",
                        destination_title=code,
                        destination_in_package=False,
                        sequence_number=number,
                        last_change=DEMO_STAMP,
                    )
                )
    document = case.CaseDocument(
        identifier=_identifier(owner, f"framework:{framework.key}"),
        source_identifier="",
        uri="",
        title=framework.title if owner.kind == Organization.Kind.STATE else f"{owner.name} {framework.title}",
        creator=owner.name,
        description=framework.description,
        subject=(framework.subject,),
        language="en",
        version="1.0",
        adoption_status="Adopted",
        last_change=DEMO_STAMP,
    )
    return case.CasePackage(document=document, items=tuple(items), associations=tuple(associations)), extras


def _import(
    framework: demo_content.DemoFramework, owner: Organization, ccss_codes: dict[str, Competency]
) -> Framework:
    package, extras = _package(framework, owner, ccss_codes)
    result = services.case_import(
        package=package,
        owner=owner,
        file_name=f"demo-{framework.key}.json",
        content=framework.key.encode(),
        kind=_FRAMEWORK_KINDS.get(framework.key, FrameworkKind.CONTENT),
        publish=True,
    )
    rows = list(result.version.competencies.all())
    for row in rows:
        row.tier, row.kind, row.student_statement = extras[row.case_identifier]
    Competency.objects.bulk_update(rows, ["tier", "kind", "student_statement"], batch_size=500)
    return result.version.framework


def _rubrics(owner: Organization, codes: dict[str, Competency]) -> int:
    created = 0
    for rubric in demo_content.RUBRICS:
        if not all(criterion.competency_code in codes for criterion in rubric.criteria):
            continue
        scale = codes[rubric.criteria[0].competency_code].version.framework.scale
        services.rubric_create(
            owner=owner,
            title=rubric.title,
            description=rubric.description,
            scale=scale,
            criteria=[
                services.CriterionSpec(
                    competency=codes[criterion.competency_code],
                    title=criterion.title,
                    cells={
                        float(cell.level_value): (cell.description, cell.student_description)
                        for cell in criterion.cells
                    },
                )
                for criterion in rubric.criteria
            ],
        )
        created += 1
    return created


def _open_revision_draft(framework: Framework) -> None:
    """Riverside is revising its graduate profile: a draft with one reworded and one added indicator, so the
    publish page and the diff have something to show."""
    draft = services.draft_create(framework=framework)
    first_indicator = draft.competencies.filter(tier=Tier.INDICATOR).order_by("path").first()
    if first_indicator is None:
        return
    services.competency_update(
        competency=first_indicator,
        fields=services.CompetencyFields(
            human_code=first_indicator.human_code,
            full_statement=first_indicator.full_statement + " (revised for 2027)",
            student_statement=first_indicator.student_statement,
            tier=first_indicator.tier,
            kind=first_indicator.kind,
            education_levels=tuple(first_indicator.education_levels),
        ),
    )
    parent = first_indicator.parent
    services.competency_create(
        version=draft,
        parent=parent,
        fields=services.CompetencyFields(
            human_code=f"{parent.human_code}.new" if parent else "NEW.1",
            full_statement="Adapts a message for an audience outside school, such as a community partner.",
            student_statement="I can change how I share my ideas for people outside school.",
            tier=Tier.INDICATOR,
            kind=first_indicator.kind,
            education_levels=tuple(first_indicator.education_levels),
        ),
    )


def is_loaded(districts: Iterable[Organization]) -> bool:
    return Framework.objects.filter(owner__in=list(districts), kind=FrameworkKind.GRADUATE_PROFILE).exists()


@transaction.atomic
def load_demo_frameworks(
    *, state: Organization, districts: list[Organization], today: datetime.date, ccss_path: Path | None = None
) -> dict[str, int]:
    """Load the demo frameworks for the demo state and districts unless they are there; returns counts."""
    if is_loaded(districts):
        return {}
    services.default_scale(owner=state)
    ccss_codes: dict[str, Competency] = {}
    if ccss_path is not None:
        raw = ccss_path.read_bytes()
        result = services.case_import(
            package=case.parse_package(raw), owner=state, file_name=ccss_path.name, content=raw, publish=True
        )
        ccss_codes = {row.human_code: row for row in result.version.competencies.exclude(human_code="")}
        for district in districts:
            services.framework_adopt(framework=result.version.framework, district=district, on=today)
    counts = {"frameworks": 0, "competencies": 0, "rubrics": 0}
    state_codes: dict[str, Competency] = {}
    for framework in demo_content.FRAMEWORKS:
        if framework.key == "graduate-profile":
            continue
        imported = _import(framework, state, ccss_codes)
        for district in districts:
            services.framework_adopt(framework=imported, district=district, on=today)
        counts["frameworks"] += 1
        for row in Competency.objects.filter(version__framework=imported).select_related(
            "version__framework__scale"
        ):
            state_codes[row.human_code] = row
    counts["rubrics"] += _rubrics(state, state_codes)
    profile = next(f for f in demo_content.FRAMEWORKS if f.key == "graduate-profile")
    for district in districts:
        imported = _import(profile, district, ccss_codes)
        counts["frameworks"] += 1
        codes = {
            row.human_code: row
            for row in Competency.objects.filter(version__framework=imported).select_related(
                "version__framework__scale"
            )
        }
        counts["rubrics"] += _rubrics(district, codes)
        if district.slug == "riverside":
            _open_revision_draft(imported)
    counts["competencies"] = Competency.objects.filter(
        version__framework__owner__in=[state, *districts]
    ).count()
    return counts


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The frameworks part of the demo (registered on FrameworksConfig as its `demo_loader`)."""
    return load_demo_frameworks(
        state=world.state, districts=world.districts, today=world.today, ccss_path=world.ccss_path
    )

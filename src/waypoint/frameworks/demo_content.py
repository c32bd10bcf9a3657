"""The demo competency frameworks, proficiency scale and rubrics, read from the data files in demo_data/.

A district Graduate Profile of transferable skills, four content frameworks (mathematics, ELA, science,
social studies) and one CTE career cluster (Health Science), for grades 6-12. Every competency and performance
indicator has a teacher statement and the same expectation in student-accessible language ("I can ..."),
as the Connecticut white paper asks of rubrics. Loaders turn this into framework versions; tests check its
invariants.

The files: frameworks.json lists the frameworks in order with the kind of their competencies; case/<key>.json
is each framework as a CASE 1.0 package (domains, competencies with grades and Common Core alignments,
performance indicators); student_statements.csv holds the student wording CASE has no field for, by code;
scale.json and rubrics.json hold the default scale and the rubrics, in teacher and student language;
units.json holds the autumn's units of each subject's classes (middle and high school), each an assessment
aligned to content indicators, in the order they are taught.

Sources of the wording: Common Core alignments use only human codes present in the 2017 OpenSALT CASE exports
(../shared/data/case/); science follows the NGSS practices and disciplinary core ideas; social studies follows
the C3 inquiry arc of the Connecticut Social Studies Frameworks; Health Science follows the National Health
Science Standards. The statements themselves are written for this demo, not copied from those documents.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from waypoint.frameworks import case

DATA_DIR = Path(__file__).with_name("demo_data")


@dataclass(frozen=True)
class DemoIndicator:
    """A performance indicator: one measurable part of a competency."""

    code: str
    statement: str
    student_statement: str


@dataclass(frozen=True)
class DemoCompetency:
    code: str
    statement: str
    student_statement: str
    kind: str
    education_levels: tuple[str, ...]
    indicators: tuple[DemoIndicator, ...]
    aligned_ccss_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoDomain:
    code: str
    title: str
    statement: str
    student_statement: str
    competencies: tuple[DemoCompetency, ...]


@dataclass(frozen=True)
class DemoFramework:
    key: str
    title: str
    subject: str
    description: str
    domains: tuple[DemoDomain, ...]


@dataclass(frozen=True)
class DemoRubricCell:
    level_value: int
    description: str
    student_description: str


@dataclass(frozen=True)
class DemoRubricCriterion:
    competency_code: str
    title: str
    cells: tuple[DemoRubricCell, ...]


@dataclass(frozen=True)
class DemoRubric:
    title: str
    description: str
    criteria: tuple[DemoRubricCriterion, ...]


@dataclass(frozen=True)
class DemoUnit:
    """One assessment of a subject's autumn: what students do, the content competencies it is aligned to, and
    the rubric it is scored with (a title in rubrics.json, or none)."""

    title: str
    kind: str
    instructions: str
    competency_codes: tuple[str, ...]
    rubric_title: str = ""


@dataclass(frozen=True)
class DemoCourse:
    """The units, in teaching order, of a subject (a section's `subject`) in one band of grades."""

    subject: str
    band: str  # "middle" (grades 6-8) or "high" (grades 9-12)
    units: tuple[DemoUnit, ...]


def _json(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _framework(key: str, kind: str, student: dict[str, str]) -> DemoFramework:
    """The framework from its CASE package: domains at the top, competencies below, indicators below those."""
    package = case.parse_package((DATA_DIR / "case" / f"{key}.json").read_bytes())
    children: dict[str | None, list[case.CaseItem]] = {}
    # The items come parents first and siblings by position, so each list is already in order.
    for item in package.items:
        children.setdefault(item.parent_identifier, []).append(item)
    aligned: dict[str, list[str]] = {}
    for association in sorted(package.associations, key=lambda a: a.sequence_number or 0):
        if association.association_type == "isRelatedTo":
            aligned.setdefault(association.origin_identifier, []).append(association.destination_title)
    domains = tuple(
        DemoDomain(
            code=domain.human_code,
            title=domain.abbreviated_statement,
            statement=domain.full_statement,
            student_statement=student[domain.human_code],
            competencies=tuple(
                DemoCompetency(
                    code=competency.human_code,
                    statement=competency.full_statement,
                    student_statement=student[competency.human_code],
                    kind=kind,
                    education_levels=competency.education_levels,
                    indicators=tuple(
                        DemoIndicator(item.human_code, item.full_statement, student[item.human_code])
                        for item in children.get(competency.identifier, [])
                    ),
                    aligned_ccss_codes=tuple(aligned.get(competency.identifier, [])),
                )
                for competency in children.get(domain.identifier, [])
            ),
        )
        for domain in children.get(None, [])
    )
    document = package.document
    return DemoFramework(
        key=key,
        title=document.title,
        subject=document.subject[0],
        description=document.description,
        domains=domains,
    )


def _frameworks() -> tuple[DemoFramework, ...]:
    with (DATA_DIR / "student_statements.csv").open(encoding="utf-8", newline="") as handle:
        student = {row["code"]: row["student_statement"] for row in csv.DictReader(handle)}
    return tuple(_framework(entry["key"], entry["kind"], student) for entry in _json("frameworks.json"))


def _rubric(data: dict[str, Any]) -> DemoRubric:
    criteria = tuple(
        DemoRubricCriterion(
            competency_code=criterion["competency_code"],
            title=criterion["title"],
            cells=tuple(DemoRubricCell(**cell) for cell in criterion["cells"]),
        )
        for criterion in data["criteria"]
    )
    return DemoRubric(title=data["title"], description=data["description"], criteria=criteria)


FRAMEWORKS: tuple[DemoFramework, ...] = _frameworks()
# (value, label, teacher description, student description, meets mastery) per level.
DEFAULT_SCALE: tuple[tuple[int, str, str, str, bool], ...] = tuple(
    (
        level["value"],
        level["label"],
        level["description"],
        level["student_description"],
        level["meets_mastery"],
    )
    for level in _json("scale.json")
)
RUBRICS: tuple[DemoRubric, ...] = tuple(_rubric(rubric) for rubric in _json("rubrics.json"))
COURSES: tuple[DemoCourse, ...] = tuple(
    DemoCourse(
        subject=course["subject"],
        band=course["band"],
        units=tuple(
            DemoUnit(
                title=unit["title"],
                kind=unit["kind"],
                instructions=unit["instructions"],
                competency_codes=tuple(unit["codes"]),
                rubric_title=unit.get("rubric", ""),
            )
            for unit in course["units"]
        ),
    )
    for course in _json("units.json")
)

"""Invariants of the demo frameworks, scale and rubrics (pure data: no database)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from waypoint.core.demo import SUBJECTS
from waypoint.evidence.models import AssessmentKind
from waypoint.frameworks import case
from waypoint.frameworks.demo_content import (
    COURSES,
    DATA_DIR,
    DEFAULT_SCALE,
    FRAMEWORKS,
    RUBRICS,
    DemoCompetency,
    DemoFramework,
)

FRAMEWORK_KEYS = ("graduate-profile", "mathematics", "ela", "science", "social-studies", "cte-health-science")
KIND_BY_FRAMEWORK = {
    "graduate-profile": "transferable_skill",
    "mathematics": "content",
    "ela": "content",
    "science": "content",
    "social-studies": "content",
    "cte-health-science": "career",
}
GRADE_LEVELS = ("06", "07", "08", "09", "10", "11", "12")  # CASE educationLevel codes for grades 6-12
MATH_PREFIX = "CCSS.Math."
CASE_DIR = Path("case")
DEMO_CASE_FILES = sorted((DATA_DIR / "case").glob("*.json"))


def _competencies() -> Iterator[tuple[DemoFramework, DemoCompetency]]:
    for framework in FRAMEWORKS:
        for domain in framework.domains:
            for competency in domain.competencies:
                yield framework, competency


def _statements() -> Iterator[tuple[str, str, str]]:
    """(code, teacher statement, student statement) for every domain, competency and indicator."""
    for framework in FRAMEWORKS:
        for domain in framework.domains:
            yield domain.code, domain.statement, domain.student_statement
            for competency in domain.competencies:
                yield competency.code, competency.statement, competency.student_statement
                for indicator in competency.indicators:
                    yield indicator.code, indicator.statement, indicator.student_statement


def _rubric_texts() -> Iterator[tuple[str, str, str]]:
    """(where, teacher description, student description) for every rubric cell."""
    for rubric in RUBRICS:
        for criterion in rubric.criteria:
            for cell in criterion.cells:
                where = f"{rubric.title} / {criterion.title} / {cell.level_value}"
                yield where, cell.description, cell.student_description


def _all_codes() -> list[str]:
    return [code for code, _, _ in _statements()]


def _aligned(prefix_is_math: bool) -> set[str]:
    return {
        code
        for _, competency in _competencies()
        for code in competency.aligned_ccss_codes
        if code.startswith(MATH_PREFIX) == prefix_is_math
    }


def test_the_six_frameworks_are_present_in_order() -> None:
    assert tuple(framework.key for framework in FRAMEWORKS) == FRAMEWORK_KEYS


def test_there_is_one_case_package_per_framework() -> None:
    assert sorted(path.stem for path in DEMO_CASE_FILES) == sorted(FRAMEWORK_KEYS)


@pytest.mark.parametrize("path", DEMO_CASE_FILES, ids=[path.stem for path in DEMO_CASE_FILES])
def test_the_importer_reads_each_framework_file_without_warnings(path: Path) -> None:
    assert case.parse_package(path.read_bytes()).warnings == ()


@pytest.mark.shared_data
@pytest.mark.parametrize("path", DEMO_CASE_FILES, ids=[path.stem for path in DEMO_CASE_FILES])
def test_each_framework_file_is_valid_case(path: Path, shared_data: Path) -> None:
    schema = json.loads(
        (shared_data / CASE_DIR / "schema" / "opensalt-case-v1p0-cfpackage-schema.json").read_text(
            encoding="utf-8"
        )
    )
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    package = json.loads(path.read_text(encoding="utf-8"))
    assert [error.message for error in validator.iter_errors(package)] == []


def test_student_statements_are_given_once_for_each_code() -> None:
    with (DATA_DIR / "student_statements.csv").open(encoding="utf-8", newline="") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    assert sorted(codes) == sorted(_all_codes())


def test_codes_are_unique_across_all_frameworks() -> None:
    duplicates = [code for code, count in Counter(_all_codes()).items() if count > 1]
    assert duplicates == []


def test_codes_nest_under_their_parent() -> None:
    for framework in FRAMEWORKS:
        for domain in framework.domains:
            for competency in domain.competencies:
                assert competency.code.startswith(f"{domain.code}."), competency.code
                for indicator in competency.indicators:
                    assert indicator.code.startswith(f"{competency.code}."), indicator.code


def test_counts_are_within_the_ranges() -> None:
    for framework in FRAMEWORKS:
        expected_domains = range(6, 7) if framework.key == "graduate-profile" else range(3, 6)
        assert len(framework.domains) in expected_domains, framework.key
        for domain in framework.domains:
            assert 2 <= len(domain.competencies) <= 4, domain.code
            for competency in domain.competencies:
                assert 2 <= len(competency.indicators) <= 4, competency.code


def test_graduate_profile_has_the_six_district_domains() -> None:
    graduate_profile = FRAMEWORKS[FRAMEWORK_KEYS.index("graduate-profile")]
    assert [domain.title for domain in graduate_profile.domains] == [
        "Effective Communication",
        "Critical Thinking & Problem Solving",
        "Creativity & Innovation",
        "Collaboration",
        "Citizenship & Civic Engagement",
        "Self-Direction",
    ]


def test_every_competency_has_the_kind_of_its_framework() -> None:
    for framework, competency in _competencies():
        assert competency.kind == KIND_BY_FRAMEWORK[framework.key], competency.code


def test_education_levels_are_case_grade_codes_in_order() -> None:
    for _, competency in _competencies():
        levels = competency.education_levels
        assert levels, competency.code
        assert set(levels) <= set(GRADE_LEVELS), competency.code
        assert list(levels) == sorted(set(levels)), competency.code


def test_career_competencies_are_for_high_school() -> None:
    for _, competency in _competencies():
        if competency.kind == "career":
            assert min(competency.education_levels) >= "09", competency.code


@pytest.mark.parametrize(
    ("code", "statement", "student_statement"),
    list(_statements()),
    ids=[code for code, _, _ in _statements()],
)
def test_student_statement_is_a_plain_i_can_rewrite(
    code: str, statement: str, student_statement: str
) -> None:
    assert student_statement.startswith("I can "), code
    assert student_statement != statement, code
    # A guard against teacher language creeping in: the student text stays short.
    assert len(student_statement.split()) <= 35, code


@pytest.mark.parametrize(
    ("where", "description", "student_description"),
    list(_rubric_texts()),
    ids=[where for where, _, _ in _rubric_texts()],
)
def test_rubric_cell_has_a_student_version(where: str, description: str, student_description: str) -> None:
    assert student_description.startswith("I "), where
    assert student_description != description, where


def test_text_is_tidy() -> None:
    texts = [text for _, *pair in [*_statements(), *_rubric_texts()] for text in pair]
    texts += [framework.description for framework in FRAMEWORKS] + [rubric.description for rubric in RUBRICS]
    for text in texts:
        assert text == text.strip(), text
        assert "  " not in text, text
        assert text.endswith("."), text


def test_no_statement_is_copied_between_competencies_or_indicators() -> None:
    teacher = Counter(statement for _, statement, _ in _statements())
    student = Counter(student for _, _, student in _statements())
    assert [text for text, count in (teacher + student).items() if count > 1] == []


def test_alignments_are_only_on_math_and_ela() -> None:
    for framework, competency in _competencies():
        codes = competency.aligned_ccss_codes
        assert len(codes) == len(set(codes)), competency.code
        if framework.key == "mathematics":
            assert codes, competency.code
            assert all(code.startswith(f"{MATH_PREFIX}Content.") for code in codes), competency.code
        elif framework.key == "ela":
            assert not any(code.startswith(MATH_PREFIX) for code in codes), competency.code
        else:
            assert codes == (), competency.code


def test_aligned_math_codes_exist_in_the_ccss_math_framework(shared_data: Path) -> None:
    document = json.loads(
        (shared_data / CASE_DIR / "ccss_math_opensalt_2017.json").read_text(encoding="utf-8")
    )
    known = {item["humanCodingScheme"] for item in document["CFItems"] if item.get("humanCodingScheme")}
    aligned = _aligned(prefix_is_math=True)
    assert aligned
    assert sorted(aligned - known) == []


def test_aligned_ela_codes_exist_in_the_ccss_ela_items(shared_data: Path) -> None:
    with (shared_data / CASE_DIR / "ccss_ela_items_opensalt.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        known = {row["humanCodingScheme"] for row in csv.DictReader(handle) if row["humanCodingScheme"]}
    aligned = _aligned(prefix_is_math=False)
    assert aligned
    assert sorted(aligned - known) == []


def test_there_are_at_least_six_rubrics_with_distinct_titles() -> None:
    titles = [rubric.title for rubric in RUBRICS]
    assert len(titles) >= 6
    assert len(set(titles)) == len(titles)


def test_rubric_criteria_point_at_existing_codes() -> None:
    codes = set(_all_codes())
    for rubric in RUBRICS:
        assert 2 <= len(rubric.criteria) <= 4, rubric.title
        for criterion in rubric.criteria:
            assert criterion.competency_code in codes, (rubric.title, criterion.competency_code)


def test_rubric_criteria_have_four_cells_that_differ_by_level() -> None:
    for rubric in RUBRICS:
        for criterion in rubric.criteria:
            assert [cell.level_value for cell in criterion.cells] == [1, 2, 3, 4], criterion.title
            assert len({cell.description for cell in criterion.cells}) == 4, criterion.title
            assert len({cell.student_description for cell in criterion.cells}) == 4, criterion.title


def test_default_scale_is_one_to_four_with_mastery_at_three() -> None:
    assert [level[0] for level in DEFAULT_SCALE] == [1, 2, 3, 4]
    assert [level[1] for level in DEFAULT_SCALE] == ["Beginning", "Developing", "Proficient", "Advanced"]
    assert [level[4] for level in DEFAULT_SCALE] == [False, False, True, True]
    for _, label, description, student_description, _ in DEFAULT_SCALE:
        assert description, label
        assert student_description.startswith("I "), label


def test_every_subject_has_a_course_of_units_for_middle_and_high_school() -> None:
    assert {(course.subject, course.band) for course in COURSES} == {
        (subject, band) for subject in SUBJECTS for band in ("middle", "high")
    }
    subject_of = {framework.subject: framework for framework in FRAMEWORKS}
    rubrics = {rubric.title: rubric for rubric in RUBRICS}
    for course in COURSES:
        framework = subject_of[course.subject]
        codes = {
            code
            for domain in framework.domains
            for competency in domain.competencies
            for code in (competency.code, *(indicator.code for indicator in competency.indicators))
        }
        assert len(course.units) >= 4, course.subject
        for unit in course.units:
            assert unit.kind in AssessmentKind.values, unit.title
            assert unit.competency_codes, unit.title
            assert set(unit.competency_codes) <= codes, unit.title
            if unit.rubric_title:
                criteria = {criterion.competency_code for criterion in rubrics[unit.rubric_title].criteria}
                assert set(unit.competency_codes) == criteria, unit.title

"""The district self-study: the district's competency attainment set against its state's frameworks, as the
white paper asks a district to "measure itself against state standards". For every state framework (its
published version) and every domain of it (a top-level item), four steps:

1. **Adopted**: the district has adopted the framework (a `FrameworkAdoption`). A state framework is open to
   every district of the state, but adopting it is the district's decision to teach it as it stands.
2. **Aligned**: how many of its competencies (the leaves of its tree) the district covers: all of them when
   the framework is adopted; otherwise those a competency of the district's own frameworks (a published
   version) aligns to, and those its students' evidence names directly.
3. **Evidenced**: how many covered competencies have at least one piece of evidence or one score from the
   district's students in the current school year (1 July to 30 June). Evidence on a district competency
   counts for the state competency it aligns to; evidence on another version of the same framework counts
   for the competency with the same CASE identifier.
4. **Mastered**: for each competency, how many of the district's enrolled students (in the grades the
   framework covers, when its education levels say so) meet mastery on it or on a district competency
   aligned to it; a domain shows the average over its competencies, as a count and as a share.

Competency counts are about the curriculum, not students, and are shown whole. Counts of students go through
`insights.suppression` with the settings' thresholds, shares through `rate`. Everything is computed by a
fixed number of aggregate queries (GROUP BY, conditional counts, sets of identifiers), whatever the number
of frameworks, domains or students; no student row reaches Python."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint import policy
from waypoint.core.audit import RequestContext, audit_record
from waypoint.core.errors import Invalid
from waypoint.core.models import AuditAction, Organization, StudentEnrollment
from waypoint.core.row_security import district_scope
from waypoint.evidence.models import Evidence, Score
from waypoint.frameworks.models import (
    Alignment,
    AssociationType,
    Competency,
    FrameworkAdoption,
    FrameworkVersion,
    Tier,
    VersionStatus,
)
from waypoint.frameworks.tree import PATH_SEGMENT_WIDTH
from waypoint.insights.selectors.access import E, readable_district, refused
from waypoint.insights.suppression import is_small, rate, suppress_sizes
from waypoint.insights.tables import HIDDEN, Cell, FigureTable, Row
from waypoint.mastery.models import MasteryLevel
from waypoint.policy import Action

OBJECT_TYPE = "district-self-study"
# The associations that say a district competency covers a state one; "precedes", "replacedBy", exemplars,
# skill levels and translations do not.
COVERING = (
    AssociationType.EXACT_MATCH_OF,
    AssociationType.IS_PEER_OF,
    AssociationType.IS_PART_OF,
    AssociationType.IS_RELATED_TO,
)
# How many domains "where to look" names.
LEADS = 5
# An id longer than this is no id of ours: refused before it reaches the database.
_MAX_ID_DIGITS = 12
# CASE education levels that are grades of a school: KG is grade 0, 01–13 the rest.
_GRADE_LEVEL = re.compile(r"^(KG|0[1-9]|1[0-3])$")


@dataclass(frozen=True)
class Lead:
    """A domain with low coverage: where the district should look first."""

    framework: str
    domain: str
    competencies: int
    aligned: int
    evidenced: int


@dataclass(frozen=True)
class SelfStudy:
    district: Organization
    choices: tuple[Organization, ...]  # the districts whose self-study the reader may open
    year_start: datetime.date
    year_end: datetime.date
    summary: FigureTable
    domains: tuple[FigureTable, ...]
    leads: tuple[Lead, ...]
    min_numerator: int
    min_denominator: int


@dataclass
class _Domain:
    key: str
    label: str
    competencies: int = 0
    aligned: int = 0
    evidenced: int = 0
    mastering: int = 0  # (student, competency) pairs meeting mastery, summed over the domain's competencies


def parse_district(text: str | None) -> int | None:
    """The `district` parameter: empty for the acting district, else a district id; anything else is
    Invalid (400) with the reason."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_ID_DIGITS or int(text) < 1:
        raise Invalid(_("The district must be given by its number."))
    return int(text)


def school_year(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The school year (1 July to 30 June) that contains the date."""
    start_year = on.year if on.month >= 7 else on.year - 1
    return datetime.date(start_year, 7, 1), datetime.date(start_year + 1, 6, 30)


def grades_of(levels: Iterable[str]) -> frozenset[int]:
    """The school grades among CASE education levels (KG → 0, "09" → 9); the others are not grades."""
    return frozenset(0 if level == "KG" else int(level) for level in levels if _GRADE_LEVEL.match(level))


def _refused(context: RequestContext, error: E, object_id: str = "") -> E:
    return refused(context, error, object_type=OBJECT_TYPE, object_id=object_id)


def _district(context: RequestContext, district_id: int | None) -> tuple[Organization, list[Organization]]:
    return readable_district(
        context,
        district_id,
        action=Action.VIEW_SELF_STUDY,
        object_type=OBJECT_TYPE,
        not_permitted=_("The self-study is for district administrators and the state's analysts."),
        not_visible=_("There is no district %(id)s whose self-study you may read."),
        none_visible=_("There is no district whose self-study you may read."),
    )


def _population(district_id: int, on: datetime.date, grades: frozenset[int]) -> QuerySet[StudentEnrollment]:
    """The enrollments that make a student part of the district today, in the grades (all when empty)."""
    enrolled = StudentEnrollment.objects.filter(
        policy.active_on(on, start="entry_date", end="exit_date"), district_id=district_id
    )
    return enrolled.filter(grade_level__in=sorted(grades)) if grades else enrolled


def _by_framework(pairs: set[tuple[int, str]]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for framework, identifier in pairs:
        found.setdefault(framework, set()).add(identifier)
    return found


def _leaves(
    versions: Sequence[FrameworkVersion],
    district_id: int,
    on: datetime.date,
    year_from: datetime.datetime,
    grades: dict[int, frozenset[int]],
) -> list[dict[str, Any]]:
    """The competencies of the versions, one row per (version, domain) with the four steps counted.

    Which competencies are aligned and evidenced is read first as sets of identifiers (a few grouped
    queries over the district's alignments, evidence and scores), then matched by identifier: a correlated
    existence test per competency made SQLite scan every score once per competency (28 s for the demo)."""

    framework_ids = sorted({version.framework_id for version in versions})
    this_year = {"district_id": district_id, "submitted_at__gte": year_from}
    scored_this_year = {"district_id": district_id, "scored_at__gte": year_from}
    # (framework, identifier) of every competency of these frameworks with evidence or a score this year.
    direct: set[tuple[int, str]] = set()
    for model, path, when in (
        (Evidence, "competencies__", this_year),
        (Score, "competency__", scored_this_year),
    ):
        direct |= set(
            model.objects.filter(**when, **{f"{path}version__framework_id__in": framework_ids})
            .order_by()
            .values_list(f"{path}version__framework_id", f"{path}case_identifier")
            .distinct()
        )
    # The identifiers the district's own competencies align to, and those of them evidenced this year.
    district_alignments = {
        "version__framework__owner_id": district_id,
        "alignments__association_type__in": COVERING,
    }
    through_alignment: set[str] = set()
    for model, path, when in (
        (Evidence, "competencies__", this_year),
        (Score, "competency__", scored_this_year),
    ):
        through_alignment |= set(
            model.objects.filter(
                **when, **{f"{path}{key}": value for key, value in district_alignments.items()}
            )
            .order_by()
            .values_list(f"{path}alignments__target_identifier", flat=True)
            .distinct()
        )
    aligned_targets = set(
        Alignment.objects.filter(
            association_type__in=COVERING,
            competency__version__framework__owner_id=district_id,
            competency__version__status=VersionStatus.PUBLISHED,
        )
        .order_by()
        .values_list("target_identifier", flat=True)
        .distinct()
    )

    def flag(condition: Q) -> Case:
        return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())

    evidenced_directly = flag(
        Q(pk__in=[])
        if not direct
        else Q(
            *(
                Q(version__framework_id=framework, case_identifier__in=sorted(ids))
                for framework, ids in _by_framework(direct).items()
            ),
            _connector=Q.OR,
        )
    )
    evidenced_through_alignment = flag(Q(case_identifier__in=sorted(through_alignment)))
    aligned = flag(Q(case_identifier__in=sorted(aligned_targets)))

    # Students mastering each state competency: one grouped count per population (the grades a framework
    # covers), keyed by the state competency's identifier. A district competency counts for the state one it
    # aligns to, and a student is counted once per identifier (directly and through an alignment alike).
    key = Case(
        When(
            competency__version__framework_id__in=framework_ids,
            then=F("competency__case_identifier"),
        ),
        default=F("competency__alignments__target_identifier"),
        output_field=CharField(),
    )
    by_grades: dict[frozenset[int], list[int]] = {}
    for version in versions:
        by_grades.setdefault(grades.get(version.pk, frozenset()), []).append(version.pk)
    mastering: dict[int, dict[str, int]] = {}
    for covered_grades, ids in by_grades.items():
        counts = dict(
            MasteryLevel.objects.filter(
                Q(competency__version__framework_id__in=framework_ids)
                | Q(
                    competency__version__framework__owner_id=district_id,
                    competency__alignments__association_type__in=COVERING,
                ),
                district_id=district_id,
                meets_mastery=True,
                student_id__in=_population(district_id, on, covered_grades).values("student_id"),
            )
            .annotate(key=key)
            .order_by()
            .values("key")
            .annotate(students=Count("student_id", distinct=True))
            .values_list("key", "students")
        )
        for version_id in ids:
            mastering[version_id] = counts
    adopted = [version.pk for version in versions if getattr(version, "adopted", False)]
    covered = Q(version_id__in=adopted) | Q(aligned=True) | Q(evidenced_directly=True)
    leaves = (
        Competency.objects.filter(version__in=versions)
        .exclude(tier=Tier.DOMAIN)
        .exclude(Exists(Competency.objects.filter(parent_id=OuterRef("pk"))))
        .annotate(domain=Substr("path", 1, PATH_SEGMENT_WIDTH))
    )
    # Summed over each domain's competencies (reference rows, a few thousand at most; no student row).
    summed: dict[tuple[int, str], int] = {}
    for version_id, domain, identifier in leaves.order_by().values_list(
        "version_id", "domain", "case_identifier"
    ):
        summed[(version_id, domain)] = summed.get((version_id, domain), 0) + mastering[version_id].get(
            identifier, 0
        )
    rows = list(
        leaves.annotate(
            aligned=aligned,
            evidenced_directly=evidenced_directly,
            evidenced_through_alignment=evidenced_through_alignment,
        )
        .order_by()
        .values("version_id", "domain")
        .annotate(
            competencies=Count("pk"),
            covered=Count("pk", filter=covered),
            evidenced=Count(
                "pk",
                filter=covered & (Q(evidenced_directly=True) | Q(evidenced_through_alignment=True)),
            ),
        )
    )
    return [row | {"mastering": summed.get((row["version_id"], row["domain"]), 0)} for row in rows]


def _count_cell(count: int, of: int) -> Cell:
    share = round(100 * count / of) if of else 0
    return Cell(float(count), _("%(count)s (%(share)s %%)") % {"count": count, "share": share})


def _students_cells(average: float, size: int | None, *, min_numerator: int) -> tuple[Cell, Cell]:
    """The average count of students mastering a competency and its share of the students, suppressed: the
    count is hidden when it is small, or when the students *not* mastering are few or none (it would name
    them); the share is then shown as "at least X %" where the rule allows."""
    if size is None:
        return Cell(None, HIDDEN), Cell(None, HIDDEN)
    count = round(average)
    outside = size - count
    count_shown = not is_small(count, min_numerator) and not (count > 0 and outside < min_numerator)
    share = rate(count, size, count_shown=count_shown, size_shown=True, min_numerator=min_numerator)
    count_cell = Cell(float(count), str(count)) if count_shown else Cell(None, HIDDEN)
    if share.exact is not None:
        share_cell = Cell(share.exact, f"{share.exact:g} %")
    elif share.at_least is not None:
        share_cell = Cell(None, f"≥ {share.at_least} %", at_least=share.at_least)
    else:
        share_cell = Cell(None, HIDDEN)
    return count_cell, share_cell


def self_study(
    *, context: RequestContext, district_id: int | None, on: datetime.date | None = None
) -> SelfStudy:
    """The self-study of a district (the acting one when `district_id` is None) on a day (today)."""
    min_numerator = settings.WAYPOINT_SUPPRESSION_MIN_NUMERATOR
    min_denominator = settings.WAYPOINT_SUPPRESSION_MIN_DENOMINATOR
    district, choices = _district(context, district_id)
    # Counted from the district's student rows: a state analyst's row-level security scope holds the
    # aggregate tables only, so the counting runs in the scope of the one district the policy let them read.
    with district_scope({district.pk}):
        on = on or policy.today()
        year_start, year_end = school_year(on)
        year_from = timezone.make_aware(datetime.datetime.combine(year_start, datetime.time.min))

        versions = list(
            FrameworkVersion.objects.filter(
                framework__owner_id=district.parent_id, status=VersionStatus.PUBLISHED
            )
            .select_related("framework")
            .annotate(
                adopted=Exists(
                    FrameworkAdoption.objects.filter(framework_id=OuterRef("framework_id"), district=district)
                )
            )
            .order_by("framework__title", "framework_id")
        )
        grades: dict[int, set[int]] = {}
        for version_id, levels in (
            Competency.objects.filter(version__in=versions)
            .order_by()
            .values_list("version_id", "education_levels")
            .distinct()
        ):
            grades.setdefault(version_id, set()).update(grades_of(levels or ()))
        covered_grades = {version_id: frozenset(found) for version_id, found in grades.items()}
        enrolled = StudentEnrollment.objects.filter(
            policy.active_on(on, start="entry_date", end="exit_date"), district=district
        ).aggregate(
            **{
                f"v{version.pk}": Count(
                    "student_id",
                    distinct=True,
                    filter=Q(grade_level__in=sorted(covered_grades[version.pk]))
                    if covered_grades.get(version.pk)
                    else None,
                )
                for version in versions
            }
        )
        domain_labels = {
            (row.version_id, row.path[:PATH_SEGMENT_WIDTH]): row.abbreviated_statement
            or row.human_code
            or row.short_statement
            for row in Competency.objects.filter(version__in=versions, depth=0).only(
                "version_id", "path", "abbreviated_statement", "human_code", "full_statement"
            )
        }
        domains: dict[int, list[_Domain]] = {version.pk: [] for version in versions}
        if versions:
            for row in _leaves(versions, district.pk, on, year_from, covered_grades):
                key = (row["version_id"], row["domain"])
                domains[row["version_id"]].append(
                    _Domain(
                        key=row["domain"],
                        label=domain_labels.get(key) or row["domain"],
                        competencies=row["competencies"],
                        aligned=row["covered"],
                        evidenced=row["evidenced"],
                        mastering=row["mastering"] or 0,
                    )
                )
        for found in domains.values():
            found.sort(key=lambda domain: domain.key)

        summary_rows: list[Row] = []
        domain_tables: list[FigureTable] = []
        leads: list[Lead] = []
        for version in versions:
            title = version.framework.title
            found = domains[version.pk]
            students = enrolled[f"v{version.pk}"]
            size = suppress_sizes({"students": students}, min_denominator=min_denominator).total
            competencies = sum(domain.competencies for domain in found)
            aligned = sum(domain.aligned for domain in found)
            evidenced = sum(domain.evidenced for domain in found)
            mastering = sum(domain.mastering for domain in found)
            average, share = _students_cells(
                mastering / competencies if competencies else 0, size, min_numerator=min_numerator
            )
            summary_rows.append(
                Row(
                    key=str(version.framework_id),
                    label=title,
                    cells=(
                        Cell(1.0, _("Yes")) if getattr(version, "adopted", False) else Cell(0.0, _("No")),
                        Cell(float(competencies), str(competencies)),
                        _count_cell(aligned, competencies),
                        _count_cell(evidenced, competencies),
                        Cell(float(size), str(size)) if size is not None else Cell(None, HIDDEN),
                        average,
                        share,
                    ),
                )
            )
            rows: list[Row] = []
            for domain in found:
                average, share = _students_cells(
                    domain.mastering / domain.competencies, size, min_numerator=min_numerator
                )
                rows.append(
                    Row(
                        key=domain.key,
                        label=domain.label,
                        cells=(
                            Cell(float(domain.competencies), str(domain.competencies)),
                            _count_cell(domain.aligned, domain.competencies),
                            _count_cell(domain.evidenced, domain.competencies),
                            average,
                            share,
                        ),
                    )
                )
                leads.append(Lead(title, domain.label, domain.competencies, domain.aligned, domain.evidenced))
            grade_list = sorted(covered_grades.get(version.pk, ()))
            domain_tables.append(
                FigureTable(
                    key=f"framework-{version.framework_id}",
                    title=title,
                    row_header=_("Domain"),
                    columns=(
                        _("Competencies"),
                        _("Aligned"),
                        _("Evidenced this year"),
                        _("Students mastering (average)"),
                        _("Share mastering (average)"),
                    ),
                    column_keys=("competencies", "aligned", "evidenced", "mastering", "mastering_share"),
                    rows=tuple(rows),
                    chart="",
                    unit="count",
                    note=_grades_note(grade_list, size),
                )
            )
        summary = FigureTable(
            key="frameworks",
            title=_("The state's frameworks"),
            row_header=_("Framework"),
            columns=(
                _("Adopted"),
                _("Competencies"),
                _("Aligned"),
                _("Evidenced this year"),
                _("Students in its grades"),
                _("Students mastering (average)"),
                _("Share mastering (average)"),
            ),
            column_keys=(
                "adopted",
                "competencies",
                "aligned",
                "evidenced",
                "students",
                "mastering",
                "mastering_share",
            ),
            rows=tuple(summary_rows),
            chart="",
            unit="count",
            note=_(
                "Aligned and evidenced count competencies, with their share of the framework's competencies. "
                "Counts of students under %(numerator)s and groups under %(denominator)s are hidden (*)."
            )
            % {"numerator": min_numerator, "denominator": min_denominator},
        )
        audit_record(
            context=context, action=AuditAction.VIEW, object_type=OBJECT_TYPE, district_id=district.pk
        )
        return SelfStudy(
            district=district,
            choices=tuple(choices),
            year_start=year_start,
            year_end=year_end,
            summary=summary,
            domains=tuple(domain_tables),
            leads=_where_to_look(leads),
            min_numerator=min_numerator,
            min_denominator=min_denominator,
        )


def _grades_note(grades: list[int], size: int | None) -> str:
    if not grades:
        who = _("all the district's enrolled students")
    elif grades == list(range(grades[0], grades[-1] + 1)):
        who = _("the district's students enrolled in grades %(first)s–%(last)s") % {
            "first": _grade(grades[0]),
            "last": _grade(grades[-1]),
        }
    else:
        who = _("the district's students enrolled in grades %(grades)s") % {
            "grades": ", ".join(_grade(grade) for grade in grades)
        }
    students = HIDDEN if size is None else str(size)
    return _("Shares are of %(who)s (%(students)s).") % {"who": who, "students": students}


def _grade(grade: int) -> str:
    return _("K") if grade == 0 else str(grade)


def _where_to_look(leads: list[Lead]) -> tuple[Lead, ...]:
    """The domains least covered: lowest share evidenced first, then lowest share aligned; a domain whose
    every competency is evidenced is not a place to look."""
    open_leads = [lead for lead in leads if lead.evidenced < lead.competencies]
    open_leads.sort(
        key=lambda lead: (
            lead.evidenced / lead.competencies,
            lead.aligned / lead.competencies,
            lead.framework,
            lead.domain,
        )
    )
    return tuple(open_leads[:LEADS])

"""Reads of mastery levels: a student's levels with their explanation and history, a section's gradebook
(sorted, with the evidence behind each cell), the gradebooks a teacher may open, what a family needs to read
the district's levels, and the scoring sheet of a piece of evidence."""

from __future__ import annotations

import datetime
import functools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property

from django.db.models import Count, Exists, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.models import Organization, Section, SectionTeacher, Student
from waypoint.evidence.models import Assessment, Score
from waypoint.evidence.selectors import EvidenceDetail, evidence_detail
from waypoint.frameworks.models import Competency, Framework, ProficiencyScale, RubricCriterion, ScaleLevel
from waypoint.frameworks.selectors import frameworks_in_use, level_name, scale_levels
from waypoint.mastery import calc, wording
from waypoint.mastery.models import KnowledgeEstimate, MasteryLevel, MasteryLevelChange
from waypoint.mastery.services import Rule, rule_books, scale_facts
from waypoint.people.selectors import section_roster, sections_for, student_get


@dataclass(frozen=True)
class LevelSummary:
    level: float | None
    meets_mastery: bool


def student_levels(student_ids: Collection[int]) -> dict[tuple[int, int], LevelSummary]:
    """(student id, competency id) → the current level, for students the caller has already scoped."""
    return {
        (student_id, competency_id): LevelSummary(level, meets)
        for student_id, competency_id, level, meets in MasteryLevel.objects.filter(
            student_id__in=list(student_ids)
        ).values_list("student_id", "competency_id", "level", "meets_mastery")
    }


def reader_voice(context: RequestContext, student: Student) -> wording.Voice:
    """ "Your" for the student themself; the student's name for a guardian, a teacher or other staff."""
    actor = context.actor
    if actor is not None and student.user_id == actor.pk:
        return wording.YOURS
    return wording.about(student.preferred_name or student.first_name)


def explanation(
    method: str,
    parameters: dict[str, float | int],
    score_count: int,
    voice: wording.Voice = wording.YOURS,
) -> str:
    """The plain-language sentence of how a level was computed, in the reader's voice."""
    return wording.level_sentence(method, parameters, score_count, voice)


@dataclass(frozen=True)
class HistoryPoint:
    """A change of level: the moment it happened (for a time axis) and its day (for people)."""

    at: datetime.datetime
    level: float | None

    @property
    def date(self) -> datetime.date:
        return timezone.localdate(self.at)


@dataclass(frozen=True)
class HistoryDay:
    """The changes of one day drawn as one point: the level the day ended on, at the day's last change, with
    every level the day passed through (several scores on one day each move the level) for the text."""

    date: datetime.date
    at: datetime.datetime
    level: float | None
    steps: list[float | None]


class Trend(StrEnum):
    """How the latest day's level compares with the day before it."""

    UP = "up"
    DOWN = "down"
    STEADY = "steady"
    FIRST = "first"  # a single day of history: nothing to compare with


def history_days(history: list[HistoryPoint]) -> list[HistoryDay]:
    """The changes (in order) grouped by their local day, one entry per day."""
    days: list[HistoryDay] = []
    for point in history:
        if days and days[-1].date == point.date:
            days[-1] = HistoryDay(point.date, point.at, point.level, [*days[-1].steps, point.level])
        else:
            days.append(HistoryDay(point.date, point.at, point.level, [point.level]))
    return days


# The most points a competency's chart draws, and the most levels of one day its tooltip lists: the progress
# page stays the same size however long the history grows; the full history is a page of its own.
CHART_POINTS = 16
DAY_STEPS_SHOWN = 6


def chart_days(days: list[HistoryDay], limit: int = CHART_POINTS) -> list[HistoryDay]:
    """At most `limit` of the days, spread over the whole history: the history cut into `limit` runs of
    consecutive days, each drawn as its last day (so the first run starts the line and the last day, the
    current level, ends it), that day's levels cut to its last `DAY_STEPS_SHOWN`."""
    if len(days) > limit:
        size = len(days) / limit
        days = [days[min(len(days), round((run + 1) * size)) - 1] for run in range(limit)]
    return [
        day if len(day.steps) <= DAY_STEPS_SHOWN else replace(day, steps=day.steps[-DAY_STEPS_SHOWN:])
        for day in days
    ]


@dataclass(frozen=True)
class CompetencyLevel:
    competency: Competency
    level: MasteryLevel
    label: str
    explanation: str
    history: list[HistoryPoint]
    estimate: KnowledgeEstimate | None

    @cached_property
    def days(self) -> list[HistoryDay]:
        return history_days(self.history)

    @property
    def last_changed(self) -> datetime.datetime | None:
        return self.history[-1].at if self.history else None

    @property
    def trend(self) -> Trend | None:
        days = self.days
        if not days:
            return None
        if len(days) == 1:
            return Trend.FIRST
        now, before = days[-1].level, days[-2].level
        if now == before:
            return Trend.STEADY
        if now is None or before is None:
            return Trend.UP if before is None else Trend.DOWN
        return Trend.UP if now > before else Trend.DOWN


@dataclass(frozen=True)
class StudentMastery:
    student: Student
    voice: wording.Voice
    levels: list[CompetencyLevel]
    feedback_only: list[Score]
    estimates_without_level: list[KnowledgeEstimate]
    scales: dict[int, list[ScaleLevel]]


def student_mastery(*, context: RequestContext, student_id: int) -> StudentMastery:
    """The student's levels by competency with how each was computed (said to the reader: "your" to the
    student, the student's name to anyone else) and its history, beside the knowledge tracing estimates;
    the judgements that did not count are listed apart. Audited once as viewed. `scales` holds each
    framework's scale levels, lowest first."""
    student = student_get(context=context, student_id=student_id, audit_as="mastery")
    voice = reader_voice(context, student)
    stored = list(
        MasteryLevel.objects.filter(student=student)
        .select_related("competency__version__framework__scale")
        .order_by("competency__version__framework__title", "competency__path")
    )
    levels_of = levels_of_scales(row.competency.version.framework.scale for row in stored)
    history: dict[int, list[HistoryPoint]] = defaultdict(list)
    for competency_id, changed_at, level in (
        MasteryLevelChange.objects.filter(student=student)
        .order_by("changed_at", "id")
        .values_list("competency_id", "changed_at", "level")
    ):
        history[competency_id].append(HistoryPoint(changed_at, level))
    estimates = {
        estimate.competency_id: estimate
        for estimate in KnowledgeEstimate.objects.filter(student=student).select_related("competency")
    }
    levels = [
        CompetencyLevel(
            competency=row.competency,
            level=row,
            label=level_name(
                levels_of[row.competency.version.framework.scale_id],
                row.level,
                no_value=gettext("No evidence yet"),
            ),
            explanation=explanation(row.method, row.parameters, len(row.score_ids), voice),
            history=history[row.competency_id],
            estimate=estimates.pop(row.competency_id, None),
        )
        for row in stored
    ]
    feedback_only = list(
        Score.objects.current()
        .filter(student=student, counts_toward_mastery=False)
        .select_related("competency", "scored_by", "evidence")
        .order_by("-scored_at")[:50]
    )
    return StudentMastery(
        student=student,
        voice=voice,
        levels=levels,
        feedback_only=feedback_only,
        estimates_without_level=list(estimates.values()),
        scales=levels_of,
    )


@dataclass(frozen=True)
class LevelHistory:
    """Every change of one level of a student, by day: the full table behind a progress chart."""

    student: Student
    voice: wording.Voice
    competency: Competency
    level: MasteryLevel | None
    label: str
    days: list[HistoryDay]


def level_history(*, context: RequestContext, student_id: int, competency_id: int) -> LevelHistory:
    """The student's whole history on one competency, one entry per day; for whoever reads the student's
    progress (audited once as viewed, like the progress page). A competency with no level has no history."""
    student = student_get(context=context, student_id=student_id, audit_as="mastery")
    competency = (
        Competency.objects.select_related("version__framework__scale").filter(pk=competency_id).first()
    )
    if competency is None:
        raise NotVisible(gettext("No such competency."))
    level = MasteryLevel.objects.filter(student=student, competency=competency).first()
    history = [
        HistoryPoint(changed_at, value)
        for changed_at, value in MasteryLevelChange.objects.filter(student=student, competency=competency)
        .order_by("changed_at", "id")
        .values_list("changed_at", "level")
    ]
    scale = levels_of_scales([competency.version.framework.scale])[competency.version.framework.scale_id]
    return LevelHistory(
        student=student,
        voice=reader_voice(context, student),
        competency=competency,
        level=level,
        label=level_name(scale, level.level if level else None, no_value=gettext("No evidence yet")),
        days=history_days(history),
    )


# The gradebook ----------------------------------------------------------------------------------------------


class StudentOrder(StrEnum):
    """How the gradebook's rows are ordered."""

    NAME = "name"
    LEVEL = "level"  # the overall level: the mean of the student's levels in the columns shown


class CompetencyOrder(StrEnum):
    """How the gradebook's columns are ordered."""

    CODE = "code"  # framework, then the framework's own order (its codes)
    BELOW = "below"  # most students below mastery first


_STUDENT_ORDERS = frozenset(order.value for order in StudentOrder)
_COMPETENCY_ORDERS = frozenset(order.value for order in CompetencyOrder)


@dataclass(frozen=True)
class GradebookSort:
    students: StudentOrder = StudentOrder.NAME
    descending: bool = False
    competencies: CompetencyOrder = CompetencyOrder.CODE

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> GradebookSort:
        """The order asked for by `?sort=name|level&dir=asc|desc&columns=code|below`; anything else falls back
        to the default (by name, A to Z; columns by code)."""
        students = query.get("sort", "")
        columns = query.get("columns", "")
        return cls(
            students=StudentOrder(students) if students in _STUDENT_ORDERS else StudentOrder.NAME,
            descending=query.get("dir") == "desc",
            competencies=CompetencyOrder(columns) if columns in _COMPETENCY_ORDERS else CompetencyOrder.CODE,
        )


@dataclass(frozen=True)
class CellScore:
    """One counted score behind a gradebook cell, as its popover lists it."""

    score_id: int
    value: float
    scored_on: datetime.date  # the day in the district's time zone
    scorer: str
    evidence_id: int
    evidence_title: str


@dataclass(frozen=True)
class GradebookCell:
    level: float | None
    meets_mastery: bool
    band: int
    evidence_id: int | None  # the evidence of the latest score
    scores: list[CellScore]  # the newest counted scores first, at most CELL_SCORES
    score_count: int


@dataclass(frozen=True)
class Gradebook:
    """A section's gradebook, or one page of it: `rows` are the page's students in the order asked for,
    sorted over the whole class first (so page 2 of "highest level first" continues page 1); the column
    counts (`below_mastery`) are over the whole class."""

    section: Section
    students: list[Student]
    competencies: list[Competency]
    rows: list[tuple[Student, list[GradebookCell | None]]]
    overall: dict[int, float | None]  # student id → the mean of their levels shown
    below_mastery: dict[int, int]  # competency id → how many students have a level below mastery
    sort: GradebookSort
    scales: dict[int, list[ScaleLevel]]  # scale id → its levels, lowest first (for the level names)
    class_size: int = 0  # students on the roster, every page
    page: int = 1
    pages: int = 1


MAX_GRADEBOOK_COLUMNS = 60
CELL_SCORES = 5
# Above this many students the gradebook is cut into pages of this size.
GRADEBOOK_PAGE_SIZE = 50


def _band(value: float | None, facts: tuple[float, float, float]) -> int:
    """0 (no level) … 4 (at or above the top of the scale), for the heatmap's colour."""
    if value is None:
        return 0
    minimum, maximum, threshold = facts
    if value >= maximum:
        return 4
    if value >= threshold:
        return 3
    return 2 if value >= (minimum + threshold) / 2 else 1


@functools.lru_cache(maxsize=64)
def _frozen_scale_levels(scale_id: int, in_use_since: datetime.datetime) -> tuple[ScaleLevel, ...]:
    """A scale's levels once a score froze it (`ProficiencyScale.in_use_since`): from then on they never
    change (`scale_update` refuses), so the key names them for good and the process reads them once."""
    return tuple(ScaleLevel.objects.filter(scale_id=scale_id).order_by("value", "id"))


def levels_of_scales(scales: Iterable[ProficiencyScale]) -> dict[int, list[ScaleLevel]]:
    """Each scale's levels, lowest first: frozen scales from the process's cache, the others (still
    editable) in one query."""
    found: dict[int, list[ScaleLevel]] = {}
    editable: set[int] = set()
    for scale in scales:
        if scale.pk in found or scale.pk in editable:
            continue
        if scale.in_use_since is not None:
            found[scale.pk] = list(_frozen_scale_levels(scale.pk, scale.in_use_since))
        else:
            editable.add(scale.pk)
    if editable:
        found.update(scale_levels(editable))
    return found


def _scale_band_facts(levels: list[ScaleLevel]) -> tuple[float, float, float]:
    facts = scale_facts([(level.value, level.meets_mastery) for level in levels])
    return (facts.minimum, facts.maximum, facts.threshold)


def _cell_scores(wanted: set[int]) -> dict[int, CellScore]:
    """The counted scores the cells show, by id, with their evidence and scorer, in one query."""
    if not wanted:
        return {}
    return {
        score_id: CellScore(
            score_id=score_id,
            value=value,
            scored_on=scored_on,
            scorer=" ".join(part for part in (first, last) if part) or username,
            evidence_id=evidence_id,
            evidence_title=title,
        )
        for score_id, value, scored_on, first, last, username, evidence_id, title in Score.objects.filter(
            pk__in=wanted
        ).values_list(
            "id",
            "value",
            # The day in the current time zone, from the database: no datetime per score to parse and convert.
            "scored_at__date",
            "scored_by__first_name",
            "scored_by__last_name",
            "scored_by__username",
            "evidence_id",
            "evidence__title",
        )
    }


def _ordered(overall: dict[int, float | None], students: list[Student], sort: GradebookSort) -> list[Student]:
    """Students by name (the roster's order), or by overall level with the students without one last."""
    if sort.students is StudentOrder.NAME:
        return list(reversed(students)) if sort.descending else students
    with_level = [student for student in students if overall[student.pk] is not None]
    without = [student for student in students if overall[student.pk] is None]
    # Stable sorts: equal levels keep the roster's (name) order.
    with_level.sort(key=lambda student: overall[student.pk] or 0.0, reverse=sort.descending)
    return with_level + without


def _held_levels(
    section: Section, student_ids: list[int]
) -> list[tuple[int, int, float | None, bool, list[int]]]:
    """The levels the gradebook shows, in one query. A section's gradebook is its subject: the frameworks
    its own assessments use, and whatever its own teachers scored, not every level its students hold from
    their other classes; a section with no assessment yet shows all they hold."""
    assessments = Assessment.objects.filter(section=section, competencies__isnull=False)
    subject = (
        Q(~Exists(assessments))
        | Q(
            competency__version__framework__in=Competency.objects.filter(
                pk__in=assessments.values("competencies")
            ).values("version__framework")
        )
        | Q(
            competency__in=Score.objects.filter(
                student_id__in=student_ids,
                scored_by__in=SectionTeacher.objects.filter(section=section).values("teacher"),
            ).values("competency")
        )
    )
    return list(
        MasteryLevel.objects.filter(subject, student_id__in=student_ids, rolled_up=False).values_list(
            "student_id", "competency_id", "level", "meets_mastery", "score_ids"
        )
    )


def gradebook(
    *,
    context: RequestContext,
    section_id: int,
    sort: GradebookSort | None = None,
    page: int | None = None,
) -> Gradebook:
    """Students × competencies of a section, coloured by level, each cell with the counted scores behind it
    (newest first) and linked to the latest evidence; rows by name or overall level, columns by code or by
    how many students are below mastery. `page` (from 1) cuts the sorted class into pages of
    `GRADEBOOK_PAGE_SIZE`; None gives every student. Five queries whatever the class size (the section and
    its teachers, the roster, the levels, the columns, the scores behind the page's cells), and one more
    for a scale not yet frozen."""
    sort = sort or GradebookSort()
    section, students = section_roster(context=context, section_id=section_id)
    student_ids = [student.pk for student in students]
    levels = _held_levels(section, student_ids)
    competencies = list(
        Competency.objects.filter(
            Q(pk__in=Assessment.objects.filter(section=section).values("competencies"))
            | Q(pk__in={competency_id for _, competency_id, *_ in levels})
        )
        .select_related("version__framework__scale")
        .order_by("version__framework__title", "path")[:MAX_GRADEBOOK_COLUMNS]
    )
    scales = levels_of_scales(competency.version.framework.scale for competency in competencies)
    shown = {competency.pk for competency in competencies}
    cells = {
        (student_id, competency_id): (level, meets, ids)
        for student_id, competency_id, level, meets, ids in levels
        if competency_id in shown
    }
    below = Counter(
        competency_id
        for (_, competency_id), (level, meets, _) in cells.items()
        if level is not None and not meets
    )
    if sort.competencies is CompetencyOrder.BELOW:
        # Stable: among equals, the code order stays.
        competencies.sort(key=lambda competency: -below[competency.pk])
    present: dict[int, list[float]] = defaultdict(list)
    for (student_id, _), (level, _, _) in cells.items():
        if level is not None:
            present[student_id].append(level)
    overall = {
        student_id: sum(present[student_id]) / len(present[student_id]) if present[student_id] else None
        for student_id in student_ids
    }
    ordered = _ordered(overall, students, sort)
    pages = max(1, -(-len(ordered) // GRADEBOOK_PAGE_SIZE))
    number = min(max(page, 1), pages) if page is not None else 1
    shown_students = (
        ordered[(number - 1) * GRADEBOOK_PAGE_SIZE : number * GRADEBOOK_PAGE_SIZE]
        if page is not None
        else ordered
    )
    scores = _cell_scores(
        {
            score_id
            for student in shown_students
            for competency in competencies
            for score_id in cells.get((student.pk, competency.pk), (None, False, []))[2][-CELL_SCORES:]
        }
    )
    facts = {scale_id: _scale_band_facts(levels) for scale_id, levels in scales.items()}
    rows = []
    for student in shown_students:
        row: list[GradebookCell | None] = []
        for competency in competencies:
            found = cells.get((student.pk, competency.pk))
            if found is None:
                row.append(None)
                continue
            level, meets, ids = found
            latest = scores.get(ids[-1]) if ids else None
            row.append(
                GradebookCell(
                    level=level,
                    meets_mastery=meets,
                    band=_band(level, facts[competency.version.framework.scale_id]),
                    evidence_id=latest.evidence_id if latest else None,
                    scores=[
                        scores[score_id] for score_id in reversed(ids[-CELL_SCORES:]) if score_id in scores
                    ],
                    score_count=len(ids),
                )
            )
        rows.append((student, row))
    return Gradebook(
        section=section,
        students=shown_students,
        competencies=competencies,
        rows=rows,
        overall={student.pk: overall[student.pk] for student in shown_students},
        below_mastery={competency.pk: below[competency.pk] for competency in competencies},
        sort=sort,
        scales=scales,
        class_size=len(students),
        page=number,
        pages=pages if page is not None else 1,
    )


@dataclass(frozen=True)
class GradebookEntry:
    """A section on the gradebooks page: its size, the competencies its assessments name, and whether the
    reader teaches it."""

    section: Section
    students: int
    competencies: int
    taught: bool


def gradebooks_for(*, context: RequestContext) -> list[GradebookEntry]:
    """The gradebooks the reader may open: the sections they teach first, then the others their school or
    district role shows them. Counts only, so no student is disclosed; three queries."""
    sections = sections_for(context=context)
    ids = [section.pk for section in sections]
    assessed = dict(
        Assessment.objects.filter(section_id__in=ids)
        .values("section_id")
        .annotate(count=Count("competencies", distinct=True))
        .values_list("section_id", "count")
    )
    taught = set(
        SectionTeacher.objects.filter(
            policy.active_on(policy.today()), section_id__in=ids, teacher_id=context.actor
        ).values_list("section_id", flat=True)
    )
    entries = [
        GradebookEntry(
            section=section,
            students=getattr(section, "student_count", 0),
            competencies=assessed.get(section.pk, 0),
            taught=section.pk in taught,
        )
        for section in sections
    ]
    # Stable: within each group, the sections page's order (school, course code, title).
    return sorted(entries, key=lambda entry: not entry.taught)


# How learning is measured (the families explainer) --------------------------------------------------------


@dataclass(frozen=True)
class ScaleExplained:
    """A proficiency scale the district's frameworks use, with its levels (lowest first)."""

    scale: ProficiencyScale
    levels: list[ScaleLevel]
    frameworks: list[Framework]

    @property
    def mastery_level(self) -> ScaleLevel | None:
        return next((level for level in self.levels if level.meets_mastery), None)


@dataclass(frozen=True)
class WorkedExample:
    """The district's method applied, step by step, to a run of scores on its own scale."""

    scores: list[float]
    steps: list[str]
    level: float | None
    label: str
    meets_mastery: bool


@dataclass(frozen=True)
class RuleExplained:
    """A calculation rule in force in the district, the frameworks it holds for, and a worked example."""

    spec: calc.MethodSpec
    rollup: calc.RollupRule
    frameworks: list[Framework]
    competency_rules: int  # how many competencies of these frameworks have a rule of their own
    example: WorkedExample


@dataclass(frozen=True)
class Explainer:
    district: Organization
    scales: list[ScaleExplained]
    rules: list[RuleExplained]


# The worked example's scores, as positions on the scale, oldest first: a rise with a dip, which tells the
# methods apart (the calculation page uses the same run).
EXAMPLE_PATTERN = (0, 2, 1, 3, 2)


def example_scores(levels: list[ScaleLevel]) -> list[float]:
    values = [level.value for level in levels] or [1.0, 2.0, 3.0, 4.0]
    return [values[min(index, len(values) - 1)] for index in EXAMPLE_PATTERN]


def _number(value: float) -> str:
    return number_format(round(value, 2), decimal_pos=None, use_l10n=True) if value % 1 else f"{value:g}"


def _steps(spec: calc.MethodSpec, scores: list[float], result: float | None) -> list[str]:
    """The arithmetic of `spec` on `scores`, one line per step, in words with the real numbers."""
    shown = ", ".join(_number(score) for score in scores)
    method = spec.method
    outcome = _number(result) if result is not None else "—"
    if method is calc.Method.LATEST:
        return [gettext("The most recent score is %(score)s.") % {"score": outcome}]
    if method is calc.Method.HIGHEST:
        return [gettext("The highest of %(scores)s is %(score)s.") % {"scores": shown, "score": outcome}]
    if method is calc.Method.MEAN:
        total = " + ".join(_number(score) for score in scores)
        return [f"({total}) ÷ {len(scores)} = {outcome}"]
    if method is calc.Method.MODE:
        times = scores.count(result) if result is not None else 0
        return [
            ngettext(
                "%(score)s comes up most often (%(times)s time).",
                "%(score)s comes up most often (%(times)s times).",
                times,
            )
            % {"score": outcome, "times": times}
        ]
    if method is calc.Method.WEIGHTED_AVERAGE:
        earlier = sum(scores[:-1]) / len(scores[:-1])
        return [
            gettext("The earlier scores average %(mean)s.") % {"mean": _number(earlier)},
            f"{_number(spec.weight)} × {_number(scores[-1])} + {_number(1 - spec.weight)} × "
            f"{_number(earlier)} = {outcome}",
        ]
    if method is calc.Method.DECAYING_AVERAGE:
        steps = [gettext("Start at the first score: %(score)s.") % {"score": _number(scores[0])}]
        running = scores[0]
        for score in scores[1:]:
            after = (1 - spec.weight) * running + spec.weight * score
            steps.append(
                gettext("Then %(score)s: %(keep)s × %(before)s + %(weight)s × %(score)s = %(after)s.")
                % {
                    "score": _number(score),
                    "keep": _number(1 - spec.weight),
                    "before": _number(running),
                    "weight": _number(spec.weight),
                    "after": _number(after),
                }
            )
            running = after
        return steps
    if method is calc.Method.POWER_LAW:
        return [
            gettext("The trend line through %(scores)s stands at %(score)s at the latest score.")
            % {"scores": shown, "score": outcome}
        ]
    window = sorted(scores[-spec.m :], reverse=True)
    return [
        gettext("The last %(m)s scores from high to low: %(scores)s.")
        % {"m": len(window), "scores": ", ".join(_number(score) for score in window)},
        gettext("At least %(n)s of them reach %(score)s.") % {"n": spec.n, "score": outcome},
    ]


def worked_example(spec: calc.MethodSpec, levels: list[ScaleLevel]) -> WorkedExample:
    """`spec` applied to the example run on this scale, with each step of the arithmetic."""
    scores = example_scores(levels)
    values = [level.value for level in levels] or [1.0, 4.0]
    threshold = next((level.value for level in levels if level.meets_mastery), values[-1])
    result = calc.level(spec, scores, scale_min=values[0], scale_max=values[-1])
    return WorkedExample(
        scores=scores,
        steps=_steps(spec, scores, result),
        level=None if result is None else round(result, 2),
        label=level_name(levels, result),
        meets_mastery=result is not None and result >= threshold - 1e-9,
    )


def measurement_explainer(district: Organization) -> Explainer:
    """What a family needs to read the district's levels: its scales (level names and descriptors) and the
    calculation rules in force, each with a worked example on its scale. No student data; four queries."""
    frameworks = list(frameworks_in_use(district).select_related("scale").order_by("title"))
    levels = scale_levels(framework.scale_id for framework in frameworks)
    scales: dict[int, ScaleExplained] = {}
    for framework in frameworks:
        scale = scales.setdefault(
            framework.scale_id, ScaleExplained(framework.scale, levels[framework.scale_id], [])
        )
        scale.frameworks.append(framework)
    books = rule_books([district.pk], [framework.pk for framework in frameworks])
    grouped: dict[tuple[Rule, int], list[Framework]] = defaultdict(list)
    for framework in frameworks:
        grouped[(books[(district.pk, framework.pk)].default, framework.scale_id)].append(framework)
    rules = [
        RuleExplained(
            spec=rule.spec,
            rollup=rule.rollup,
            frameworks=members,
            competency_rules=sum(
                len(books[(district.pk, framework.pk)].by_identifier) for framework in members
            ),
            example=worked_example(rule.spec, levels[scale_id]),
        )
        for (rule, scale_id), members in grouped.items()
    ]
    return Explainer(district=district, scales=list(scales.values()), rules=rules)


# The scoring sheet -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionView:
    """A rubric criterion about a competency, with its cell (teacher and student wording) per scale level."""

    criterion: RubricCriterion
    cells: list[tuple[ScaleLevel, str, str]]


@dataclass(frozen=True)
class CompetencyScoring:
    """What a scorer needs for one competency: the scale's levels, the rubric rows about it, and the current
    judgements (those a new score may correct)."""

    competency: Competency
    levels: list[ScaleLevel]
    criteria: list[CriterionView]
    current_scores: list[Score]


@dataclass(frozen=True)
class ScoringSheet:
    """The evidence as its scorer sees it (whether the judgement counts is `detail.judgement_counts`), and
    one block per competency of the evidence, in tree order."""

    detail: EvidenceDetail
    blocks: list[CompetencyScoring]


def scoring_sheet(*, context: RequestContext, evidence_id: int) -> ScoringSheet:
    """The evidence with, per competency, the scale, the assessment's rubric rows and the current judgements;
    for those who may judge it (the student's self-assessment included), else NotPermitted."""
    detail = evidence_detail(context=context, evidence_id=evidence_id)
    if not detail.may_judge:
        raise NotPermitted(gettext("Only the student's teachers and administrators score this evidence."))
    evidence = detail.evidence
    rubric = evidence.assessment.rubric if evidence.assessment is not None else None
    criteria: dict[int, list[CriterionView]] = {competency.pk: [] for competency in detail.competencies}
    if rubric is not None:
        for criterion in rubric.criteria.prefetch_related("cells__level").filter(
            competency_id__in=list(criteria)
        ):
            criteria[criterion.competency_id].append(
                CriterionView(
                    criterion,
                    [
                        (cell.level, cell.description, cell.student_description)
                        for cell in criterion.cells.all()
                    ],
                )
            )
    shown = next(view for view in detail.versions if view.evidence.pk == evidence.pk)
    current = [score for score in shown.scores if not hasattr(score, "superseded_by")]
    return ScoringSheet(
        detail=detail,
        blocks=[
            CompetencyScoring(
                competency=competency,
                levels=detail.levels[competency.pk],
                criteria=criteria[competency.pk],
                current_scores=[score for score in current if score.competency_id == competency.pk],
            )
            for competency in detail.competencies
        ],
    )

"""Ranking catalog opportunities for one student, with the reasons in words. Pure Python: no Django.

The rule (docs/pathways.md says the same in plain words):

1. Leave out what the student cannot take or already has: an opportunity for other grades, one whose
   prerequisite competencies the student has not mastered, one with no place left, one the student has
   already proposed or is on.
2. Score the rest, in whole points:
   - 3 points for each competency the opportunity can evidence that the student has not mastered yet
     (no evidence counts as not yet), counting at most 4;
   - 2 points for each of the student's interests found in its title, description or topics, at most 3;
   - 4 points when it is in a career cluster the student chose;
   - minus 4 when it is online and the student has no device or no internet at home; minus 4 when it is in
     the community, the student said getting there is hard and no transport is provided; minus 3 when it
     meets outside the school day, the student said when they are free, and the two never meet (the school
     day is the school's to arrange, so it never clashes).
3. Keep only opportunities with at least one reason for (a competency, an interest or a cluster); rank by
   points, then by the number of competencies still to master, then by title and id, so the order never
   depends on anything but the facts.

Each suggestion carries one sentence with its reasons, and one more sentence for any access caution.

The sentences are read in the reader's language. The module stays free of Django: its words go through
`gettext` and `ngettext` below, which `PathwaysConfig.ready` points at Django's translation (and which read
English until then, as in this module's own tests); `makemessages` finds the words by those names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


_translate: Callable[[str], str] = str
_translate_plural: Callable[[str, str, int], str] = _english_plural


def use_translation(
    translate: Callable[[str], str], translate_plural: Callable[[str, str, int], str]
) -> None:
    """Read the sentences in the active language from now on (Django's `gettext` and `ngettext`)."""
    global _translate, _translate_plural
    _translate, _translate_plural = translate, translate_plural


def gettext(message: str) -> str:
    return _translate(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translate_plural(singular, plural, n)


def gettext_noop(message: str) -> str:
    """Marks words for the catalog that are translated later, where they are used."""
    return message


GAP_POINTS = 3
MAX_GAPS_COUNTED = 4
INTEREST_POINTS = 2
MAX_INTERESTS_COUNTED = 3
CLUSTER_POINTS = 4
ONLINE_ACCESS_PENALTY = 4
TRANSPORT_PENALTY = 4
SCHEDULE_PENALTY = 3

# The location and time values the catalog stores (`waypoint.catalog.models` uses the same strings; a test
# checks they agree).
ONLINE = "online"
COMMUNITY = "community"
SCHOOL_DAY = "school_day"
TIME_LABELS: dict[str, str] = {
    SCHOOL_DAY: gettext_noop("during the school day"),
    "after_school": gettext_noop("after school"),
    "evenings": gettext_noop("in the evening"),
    "weekends": gettext_noop("on weekends"),
    "summer": gettext_noop("in the summer"),
}
NAMES_IN_A_SENTENCE = 3


@dataclass(frozen=True)
class LearnerFacts:
    """What the rule knows about the student. `mastery` maps a competency id to whether the student meets
    mastery on it; a competency missing from it has no evidence yet, which counts as not mastered."""

    grade: int | None
    mastery: Mapping[int, bool] = field(default_factory=dict)
    interests: tuple[str, ...] = ()
    career_clusters: frozenset[str] = frozenset()
    has_home_device: bool | None = None
    has_home_internet: bool | None = None
    transport_is_hard: bool = False
    free_times: frozenset[str] = frozenset()
    taken: frozenset[int] = frozenset()

    def has_mastered(self, competency_id: int) -> bool:
        return bool(self.mastery.get(competency_id, False))


@dataclass(frozen=True)
class OpportunityFacts:
    """What the rule knows about one opportunity. `competencies` and `prerequisites` map competency ids to the
    short names the reasons use; `places_left` None means no limit."""

    id: int
    title: str
    text: str = ""
    competencies: Mapping[int, str] = field(default_factory=dict)
    prerequisites: Mapping[int, str] = field(default_factory=dict)
    min_grade: int | None = None
    max_grade: int | None = None
    places_left: int | None = None
    location: str = ""
    transport_provided: bool = False
    times: frozenset[str] = frozenset()
    career_cluster: str = ""
    career_cluster_label: str = ""


@dataclass(frozen=True)
class Suggestion:
    opportunity_id: int
    points: int
    competencies_to_master: tuple[str, ...]
    interests_matched: tuple[str, ...]
    in_chosen_cluster: bool
    cautions: tuple[str, ...]
    reason: str


def _grade_text(grade: int) -> str:
    return gettext("kindergarten") if grade == 0 else gettext("grade %(grade)s") % {"grade": grade}


def _grade_span(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        if low == high:
            return gettext("grade %(grade)s") % {"grade": low}
        return gettext("grades %(low)s–%(high)s") % {"low": low, "high": high}
    if low is not None:
        return gettext("grade %(grade)s and up") % {"grade": low}
    return gettext("grade %(grade)s and below") % {"grade": high}


def barriers(learner: LearnerFacts, opportunity: OpportunityFacts) -> list[str]:
    """Why the student may not take the opportunity (empty when they may): grade, prerequisites, places.

    The proposal and approval services refuse with these same words, so a student never sees a suggestion
    that the service would refuse."""
    found: list[str] = []
    low, high = opportunity.min_grade, opportunity.max_grade
    if low is not None or high is not None:
        grade = learner.grade
        if grade is None:
            found.append(
                gettext("It is for %(grades)s, and the student has no current grade.")
                % {"grades": _grade_span(low, high)}
            )
        elif (low is not None and grade < low) or (high is not None and grade > high):
            found.append(
                gettext("It is for %(grades)s, and the student is in %(grade)s.")
                % {"grades": _grade_span(low, high), "grade": _grade_text(grade)}
            )
    prerequisites = sorted(opportunity.prerequisites.items())
    missing = [name for cid, name in prerequisites if not learner.has_mastered(cid)]
    if missing:
        found.append(gettext("It needs mastery of %(names)s first.") % {"names": _names(missing)})
    if opportunity.places_left is not None and opportunity.places_left <= 0:
        found.append(gettext("It has no places left."))
    return found


def _normalized(phrase: str) -> str:
    return " ".join(phrase.casefold().split())


@functools.lru_cache(maxsize=1024)
def _interest_pattern(phrase: str) -> re.Pattern[str]:
    stem = phrase[:-1] if phrase.endswith("s") and len(phrase) > 3 else phrase
    return re.compile(rf"\b{re.escape(stem)}s?\b")


def interest_matches(interest: str, text: str) -> bool:
    """Whether an interest appears in the text as whole words, ignoring case and a plural "s" on either."""
    return _matches(_normalized(interest), _normalized(text))


def _matches(phrase: str, normalized_text: str) -> bool:
    return bool(phrase) and _interest_pattern(phrase).search(normalized_text) is not None


def _names(names: Sequence[str]) -> str:
    shown = list(names[:NAMES_IN_A_SENTENCE])
    rest = len(names) - len(shown)
    if rest:
        shown.append(gettext("%(count)s more") % {"count": rest})
    if len(shown) == 1:
        return shown[0]
    return gettext("%(list)s and %(last)s") % {"list": ", ".join(shown[:-1]), "last": shown[-1]}


def _cautions(learner: LearnerFacts, opportunity: OpportunityFacts) -> tuple[list[str], int]:
    cautions: list[str] = []
    penalty = 0
    if opportunity.location == ONLINE:
        no_device, no_internet = learner.has_home_device is False, learner.has_home_internet is False
        if no_device or no_internet:
            penalty += ONLINE_ACCESS_PENALTY
            if no_device and no_internet:
                lacking = gettext("you said you have no computer or tablet and no internet at home")
            elif no_device:
                lacking = gettext("you said you have no computer or tablet at home")
            else:
                lacking = gettext("you said you have no internet at home")
            cautions.append(
                gettext(
                    "it is online and %(lacking)s, so ask your school about a loaned laptop, a hotspot or "
                    "lab time"
                )
                % {"lacking": lacking}
            )
    if opportunity.location == COMMUNITY and learner.transport_is_hard and not opportunity.transport_provided:
        penalty += TRANSPORT_PENALTY
        cautions.append(
            gettext("it is away from school and you said getting there is hard, so ask about transport")
        )
    # The school day is the school's to arrange: only times outside it can clash with the student's.
    outside_school = opportunity.times - {SCHOOL_DAY}
    if learner.free_times and outside_school and not (learner.free_times & outside_school):
        penalty += SCHEDULE_PENALTY
        times = [
            gettext(TIME_LABELS[time]) if time in TIME_LABELS else time for time in sorted(outside_school)
        ]
        when = functools.reduce(
            lambda first, then: gettext("%(first)s or %(then)s") % {"first": first, "then": then}, times
        )
        cautions.append(
            gettext("it meets %(when)s, which is not when you said you are free") % {"when": when}
        )
    return cautions, penalty


def _sentence(gaps: Sequence[str], interests: Sequence[str], cluster: str, cautions: Sequence[str]) -> str:
    """ "Recommended because A; B; and C." The parts are joined with semicolons because each may list names
    with commas."""
    parts: list[str] = []
    if gaps:
        parts.append(
            ngettext(
                "it can show a competency you have not mastered yet: %(names)s",
                "it can show %(count)s competencies you have not mastered yet: %(names)s",
                len(gaps),
            )
            % {"count": len(gaps), "names": _names(gaps)}
        )
    if interests:
        parts.append(
            ngettext(
                "it matches your interest in %(names)s",
                "it matches your interests in %(names)s",
                len(interests),
            )
            % {"names": _names(interests)}
        )
    if cluster:
        parts.append(
            gettext("it is in the %(cluster)s career cluster you chose") % {"cluster": gettext(cluster)}
        )
    if len(parts) > 1:
        parts[-1] = gettext("and %(reason)s") % {"reason": parts[-1]}
    sentence = gettext("Recommended because %(reasons)s.") % {"reasons": "; ".join(parts)}
    if cautions:
        sentence += " " + gettext("Keep in mind: %(cautions)s.") % {"cautions": "; ".join(cautions)}
    return sentence


def suggest(learner: LearnerFacts, opportunity: OpportunityFacts) -> Suggestion | None:
    """The opportunity as a suggestion for the student, or None when it is left out (step 1) or has no
    reason for it (step 3)."""
    if opportunity.id in learner.taken or barriers(learner, opportunity):
        return None
    gaps = [name for cid, name in sorted(opportunity.competencies.items()) if not learner.has_mastered(cid)]
    searchable = _normalized(f"{opportunity.title}\n{opportunity.text}")
    seen: set[str] = set()
    interests: list[str] = []
    for interest in learner.interests:
        key = _normalized(interest)
        if key and key not in seen and _matches(key, searchable):
            seen.add(key)
            interests.append(interest.strip())
    in_cluster = bool(opportunity.career_cluster) and opportunity.career_cluster in learner.career_clusters
    if not gaps and not interests and not in_cluster:
        return None
    cautions, penalty = _cautions(learner, opportunity)
    points = (
        GAP_POINTS * min(len(gaps), MAX_GAPS_COUNTED)
        + INTEREST_POINTS * min(len(interests), MAX_INTERESTS_COUNTED)
        + (CLUSTER_POINTS if in_cluster else 0)
        - penalty
    )
    return Suggestion(
        opportunity_id=opportunity.id,
        points=points,
        competencies_to_master=tuple(gaps),
        interests_matched=tuple(interests),
        in_chosen_cluster=in_cluster,
        cautions=tuple(cautions),
        reason=_sentence(
            gaps,
            interests,
            opportunity.career_cluster_label or opportunity.career_cluster if in_cluster else "",
            cautions,
        ),
    )


def rank(
    learner: LearnerFacts, opportunities: Iterable[OpportunityFacts], limit: int | None = None
) -> list[Suggestion]:
    """The suggestions for the student, best first (see the module docstring for the rule)."""
    titled: list[tuple[Suggestion, str]] = []
    for opportunity in opportunities:
        suggestion = suggest(learner, opportunity)
        if suggestion is not None:
            titled.append((suggestion, opportunity.title.casefold()))
    titled.sort(
        key=lambda pair: (
            -pair[0].points,
            -len(pair[0].competencies_to_master),
            pair[1],
            pair[0].opportunity_id,
        )
    )
    ranked = [suggestion for suggestion, _ in titled]
    return ranked if limit is None else ranked[:limit]

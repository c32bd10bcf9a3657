"""The recommendation rule (pure): examples of each reason and barrier, and properties that hold for any
catalog and any student."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from waypoint.catalog.models import Location, MeetingTime
from waypoint.pathways.recommend import (
    CLUSTER_POINTS,
    COMMUNITY,
    GAP_POINTS,
    INTEREST_POINTS,
    ONLINE,
    ONLINE_ACCESS_PENALTY,
    SCHEDULE_PENALTY,
    SCHOOL_DAY,
    TIME_LABELS,
    TRANSPORT_PENALTY,
    LearnerFacts,
    OpportunityFacts,
    barriers,
    interest_matches,
    rank,
    suggest,
)

INTERNSHIP = OpportunityFacts(
    id=1,
    title="Machining internship",
    text="CNC machines and a robotics cell",
    competencies={10: "Collaboration (COL.1)", 11: "Problem solving (CTP.1)"},
    min_grade=10,
    max_grade=12,
    places_left=2,
    location="community",
    times=frozenset({"after_school"}),
    career_cluster="manufacturing",
    career_cluster_label="Manufacturing",
)
JO = LearnerFacts(grade=10, interests=("robotics",), career_clusters=frozenset({"manufacturing"}))


def test_every_reason_is_counted_and_said() -> None:
    suggestion = suggest(JO, INTERNSHIP)
    assert suggestion is not None
    assert suggestion.points == 2 * GAP_POINTS + INTEREST_POINTS + CLUSTER_POINTS
    assert suggestion.reason == (
        "Recommended because it can show 2 competencies you have not mastered yet: Collaboration (COL.1) "
        "and Problem solving (CTP.1); it matches your interest in robotics; and it is in the Manufacturing "
        "career cluster you chose."
    )


def test_mastered_competencies_are_no_reason() -> None:
    learner = replace(JO, mastery={10: True, 11: False})
    suggestion = suggest(learner, INTERNSHIP)
    assert suggestion is not None
    assert suggestion.competencies_to_master == ("Problem solving (CTP.1)",)
    assert "a competency you have not mastered yet: Problem solving (CTP.1)" in suggestion.reason


def test_an_opportunity_with_no_reason_is_not_suggested() -> None:
    learner = LearnerFacts(grade=10, mastery={10: True, 11: True})
    assert suggest(learner, INTERNSHIP) is None


def test_barriers_leave_an_opportunity_out() -> None:
    assert barriers(replace(JO, grade=9), INTERNSHIP) == [
        "It is for grades 10–12, and the student is in grade 9."
    ]
    assert barriers(replace(JO, grade=None), INTERNSHIP) == [
        "It is for grades 10–12, and the student has no current grade."
    ]
    full = replace(INTERNSHIP, places_left=0)
    assert barriers(JO, full) == ["It has no places left."]
    gated = replace(INTERNSHIP, prerequisites={20: "Algebra (ALG.1)"})
    assert barriers(JO, gated) == ["It needs mastery of Algebra (ALG.1) first."]
    assert barriers(replace(JO, mastery={20: True}), gated) == []
    for blocked in (replace(JO, grade=9), replace(JO, taken=frozenset({1}))):
        assert suggest(blocked, INTERNSHIP) is None
    assert suggest(JO, full) is None


def test_access_cautions_lower_the_rank_and_say_why() -> None:
    online = replace(INTERNSHIP, location="online", times=frozenset())
    offline = replace(JO, has_home_internet=False, has_home_device=False)
    suggestion = suggest(offline, online)
    assert suggestion is not None
    assert suggestion.points == 2 * GAP_POINTS + INTEREST_POINTS + CLUSTER_POINTS - ONLINE_ACCESS_PENALTY
    assert suggestion.reason.endswith(
        "Keep in mind: it is online and you said you have no computer or tablet and no internet at home, so "
        "ask your school about a loaned laptop, a hotspot or lab time."
    )

    stranded = replace(JO, transport_is_hard=True)
    far = suggest(stranded, INTERNSHIP)
    assert far is not None
    assert far.points == suggest(JO, INTERNSHIP).points - TRANSPORT_PENALTY  # type: ignore[union-attr]
    assert "ask about transport" in far.reason
    driven = suggest(stranded, replace(INTERNSHIP, transport_provided=True))
    assert driven is not None
    assert driven.cautions == ()

    busy = replace(JO, free_times=frozenset({"weekends"}))
    clash = suggest(busy, INTERNSHIP)
    assert clash is not None
    assert clash.points == suggest(JO, INTERNSHIP).points - SCHEDULE_PENALTY  # type: ignore[union-attr]
    assert "it meets after school, which is not when you said you are free" in clash.reason
    # The school day is the school's to arrange: a school-day course never clashes.
    course = replace(INTERNSHIP, times=frozenset({"school_day"}))
    assert suggest(busy, course).cautions == ()  # type: ignore[union-attr]


def test_interests_match_whole_words_ignoring_case_and_plurals() -> None:
    assert interest_matches("Robot", "a robots club")
    assert interest_matches("robots", "build a ROBOT")
    assert interest_matches("3d printing", "CAD and 3D  printing")
    assert not interest_matches("art", "a startup")
    assert not interest_matches("  ", "anything")


def test_ranking_breaks_ties_by_gaps_then_title_then_id() -> None:
    learner = LearnerFacts(grade=10)
    one = OpportunityFacts(id=5, title="B", competencies={1: "x"})
    same = OpportunityFacts(id=4, title="B", competencies={2: "y"})
    earlier = OpportunityFacts(id=9, title="A", competencies={3: "z"})
    more = OpportunityFacts(id=7, title="Z", competencies={1: "x", 2: "y"})
    assert [s.opportunity_id for s in rank(learner, [one, same, earlier, more])] == [7, 9, 4, 5]
    assert [s.opportunity_id for s in rank(learner, [one, same, earlier, more], limit=2)] == [7, 9]


def test_long_lists_of_names_are_shortened() -> None:
    many = replace(INTERNSHIP, competencies={i: f"C{i}" for i in range(1, 7)})
    suggestion = suggest(JO, many)
    assert suggestion is not None
    assert "6 competencies you have not mastered yet: C1, C2, C3 and 3 more" in suggestion.reason
    assert suggestion.points == 4 * GAP_POINTS + INTEREST_POINTS + CLUSTER_POINTS


# Properties -----------------------------------------------------------------------------------------------

WORDS = ["robotics", "music", "animals", "coding", "design", "health", "food", "writing"]
CLUSTERS = ["manufacturing", "stem", "arts", "health"]
TIMES = ["school_day", "after_school", "evenings", "weekends", "summer"]

opportunities = st.builds(
    OpportunityFacts,
    id=st.integers(1, 60),
    title=st.sampled_from(["Alpha", "Beta", "Gamma", "Delta"]),
    text=st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join),
    competencies=st.dictionaries(st.integers(1, 12), st.sampled_from(["A", "B", "C"]), max_size=5),
    prerequisites=st.dictionaries(st.integers(1, 12), st.just("P"), max_size=2),
    min_grade=st.one_of(st.none(), st.integers(6, 12)),
    max_grade=st.one_of(st.none(), st.integers(9, 12)),
    places_left=st.one_of(st.none(), st.integers(0, 3)),
    location=st.sampled_from(["on_campus", "community", "online"]),
    transport_provided=st.booleans(),
    times=st.frozensets(st.sampled_from(TIMES), max_size=2),
    career_cluster=st.sampled_from(["", *CLUSTERS]),
)
catalogs = st.lists(opportunities, max_size=12, unique_by=lambda o: o.id)
learners = st.builds(
    LearnerFacts,
    grade=st.one_of(st.none(), st.integers(6, 12)),
    mastery=st.dictionaries(st.integers(1, 12), st.booleans(), max_size=8),
    interests=st.lists(st.sampled_from(WORDS), max_size=3).map(tuple),
    career_clusters=st.frozensets(st.sampled_from(CLUSTERS), max_size=2),
    has_home_device=st.one_of(st.none(), st.booleans()),
    has_home_internet=st.one_of(st.none(), st.booleans()),
    transport_is_hard=st.booleans(),
    free_times=st.frozensets(st.sampled_from(TIMES), max_size=3),
    taken=st.frozensets(st.integers(1, 60), max_size=3),
)


@given(learners, catalogs, st.randoms(use_true_random=False))
def test_the_order_depends_only_on_the_facts(
    learner: LearnerFacts, catalog: list[OpportunityFacts], shuffler: random.Random
) -> None:
    first = rank(learner, catalog)
    shuffled = list(catalog)
    shuffler.shuffle(shuffled)
    assert rank(learner, shuffled) == first
    assert rank(learner, catalog) == first


@given(learners, catalogs)
def test_no_suggestion_the_student_cannot_take_and_every_one_says_why(
    learner: LearnerFacts, catalog: list[OpportunityFacts]
) -> None:
    by_id = {o.id: o for o in catalog}
    ranked = rank(learner, catalog)
    for suggestion in ranked:
        opportunity = by_id[suggestion.opportunity_id]
        assert barriers(learner, opportunity) == []
        assert suggestion.opportunity_id not in learner.taken
        assert suggestion.reason.startswith("Recommended because it ")
        assert suggestion.reason.endswith(".")
        assert (
            suggestion.competencies_to_master or suggestion.interests_matched or suggestion.in_chosen_cluster
        )
    points = [s.points for s in ranked]
    assert points == sorted(points, reverse=True)


@given(learners, opportunities, st.integers(1, 12))
def test_mastering_a_competency_never_raises_a_score(
    learner: LearnerFacts, opportunity: OpportunityFacts, competency: int
) -> None:
    before = suggest(learner, opportunity)
    after = suggest(replace(learner, mastery={**learner.mastery, competency: True}), opportunity)
    if after is not None and competency not in opportunity.prerequisites:
        assert before is not None
        assert after.points <= before.points


@given(learners, opportunities, st.sampled_from(WORDS))
def test_a_new_interest_never_lowers_a_score(
    learner: LearnerFacts, opportunity: OpportunityFacts, interest: str
) -> None:
    before = suggest(learner, opportunity)
    after = suggest(replace(learner, interests=(*learner.interests, interest)), opportunity)
    if before is not None:
        assert after is not None
        assert after.points >= before.points


def test_the_rule_reads_the_codes_the_catalog_stores() -> None:
    """The pure rule names the catalog's location and time codes without importing the catalog's models (it
    imports no Django): they must be the strings the catalog stores."""
    assert (ONLINE, COMMUNITY, SCHOOL_DAY) == (Location.ONLINE, Location.COMMUNITY, MeetingTime.SCHOOL_DAY)
    assert list(TIME_LABELS) == MeetingTime.values

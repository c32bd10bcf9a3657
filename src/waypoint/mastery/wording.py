"""How a level was computed, in words, addressed to whoever reads it.

A student reads "Your level is the highest of your 4 scores."; a guardian, a teacher or other staff reads
"Jordan’s level is the highest of their 4 scores."; a page about no one in particular (the calculation page,
the families explainer) reads "A student’s level is …". Every sentence is whole in the catalog, with named
placeholders, so a translator can reorder it (Spanish says "El nivel de Jordan …").

`calc.explain` keeps the same sentences in English for the pure engine's doctests; pages and the API use
these."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from waypoint.mastery.calc import Method, MethodSpec, RollupRule

_WEIGHTED = (Method.WEIGHTED_AVERAGE, Method.DECAYING_AVERAGE)


@dataclass(frozen=True)
class Voice:
    """Whom the sentences are about: the reader themself (`name` None) or someone named."""

    name: str | None = None

    @property
    def own(self) -> bool:
        return self.name is None


YOURS = Voice()


def about(name: str) -> Voice:
    """Sentences about a named student ("Jordan’s level …")."""
    return Voice(name)


def about_any_student() -> Voice:
    """Sentences about no one in particular ("A student’s level …")."""
    return Voice(gettext("a student"))


def percent(fraction: float) -> str:
    """A share as a percentage in the reader's number format: 0.65 → "65 %", 0.125 → "12.5 %"."""
    value = Decimal(str(round(fraction * 100, 1))).normalize()
    places = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
    return gettext("%(number)s %%") % {"number": number_format(value, decimal_pos=places)}


def _say(voice: Voice, own: str, named: str, **values: object) -> str:
    if voice.own:
        return own % values
    return capfirst(named % {**values, "name": voice.name})


def method_sentence(spec: MethodSpec, score_count: int, voice: Voice) -> str:
    """One sentence on how the level came from `score_count` counted scores by `spec`."""
    count = score_count
    if count <= 0:
        return gettext("No scores yet, so there is no level.")
    method = spec.method
    if method is Method.N_OF_M:
        return _n_of_m_sentence(spec.n, spec.m, count, voice)
    if count == 1:
        return _say(
            voice,
            gettext("Your level is your only score so far."),
            gettext("%(name)s’s level is their only score so far."),
        )
    if method is Method.LATEST or (method in _WEIGHTED and spec.weight == 1):
        return _say(
            voice,
            gettext("Your level is your most recent score."),
            gettext("%(name)s’s level is their most recent score."),
        )
    if method is Method.HIGHEST:
        return _say(
            voice,
            ngettext(
                "Your level is the highest of your %(count)s score.",
                "Your level is the highest of your %(count)s scores.",
                count,
            ),
            ngettext(
                "%(name)s’s level is the highest of their %(count)s score.",
                "%(name)s’s level is the highest of their %(count)s scores.",
                count,
            ),
            count=count,
        )
    if method is Method.MEAN:
        return _say(
            voice,
            ngettext(
                "Your level is the average of your %(count)s score.",
                "Your level is the average of your %(count)s scores.",
                count,
            ),
            ngettext(
                "%(name)s’s level is the average of their %(count)s score.",
                "%(name)s’s level is the average of their %(count)s scores.",
                count,
            ),
            count=count,
        )
    if method is Method.MODE:
        return _say(
            voice,
            ngettext(
                "Your level is the score you got most often out of your %(count)s score, and in a tie "
                "the higher score wins.",
                "Your level is the score you got most often out of your %(count)s scores, and in a tie "
                "the higher score wins.",
                count,
            ),
            ngettext(
                "%(name)s’s level is the score they got most often out of their %(count)s score, and in "
                "a tie the higher score wins.",
                "%(name)s’s level is the score they got most often out of their %(count)s scores, and in "
                "a tie the higher score wins.",
                count,
            ),
            count=count,
        )
    shares = {"latest": percent(spec.weight), "earlier": percent(1 - spec.weight)}
    if method is Method.WEIGHTED_AVERAGE:
        if count == 2:
            return _say(
                voice,
                gettext(
                    "Your level is a weighted average: your latest score counts %(latest)s and your "
                    "earlier score counts %(earlier)s."
                ),
                gettext(
                    "%(name)s’s level is a weighted average: their latest score counts %(latest)s and "
                    "their earlier score counts %(earlier)s."
                ),
                **shares,
            )
        return _say(
            voice,
            gettext(
                "Your level is a weighted average: your latest score counts %(latest)s and the average "
                "of your %(earlier_count)s earlier scores counts %(earlier)s."
            ),
            gettext(
                "%(name)s’s level is a weighted average: their latest score counts %(latest)s and the "
                "average of their %(earlier_count)s earlier scores counts %(earlier)s."
            ),
            earlier_count=count - 1,
            **shares,
        )
    if method is Method.DECAYING_AVERAGE:
        return _say(
            voice,
            gettext(
                "Your level is a running average of your %(count)s scores where each new score counts "
                "%(latest)s and everything before it %(earlier)s, so recent scores matter most."
            ),
            gettext(
                "%(name)s’s level is a running average of their %(count)s scores where each new score "
                "counts %(latest)s and everything before it %(earlier)s, so recent scores matter most."
            ),
            count=count,
            **shares,
        )
    if count == 2:
        return _say(
            voice,
            gettext("Your level is your most recent score, because 2 scores are not enough to show a trend."),
            gettext(
                "%(name)s’s level is their most recent score, because 2 scores are not enough to show "
                "a trend."
            ),
        )
    return _say(
        voice,
        gettext(
            "Your level is where the trend of your %(count)s scores says you are now, so steady "
            "improvement can lift it above your best score."
        ),
        gettext(
            "%(name)s’s level is where the trend of their %(count)s scores says they are now, so steady "
            "improvement can lift it above their best score."
        ),
        count=count,
    )


def _n_of_m_sentence(n: int, m: int, count: int, voice: Voice) -> str:
    if count < n:
        return _say(
            voice,
            ngettext(
                "There is no level yet, because it needs at least %(n)s score and you have %(count)s.",
                "There is no level yet, because it needs at least %(n)s scores and you have %(count)s.",
                n,
            ),
            ngettext(
                "There is no level yet, because it needs at least %(n)s score and %(name)s has %(count)s.",
                "There is no level yet, because it needs at least %(n)s scores and %(name)s has %(count)s.",
                n,
            ),
            n=n,
            count=count,
        )
    if count == 1:
        return _say(
            voice,
            gettext("Your level is your only score so far."),
            gettext("%(name)s’s level is their only score so far."),
        )
    window = min(m, count)
    if n == 1:
        return _say(
            voice,
            gettext("Your level is the highest of your last %(window)s scores."),
            gettext("%(name)s’s level is the highest of their last %(window)s scores."),
            window=window,
        )
    if n == window:
        return _say(
            voice,
            gettext(
                "Your level is the lowest of your last %(window)s scores, because all of them must reach it."
            ),
            gettext(
                "%(name)s’s level is the lowest of their last %(window)s scores, because all of them must "
                "reach it."
            ),
            window=window,
        )
    return _say(
        voice,
        gettext("Your level is the level that at least %(n)s of your last %(window)s scores reach."),
        gettext("%(name)s’s level is the level that at least %(n)s of their last %(window)s scores reach."),
        n=n,
        window=window,
    )


def rollup_sentence(rule: str, voice: Voice) -> str:
    """How a level rolled up from the levels of the competency's parts came about."""
    if rule == RollupRule.MEAN:
        return _say(
            voice,
            gettext("Your level is the average of your levels on the parts of this competency."),
            gettext("%(name)s’s level is the average of their levels on the parts of this competency."),
        )
    if rule == RollupRule.MINIMUM:
        return _say(
            voice,
            gettext("Your level is your lowest level among the parts of this competency."),
            gettext("%(name)s’s level is their lowest level among the parts of this competency."),
        )
    if rule == RollupRule.ALL_MASTERED:
        return _say(
            voice,
            gettext("You reach this competency when every part of it is at mastery."),
            gettext("%(name)s reaches this competency when every part of it is at mastery."),
        )
    if rule == RollupRule.POINTS:
        return _say(
            voice,
            gettext("Your level grows with the parts of this competency you have mastered."),
            gettext("%(name)s’s level grows with the parts of this competency they have mastered."),
        )
    return _say(
        voice,
        gettext("Your level comes from the parts of this competency."),
        gettext("%(name)s’s level comes from the parts of this competency."),
    )


def level_sentence(method: str, parameters: dict[str, float | int], score_count: int, voice: Voice) -> str:
    """The sentence for a stored level: its method (or `rollup:<rule>`), parameters and score count."""
    if method.startswith("rollup:"):
        return rollup_sentence(method.split(":", 1)[1], voice)
    return method_sentence(MethodSpec.from_parameters(method, parameters), score_count, voice)

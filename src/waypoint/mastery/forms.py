"""Forms of the mastery pages: a district's choice of calculation method and roll-up rule, and the scoring of
a piece of evidence (it parses input; `services.scores_record` decides what is allowed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.evidence.models import Score
from waypoint.frameworks.models import ScaleLevel
from waypoint.mastery.calc import DEFAULT_WEIGHT, Method, MethodSpec, RollupRule
from waypoint.mastery.selectors import CompetencyScoring
from waypoint.mastery.services import ScoreInput

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

# Lazy, so each request reads them in its own language.
METHOD_LABELS: dict[Method, StrOrPromise] = {
    Method.LATEST: _("Most recent score"),
    Method.HIGHEST: _("Highest score"),
    Method.MEAN: _("Average of all scores"),
    Method.MODE: _("Most frequent score"),
    Method.WEIGHTED_AVERAGE: _("Weighted average (the latest score weighs more)"),
    Method.DECAYING_AVERAGE: _("Decaying average (older scores fade)"),
    Method.POWER_LAW: _("Power law (the trend of the scores)"),
    Method.N_OF_M: _("n of the last m scores"),
}
ROLLUP_LABELS: dict[RollupRule, StrOrPromise] = {
    RollupRule.MEAN: _("Average of the parts"),
    RollupRule.MINIMUM: _("Lowest of the parts"),
    RollupRule.ALL_MASTERED: _("Mastered when every part is mastered"),
    RollupRule.POINTS: _("Points for the parts mastered"),
}
ROLLUP_SENTENCES: dict[RollupRule, StrOrPromise] = {
    RollupRule.MEAN: _("A competency's level is the average of its parts' levels."),
    RollupRule.MINIMUM: _("A competency's level is the lowest level among its parts."),
    RollupRule.ALL_MASTERED: _("A competency is mastered when every part of it is at mastery."),
    RollupRule.POINTS: _("A competency's level grows with the parts of it that are mastered."),
}
WEIGHTED = (Method.WEIGHTED_AVERAGE, Method.DECAYING_AVERAGE)


class CalculationForm(forms.Form):
    competency_identifier = forms.ChoiceField(
        label=_("Applies to"),
        required=False,
        help_text=_("The whole framework, or one competency (its own rule wins over the framework's)."),
    )
    method = forms.ChoiceField(
        label=_("Calculation method"),
        choices=[(m.value, METHOD_LABELS[m]) for m in Method],
        widget=forms.RadioSelect,
    )
    weight_percent = forms.FloatField(
        label=_("Weight of the newest score (%)"),
        required=False,
        min_value=1,
        max_value=100,
        initial=round(DEFAULT_WEIGHT * 100),
        help_text=_("For the weighted and decaying averages only, e.g. 65."),
    )
    n = forms.IntegerField(
        label=_("n: scores that must reach the level"),
        required=False,
        min_value=1,
        initial=3,
        help_text=_("For n of m only."),
    )
    m = forms.IntegerField(
        label=_("m: of the last how many scores"),
        required=False,
        min_value=1,
        initial=5,
        help_text=_("For n of m only; at least n."),
    )
    rollup_rule = forms.ChoiceField(
        label=_("Roll-up rule"),
        choices=[(r.value, ROLLUP_LABELS[r]) for r in RollupRule],
        initial=RollupRule.MEAN.value,
        help_text=_("How a competency's level follows from the levels of its parts (indicators)."),
    )

    def __init__(self, *args: Any, competencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.fields["competency_identifier"]
        assert isinstance(scope, forms.ChoiceField)  # noqa: S101  (declared above)
        scope.choices = [("", _("The whole framework")), *competencies]

    def parameters(self) -> dict[str, object]:
        """The parameters the chosen method takes (others are left out: the service refuses them)."""
        data = self.cleaned_data
        method = Method(data["method"])
        if method in WEIGHTED:
            percent = data.get("weight_percent")
            return {"weight": round((percent if percent is not None else DEFAULT_WEIGHT * 100) / 100, 4)}
        if method is Method.N_OF_M:
            return {"n": data.get("n") or MethodSpec(method).n, "m": data.get("m") or MethodSpec(method).m}
        return {}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == Method.N_OF_M.value:
            n, m = data.get("n") or 3, data.get("m") or 5
            if m < n:
                self.add_error("m", "m must be at least n.")
        return data


# Scoring ---------------------------------------------------------------------------------------------------


def level_key(value: float) -> str:
    """A scale level's value as a form value: 3.0 → "3", 2.5 → "2.5"."""
    return f"{value:g}"


@dataclass(frozen=True)
class LevelOption:
    level: ScaleLevel
    description: str
    student_description: str
    widget: Any


@dataclass(frozen=True)
class CriterionChoice:
    """One radio group: a rubric criterion (or the competency itself, scored directly) across the levels."""

    name: str
    title: str
    description: str
    options: list[LevelOption]
    bound: forms.BoundField


@dataclass(frozen=True)
class ScoringBlock:
    scoring: CompetencyScoring
    prefix: str
    choices: list[CriterionChoice]
    comment: forms.BoundField
    supersedes: forms.BoundField | None
    reason: forms.BoundField | None


def _score_choice_label(score: Score) -> str:
    who = score.scored_by.display_name if score.scored_by_id else "someone"
    counted = "counts" if score.counts_toward_mastery else "feedback only"
    return f"{score.value:g} by {who} on {date_format(localtime(score.scored_at), 'M j, Y')} ({counted})"


class ScoringForm(forms.Form):
    """Per competency of the evidence: a level for each rubric criterion about it (or one level directly),
    a comment, and optionally the current score it corrects with the reason."""

    def __init__(self, *args: Any, scoring: list[CompetencyScoring], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scoring = scoring
        for block in scoring:
            prefix = f"c{block.competency.pk}"
            choices = [(level_key(level.value), level.label) for level in block.levels]
            names = [f"{prefix}-k{view.criterion.pk}" for view in block.criteria] or [f"{prefix}-level"]
            for name in names:
                self.fields[name] = forms.ChoiceField(
                    choices=choices, required=False, widget=forms.RadioSelect
                )
            self.fields[f"{prefix}-comment"] = forms.CharField(
                label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            if block.current_scores:
                self.fields[f"{prefix}-supersedes"] = forms.TypedChoiceField(
                    label="This score corrects",
                    coerce=int,
                    required=False,
                    empty_value=None,
                    # A score no longer offered was corrected by someone else since the page was shown.
                    error_messages={
                        "invalid_choice": _(
                            "The score you chose to correct has been corrected since this page was shown: "
                            "reload the page to see the current score."
                        )
                    },
                    choices=[
                        ("", "Nothing: it is a new score"),
                        *[(score.pk, _score_choice_label(score)) for score in block.current_scores],
                    ],
                )
                self.fields[f"{prefix}-reason"] = forms.CharField(
                    label=_("Reason for the correction"),
                    max_length=300,
                    required=False,
                    help_text=_("Required when the score corrects another. Both stay on the record."),
                )

    def blocks(self) -> list[ScoringBlock]:
        blocks = []
        for block in self.scoring:
            prefix = f"c{block.competency.pk}"
            choices = []
            rows: list[tuple[str, str, str, dict[int, tuple[str, str]]]] = [
                (
                    f"{prefix}-k{view.criterion.pk}",
                    view.criterion.title,
                    view.criterion.description,
                    {level.pk: (teacher, student) for level, teacher, student in view.cells},
                )
                for view in block.criteria
            ] or [(f"{prefix}-level", "Level", "", {})]
            for name, title, description, cells in rows:
                bound = self[name]
                widgets = list(bound)
                options = [
                    LevelOption(level, *cells.get(level.pk, ("", "")), widget)
                    for level, widget in zip(block.levels, widgets, strict=True)
                ]
                choices.append(CriterionChoice(name, title, description, options, bound))
            blocks.append(
                ScoringBlock(
                    scoring=block,
                    prefix=prefix,
                    choices=choices,
                    comment=self[f"{prefix}-comment"],
                    supersedes=self[f"{prefix}-supersedes"] if block.current_scores else None,
                    reason=self[f"{prefix}-reason"] if block.current_scores else None,
                )
            )
        return blocks

    def judgements(self) -> list[ScoreInput]:
        """A judgement per competency the scorer filled anything in for, for `services.scores_record` (a
        form-level error when there are none)."""
        data = self.cleaned_data
        chosen = []
        for block in self.scoring:
            prefix = f"c{block.competency.pk}"
            criterion_levels = {
                view.criterion.pk: float(data[f"{prefix}-k{view.criterion.pk}"])
                for view in block.criteria
                if data.get(f"{prefix}-k{view.criterion.pk}")
            }
            direct: str = data.get(f"{prefix}-level") or ""
            comment: str = data.get(f"{prefix}-comment") or ""
            supersedes_id: int | None = data.get(f"{prefix}-supersedes")
            reason: str = data.get(f"{prefix}-reason") or ""
            if not (criterion_levels or direct or comment.strip() or supersedes_id or reason.strip()):
                continue
            chosen.append(
                ScoreInput(
                    competency_id=block.competency.pk,
                    value=float(direct) if direct else None,
                    criterion_levels=criterion_levels,
                    comment=comment,
                    supersedes_id=supersedes_id,
                    correction_reason=reason,
                )
            )
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.judgements():
            raise forms.ValidationError(gettext("Choose a level for at least one competency."))
        return data

"""Forms of the mastery pages: a district's choice of calculation method and roll-up rule."""

from __future__ import annotations

from typing import Any

from django import forms

from waypoint.mastery.calc import DEFAULT_WEIGHT, Method, MethodSpec, RollupRule

METHOD_LABELS: dict[Method, str] = {
    Method.LATEST: "Most recent score",
    Method.HIGHEST: "Highest score",
    Method.MEAN: "Average of all scores",
    Method.MODE: "Most frequent score",
    Method.WEIGHTED_AVERAGE: "Weighted average (the latest score weighs more)",
    Method.DECAYING_AVERAGE: "Decaying average (older scores fade)",
    Method.POWER_LAW: "Power law (the trend of the scores)",
    Method.N_OF_M: "n of the last m scores",
}
ROLLUP_LABELS: dict[RollupRule, str] = {
    RollupRule.MEAN: "Average of the parts",
    RollupRule.MINIMUM: "Lowest of the parts",
    RollupRule.ALL_MASTERED: "Mastered when every part is mastered",
    RollupRule.POINTS: "Points for the parts mastered",
}
ROLLUP_SENTENCES: dict[RollupRule, str] = {
    RollupRule.MEAN: "A competency's level is the average of its parts' levels.",
    RollupRule.MINIMUM: "A competency's level is the lowest level among its parts.",
    RollupRule.ALL_MASTERED: "A competency is mastered when every part of it is at mastery.",
    RollupRule.POINTS: "A competency's level grows with the parts of it that are mastered.",
}
WEIGHTED = (Method.WEIGHTED_AVERAGE, Method.DECAYING_AVERAGE)


class CalculationForm(forms.Form):
    competency_identifier = forms.ChoiceField(
        label="Applies to",
        required=False,
        help_text="The whole framework, or one competency (its own rule wins over the framework's).",
    )
    method = forms.ChoiceField(
        label="Calculation method",
        choices=[(m.value, METHOD_LABELS[m]) for m in Method],
        widget=forms.RadioSelect,
    )
    weight_percent = forms.FloatField(
        label="Weight of the newest score (%)",
        required=False,
        min_value=1,
        max_value=100,
        initial=round(DEFAULT_WEIGHT * 100),
        help_text="For the weighted and decaying averages only, e.g. 65.",
    )
    n = forms.IntegerField(
        label="n: scores that must reach the level",
        required=False,
        min_value=1,
        initial=3,
        help_text="For n of m only.",
    )
    m = forms.IntegerField(
        label="m: of the last how many scores",
        required=False,
        min_value=1,
        initial=5,
        help_text="For n of m only; at least n.",
    )
    rollup_rule = forms.ChoiceField(
        label="Roll-up rule",
        choices=[(r.value, ROLLUP_LABELS[r]) for r in RollupRule],
        initial=RollupRule.MEAN.value,
        help_text="How a competency's level follows from the levels of its parts (indicators).",
    )

    def __init__(self, *args: Any, competencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.fields["competency_identifier"]
        assert isinstance(scope, forms.ChoiceField)  # noqa: S101  (declared above)
        scope.choices = [("", "The whole framework"), *competencies]

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

"""Forms of the framework pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waypoint.core.models import Organization
from waypoint.frameworks.models import (
    AssociationType,
    Competency,
    CompetencyKind,
    FrameworkKind,
    FrameworkVersion,
    ProficiencyScale,
    RubricCriterion,
    ScaleLevel,
    Tier,
)
from waypoint.frameworks.services import DEFAULT_SCALE_LEVELS, CompetencyFields, LevelSpec

CASE_FILE_TYPES = (".json", ".csv")


def _grade_code(typed: str) -> str:
    """A grade as people type it ("9", "k") in CASE's spelling ("09", "KG")."""
    level = typed.strip().upper()
    if level.isdigit() and len(level) == 1:
        return f"0{level}"
    return "KG" if level in {"K", "KINDERGARTEN"} else level


class CompetencyForm(forms.Form):
    human_code = forms.CharField(label=_("Code"), max_length=200, required=False)
    full_statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 3}))
    student_statement = forms.CharField(
        label=_("In student language"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How a student would say it: “I can …”."),
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, initial=Tier.COMPETENCY)
    kind = forms.ChoiceField(label=_("Kind"), choices=CompetencyKind.choices, initial=CompetencyKind.CONTENT)
    education_levels = forms.CharField(
        label=_("Grades"), required=False, help_text=_("CASE codes separated by commas, e.g. 09, 10, 11, 12.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    parent = forms.ModelChoiceField(
        queryset=Competency.objects.none(),
        required=False,
        empty_label=_("(top level)"),
        label=_("Belongs under"),
    )

    def __init__(
        self, *args: Any, version: FrameworkVersion, exclude_subtree_of: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        parents = version.competencies.exclude(tier=Tier.INDICATOR).only(
            "id", "human_code", "full_statement", "abbreviated_statement"
        )
        if exclude_subtree_of:
            parents = parents.exclude(path__startswith=exclude_subtree_of)
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        parent_field.queryset = parents.order_by("path")

    def competency_fields(self) -> CompetencyFields:
        data = self.cleaned_data
        levels = tuple(
            _grade_code(level)
            for level in data["education_levels"].replace(";", ",").split(",")
            if level.strip()
        )
        return CompetencyFields(
            human_code=data["human_code"],
            full_statement=data["full_statement"],
            student_statement=data["student_statement"],
            tier=data["tier"],
            kind=data["kind"],
            education_levels=levels,
            notes=data["notes"],
        )

    @staticmethod
    def initial_for(competency: Competency) -> dict[str, object]:
        return {
            "human_code": competency.human_code,
            "full_statement": competency.full_statement,
            "student_statement": competency.student_statement,
            "tier": competency.tier,
            "kind": competency.kind,
            "education_levels": ", ".join(competency.education_levels or ()),
            "notes": competency.notes,
            "parent": competency.parent_id,
        }


class FrameworkForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=FrameworkKind.choices, initial=FrameworkKind.CONTENT)
    subjects = forms.CharField(label=_("Subjects"), required=False, help_text=_("Separated by commas."))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scale = forms.ModelChoiceField(
        queryset=ProficiencyScale.objects.none(),
        required=False,
        empty_label=_("The default four-level scale"),
        label=_("Proficiency scale"),
        help_text=_("The levels every score on this framework uses. It cannot change once scores use it."),
    )

    def __init__(self, *args: Any, district: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale_field = self.fields["scale"]
        assert isinstance(scale_field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        scale_field.queryset = ProficiencyScale.objects.filter(owner_id__in=[district.pk, district.parent_id])


class ScaleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LevelForm(forms.Form):
    value = forms.FloatField(label=_("Value"), help_text=_("Higher is better, e.g. 1, 2, 3, 4."))
    label = forms.CharField(label=_("Label"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    student_description = forms.CharField(
        required=False, label=_("In student language"), widget=forms.Textarea(attrs={"rows": 2})
    )
    meets_mastery = forms.BooleanField(required=False, label=_("Meets mastery"))

    def level_spec(self) -> LevelSpec:
        data = self.cleaned_data
        return LevelSpec(
            value=data["value"],
            label=data["label"],
            description=data["description"],
            student_description=data["student_description"],
            meets_mastery=data["meets_mastery"],
        )


LevelFormSet = forms.formset_factory(LevelForm, extra=1, can_delete=True, max_num=12, validate_max=True)


def levels_from(formset: Any) -> list[LevelSpec]:
    """The levels a filled level formset describes: blank extra rows and rows marked for removal left out."""
    return [
        form.level_spec()
        for form in formset
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("label")
    ]


def level_initial(scale: ProficiencyScale | None) -> list[dict[str, object]]:
    levels = list(scale.levels.all()) if scale else DEFAULT_SCALE_LEVELS
    return [
        {
            "value": level.value,
            "label": level.label,
            "description": level.description,
            "student_description": level.student_description,
            "meets_mastery": level.meets_mastery,
        }
        for level in levels
    ]


class CaseImportForm(forms.Form):
    file = forms.FileField(
        label=_("CASE file"),
        help_text=_("A CASE 1.0 CFPackage (.json) or an OpenSALT item list (.csv)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=500,
        help_text=_("Only for CSV files, which carry no title."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=FrameworkKind.choices, initial=FrameworkKind.STANDARDS)
    publish = forms.BooleanField(required=False, label=_("Publish it at once"))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        limit = settings.WAYPOINT_CASE_MAX_BYTES
        if not name.endswith(CASE_FILE_TYPES):
            raise forms.ValidationError(gettext("Choose a .json CASE package or a .csv OpenSALT item list."))
        if upload.size is None or upload.size > limit:
            raise forms.ValidationError(
                gettext("The file is larger than the limit of %(megabytes)s MB.")
                % {"megabytes": limit // (1024 * 1024)}
            )
        head = upload.read(2048)
        upload.seek(0)
        text = head.decode("utf-8-sig", errors="replace").lstrip()
        # The content, not the name, decides: a JSON package starts with an object, a CSV with its header.
        if name.endswith(".json") and not text.startswith("{"):
            raise forms.ValidationError(gettext("This file is not a JSON document."))
        if name.endswith(".csv") and ("identifier" not in text.split("\n", 1)[0] or "\x00" in text):
            raise forms.ValidationError(
                gettext("This file is not an OpenSALT CSV item list (no identifier column).")
            )
        return upload


class RubricForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CriterionForm(forms.Form):
    """One row of a rubric: a competency and, for every level of the scale, what the work shows in teacher
    language and in student language."""

    include = forms.BooleanField(required=False, initial=True, label=_("Use this criterion"))
    competency = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(max_length=500, required=False, label=_("Criterion"))

    def __init__(self, *args: Any, levels: list[ScaleLevel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = levels
        for index, level in enumerate(levels):
            self.fields[f"teacher_{index}"] = forms.CharField(
                label=gettext("%(level)s, for teachers") % {"level": level.label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"student_{index}"] = forms.CharField(
                label=gettext("%(level)s, for students") % {"level": level.label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("“I …”"),
            )

    def level_fields(self) -> list[tuple[ScaleLevel, forms.BoundField, forms.BoundField]]:
        return [(level, self[f"teacher_{i}"], self[f"student_{i}"]) for i, level in enumerate(self.levels)]

    def cells(self) -> dict[float, tuple[str, str]]:
        data = self.cleaned_data
        return {
            level.value: (data.get(f"teacher_{i}", ""), data.get(f"student_{i}", ""))
            for i, level in enumerate(self.levels)
        }

    @staticmethod
    def initial_for(criterion: RubricCriterion, levels: list[ScaleLevel]) -> dict[str, object]:
        cells = {cell.level_id: cell for cell in criterion.cells.all()}
        initial: dict[str, object] = {
            "include": True,
            "competency": criterion.competency_id,
            "title": criterion.title,
        }
        for index, level in enumerate(levels):
            cell = cells.get(level.pk)
            initial[f"teacher_{index}"] = cell.description if cell else ""
            initial[f"student_{index}"] = cell.student_description if cell else ""
        return initial


CriterionFormSet = forms.formset_factory(CriterionForm, extra=0, max_num=40, validate_max=True)


class AlignmentForm(forms.Form):
    """Align a competency to an item of another framework (by code) or to an item outside Waypoint."""

    association_type = forms.ChoiceField(choices=AssociationType.choices, label=_("Relationship"))
    framework = forms.TypedChoiceField(coerce=int, required=False, label=_("Framework"), empty_value=None)
    code = forms.CharField(max_length=200, required=False, label=_("Code in that framework"))
    target_identifier = forms.CharField(
        max_length=500, required=False, label=_("Or: CASE identifier of an item outside Waypoint")
    )
    target_title = forms.CharField(max_length=500, required=False, label=_("Its title or code"))
    target_uri = forms.CharField(max_length=1000, required=False, label=_("Its URI"))

    def __init__(self, *args: Any, frameworks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework_field = self.fields["framework"]
        assert isinstance(framework_field, forms.TypedChoiceField)  # noqa: S101  (declared above)
        framework_field.choices = [("", gettext("Choose a framework")), *frameworks]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by_code = data.get("framework") and data.get("code")
        if not by_code and not data.get("target_identifier"):
            raise forms.ValidationError(
                gettext("Choose a framework and a code, or give the identifier of an outside item.")
            )
        return data

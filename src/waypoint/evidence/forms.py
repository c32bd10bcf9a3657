"""Forms of the evidence pages: they parse input; the services decide what is allowed and check everything
again (file types by content, links, the competencies of one published version)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext, gettext_lazy

from waypoint.core.models import Organization, Section
from waypoint.evidence import services
from waypoint.evidence.models import Assessment, AssessmentKind
from waypoint.frameworks.models import (
    Competency,
    Framework,
    Rubric,
    VersionStatus,
)
from waypoint.frameworks.selectors import frameworks_in_use

LINK_HINT = gettext_lazy("One per line, starting with https://.")
FILE_ACCEPT = ",".join(
    [
        ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt",
        ".mp3,.wav,.ogg,.m4a,.mp4,.webm,.mov",
        ".docx,.xlsx,.pptx,.odt,.ods,.odp",
    ]
)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by content (`services.check_files`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": FILE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads if upload]


@dataclass(frozen=True)
class CompetencyGroup:
    """The competencies of one framework offered in a picker (its published version's leaves)."""

    framework: Framework
    competencies: list[Competency] = field(default_factory=list)


def competency_groups(district: Organization | None) -> list[CompetencyGroup]:
    """The leaves (competencies and indicators with nothing under them) of the published version of every
    framework the district uses (`frameworks_in_use`), grouped by framework, in tree order: what evidence
    shows."""
    if district is None:
        return []
    leaves = (
        Competency.objects.filter(
            version__framework_id__in=frameworks_in_use(district).values("id"),
            version__status=VersionStatus.PUBLISHED,
            children__isnull=True,
        )
        .select_related("version__framework")
        .only(
            "id",
            "human_code",
            "full_statement",
            "abbreviated_statement",
            "student_statement",
            "path",
            "version__id",
            "version__framework__id",
            "version__framework__title",
        )
        .order_by("version__framework__title", "version__framework_id", "path")
    )
    groups: dict[int, CompetencyGroup] = {}
    for competency in leaves:
        framework = competency.version.framework
        groups.setdefault(framework.pk, CompetencyGroup(framework)).competencies.append(competency)
    return list(groups.values())


def competency_label(competency: Competency, *, student_first: bool = False, with_code: bool = True) -> str:
    statement = (
        competency.student_statement
        if student_first and competency.student_statement
        else competency.abbreviated_statement or competency.full_statement
    )
    if len(statement) > 140:
        statement = statement[:139].rstrip() + "…"
    return f"{competency.human_code} — {statement}" if competency.human_code and with_code else statement


class CompetencyPicker(forms.Form):
    """A multi-select of competencies, rendered as checkbox lists grouped by framework."""

    competencies = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label=gettext_lazy("Competencies")
    )
    groups: list[CompetencyGroup]

    def _offer_competencies(self, groups: list[CompetencyGroup], help_text: str) -> None:
        self.groups = groups
        picker = self.fields["competencies"]
        assert isinstance(picker, forms.TypedMultipleChoiceField)  # noqa: S101  (declared above)
        picker.choices = [(c.pk, c.human_code or str(c.pk)) for group in groups for c in group.competencies]
        picker.help_text = help_text

    def checked_ids(self) -> set[str]:
        """The competencies ticked in the submitted data (or initially), as strings, to re-tick the boxes."""
        if isinstance(self.data, MultiValueDict):
            return set(self.data.getlist(self.add_prefix("competencies")))
        return {str(pk) for pk in self.initial.get("competencies", [])}

    def picker(self, *, student_first: bool = False) -> list[PickerGroup]:
        """The groups to render: a framework opens when one of its boxes is ticked."""
        checked = self.checked_ids()
        groups = []
        for group in self.groups:
            items = [
                PickerItem(
                    competency=c,
                    checked=str(c.pk) in checked,
                    statement=competency_label(c, student_first=student_first, with_code=False),
                )
                for c in group.competencies
            ]
            groups.append(PickerGroup(group.framework, any(item.checked for item in items), items))
        return groups


@dataclass(frozen=True)
class PickerItem:
    competency: Competency
    checked: bool
    statement: str


@dataclass(frozen=True)
class PickerGroup:
    framework: Framework
    open: bool
    items: list[PickerItem]


def _links(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class WorkFields(forms.Form):
    """What a piece of work is made of: a title, text, links and files."""

    title = forms.CharField(max_length=300, label=gettext_lazy("Title"))
    body = forms.CharField(
        label=gettext_lazy("Your work or notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Write it here, or describe what the files and links show."),
    )
    links = forms.CharField(
        label=gettext_lazy("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=LINK_HINT,
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Files"),
        help_text=gettext_lazy(
            "Documents, images, audio, video or plain text; up to 10 files. The content decides the type, "
            "not the name."
        ),
    )

    def clean_links(self) -> list[str]:
        links = _links(self.cleaned_data.get("links", ""))
        bad = [link for link in links if not link.lower().startswith(("https://", "http://"))]
        if bad:
            raise forms.ValidationError(
                [
                    gettext("%(link)s: a link must start with https:// or http://.") % {"link": link[:80]}
                    for link in bad
                ]
            )
        if len(links) > services.MAX_LINKS:
            raise forms.ValidationError(
                gettext("At most %(count)d links may be given.") % {"count": services.MAX_LINKS}
            )
        return links

    def clean_attachments(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        try:
            services.check_files(uploads)
        except services.EvidenceError as error:
            raise forms.ValidationError(list(error.problems)) from None
        return uploads


class EvidenceForm(CompetencyPicker, WorkFields):
    """New evidence: a student's own work, or a staff observation of a student."""

    assessment = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label=gettext_lazy("Assessment"),
        help_text=gettext_lazy(
            "The task this work answers. Leave it empty and choose the competencies below instead."
        ),
    )
    path = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label=gettext_lazy("Path"),
        help_text=gettext_lazy(
            "Done out of school on one of your paths (an internship, a course, an independent study)? Choose "
            "it: its mentor sees the work and gives feedback."
        ),
    )
    field_order = ["title", "assessment", "path", "body", "links", "attachments", "competencies"]

    def __init__(
        self,
        *args: Any,
        assessments: Sequence[Assessment],
        groups: list[CompetencyGroup],
        observation: bool = False,
        paths: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        path_field = self.fields["path"]
        assert isinstance(path_field, forms.TypedChoiceField)  # noqa: S101  (declared above)
        if paths:
            path_field.choices = [("", gettext_lazy("None: not done on a path")), *paths]
        else:
            # No path takes evidence now (or staff record an observation): the field is not offered.
            del self.fields["path"]
        assessment_field = self.fields["assessment"]
        assert isinstance(assessment_field, forms.TypedChoiceField)  # noqa: S101  (declared above)
        assessment_field.choices = [
            ("", gettext("None: I choose the competencies")),
            *[(a.pk, f"{a.title} ({a.get_kind_display()})") for a in assessments],
        ]
        self._offer_competencies(
            groups,
            gettext("Not needed with an assessment: its competencies are used. All from one framework."),
        )
        if observation:
            self.fields["title"].help_text = gettext("What you observed, e.g. “Led the lab safety briefing”.")
            self.fields["body"].label = gettext("What you observed")
            self.fields["body"].help_text = gettext("What the student did and said, in plain words.")


class CompetencyNamingForm(forms.Form):
    """The competencies a scorer names for evidence that names none (`services.evidence_competencies_add`)."""

    competencies = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Competencies this evidence shows"),
        error_messages={"required": gettext_lazy("Choose at least one competency the evidence shows.")},
    )

    def __init__(self, *args: Any, offered: Sequence[Competency], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "name")
        super().__init__(*args, **kwargs)
        field = self.fields["competencies"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101  (declared above)
        field.choices = [(c.pk, competency_label(c)) for c in offered]
        if not self.is_bound:
            self.initial.setdefault("competencies", [c.pk for c in offered])


class ReviseForm(WorkFields):
    """A new version of the student's latest work: the title may stay as it was."""

    title = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("Title"),
        help_text=gettext_lazy("Leave it empty to keep the title of the earlier version."),
    )
    body = forms.CharField(
        label=gettext_lazy("Your revised work"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What changed, and the new work itself (or attach it)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "revise")
        super().__init__(*args, **kwargs)


class FeedbackForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Feedback"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What is strong, and what to work on next."),
    )
    requests_revision = forms.BooleanField(
        required=False,
        label=gettext_lazy("Ask for a revision"),
        help_text=gettext_lazy(
            "The student is asked to resubmit; this version and its feedback stay in the chain."
        ),
    )

    def __init__(self, *args: Any, may_request_revision: bool, student_author: bool, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "feedback")
        super().__init__(*args, **kwargs)
        if not may_request_revision:
            del self.fields["requests_revision"]
        if student_author:
            self.fields["body"].label = gettext("A note on your work")
            self.fields["body"].help_text = gettext("A reflection: what you tried, what you would change.")


class AssessmentForm(CompetencyPicker):
    title = forms.CharField(max_length=300, label=gettext_lazy("Title"))
    kind = forms.ChoiceField(
        choices=AssessmentKind.choices, initial=AssessmentKind.FORMATIVE, label=gettext_lazy("Kind")
    )
    instructions = forms.CharField(
        required=False,
        label=gettext_lazy("Instructions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What the student does, in words they understand."),
    )
    rubric = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label=gettext_lazy("Rubric"),
        help_text=gettext_lazy(
            "Its criteria are offered when the work is scored. It must use the framework's scale."
        ),
    )
    section = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label=gettext_lazy("Class"),
        help_text=gettext_lazy("Only for one of your classes."),
    )
    due_on = forms.DateField(
        required=False,
        label=gettext_lazy("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    field_order = ["title", "kind", "instructions", "rubric", "competencies", "section", "due_on"]

    def __init__(
        self,
        *args: Any,
        rubrics: Sequence[Rubric],
        sections: Sequence[Section],
        groups: list[CompetencyGroup],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        rubric_field = self.fields["rubric"]
        section_field = self.fields["section"]
        assert isinstance(rubric_field, forms.TypedChoiceField)  # noqa: S101  (declared above)
        assert isinstance(section_field, forms.TypedChoiceField)  # noqa: S101  (declared above)
        rubric_field.choices = [
            ("", gettext("No rubric")),
            *[(r.pk, f"{r.title} ({r.owner.name})") for r in rubrics],
        ]
        section_field.choices = [("", gettext("Not for one class")), *[(s.pk, s.title) for s in sections]]
        self._offer_competencies(
            groups,
            gettext(
                "All from one framework. With a rubric, leave them unticked to use the rubric's competencies."
            ),
        )
        self.rubric_competencies: dict[int, list[int]] = {}
        for rubric in rubrics:
            self.rubric_competencies[rubric.pk] = [c.competency_id for c in rubric.criteria.all()]

    def competency_ids(self) -> list[int]:
        chosen: list[int] = self.cleaned_data.get("competencies") or []
        rubric_id = self.cleaned_data.get("rubric")
        if not chosen and rubric_id:
            return self.rubric_competencies.get(rubric_id, [])
        return chosen

"""HTML pages of competency frameworks: browser, competency and rubric pages, the draft editor, publishing,
version diffs and CASE import/export. Each view parses input, asks the access policy, calls a selector or
service, and renders."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from waypoint import policy
from waypoint.core.errors import NotPermitted, NotVisible
from waypoint.core.http import user_of
from waypoint.core.models import Organization, User
from waypoint.frameworks import selectors, services
from waypoint.frameworks.case import CasePackageError
from waypoint.frameworks.forms import (
    AlignmentForm,
    CaseImportForm,
    CompetencyForm,
    CriterionForm,
    CriterionFormSet,
    FrameworkForm,
    LevelFormSet,
    RubricForm,
    ScaleForm,
    level_initial,
    levels_from,
)
from waypoint.frameworks.models import (
    Competency,
    Framework,
    FrameworkAdoption,
    FrameworkVersion,
    ProficiencyScale,
    VersionStatus,
)
from waypoint.frameworks.tree import grade_order, with_ancestors
from waypoint.policy import Action


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass(frozen=True)
class TreeNode:
    """One row of the nested tree markup: the competency, whether it opens a branch, how many branches
    close after it."""

    competency: Competency
    has_children: bool
    closes: range


def tree_nodes(rows: list[Competency]) -> list[TreeNode]:
    """Turn a parents-first list into nested-list instructions, so the template needs no recursion."""
    nodes = []
    for index, row in enumerate(rows):
        following_depth = rows[index + 1].depth if index + 1 < len(rows) else 0
        has_children = following_depth > row.depth
        closes = 0 if has_children else row.depth - following_depth
        nodes.append(TreeNode(competency=row, has_children=has_children, closes=range(closes)))
    return nodes


@login_required
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    adopted = set(
        FrameworkAdoption.objects.filter(
            district_id=policy.request_access(request).acting_district_id
        ).values_list("framework_id", flat=True)
    )
    # Editors also see the draft they have open beside the version readers land on.
    drafts = dict(
        policy.visible_framework_versions(user)
        .filter(status=VersionStatus.DRAFT)
        .values_list("framework_id", "pk")
    )
    rows = [
        {
            "framework": framework,
            "version": version,
            "adopted": framework.pk in adopted,
            "draft_id": drafts.get(framework.pk) if drafts.get(framework.pk) != version.pk else None,
        }
        for framework, version in selectors.frameworks_for(user)
    ]
    return render(
        request,
        "frameworks/framework_list.html",
        {"rows": rows, "can_manage": policy.can(user, Action.MANAGE_FRAMEWORKS)},
    )


@login_required
@require_GET
def framework_detail(request: HttpRequest, framework_id: int) -> HttpResponse:
    _, versions = selectors.framework_get(user_of(request), framework_id)
    return redirect("framework-version", selectors.shown_version(versions).pk)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def version_detail(request: HtmxHttpRequest, version_id: int) -> HttpResponse:
    user = user_of(request)
    version = selectors.version_get(user, version_id)
    query = request.GET.get("q", "")[:200].strip()
    results = selectors.version_search(version, query) if query else []
    if request.htmx and request.htmx.target == "search-results":
        return render(
            request,
            "frameworks/_search_results.html",
            {
                "query": query,
                "results": results,
                "version": version,
                "student_first": policy.request_access(request).reads_student_language_first,
            },
        )
    _, versions = selectors.framework_get(user, version.framework_id)
    rows = selectors.version_tree(version)
    grades = sorted({level for row in rows for level in row.education_levels or ()}, key=grade_order)
    grade = request.GET.get("grade", "")
    if grade in grades:
        parents = {row.pk: row.parent_id for row in rows}
        kept = with_ancestors(parents, (row.pk for row in rows if grade in (row.education_levels or ())))
        rows = [row for row in rows if row.pk in kept]
    else:
        grade = ""
    can_edit = policy.can(user, Action.EDIT_FRAMEWORK, version.framework)
    has_draft = any(v.status == VersionStatus.DRAFT for v in versions)
    acting_district_id = policy.request_access(request).acting_district_id
    adopted = FrameworkAdoption.objects.filter(
        framework=version.framework, district_id=acting_district_id
    ).exists()
    managed = _managed_district(user)
    adoptable = version.status == VersionStatus.PUBLISHED and version.framework.owner_id != acting_district_id
    return render(
        request,
        "frameworks/version_detail.html",
        {
            "version": version,
            "framework": version.framework,
            "versions": versions,
            "nodes": tree_nodes(rows),
            "grades": grades,
            "grade": grade,
            "query": query,
            "results": results,
            "scale_levels": list(version.framework.scale.levels.all()),
            "can_edit_draft": can_edit and version.is_draft,
            "can_open_draft": can_edit and not has_draft,
            "can_retire": can_edit and version.status == VersionStatus.PUBLISHED,
            "student_first": policy.request_access(request).reads_student_language_first,
            "adopted": adopted,
            "adopt_for": managed if managed and adoptable and not adopted else None,
        },
    )


@login_required
@require_POST
def framework_adopt(request: HttpRequest, framework_id: int) -> HttpResponse:
    user = user_of(request)
    framework, _ = selectors.framework_get(user, framework_id)
    district = _managed_district(user)
    if district is None:
        raise NotPermitted(gettext("Only district administrators adopt frameworks."))
    try:
        services.framework_adopt(framework=framework, district=district, on=policy.today())
    except services.FrameworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("%(district)s now uses “%(framework)s”.")
            % {"district": district.name, "framework": framework.title},
        )
    return redirect("framework-detail", framework.pk)


@login_required
@require_GET
def competency_detail(request: HttpRequest, competency_id: int) -> HttpResponse:
    user = user_of(request)
    page = selectors.competency_page(user, competency_id)
    return render(
        request,
        "frameworks/competency_detail.html",
        {
            "page": page,
            "competency": page.competency,
            "student_first": policy.request_access(request).reads_student_language_first,
            "can_write_rubric": policy.can(user, Action.CREATE_RUBRIC),
            "alignment_form": _alignment_form(user) if page.can_edit else None,
        },
    )


@login_required
@require_GET
def rubric_detail(request: HttpRequest, rubric_id: int) -> HttpResponse:
    user = user_of(request)
    rubric = selectors.rubric_get(user, rubric_id)
    return render(
        request,
        "frameworks/rubric_detail.html",
        {
            "rubric": rubric,
            "levels": list(rubric.scale.levels.all()),
            "student_first": policy.request_access(request).reads_student_language_first,
            "can_edit": policy.can(user, Action.EDIT_FRAMEWORK, rubric),
        },
    )


@login_required
@require_GET
def rubric_list(request: HttpRequest) -> HttpResponse:
    rubrics = selectors.rubrics_for(user_of(request))
    return render(request, "frameworks/rubric_list.html", {"rubrics": rubrics})


def _editable(request: HttpRequest, version_id: int) -> FrameworkVersion:
    return selectors.editable_version(user_of(request), version_id)


@login_required
@require_http_methods(["GET", "POST"])
def competency_new(request: HttpRequest, version_id: int) -> HttpResponse:
    try:
        version = _editable(request, version_id)
    except NotPermitted:
        raise NotPermitted(
            gettext("Only the owning district's administrators edit this framework.")
        ) from None
    parent_id = request.GET.get("parent", "")
    initial = {"parent": int(parent_id)} if parent_id.isdigit() else {}
    form = CompetencyForm(request.POST or None, version=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            competency = services.competency_create(
                version=version, parent=form.cleaned_data["parent"], fields=form.competency_fields()
            )
        except services.FrameworkError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(
                request,
                gettext("Added %(code)s.") % {"code": competency.human_code}
                if competency.human_code
                else gettext("Added the competency."),
            )
            return redirect("competency-detail", competency.pk)
    return render(
        request, "frameworks/competency_form.html", {"form": form, "version": version, "competency": None}
    )


def _editable_competency(request: HttpRequest, competency_id: int) -> Competency:
    user = user_of(request)
    competency = selectors.competency_get(user, competency_id)
    if not policy.can(user, Action.EDIT_FRAMEWORK, competency.version):
        raise NotPermitted(gettext("Only the owning district's administrators edit this framework."))
    return competency


@login_required
@require_http_methods(["GET", "POST"])
def competency_edit(request: HttpRequest, competency_id: int) -> HttpResponse:
    competency = _editable_competency(request, competency_id)
    version = competency.version
    form = CompetencyForm(
        request.POST or None,
        version=version,
        exclude_subtree_of=competency.path,
        initial=CompetencyForm.initial_for(competency),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.competency_update(
                competency=competency,
                fields=form.competency_fields(),
                move=True,
                parent=form.cleaned_data["parent"],
            )
        except services.FrameworkError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("competency-detail", competency.pk)
    return render(
        request,
        "frameworks/competency_form.html",
        {"form": form, "version": version, "competency": competency},
    )


@login_required
@require_POST
def competency_delete(request: HttpRequest, competency_id: int) -> HttpResponse:
    competency = _editable_competency(request, competency_id)
    try:
        removed = services.competency_delete(competency=competency)
    except services.FrameworkError as error:
        messages.error(request, str(error))
        return redirect("competency-detail", competency.pk)
    messages.success(
        request,
        ngettext("Removed %(count)d competency.", "Removed %(count)d competencies.", removed)
        % {"count": removed},
    )
    return redirect("framework-version", competency.version_id)


@login_required
@require_POST
def draft_new(request: HttpRequest, framework_id: int) -> HttpResponse:
    user = user_of(request)
    framework, _ = selectors.framework_get(user, framework_id)
    if not policy.can(user, Action.EDIT_FRAMEWORK, framework):
        raise NotPermitted(gettext("Only the owning district's administrators edit this framework."))
    try:
        draft = services.draft_create(framework=framework, actor=user)
    except services.FrameworkError as error:
        messages.error(request, str(error))
        return redirect("framework-detail", framework.pk)
    messages.success(
        request,
        gettext("Draft version %(number)s is open: a copy of the published version.")
        % {"number": draft.number},
    )
    return redirect("framework-version", draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    user = user_of(request)
    try:
        version = _editable(request, version_id)
    except NotPermitted:
        raise NotPermitted(
            gettext("Only the owning district's administrators publish this framework.")
        ) from None
    if not version.is_draft:
        messages.error(request, gettext("Only a draft can be published."))
        return redirect("framework-version", version.pk)
    if request.method == "POST":
        try:
            services.version_publish(version=version, actor=user)
        except services.FrameworkError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                gettext("Version %(number)s is published and can no longer change.")
                % {"number": version.number},
            )
        return redirect("framework-version", version.pk)
    previous = version.based_on
    return render(
        request,
        "frameworks/version_publish.html",
        {
            "version": version,
            "framework": version.framework,
            "previous": previous,
            "diff": selectors.version_diff(previous, version) if previous else None,
            "item_count": version.competencies.count(),
        },
    )


@login_required
@require_GET
def version_diff(request: HttpRequest, version_id: int) -> HttpResponse:
    user = user_of(request)
    version = selectors.version_get(user, version_id)
    _, versions = selectors.framework_get(user, version.framework_id)
    against = request.GET.get("against", "")
    others = [v for v in versions if v.pk != version.pk]
    other = next((v for v in others if str(v.pk) == against), None) or version.based_on
    if other is None or other.framework_id != version.framework_id or other not in versions:
        other = others[0] if others else None
    diff = selectors.version_diff(other, version) if other else None
    older, newer = sorted((version, other), key=lambda v: v.number) if other else (None, version)
    return render(
        request,
        "frameworks/version_diff.html",
        {
            "version": version,
            "framework": version.framework,
            "others": others,
            "older": older,
            "newer": newer,
            "diff": diff,
        },
    )


@login_required
@require_GET
def version_case(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version_get(user_of(request), version_id)
    body = json.dumps(selectors.case_export(version), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="case-framework-{version.framework_id}-v{version.number}.json"'
    )
    return response


def _managed_district(user: User) -> Organization | None:
    managed = sorted(policy.framework_districts(user))
    return Organization.objects.filter(pk=managed[0]).first() if managed else None


@login_required
@require_http_methods(["GET", "POST"])
def framework_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    district = _managed_district(user)
    if district is None:
        raise NotPermitted(gettext("Only district administrators create frameworks."))
    form = FrameworkForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.framework_create(
                owner=district,
                title=data["title"],
                kind=data["kind"],
                subjects=[s.strip() for s in data["subjects"].split(",") if s.strip()],
                description=data["description"],
                actor=user,
                scale=data["scale"],
            )
        except services.FrameworkError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(
                request,
                gettext("“%(framework)s” is created as an empty draft.")
                % {"framework": version.framework.title},
            )
            return redirect("framework-version", version.pk)
    return render(request, "frameworks/framework_form.html", {"form": form, "district": district})


@login_required
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    district = _managed_district(user)
    if district is None:
        raise NotPermitted(gettext("Only district administrators import frameworks."))
    form = CaseImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read()
        try:
            package = services.case_parse(
                raw=raw, file_name=upload.name or "", title=form.cleaned_data["title"]
            )
            result = services.case_import(
                package=package,
                owner=district,
                file_name=upload.name or "",
                content=raw,
                actor=user,
                kind=form.cleaned_data["kind"],
                publish=form.cleaned_data["publish"],
            )
        except CasePackageError as error:
            problems = [str(problem) for problem in error.problems]
        except services.FrameworkError as error:
            problems = list(error.problems)
    status = 400 if problems or form.errors else 200
    context: dict[str, Any] = {
        "form": form,
        "district": district,
        "problems": problems,
        "result": result,
        "max_upload_mb": settings.WAYPOINT_CASE_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "frameworks/framework_import.html", context, status=status)


def _criterion_specs(
    formset: Any, competencies: dict[int, Competency]
) -> tuple[list[services.CriterionSpec], list[str]]:
    """The included rows of a criteria formset as specs, with a problem for each row that cannot be used."""
    specs: list[services.CriterionSpec] = []
    problems: list[str] = []
    for form in formset:
        data = form.cleaned_data
        if not data or not data.get("include"):
            continue
        competency = competencies.get(data["competency"])
        if competency is None:
            problems.append(gettext("A criterion names a competency you cannot see."))
            continue
        specs.append(
            services.CriterionSpec(
                competency=competency,
                title=data["title"] or competency.human_code or competency.short_statement,
                cells=form.cells(),
            )
        )
    return specs, problems


def _visible_competencies(user: User, ids: list[int]) -> dict[int, Competency]:
    return {
        c.pk: c
        for c in Competency.objects.filter(
            pk__in=ids, version__in=policy.visible_framework_versions(user)
        ).select_related("version__framework")
    }


@login_required
@require_http_methods(["GET", "POST"])
def rubric_new(request: HttpRequest) -> HttpResponse:
    """A new rubric for a competency: one criterion for it and one for each of its indicators, to start."""
    user = user_of(request)
    if not policy.can(user, Action.CREATE_RUBRIC):
        raise NotPermitted(gettext("Teachers and administrators of a district write rubrics."))
    raw_id = request.GET.get("competency", "")
    competency = selectors.competency_get(user, int(raw_id)) if raw_id.isdigit() else None
    if competency is None:
        messages.info(
            request, gettext("Open the competency the rubric is for, then choose “Write a rubric”.")
        )
        return redirect("framework-list")
    scale = competency.version.framework.scale
    levels = list(scale.levels.all())
    rows = [competency, *competency.children.order_by("path")]
    initial = [
        {"include": True, "competency": row.pk, "title": row.human_code or row.short_statement}
        for row in rows
    ]
    form = RubricForm(
        request.POST or None,
        initial={"title": (gettext("%(code)s rubric") % {"code": competency.human_code}).strip()},
    )
    formset = CriterionFormSet(request.POST or None, initial=initial, form_kwargs={"levels": levels})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        specs, problems = _criterion_specs(formset, _visible_competencies(user, [row.pk for row in rows]))
        try:
            if problems:
                raise services.FrameworkError(problems)
            rubric = services.rubric_create(
                owner=Organization.objects.get(pk=policy.request_access(request).acting_district_id or 0),
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                scale=scale,
                criteria=specs,
                actor=user,
            )
        except services.FrameworkError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, gettext("“%(rubric)s” is saved.") % {"rubric": rubric.title})
            return redirect("rubric-detail", rubric.pk)
    return render(
        request,
        "frameworks/rubric_form.html",
        {
            "form": form,
            "formset": formset,
            "rows": list(zip(formset, rows, strict=False)),
            "levels": levels,
            "scale": scale,
            "competency": competency,
            "rubric": None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rubric_edit(request: HttpRequest, rubric_id: int) -> HttpResponse:
    user = user_of(request)
    rubric = selectors.rubric_get(user, rubric_id)
    if not policy.can(user, Action.EDIT_FRAMEWORK, rubric):
        raise NotPermitted(gettext("A rubric is edited by its author or its district's administrators."))
    levels = list(rubric.scale.levels.all())
    criteria = list(rubric.criteria.all())
    rows = [criterion.competency for criterion in criteria]
    form = RubricForm(
        request.POST or None, initial={"title": rubric.title, "description": rubric.description}
    )
    formset = CriterionFormSet(
        request.POST or None,
        initial=[CriterionForm.initial_for(criterion, levels) for criterion in criteria],
        form_kwargs={"levels": levels},
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        specs, problems = _criterion_specs(formset, _visible_competencies(user, [row.pk for row in rows]))
        try:
            if problems:
                raise services.FrameworkError(problems)
            services.rubric_update(
                rubric=rubric,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                criteria=specs,
            )
        except services.FrameworkError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("rubric-detail", rubric.pk)
    return render(
        request,
        "frameworks/rubric_form.html",
        {
            "form": form,
            "formset": formset,
            "rows": list(zip(formset, rows, strict=False)),
            "levels": levels,
            "scale": rubric.scale,
            "competency": rows[0] if rows else None,
            "rubric": rubric,
        },
    )


@login_required
@require_POST
def version_discard(request: HttpRequest, version_id: int) -> HttpResponse:
    try:
        version = _editable(request, version_id)
    except NotPermitted:
        raise NotPermitted(gettext("Only the owning district's administrators discard a draft.")) from None
    framework = version.framework
    try:
        services.version_discard(version=version)
    except services.FrameworkError as error:
        messages.error(request, str(error))
        return redirect("framework-version", version.pk)
    messages.success(
        request, gettext("The draft of “%(framework)s” is discarded.") % {"framework": framework.title}
    )
    if Framework.objects.filter(pk=framework.pk).exists():
        return redirect("framework-detail", framework.pk)
    return redirect("framework-list")


@login_required
@require_POST
def version_retire(request: HttpRequest, version_id: int) -> HttpResponse:
    try:
        version = _editable(request, version_id)
    except NotPermitted:
        raise NotPermitted(gettext("Only the owning district's administrators retire a framework.")) from None
    try:
        services.version_retire(version=version)
    except services.FrameworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("Version %(number)s is retired: it stays readable, but is not offered for new work.")
            % {"number": version.number},
        )
    return redirect("framework-version", version.pk)


@login_required
@require_GET
def scale_detail(request: HttpRequest, scale_id: int) -> HttpResponse:
    user = user_of(request)
    scale = ProficiencyScale.objects.select_related("owner").filter(pk=scale_id).first()
    if scale is None:
        raise Http404
    return render(
        request,
        "frameworks/scale_detail.html",
        {
            "scale": scale,
            "levels": list(scale.levels.all()),
            "frameworks": list(scale.frameworks.order_by("title")),
            "can_edit": policy.can(user, Action.EDIT_SCALE, scale) and scale.in_use_since is None,
            "student_first": policy.request_access(request).reads_student_language_first,
        },
    )


def _scale_page(
    request: HttpRequest, *, scale: ProficiencyScale | None, district: Organization
) -> HttpResponse:
    form = ScaleForm(
        request.POST or None,
        initial={"name": scale.name, "description": scale.description} if scale else {},
    )
    formset = LevelFormSet(request.POST or None, initial=level_initial(scale))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        levels = levels_from(formset)
        try:
            if scale is None:
                saved = services.scale_create(
                    owner=district,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    levels=levels,
                )
            else:
                saved = services.scale_update(scale=scale, name=form.cleaned_data["name"], levels=levels)
        except services.FrameworkError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, gettext("“%(scale)s” is saved.") % {"scale": saved.name})
            return redirect("scale-detail", saved.pk)
    return render(
        request,
        "frameworks/scale_form.html",
        {"form": form, "formset": formset, "scale": scale, "district": district},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scale_new(request: HttpRequest) -> HttpResponse:
    district = _managed_district(user_of(request))
    if district is None:
        raise NotPermitted(gettext("Only district administrators create proficiency scales."))
    return _scale_page(request, scale=None, district=district)


@login_required
@require_http_methods(["GET", "POST"])
def scale_edit(request: HttpRequest, scale_id: int) -> HttpResponse:
    user = user_of(request)
    scale = ProficiencyScale.objects.select_related("owner").filter(pk=scale_id).first()
    if scale is None:
        raise Http404
    if not policy.can(user, Action.EDIT_SCALE, scale):
        raise NotPermitted(gettext("Only the owning district's administrators edit this scale."))
    if scale.in_use_since is not None:
        messages.error(
            request,
            gettext("“%(scale)s” is used for scores and can no longer change.") % {"scale": scale.name},
        )
        return redirect("scale-detail", scale.pk)
    return _scale_page(request, scale=scale, district=scale.owner)


def _alignment_form(user: User, data: Any = None) -> AlignmentForm:
    frameworks = [(framework.pk, framework.title) for framework, _ in selectors.frameworks_for(user)]
    return AlignmentForm(data, frameworks=frameworks)


@login_required
@require_POST
def alignment_new(request: HttpRequest, competency_id: int) -> HttpResponse:
    user = user_of(request)
    competency = _editable_competency(request, competency_id)
    form = _alignment_form(user, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("competency-detail", competency.pk)
    data = form.cleaned_data
    try:
        target = (
            selectors.competency_by_code(user, data["framework"], data["code"])
            if data["framework"] and data["code"]
            else None
        )
        services.alignment_create(
            competency=competency,
            association_type=data["association_type"],
            target=target,
            target_identifier=data["target_identifier"],
            target_uri=data["target_uri"],
            target_title=data["target_title"],
        )
    except NotVisible:
        messages.error(
            request, gettext("No item with the code “%(code)s” in that framework.") % {"code": data["code"]}
        )
    except services.FrameworkError as error:
        for problem in error.problems:
            messages.error(request, problem)
    else:
        messages.success(request, gettext("The alignment is added."))
    return redirect("competency-detail", competency.pk)


@login_required
@require_POST
def alignment_delete(request: HttpRequest, alignment_id: int) -> HttpResponse:
    user = user_of(request)
    alignment = selectors.alignment_get(user, alignment_id)
    competency = alignment.competency
    if not policy.can(user, Action.EDIT_FRAMEWORK, competency.version):
        raise NotPermitted(gettext("Only the owning district's administrators edit this framework."))
    try:
        services.alignment_delete(alignment=alignment)
    except services.FrameworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("The alignment is removed."))
    return redirect("competency-detail", competency.pk)

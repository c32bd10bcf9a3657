"""The pages of graduation rules and the diploma: the district's rule sets and their form, a student's
diploma check (with the award and revocation for a district administrator), and the seniors to award.
Each view parses, reads through the selectors (which ask the policy and audit), calls a service and renders;
a refused write shows its form again with every problem (400)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint import policy
from waypoint.core.audit import RequestContext
from waypoint.core.errors import Conflict, Invalid, NotPermitted
from waypoint.core.models import Organization
from waypoint.policy import Action, request_context
from waypoint.records.forms.graduation import (
    AwardForm,
    BaseRequirementFormSet,
    RequirementFormSet,
    RevokeForm,
    RuleSetForm,
    competency_choices,
    framework_choices,
    requirement_initial,
)
from waypoint.records.models import GraduationRuleSet, RuleSetStatus
from waypoint.records.selectors import graduation as reads
from waypoint.records.services import graduation as services


def _problems(form: Form, error: Invalid) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


def _rule_forms(
    request: HttpRequest, district: Organization, rule_set: GraduationRuleSet | None
) -> tuple[RuleSetForm, BaseRequirementFormSet]:
    data = request.POST if request.method == "POST" else None
    choices = {
        "competency_choices": competency_choices(reads.usable_competencies(district)),
        "framework_choices": framework_choices(reads.usable_frameworks(district)),
    }
    form = RuleSetForm(data, rule_set=rule_set)
    requirements = RequirementFormSet(
        data,
        prefix="requirements",
        initial=requirement_initial(rule_set) if rule_set else None,
        form_kwargs=choices,
    )
    return form, requirements  # type: ignore[return-value]


def _save(
    request: HttpRequest,
    context: RequestContext,
    district: Organization,
    rule_set: GraduationRuleSet | None,
) -> tuple[HttpResponse | None, RuleSetForm, BaseRequirementFormSet]:
    form, requirements = _rule_forms(request, district, rule_set)
    if request.method != "POST" or not (form.is_valid() and requirements.is_valid()):
        return None, form, requirements
    data = form.cleaned_data
    try:
        saved = services.rule_set_save(
            context=context,
            district=district,
            cohort_year=rule_set.cohort_year if rule_set else data["cohort_year"],
            title=data["title"],
            description=data["description"],
            requirements=requirements.requirements(),
            publish=data["publish"],
        )
    except Invalid as error:
        _problems(form, error)
        return None, form, requirements
    messages.success(
        request,
        gettext("Version %(version)s of the rules of cohort %(cohort)s is saved.")
        % {"version": saved.version, "cohort": saved.cohort_year},
    )
    return redirect("records-rule-set", rule_set_id=saved.pk), form, requirements


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    rows = reads.rule_sets_list(context=context)
    return render(
        request,
        "records/graduation_rules.html",
        {"rows": rows, "may_manage": policy.can(request.user, Action.MANAGE_GRADUATION_RULES)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_new(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    district = reads.acting_district(context, Action.MANAGE_GRADUATION_RULES)
    done, form, requirements = _save(request, context, district, None)
    if done is not None:
        return done
    return render(
        request,
        "records/graduation_rule_set_form.html",
        {"form": form, "requirements": requirements, "district": district, "row": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_set(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    context = request_context(request)
    row = reads.rule_set_get(context=context, rule_set_id=rule_set_id)
    may_manage = policy.can(request.user, Action.MANAGE_GRADUATION_RULES, row.rule_set)
    if request.method == "POST" and "put_in_force" in request.POST:
        try:
            services.rule_set_publish(context=context, rule_set=row.rule_set)
        except (Invalid, Conflict) as error:
            messages.error(request, error.reason)
        else:
            messages.success(request, gettext("The rule set is in force for its cohort."))
        return redirect("records-rule-set", rule_set_id=row.rule_set.pk)
    if request.method == "POST":
        district = reads.acting_district(context, Action.MANAGE_GRADUATION_RULES)
        done, form, requirements = _save(request, context, district, row.rule_set)
        if done is not None:
            return done
    elif may_manage:
        form, requirements = _rule_forms(request, row.rule_set.district, row.rule_set)
    else:
        form, requirements = None, None
    return render(
        request,
        "records/graduation_rule_set.html",
        {
            "row": row,
            "form": form,
            "requirements": requirements,
            "may_manage": may_manage,
            "is_draft": row.rule_set.status == RuleSetStatus.DRAFT,
        },
        status=400 if request.method == "POST" else 200,
    )


def _diploma_page(
    request: HttpRequest,
    student_id: int,
    *,
    award: AwardForm | None = None,
    revoke: RevokeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = reads.diploma_page(context=request_context(request), student_id=student_id)
    return render(
        request,
        "records/diploma_check.html",
        {
            "page": page,
            "student": page.student,
            "check": page.check,
            "award_form": award or AwardForm(),
            "revoke_form": revoke or RevokeForm(),
            "own": page.student.user_id == request.user.pk,
        },
        status=status,
    )


@login_required
@require_GET
def diploma(request: HttpRequest, student_id: int) -> HttpResponse:
    return _diploma_page(request, student_id)


def _awardable(context: RequestContext, student_id: int) -> reads.DiplomaPage:
    page = reads.diploma_page(context=context, student_id=student_id)
    if not page.may_award:
        raise NotPermitted(gettext("You may not %(action)s.") % {"action": Action.AWARD_DIPLOMA.label})
    return page


@login_required
@require_POST
def diploma_award(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    page = _awardable(context, student_id)
    form = AwardForm(request.POST)
    if form.is_valid():
        try:
            services.diploma_award(
                context=context, student=page.student, awarded_on=form.cleaned_data["awarded_on"]
            )
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The diploma is awarded."))
            return redirect("records-diploma", student_id=student_id)
    return _diploma_page(request, student_id, award=form, status=400)


@login_required
@require_POST
def diploma_revoke(request: HttpRequest, student_id: int) -> HttpResponse:
    context = request_context(request)
    page = _awardable(context, student_id)
    form = RevokeForm(request.POST)
    if page.diploma is None:
        form.add_error(None, gettext("This student holds no diploma to revoke."))
    elif form.is_valid():
        try:
            services.diploma_revoke(context=context, diploma=page.diploma, reason=form.cleaned_data["reason"])
        except Invalid as error:
            _problems(form, error)
        else:
            messages.success(request, gettext("The diploma is revoked."))
            return redirect("records-diploma", student_id=student_id)
    return _diploma_page(request, student_id, revoke=form, status=400)


@login_required
@require_GET
def seniors(request: HttpRequest) -> HttpResponse:
    rows = reads.seniors_list(context=request_context(request))
    return render(request, "records/graduation_seniors.html", {"rows": rows})


urlpatterns: list[URLPattern] = [
    path("district-admin/rules/graduation/", rules, name="records-rules"),
    path("district-admin/rules/graduation/new/", rule_set_new, name="records-rule-set-new"),
    path("district-admin/rules/graduation/<int:rule_set_id>/", rule_set, name="records-rule-set"),
    path("students/<int:student_id>/diploma/", diploma, name="records-diploma"),
    path("students/<int:student_id>/diploma/award/", diploma_award, name="records-diploma-award"),
    path("students/<int:student_id>/diploma/revoke/", diploma_revoke, name="records-diploma-revoke"),
    path("records/diplomas/", seniors, name="records-seniors"),
]

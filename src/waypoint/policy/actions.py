"""Every action the access policy decides, named `<domain>.<verb>`: the prefix picks the domain's rule
module (`waypoint.policy.registry`), so a new domain adds its actions and rules without editing `can()`."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    # People and organizations (rules in policy/people.py).
    VIEW_STUDENT = "people.student_view"
    VIEW_DEMOGRAPHICS = "people.student_demographics"
    VIEW_DISCLOSURES = "people.student_disclosures"
    LIST_SECTIONS = "people.section_list"
    VIEW_SECTION = "people.section_view"
    VIEW_CASELOAD = "people.caseload_view"
    VIEW_DISTRICT_AUDIT = "people.district_audit"
    # Competency frameworks, scales and rubrics (policy/frameworks.py).
    VIEW_FRAMEWORK = "frameworks.view"
    EDIT_FRAMEWORK = "frameworks.edit"
    MANAGE_FRAMEWORKS = "frameworks.manage"
    EDIT_SCALE = "frameworks.scale_edit"
    CREATE_RUBRIC = "frameworks.rubric_create"
    # Evidence and assessments (policy/evidence.py).
    VIEW_EVIDENCE = "evidence.view"
    SUBMIT_EVIDENCE = "evidence.submit"
    REVISE_EVIDENCE = "evidence.revise"
    JUDGE_EVIDENCE = "evidence.judge"
    REQUEST_REVISION = "evidence.request_revision"
    RECORD_OBSERVATION = "evidence.record_observation"
    WORK_EVIDENCE_INBOX = "evidence.inbox"
    VIEW_ASSESSMENT = "evidence.assessment_view"
    EDIT_ASSESSMENT = "evidence.assessment_edit"
    CREATE_ASSESSMENT = "evidence.assessment_create"
    # Mastery calculation (policy/mastery.py).
    MANAGE_CALCULATION = "mastery.manage_calculation"
    # Learner profiles and success plans (policy/profiles.py).
    EDIT_PROFILE = "profiles.profile_edit"
    COMMENT_PROFILE = "profiles.profile_comment"
    EDIT_PLAN = "profiles.plan_edit"
    REVIEW_PLAN = "profiles.plan_review"
    ACKNOWLEDGE_PLAN = "profiles.plan_acknowledge"
    # The opportunity catalog (policy/catalog.py).
    VIEW_OPPORTUNITY = "catalog.opportunity_view"
    CURATE_CATALOG = "catalog.catalog_curate"
    EDIT_OPPORTUNITY = "catalog.opportunity_edit"
    COPY_OPPORTUNITY = "catalog.opportunity_copy"
    VIEW_PARTICIPANTS = "catalog.participants"
    # Paths of study, recommendations and the equal access report (policy/pathways.py).
    PROPOSE_PATH = "pathways.propose"
    VIEW_PATH = "pathways.path_view"
    REVISE_PATH = "pathways.path_revise"
    DECIDE_PATH = "pathways.path_decide"
    WITHDRAW_PATH = "pathways.path_withdraw"
    VIEW_APPROVAL_QUEUE = "pathways.approval_queue"
    VIEW_ACCESS_REPORT = "pathways.access_report"

    @property
    def domain(self) -> str:
        return self.value.partition(".")[0]

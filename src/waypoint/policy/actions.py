"""Every action the access policy decides, named `<domain>.<verb>`: the prefix picks the domain's rule
module (`waypoint.policy.registry`), so a new domain adds its actions and rules without editing `can()`."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


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
    ADD_EVIDENCE_COMPETENCIES = "evidence.competencies_add"
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
    # Notifications and their preferences: each person's own (policy/notifications.py).
    VIEW_NOTIFICATION = "notifications.view"
    MARK_NOTIFICATION_READ = "notifications.mark_read"
    EDIT_NOTIFICATION_PREFERENCES = "notifications.preferences_edit"
    ADD_PATH_EVIDENCE = "pathways.path_evidence_add"
    # Pace, advancement, tests, alerts, supports, conferences and the repository (policy/progress.py).
    VIEW_PROGRESS = "progress.view"
    ADVANCE_STUDENT = "progress.advance"
    MANAGE_ADVANCEMENT_RULES = "progress.rules_manage"
    MARK_TEST_READY = "progress.test_ready"
    RECORD_TEST_SITTING = "progress.test_sitting"
    VIEW_TEST_LISTS = "progress.test_lists"
    VIEW_PROGRESS_CASELOAD = "progress.caseload"
    MANAGE_SUPPORT = "progress.support"
    HOLD_CONFERENCE = "progress.conference"
    READ_CONFERENCE_NOTES = "progress.conference_notes"
    MANAGE_INQUIRY = "progress.inquiry_manage"
    WORK_SCHOOL_TASKS = "progress.school_tasks"
    VIEW_REPOSITORY = "progress.repository_view"
    PUBLISH_REPOSITORY = "progress.repository_publish"
    # Graduation rules, the diploma, transcripts, credentials, the portfolio, exhibitions, transfers and
    # disposal (policy/records_*.py).
    MANAGE_GRADUATION_RULES = "records.rules_manage"
    VIEW_GRADUATION_RULES = "records.rules_view"
    VIEW_DIPLOMA_CHECK = "records.diploma_check"
    AWARD_DIPLOMA = "records.diploma_award"
    VIEW_TRANSCRIPT = "records.transcript_view"
    ISSUE_TRANSCRIPT = "records.transcript_issue"
    ISSUE_CREDENTIAL = "records.credential_issue"
    DOWNLOAD_CREDENTIAL = "records.credential_download"
    REVOKE_CREDENTIAL = "records.credential_revoke"
    VIEW_PORTFOLIO = "records.portfolio_view"
    CURATE_PORTFOLIO = "records.portfolio_curate"
    SCHEDULE_EXHIBITION = "records.exhibition_schedule"
    VIEW_EXHIBITION = "records.exhibition_view"
    SCORE_EXHIBITION = "records.exhibition_score"
    REQUEST_TRANSFER = "records.transfer_request"
    RELEASE_TRANSFER = "records.transfer_release"
    VIEW_TRANSFERS = "records.transfer_list"
    DISPOSE_RECORD = "records.dispose"
    # A district's adoption: set-up, rosters in and out, sign-in through its provider (policy/interop.py).
    VIEW_FIRST_RUN = "interop.first_run"
    IMPORT_ROSTER = "interop.roster_import"
    EXPORT_ROSTER = "interop.roster_export"
    VIEW_ROSTER_IMPORTS = "interop.roster_imports"
    CONFIGURE_SIGN_IN = "interop.sign_in_configure"
    MANAGE_OWN_MFA = "interop.mfa_manage"
    # Accountability by growth: dashboards, graduation rates, self-study, action plans (policy/insights.py).
    VIEW_DASHBOARD = "insights.dashboard"
    REFRESH_INSIGHTS = "insights.refresh"
    EXPORT_INSIGHTS = "insights.export"
    VIEW_STATE_INSIGHTS = "insights.state"
    VIEW_GRADUATION_RATES = "insights.graduation"
    VIEW_SELF_STUDY = "insights.self_study"
    VIEW_ACTION_PLANS = "insights.plans_view"
    MANAGE_ACTION_PLAN = "insights.plans_manage"

    @property
    def domain(self) -> str:
        return self.value.partition(".")[0]

    @property
    def label(self) -> str:
        """What the action does, in words that finish "You may not …" (for refusals and the audit log)."""
        return str(LABELS.get(self, gettext_lazy("do this")))


# Every action in plain words; a test makes sure no action is without them.
LABELS: dict[Action, Promise] = {
    Action.VIEW_STUDENT: gettext_lazy("view this student’s record"),
    Action.VIEW_DEMOGRAPHICS: gettext_lazy("see this student’s demographics"),
    Action.VIEW_DISCLOSURES: gettext_lazy("see who has viewed this student’s record"),
    Action.LIST_SECTIONS: gettext_lazy("list classes"),
    Action.VIEW_SECTION: gettext_lazy("open this class"),
    Action.VIEW_CASELOAD: gettext_lazy("open an advisor’s caseload"),
    Action.VIEW_DISTRICT_AUDIT: gettext_lazy("read the district’s audit log"),
    Action.VIEW_FRAMEWORK: gettext_lazy("view this competency framework"),
    Action.EDIT_FRAMEWORK: gettext_lazy("edit this competency framework"),
    Action.MANAGE_FRAMEWORKS: gettext_lazy("manage the district’s frameworks"),
    Action.EDIT_SCALE: gettext_lazy("edit this proficiency scale"),
    Action.CREATE_RUBRIC: gettext_lazy("create a rubric"),
    Action.VIEW_EVIDENCE: gettext_lazy("view this evidence"),
    Action.SUBMIT_EVIDENCE: gettext_lazy("submit evidence for this student"),
    Action.REVISE_EVIDENCE: gettext_lazy("revise this evidence"),
    Action.JUDGE_EVIDENCE: gettext_lazy("score this evidence"),
    Action.REQUEST_REVISION: gettext_lazy("ask for a revision of this evidence"),
    Action.RECORD_OBSERVATION: gettext_lazy("record an observation of this student"),
    Action.WORK_EVIDENCE_INBOX: gettext_lazy("work the evidence inbox"),
    Action.VIEW_ASSESSMENT: gettext_lazy("view this assessment"),
    Action.EDIT_ASSESSMENT: gettext_lazy("edit this assessment"),
    Action.CREATE_ASSESSMENT: gettext_lazy("create an assessment"),
    Action.ADD_EVIDENCE_COMPETENCIES: gettext_lazy("add competencies to this evidence"),
    Action.MANAGE_CALCULATION: gettext_lazy("choose how mastery is calculated"),
    Action.EDIT_PROFILE: gettext_lazy("edit this learner profile"),
    Action.COMMENT_PROFILE: gettext_lazy("comment on this learner profile"),
    Action.EDIT_PLAN: gettext_lazy("edit this success plan"),
    Action.REVIEW_PLAN: gettext_lazy("review this success plan"),
    Action.ACKNOWLEDGE_PLAN: gettext_lazy("acknowledge this success plan"),
    Action.VIEW_OPPORTUNITY: gettext_lazy("view this opportunity"),
    Action.CURATE_CATALOG: gettext_lazy("curate the catalog"),
    Action.EDIT_OPPORTUNITY: gettext_lazy("edit this opportunity"),
    Action.COPY_OPPORTUNITY: gettext_lazy("copy this opportunity"),
    Action.VIEW_PARTICIPANTS: gettext_lazy("see this opportunity’s participants"),
    Action.PROPOSE_PATH: gettext_lazy("propose a path of study"),
    Action.VIEW_PATH: gettext_lazy("view this path of study"),
    Action.REVISE_PATH: gettext_lazy("revise this path of study"),
    Action.DECIDE_PATH: gettext_lazy("approve or decline this path of study"),
    Action.WITHDRAW_PATH: gettext_lazy("withdraw this path of study"),
    Action.VIEW_APPROVAL_QUEUE: gettext_lazy("open the approval queue"),
    Action.VIEW_ACCESS_REPORT: gettext_lazy("open the equal access report"),
    Action.VIEW_NOTIFICATION: gettext_lazy("read this notification"),
    Action.MARK_NOTIFICATION_READ: gettext_lazy("mark this notification as read"),
    Action.EDIT_NOTIFICATION_PREFERENCES: gettext_lazy("change these notification settings"),
    Action.ADD_PATH_EVIDENCE: gettext_lazy("add evidence to this path of study"),
    Action.VIEW_PROGRESS: gettext_lazy("see this student’s pace and graduation trajectory"),
    Action.ADVANCE_STUDENT: gettext_lazy("advance this student to the next course"),
    Action.MANAGE_ADVANCEMENT_RULES: gettext_lazy("set what a course requires to move on"),
    Action.MARK_TEST_READY: gettext_lazy("mark this student ready for a test"),
    Action.RECORD_TEST_SITTING: gettext_lazy("record this student’s test sitting"),
    Action.VIEW_TEST_LISTS: gettext_lazy("see the testing lists"),
    Action.VIEW_PROGRESS_CASELOAD: gettext_lazy("open the caseload of pace and alerts"),
    Action.MANAGE_SUPPORT: gettext_lazy("open or change a support for this student"),
    Action.HOLD_CONFERENCE: gettext_lazy("schedule or record a conference with this student"),
    Action.READ_CONFERENCE_NOTES: gettext_lazy("read the notes of this conference"),
    Action.MANAGE_INQUIRY: gettext_lazy("change the district’s inquiry rules"),
    Action.WORK_SCHOOL_TASKS: gettext_lazy("work the school support plan tasks"),
    Action.VIEW_REPOSITORY: gettext_lazy("browse the repository of trajectories and practices"),
    Action.PUBLISH_REPOSITORY: gettext_lazy("publish to the repository of trajectories and practices"),
    Action.MANAGE_GRADUATION_RULES: gettext_lazy("change the district’s graduation rules"),
    Action.VIEW_GRADUATION_RULES: gettext_lazy("read the district’s graduation rules"),
    Action.VIEW_DIPLOMA_CHECK: gettext_lazy("see this student’s diploma check"),
    Action.AWARD_DIPLOMA: gettext_lazy("award or revoke this student’s diploma"),
    Action.VIEW_TRANSCRIPT: gettext_lazy("read this student’s transcript"),
    Action.ISSUE_TRANSCRIPT: gettext_lazy("issue this student’s transcript"),
    Action.ISSUE_CREDENTIAL: gettext_lazy("issue this student’s credentials"),
    Action.DOWNLOAD_CREDENTIAL: gettext_lazy("download this student’s credentials"),
    Action.REVOKE_CREDENTIAL: gettext_lazy("revoke this credential"),
    Action.VIEW_PORTFOLIO: gettext_lazy("see this portfolio collection"),
    Action.CURATE_PORTFOLIO: gettext_lazy("change this student’s portfolio"),
    Action.SCHEDULE_EXHIBITION: gettext_lazy("schedule an exhibition for this student"),
    Action.VIEW_EXHIBITION: gettext_lazy("see this exhibition"),
    Action.SCORE_EXHIBITION: gettext_lazy("score this exhibition"),
    Action.REQUEST_TRANSFER: gettext_lazy("request this student’s record from another district"),
    Action.RELEASE_TRANSFER: gettext_lazy("release or decline this transfer"),
    Action.VIEW_TRANSFERS: gettext_lazy("see the district’s transfers"),
    Action.DISPOSE_RECORD: gettext_lazy("dispose of this student’s record"),
    Action.VIEW_FIRST_RUN: gettext_lazy("set up the district"),
    Action.IMPORT_ROSTER: gettext_lazy("import the district’s roster"),
    Action.EXPORT_ROSTER: gettext_lazy("export the district’s roster"),
    Action.VIEW_ROSTER_IMPORTS: gettext_lazy("read the district’s roster imports"),
    Action.CONFIGURE_SIGN_IN: gettext_lazy("configure how the district signs in"),
    Action.MANAGE_OWN_MFA: gettext_lazy("set up two-step sign-in"),
    Action.VIEW_DASHBOARD: gettext_lazy("open this dashboard"),
    Action.REFRESH_INSIGHTS: gettext_lazy("refresh the district’s figures"),
    Action.EXPORT_INSIGHTS: gettext_lazy("export these figures"),
    Action.VIEW_STATE_INSIGHTS: gettext_lazy("open the state’s view"),
    Action.VIEW_GRADUATION_RATES: gettext_lazy("see these graduation rates"),
    Action.VIEW_SELF_STUDY: gettext_lazy("open the district’s self-study"),
    Action.VIEW_ACTION_PLANS: gettext_lazy("see this school’s action plans"),
    Action.MANAGE_ACTION_PLAN: gettext_lazy("change this school’s action plans"),
}

"""The audit log in plain words: one sentence per event, naming who did what to whose record.

The audit log stores internal words (`view`, `evidence-list`, a student's number); people read sentences:
"Maria Rivera, teacher at Riverside High, viewed Jordan’s evidence list". Every action and every object type
the code writes (`object_type=` of `waypoint.core.audit`) has its words here, translatable; a test enumerates
the object types in the code, so a new one without words fails. Names are resolved by the caller, in bulk
(`waypoint.people.selectors.describe_events`): this module only puts them into sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from waypoint.core.models import AuditAction, Role

# The words an event's object takes in a sentence.


@dataclass(frozen=True)
class Thing:
    """How a sentence names an object: of a named student ("Jordan’s evidence list"), with its title
    ("“Linear functions quiz”"), or with neither ("an evidence list")."""

    of_student: Promise
    alone: Promise
    titled: Promise | None = None


_EVIDENCE = Thing(
    of_student=gettext_lazy("a piece of %(student)s’s evidence"),
    alone=gettext_lazy("a piece of evidence"),
    titled=gettext_lazy("%(student)s’s evidence “%(title)s”"),
)
_PATH = Thing(
    of_student=gettext_lazy("%(student)s’s path of study"),
    alone=gettext_lazy("a path of study"),
    titled=gettext_lazy("%(student)s’s path “%(title)s”"),
)

THINGS: dict[str, Thing] = {
    "student": Thing(gettext_lazy("%(student)s’s record"), gettext_lazy("a student’s record")),
    "student-list": Thing(
        gettext_lazy("%(student)s’s name in a student list"), gettext_lazy("a student list")
    ),
    "section": Thing(gettext_lazy("a class of %(student)s’s"), gettext_lazy("a class")),
    "section-list": Thing(gettext_lazy("the list of classes"), gettext_lazy("the list of classes")),
    "section-roster": Thing(
        gettext_lazy("%(student)s’s name on a class roster"), gettext_lazy("a class roster")
    ),
    "caseload": Thing(
        gettext_lazy("%(student)s’s name in an advisor’s caseload"), gettext_lazy("a caseload")
    ),
    "disclosures": Thing(
        gettext_lazy("the list of who has viewed %(student)s’s record"),
        gettext_lazy("a list of who has viewed a record"),
    ),
    "audit-log": Thing(gettext_lazy("the audit log"), gettext_lazy("the audit log")),
    "audit-month": Thing(gettext_lazy("a month of the audit log"), gettext_lazy("a month of the audit log")),
    "account": Thing(gettext_lazy("their account"), gettext_lazy("their account")),
    "access-token": Thing(gettext_lazy("an API token"), gettext_lazy("an API token")),
    "evidence": _EVIDENCE,
    "evidence-list": Thing(gettext_lazy("%(student)s’s evidence list"), gettext_lazy("an evidence list")),
    "evidence-inbox": Thing(
        gettext_lazy("%(student)s’s work in the evidence inbox"), gettext_lazy("the evidence inbox")
    ),
    "evidence-revision": Thing(
        gettext_lazy("a revision of %(student)s’s evidence"),
        gettext_lazy("a revision of a piece of evidence"),
        gettext_lazy("a revision of %(student)s’s evidence “%(title)s”"),
    ),
    "evidence-feedback": _EVIDENCE,
    "evidence-competencies": Thing(
        gettext_lazy("the competencies of %(student)s’s evidence"),
        gettext_lazy("the competencies of a piece of evidence"),
        gettext_lazy("the competencies of %(student)s’s evidence “%(title)s”"),
    ),
    "artifact": Thing(
        gettext_lazy("a file attached to %(student)s’s evidence"), gettext_lazy("a file attached to evidence")
    ),
    "score": Thing(
        gettext_lazy("%(student)s’s work"),
        gettext_lazy("a piece of evidence"),
        gettext_lazy("“%(title)s”"),
    ),
    "calculation-preview": Thing(
        gettext_lazy("%(student)s’s levels in a preview of a new calculation rule"),
        gettext_lazy("a preview of a new calculation rule"),
    ),
    "calculation-rule": Thing(
        gettext_lazy("how mastery is calculated"), gettext_lazy("how mastery is calculated")
    ),
    "notification": Thing(gettext_lazy("a notification about %(student)s"), gettext_lazy("a notification")),
    "notification-preferences": Thing(
        gettext_lazy("their notification settings"), gettext_lazy("their notification settings")
    ),
    "mastery": Thing(gettext_lazy("%(student)s’s mastery levels"), gettext_lazy("mastery levels")),
    "learner-profile": Thing(
        gettext_lazy("%(student)s’s learner profile"), gettext_lazy("a learner profile")
    ),
    "learner-profile-history": Thing(
        gettext_lazy("the history of %(student)s’s learner profile"),
        gettext_lazy("the history of a learner profile"),
    ),
    "success-plan": Thing(gettext_lazy("%(student)s’s success plan"), gettext_lazy("a success plan")),
    "path": _PATH,
    "path-list": Thing(
        gettext_lazy("%(student)s’s paths in a list of paths"), gettext_lazy("a list of paths")
    ),
    "recommendations": Thing(
        gettext_lazy("the opportunities recommended to %(student)s"), gettext_lazy("recommendations")
    ),
    "approval-queue": Thing(
        gettext_lazy("%(student)s’s path in the approval queue"), gettext_lazy("the approval queue")
    ),
    "opportunity": Thing(gettext_lazy("an opportunity"), gettext_lazy("an opportunity")),
    "opportunity-participants": Thing(
        gettext_lazy("%(student)s’s name among an opportunity’s participants"),
        gettext_lazy("an opportunity’s participants"),
    ),
    "opportunity-templates": Thing(
        gettext_lazy("the best-practice templates"), gettext_lazy("the best-practice templates")
    ),
    "providers": Thing(gettext_lazy("the list of providers"), gettext_lazy("the list of providers")),
    "access-report": Thing(gettext_lazy("the equal access report"), gettext_lazy("the equal access report")),
    # Variable time (`waypoint.progress`).
    "progress": Thing(
        gettext_lazy("%(student)s’s pace and graduation trajectory"), gettext_lazy("pace and trajectories")
    ),
    "progress-caseload": Thing(
        gettext_lazy("%(student)s’s pace in an advisor’s caseload"), gettext_lazy("a caseload of pace")
    ),
    "progress-alert": Thing(gettext_lazy("an alert about %(student)s"), gettext_lazy("an alert")),
    "graduation-rule-set": Thing(
        gettext_lazy("the graduation rules that apply to %(student)s"),
        gettext_lazy("a set of graduation rules"),
    ),
    "diploma-check": Thing(
        gettext_lazy("%(student)s’s diploma check"),
        gettext_lazy("a diploma check"),
    ),
    "diploma-seniors": Thing(
        gettext_lazy("%(student)s’s name in the list of seniors and their diplomas"),
        gettext_lazy("the list of seniors and their diplomas"),
    ),
    "diploma": Thing(
        gettext_lazy("%(student)s’s diploma"),
        gettext_lazy("a diploma"),
    ),
    "transcript": Thing(
        gettext_lazy("%(student)s’s transcript"),
        gettext_lazy("a transcript"),
    ),
    "issued-transcript": Thing(
        gettext_lazy("an official transcript of %(student)s"),
        gettext_lazy("an official transcript"),
    ),
    "transcript-request": Thing(
        gettext_lazy("a request for %(student)s’s transcript"),
        gettext_lazy("a transcript request"),
    ),
    "transcript-requests": Thing(
        gettext_lazy("%(student)s’s name in the list of transcript requests"),
        gettext_lazy("the list of transcript requests"),
    ),
    "credentials": Thing(
        gettext_lazy("%(student)s’s credentials"),
        gettext_lazy("a student’s credentials"),
    ),
    "credential": Thing(
        gettext_lazy("a credential of %(student)s"),
        gettext_lazy("a credential"),
    ),
    "portfolio": Thing(
        gettext_lazy("%(student)s’s portfolio"),
        gettext_lazy("a portfolio"),
    ),
    "portfolio-collection": Thing(
        gettext_lazy("a collection of %(student)s’s portfolio"),
        gettext_lazy("a portfolio collection"),
    ),
    "portfolio-link": Thing(
        gettext_lazy("a public link to %(student)s’s portfolio"),
        gettext_lazy("a public portfolio link"),
    ),
    "portfolio-public": Thing(
        gettext_lazy("%(student)s’s portfolio collection through a public link"),
        gettext_lazy("a portfolio collection through a public link"),
    ),
    "exhibition": Thing(
        gettext_lazy("an exhibition of %(student)s"),
        gettext_lazy("an exhibition"),
    ),
    "exhibition-list": Thing(
        gettext_lazy("%(student)s’s name in a list of exhibitions"),
        gettext_lazy("a list of exhibitions"),
    ),
    "exhibition-score": Thing(
        gettext_lazy("the panel’s judgements of an exhibition of %(student)s"),
        gettext_lazy("the panel’s judgements of an exhibition"),
    ),
    "transfer": Thing(
        gettext_lazy("the transfer of %(student)s’s record"),
        gettext_lazy("a transfer of a record"),
    ),
    "transfer-list": Thing(
        gettext_lazy("%(student)s’s name in the list of transfers"),
        gettext_lazy("the list of transfers"),
    ),
    "transfer-request": Thing(
        gettext_lazy("a request for %(student)s’s record from another district"),
        gettext_lazy("a request for a record from another district"),
    ),
    "transfer-request-received": Thing(
        gettext_lazy("another district’s request for %(student)s’s record"),
        gettext_lazy("another district’s request for a record"),
    ),
    "transfer-disclosure": Thing(
        gettext_lazy("%(student)s’s record, released to another district"),
        gettext_lazy("a record released to another district"),
    ),
    "transfer-received": Thing(
        gettext_lazy("%(student)s’s record, received from another district"),
        gettext_lazy("a record received from another district"),
    ),
    "disposal-request": Thing(
        gettext_lazy("a request to dispose of %(student)s’s record"),
        gettext_lazy("a request to dispose of a record"),
    ),
    "disposal": Thing(
        gettext_lazy("the disposal of %(student)s’s record"),
        gettext_lazy("the disposal of a record"),
    ),
    "disposal-list": Thing(
        gettext_lazy("%(student)s’s name in the list of disposal requests"),
        gettext_lazy("the list of disposal requests"),
    ),
    "advancement": Thing(gettext_lazy("%(student)s’s advancement"), gettext_lazy("an advancement")),
    "advancement-rule": Thing(
        gettext_lazy("what a course requires to move on"), gettext_lazy("what a course requires to move on")
    ),
    "test-readiness": Thing(
        gettext_lazy("%(student)s’s readiness for a test"), gettext_lazy("readiness for a test")
    ),
    "support": Thing(gettext_lazy("a support for %(student)s"), gettext_lazy("a support")),
    "conference": Thing(gettext_lazy("a conference with %(student)s"), gettext_lazy("a conference")),
    "conference-notes": Thing(
        gettext_lazy("the notes of a conference with %(student)s"), gettext_lazy("conference notes")
    ),
    "school-support-task": Thing(
        gettext_lazy("a school support plan task"), gettext_lazy("a school support plan task")
    ),
    "inquiry-settings": Thing(gettext_lazy("the inquiry rules"), gettext_lazy("the inquiry rules")),
    "exemplar": Thing(gettext_lazy("an exemplar trajectory"), gettext_lazy("an exemplar trajectory")),
    "pacing-practice": Thing(
        gettext_lazy("a flexible-pacing practice"), gettext_lazy("a flexible-pacing practice")
    ),
    "district-setup": Thing(
        gettext_lazy("the set-up of a district"), gettext_lazy("the set-up of a district")
    ),
    "roster-export": Thing(
        gettext_lazy("%(student)s’s row in the district’s roster export"),
        gettext_lazy("the district’s roster export"),
    ),
    "task-run": Thing(gettext_lazy("a background task"), gettext_lazy("a background task")),
    "roster-import": Thing(
        gettext_lazy("%(student)s’s record through a roster import"), gettext_lazy("a roster import")
    ),
    "sign-in-settings": Thing(
        gettext_lazy("how the district signs in"), gettext_lazy("how the district signs in")
    ),
    "external-identity": Thing(
        gettext_lazy("their account at the district’s identity provider"),
        gettext_lazy("an account at the district’s identity provider"),
    ),
    "password": Thing(gettext_lazy("their password"), gettext_lazy("their password")),
    "second-factor": Thing(gettext_lazy("their two-step sign-in"), gettext_lazy("their two-step sign-in")),
    # Accountability figures (insights): aggregates, never a student.
    "insights-dashboard": Thing(
        gettext_lazy("an accountability dashboard"), gettext_lazy("an accountability dashboard")
    ),
    "insights-refresh": Thing(gettext_lazy("the district’s figures"), gettext_lazy("the district’s figures")),
    "insights-export": Thing(gettext_lazy("a table of figures"), gettext_lazy("a table of figures")),
    "insights-state": Thing(gettext_lazy("the state’s view"), gettext_lazy("the state’s view")),
    "graduation-rates": Thing(gettext_lazy("the graduation rates"), gettext_lazy("the graduation rates")),
    "district-self-study": Thing(
        gettext_lazy("the district’s self-study"), gettext_lazy("the district’s self-study")
    ),
    "action-plan": Thing(gettext_lazy("a school’s action plan"), gettext_lazy("a school’s action plan")),
    "action-step": Thing(
        gettext_lazy("an action of a school’s plan"), gettext_lazy("an action of a school’s plan")
    ),
    # A home page names a student beside their waiting work, plan, path or progress (`<app>/home.py`).
    "home": Thing(gettext_lazy("%(student)s’s work listed on a home page"), gettext_lazy("a home page")),
}

# For an object type written by code newer than these words: still a sentence, never the internal name.
_UNKNOWN = Thing(gettext_lazy("%(student)s’s record"), gettext_lazy("a record"))

# The sentence of each action, with the object in it.
VERBS: dict[str, Promise] = {
    AuditAction.VIEW: gettext_lazy("%(actor)s viewed %(thing)s"),
    AuditAction.CREATE: gettext_lazy("%(actor)s created %(thing)s"),
    AuditAction.UPDATE: gettext_lazy("%(actor)s changed %(thing)s"),
    AuditAction.DELETE: gettext_lazy("%(actor)s removed %(thing)s"),
    AuditAction.EXPORT: gettext_lazy("%(actor)s exported %(thing)s"),
    AuditAction.LOGIN: gettext_lazy("%(actor)s signed in"),
    AuditAction.LOGIN_FAILED: gettext_lazy("Someone failed to sign in as %(actor)s"),
    AuditAction.DENIED: gettext_lazy("%(actor)s tried to open %(thing)s and was refused"),
}

# Where an action on one object type reads better in words of its own.
SENTENCES: dict[tuple[str, str], Promise] = {
    (AuditAction.VIEW, "student-list"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "section-roster"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "caseload"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "evidence-inbox"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "path-list"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "approval-queue"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "home"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "opportunity-participants"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "disclosures"): gettext_lazy("%(actor)s opened %(thing)s"),
    (AuditAction.VIEW, "audit-log"): gettext_lazy("%(actor)s opened %(thing)s"),
    (AuditAction.DELETE, "audit-month"): gettext_lazy("%(actor)s disposed of %(thing)s past its retention"),
    (AuditAction.CREATE, "score"): gettext_lazy("%(actor)s recorded a score on %(thing)s"),
    (AuditAction.CREATE, "evidence-revision"): gettext_lazy("%(actor)s submitted %(thing)s"),
    (AuditAction.UPDATE, "evidence-feedback"): gettext_lazy("%(actor)s gave feedback on %(thing)s"),
    (AuditAction.CREATE, "path"): gettext_lazy("%(actor)s proposed %(thing)s"),
    (AuditAction.UPDATE, "account"): gettext_lazy("%(actor)s changed their account settings"),
    (AuditAction.UPDATE, "notification"): gettext_lazy("%(actor)s read %(thing)s"),
    (AuditAction.UPDATE, "evidence-competencies"): gettext_lazy("%(actor)s named %(thing)s"),
    (AuditAction.VIEW, "calculation-preview"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.CREATE, "access-token"): gettext_lazy("%(actor)s created an API token"),
    (AuditAction.UPDATE, "access-token"): gettext_lazy("%(actor)s revoked an API token"),
    (AuditAction.VIEW, "diploma-seniors"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "transcript-requests"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "exhibition-list"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "transfer-list"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.VIEW, "disposal-list"): gettext_lazy("%(actor)s saw %(thing)s"),
    (AuditAction.UPDATE, "exhibition-score"): gettext_lazy("%(actor)s scored %(thing)s"),
    (AuditAction.CREATE, "diploma"): gettext_lazy("%(actor)s awarded %(thing)s"),
    (AuditAction.CREATE, "issued-transcript"): gettext_lazy("%(actor)s issued %(thing)s"),
    (AuditAction.EXPORT, "transfer-disclosure"): gettext_lazy("%(actor)s released %(thing)s"),
    (AuditAction.CREATE, "external-identity"): gettext_lazy(
        "%(actor)s linked their account at the district’s identity provider"
    ),
    (AuditAction.CREATE, "password"): gettext_lazy("%(actor)s was e-mailed a link to reset their password"),
    (AuditAction.DENIED, "password"): gettext_lazy(
        "%(actor)s asked to reset their password and was told to sign in through the district’s provider"
    ),
    (AuditAction.UPDATE, "password"): gettext_lazy("%(actor)s set a new password through a reset link"),
    (AuditAction.CREATE, "second-factor"): gettext_lazy("%(actor)s began setting up two-step sign-in"),
    (AuditAction.UPDATE, "second-factor"): gettext_lazy("%(actor)s turned on two-step sign-in"),
    (AuditAction.DELETE, "second-factor"): gettext_lazy("%(actor)s turned off two-step sign-in"),
    (AuditAction.LOGIN, "second-factor"): gettext_lazy("%(actor)s entered a two-step sign-in code"),
    (AuditAction.LOGIN_FAILED, "second-factor"): gettext_lazy(
        "Someone entered a wrong two-step sign-in code for %(actor)s"
    ),
}

# The action names of the audit log's filter.
ACTION_LABELS: dict[str, Promise] = {
    AuditAction.VIEW: pgettext_lazy("audit action", "Viewed"),
    AuditAction.CREATE: pgettext_lazy("audit action", "Created"),
    AuditAction.UPDATE: pgettext_lazy("audit action", "Changed"),
    AuditAction.DELETE: pgettext_lazy("audit action", "Removed"),
    AuditAction.EXPORT: pgettext_lazy("audit action", "Exported"),
    AuditAction.LOGIN: pgettext_lazy("audit action", "Signed in"),
    AuditAction.LOGIN_FAILED: pgettext_lazy("audit action", "Failed sign-in"),
    AuditAction.DENIED: pgettext_lazy("audit action", "Refused"),
}

# People as a sentence names them: "Maria Rivera, teacher at Riverside High".
ROLE_NOUNS: dict[str, Promise] = {
    Role.TEACHER: gettext_lazy("teacher"),
    Role.ADVISOR: gettext_lazy("advisor"),
    Role.SCHOOL_ADMIN: gettext_lazy("school administrator"),
    Role.DISTRICT_ADMIN: gettext_lazy("district administrator"),
    Role.STATE_ANALYST: gettext_lazy("state analyst"),
    Role.MENTOR: gettext_lazy("external mentor"),
}
# Which role names a person who holds several: the one closest to students first.
ROLE_ORDER: tuple[str, ...] = (
    Role.TEACHER,
    Role.ADVISOR,
    Role.MENTOR,
    Role.SCHOOL_ADMIN,
    Role.DISTRICT_ADMIN,
    Role.STATE_ANALYST,
)
GUARDIAN_NOUN = gettext_lazy("parent or guardian")
SYSTEM_ACTOR = gettext_lazy("Waypoint (automatically)")

# The legitimate interests `waypoint.policy.legitimate_interest` stores, in words a family reads.
_INTERESTS: dict[str, Promise] = {
    "Own record": gettext_lazy("It is their own record"),
    "Guardian": gettext_lazy("Parent or guardian of the student"),
    "Advisor (caseload)": gettext_lazy("The student’s advisor"),
    "Advisor or counselor": gettext_lazy("Advisor or counselor"),
    "District administrator": gettext_lazy("District administrator"),
    "School administrator": gettext_lazy("School administrator"),
    "Teacher": gettext_lazy("Teacher"),
    "State analyst": gettext_lazy("State analyst"),
    "External mentor": gettext_lazy("External mentor"),
    "External mentor of an active path": gettext_lazy("Mentor on one of the student’s paths"),
    "Own or own child's record": gettext_lazy("Their own or their child’s record"),
    "Demo district loaded": gettext_lazy("The demonstration district was set up"),
}


def thing_words(object_type: str) -> Thing:
    """The words for an object type (a generic "record" for one these words do not know yet)."""
    return THINGS.get(object_type, _UNKNOWN)


def role_phrase(role: str, place: str = "") -> str:
    """The role a person acts in, and where: "teacher at Riverside High"."""
    if role and place:
        return gettext("%(role)s at %(place)s") % {"role": role, "place": place}
    return role


def person(name: str, role: str = "") -> str:
    """A person named on their own, with their role: "Maria Rivera, teacher at Riverside High"."""
    return gettext("%(name)s, %(role)s") % {"name": name, "role": role} if role else name


def sentence(
    action: str, object_type: str, *, actor: str, actor_role: str = "", student: str = "", title: str = ""
) -> str:
    """One event as a sentence: who (and in which role) did what to which object of whose record."""
    words = thing_words(object_type)
    if title and words.titled is not None:
        thing = str(words.titled) % {"student": student, "title": title}
    elif student:
        thing = str(words.of_student) % {"student": student}
    else:
        thing = str(words.alone)
    # The role is set off by commas as the subject of the sentence: "Maria Rivera, teacher at X, viewed".
    subject = gettext("%(name)s, %(role)s,") % {"name": actor, "role": actor_role} if actor_role else actor
    template = SENTENCES.get((action, object_type)) or VERBS.get(action) or VERBS[AuditAction.UPDATE]
    return str(template) % {"actor": subject, "thing": thing}


def interest_words(reason: str) -> str:
    """A stored reason in the reader's language where it is one of the policy's interests; a teacher's names
    the class ("Teacher of Algebra 1 (A)"); any other reason (a note typed by a person) as it was written."""
    if reason in _INTERESTS:
        return str(_INTERESTS[reason])
    prefix = "Teacher of "
    if reason.startswith(prefix):
        return gettext("Teacher of %(section)s") % {"section": reason.removeprefix(prefix)}
    return reason

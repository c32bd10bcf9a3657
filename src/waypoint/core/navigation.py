"""A link in the page shell's navigation. Each app offers its links (see `waypoint.site.contributions`);
`group` places a link under a task heading and `order` places it among the other apps' links.

The groups are the tasks people come to do, not the apps that serve them, so a teacher finds the gradebook
beside the inbox although two apps offer them. An app picks the group by who is reading: "Paths" sits under
"My learning" for a student and under "Students" for a teacher."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAIN = "main"  # the top level: links everyone has, such as Home; no heading
LEARNING = "learning"  # a student's or guardian's own learning: progress, work, plan, paths, catalog
TEACHING = "teaching"  # a teacher's daily work: inbox, gradebooks, assessments, sections
STUDENTS = "students"  # the people one is responsible for: students, caseload, approvals, their paths
DISTRICT = "district"  # what a district keeps: frameworks, rules, the catalog, reports, the audit log
ACCOUNT = "account"  # the person's own settings, in the account menu: language, notifications, tokens

# The task groups of the main menu, in the order they are shown, with their headings. "account" is not here:
# its links live in the account menu.
TASK_GROUPS: dict[str, Promise] = {
    LEARNING: _("My learning"),
    TEACHING: _("Teaching"),
    STUDENTS: _("Students"),
    DISTRICT: _("District"),
}
GROUPS = frozenset({MAIN, ACCOUNT, *TASK_GROUPS})
# Students and guardians hold these roles by their records (see `waypoint.policy.base`), not by assignment.
LEARNER_ROLES = frozenset({"student", "guardian"})


def learner_or(roles: frozenset[str], group: str) -> str:
    """`LEARNING` for someone who reads as a student or guardian only, else `group`: the same page (paths,
    the catalog, frameworks) is part of a student's learning and of a teacher's work with students."""
    return LEARNING if roles and roles <= LEARNER_ROLES else group


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    order: int
    group: str = MAIN

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"NavLink group must be one of {sorted(GROUPS)}, not {self.group!r}")

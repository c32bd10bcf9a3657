"""The 16 National Career Clusters (Advance CTE, the framework Connecticut's CTE programs are organized by).

A plain module with no Django import: the catalog and profile models use `CHOICES`, the pure recommendation
rule (`waypoint.pathways.recommend`) uses `label`. Advance CTE modernized the framework in 2024 (14
clusters); states still report CTE programs by the 16 clusters below, so Waypoint keeps them until
Connecticut moves.
"""

from __future__ import annotations

from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks a cluster's name for the translation catalog (`makemessages` finds it by this name) without
    importing Django; the pages translate the name where they show it."""
    return message


@dataclass(frozen=True)
class CareerCluster:
    code: str
    name: str
    examples: str


CAREER_CLUSTERS: tuple[CareerCluster, ...] = (
    CareerCluster(
        "agriculture",
        gettext_noop("Agriculture, Food & Natural Resources"),
        "farming, food science, forestry, animals",
    ),
    CareerCluster(
        "architecture", gettext_noop("Architecture & Construction"), "design, carpentry, electrical, HVAC"
    ),
    CareerCluster(
        "arts",
        gettext_noop("Arts, A/V Technology & Communications"),
        "graphic design, film, journalism, performing arts",
    ),
    CareerCluster(
        "business", gettext_noop("Business Management & Administration"), "management, entrepreneurship, HR"
    ),
    CareerCluster("education", gettext_noop("Education & Training"), "teaching, coaching, early childhood"),
    CareerCluster("finance", gettext_noop("Finance"), "banking, accounting, insurance"),
    CareerCluster(
        "government",
        gettext_noop("Government & Public Administration"),
        "public policy, planning, civic roles",
    ),
    CareerCluster(
        "health", gettext_noop("Health Science"), "nursing, therapy, lab science, emergency medicine"
    ),
    CareerCluster(
        "hospitality", gettext_noop("Hospitality & Tourism"), "culinary arts, hotels, travel, recreation"
    ),
    CareerCluster("human_services", gettext_noop("Human Services"), "counseling, social work, personal care"),
    CareerCluster(
        "information_technology",
        gettext_noop("Information Technology"),
        "programming, networks, cybersecurity",
    ),
    CareerCluster(
        "law",
        gettext_noop("Law, Public Safety, Corrections & Security"),
        "law, firefighting, policing, emergency response",
    ),
    CareerCluster("manufacturing", gettext_noop("Manufacturing"), "machining, welding, production, quality"),
    CareerCluster(
        "marketing", gettext_noop("Marketing, Sales & Service"), "marketing, sales, retail, customer service"
    ),
    CareerCluster(
        "stem",
        gettext_noop("Science, Technology, Engineering & Mathematics"),
        "engineering, research, data, mathematics",
    ),
    CareerCluster(
        "transportation",
        gettext_noop("Transportation, Distribution & Logistics"),
        "automotive, aviation, logistics",
    ),
)

CODES: frozenset[str] = frozenset(cluster.code for cluster in CAREER_CLUSTERS)
CHOICES: list[tuple[str, str]] = [(cluster.code, cluster.name) for cluster in CAREER_CLUSTERS]
_NAMES = {cluster.code: cluster.name for cluster in CAREER_CLUSTERS}


def label(code: str) -> str:
    """The cluster's name in English, or the code itself when it is not one of the 16 (old data); pages pass
    it through `gettext`."""
    return _NAMES.get(code, code)

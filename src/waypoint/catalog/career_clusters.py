"""The 16 National Career Clusters (Advance CTE, the framework Connecticut's CTE programs are organized by).

A plain module with no Django import: the catalog and profile models use `CHOICES`, the pure recommendation
rule (`waypoint.pathways.recommend`) uses `label`. Advance CTE modernized the framework in 2024 (14
clusters); states still report CTE programs by the 16 clusters below, so Waypoint keeps them until
Connecticut moves.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CareerCluster:
    code: str
    name: str
    examples: str


CAREER_CLUSTERS: tuple[CareerCluster, ...] = (
    CareerCluster(
        "agriculture", "Agriculture, Food & Natural Resources", "farming, food science, forestry, animals"
    ),
    CareerCluster("architecture", "Architecture & Construction", "design, carpentry, electrical, HVAC"),
    CareerCluster(
        "arts", "Arts, A/V Technology & Communications", "graphic design, film, journalism, performing arts"
    ),
    CareerCluster("business", "Business Management & Administration", "management, entrepreneurship, HR"),
    CareerCluster("education", "Education & Training", "teaching, coaching, early childhood"),
    CareerCluster("finance", "Finance", "banking, accounting, insurance"),
    CareerCluster("government", "Government & Public Administration", "public policy, planning, civic roles"),
    CareerCluster("health", "Health Science", "nursing, therapy, lab science, emergency medicine"),
    CareerCluster("hospitality", "Hospitality & Tourism", "culinary arts, hotels, travel, recreation"),
    CareerCluster("human_services", "Human Services", "counseling, social work, personal care"),
    CareerCluster("information_technology", "Information Technology", "programming, networks, cybersecurity"),
    CareerCluster(
        "law", "Law, Public Safety, Corrections & Security", "law, firefighting, policing, emergency response"
    ),
    CareerCluster("manufacturing", "Manufacturing", "machining, welding, production, quality"),
    CareerCluster("marketing", "Marketing, Sales & Service", "marketing, sales, retail, customer service"),
    CareerCluster(
        "stem", "Science, Technology, Engineering & Mathematics", "engineering, research, data, mathematics"
    ),
    CareerCluster(
        "transportation", "Transportation, Distribution & Logistics", "automotive, aviation, logistics"
    ),
)

CODES: frozenset[str] = frozenset(cluster.code for cluster in CAREER_CLUSTERS)
CHOICES: list[tuple[str, str]] = [(cluster.code, cluster.name) for cluster in CAREER_CLUSTERS]
_NAMES = {cluster.code: cluster.name for cluster in CAREER_CLUSTERS}


def label(code: str) -> str:
    """The cluster's name, or the code itself when it is not one of the 16 (old data)."""
    return _NAMES.get(code, code)

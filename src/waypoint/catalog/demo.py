"""The demo districts' catalog: providers (schools, a college, employers, nonprofits) and opportunities of
every type, some shared as best-practice templates, with the mentor accounts of two employers.

Riverside Precision Manufacturing, mentored by `mentor` (Gwen Harlow), offers the machining internship
`student` is on (`waypoint.pathways.demo`) and an engineering design internship `student` can propose.
Deterministic (a fixed seed; dates follow the current school year), written with bulk inserts, and loaded
only once.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from waypoint.catalog.models import (
    Location,
    MeetingTime,
    Opportunity,
    OpportunityKind,
    Provider,
    ProviderKind,
)
from waypoint.core.demo import DemoWorld
from waypoint.core.models import Organization, Role, RoleAssignment, User
from waypoint.frameworks.models import Competency, FrameworkKind, VersionStatus

SEED = 20261126

# Provider roles, and each district's provider for the role: (name, kind).
PROVIDERS: dict[str, dict[str, tuple[str, str]]] = {
    "riverside": {
        "high_school": ("Riverside High School", ProviderKind.SCHOOL),
        "middle_school": ("Riverside Middle School", ProviderKind.SCHOOL),
        "college": ("Northbrook Community College", ProviderKind.COLLEGE),
        "manufacturer": ("Riverside Precision Manufacturing", ProviderKind.EMPLOYER),
        "hospital": ("Riverside Regional Hospital", ProviderKind.EMPLOYER),
        "trades": ("Valley Electrical Contractors", ProviderKind.EMPLOYER),
        "hospitality": ("Harbor Street Restaurant Group", ProviderKind.EMPLOYER),
        "food": ("Riverside Community Food Bank", ProviderKind.NONPROFIT),
        "environment": ("Mill River Watershed Association", ProviderKind.NONPROFIT),
        "orchestra": ("Riverside Youth Symphony", ProviderKind.NONPROFIT),
        "virtual": ("Connecticut Virtual Learning Collaborative", ProviderKind.SCHOOL),
        "history": ("Riverside Historical Society", ProviderKind.NONPROFIT),
        "business": ("Main Street Business Alliance", ProviderKind.NONPROFIT),
        "music": ("Riverside Music Teachers Guild", ProviderKind.NONPROFIT),
    },
    "hillcrest": {
        "high_school": ("Hillcrest High School", ProviderKind.SCHOOL),
        "middle_school": ("Hillcrest Middle School", ProviderKind.SCHOOL),
        "college": ("Eastern Connecticut State University", ProviderKind.COLLEGE),
        "manufacturer": ("Hillcrest Tool & Die", ProviderKind.EMPLOYER),
        "hospital": ("Hillcrest Medical Center", ProviderKind.EMPLOYER),
        "trades": ("Quinebaug Building Trades Council", ProviderKind.NONPROFIT),
        "hospitality": ("The Hillcrest Inn", ProviderKind.EMPLOYER),
        "food": ("Hillcrest Food Pantry", ProviderKind.NONPROFIT),
        "environment": ("Quinebaug Valley Conservation District", ProviderKind.NONPROFIT),
        "orchestra": ("Hillcrest Community Orchestra", ProviderKind.NONPROFIT),
        "virtual": ("Connecticut Virtual Learning Collaborative (Hillcrest)", ProviderKind.SCHOOL),
        "history": ("Hillcrest Historical Society", ProviderKind.NONPROFIT),
        "business": ("Hillcrest Chamber of Commerce", ProviderKind.NONPROFIT),
        "music": ("Hillcrest Arts Guild", ProviderKind.NONPROFIT),
    },
}
CONTACTS = ["Maria Lopez", "James Whitaker", "Aisha Rahman", "Tom Becker", "Nina Petrov", "Carlos Mendes"]


@dataclass(frozen=True)
class OpportunitySpec:
    key: str
    title: str
    kind: str
    provider: str
    location: str
    description: str
    topics: tuple[str, ...]
    competencies: tuple[str, ...]
    career_cluster: str = ""
    times: tuple[str, ...] = ()
    grades: tuple[int, int] | None = None
    capacity: int | None = None
    prerequisites: tuple[str, ...] = ()
    hours: int | None = None
    transport_provided: bool = False
    transport_notes: str = ""
    cost_notes: str = ""
    school_year: bool = False
    shared: bool = False
    districts: tuple[str, ...] = ("riverside", "hillcrest")


SCHOOL_DAY, AFTER_SCHOOL, EVENINGS, WEEKENDS, SUMMER = (
    MeetingTime.SCHOOL_DAY,
    MeetingTime.AFTER_SCHOOL,
    MeetingTime.EVENINGS,
    MeetingTime.WEEKENDS,
    MeetingTime.SUMMER,
)

CATALOG: tuple[OpportunitySpec, ...] = (
    OpportunitySpec(
        key="robotics-course",
        title="Robotics and Automation",
        kind=OpportunityKind.COURSE,
        provider="high_school",
        location=Location.ON_CAMPUS,
        description="Design, build and program robots in teams; compete in the state robotics challenge in "
        "the spring.",
        topics=("robotics", "engineering", "coding"),
        competencies=("GP.CTP.1", "SCI.ENG.1", "SCI.ENG.2", "MATH.FUN.1"),
        career_cluster="stem",
        times=(SCHOOL_DAY,),
        grades=(9, 12),
        capacity=24,
        hours=5,
        school_year=True,
    ),
    OpportunitySpec(
        key="journalism-course",
        title="Community Journalism",
        kind=OpportunityKind.COURSE,
        provider="high_school",
        location=Location.ON_CAMPUS,
        description="Report, photograph and publish stories about the town for the school's online paper.",
        topics=("writing", "news", "photography"),
        competencies=("GP.COM.1", "ELA.WR.1", "ELA.WR.2", "SS.CIV.2"),
        career_cluster="arts",
        times=(SCHOOL_DAY,),
        grades=(9, 12),
        capacity=22,
        hours=5,
        school_year=True,
        districts=("riverside",),
    ),
    OpportunitySpec(
        key="cs-online",
        title="Computer Science Principles (online)",
        kind=OpportunityKind.ONLINE_COURSE,
        provider="virtual",
        location=Location.ONLINE,
        description="A college-level introduction to programming, data and the internet, taught online with "
        "weekly live sessions. Loaned laptops and hotspots are available.",
        topics=("coding", "programming", "computers", "apps", "gaming"),
        competencies=("GP.CTP.2", "MATH.ALG.1", "GP.SD.1"),
        career_cluster="information_technology",
        times=(EVENINGS,),
        grades=(10, 12),
        capacity=None,
        hours=4,
        shared=True,
    ),
    OpportunitySpec(
        key="psychology-blended",
        title="Introduction to Psychology (blended)",
        kind=OpportunityKind.ONLINE_COURSE,
        provider="virtual",
        location=Location.ONLINE,
        description="Online lessons with a weekly seminar at school: how people think, feel and learn.",
        topics=("psychology", "people", "mental health"),
        competencies=("ELA.RD.2", "SS.INQ.1", "GP.SD.2"),
        career_cluster="human_services",
        times=(SCHOOL_DAY,),
        grades=(11, 12),
        capacity=30,
        hours=3,
    ),
    OpportunitySpec(
        key="machining-internship",
        title="Precision machining internship",
        kind=OpportunityKind.INTERNSHIP,
        provider="manufacturer",
        location=Location.COMMUNITY,
        description="Work beside machinists on CNC mills and lathes, measure parts for quality control, and "
        "present an improvement project to the shop floor team.",
        topics=("machining", "cnc", "manufacturing", "robotics", "fixing things"),
        competencies=("GP.COL.1", "GP.CTP.1", "MATH.GEO.1", "SCI.ENG.2"),
        career_cluster="manufacturing",
        times=(AFTER_SCHOOL,),
        grades=(10, 12),
        capacity=4,
        hours=8,
        transport_provided=True,
        transport_notes="A company van picks students up at the high school at 2:45 pm.",
    ),
    OpportunitySpec(
        key="engineering-internship",
        title="Engineering design internship",
        kind=OpportunityKind.INTERNSHIP,
        provider="manufacturer",
        location=Location.COMMUNITY,
        description="Help the engineering team design fixtures in CAD, 3D-print prototypes and test them on "
        "the line.",
        topics=("engineering", "design", "cad", "3d printing", "robotics"),
        competencies=("GP.CRE.1", "GP.CTP.2", "SCI.ENG.1", "MATH.GEO.2"),
        career_cluster="stem",
        times=(AFTER_SCHOOL,),
        grades=(10, 12),
        capacity=3,
        hours=6,
        transport_provided=True,
        transport_notes="A company van picks students up at the high school at 2:45 pm.",
    ),
    OpportunitySpec(
        key="electrical-apprenticeship",
        title="Pre-apprenticeship in the electrical trades",
        kind=OpportunityKind.APPRENTICESHIP,
        provider="trades",
        location=Location.COMMUNITY,
        description="Paid hours with licensed electricians, with the safety training that counts toward a "
        "registered apprenticeship after graduation.",
        topics=("electricity", "building", "wiring", "fixing things"),
        competencies=("GP.SD.3", "MATH.ALG.2", "SCI.PS.2"),
        career_cluster="architecture",
        times=(AFTER_SCHOOL, SUMMER),
        grades=(11, 12),
        capacity=6,
        prerequisites=("MATH.ALG.1",),
        hours=10,
        cost_notes="Paid: $16 an hour.",
        shared=True,
    ),
    OpportunitySpec(
        key="culinary-apprenticeship",
        title="Culinary pre-apprenticeship",
        kind=OpportunityKind.APPRENTICESHIP,
        provider="hospitality",
        location=Location.COMMUNITY,
        description="Learn a professional kitchen station by station, and earn the ServSafe food handler "
        "certificate.",
        topics=("cooking", "food", "restaurants", "baking"),
        competencies=("GP.COL.2", "GP.SD.1", "MATH.NQ.1"),
        career_cluster="hospitality",
        times=(WEEKENDS,),
        grades=(10, 12),
        capacity=8,
        hours=8,
        cost_notes="Paid; uniform provided.",
    ),
    OpportunitySpec(
        key="college-english",
        title="College English 101 (dual enrollment)",
        kind=OpportunityKind.DUAL_ENROLLMENT,
        provider="college",
        location=Location.COMMUNITY,
        description="Earn three college credits and high school English credit in a college composition "
        "course.",
        topics=("writing", "literature", "college", "reading"),
        competencies=("ELA.WR.3", "ELA.RD.3", "GP.COM.1"),
        career_cluster="education",
        times=(SCHOOL_DAY,),
        grades=(11, 12),
        capacity=25,
        prerequisites=("ELA.WR.1",),
        hours=4,
        school_year=True,
        transport_provided=True,
        cost_notes="Tuition paid by the district; books loaned.",
    ),
    OpportunitySpec(
        key="early-college-biology",
        title="Early college: Introduction to Biology",
        kind=OpportunityKind.DUAL_ENROLLMENT,
        provider="college",
        location=Location.ON_CAMPUS,
        description="A college biology course with lab, taught at the high school by college faculty.",
        topics=("biology", "medicine", "science", "animals"),
        competencies=("SCI.LS.1", "SCI.LS.2", "SCI.PRC.1"),
        career_cluster="health",
        times=(SCHOOL_DAY,),
        grades=(11, 12),
        capacity=20,
        hours=5,
        school_year=True,
        districts=("riverside",),
    ),
    OpportunitySpec(
        key="health-science-pathway",
        title="Health Science pathway: patient care",
        kind=OpportunityKind.CTE_PROGRAM,
        provider="high_school",
        location=Location.ON_CAMPUS,
        description="A three-year CTE program: anatomy, infection control, vital signs and patient "
        "communication, ending with the certified nursing assistant exam.",
        topics=("nursing", "medicine", "health", "hospital"),
        competencies=("CTE.HSC.FND.1", "CTE.HSC.SAF.1", "CTE.HSC.CLN.1", "CTE.HSC.PRO.1"),
        career_cluster="health",
        times=(SCHOOL_DAY,),
        grades=(10, 12),
        capacity=18,
        hours=5,
        school_year=True,
    ),
    OpportunitySpec(
        key="manufacturing-pathway",
        title="Manufacturing technology pathway",
        kind=OpportunityKind.CTE_PROGRAM,
        provider="high_school",
        location=Location.ON_CAMPUS,
        description="Machining, welding and quality control in the school's shop, with industry "
        "certifications.",
        topics=("machining", "welding", "manufacturing"),
        competencies=("GP.CTP.3", "MATH.GEO.3", "SCI.ENG.2"),
        career_cluster="manufacturing",
        times=(SCHOOL_DAY,),
        grades=(9, 12),
        capacity=20,
        hours=5,
        school_year=True,
    ),
    OpportunitySpec(
        key="history-archive",
        title="Independent study: the town archive",
        kind=OpportunityKind.INDEPENDENT_STUDY,
        provider="history",
        location=Location.COMMUNITY,
        description="Research a question about the town's past in the historical society's archive and "
        "publish the findings as an exhibit.",
        topics=("history", "museums", "research"),
        competencies=("SS.HIS.1", "SS.INQ.2", "ELA.WR.4", "GP.SD.2"),
        career_cluster="government",
        times=(AFTER_SCHOOL, WEEKENDS),
        grades=(9, 12),
        capacity=5,
        hours=3,
    ),
    OpportunitySpec(
        key="open-data-study",
        title="Independent study: city open data",
        kind=OpportunityKind.INDEPENDENT_STUDY,
        provider="high_school",
        location=Location.ONLINE,
        description="Ask a question about the city, answer it with its open data, and present the answer to "
        "the council.",
        topics=("data", "statistics", "coding", "math puzzles"),
        competencies=("MATH.SP.1", "MATH.SP.2", "GP.CTP.2"),
        career_cluster="stem",
        times=(EVENINGS,),
        grades=(10, 12),
        capacity=6,
        hours=3,
        districts=("riverside",),
    ),
    OpportunitySpec(
        key="food-bank",
        title="Food bank volunteer crew",
        kind=OpportunityKind.COMMUNITY_SERVICE,
        provider="food",
        location=Location.COMMUNITY,
        description="Sort donations, pack weekend meal bags and run the Saturday market with the food bank's"
        " staff.",
        topics=("food", "helping", "community", "volunteering"),
        competencies=("GP.CIV.1", "GP.COL.1", "GP.CIV.2"),
        career_cluster="human_services",
        times=(WEEKENDS,),
        grades=(6, 12),
        capacity=None,
        hours=3,
        shared=True,
    ),
    OpportunitySpec(
        key="river-cleanup",
        title="River cleanup and water testing",
        kind=OpportunityKind.COMMUNITY_SERVICE,
        provider="environment",
        location=Location.COMMUNITY,
        description="Monthly cleanups and water-quality sampling with the watershed association's "
        "scientists.",
        topics=("environment", "nature", "water", "animals", "hiking"),
        competencies=("SCI.ESS.2", "SCI.PRC.2", "GP.CIV.3"),
        career_cluster="agriculture",
        times=(WEEKENDS,),
        grades=(6, 12),
        capacity=30,
        hours=2,
    ),
    OpportunitySpec(
        key="youth-orchestra",
        title="Youth symphony orchestra",
        kind=OpportunityKind.PERFORMING_GROUP,
        provider="orchestra",
        location=Location.COMMUNITY,
        description="Weekly rehearsals and three concerts a year, coached by professional musicians.",
        topics=("music", "violin", "orchestra", "cello"),
        competencies=("GP.COL.2", "GP.CRE.2", "GP.SD.3"),
        career_cluster="arts",
        times=(EVENINGS,),
        grades=(6, 12),
        capacity=60,
        hours=3,
        cost_notes="Free; instruments loaned.",
    ),
    OpportunitySpec(
        key="spring-musical",
        title="Spring musical company",
        kind=OpportunityKind.PERFORMING_GROUP,
        provider="high_school",
        location=Location.ON_CAMPUS,
        description="Act, sing, dance, build sets or run the lights for the spring musical.",
        topics=("theater", "acting", "singing", "dance", "music"),
        competencies=("GP.COM.2", "GP.COL.3", "GP.CRE.3"),
        career_cluster="arts",
        times=(AFTER_SCHOOL,),
        grades=(6, 12),
        capacity=40,
        hours=6,
    ),
    OpportunitySpec(
        key="piano-lessons",
        title="Private piano lessons",
        kind=OpportunityKind.PRIVATE_INSTRUCTION,
        provider="music",
        location=Location.COMMUNITY,
        description="Weekly lessons with a guild teacher, with a recital each semester.",
        topics=("piano", "music"),
        competencies=("GP.SD.1", "GP.CRE.2"),
        career_cluster="arts",
        times=(AFTER_SCHOOL,),
        grades=(6, 12),
        capacity=8,
        hours=1,
        cost_notes="Sliding scale; free for students who qualify.",
    ),
    OpportunitySpec(
        key="mandarin-tutoring",
        title="Mandarin with a private tutor",
        kind=OpportunityKind.PRIVATE_INSTRUCTION,
        provider="virtual",
        location=Location.ONLINE,
        description="Twice-weekly online lessons with a certified tutor toward the Seal of Biliteracy.",
        topics=("languages", "mandarin", "china", "travel"),
        competencies=("ELA.SL.1", "GP.COM.3"),
        career_cluster="education",
        times=(EVENINGS,),
        grades=(8, 12),
        capacity=10,
        hours=2,
        districts=("riverside",),
    ),
    OpportunitySpec(
        key="tiny-house",
        title="Design a tiny house",
        kind=OpportunityKind.PROJECT,
        provider="high_school",
        location=Location.ON_CAMPUS,
        description="Design a tiny house for a local family in a team, from budget and floor plan to a scale"
        " model.",
        topics=("building", "design", "architecture", "math puzzles"),
        competencies=("MATH.GEO.2", "MATH.NQ.2", "GP.CRE.1", "GP.COL.1"),
        career_cluster="architecture",
        times=(SCHOOL_DAY,),
        grades=(9, 12),
        capacity=16,
        hours=4,
        shared=True,
    ),
    OpportunitySpec(
        key="community-podcast",
        title="A podcast for the community",
        kind=OpportunityKind.PROJECT,
        provider="middle_school",
        location=Location.ON_CAMPUS,
        description="Interview neighbors, edit the audio and publish a season of a podcast about the town.",
        topics=("podcast", "radio", "stories", "media", "film"),
        competencies=("GP.COM.2", "ELA.SL.2", "GP.CRE.3"),
        career_cluster="arts",
        times=(AFTER_SCHOOL,),
        grades=(6, 12),
        capacity=12,
        hours=2,
    ),
    OpportunitySpec(
        key="hospital-shadow",
        title="Hospital job shadow",
        kind=OpportunityKind.WORK_BASED_LEARNING,
        provider="hospital",
        location=Location.COMMUNITY,
        description="Shadow nurses, therapists and lab technicians for a day a week over eight weeks.",
        topics=("hospital", "nursing", "medicine", "health"),
        competencies=("CTE.HSC.PRO.2", "GP.COM.3", "GP.SD.2"),
        career_cluster="health",
        times=(SCHOOL_DAY,),
        grades=(10, 12),
        capacity=10,
        hours=6,
        transport_provided=True,
    ),
    OpportunitySpec(
        key="marketing-placement",
        title="Small business marketing placement",
        kind=OpportunityKind.WORK_BASED_LEARNING,
        provider="business",
        location=Location.COMMUNITY,
        description="Run the social media of a downtown shop for a season, with a business owner as coach.",
        topics=("marketing", "business", "social media", "photography", "fashion"),
        competencies=("GP.CRE.1", "MATH.NQ.3", "GP.COL.3"),
        career_cluster="marketing",
        times=(AFTER_SCHOOL,),
        grades=(11, 12),
        capacity=6,
        hours=4,
    ),
)


@dataclass
class _District:
    district: Organization
    providers: dict[str, Provider] = field(default_factory=dict)
    opportunities: dict[str, Opportunity] = field(default_factory=dict)


def is_loaded(districts: list[Organization]) -> bool:
    return Opportunity.objects.filter(district__in=districts).exists()


def _competency_codes(district: Organization) -> dict[str, Competency]:
    """Codes → competencies of the published versions the district's catalog can name: its own graduate
    profile and its state's frameworks."""
    codes: dict[str, Competency] = {}
    for competency in Competency.objects.filter(
        version__status=VersionStatus.PUBLISHED,
        version__framework__owner_id__in=[district.pk, district.parent_id],
    ).exclude(version__framework__kind=FrameworkKind.STANDARDS):
        codes.setdefault(competency.human_code, competency)
    return codes


def _mentors(districts: list[Organization], year_start: datetime.date) -> dict[str, User | None]:
    """The fixed `mentor` for Riverside, and a mentor account (no password) for Hillcrest's employer."""
    mentors: dict[str, User | None] = {"riverside": User.objects.filter(username="mentor").first()}
    hillcrest = next((d for d in districts if d.slug == "hillcrest"), None)
    if hillcrest is not None:
        mentor = User.objects.create(
            username="hillcrest-mentor-1",
            first_name="Omar",
            last_name="Reyes",
            district=hillcrest,
            email="hillcrest-mentor-1@demo.waypoint.invalid",
            password=make_password(None),
        )
        RoleAssignment.objects.create(
            user=mentor,
            role=Role.MENTOR,
            organization=hillcrest,
            district=hillcrest,
            title="Shop supervisor, Hillcrest Tool & Die",
            starts_on=year_start,
        )
        mentors["hillcrest"] = mentor
    return mentors


def _catalog(
    districts: list[Organization],
    mentors: dict[str, User | None],
    year_start: datetime.date,
    year_end: datetime.date,
) -> dict[int, _District]:
    rng = random.Random(SEED)
    built: dict[int, _District] = {}
    for district in districts:
        names = PROVIDERS.get(district.slug)
        if names is None:
            continue
        entry = _District(district)
        providers = [
            Provider(
                district=district,
                name=name,
                kind=kind,
                contact_name=rng.choice(CONTACTS),
                contact_email=f"{role.replace('_', '-')}@{district.slug}.demo.waypoint.invalid",
                contact_phone=f"860-555-{rng.randrange(1000, 9999)}",
                mentor=mentors.get(district.slug) if role == "manufacturer" else None,
            )
            for role, (name, kind) in names.items()
        ]
        Provider.objects.bulk_create(providers)
        entry.providers = dict(zip(names, providers, strict=True))
        specs = [spec for spec in CATALOG if district.slug in spec.districts]
        opportunities = [
            Opportunity(
                district=district,
                provider=entry.providers[spec.provider],
                title=spec.title,
                kind=spec.kind,
                description=spec.description,
                topics=list(spec.topics),
                location=spec.location,
                location_detail=entry.providers[spec.provider].name
                if spec.location != Location.ONLINE
                else "Online",
                times=list(spec.times),
                starts_on=year_start if spec.school_year else None,
                ends_on=year_end if spec.school_year else None,
                hours_per_week=spec.hours,
                capacity=spec.capacity,
                min_grade=spec.grades[0] if spec.grades else None,
                max_grade=spec.grades[1] if spec.grades else None,
                cost_notes=spec.cost_notes,
                transport_provided=spec.transport_provided,
                transport_notes=spec.transport_notes,
                career_cluster=spec.career_cluster,
                shared_as_template=spec.shared and district.slug == "hillcrest",
            )
            for spec in specs
        ]
        Opportunity.objects.bulk_create(opportunities)
        entry.opportunities = {spec.key: o for spec, o in zip(specs, opportunities, strict=True)}
        codes = _competency_codes(district)
        evidences = Opportunity.competencies.through
        requires = Opportunity.prerequisites.through
        evidences.objects.bulk_create(
            evidences(opportunity_id=o.pk, competency_id=codes[code].pk)
            for spec, o in zip(specs, opportunities, strict=True)
            for code in spec.competencies
            if code in codes
        )
        requires.objects.bulk_create(
            requires(opportunity_id=o.pk, competency_id=codes[code].pk)
            for spec, o in zip(specs, opportunities, strict=True)
            for code in spec.prerequisites
            if code in codes
        )
        built[district.pk] = entry
    return built


@transaction.atomic
def load_demo_catalog(*, districts: list[Organization], year_start: datetime.date) -> dict[str, int]:
    """Load the providers and the catalog of the demo districts unless they are there; returns counts."""
    if is_loaded(districts):
        return {}
    year_end = datetime.date(year_start.year + 1, 6, 15)
    mentors = _mentors(districts, year_start)
    entries = _catalog(districts, mentors, year_start, year_end)
    return {
        "providers": sum(len(entry.providers) for entry in entries.values()),
        "opportunities": sum(len(entry.opportunities) for entry in entries.values()),
    }


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The catalog part of the demo (registered on CatalogConfig as its `demo_loader`)."""
    return load_demo_catalog(districts=world.districts, year_start=world.year_start)

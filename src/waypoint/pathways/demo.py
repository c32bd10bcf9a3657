"""The demo districts' paths of study: providers and a catalog of opportunities of every type, a learner
profile and a Student Success Plan for every student, and paths in every state.

`student` (Jordan Alvarez, grade 10) has an active internship at Riverside Precision Manufacturing mentored by
`mentor` (Gwen Harlow); the same employer offers an engineering design internship that Jordan can propose.
Deterministic (a fixed seed; dates follow the current school year), written with bulk inserts, and loaded
only once.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from waypoint.core.models import (
    AdvisorAssignment,
    GuardianLink,
    Organization,
    Role,
    RoleAssignment,
    Student,
    StudentEnrollment,
    User,
)
from waypoint.frameworks.models import Competency, FrameworkKind, VersionStatus
from waypoint.pathways import career_clusters
from waypoint.pathways.models import (
    GoalDomain,
    GoalMilestone,
    GoalStatus,
    LearnerProfile,
    LearnerProfileRevision,
    LearningPreference,
    Location,
    MeetingTime,
    MilestoneStatus,
    Opportunity,
    OpportunityKind,
    PathEvent,
    PathProposal,
    PathStatus,
    PlanAcknowledgement,
    PlanGoal,
    PlanReview,
    PostsecondaryGoal,
    Provider,
    ProviderKind,
    SuccessPlan,
)

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

INTERESTS = [
    "robotics",
    "soccer",
    "drawing",
    "music",
    "cooking",
    "coding",
    "animals",
    "basketball",
    "writing",
    "history",
    "dance",
    "gaming",
    "photography",
    "nature",
    "fashion",
    "cars",
    "medicine",
    "theater",
    "math puzzles",
    "volunteering",
    "film",
    "engineering",
    "business",
    "languages",
    "building",
    "hiking",
    "design",
    "singing",
]
STRENGTHS = [
    "patient",
    "creative",
    "good with numbers",
    "good listener",
    "organized",
    "hard-working",
    "funny",
    "curious",
    "a leader",
    "good at fixing things",
    "kind",
    "a good writer",
]
ASPIRATIONS = [
    "I want a job where I help people every day.",
    "I want to build things that make life easier.",
    "I want to travel and speak more than one language.",
    "I want to start my own business someday.",
    "I want to be the first in my family to finish college.",
    "I want to work outdoors and take care of nature.",
    "I want to make music or films that people remember.",
]
GOALS: dict[str, list[tuple[str, tuple[str, str]]]] = {
    GoalDomain.ACADEMIC: [
        (
            "Reach mastery on the algebra competencies by spring.",
            ("Plan with my math teacher", "Submit evidence"),
        ),
        (
            "Read one book a month and write a reflection on each.",
            ("Choose my reading list", "Share 3 reflections"),
        ),
        (
            "Raise my writing to proficient on the graduate profile rubric.",
            ("Revise two essays", "Portfolio"),
        ),
        (
            "Complete the science practice competencies with lab reports.",
            ("First lab report", "Lab conference"),
        ),
    ],
    GoalDomain.CAREER: [
        ("Explore two career clusters through job shadows.", ("Pick the clusters", "Finish one job shadow")),
        ("Complete an internship linked to my career interests.", ("Write my résumé", "Interview")),
        ("Build a portfolio of my design work.", ("Collect five pieces", "Present it to my advisor")),
        ("Earn an industry credential in a CTE program.", ("Enroll in the program", "Pass the first module")),
    ],
    GoalDomain.PERSONAL: [
        ("Join a team or club and go every week.", ("Choose a club", "Attend for a month")),
        ("Use a stress-management strategy before tests.", ("Learn two strategies", "Try one before a test")),
        ("Sleep eight hours on school nights.", ("Track my sleep for two weeks", "Set a phone curfew")),
        ("Volunteer in my community twice a month.", ("Find a place to volunteer", "Log ten hours")),
    ],
}
JORDAN_PROFILE = {
    "interests": ["robotics", "soccer", "drawing"],
    "strengths": ["good at fixing things", "curious", "a good teammate"],
    "learning_preferences": [LearningPreference.HANDS_ON, LearningPreference.GROUP],
    "aspirations": "I want to design machines that help people, maybe as an engineering technician.",
    "career_clusters": ["manufacturing", "stem"],
    "postsecondary_goal": PostsecondaryGoal.TWO_YEAR,
    "postsecondary_detail": "Engineering technology at Northbrook Community College",
    "has_home_device": True,
    "has_home_internet": True,
    "transport_is_hard": False,
    "free_times": [MeetingTime.AFTER_SCHOOL, MeetingTime.WEEKENDS],
    "schedule_notes": "Soccer practice on Tuesdays and Thursdays in the fall.",
}


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


def _profile_values(rng: random.Random) -> dict[str, object]:
    said = rng.random()
    return {
        "interests": rng.sample(INTERESTS, rng.randint(2, 4)),
        "strengths": rng.sample(STRENGTHS, rng.randint(1, 3)),
        "learning_preferences": sorted(rng.sample(LearningPreference.values, rng.randint(1, 3))),
        "aspirations": rng.choice(ASPIRATIONS),
        "career_clusters": sorted(rng.sample(sorted(career_clusters.CODES), 2)),
        "postsecondary_goal": rng.choices(PostsecondaryGoal.values, weights=[40, 20, 10, 5, 10, 3, 12])[0],
        "postsecondary_detail": "",
        # About one student in ten has no device or no internet at home; some would rather not say.
        "has_home_device": None if said < 0.05 else rng.random() > 0.08,
        "has_home_internet": None if said < 0.05 else rng.random() > 0.12,
        "transport_is_hard": rng.random() < 0.15,
        "free_times": sorted(rng.sample(MeetingTime.values, rng.randint(1, 3))),
        "schedule_notes": "",
    }


def _profiles_and_plans(
    students: list[Student], *, today: datetime.date, year_start: datetime.date, rng: random.Random
) -> tuple[int, int]:
    """A learner profile with its first revision, and a success plan with a goal in each domain (two steps
    each), reviewed for most students and acknowledged by about half of the guardians."""
    now = timezone.now()
    profiles: list[LearnerProfile] = []
    for student in students:
        values = (
            JORDAN_PROFILE
            if student.user is not None and student.user.username == "student"
            else _profile_values(rng)
        )
        profiles.append(
            LearnerProfile(
                student=student,
                district_id=student.district_id,
                updated_at=now,
                updated_by=student.user,
                **values,
            )
        )
    LearnerProfile.objects.bulk_create(profiles, batch_size=500)
    LearnerProfileRevision.objects.bulk_create(
        (
            LearnerProfileRevision(
                profile=profile,
                district_id=profile.district_id,
                number=1,
                snapshot={
                    name: getattr(profile, name)
                    for name in (
                        "interests",
                        "strengths",
                        "learning_preferences",
                        "aspirations",
                        "career_clusters",
                        "postsecondary_goal",
                        "postsecondary_detail",
                        "has_home_device",
                        "has_home_internet",
                        "transport_is_hard",
                        "free_times",
                        "schedule_notes",
                    )
                },
                edited_by=profile.updated_by,
                edited_at=now,
            )
            for profile in profiles
        ),
        batch_size=500,
    )
    last_year = year_start - datetime.timedelta(days=365)
    plans = [
        SuccessPlan(
            student=student,
            district_id=student.district_id,
            created_at=timezone.make_aware(datetime.datetime.combine(last_year, datetime.time(9))),
            updated_at=now,
        )
        for student in students
    ]
    SuccessPlan.objects.bulk_create(plans, batch_size=500)
    goals: list[PlanGoal] = []
    steps: list[tuple[PlanGoal, tuple[str, str]]] = []
    for plan in plans:
        for domain, choices in GOALS.items():
            statement, milestones = rng.choice(choices)
            goal = PlanGoal(
                plan=plan,
                district_id=plan.district_id,
                domain=domain,
                statement=statement,
                target_date=datetime.date(year_start.year + 1, 5, 31),
                status=rng.choice([GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS, GoalStatus.IN_PROGRESS]),
                position=1,
                created_by=plan.student.user,
            )
            goals.append(goal)
            steps.append((goal, milestones))
    PlanGoal.objects.bulk_create(goals, batch_size=1000)
    first_step = year_start + datetime.timedelta(days=45)
    GoalMilestone.objects.bulk_create(
        (
            GoalMilestone(
                goal=goal,
                district_id=goal.district_id,
                description=description,
                target_date=first_step + datetime.timedelta(days=90 * position),
                status=MilestoneStatus.DONE
                if position == 0 and first_step < today
                else MilestoneStatus.PLANNED,
                position=position,
            )
            for goal, milestones in steps
            for position, description in enumerate(milestones)
        ),
        batch_size=1000,
    )
    advisors = dict(
        AdvisorAssignment.objects.filter(student__in=students).values_list("student_id", "advisor_id")
    )
    advisor_names = {
        user.pk: user.display_name for user in User.objects.filter(pk__in=set(advisors.values()))
    }
    review_day = min(today, year_start + datetime.timedelta(days=30))
    reviews: list[PlanReview] = []
    for plan in plans:
        advisor_id = advisors.get(plan.student_id)
        # Three in four plans were reviewed this fall; the rest are due (a year after last year's start).
        if advisor_id is not None and rng.random() < 0.75:
            reviews.append(
                PlanReview(
                    plan=plan,
                    district_id=plan.district_id,
                    reviewed_on=review_day,
                    reviewer_id=advisor_id,
                    reviewer_name=advisor_names[advisor_id],
                    notes="Goals set for the year; next check-in at the winter conference.",
                )
            )
    PlanReview.objects.bulk_create(reviews, batch_size=500)
    guardians = GuardianLink.objects.filter(student__in=students).values_list("student_id", "guardian_id")
    by_student = {plan.student_id: plan for plan in plans}
    PlanAcknowledgement.objects.bulk_create(
        (
            PlanAcknowledgement(
                plan=by_student[student_id],
                district_id=by_student[student_id].district_id,
                guardian_id=guardian_id,
                revision=1,
            )
            for student_id, guardian_id in guardians.order_by("student_id", "guardian_id")
            if rng.random() < 0.5
        ),
        batch_size=500,
    )
    return len(profiles), len(plans)


@dataclass(frozen=True)
class _PathPlan:
    status: str
    opportunity: str | None


# Per district, the paths in every state (beside Jordan's internship): (status, opportunity key).
PATH_PLANS: tuple[_PathPlan, ...] = (
    _PathPlan(PathStatus.PROPOSED, "robotics-course"),
    _PathPlan(PathStatus.PROPOSED, "food-bank"),
    _PathPlan(PathStatus.PROPOSED, None),
    _PathPlan(PathStatus.CHANGES_REQUESTED, "river-cleanup"),
    _PathPlan(PathStatus.APPROVED, "spring-musical"),
    _PathPlan(PathStatus.ACTIVE, "machining-internship"),
    _PathPlan(PathStatus.ACTIVE, "youth-orchestra"),
    _PathPlan(PathStatus.COMPLETED, "community-podcast"),
    _PathPlan(PathStatus.WITHDRAWN, "tiny-house"),
)
STEPS: dict[str, tuple[str, ...]] = {
    PathStatus.PROPOSED: (PathStatus.PROPOSED,),
    PathStatus.CHANGES_REQUESTED: (PathStatus.PROPOSED, PathStatus.CHANGES_REQUESTED),
    PathStatus.APPROVED: (PathStatus.PROPOSED, PathStatus.APPROVED),
    PathStatus.ACTIVE: (PathStatus.PROPOSED, PathStatus.APPROVED, PathStatus.ACTIVE),
    PathStatus.COMPLETED: (PathStatus.PROPOSED, PathStatus.APPROVED, PathStatus.ACTIVE, PathStatus.COMPLETED),
    PathStatus.WITHDRAWN: (PathStatus.PROPOSED, PathStatus.WITHDRAWN),
}
NOTES: dict[str, str] = {
    PathStatus.CHANGES_REQUESTED: "Say which goal this serves, and check the Saturday dates at home.",
    PathStatus.APPROVED: "Approved: a good fit with your career goal.",
    PathStatus.ACTIVE: "Started.",
    PathStatus.COMPLETED: "Completed: the final presentation showed real growth.",
    PathStatus.WITHDRAWN: "Withdrawn: the schedule clashed with a family job.",
}


def _fits(opportunity: Opportunity, grade: int) -> bool:
    return (opportunity.min_grade is None or opportunity.min_grade <= grade) and (
        opportunity.max_grade is None or grade <= opportunity.max_grade
    )


def _paths(
    entries: dict[int, _District], students: list[Student], *, today: datetime.date, year_start: datetime.date
) -> int:
    """Jordan's active internship and, in each district, paths in every state for students of the fixed
    advisor's caseload first (so `advisor` has proposals to decide), each with its history."""
    grades = dict(
        StudentEnrollment.objects.filter(student__in=students, exit_date__isnull=True).values_list(
            "student_id", "grade_level"
        )
    )
    caseload = set(
        AdvisorAssignment.objects.filter(advisor__username="advisor").values_list("student_id", flat=True)
    )
    advisors = dict(
        AdvisorAssignment.objects.filter(student__in=students).values_list("student_id", "advisor_id")
    )
    start = min(year_start, today)
    end = max(datetime.date(year_start.year + 1, 6, 15), today + datetime.timedelta(days=60))
    paths: list[PathProposal] = []
    histories: list[tuple[PathProposal, tuple[str, ...]]] = []
    goal_of: dict[int, int] = dict(
        PlanGoal.objects.filter(plan__student__in=students, domain=GoalDomain.CAREER).values_list(
            "plan__student_id", "pk"
        )
    )
    for entry in entries.values():
        pool = [s for s in students if s.district_id == entry.district.pk]
        pool.sort(key=lambda s: (s.user is None or s.user.username != "student", s.pk not in caseload, s.pk))
        jordan = pool[0] if pool and pool[0].user is not None and pool[0].user.username == "student" else None
        plans: list[tuple[Student, _PathPlan]] = []
        if jordan is not None:
            plans.append((jordan, _PathPlan(PathStatus.ACTIVE, "machining-internship")))
        candidates = [s for s in pool if s is not jordan]
        for plan in PATH_PLANS:
            opportunity = entry.opportunities.get(plan.opportunity) if plan.opportunity else None
            student = next(
                (s for s in candidates if opportunity is None or _fits(opportunity, grades.get(s.pk, 0))),
                None,
            )
            if student is None:
                continue
            candidates.remove(student)
            plans.append((student, plan))
        for student, plan in plans:
            opportunity = entry.opportunities.get(plan.opportunity) if plan.opportunity else None
            approved = plan.status in (PathStatus.APPROVED, PathStatus.ACTIVE, PathStatus.COMPLETED)
            decided = approved or plan.status == PathStatus.CHANGES_REQUESTED
            starts_on = start if plan.status != PathStatus.APPROVED else today + datetime.timedelta(days=21)
            path = PathProposal(
                student=student,
                district_id=student.district_id,
                status=plan.status,
                opportunity=opportunity,
                title="" if opportunity else "Graphic novel about my grandparents’ migration",
                question="" if opportunity else "How did my family’s journey shape who we are today?",
                texts="" if opportunity else "Family interviews; “The Arrival” by Shaun Tan; census records",
                product="" if opportunity else "A 24-page graphic novel shown at the spring exhibition",
                rationale="It matches my interests and the career goal in my success plan.",
                starts_on=starts_on,
                ends_on=max(end, starts_on)
                if plan.status != PathStatus.COMPLETED
                else start + datetime.timedelta(days=45),
                mentor=opportunity.provider.mentor if opportunity and approved else None,
                proposed_by=student.user,
                decided_by_id=advisors.get(student.pk) if decided else None,
                decided_at=timezone.now() if decided else None,
                decision_notes=NOTES.get(plan.status, "") if plan.status != PathStatus.WITHDRAWN else "",
            )
            paths.append(path)
            histories.append((path, STEPS[plan.status]))
    PathProposal.objects.bulk_create(paths)
    competencies = PathProposal.competencies.through
    competencies.objects.bulk_create(
        competencies(pathproposal_id=path.pk, competency_id=competency_id)
        for path in paths
        if path.opportunity is not None
        for competency_id in path.opportunity.competencies.values_list("pk", flat=True)
    )
    independent = [path for path in paths if path.opportunity is None]
    if independent:
        profile_codes = Competency.objects.filter(
            version__status=VersionStatus.PUBLISHED, human_code__in=["GP.CRE.2", "GP.COM.1", "ELA.WR.4"]
        )
        for path in independent:
            codes = profile_codes.filter(
                version__framework__owner_id__in=[path.district_id, path.student.district.parent_id]
            )
            path.competencies.set(codes)
    goals = PathProposal.goals.through
    goals.objects.bulk_create(
        goals(pathproposal_id=path.pk, plangoal_id=goal_of[path.student_id])
        for path in paths
        if path.student_id in goal_of
    )
    events: list[PathEvent] = []
    for path, steps in histories:
        moment = timezone.now() - datetime.timedelta(days=len(steps) * 3)
        previous = ""
        for step in steps:
            actor = (
                path.proposed_by
                if step == PathStatus.PROPOSED or step == PathStatus.WITHDRAWN
                else path.decided_by
            )
            events.append(
                PathEvent(
                    path=path,
                    district_id=path.district_id,
                    from_status=previous,
                    to_status=step,
                    actor=actor,
                    note=NOTES.get(step, "")
                    if step != PathStatus.ACTIVE
                    else "Started: its start date has come",
                    occurred_at=moment,
                )
            )
            previous = step
            moment += datetime.timedelta(days=3)
    PathEvent.objects.bulk_create(events, batch_size=500)
    return len(paths)


@transaction.atomic
def load_demo_pathways(
    *, districts: list[Organization], today: datetime.date, year_start: datetime.date
) -> dict[str, int]:
    """Load the catalog, profiles, plans and paths for the demo districts unless they are there; returns
    counts."""
    if is_loaded(districts):
        return {}
    year_end = datetime.date(year_start.year + 1, 6, 15)
    rng = random.Random(SEED)
    mentors = _mentors(districts, year_start)
    entries = _catalog(districts, mentors, year_start, year_end)
    students = list(
        Student.objects.filter(district__in=districts).select_related("user", "district").order_by("pk")
    )
    profile_count, plan_count = _profiles_and_plans(students, today=today, year_start=year_start, rng=rng)
    path_count = _paths(entries, students, today=today, year_start=year_start)
    return {
        "providers": sum(len(entry.providers) for entry in entries.values()),
        "opportunities": sum(len(entry.opportunities) for entry in entries.values()),
        "learner_profiles": profile_count,
        "success_plans": plan_count,
        "paths": path_count,
    }

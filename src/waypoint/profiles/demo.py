"""The demo districts' learner profiles and Student Success Plans: a profile with its first revision for every
student, and a plan with a goal in each domain (two milestones each) for all but a few students in each
caseload, reviewed for most students and acknowledged by about half of the guardians.

`student` (Jordan Alvarez, grade 10) likes robotics and wants to be an engineering technician.
Deterministic (a fixed seed; dates follow the current school year), written with bulk inserts, and loaded
only once.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from waypoint.catalog import career_clusters
from waypoint.catalog.models import MeetingTime
from waypoint.core.demo import DemoWorld, few_of_each_caseload
from waypoint.core.models import AdvisorAssignment, GuardianLink, Organization, Student, User
from waypoint.profiles.models import (
    GoalDomain,
    GoalMilestone,
    GoalStatus,
    LearnerProfile,
    LearnerProfileRevision,
    LearningPreference,
    MilestoneStatus,
    PlanAcknowledgement,
    PlanGoal,
    PlanReview,
    PostsecondaryGoal,
    SuccessPlan,
)

SEED = 20261126
# Where, in each advisor's caseload, the students with no success plan yet sit (one in twelve).
NO_PLAN_POSITION = 5

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


def is_loaded(districts: list[Organization]) -> bool:
    return LearnerProfile.objects.filter(district__in=districts).exists()


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
    # A few students in each caseload have no plan yet: the advisor's first thing to do for them.
    planless = few_of_each_caseload(NO_PLAN_POSITION)
    plans = [
        SuccessPlan(
            student=student,
            district_id=student.district_id,
            created_at=timezone.make_aware(datetime.datetime.combine(last_year, datetime.time(9))),
            updated_at=now,
        )
        for student in students
        if student.pk not in planless
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
        # Nine in ten plans were reviewed this fall; the rest are overdue (a year after last year's start).
        if advisor_id is not None and rng.random() < 0.9:
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
            if student_id in by_student and rng.random() < 0.5
        ),
        batch_size=500,
    )
    return len(profiles), len(plans)


@transaction.atomic
def load_demo_profiles(
    *, districts: list[Organization], today: datetime.date, year_start: datetime.date
) -> dict[str, int]:
    """Load the profiles and plans of the demo districts' students unless they are there; returns counts."""
    if is_loaded(districts):
        return {}
    students = list(
        Student.objects.filter(district__in=districts).select_related("user", "district").order_by("pk")
    )
    rng = random.Random(SEED)
    profile_count, plan_count = _profiles_and_plans(students, today=today, year_start=year_start, rng=rng)
    return {"learner_profiles": profile_count, "success_plans": plan_count}


def load_demo(world: DemoWorld) -> dict[str, int]:
    """The profiles part of the demo (registered on ProfilesConfig as its `demo_loader`)."""
    return load_demo_profiles(districts=world.districts, today=world.today, year_start=world.year_start)

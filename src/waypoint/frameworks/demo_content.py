"""The demo competency frameworks, proficiency scale and rubrics, as plain data (no Django).

A district Graduate Profile of transferable skills, four content frameworks (mathematics, ELA, science,
social studies) and one CTE career cluster (Health Science), for grades 6-12. Every competency and performance
indicator has a teacher statement and the same expectation in student-accessible language ("I can ..."),
as the Connecticut white paper asks of rubrics. Loaders turn this into framework versions; tests check its
invariants.

Sources of the wording: Common Core alignments use only human codes present in the 2017 OpenSALT CASE exports
(../shared/data/case/); science follows the NGSS practices and disciplinary core ideas; social studies follows
the C3 inquiry arc of the Connecticut Social Studies Frameworks; Health Science follows the National Health
Science Standards. The statements themselves are written for this demo, not copied from those documents.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTENT = "content"
TRANSFERABLE_SKILL = "transferable_skill"
CAREER = "career"
KINDS: tuple[str, ...] = (CONTENT, TRANSFERABLE_SKILL, CAREER)

# CASE educationLevel codes.
_MS: tuple[str, ...] = ("06", "07", "08")
_HS: tuple[str, ...] = ("09", "10", "11", "12")
_ALL: tuple[str, ...] = _MS + _HS
_6_7: tuple[str, ...] = ("06", "07")
_7_12: tuple[str, ...] = ("07", "08", *_HS)
_8_12: tuple[str, ...] = ("08", *_HS)


@dataclass(frozen=True)
class DemoIndicator:
    """A performance indicator: one measurable part of a competency."""

    code: str
    statement: str
    student_statement: str


@dataclass(frozen=True)
class DemoCompetency:
    code: str
    statement: str
    student_statement: str
    kind: str
    education_levels: tuple[str, ...]
    indicators: tuple[DemoIndicator, ...]
    aligned_ccss_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoDomain:
    code: str
    title: str
    statement: str
    student_statement: str
    competencies: tuple[DemoCompetency, ...]


@dataclass(frozen=True)
class DemoFramework:
    key: str
    title: str
    subject: str
    description: str
    domains: tuple[DemoDomain, ...]


@dataclass(frozen=True)
class DemoRubricCell:
    level_value: int
    description: str
    student_description: str


@dataclass(frozen=True)
class DemoRubricCriterion:
    competency_code: str
    title: str
    cells: tuple[DemoRubricCell, ...]


@dataclass(frozen=True)
class DemoRubric:
    title: str
    description: str
    criteria: tuple[DemoRubricCriterion, ...]


DEFAULT_SCALE: tuple[tuple[int, str, str, str, bool], ...] = (
    (
        1,
        "Beginning",
        "Shows initial understanding of the competency; needs substantial support to demonstrate its "
        "indicators.",
        "I am just starting to learn this and need a lot of help.",
        False,
    ),
    (
        2,
        "Developing",
        "Demonstrates some indicators of the competency, inconsistently or with support.",
        "I can do some of this, some of the time, or with help.",
        False,
    ),
    (
        3,
        "Proficient",
        "Independently and consistently demonstrates the competency and all of its indicators; meets the "
        "mastery standard.",
        "I can do all of this on my own, every time. I have mastered it.",
        True,
    ),
    (
        4,
        "Advanced",
        "Demonstrates the competency independently in complex or unfamiliar situations and transfers it "
        "beyond the expected level.",
        "I can do this on my own in new and harder situations, and I could teach it to someone else.",
        True,
    ),
)


# ------------------------------------------------------------------------------------------------------------
# Graduate Profile (transferable skills)
# ------------------------------------------------------------------------------------------------------------

_GP_COMMUNICATION = DemoDomain(
    code="GP.COM",
    title="Effective Communication",
    statement="Communicate clearly and purposefully with varied audiences in writing, in speech, and through "
    "media.",
    student_statement="I can share my ideas clearly in writing, in speaking, and with media so different "
    "audiences understand me.",
    competencies=(
        DemoCompetency(
            code="GP.COM.1",
            statement="Write clearly and purposefully for a defined audience, organizing ideas logically and "
            "supporting them with relevant evidence.",
            student_statement="I can write for a certain reader, put my ideas in a clear order, and back "
            "them up with evidence.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.COM.1.a",
                    "Identify the purpose and audience of a piece of writing and choose content, format, and "
                    "tone to match.",
                    "I can tell who I am writing for and why, and pick words and a format that fit.",
                ),
                DemoIndicator(
                    "GP.COM.1.b",
                    "Organize ideas with a clear introduction, a logically sequenced body, transitions, and "
                    "a conclusion.",
                    "I can organize my writing with a clear beginning, middle, and end, and use linking "
                    "words between ideas.",
                ),
                DemoIndicator(
                    "GP.COM.1.c",
                    "Support each main point with accurate, relevant evidence and explain how the evidence "
                    "supports it.",
                    "I can back up each main point with facts or examples and explain how they prove my "
                    "point.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.COM.2",
            statement="Deliver spoken presentations that are organized, suited to the audience, and "
            "supported by purposeful visuals or media.",
            student_statement="I can give a talk that is well organized, fits my audience, and uses visuals "
            "that help people understand.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.COM.2.a",
                    "Structure a presentation around a clear central message with a logical sequence of "
                    "supporting points.",
                    "I can plan my talk around one main message and put my points in an order that makes "
                    "sense.",
                ),
                DemoIndicator(
                    "GP.COM.2.b",
                    "Use volume, pace, eye contact, and gesture to keep the audience engaged and the message "
                    "clear.",
                    "I can speak loudly and slowly enough, look at my audience, and use gestures to help "
                    "them follow.",
                ),
                DemoIndicator(
                    "GP.COM.2.c",
                    "Design visuals and media that clarify information rather than repeat or distract from "
                    "the spoken message.",
                    "I can make slides or visuals that help explain my ideas instead of just repeating my "
                    "words.",
                ),
                DemoIndicator(
                    "GP.COM.2.d",
                    "Respond to audience questions accurately and adjust explanations when listeners are "
                    "confused.",
                    "I can answer questions from my audience and explain things another way when someone is "
                    "confused.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.COM.3",
            statement="Listen actively and interpret messages from speakers and media, distinguishing fact "
            "from opinion and recognizing purpose and bias.",
            student_statement="I can listen carefully and figure out what a speaker or video really means, "
            "including what is fact and what is opinion.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.COM.3.a",
                    "Paraphrase a speaker's main ideas accurately and ask clarifying questions.",
                    "I can say a speaker's main ideas in my own words and ask questions when I am not sure.",
                ),
                DemoIndicator(
                    "GP.COM.3.b",
                    "Distinguish facts, opinions, and claims in spoken and media messages and identify the "
                    "intended audience and purpose.",
                    "I can tell facts from opinions in what I hear or watch, and figure out who it was made "
                    "for and why.",
                ),
            ),
        ),
    ),
)

_GP_CRITICAL_THINKING = DemoDomain(
    code="GP.CTP",
    title="Critical Thinking & Problem Solving",
    statement="Analyze problems, evaluate information and evidence, and reason toward well-supported "
    "solutions and conclusions.",
    student_statement="I can work through problems, check whether information is trustworthy, and reach "
    "conclusions I can back up.",
    competencies=(
        DemoCompetency(
            code="GP.CTP.1",
            statement="Define a complex or open-ended problem, identify what is known and unknown, and plan "
            "a strategy to solve it.",
            student_statement="I can explain what a hard problem is really asking, list what I know and what "
            "I need to find out, and make a plan.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CTP.1.a",
                    "Restate a problem in one's own words, identifying goals, constraints, and the "
                    "information still needed.",
                    "I can explain a problem in my own words, including the goal, the limits, and what I "
                    "still need to find out.",
                ),
                DemoIndicator(
                    "GP.CTP.1.b",
                    "Break a complex problem into manageable parts and select an appropriate strategy or "
                    "tool for each.",
                    "I can split a big problem into smaller steps and choose a good strategy or tool for "
                    "each step.",
                ),
                DemoIndicator(
                    "GP.CTP.1.c",
                    "Monitor progress while solving, recognize when a strategy is not working, and revise "
                    "the approach.",
                    "I can notice when my plan is not working and change my approach.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.CTP.2",
            statement="Evaluate the credibility, relevance, and sufficiency of information and evidence from "
            "multiple sources.",
            student_statement="I can check whether information is believable, on topic, and enough to prove "
            "something.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CTP.2.a",
                    "Assess the credibility of a source by examining its author, purpose, date, evidence, "
                    "and possible bias.",
                    "I can check who made a source, why and when they made it, and whether it might be "
                    "one-sided.",
                ),
                DemoIndicator(
                    "GP.CTP.2.b",
                    "Corroborate claims by comparing multiple independent sources and explain where and why "
                    "they disagree.",
                    "I can compare several sources to see if they agree, and explain why they might not.",
                ),
                DemoIndicator(
                    "GP.CTP.2.c",
                    "Identify flaws in reasoning such as overgeneralization, false cause, and selectively "
                    "chosen data.",
                    "I can spot weak thinking, like jumping to a conclusion from too little evidence or "
                    "deciding that one thing caused another just because it happened first.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.CTP.3",
            statement="Draw and justify conclusions, weighing alternatives and acknowledging uncertainty and "
            "limitations.",
            student_statement="I can reach a conclusion, explain why it is the best one, and say what I am "
            "still not sure about.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CTP.3.a",
                    "Generate and compare at least two possible solutions or explanations using explicit "
                    "criteria.",
                    "I can come up with more than one possible answer and compare them using clear rules.",
                ),
                DemoIndicator(
                    "GP.CTP.3.b",
                    "Justify a conclusion with reasoning that connects evidence to the claim and addresses "
                    "counterarguments.",
                    "I can explain how my evidence leads to my conclusion and answer people who disagree.",
                ),
                DemoIndicator(
                    "GP.CTP.3.c",
                    "State the limitations of a conclusion and identify what further information could "
                    "change it.",
                    "I can explain what my conclusion does not cover and what new facts could change my "
                    "mind.",
                ),
            ),
        ),
    ),
)

_GP_CREATIVITY = DemoDomain(
    code="GP.CRE",
    title="Creativity & Innovation",
    statement="Generate original ideas, take informed creative risks, and refine ideas into products or "
    "solutions that add value for others.",
    student_statement="I can come up with new ideas, try them out, and improve them into something useful "
    "for other people.",
    competencies=(
        DemoCompetency(
            code="GP.CRE.1",
            statement="Generate a wide range of original ideas and build on the ideas of others.",
            student_statement="I can come up with many different ideas and build on other people's ideas.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CRE.1.a",
                    "Use idea-generation techniques such as brainstorming, sketching, mind-mapping, and "
                    "'what if' questioning to produce many possibilities before choosing one.",
                    "I can use brainstorming, sketching, or 'what if' questions to come up with many ideas "
                    "before I pick one.",
                ),
                DemoIndicator(
                    "GP.CRE.1.b",
                    "Combine, adapt, or transfer ideas from other fields or contexts to create novel "
                    "approaches.",
                    "I can mix or borrow ideas from other subjects or places to make something new.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.CRE.2",
            statement="Develop, test, and refine ideas through prototyping, feedback, and iteration.",
            student_statement="I can build a first version of my idea, test it, get feedback, and keep "
            "making it better.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CRE.2.a",
                    "Build a prototype, model, or draft that makes an idea testable.",
                    "I can make a model, sketch, or first draft so I can test my idea.",
                ),
                DemoIndicator(
                    "GP.CRE.2.b",
                    "Seek and use feedback from users, peers, or experts to improve a design, and document "
                    "each revision.",
                    "I can ask people for feedback, use it to improve my work, and keep a record of what I "
                    "changed.",
                ),
                DemoIndicator(
                    "GP.CRE.2.c",
                    "Treat failure as information, identifying what went wrong and what to try next.",
                    "I can look at what went wrong when something fails and use it to decide what to try "
                    "next.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.CRE.3",
            statement="Communicate and implement innovative ideas so that they have a real-world impact.",
            student_statement="I can share my new ideas and put them into action so they make a difference.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CRE.3.a",
                    "Explain an idea's value to a specific audience, including the need it meets and how it "
                    "improves on existing solutions.",
                    "I can explain why my idea matters, what problem it solves, and how it is better than "
                    "what already exists.",
                ),
                DemoIndicator(
                    "GP.CRE.3.b",
                    "Plan the resources, steps, and timeline needed to bring an idea to a real audience or "
                    "user.",
                    "I can plan the materials, steps, and time I need to get my idea to real people.",
                ),
            ),
        ),
    ),
)

_GP_COLLABORATION = DemoDomain(
    code="GP.COL",
    title="Collaboration",
    statement="Work effectively and respectfully with diverse teams toward shared goals, sharing "
    "responsibility for the team's work.",
    student_statement="I can work well with different people on a team, do my share, and help the team reach "
    "its goal.",
    competencies=(
        DemoCompetency(
            code="GP.COL.1",
            statement="Contribute reliably to team goals by fulfilling an agreed role and completing "
            "assigned tasks on time.",
            student_statement="I can do my part on a team and finish my jobs on time.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.COL.1.a",
                    "Help set team goals, roles, norms, and a timeline at the start of shared work.",
                    "I can help my team agree on goals, jobs, rules, and a schedule at the start.",
                ),
                DemoIndicator(
                    "GP.COL.1.b",
                    "Complete individual commitments on time and at a quality the team can build on.",
                    "I can finish what I promised my team, on time and done well.",
                ),
                DemoIndicator(
                    "GP.COL.1.c",
                    "Monitor the team's progress against its timeline and help redistribute work when "
                    "someone is stuck or behind.",
                    "I can check how my team is doing and help shift the work when someone is stuck or "
                    "behind.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.COL.2",
            statement="Communicate respectfully and productively within a team, including across differences "
            "in background and perspective.",
            student_statement="I can talk and listen respectfully with teammates, even when we are different "
            "or disagree.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.COL.2.a",
                    "Invite and build on the contributions of every team member, including quieter members "
                    "and differing perspectives.",
                    "I can ask every teammate for their ideas, including quiet teammates, and build on them.",
                ),
                DemoIndicator(
                    "GP.COL.2.b",
                    "Give specific, respectful, and useful feedback to teammates and accept feedback without "
                    "defensiveness.",
                    "I can give teammates feedback that is specific, kind, and helpful, and I can take "
                    "feedback without getting upset.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.COL.3",
            statement="Resolve disagreements constructively and use fair processes to reach team decisions.",
            student_statement="I can help my team work through disagreements and make decisions in a fair "
            "way.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.COL.3.a",
                    "Describe a disagreement in terms of interests and evidence rather than personalities.",
                    "I can talk about a disagreement by focusing on ideas and facts, not on people.",
                ),
                DemoIndicator(
                    "GP.COL.3.b",
                    "Use a fair decision-making process, such as criteria-based ranking or consensus, and "
                    "support the decision once it is made.",
                    "I can use a fair way to decide, like voting or ranking ideas, and then support what the "
                    "team decided.",
                ),
            ),
        ),
    ),
)

_GP_CITIZENSHIP = DemoDomain(
    code="GP.CIV",
    title="Citizenship & Civic Engagement",
    statement="Understand how communities and governments work and participate responsibly and ethically in "
    "civic life, locally and globally.",
    student_statement="I can understand how communities and governments work and take part in making my "
    "community better.",
    competencies=(
        DemoCompetency(
            code="GP.CIV.1",
            statement="Investigate a community issue, considering multiple perspectives and the roles of "
            "government, organizations, and individuals.",
            student_statement="I can research a problem in my community and understand how different people "
            "see it.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CIV.1.a",
                    "Identify a local or global issue and research its causes, its effects, and the people "
                    "it affects.",
                    "I can pick an issue in my community or the world and find out what causes it and who it "
                    "affects.",
                ),
                DemoIndicator(
                    "GP.CIV.1.b",
                    "Describe the perspectives of different stakeholders on an issue, including perspectives "
                    "unlike one's own.",
                    "I can explain how different groups of people see an issue, even when they see it "
                    "differently than I do.",
                ),
                DemoIndicator(
                    "GP.CIV.1.c",
                    "Identify which institutions, officials, or organizations have the authority or capacity "
                    "to address the issue.",
                    "I can figure out which leaders, government offices, or groups have the power to fix the "
                    "issue.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.CIV.2",
            statement="Take informed, responsible action on a public issue and reflect on its impact.",
            student_statement="I can take action on an issue I care about and think about what difference it "
            "made.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CIV.2.a",
                    "Plan and carry out a civic action, such as a letter to an official, public testimony, a "
                    "service project, or an awareness campaign.",
                    "I can plan and do something about an issue, like writing to a leader, speaking at a "
                    "meeting, or running a service project.",
                ),
                DemoIndicator(
                    "GP.CIV.2.b",
                    "Evaluate the results of a civic action and identify next steps.",
                    "I can look at what my action changed and decide what to do next.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.CIV.3",
            statement="Act ethically and with respect for the rights, dignity, and safety of others, in "
            "person and online.",
            student_statement="I can treat others with respect and make responsible choices, in person and "
            "online.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.CIV.3.a",
                    "Explain the rights and responsibilities of individuals in a democracy, including free "
                    "expression and respect for the rights of others.",
                    "I can explain my rights and my responsibilities, like speaking freely while respecting "
                    "other people's rights.",
                ),
                DemoIndicator(
                    "GP.CIV.3.b",
                    "Practice responsible digital citizenship: protect privacy, credit creators, and respond "
                    "to online harm.",
                    "I can protect my own and other people's privacy online, give credit to creators, and "
                    "speak up about online bullying.",
                ),
            ),
        ),
    ),
)

_GP_SELF_DIRECTION = DemoDomain(
    code="GP.SD",
    title="Self-Direction",
    statement="Take ownership of learning by setting goals, managing time and resources, persisting through "
    "challenges, and reflecting on growth.",
    student_statement="I can take charge of my learning by setting goals, managing my time, sticking with "
    "hard work, and thinking about how I am growing.",
    competencies=(
        DemoCompetency(
            code="GP.SD.1",
            statement="Set meaningful learning and career goals and plan the steps to reach them.",
            student_statement="I can set goals for school and my future and plan the steps to reach them.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.SD.1.a",
                    "Write specific, measurable goals in the Student Success Plan connected to interests, "
                    "strengths, and aspirations.",
                    "I can write clear goals in my Student Success Plan that connect to what I like and what "
                    "I am good at.",
                ),
                DemoIndicator(
                    "GP.SD.1.b",
                    "Break goals into milestones with target dates and identify the resources and people who "
                    "can help.",
                    "I can break a goal into smaller steps with due dates and name the people and tools that "
                    "can help me.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.SD.2",
            statement="Manage time, tasks, and resources to meet commitments and deadlines with increasing "
            "independence.",
            student_statement="I can manage my time and tasks so I meet deadlines without someone reminding "
            "me.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.SD.2.a",
                    "Use a planner or digital tool to prioritize tasks and schedule work on long-term "
                    "assignments.",
                    "I can use a planner or an app to decide what to do first and to plan big projects.",
                ),
                DemoIndicator(
                    "GP.SD.2.b",
                    "Recognize when help is needed and seek it from appropriate people or resources in time "
                    "to make a difference.",
                    "I can tell when I need help and ask for it early enough that it actually helps.",
                ),
            ),
        ),
        DemoCompetency(
            code="GP.SD.3",
            statement="Monitor and reflect on one's own learning, use feedback to improve, and persist "
            "through setbacks.",
            student_statement="I can keep track of my learning, use feedback to get better, and keep going "
            "when things get hard.",
            kind=TRANSFERABLE_SKILL,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "GP.SD.3.a",
                    "Self-assess work against rubric criteria using evidence from the work and identify "
                    "specific next steps.",
                    "I can check my own work against a rubric and name exactly what to do next.",
                ),
                DemoIndicator(
                    "GP.SD.3.b",
                    "Revise work in response to feedback and explain what changed and why.",
                    "I can improve my work using feedback and explain what I changed and why.",
                ),
                DemoIndicator(
                    "GP.SD.3.c",
                    "Persist through difficult tasks using strategies such as breaking the task down, trying "
                    "a new approach, or managing frustration.",
                    "I can keep working when a task is hard by breaking it down, trying a new way, or "
                    "calming down when I feel frustrated.",
                ),
            ),
        ),
    ),
)

GRADUATE_PROFILE = DemoFramework(
    key="graduate-profile",
    title="Graduate Profile",
    subject="Transferable skills",
    description="The district's vision of a graduate: six transferable skills every student develops and "
    "demonstrates across courses, internships, projects, and the Senior Demonstration Project, from grade 6 "
    "through graduation.",
    domains=(
        _GP_COMMUNICATION,
        _GP_CRITICAL_THINKING,
        _GP_CREATIVITY,
        _GP_COLLABORATION,
        _GP_CITIZENSHIP,
        _GP_SELF_DIRECTION,
    ),
)


# ------------------------------------------------------------------------------------------------------------
# Mathematics (aligned to CCSS Math human codes)
# ------------------------------------------------------------------------------------------------------------

_MATH_NUMBER = DemoDomain(
    code="MATH.NQ",
    title="Number & Quantity",
    statement="Reason with rational and irrational numbers, ratios, rates, and units to solve real-world and "
    "mathematical problems.",
    student_statement="I can work with all kinds of numbers, ratios, and units to solve real problems.",
    competencies=(
        DemoCompetency(
            code="MATH.NQ.1",
            statement="Compute with rational numbers, including negative numbers, fractions, and decimals, "
            "and use them to solve real-world problems.",
            student_statement="I can add, subtract, multiply, and divide positive and negative numbers, "
            "fractions, and decimals to solve real problems.",
            kind=CONTENT,
            education_levels=_6_7,
            aligned_ccss_codes=(
                "CCSS.Math.Content.6.NS.C.7",
                "CCSS.Math.Content.7.NS.A.1",
                "CCSS.Math.Content.7.NS.A.2",
                "CCSS.Math.Content.7.NS.A.3",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.NQ.1.a",
                    "Order rational numbers on a number line and interpret absolute value as distance from "
                    "zero in a real-world context.",
                    "I can put positive and negative numbers in order on a number line and explain absolute "
                    "value as distance from zero.",
                ),
                DemoIndicator(
                    "MATH.NQ.1.b",
                    "Add, subtract, multiply, and divide rational numbers fluently, explaining the sign "
                    "rules with number lines or properties of operations.",
                    "I can add, subtract, multiply, and divide with negative numbers and explain why the "
                    "sign rules work.",
                ),
                DemoIndicator(
                    "MATH.NQ.1.c",
                    "Solve multi-step real-world problems with rational numbers and check the reasonableness "
                    "of answers by estimation.",
                    "I can solve word problems with several steps using fractions, decimals, and negative "
                    "numbers, and estimate to check my answer.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.NQ.2",
            statement="Use ratio, rate, and proportional reasoning to solve multi-step problems, including "
            "percent problems.",
            student_statement="I can use ratios, rates, and percents to solve problems with more than one "
            "step.",
            kind=CONTENT,
            education_levels=_6_7,
            aligned_ccss_codes=(
                "CCSS.Math.Content.6.RP.A.3",
                "CCSS.Math.Content.7.RP.A.2",
                "CCSS.Math.Content.7.RP.A.3",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.NQ.2.a",
                    "Find and interpret unit rates, including unit prices and constant speeds, using tables, "
                    "double number lines, or equations.",
                    "I can find a unit rate, like the price of one item or miles per hour, and explain what "
                    "it means.",
                ),
                DemoIndicator(
                    "MATH.NQ.2.b",
                    "Decide whether two quantities are proportional and identify the constant of "
                    "proportionality in tables, graphs, equations, and diagrams.",
                    "I can tell if two amounts grow at the same rate and find the number that connects them "
                    "in a table, graph, or equation.",
                ),
                DemoIndicator(
                    "MATH.NQ.2.c",
                    "Solve multi-step percent problems, including tax, tips, discounts, markups, percent "
                    "increase and decrease, and percent error.",
                    "I can solve percent problems about tax, tips, sales, and how much something went up or "
                    "down.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.NQ.3",
            statement="Reason quantitatively with units, exponents, and irrational numbers, choosing a level "
            "of accuracy appropriate to the context.",
            student_statement="I can use units, exponents, and square roots correctly, and round my answers "
            "in a way that makes sense for the situation.",
            kind=CONTENT,
            education_levels=_8_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.8.EE.A.1",
                "CCSS.Math.Content.8.NS.A.2",
                "CCSS.Math.Content.HSN-RN.A.2",
                "CCSS.Math.Content.HSN-Q.A.1",
                "CCSS.Math.Content.HSN-Q.A.3",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.NQ.3.a",
                    "Use units to interpret problems and guide multi-step solutions, converting units and "
                    "tracking them through formulas.",
                    "I can use units, like meters or dollars per hour, to guide my work and to convert from "
                    "one unit to another.",
                ),
                DemoIndicator(
                    "MATH.NQ.3.b",
                    "Apply the properties of integer and rational exponents to rewrite and evaluate "
                    "expressions, including radicals.",
                    "I can use exponent rules to rewrite and simplify expressions, including square roots.",
                ),
                DemoIndicator(
                    "MATH.NQ.3.c",
                    "Approximate irrational numbers with rational numbers and report quantities with a "
                    "precision suited to the measurement.",
                    "I can estimate numbers like the square root of 2 or pi, and round answers to a sensible "
                    "number of digits.",
                ),
            ),
        ),
    ),
)

_MATH_ALGEBRA = DemoDomain(
    code="MATH.ALG",
    title="Algebra",
    statement="Write, interpret, and transform expressions, and create and solve equations, inequalities, "
    "and systems that represent relationships between quantities.",
    student_statement="I can write and solve equations and inequalities that describe real situations.",
    competencies=(
        DemoCompetency(
            code="MATH.ALG.1",
            statement="Write, interpret, and rewrite algebraic expressions in equivalent forms to reveal "
            "information about a context.",
            student_statement="I can write expressions with variables, explain what each part means, and "
            "rewrite them in forms that tell me something useful.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=(
                "CCSS.Math.Content.6.EE.A.2",
                "CCSS.Math.Content.7.EE.A.1",
                "CCSS.Math.Content.HSA-SSE.A.1",
                "CCSS.Math.Content.HSA-SSE.B.3",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.ALG.1.a",
                    "Write expressions with variables to represent quantities in a context and interpret "
                    "their terms, factors, and coefficients.",
                    "I can write an expression with variables for a real situation and explain what each "
                    "part stands for.",
                ),
                DemoIndicator(
                    "MATH.ALG.1.b",
                    "Use properties of operations to expand, factor, and combine like terms to generate "
                    "equivalent expressions.",
                    "I can expand, factor, and combine like terms to make an expression that is equal but "
                    "looks different.",
                ),
                DemoIndicator(
                    "MATH.ALG.1.c",
                    "Choose an equivalent form, such as factored or vertex form, to reveal properties like "
                    "zeros or a maximum value.",
                    "I can pick the form of an expression that shows what I need, like where a graph crosses "
                    "zero or its highest point.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.ALG.2",
            statement="Solve linear equations and inequalities in one variable and quadratic equations, "
            "justifying each step.",
            student_statement="I can solve equations and inequalities and explain why each step works.",
            kind=CONTENT,
            education_levels=_7_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.7.EE.B.4",
                "CCSS.Math.Content.8.EE.C.7",
                "CCSS.Math.Content.HSA-REI.A.1",
                "CCSS.Math.Content.HSA-REI.B.3",
                "CCSS.Math.Content.HSA-REI.B.4",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.ALG.2.a",
                    "Solve multi-step linear equations with rational coefficients, including equations that "
                    "require the distributive property and collecting like terms.",
                    "I can solve equations with several steps, including ones with fractions and "
                    "parentheses.",
                ),
                DemoIndicator(
                    "MATH.ALG.2.b",
                    "Determine whether a linear equation has one solution, no solution, or infinitely many "
                    "solutions.",
                    "I can tell when an equation has one answer, no answer, or infinitely many answers.",
                ),
                DemoIndicator(
                    "MATH.ALG.2.c",
                    "Solve and graph linear inequalities and interpret the solution set in context.",
                    "I can solve an inequality, graph it, and explain what the answers mean in the "
                    "situation.",
                ),
                DemoIndicator(
                    "MATH.ALG.2.d",
                    "Solve quadratic equations by inspection, factoring, completing the square, and the "
                    "quadratic formula, choosing an efficient method.",
                    "I can solve quadratic equations in different ways and pick the quickest way for each "
                    "one.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.ALG.3",
            statement="Create equations, inequalities, and systems that model situations, and interpret "
            "solutions as viable or nonviable.",
            student_statement="I can write equations and systems of equations that describe a real situation "
            "and decide whether an answer makes sense.",
            kind=CONTENT,
            education_levels=_8_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.8.EE.C.8",
                "CCSS.Math.Content.HSA-CED.A.1",
                "CCSS.Math.Content.HSA-CED.A.3",
                "CCSS.Math.Content.HSA-REI.C.6",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.ALG.3.a",
                    "Create equations and inequalities in one variable from a context and use them to solve "
                    "problems.",
                    "I can turn a word problem into an equation or inequality and solve it.",
                ),
                DemoIndicator(
                    "MATH.ALG.3.b",
                    "Represent constraints with systems of equations or inequalities and solve the systems "
                    "algebraically and graphically.",
                    "I can write a system of equations for a situation with more than one condition and "
                    "solve it with algebra or a graph.",
                ),
                DemoIndicator(
                    "MATH.ALG.3.c",
                    "Interpret solutions in context, rejecting those that are not viable, such as negative "
                    "lengths or fractional numbers of people.",
                    "I can check whether an answer makes sense in real life, like not having a negative "
                    "length or half a person.",
                ),
            ),
        ),
    ),
)

_MATH_FUNCTIONS = DemoDomain(
    code="MATH.FUN",
    title="Functions",
    statement="Understand functions as relationships between quantities; represent, interpret, and compare "
    "them; and use linear, quadratic, and exponential functions to model change.",
    student_statement="I can use functions to describe how one amount changes with another, and show it with "
    "graphs, tables, and equations.",
    competencies=(
        DemoCompetency(
            code="MATH.FUN.1",
            statement="Understand the concept of a function and interpret key features of functions in "
            "context.",
            student_statement="I can explain what a function is and what the parts of its graph or table "
            "mean in a real situation.",
            kind=CONTENT,
            education_levels=_8_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.8.F.A.1",
                "CCSS.Math.Content.HSF-IF.A.2",
                "CCSS.Math.Content.HSF-IF.B.4",
                "CCSS.Math.Content.HSF-IF.B.6",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.FUN.1.a",
                    "Determine whether a relation is a function and use function notation to evaluate and "
                    "interpret inputs and outputs in context.",
                    "I can tell whether a relationship is a function and use f(x) notation to find and "
                    "explain outputs.",
                ),
                DemoIndicator(
                    "MATH.FUN.1.b",
                    "Interpret intercepts, intervals of increase and decrease, maximums and minimums, and "
                    "end behavior in terms of the quantities.",
                    "I can explain what the starting value, the high and low points, and the rising and "
                    "falling parts of a graph mean in a real situation.",
                ),
                DemoIndicator(
                    "MATH.FUN.1.c",
                    "Calculate and interpret the average rate of change over an interval from an equation, a "
                    "table, or a graph.",
                    "I can find how fast something changes over an interval and explain what that rate "
                    "means.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.FUN.2",
            statement="Represent functions with equations, tables, graphs, and verbal descriptions, and "
            "compare functions represented in different ways.",
            student_statement="I can show a function as an equation, a table, a graph, or in words, and "
            "compare two functions shown in different ways.",
            kind=CONTENT,
            education_levels=_8_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.8.F.A.2",
                "CCSS.Math.Content.8.F.B.4",
                "CCSS.Math.Content.HSF-IF.C.7",
                "CCSS.Math.Content.HSF-IF.C.9",
                "CCSS.Math.Content.HSF-BF.A.1",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.FUN.2.a",
                    "Construct a function from a verbal description, a table, or two input-output pairs.",
                    "I can write a function rule from a description, a table, or two points.",
                ),
                DemoIndicator(
                    "MATH.FUN.2.b",
                    "Graph linear, quadratic, and exponential functions by hand and with technology, showing "
                    "intercepts, maximums and minimums, and end behavior.",
                    "I can graph different kinds of functions by hand and with technology and label their "
                    "important points.",
                ),
                DemoIndicator(
                    "MATH.FUN.2.c",
                    "Compare properties of two functions each represented differently, such as one by a "
                    "table and one by an equation.",
                    "I can compare two functions even when one is a table and the other is an equation or a "
                    "graph.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.FUN.3",
            statement="Construct and compare linear and exponential models and interpret their parameters in "
            "context.",
            student_statement="I can tell whether a situation grows by adding or by multiplying, and write "
            "and explain a function for it.",
            kind=CONTENT,
            education_levels=_HS,
            aligned_ccss_codes=(
                "CCSS.Math.Content.HSF-LE.A.1",
                "CCSS.Math.Content.HSF-LE.A.2",
                "CCSS.Math.Content.HSF-LE.A.3",
                "CCSS.Math.Content.HSF-LE.B.5",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.FUN.3.a",
                    "Distinguish situations that change by equal differences over equal intervals (linear) "
                    "from those that change by equal factors (exponential).",
                    "I can tell if something grows by adding the same amount each time or by multiplying by "
                    "the same number each time.",
                ),
                DemoIndicator(
                    "MATH.FUN.3.b",
                    "Build linear and exponential functions, including arithmetic and geometric sequences, "
                    "from graphs, tables, or descriptions.",
                    "I can write linear and exponential functions, and number patterns, from a graph, a "
                    "table, or a story.",
                ),
                DemoIndicator(
                    "MATH.FUN.3.c",
                    "Interpret the slope, initial value, and growth or decay factor of a model in context, "
                    "and explain why an exponential quantity eventually exceeds a linear one.",
                    "I can explain what the starting value and the rate mean in my model, and why "
                    "exponential growth always passes linear growth in the end.",
                ),
            ),
        ),
    ),
)

_MATH_GEOMETRY = DemoDomain(
    code="MATH.GEO",
    title="Geometry",
    statement="Reason about figures, transformations, measurement, and right triangles to solve problems and "
    "justify geometric relationships.",
    student_statement="I can use shapes, moves like slides and turns, measurement, and triangles to solve "
    "problems and explain why things are true.",
    competencies=(
        DemoCompetency(
            code="MATH.GEO.1",
            statement="Use rigid motions and dilations to establish congruence and similarity and to prove "
            "geometric relationships.",
            student_statement="I can use slides, flips, turns, and resizing to show that shapes are the same "
            "or similar, and explain why.",
            kind=CONTENT,
            education_levels=_8_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.8.G.A.2",
                "CCSS.Math.Content.8.G.A.4",
                "CCSS.Math.Content.HSG-CO.B.6",
                "CCSS.Math.Content.HSG-SRT.A.2",
                "CCSS.Math.Content.HSG-SRT.B.5",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.GEO.1.a",
                    "Describe and perform sequences of translations, reflections, rotations, and dilations, "
                    "including in the coordinate plane.",
                    "I can slide, flip, turn, and resize shapes, including on a coordinate grid, and "
                    "describe the steps.",
                ),
                DemoIndicator(
                    "MATH.GEO.1.b",
                    "Decide whether two figures are congruent or similar using transformations and justify "
                    "the decision.",
                    "I can decide whether two shapes are exactly alike or the same shape in a different "
                    "size, and prove it with moves.",
                ),
                DemoIndicator(
                    "MATH.GEO.1.c",
                    "Use triangle congruence and similarity criteria to solve problems and prove "
                    "relationships in geometric figures.",
                    "I can use triangle rules like SAS and AA to find missing parts and prove things about "
                    "shapes.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.GEO.2",
            statement="Solve real-world problems involving area, surface area, volume, and the Pythagorean "
            "Theorem.",
            student_statement="I can find area, surface area, and volume, and use the Pythagorean Theorem to "
            "solve real problems.",
            kind=CONTENT,
            education_levels=_7_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.7.G.B.6",
                "CCSS.Math.Content.8.G.B.7",
                "CCSS.Math.Content.8.G.C.9",
                "CCSS.Math.Content.HSG-GMD.A.3",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.GEO.2.a",
                    "Compute the area and surface area of composite two- and three-dimensional figures.",
                    "I can find the area and surface area of shapes made of simpler shapes.",
                ),
                DemoIndicator(
                    "MATH.GEO.2.b",
                    "Apply volume formulas for prisms, cylinders, pyramids, cones, and spheres to solve "
                    "design and capacity problems.",
                    "I can use volume formulas for prisms, cylinders, cones, and spheres to figure out how "
                    "much something holds.",
                ),
                DemoIndicator(
                    "MATH.GEO.2.c",
                    "Apply the Pythagorean Theorem to find unknown lengths and distances in two and three "
                    "dimensions.",
                    "I can use the Pythagorean Theorem to find a missing side or a distance, even in 3D.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.GEO.3",
            statement="Use right-triangle trigonometry and geometric modeling to solve applied problems.",
            student_statement="I can use sine, cosine, tangent, and shape models to solve real problems.",
            kind=CONTENT,
            education_levels=_HS,
            aligned_ccss_codes=(
                "CCSS.Math.Content.HSG-SRT.C.6",
                "CCSS.Math.Content.HSG-SRT.C.8",
                "CCSS.Math.Content.HSG-MG.A.1",
                "CCSS.Math.Content.HSG-MG.A.3",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.GEO.3.a",
                    "Explain trigonometric ratios as properties of the angles of right triangles that follow "
                    "from similarity.",
                    "I can explain why sine, cosine, and tangent stay the same for similar right triangles.",
                ),
                DemoIndicator(
                    "MATH.GEO.3.b",
                    "Use trigonometric ratios and the Pythagorean Theorem to solve right triangles in "
                    "applied problems, such as heights, distances, and ramp angles.",
                    "I can use sine, cosine, and tangent to find heights, distances, and ramp angles.",
                ),
                DemoIndicator(
                    "MATH.GEO.3.c",
                    "Model real objects with geometric shapes and apply geometric methods to meet design "
                    "constraints or minimize cost.",
                    "I can model real objects with shapes and use geometry to design something that meets "
                    "the rules or costs less.",
                ),
            ),
        ),
    ),
)

_MATH_STATISTICS = DemoDomain(
    code="MATH.SP",
    title="Statistics & Probability",
    statement="Collect, display, and analyze data, draw inferences about populations, and use probability to "
    "model uncertainty.",
    student_statement="I can collect and graph data, use it to reach conclusions, and use probability to "
    "figure out how likely things are.",
    competencies=(
        DemoCompetency(
            code="MATH.SP.1",
            statement="Summarize, display, and compare distributions of a single variable using measures of "
            "center and spread.",
            student_statement="I can graph a set of data, describe its middle and spread, and compare two "
            "sets of data.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=(
                "CCSS.Math.Content.6.SP.B.4",
                "CCSS.Math.Content.6.SP.B.5",
                "CCSS.Math.Content.7.SP.B.4",
                "CCSS.Math.Content.HSS-ID.A.1",
                "CCSS.Math.Content.HSS-ID.A.2",
                "CCSS.Math.Content.HSS-ID.A.3",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.SP.1.a",
                    "Display numerical data in dot plots, histograms, and box plots and describe shape, "
                    "center, and spread.",
                    "I can make dot plots, histograms, and box plots and describe what the data looks like.",
                ),
                DemoIndicator(
                    "MATH.SP.1.b",
                    "Choose measures of center and spread (mean and standard deviation, or median and "
                    "interquartile range) suited to the shape of a distribution and the presence of "
                    "outliers.",
                    "I can decide whether the mean or the median fits my data better, especially when there "
                    "are outliers.",
                ),
                DemoIndicator(
                    "MATH.SP.1.c",
                    "Compare two or more data sets in context using center and spread.",
                    "I can compare two groups of data using their middles and spreads and explain what the "
                    "difference means.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.SP.2",
            statement="Investigate relationships in bivariate data and interpret linear models.",
            student_statement="I can use scatter plots and lines of fit to see how two things are related "
            "and explain what the line means.",
            kind=CONTENT,
            education_levels=_8_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.8.SP.A.1",
                "CCSS.Math.Content.8.SP.A.3",
                "CCSS.Math.Content.HSS-ID.B.6",
                "CCSS.Math.Content.HSS-ID.C.7",
                "CCSS.Math.Content.HSS-ID.C.8",
                "CCSS.Math.Content.HSS-ID.C.9",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.SP.2.a",
                    "Construct scatter plots and describe patterns of association, including clustering, "
                    "outliers, and linear or nonlinear form.",
                    "I can make a scatter plot and describe its patterns, like whether the points go up, go "
                    "down, or bunch together.",
                ),
                DemoIndicator(
                    "MATH.SP.2.b",
                    "Fit a linear model, interpret its slope and intercept in context, and use residuals and "
                    "the correlation coefficient to assess the fit.",
                    "I can draw a line of best fit, explain its slope and starting value, and judge how well "
                    "it fits the data.",
                ),
                DemoIndicator(
                    "MATH.SP.2.c",
                    "Distinguish between correlation and causation and explain why an association alone does "
                    "not establish a cause.",
                    "I can explain why two things happening together does not prove that one causes the "
                    "other.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.SP.3",
            statement="Use samples, surveys, and experiments to make and evaluate inferences about "
            "populations.",
            student_statement="I can use samples, surveys, and experiments to learn about a whole group, and "
            "judge claims that are based on data.",
            kind=CONTENT,
            education_levels=_7_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.7.SP.A.1",
                "CCSS.Math.Content.7.SP.A.2",
                "CCSS.Math.Content.HSS-IC.B.3",
                "CCSS.Math.Content.HSS-IC.B.4",
                "CCSS.Math.Content.HSS-IC.B.6",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.SP.3.a",
                    "Explain why random sampling supports valid generalizations and identify sources of bias "
                    "in sampling methods.",
                    "I can explain why a random sample is fair and spot samples that are biased.",
                ),
                DemoIndicator(
                    "MATH.SP.3.b",
                    "Distinguish sample surveys, experiments, and observational studies and explain the role "
                    "of randomization in each.",
                    "I can tell surveys, experiments, and observational studies apart, and explain why "
                    "choosing at random matters in each.",
                ),
                DemoIndicator(
                    "MATH.SP.3.c",
                    "Use simulation to estimate a margin of error and evaluate reports based on data.",
                    "I can use simulations to see how much results might vary, and judge whether claims in "
                    "the news are backed by the data.",
                ),
            ),
        ),
        DemoCompetency(
            code="MATH.SP.4",
            statement="Develop probability models and compute probabilities of simple, compound, and "
            "conditional events.",
            student_statement="I can figure out how likely events are, including events that depend on each "
            "other.",
            kind=CONTENT,
            education_levels=_7_12,
            aligned_ccss_codes=(
                "CCSS.Math.Content.7.SP.C.7",
                "CCSS.Math.Content.7.SP.C.8",
                "CCSS.Math.Content.HSS-CP.A.4",
                "CCSS.Math.Content.HSS-CP.A.5",
                "CCSS.Math.Content.HSS-CP.B.7",
            ),
            indicators=(
                DemoIndicator(
                    "MATH.SP.4.a",
                    "Develop uniform and experimental probability models and explain differences between "
                    "predicted and observed frequencies.",
                    "I can predict probabilities and compare them to what actually happens in an experiment.",
                ),
                DemoIndicator(
                    "MATH.SP.4.b",
                    "Find probabilities of compound events using organized lists, tree diagrams, two-way "
                    "tables, and the Addition Rule.",
                    "I can find the chance of combined events using lists, tree diagrams, tables, and rules.",
                ),
                DemoIndicator(
                    "MATH.SP.4.c",
                    "Use two-way tables to compute conditional probabilities and decide whether two events "
                    "are independent.",
                    "I can use a two-way table to find a probability when I know something already happened, "
                    "and tell whether two events are connected.",
                ),
            ),
        ),
    ),
)

MATHEMATICS = DemoFramework(
    key="mathematics",
    title="Mathematics Competencies, Grades 6-12",
    subject="Mathematics",
    description="Mathematics competencies for grades 6-12, each aligned to Common Core State Standards for "
    "Mathematics, from rational numbers and proportional reasoning through functions, geometry, and "
    "statistics.",
    domains=(_MATH_NUMBER, _MATH_ALGEBRA, _MATH_FUNCTIONS, _MATH_GEOMETRY, _MATH_STATISTICS),
)


# ------------------------------------------------------------------------------------------------------------
# English Language Arts (aligned to CCSS ELA short codes)
# ------------------------------------------------------------------------------------------------------------

_ELA_READING = DemoDomain(
    code="ELA.RD",
    title="Reading",
    statement="Read complex literary and informational texts closely and critically, citing evidence to "
    "support analysis.",
    student_statement="I can read challenging stories, poems, and nonfiction closely and use evidence from "
    "the text to explain what it means.",
    competencies=(
        DemoCompetency(
            code="ELA.RD.1",
            statement="Cite strong textual evidence to support analysis of what a text says explicitly and "
            "what can be inferred from it.",
            student_statement="I can use quotes and details from a text to support what it says directly and "
            "what I can figure out from clues.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("RL.8.1", "RI.8.1", "RL.9-10.1", "RI.9-10.1"),
            indicators=(
                DemoIndicator(
                    "ELA.RD.1.a",
                    "Distinguish between what a text states explicitly and the inferences that can be drawn "
                    "from it.",
                    "I can tell the difference between what a text says directly and what I figure out from "
                    "clues.",
                ),
                DemoIndicator(
                    "ELA.RD.1.b",
                    "Select the evidence that most strongly supports an analysis and quote or paraphrase it "
                    "accurately with a citation.",
                    "I can pick the best quotes to support my idea and copy or reword them correctly, saying "
                    "where they came from.",
                ),
                DemoIndicator(
                    "ELA.RD.1.c",
                    "Identify where a text leaves matters uncertain or open to more than one interpretation.",
                    "I can notice where a text is unclear or could mean more than one thing.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.RD.2",
            statement="Determine themes and central ideas, analyze how they develop over the course of a "
            "text, and provide an objective summary.",
            student_statement="I can figure out the big message or main idea of a text, follow how it "
            "develops, and summarize it without my opinion.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("RL.8.2", "RL.9-10.2", "RI.9-10.2"),
            indicators=(
                DemoIndicator(
                    "ELA.RD.2.a",
                    "State a theme or central idea as a complete claim about the text rather than a topic "
                    "word.",
                    "I can state a theme as a full sentence about life, not just one word like 'friendship'.",
                ),
                DemoIndicator(
                    "ELA.RD.2.b",
                    "Trace how specific details, characters, or events shape and refine a theme or central "
                    "idea across a text.",
                    "I can show how details, characters, or events build the theme as the text goes on.",
                ),
                DemoIndicator(
                    "ELA.RD.2.c",
                    "Write an objective summary that captures the key ideas of a text without personal "
                    "opinion.",
                    "I can write a summary that gives the key ideas without adding my own opinions.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.RD.3",
            statement="Analyze how an author's choices of words, structure, and point of view shape meaning, "
            "tone, and effect.",
            student_statement="I can explain how an author's word choices, organization, and point of view "
            "affect what a text means and how it feels.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("RL.9-10.4", "RL.9-10.5", "RI.9-10.6"),
            indicators=(
                DemoIndicator(
                    "ELA.RD.3.a",
                    "Analyze the cumulative impact of figurative and connotative word choices on meaning and "
                    "tone.",
                    "I can explain how an author's word choices, like comparisons and words with strong "
                    "feelings, create a mood or tone.",
                ),
                DemoIndicator(
                    "ELA.RD.3.b",
                    "Analyze how the structure of a text, such as pacing, flashbacks, or the order of "
                    "sections, creates effects like tension or emphasis.",
                    "I can explain how the way a text is put together, like flashbacks or the order of its "
                    "parts, builds suspense or makes a point stand out.",
                ),
                DemoIndicator(
                    "ELA.RD.3.c",
                    "Determine an author's point of view or purpose and analyze how the author uses rhetoric "
                    "to advance it.",
                    "I can figure out an author's purpose or point of view and how the author tries to "
                    "persuade the reader.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.RD.4",
            statement="Delineate and evaluate the argument in an informational text, assessing the validity "
            "of its reasoning and the relevance and sufficiency of its evidence.",
            student_statement="I can break down an author's argument and judge whether the reasons and "
            "evidence really hold up.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("RI.8.8", "RI.9-10.8"),
            indicators=(
                DemoIndicator(
                    "ELA.RD.4.a",
                    "Identify the claim, reasons, and evidence that make up an argument.",
                    "I can find an author's main claim, reasons, and evidence.",
                ),
                DemoIndicator(
                    "ELA.RD.4.b",
                    "Judge whether evidence is relevant and sufficient, and identify irrelevant evidence, "
                    "false statements, and fallacious reasoning.",
                    "I can judge whether the evidence is on topic and enough, and spot false or tricky "
                    "reasoning.",
                ),
            ),
        ),
    ),
)

_ELA_WRITING = DemoDomain(
    code="ELA.WR",
    title="Writing",
    statement="Write arguments, explanations, narratives, and research for varied purposes and audiences, "
    "using a process of planning, revising, and editing.",
    student_statement="I can write arguments, explanations, stories, and research papers, and improve them "
    "by planning and revising.",
    competencies=(
        DemoCompetency(
            code="ELA.WR.1",
            statement="Write arguments to support claims in an analysis of substantive topics or texts, "
            "using valid reasoning and relevant and sufficient evidence.",
            student_statement="I can write an argument that makes a clear claim and proves it with good "
            "reasons and evidence.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("W.8.1", "W.9-10.1", "W.11-12.1"),
            indicators=(
                DemoIndicator(
                    "ELA.WR.1.a",
                    "Introduce a precise, arguable claim and distinguish it from alternate or opposing "
                    "claims.",
                    "I can write a clear claim that people could disagree with and show how it is different "
                    "from other positions.",
                ),
                DemoIndicator(
                    "ELA.WR.1.b",
                    "Develop the claim with logical reasoning and relevant, sufficient evidence from "
                    "credible sources, explaining how the evidence supports the claim.",
                    "I can support my claim with strong evidence from trustworthy sources and explain how "
                    "the evidence proves my point.",
                ),
                DemoIndicator(
                    "ELA.WR.1.c",
                    "Acknowledge and respond to counterclaims fairly, pointing out their strengths and "
                    "limitations.",
                    "I can explain what someone who disagrees might say and respond to it fairly.",
                ),
                DemoIndicator(
                    "ELA.WR.1.d",
                    "Organize the argument with cohesive transitions, a formal style, and a conclusion that "
                    "follows from the argument.",
                    "I can organize my argument with linking words, a serious tone, and a conclusion that "
                    "ties it together.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.WR.2",
            statement="Write informative and explanatory texts that convey complex ideas clearly and "
            "accurately through the selection, organization, and analysis of content.",
            student_statement="I can write to explain a topic clearly and correctly, choosing and organizing "
            "the most important information.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("W.8.2", "W.9-10.2"),
            indicators=(
                DemoIndicator(
                    "ELA.WR.2.a",
                    "Introduce a topic and organize ideas, concepts, and information into broader "
                    "categories, using headings, graphics, or multimedia when useful.",
                    "I can introduce my topic and organize my information into sections, using headings or "
                    "pictures when they help.",
                ),
                DemoIndicator(
                    "ELA.WR.2.b",
                    "Develop the topic with well-chosen facts, definitions, details, quotations, and "
                    "examples, using precise and domain-specific vocabulary.",
                    "I can explain my topic with good facts, definitions, and examples, using the right "
                    "words for the subject.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.WR.3",
            statement="Write narratives that develop real or imagined experiences using effective technique, "
            "well-chosen details, and well-structured event sequences.",
            student_statement="I can write true or made-up stories with strong details and events in an "
            "order that works.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("W.8.3", "W.9-10.3"),
            indicators=(
                DemoIndicator(
                    "ELA.WR.3.a",
                    "Engage the reader by establishing a point of view, a situation, and characters, and "
                    "sequence events so that they build toward an outcome.",
                    "I can hook my reader by setting up the narrator, the situation, and the characters, and "
                    "put events in an order that builds.",
                ),
                DemoIndicator(
                    "ELA.WR.3.b",
                    "Use dialogue, pacing, description, and reflection to develop experiences and "
                    "characters.",
                    "I can use dialogue, pacing, description, and reflection to bring my characters and "
                    "events to life.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.WR.4",
            statement="Conduct short and sustained research projects, gathering information from multiple "
            "authoritative sources and synthesizing it while avoiding plagiarism.",
            student_statement="I can research a question using several trustworthy sources, combine what I "
            "learn, and give credit to my sources.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("W.8.7", "W.9-10.7", "W.9-10.8"),
            indicators=(
                DemoIndicator(
                    "ELA.WR.4.a",
                    "Develop and refine a research question, narrowing or broadening the inquiry as needed.",
                    "I can write a research question and make it narrower or broader when I need to.",
                ),
                DemoIndicator(
                    "ELA.WR.4.b",
                    "Gather information from multiple print and digital sources, assess each source's "
                    "credibility and usefulness, and integrate information with citations in a standard "
                    "format.",
                    "I can find information in several sources, check whether they are trustworthy, and use "
                    "them in my writing with proper citations.",
                ),
                DemoIndicator(
                    "ELA.WR.4.c",
                    "Synthesize information from multiple sources to answer the research question, "
                    "demonstrating understanding of the subject.",
                    "I can combine information from different sources to answer my question.",
                ),
            ),
        ),
    ),
)

_ELA_SPEAKING = DemoDomain(
    code="ELA.SL",
    title="Speaking & Listening",
    statement="Participate in collaborative discussions and present information and ideas clearly, adapting "
    "speech to context and task.",
    student_statement="I can take part in discussions and present my ideas clearly, changing how I speak for "
    "different situations.",
    competencies=(
        DemoCompetency(
            code="ELA.SL.1",
            statement="Prepare for and participate effectively in collaborative discussions with diverse "
            "partners, building on others' ideas and expressing one's own clearly.",
            student_statement="I can come to discussions prepared, build on other people's ideas, and share "
            "my own clearly.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("SL.8.1", "SL.9-10.1"),
            indicators=(
                DemoIndicator(
                    "ELA.SL.1.a",
                    "Come to discussions prepared, having read or researched the material, and refer to "
                    "evidence to probe and reflect on ideas.",
                    "I can come to a discussion prepared and point to evidence from what I read.",
                ),
                DemoIndicator(
                    "ELA.SL.1.b",
                    "Pose and respond to questions that connect ideas and challenge or clarify reasoning.",
                    "I can ask and answer questions that connect ideas or ask people to explain their "
                    "thinking.",
                ),
                DemoIndicator(
                    "ELA.SL.1.c",
                    "Summarize points of agreement and disagreement and qualify or justify one's own views "
                    "in light of new evidence.",
                    "I can sum up where people agree and disagree, and change or defend my view when I hear "
                    "new evidence.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.SL.2",
            statement="Present information, findings, and evidence clearly, concisely, and logically, making "
            "strategic use of digital media.",
            student_statement="I can present what I found clearly and in a logical order, using media that "
            "helps my audience understand.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("SL.8.4", "SL.9-10.4", "SL.9-10.5", "SL.9-10.6"),
            indicators=(
                DemoIndicator(
                    "ELA.SL.2.a",
                    "Present a line of reasoning that listeners can follow, with organization, development, "
                    "and style suited to purpose and audience.",
                    "I can present my ideas in an order my audience can follow, matched to who they are and "
                    "why I am speaking.",
                ),
                DemoIndicator(
                    "ELA.SL.2.b",
                    "Use appropriate eye contact, adequate volume, clear pronunciation, and formal English "
                    "when the context calls for it.",
                    "I can look at my audience, speak loudly and clearly, and use formal language when the "
                    "situation calls for it.",
                ),
                DemoIndicator(
                    "ELA.SL.2.c",
                    "Integrate digital media and visual displays that enhance understanding of findings, "
                    "reasoning, and evidence.",
                    "I can add visuals and media that help people understand my evidence and reasoning.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.SL.3",
            statement="Evaluate a speaker's point of view, reasoning, and use of evidence and rhetoric, "
            "identifying fallacious reasoning or distorted evidence.",
            student_statement="I can judge a speaker's argument and notice when the speaker uses weak "
            "reasoning or twists the evidence.",
            kind=CONTENT,
            education_levels=_8_12,
            aligned_ccss_codes=("SL.8.3", "SL.9-10.3"),
            indicators=(
                DemoIndicator(
                    "ELA.SL.3.a",
                    "Identify a speaker's claims, reasoning, and rhetorical techniques.",
                    "I can name a speaker's claims and the ways the speaker tries to convince listeners.",
                ),
                DemoIndicator(
                    "ELA.SL.3.b",
                    "Identify exaggerated or distorted evidence and fallacious reasoning in speeches and "
                    "media.",
                    "I can notice when a speaker exaggerates, twists evidence, or uses unfair reasoning.",
                ),
            ),
        ),
    ),
)

_ELA_LANGUAGE = DemoDomain(
    code="ELA.LG",
    title="Language",
    statement="Apply the conventions of standard English, make effective language choices, and build "
    "vocabulary to read and write with precision.",
    student_statement="I can use correct grammar and punctuation, choose my words well, and learn new words.",
    competencies=(
        DemoCompetency(
            code="ELA.LG.1",
            statement="Demonstrate command of the conventions of standard English grammar, usage, "
            "capitalization, punctuation, and spelling.",
            student_statement="I can use correct grammar, capital letters, punctuation, and spelling when I "
            "write and speak.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("L.8.1", "L.9-10.1", "L.9-10.2"),
            indicators=(
                DemoIndicator(
                    "ELA.LG.1.a",
                    "Use parallel structure and varied phrases and clauses to convey specific meanings and "
                    "add variety.",
                    "I can use matching sentence patterns and different kinds of phrases to make my writing "
                    "clear and interesting.",
                ),
                DemoIndicator(
                    "ELA.LG.1.b",
                    "Use semicolons, colons, and commas correctly to link clauses and to introduce lists or "
                    "quotations.",
                    "I can use semicolons, colons, and commas correctly to join ideas and start lists or "
                    "quotes.",
                ),
                DemoIndicator(
                    "ELA.LG.1.c",
                    "Edit one's own writing to correct errors in grammar, usage, and spelling.",
                    "I can find and fix grammar and spelling mistakes in my own writing.",
                ),
            ),
        ),
        DemoCompetency(
            code="ELA.LG.2",
            statement="Determine the meaning of unknown words and phrases, and acquire and use general "
            "academic and domain-specific vocabulary.",
            student_statement="I can figure out words I do not know and use new academic words correctly.",
            kind=CONTENT,
            education_levels=_ALL,
            aligned_ccss_codes=("L.8.4", "L.9-10.4", "L.9-10.5", "L.9-10.6"),
            indicators=(
                DemoIndicator(
                    "ELA.LG.2.a",
                    "Use context clues, Greek and Latin roots and affixes, and reference materials to "
                    "determine or clarify word meanings.",
                    "I can use clues in the sentence, word parts, and dictionaries to figure out what a word "
                    "means.",
                ),
                DemoIndicator(
                    "ELA.LG.2.b",
                    "Interpret figurative language and distinguish nuances among words with similar "
                    "denotations.",
                    "I can explain figures of speech and the small differences between words that mean "
                    "almost the same thing.",
                ),
                DemoIndicator(
                    "ELA.LG.2.c",
                    "Use general academic and domain-specific words accurately in writing and speaking.",
                    "I can use academic and subject words correctly when I write and speak.",
                ),
            ),
        ),
    ),
)

ELA = DemoFramework(
    key="ela",
    title="English Language Arts Competencies, Grades 6-12",
    subject="English Language Arts",
    description="English language arts competencies for grades 6-12 in reading, writing, speaking and "
    "listening, and language, aligned to the Common Core State Standards for English Language Arts.",
    domains=(_ELA_READING, _ELA_WRITING, _ELA_SPEAKING, _ELA_LANGUAGE),
)


# ------------------------------------------------------------------------------------------------------------
# Science (NGSS practices and disciplinary core ideas)
# ------------------------------------------------------------------------------------------------------------

_SCI_PRACTICES = DemoDomain(
    code="SCI.PRC",
    title="Science & Engineering Practices",
    statement="Use the practices of scientists to ask questions, plan and carry out investigations, analyze "
    "data, and construct explanations and arguments from evidence.",
    student_statement="I can work like a scientist: ask questions, run investigations, study data, and "
    "explain what I find with evidence.",
    competencies=(
        DemoCompetency(
            code="SCI.PRC.1",
            statement="Ask testable questions and plan and carry out controlled investigations that produce "
            "reliable data.",
            student_statement="I can ask questions that can be tested and plan fair experiments that give "
            "reliable data.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.PRC.1.a",
                    "Formulate a testable question and a hypothesis that identifies the independent and "
                    "dependent variables.",
                    "I can write a question I can test, and a prediction that names what I change and what I "
                    "measure.",
                ),
                DemoIndicator(
                    "SCI.PRC.1.b",
                    "Design a procedure that controls variables, includes a control or comparison group and "
                    "repeated trials, and addresses safety.",
                    "I can plan an experiment that changes only one thing, has a group to compare with, "
                    "repeats trials, and is safe.",
                ),
                DemoIndicator(
                    "SCI.PRC.1.c",
                    "Collect and record data accurately with appropriate tools, units, and precision.",
                    "I can measure carefully with the right tools and record my data with units.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.PRC.2",
            statement="Analyze and interpret data using tables, graphs, and mathematical and computational "
            "thinking to identify patterns and relationships.",
            student_statement="I can organize data in tables and graphs and use math to find patterns.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.PRC.2.a",
                    "Construct graphs and tables with appropriate labels, units, and scales for the data.",
                    "I can make graphs and tables with labels, units, and good scales.",
                ),
                DemoIndicator(
                    "SCI.PRC.2.b",
                    "Identify patterns, trends, and anomalies in data and distinguish correlation from "
                    "causation.",
                    "I can find patterns and odd results in data, and explain why a pattern does not always "
                    "mean that one thing causes another.",
                ),
                DemoIndicator(
                    "SCI.PRC.2.c",
                    "Evaluate sources of error and the reliability of data, and propose improvements to the "
                    "investigation.",
                    "I can explain what might have caused errors in my data and how to improve my "
                    "experiment.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.PRC.3",
            statement="Construct scientific explanations and engage in argument from evidence using a claim, "
            "evidence, and reasoning.",
            student_statement="I can explain science ideas with a claim, evidence, and reasoning, and defend "
            "my explanation.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.PRC.3.a",
                    "Make a claim that answers the investigation question and is supported by the data.",
                    "I can make a claim that answers my question and matches my data.",
                ),
                DemoIndicator(
                    "SCI.PRC.3.b",
                    "Link evidence to the claim with reasoning grounded in scientific principles.",
                    "I can use science ideas to explain why my evidence supports my claim.",
                ),
                DemoIndicator(
                    "SCI.PRC.3.c",
                    "Critique alternative explanations and respond to peers' arguments using evidence.",
                    "I can use evidence to question other explanations and to respond when classmates "
                    "disagree.",
                ),
            ),
        ),
    ),
)

_SCI_PHYSICAL = DemoDomain(
    code="SCI.PS",
    title="Physical Sciences",
    statement="Explain matter and its interactions, motion and forces, and energy using models and evidence.",
    student_statement="I can explain how matter, forces, and energy work using models and evidence.",
    competencies=(
        DemoCompetency(
            code="SCI.PS.1",
            statement="Develop and use models of atoms and molecules to explain the structure and properties "
            "of matter and the conservation of mass in chemical reactions.",
            student_statement="I can use models of atoms and molecules to explain what things are made of "
            "and why mass stays the same in a chemical reaction.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.PS.1.a",
                    "Model how substances are made of atoms that combine into molecules or extended "
                    "structures.",
                    "I can draw or build models that show how atoms join together to make molecules.",
                ),
                DemoIndicator(
                    "SCI.PS.1.b",
                    "Use particle models to explain changes of state and the effect of adding or removing "
                    "thermal energy on particle motion.",
                    "I can explain melting, freezing, and boiling by describing how particles move when they "
                    "gain or lose heat.",
                ),
                DemoIndicator(
                    "SCI.PS.1.c",
                    "Analyze properties before and after an interaction to determine whether a chemical "
                    "reaction occurred, and explain why mass is conserved.",
                    "I can use evidence to tell whether a chemical reaction happened and explain why no "
                    "atoms are lost.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.PS.2",
            statement="Apply Newton's laws to explain and predict the motion of objects and to analyze "
            "collisions.",
            student_statement="I can use Newton's laws to explain and predict how objects move and what "
            "happens when they crash.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.PS.2.a",
                    "Plan an investigation showing that the change in an object's motion depends on the sum "
                    "of the forces on it and on its mass.",
                    "I can test how the pushes and pulls on an object, and its mass, change the way it "
                    "moves.",
                ),
                DemoIndicator(
                    "SCI.PS.2.b",
                    "Use Newton's second law and conservation of momentum to predict the outcomes of "
                    "interactions and collisions.",
                    "I can use force, mass, and momentum to predict what happens when objects push on or hit "
                    "each other.",
                ),
                DemoIndicator(
                    "SCI.PS.2.c",
                    "Design, test, and refine a device that minimizes the force on an object during a "
                    "collision.",
                    "I can design and test something, like a helmet or an egg-drop container, that makes a "
                    "crash softer.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.PS.3",
            statement="Describe energy transfer and conservation within systems, including kinetic, "
            "potential, thermal, and wave energy.",
            student_statement="I can explain how energy moves and changes form, and why the total amount "
            "stays the same.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.PS.3.a",
                    "Construct graphs and models that relate kinetic energy to mass and speed and potential "
                    "energy to position.",
                    "I can show how the energy of motion depends on mass and speed, and how stored energy "
                    "depends on position.",
                ),
                DemoIndicator(
                    "SCI.PS.3.b",
                    "Track energy transfers within a system and explain why total energy is conserved.",
                    "I can follow energy as it moves through a system and show that none is created or "
                    "destroyed.",
                ),
                DemoIndicator(
                    "SCI.PS.3.c",
                    "Describe waves by amplitude, wavelength, and frequency and explain how waves transfer "
                    "energy and information.",
                    "I can describe waves by their height, length, and frequency, and explain how they carry "
                    "energy and information.",
                ),
            ),
        ),
    ),
)

_SCI_LIFE = DemoDomain(
    code="SCI.LS",
    title="Life Sciences",
    statement="Explain the structure and function of living things, the flow of matter and energy in "
    "ecosystems, heredity, and evolution.",
    student_statement="I can explain how living things are built and work, how ecosystems work, how traits "
    "are passed on, and how species change.",
    competencies=(
        DemoCompetency(
            code="SCI.LS.1",
            statement="Explain how cells, tissues, organs, and organ systems work together to maintain life "
            "and homeostasis.",
            student_statement="I can explain how cells, organs, and body systems work together to keep a "
            "living thing alive and balanced.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.LS.1.a",
                    "Identify cell structures, including the cell membrane, nucleus, mitochondria, and "
                    "chloroplasts, and explain their functions.",
                    "I can name the parts of a cell and explain what each part does.",
                ),
                DemoIndicator(
                    "SCI.LS.1.b",
                    "Explain how feedback mechanisms in body systems maintain homeostasis, such as the "
                    "regulation of body temperature or blood sugar.",
                    "I can explain how the body keeps things like temperature and blood sugar steady.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.LS.2",
            statement="Model the cycling of matter and flow of energy in ecosystems and explain how "
            "ecosystems respond to disruption.",
            student_statement="I can model how matter and energy move through an ecosystem and explain what "
            "happens when it is disturbed.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.LS.2.a",
                    "Construct food webs and energy pyramids showing how matter cycles and energy flows "
                    "among producers, consumers, and decomposers.",
                    "I can build food webs and energy pyramids that show how energy and matter move among "
                    "living things.",
                ),
                DemoIndicator(
                    "SCI.LS.2.b",
                    "Use data to explain how changes to physical or biological components of an ecosystem "
                    "affect populations.",
                    "I can use data to explain how a change, like a drought or a new species, affects "
                    "populations.",
                ),
                DemoIndicator(
                    "SCI.LS.2.c",
                    "Evaluate solutions for reducing human impacts on biodiversity and ecosystem services.",
                    "I can judge ideas for protecting living things and ecosystems from harm caused by "
                    "people.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.LS.3",
            statement="Explain how genetic information is inherited and how natural selection leads to "
            "adaptation and change in populations over time.",
            student_statement="I can explain how traits pass from parents to offspring and how natural "
            "selection changes species over time.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.LS.3.a",
                    "Explain how genes in DNA code for proteins that determine traits and how mutations may "
                    "affect traits.",
                    "I can explain how genes in DNA control traits and how changes in genes can change "
                    "traits.",
                ),
                DemoIndicator(
                    "SCI.LS.3.b",
                    "Use Punnett squares and probability to predict patterns of inheritance.",
                    "I can use Punnett squares to predict which traits offspring might have.",
                ),
                DemoIndicator(
                    "SCI.LS.3.c",
                    "Construct an evidence-based explanation, drawing on fossils and anatomical "
                    "similarities, of how natural selection leads to adaptation.",
                    "I can use evidence like fossils and body structures to explain how natural selection "
                    "helps species adapt.",
                ),
            ),
        ),
    ),
)

_SCI_EARTH = DemoDomain(
    code="SCI.ESS",
    title="Earth & Space Sciences",
    statement="Explain Earth's place in the universe, the processes within Earth's systems, and the "
    "interactions between human activity and those systems.",
    student_statement="I can explain Earth's place in space, how Earth's systems work, and how people affect "
    "them.",
    competencies=(
        DemoCompetency(
            code="SCI.ESS.1",
            statement="Model the processes that shape Earth's surface and cycle water and rock.",
            student_statement="I can model how water and rock move in cycles and how Earth's surface changes "
            "over time.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.ESS.1.a",
                    "Use plate tectonics to explain the distribution of earthquakes, volcanoes, mountains, "
                    "and fossils.",
                    "I can use plate tectonics to explain where earthquakes, volcanoes, and mountains "
                    "happen.",
                ),
                DemoIndicator(
                    "SCI.ESS.1.b",
                    "Model the water cycle, including the roles of sunlight and gravity, and relate it to "
                    "weather patterns.",
                    "I can model the water cycle, show how the sun and gravity drive it, and connect it to "
                    "the weather.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.ESS.2",
            statement="Analyze evidence of changes in global climate and evaluate solutions that reduce "
            "human impacts on Earth's systems.",
            student_statement="I can study evidence about climate change and judge ideas for reducing "
            "people's impact on Earth.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.ESS.2.a",
                    "Analyze data on the factors that have caused the rise in global temperatures, including "
                    "greenhouse gas emissions.",
                    "I can use data to explain what has made Earth's temperature rise, including greenhouse "
                    "gases.",
                ),
                DemoIndicator(
                    "SCI.ESS.2.b",
                    "Evaluate design solutions for managing natural resources or reducing emissions using "
                    "criteria of cost, benefit, and risk.",
                    "I can compare ideas for saving resources or cutting pollution by weighing their costs, "
                    "benefits, and risks.",
                ),
                DemoIndicator(
                    "SCI.ESS.2.c",
                    "Use data to forecast natural hazards, such as flooding and coastal storms in "
                    "Connecticut, and evaluate mitigation strategies.",
                    "I can use data to predict dangers like floods or coastal storms in Connecticut and "
                    "judge ways to stay safer.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.ESS.3",
            statement="Use models of the Earth-Sun-Moon system to explain seasons, lunar phases, eclipses, "
            "and the role of gravity in orbital motion.",
            student_statement="I can use models to explain seasons, moon phases, eclipses, and how gravity "
            "keeps things in orbit.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.ESS.3.a",
                    "Model how Earth's tilted axis and orbit cause seasons and how the Moon's orbit causes "
                    "phases and eclipses.",
                    "I can use a model to show why we have seasons, moon phases, and eclipses.",
                ),
                DemoIndicator(
                    "SCI.ESS.3.b",
                    "Explain the role of gravity in the motions of the solar system and galaxies.",
                    "I can explain how gravity keeps planets and moons moving in their orbits.",
                ),
            ),
        ),
    ),
)

_SCI_ENGINEERING = DemoDomain(
    code="SCI.ENG",
    title="Engineering Design",
    statement="Define design problems, develop and test solutions, and optimize them against criteria and "
    "constraints.",
    student_statement="I can solve problems like an engineer by designing, testing, and improving solutions.",
    competencies=(
        DemoCompetency(
            code="SCI.ENG.1",
            statement="Define a design problem precisely, including criteria, constraints, relevant "
            "scientific principles, and potential impacts on people and the environment.",
            student_statement="I can clearly describe a design problem, including what a good solution must "
            "do and what limits it has.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.ENG.1.a",
                    "Specify the criteria and constraints of a successful solution, including cost, safety, "
                    "and environmental impact.",
                    "I can list what a solution must do and its limits, like cost, safety, and effects on "
                    "the environment.",
                ),
                DemoIndicator(
                    "SCI.ENG.1.b",
                    "Research existing solutions and the scientific principles that apply to the problem.",
                    "I can research solutions that already exist and the science behind the problem.",
                ),
            ),
        ),
        DemoCompetency(
            code="SCI.ENG.2",
            statement="Develop, test, and optimize solutions through iterative testing and systematic "
            "evaluation against criteria.",
            student_statement="I can design and test solutions, compare them fairly, and keep improving the "
            "best one.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SCI.ENG.2.a",
                    "Evaluate competing design solutions with a decision matrix based on the criteria and "
                    "constraints.",
                    "I can compare different designs using a chart that scores how well each one meets the "
                    "goals.",
                ),
                DemoIndicator(
                    "SCI.ENG.2.b",
                    "Test a prototype, analyze the performance data, and modify the design to improve it.",
                    "I can test my prototype, study the results, and change the design so it works better.",
                ),
            ),
        ),
    ),
)

SCIENCE = DemoFramework(
    key="science",
    title="Science Competencies, Grades 6-12",
    subject="Science",
    description="Science competencies for grades 6-12 built on the three dimensions of the Next Generation "
    "Science Standards: science and engineering practices applied to physical, life, and Earth and space "
    "sciences and to engineering design.",
    domains=(_SCI_PRACTICES, _SCI_PHYSICAL, _SCI_LIFE, _SCI_EARTH, _SCI_ENGINEERING),
)


# ------------------------------------------------------------------------------------------------------------
# Social Studies (C3 inquiry arc, Connecticut Social Studies Frameworks)
# ------------------------------------------------------------------------------------------------------------

_SS_INQUIRY = DemoDomain(
    code="SS.INQ",
    title="Inquiry & Evidence",
    statement="Develop compelling and supporting questions, evaluate sources, use evidence to develop "
    "claims, and communicate conclusions and take informed action.",
    student_statement="I can ask strong questions, check sources, and use evidence to reach and share "
    "conclusions.",
    competencies=(
        DemoCompetency(
            code="SS.INQ.1",
            statement="Develop compelling and supporting questions and plan an inquiry to answer them.",
            student_statement="I can ask big questions worth investigating and plan how to answer them.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.INQ.1.a",
                    "Explain how a compelling question reflects an enduring issue and how supporting "
                    "questions help answer it.",
                    "I can explain why a big question matters and write smaller questions that help answer "
                    "it.",
                ),
                DemoIndicator(
                    "SS.INQ.1.b",
                    "Determine the kinds of sources that would help answer the questions, considering "
                    "multiple points of view.",
                    "I can decide what kinds of sources would help answer my questions, including sources "
                    "with different points of view.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.INQ.2",
            statement="Gather and evaluate primary and secondary sources and use evidence to develop claims "
            "and counterclaims.",
            student_statement="I can find and judge primary and secondary sources and use their evidence to "
            "make claims.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.INQ.2.a",
                    "Evaluate the credibility of a source by determining its origin, authorship, purpose, "
                    "audience, and context.",
                    "I can judge a source by asking who made it, when, why, and for whom.",
                ),
                DemoIndicator(
                    "SS.INQ.2.b",
                    "Synthesize evidence from multiple sources to support claims, noting the limitations of "
                    "the evidence.",
                    "I can combine evidence from several sources to support a claim and explain what the "
                    "evidence cannot show.",
                ),
                DemoIndicator(
                    "SS.INQ.2.c",
                    "Develop claims and counterclaims while pointing out the strengths and limitations of "
                    "both.",
                    "I can make a claim, explain the other side, and say what is strong and weak about each.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.INQ.3",
            statement="Communicate conclusions to varied audiences and apply them to take informed action.",
            student_statement="I can share my conclusions with others and use them to take action on real "
            "problems.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.INQ.3.a",
                    "Construct written and oral arguments and explanations that use reasoning, chronological "
                    "sequence, and examples.",
                    "I can write or present an argument with reasons, examples, and events in time order.",
                ),
                DemoIndicator(
                    "SS.INQ.3.b",
                    "Apply disciplinary concepts and the results of inquiry to take informed action on a "
                    "local, regional, or global problem.",
                    "I can use what I learned from my research to take action on a problem in my town, my "
                    "state, or the world.",
                ),
            ),
        ),
    ),
)

_SS_CIVICS = DemoDomain(
    code="SS.CIV",
    title="Civics",
    statement="Explain the principles, structures, and processes of constitutional democracy in the United "
    "States and Connecticut, and the rights and responsibilities of citizens.",
    student_statement="I can explain how democracy works in the United States and Connecticut, and what "
    "rights and responsibilities citizens have.",
    competencies=(
        DemoCompetency(
            code="SS.CIV.1",
            statement="Explain the origins, principles, and structures of the United States and Connecticut "
            "constitutions, including separation of powers, checks and balances, and federalism.",
            student_statement="I can explain where our constitutions came from and how they divide and "
            "balance power.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.CIV.1.a",
                    "Explain how the Constitution distributes power among three branches and between the "
                    "national and state governments.",
                    "I can explain how power is split among three branches and between the national and "
                    "state governments.",
                ),
                DemoIndicator(
                    "SS.CIV.1.b",
                    "Analyze how founding documents, including the Fundamental Orders of Connecticut, the "
                    "Declaration of Independence, and the Bill of Rights, reflect limited government and "
                    "individual rights.",
                    "I can explain how documents like the Fundamental Orders of Connecticut, the Declaration "
                    "of Independence, and the Bill of Rights limit government and protect rights.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.CIV.2",
            statement="Evaluate how laws and policies are made and changed at the local, state, and national "
            "levels and the roles citizens play in that process.",
            student_statement="I can explain how laws are made and changed, from my town to the nation, and "
            "how citizens can take part.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.CIV.2.a",
                    "Trace how a bill becomes law in the Connecticut General Assembly and in the United "
                    "States Congress.",
                    "I can explain the steps a bill takes to become a law in Connecticut and in Congress.",
                ),
                DemoIndicator(
                    "SS.CIV.2.b",
                    "Evaluate the effectiveness of civic participation strategies, such as voting, "
                    "petitioning, public testimony, and protest, in changing policy.",
                    "I can judge how well voting, petitions, speaking at hearings, and protests work to "
                    "change laws.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.CIV.3",
            statement="Analyze how constitutional amendments and court decisions have expanded or limited "
            "civil rights and liberties.",
            student_statement="I can explain how amendments and court cases have expanded or limited "
            "people's rights.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.CIV.3.a",
                    "Analyze landmark Supreme Court cases, such as Brown v. Board of Education and Tinker v. "
                    "Des Moines, and their impact on rights.",
                    "I can explain important Supreme Court cases, like Brown v. Board of Education and "
                    "Tinker v. Des Moines, and how they changed people's rights.",
                ),
                DemoIndicator(
                    "SS.CIV.3.b",
                    "Explain how the Reconstruction Amendments and later amendments extended citizenship and "
                    "voting rights.",
                    "I can explain how the amendments passed after the Civil War, and later ones, gave more "
                    "people citizenship and the right to vote.",
                ),
            ),
        ),
    ),
)

_SS_HISTORY = DemoDomain(
    code="SS.HIS",
    title="History",
    statement="Analyze change and continuity, historical context, perspectives, and causation in United "
    "States and world history.",
    student_statement="I can study the past to understand what changed, what stayed the same, why events "
    "happened, and how people saw them.",
    competencies=(
        DemoCompetency(
            code="SS.HIS.1",
            statement="Analyze multiple and complex causes and effects of events in the past, and patterns "
            "of continuity and change over time.",
            student_statement="I can explain the many causes and effects of past events, and what changed or "
            "stayed the same over time.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.HIS.1.a",
                    "Distinguish long-term causes from triggering events in developing a historical "
                    "argument.",
                    "I can tell the difference between long-term causes and the event that set things off.",
                ),
                DemoIndicator(
                    "SS.HIS.1.b",
                    "Analyze patterns of continuity and change over time within a historical era or theme.",
                    "I can explain what changed and what stayed the same during a period of history.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.HIS.2",
            statement="Analyze how historical context shaped the perspectives of people in the past, "
            "including people whose voices are underrepresented in traditional accounts.",
            student_statement="I can explain how the time and place people lived in shaped their views, "
            "including people who are often left out of history books.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.HIS.2.a",
                    "Explain how the perspectives of people in the past shaped the historical sources they "
                    "created.",
                    "I can explain how a person's point of view shaped the letters, speeches, or pictures "
                    "they left behind.",
                ),
                DemoIndicator(
                    "SS.HIS.2.b",
                    "Analyze the experiences of diverse groups in Connecticut and United States history, "
                    "including Indigenous peoples, enslaved and free African Americans, immigrants, and "
                    "women.",
                    "I can describe the experiences of different groups in Connecticut and U.S. history, "
                    "like Native peoples, African Americans, immigrants, and women.",
                ),
                DemoIndicator(
                    "SS.HIS.2.c",
                    "Evaluate how historians' interpretations of the past change as new evidence and "
                    "perspectives emerge.",
                    "I can explain how historians change their ideas about the past when they find new "
                    "evidence.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.HIS.3",
            statement="Analyze the causes and consequences of industrialization, immigration, and "
            "urbanization in the United States, including Connecticut's role as a manufacturing center.",
            student_statement="I can explain how factories, immigration, and growing cities changed the "
            "United States and Connecticut.",
            kind=CONTENT,
            education_levels=_8_12,
            indicators=(
                DemoIndicator(
                    "SS.HIS.3.a",
                    "Explain how innovations such as interchangeable parts, developed in part in Connecticut "
                    "armories, transformed production and labor.",
                    "I can explain how new ideas, like interchangeable parts made in Connecticut factories, "
                    "changed how things were made and how people worked.",
                ),
                DemoIndicator(
                    "SS.HIS.3.b",
                    "Assess the effects of immigration and urban growth on cities such as Hartford, New "
                    "Haven, and Bridgeport.",
                    "I can explain how immigrants and fast-growing cities changed places like Hartford, New "
                    "Haven, and Bridgeport.",
                ),
                DemoIndicator(
                    "SS.HIS.3.c",
                    "Evaluate the responses of workers, reformers, and government to industrial working and "
                    "living conditions.",
                    "I can judge how workers, reformers, and the government responded to hard conditions in "
                    "factories and cities.",
                ),
            ),
        ),
    ),
)

_SS_GEOGRAPHY = DemoDomain(
    code="SS.GEO",
    title="Geography",
    statement="Use geographic representations and reasoning to analyze human-environment interaction, the "
    "movement of people, and global interconnections.",
    student_statement="I can use maps and geographic thinking to explain how people and places affect each "
    "other.",
    competencies=(
        DemoCompetency(
            code="SS.GEO.1",
            statement="Create and use maps and other geographic representations to explain spatial patterns "
            "of cultural and environmental characteristics.",
            student_statement="I can make and read maps, including digital maps, to explain patterns in "
            "where people live and what places are like.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.GEO.1.a",
                    "Construct maps with geospatial technologies to represent and explain spatial patterns.",
                    "I can make maps with digital mapping tools to show and explain patterns.",
                ),
                DemoIndicator(
                    "SS.GEO.1.b",
                    "Use maps, satellite images, and data to explain how the locations of places and regions "
                    "relate to their characteristics.",
                    "I can use maps, satellite pictures, and data to explain why places are the way they "
                    "are.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.GEO.2",
            statement="Analyze how human-environment interaction and migration shape places and regions.",
            student_statement="I can explain how people change the environment, how the environment affects "
            "people, and why people move.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.GEO.2.a",
                    "Analyze the push and pull factors that influence migration and the effects of migration "
                    "on places of origin and destination.",
                    "I can explain what pushes people to leave a place and pulls them to a new one, and how "
                    "that changes both places.",
                ),
                DemoIndicator(
                    "SS.GEO.2.b",
                    "Evaluate how human activities, such as land use and resource extraction, change the "
                    "environment and how environmental change affects human societies.",
                    "I can explain how people's actions, like building and farming, change the environment, "
                    "and how those changes affect people.",
                ),
            ),
        ),
    ),
)

_SS_ECONOMICS = DemoDomain(
    code="SS.ECO",
    title="Economics",
    statement="Apply economic reasoning to decisions made by individuals, businesses, and governments, "
    "including personal financial decisions.",
    student_statement="I can use economic thinking to understand the choices of people, businesses, and "
    "governments, and to make smart money choices myself.",
    competencies=(
        DemoCompetency(
            code="SS.ECO.1",
            statement="Analyze economic decisions using scarcity, opportunity cost, incentives, and marginal "
            "costs and benefits.",
            student_statement="I can explain choices using ideas like scarcity, trade-offs, and incentives.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.ECO.1.a",
                    "Identify the opportunity cost of a decision and use marginal costs and benefits to "
                    "evaluate choices.",
                    "I can name what I give up when I make a choice and compare the extra costs and "
                    "benefits.",
                ),
                DemoIndicator(
                    "SS.ECO.1.b",
                    "Explain how incentives influence the choices of consumers, producers, and governments.",
                    "I can explain how rewards and penalties change the choices of people, businesses, and "
                    "governments.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.ECO.2",
            statement="Explain how markets determine prices and how government policies influence markets "
            "and the economy.",
            student_statement="I can explain how supply and demand set prices and how government actions "
            "affect the economy.",
            kind=CONTENT,
            education_levels=_ALL,
            indicators=(
                DemoIndicator(
                    "SS.ECO.2.a",
                    "Use supply and demand models to explain changes in market prices and quantities.",
                    "I can use supply and demand graphs to explain why prices go up or down.",
                ),
                DemoIndicator(
                    "SS.ECO.2.b",
                    "Evaluate the effects of government policies such as taxes, subsidies, minimum wage "
                    "laws, and interest rate changes.",
                    "I can explain how taxes, minimum wage laws, and interest rates affect people and "
                    "businesses.",
                ),
            ),
        ),
        DemoCompetency(
            code="SS.ECO.3",
            statement="Make informed personal financial decisions about earning, spending, saving, "
            "borrowing, and investing.",
            student_statement="I can make smart choices about earning, spending, saving, and borrowing "
            "money.",
            kind=CONTENT,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "SS.ECO.3.a",
                    "Create a personal budget that accounts for income, taxes, fixed and variable expenses, "
                    "and savings goals.",
                    "I can make a budget that shows my income, taxes, spending, and savings.",
                ),
                DemoIndicator(
                    "SS.ECO.3.b",
                    "Compare the costs of borrowing, including interest rates, fees, and the effect of "
                    "credit scores.",
                    "I can compare loans and credit cards by looking at interest, fees, and how credit "
                    "scores matter.",
                ),
                DemoIndicator(
                    "SS.ECO.3.c",
                    "Explain how compound interest, risk, and diversification affect saving and investing "
                    "decisions.",
                    "I can explain how compound interest, risk, and spreading money across investments "
                    "affect saving and investing.",
                ),
            ),
        ),
    ),
)

SOCIAL_STUDIES = DemoFramework(
    key="social-studies",
    title="Social Studies Competencies, Grades 6-12",
    subject="Social Studies",
    description="Social studies competencies for grades 6-12 following the C3 inquiry arc of the Connecticut "
    "Social Studies Frameworks: questions and sources, civics, history, geography, and economics, ending in "
    "communicated conclusions and informed action.",
    domains=(_SS_INQUIRY, _SS_CIVICS, _SS_HISTORY, _SS_GEOGRAPHY, _SS_ECONOMICS),
)


# ------------------------------------------------------------------------------------------------------------
# Career and Technical Education: Health Science cluster
# ------------------------------------------------------------------------------------------------------------

_HSC_FOUNDATIONS = DemoDomain(
    code="CTE.HSC.FND",
    title="Health Science Foundations",
    statement="Apply knowledge of human body structure and function, disease processes, medical terminology, "
    "and health care mathematics to health care situations.",
    student_statement="I can use what I know about the human body, diseases, medical words, and health care "
    "math in real health care situations.",
    competencies=(
        DemoCompetency(
            code="CTE.HSC.FND.1",
            statement="Describe the structure and function of the major body systems and common disorders "
            "that affect them.",
            student_statement="I can explain how the main body systems work and some common diseases that "
            "affect them.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.FND.1.a",
                    "Identify the major organs of each body system and describe their functions.",
                    "I can name the main organs in each body system and say what they do.",
                ),
                DemoIndicator(
                    "CTE.HSC.FND.1.b",
                    "Describe the signs, symptoms, risk factors, and common treatments of prevalent "
                    "disorders such as diabetes, asthma, and hypertension.",
                    "I can describe the signs, causes, and treatments of common illnesses like diabetes, "
                    "asthma, and high blood pressure.",
                ),
            ),
        ),
        DemoCompetency(
            code="CTE.HSC.FND.2",
            statement="Use medical terminology, approved abbreviations, and health care mathematics "
            "accurately.",
            student_statement="I can use medical words, abbreviations, and math correctly in health care.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.FND.2.a",
                    "Build and interpret medical terms from prefixes, roots, and suffixes.",
                    "I can figure out medical words by breaking them into prefixes, roots, and suffixes.",
                ),
                DemoIndicator(
                    "CTE.HSC.FND.2.b",
                    "Convert between metric and household units, use 24-hour time, and calculate fluid "
                    "intake and output accurately.",
                    "I can convert measurement units, use 24-hour time, and add up how much fluid a patient "
                    "takes in and puts out.",
                ),
            ),
        ),
    ),
)

_HSC_SAFETY = DemoDomain(
    code="CTE.HSC.SAF",
    title="Safety & Infection Control",
    statement="Apply safety practices and infection control procedures that protect patients, health care "
    "workers, and the public.",
    student_statement="I can follow safety and germ-control steps that protect patients, workers, and the "
    "public.",
    competencies=(
        DemoCompetency(
            code="CTE.HSC.SAF.1",
            statement="Apply standard precautions and infection control procedures, including hand hygiene "
            "and personal protective equipment.",
            student_statement="I can stop germs from spreading by cleaning my hands correctly and using "
            "protective gear the right way.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.SAF.1.a",
                    "Explain the chain of infection and how breaking each link prevents disease "
                    "transmission.",
                    "I can explain how germs spread from person to person and how to stop them at each step.",
                ),
                DemoIndicator(
                    "CTE.HSC.SAF.1.b",
                    "Perform hand hygiene with soap and water or alcohol-based rub at the required moments, "
                    "following CDC guidelines.",
                    "I can wash my hands or use hand sanitizer the right way, at the right times.",
                ),
                DemoIndicator(
                    "CTE.HSC.SAF.1.c",
                    "Select, don, and doff personal protective equipment in the correct sequence for the "
                    "required level of precaution.",
                    "I can choose the right gloves, gown, mask, and eye protection, and put them on and take "
                    "them off in the right order.",
                ),
            ),
        ),
        DemoCompetency(
            code="CTE.HSC.SAF.2",
            statement="Apply body mechanics, environmental safety, and emergency procedures in health care "
            "settings.",
            student_statement="I can move, lift, and respond to emergencies safely in a health care setting.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.SAF.2.a",
                    "Use proper body mechanics and ergonomics when lifting, positioning, or transferring.",
                    "I can bend, lift, and move patients or objects in ways that protect my back and theirs.",
                ),
                DemoIndicator(
                    "CTE.HSC.SAF.2.b",
                    "Identify environmental hazards and follow emergency procedures, including the RACE and "
                    "PASS fire protocols and safety data sheets.",
                    "I can spot hazards, follow the fire safety steps, and read safety data sheets.",
                ),
                DemoIndicator(
                    "CTE.HSC.SAF.2.c",
                    "Perform CPR and basic first aid according to current certification standards.",
                    "I can do CPR and basic first aid the way I was trained and certified.",
                ),
            ),
        ),
    ),
)

_HSC_CLINICAL = DemoDomain(
    code="CTE.HSC.CLN",
    title="Clinical Skills",
    statement="Perform entry-level clinical skills accurately and safely, and document and report findings.",
    student_statement="I can do basic patient care skills accurately and safely, and record and report what "
    "I find.",
    competencies=(
        DemoCompetency(
            code="CTE.HSC.CLN.1",
            statement="Measure and record vital signs accurately and recognize values outside normal ranges.",
            student_statement="I can take a person's vital signs correctly and notice when a number is not "
            "normal.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.CLN.1.a",
                    "Measure temperature, pulse, respirations, blood pressure, and oxygen saturation "
                    "accurately with manual and electronic equipment.",
                    "I can measure temperature, pulse, breathing rate, blood pressure, and oxygen level with "
                    "manual and electronic tools.",
                ),
                DemoIndicator(
                    "CTE.HSC.CLN.1.b",
                    "Compare measurements with normal ranges for the patient's age and report abnormal "
                    "values promptly to the supervising professional.",
                    "I can compare a patient's numbers with normal ranges for their age and tell my "
                    "supervisor right away when something is off.",
                ),
            ),
        ),
        DemoCompetency(
            code="CTE.HSC.CLN.2",
            statement="Provide basic patient care that promotes safety, comfort, privacy, and dignity.",
            student_statement="I can give basic care that keeps patients safe and comfortable and respects "
            "their privacy.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.CLN.2.a",
                    "Identify the patient with two identifiers and explain each procedure before beginning "
                    "it.",
                    "I can check who a patient is using two pieces of information and explain what I am "
                    "about to do.",
                ),
                DemoIndicator(
                    "CTE.HSC.CLN.2.b",
                    "Assist with positioning, ambulation, and transfers, using assistive devices such as "
                    "gait belts safely.",
                    "I can help patients move, walk, and get in and out of bed safely, using tools like a "
                    "gait belt.",
                ),
                DemoIndicator(
                    "CTE.HSC.CLN.2.c",
                    "Provide care that respects the patient's privacy, dignity, and cultural preferences.",
                    "I can care for patients in ways that respect their privacy, dignity, and culture.",
                ),
            ),
        ),
        DemoCompetency(
            code="CTE.HSC.CLN.3",
            statement="Document and report patient information accurately, objectively, and in a timely "
            "manner.",
            student_statement="I can write down and report patient information correctly, using facts, and "
            "on time.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.CLN.3.a",
                    "Record observations objectively, with approved abbreviations and correct times, in "
                    "paper or electronic health records.",
                    "I can write what I observe as facts, not opinions, using approved abbreviations and the "
                    "correct time.",
                ),
                DemoIndicator(
                    "CTE.HSC.CLN.3.b",
                    "Give a structured verbal report using SBAR (Situation, Background, Assessment, "
                    "Recommendation).",
                    "I can give a short, organized report about a patient using the four SBAR steps.",
                ),
            ),
        ),
    ),
)

_HSC_PROFESSIONALISM = DemoDomain(
    code="CTE.HSC.PRO",
    title="Professionalism, Ethics & Careers",
    statement="Practice the legal, ethical, and professional behaviors of health care workers and plan a "
    "health science career pathway.",
    student_statement="I can act like a health care professional, follow laws and ethics, and plan my path "
    "to a health career.",
    competencies=(
        DemoCompetency(
            code="CTE.HSC.PRO.1",
            statement="Protect patient confidentiality and rights in accordance with HIPAA and the "
            "principles of health care ethics.",
            student_statement="I can keep patient information private and respect patients' rights.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.PRO.1.a",
                    "Explain HIPAA requirements for protecting health information and identify breaches of "
                    "confidentiality.",
                    "I can explain the HIPAA privacy rules and spot when someone breaks them.",
                ),
                DemoIndicator(
                    "CTE.HSC.PRO.1.b",
                    "Apply the ethical principles of autonomy, beneficence, nonmaleficence, and justice, "
                    "including informed consent, to health care scenarios.",
                    "I can use ethics ideas like respecting choices, doing good, avoiding harm, and fairness "
                    "to decide what is right in health care situations.",
                ),
            ),
        ),
        DemoCompetency(
            code="CTE.HSC.PRO.2",
            statement="Demonstrate the professional behaviors and teamwork expected in health care "
            "workplaces.",
            student_statement="I can show the professional behavior and teamwork expected of people who work "
            "in health care.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.PRO.2.a",
                    "Demonstrate punctuality, appropriate appearance, and accountability during clinical or "
                    "work-based learning experiences.",
                    "I can show up on time, dressed the right way, and take responsibility for my work "
                    "during clinical placements.",
                ),
                DemoIndicator(
                    "CTE.HSC.PRO.2.b",
                    "Communicate respectfully with patients, families, and members of the interdisciplinary "
                    "team, adapting to age, culture, and language needs.",
                    "I can talk respectfully with patients, families, and the health care team, and change "
                    "how I talk for age, culture, or language.",
                ),
            ),
        ),
        DemoCompetency(
            code="CTE.HSC.PRO.3",
            statement="Explore health care careers, including their education, credentialing, and working "
            "conditions, and plan a career pathway.",
            student_statement="I can explore health care jobs and the training they need, and plan my own "
            "path.",
            kind=CAREER,
            education_levels=_HS,
            indicators=(
                DemoIndicator(
                    "CTE.HSC.PRO.3.a",
                    "Compare careers across the therapeutic, diagnostic, health informatics, support "
                    "services, and biotechnology research pathways.",
                    "I can compare health jobs in patient care, medical testing, health records, support "
                    "services, and biotechnology.",
                ),
                DemoIndicator(
                    "CTE.HSC.PRO.3.b",
                    "Identify the education, licensure, and certification a chosen career requires and map "
                    "them into a postsecondary plan.",
                    "I can find out what school, licenses, and certificates my chosen job needs and add them "
                    "to my plan for after high school.",
                ),
            ),
        ),
    ),
)

CTE_HEALTH_SCIENCE = DemoFramework(
    key="cte-health-science",
    title="Health Science Career Cluster",
    subject="Career and Technical Education",
    description="Career competencies for the Health Science career cluster, grades 9-12, based on the "
    "National Health Science Standards and earned in courses, clinical placements, and internships.",
    domains=(_HSC_FOUNDATIONS, _HSC_SAFETY, _HSC_CLINICAL, _HSC_PROFESSIONALISM),
)


FRAMEWORKS: tuple[DemoFramework, ...] = (
    GRADUATE_PROFILE,
    MATHEMATICS,
    ELA,
    SCIENCE,
    SOCIAL_STUDIES,
    CTE_HEALTH_SCIENCE,
)


# ------------------------------------------------------------------------------------------------------------
# Rubrics: criteria x the four levels of DEFAULT_SCALE, in teacher and student language
# ------------------------------------------------------------------------------------------------------------


def _criterion(code: str, title: str, *levels: tuple[str, str]) -> DemoRubricCriterion:
    """One criterion; `levels` are (teacher, student) descriptions for levels 1, 2, 3 and 4, in that order."""
    cells = tuple(
        DemoRubricCell(level_value=value, description=teacher, student_description=student)
        for value, (teacher, student) in enumerate(levels, start=1)
    )
    return DemoRubricCriterion(competency_code=code, title=title, cells=cells)


_ARGUMENTATIVE_WRITING = DemoRubric(
    title="Argumentative writing",
    description="For argument essays, position papers, and letters to officials: a claim developed with "
    "evidence and reasoning, answering counterclaims, in an organized, formal style.",
    criteria=(
        _criterion(
            "ELA.WR.1.a",
            "Claim",
            (
                "The claim is missing, unclear, or not arguable; the writer's position cannot be identified.",
                "I do not have a clear claim yet, or my reader cannot tell what I think.",
            ),
            (
                "States a general or partly arguable claim that may shift during the essay; opposing claims "
                "are not distinguished.",
                "I have a claim, but it is general or it changes partway through my writing.",
            ),
            (
                "States a precise, arguable claim, maintains it throughout, and clearly distinguishes it "
                "from opposing claims.",
                "I state a clear claim that people could disagree with, and I stick to it the whole way.",
            ),
            (
                "States a precise, nuanced claim that establishes why the issue matters, acknowledges its "
                "complexity, and frames the structure of the whole argument.",
                "I write a precise, thoughtful claim that shows why the issue matters and sets up how my "
                "whole argument is organized.",
            ),
        ),
        _criterion(
            "ELA.WR.1.b",
            "Evidence and reasoning",
            (
                "Provides little or no evidence, or the evidence is irrelevant or inaccurate; reasoning is "
                "absent.",
                "I give little or no evidence, or my evidence does not connect to my claim.",
            ),
            (
                "Provides some relevant evidence, but it is thin, loosely connected, or summarized without "
                "explaining how it supports the claim.",
                "I include some evidence, but not enough, or I do not explain how it supports my claim.",
            ),
            (
                "Supports each reason with relevant, sufficient evidence from credible sources and explains "
                "how the evidence supports the claim.",
                "I support each reason with enough strong evidence from trustworthy sources and explain how "
                "it proves my point.",
            ),
            (
                "Integrates well-chosen evidence from varied credible sources, analyzes it insightfully, "
                "weighs its strength, and connects it across reasons.",
                "I choose the strongest evidence from different trustworthy sources, explain it deeply, and "
                "show how the pieces work together.",
            ),
        ),
        _criterion(
            "ELA.WR.1.c",
            "Counterclaims",
            (
                "Does not acknowledge opposing views.",
                "I do not mention what people who disagree might say.",
            ),
            (
                "Mentions an opposing view but dismisses it without evidence or misrepresents it.",
                "I mention another side, but I brush it off or describe it unfairly.",
            ),
            (
                "Presents a relevant counterclaim fairly and responds to it with evidence and reasoning.",
                "I explain another side fairly and answer it with evidence.",
            ),
            (
                "Addresses the strongest counterclaims fairly, weighs their strengths and limitations, and "
                "uses the rebuttal to strengthen the argument.",
                "I take on the strongest arguments against mine, show what is right and wrong about them, "
                "and use my answer to make my argument stronger.",
            ),
        ),
        _criterion(
            "ELA.WR.1.d",
            "Organization and style",
            (
                "Organization is hard to follow; transitions, a formal style, or a conclusion are missing.",
                "I jump around in my writing, so it is hard to follow, and I am missing a conclusion.",
            ),
            (
                "Has a basic structure, but transitions are repetitive or missing and the tone sometimes "
                "becomes informal.",
                "I have a beginning, middle, and end, but my transitions are weak or repeated and my tone is "
                "sometimes too casual.",
            ),
            (
                "Follows a logical structure with transitions that clarify how claim, reasons, and evidence "
                "relate, a consistently formal style, and a conclusion that follows from the argument.",
                "I organize my argument logically, connect ideas with transitions, keep a serious tone, and "
                "end with a conclusion that follows from my argument.",
            ),
            (
                "The structure is purposeful and cohesive; varied transitions and precise language create a "
                "compelling flow, and the conclusion extends the argument's significance.",
                "I organize my essay so it flows smoothly, choose precise words, and end by showing why my "
                "argument matters beyond the essay.",
            ),
        ),
    ),
)

_MATHEMATICAL_MODELING = DemoRubric(
    title="Mathematical modeling task",
    description="For open modeling tasks in which students turn a real situation into mathematics, solve it, "
    "interpret the results, and check the model against the situation.",
    criteria=(
        _criterion(
            "MATH.NQ.3.a",
            "Quantities and units",
            (
                "Does not identify the relevant quantities, or units are missing or used inconsistently.",
                "I do not name the important quantities yet, or I leave off or mix up units.",
            ),
            (
                "Identifies some relevant quantities and units but omits key variables or makes errors in "
                "unit conversions.",
                "I name some quantities and units, but I miss important ones or make mistakes converting "
                "units.",
            ),
            (
                "Defines all relevant quantities with units, states assumptions, and tracks units "
                "consistently through the solution.",
                "I define all the important quantities with units, state my assumptions, and keep my units "
                "correct the whole way.",
            ),
            (
                "Defines quantities precisely, justifies assumptions and simplifications, and uses unit "
                "analysis to check whether the model is reasonable.",
                "I define quantities exactly, explain why my assumptions make sense, and use units to check "
                "my model.",
            ),
        ),
        _criterion(
            "MATH.FUN.3",
            "Formulating the model",
            (
                "The model is missing or does not represent the situation, for example the wrong type of "
                "function or no connection to the data.",
                "I do not have a model yet, or my model does not match the situation.",
            ),
            (
                "Chooses a plausible type of function, but its parameters are incorrect or not justified "
                "from the data or description.",
                "I pick a reasonable kind of function, but the numbers in it are off or I do not explain "
                "where they came from.",
            ),
            (
                "Chooses an appropriate model type, justifies the choice (for example constant differences "
                "versus constant ratios), and determines the parameters correctly.",
                "I choose the right kind of model, explain why it fits, and find the right numbers for it.",
            ),
            (
                "Compares alternative models, justifies the choice with evidence such as growth patterns or "
                "residuals, and states the domain in which the model is valid.",
                "I compare different models, use evidence to pick the best one, and explain when my model "
                "stops working.",
            ),
        ),
        _criterion(
            "MATH.FUN.1.b",
            "Interpreting results",
            (
                "Reports numbers without interpretation, or with interpretations that contradict the "
                "context.",
                "I write answers without explaining what they mean, or my explanation does not fit the "
                "situation.",
            ),
            (
                "Interprets some results in context, but interpretations of rates, intercepts, or other "
                "features are incomplete or partly incorrect.",
                "I explain some of my results, but parts of my explanation are missing or wrong.",
            ),
            (
                "Interprets key features and parameters accurately in terms of the quantities and answers "
                "the question posed.",
                "I correctly explain what the important parts of my model mean in the situation, and I "
                "answer the question.",
            ),
            (
                "Interprets results accurately, discusses precision and uncertainty, and makes conclusions "
                "or recommendations that follow from the model.",
                "I explain my results correctly, discuss how exact they are, and make a recommendation based "
                "on my model.",
            ),
        ),
        _criterion(
            "MATH.SP.2.b",
            "Validating and revising",
            (
                "Does not check the model against the data or the situation.",
                "I do not check whether my model matches the data or makes sense.",
            ),
            (
                "Checks the model informally, for example at a single point, but does not revise it when the "
                "fit is poor.",
                "I check my model a little, but I do not change it when it does not fit well.",
            ),
            (
                "Assesses the model's fit using residuals or comparison with data and revises the model when "
                "it is inadequate.",
                "I check how far off my model's predictions are from the data, and I fix my model when it "
                "does not fit.",
            ),
            (
                "Evaluates fit systematically, explains sources of error and limitations, and justifies the "
                "revisions made or the decision not to revise.",
                "I test my model's fit carefully, explain its errors and limits, and explain why I changed "
                "it or kept it.",
            ),
        ),
    ),
)

_SCIENTIFIC_INVESTIGATION = DemoRubric(
    title="Scientific investigation",
    description="For lab investigations and science fair projects: a testable question, a controlled design, "
    "analysis of the data, and an explanation built from evidence.",
    criteria=(
        _criterion(
            "SCI.PRC.1.a",
            "Question and hypothesis",
            (
                "The question is not testable, or the variables are not identified.",
                "I do not have a question I can test yet, or I have not named what I will change and "
                "measure.",
            ),
            (
                "The question is testable, but the hypothesis is vague or the independent and dependent "
                "variables are confused.",
                "I have a question I can test, but my prediction is vague or I mix up what I change and what "
                "I measure.",
            ),
            (
                "Poses a testable question and a hypothesis that names the independent and dependent "
                "variables and predicts a relationship with a scientific rationale.",
                "I ask a testable question and make a prediction that names what I change, what I measure, "
                "and the science reason behind it.",
            ),
            (
                "Poses a focused question grounded in background research; the hypothesis predicts a "
                "specific, measurable relationship with a well-supported rationale.",
                "I build my question on research, and my prediction is specific, measurable, and backed by "
                "solid science.",
            ),
        ),
        _criterion(
            "SCI.PRC.1.b",
            "Experimental design",
            (
                "The procedure is missing steps, does not control variables, or is unsafe.",
                "I am missing steps in my plan, or my plan is not fair or not safe.",
            ),
            (
                "The procedure is mostly complete but controls only some variables or uses too few trials to "
                "be reliable.",
                "I have a plan that mostly works, but I do not keep everything else the same or I do too few "
                "trials.",
            ),
            (
                "The procedure is replicable, controls relevant variables, includes a control or comparison "
                "and repeated trials, and addresses safety.",
                "I write a plan someone else could repeat; it keeps things fair, has a comparison group and "
                "several trials, and is safe.",
            ),
            (
                "The procedure anticipates confounding variables and sources of error, justifies the number "
                "of trials and the precision of measurement, and could be replicated exactly.",
                "I plan for problems before they happen, explain why I chose my number of trials and my "
                "tools, and write steps another scientist could repeat exactly.",
            ),
        ),
        _criterion(
            "SCI.PRC.2.b",
            "Data analysis",
            (
                "Data are missing, disorganized, or displayed in a way that hides patterns.",
                "I have missing or messy data, so patterns are hard to see.",
            ),
            (
                "Data are organized and graphed, but labels, units, or scales contain errors, and patterns "
                "are only partly described.",
                "I organize and graph my data, but I make mistakes in labels, units, or scales, and I only "
                "partly describe the patterns.",
            ),
            (
                "Data are organized in accurate, labeled tables and graphs, and patterns, trends, and "
                "anomalies are identified correctly.",
                "I make correct, labeled tables and graphs, and I correctly describe the patterns and any "
                "odd results.",
            ),
            (
                "Uses appropriate statistics or mathematical relationships to quantify patterns and "
                "variability and discusses the significance of anomalies.",
                "I use math, like averages and ranges, to describe patterns and variation, and I explain why "
                "odd results matter.",
            ),
        ),
        _criterion(
            "SCI.PRC.3",
            "Explanation from evidence",
            (
                "The conclusion is missing or not supported by the data.",
                "I do not have a conclusion yet, or my conclusion does not match my data.",
            ),
            (
                "Makes a claim supported by some data, but the reasoning does not connect the evidence to "
                "scientific principles.",
                "I make a claim with some data, but I do not use science ideas to explain why the data "
                "supports it.",
            ),
            (
                "Makes a claim supported by sufficient evidence, with reasoning that links the evidence to "
                "scientific principles, and identifies limitations of the investigation.",
                "I make a claim with enough evidence, explain the science that connects them, and name the "
                "limits of my investigation.",
            ),
            (
                "Constructs a coherent explanation that rules out alternative explanations, evaluates the "
                "reliability of the evidence, and proposes a next investigation.",
                "I explain my results fully, rule out other explanations, judge how trustworthy my evidence "
                "is, and suggest the next experiment.",
            ),
        ),
    ),
)

_ORAL_PRESENTATION = DemoRubric(
    title="Oral presentation",
    description="For presentations, exhibitions, student-led conferences, and the Senior Demonstration "
    "Project defense: message, delivery, visuals, and answers to questions.",
    criteria=(
        _criterion(
            "GP.COM.2.a",
            "Organization and message",
            (
                "No clear central message; points are listed without a logical order.",
                "I do not have one clear main message yet, and my points are not in a clear order.",
            ),
            (
                "A central message is stated, but some points are off topic or out of sequence.",
                "I have a main message, but some of my points wander off topic or come in a confusing order.",
            ),
            (
                "A clear central message is developed through logically sequenced points, with an "
                "introduction and a conclusion.",
                "I make my main message clear, put my points in a logical order, and have a strong opening "
                "and closing.",
            ),
            (
                "The structure is tailored to the audience, anticipates its questions, and builds to a "
                "memorable, purposeful conclusion.",
                "I organize my talk for my audience, answer their questions before they ask, and end with a "
                "conclusion they will remember.",
            ),
        ),
        _criterion(
            "GP.COM.2.b",
            "Delivery",
            (
                "Reads from notes or slides; volume, pace, or lack of eye contact make the presentation hard "
                "to follow.",
                "I mostly read from my notes or slides, and my voice or speed makes me hard to follow.",
            ),
            (
                "Is generally audible but relies on notes, with inconsistent eye contact or pacing.",
                "I speak loudly enough, but I rely on my notes a lot and do not always look up or keep a "
                "steady pace.",
            ),
            (
                "Speaks clearly at an appropriate volume and pace, maintains eye contact, and uses gestures "
                "that support meaning.",
                "I speak clearly, loudly enough, and not too fast, look at my audience, and use gestures "
                "that help.",
            ),
            (
                "Delivery is confident and natural, adjusting pace, emphasis, and tone in response to the "
                "audience to keep it engaged.",
                "I speak confidently and naturally, and I change my pace and tone to keep my audience "
                "interested.",
            ),
        ),
        _criterion(
            "GP.COM.2.c",
            "Visuals and media",
            (
                "Visuals are missing or inaccurate, or they distract from the message with dense text or "
                "unreadable graphics.",
                "I have visuals that are missing, wrong, or distracting, like slides full of text.",
            ),
            (
                "Visuals relate to the topic but mostly repeat the spoken words or include elements that are "
                "hard to read.",
                "I have visuals on my topic, but they mostly repeat what I say or are hard to read.",
            ),
            (
                "Visuals are accurate and readable, clarify key information, and credit their sources.",
                "I use visuals that are correct and easy to read, help explain key points, and give credit "
                "to sources.",
            ),
            (
                "Visuals are purposefully designed to make complex information clear, are accessible to "
                "every audience member, and are integrated seamlessly with the speech.",
                "I design visuals that make hard ideas easy to understand, work for everyone in the "
                "audience, and fit smoothly with what I say.",
            ),
        ),
        _criterion(
            "GP.COM.2.d",
            "Responding to questions",
            (
                "Does not respond to questions, or the responses are inaccurate.",
                "I have trouble answering questions, or my answers are not correct.",
            ),
            (
                "Responds to questions briefly, with partial accuracy or without supporting detail.",
                "I answer questions, but my answers are short or only partly right.",
            ),
            (
                "Responds accurately with relevant detail and rephrases explanations when listeners are "
                "confused.",
                "I answer questions correctly with details, and I explain things another way if someone is "
                "confused.",
            ),
            (
                "Responds thoughtfully to challenging questions, acknowledges uncertainty, and extends the "
                "discussion with additional evidence.",
                "I answer hard questions thoughtfully, admit what I am not sure about, and add new evidence "
                "to the discussion.",
            ),
        ),
    ),
)

_TEAM_COLLABORATION = DemoRubric(
    title="Collaboration in a team project",
    description="For group projects, labs, and internships: observed over the life of the project by the "
    "teacher, and self- and peer-assessed by the team.",
    criteria=(
        _criterion(
            "GP.COL.1.b",
            "Individual contribution",
            (
                "Rarely completes assigned tasks; the team must redo or cover the work.",
                "I often do not finish my part, so my team has to cover for me.",
            ),
            (
                "Completes some assigned tasks, but the work is late or needs significant revision by "
                "others.",
                "I finish some of my part, but it is late or others have to fix it.",
            ),
            (
                "Completes assigned tasks on time and at a quality the team can build on.",
                "I finish my part on time, and it is good enough for my team to build on.",
            ),
            (
                "Completes tasks on time and with high quality, and takes initiative on additional work that "
                "advances the team's goal.",
                "I finish my part on time and do it well, and I step up to do more that helps the team reach "
                "its goal.",
            ),
        ),
        _criterion(
            "GP.COL.1.c",
            "Monitoring team progress",
            (
                "Is unaware of the team's progress or timeline.",
                "I do not know how my team is doing or what our schedule is.",
            ),
            (
                "Tracks own tasks but notices team problems only when others point them out.",
                "I keep track of my own work, but I only notice team problems when someone tells me.",
            ),
            (
                "Checks team progress against the timeline and helps redistribute work when someone is stuck "
                "or behind.",
                "I check our progress against our schedule and help move work around when someone is stuck "
                "or behind.",
            ),
            (
                "Anticipates obstacles, proposes changes to the plan before deadlines are at risk, and helps "
                "the team reflect on its process.",
                "I see problems coming, suggest changes to our plan before we fall behind, and help my team "
                "think about how we work together.",
            ),
        ),
        _criterion(
            "GP.COL.2",
            "Respectful, inclusive communication",
            (
                "Interrupts, dismisses, or ignores teammates' contributions.",
                "I interrupt or ignore my teammates' ideas.",
            ),
            (
                "Listens and shares ideas but interacts mostly with some teammates, and gives vague "
                "feedback.",
                "I listen and share, but I mostly talk with only some teammates, and my feedback is vague.",
            ),
            (
                "Invites and builds on every teammate's contributions and gives specific, respectful "
                "feedback.",
                "I ask every teammate for ideas, build on them, and give specific, respectful feedback.",
            ),
            (
                "Actively draws out quieter members and differing perspectives, models constructive "
                "feedback, and helps the team integrate ideas.",
                "I make sure quiet voices and different views are heard, show others how to give good "
                "feedback, and help the team combine ideas.",
            ),
        ),
        _criterion(
            "GP.COL.3",
            "Resolving disagreement",
            (
                "Avoids disagreements or escalates them by focusing on personalities.",
                "I avoid disagreements, or I make them worse by making them personal.",
            ),
            (
                "Helps resolve disagreements only when an adult intervenes, or accepts decisions without "
                "contributing to them.",
                "I help settle disagreements only when a teacher steps in, or I go along with decisions "
                "without adding my ideas.",
            ),
            (
                "Discusses disagreements in terms of ideas and evidence and uses a fair process to reach, "
                "and then support, team decisions.",
                "I talk about disagreements using ideas and evidence, use a fair way to decide, and support "
                "the team's decision.",
            ),
            (
                "Helps the team turn disagreement into better solutions by facilitating fair processes and "
                "finding common ground.",
                "I help my team turn disagreements into better ideas by leading a fair process and finding "
                "common ground.",
            ),
        ),
    ),
)

_CLINICAL_PRACTICUM = DemoRubric(
    title="Clinical skills practicum",
    description="For skills check-offs in the health science lab and observed clinical placements. Any step "
    "that puts a patient at risk is scored Beginning, whatever the rest of the performance.",
    criteria=(
        _criterion(
            "CTE.HSC.SAF.1",
            "Infection control",
            (
                "Omits hand hygiene or PPE steps, or breaks technique in a way that risks contamination.",
                "I skip hand cleaning or protective gear steps, or I contaminate something.",
            ),
            (
                "Performs hand hygiene and uses PPE with prompting, or with minor sequence errors that are "
                "self-corrected.",
                "I clean my hands and use protective gear, but I need reminders or fix small mistakes in the "
                "order.",
            ),
            (
                "Performs hand hygiene at every required moment and dons and doffs PPE in the correct "
                "sequence without prompting.",
                "I clean my hands every time I should, and I put on and take off protective gear in the "
                "right order without reminders.",
            ),
            (
                "Maintains technique consistently, explains the rationale for each step, and identifies and "
                "corrects infection risks in the environment.",
                "I keep everything clean every time, explain why each step matters, and spot and fix germ "
                "risks around me.",
            ),
        ),
        _criterion(
            "CTE.HSC.CLN.1",
            "Vital signs",
            (
                "Measurements fall outside the accepted tolerance, or technique is incorrect, such as a "
                "wrong cuff size.",
                "I get measurements that are too far off, or I use the equipment wrong, like the wrong cuff "
                "size.",
            ),
            (
                "Some measurements are within tolerance, but technique needs prompting or abnormal values "
                "are not recognized.",
                "I measure some vital signs accurately, but I need help with technique or I miss numbers "
                "that are not normal.",
            ),
            (
                "Measures all vital signs within the accepted tolerance of the instructor's values, "
                "recognizes abnormal values, and reports them promptly.",
                "I measure all vital signs close to my instructor's numbers, notice abnormal ones, and "
                "report them right away.",
            ),
            (
                "Measures accurately and efficiently, relates abnormal values to the patient's condition, "
                "and anticipates the follow-up the supervising professional will need.",
                "I measure accurately and quickly, connect unusual numbers to the patient's condition, and "
                "think ahead about what my supervisor will need next.",
            ),
        ),
        _criterion(
            "CTE.HSC.CLN.2",
            "Patient safety, comfort, and dignity",
            (
                "Omits patient identification or explanation, or leaves the patient unsafe or exposed.",
                "I forget to check who the patient is or to explain what I am doing, or I leave the patient "
                "unsafe or uncovered.",
            ),
            (
                "Identifies the patient and explains procedures inconsistently; attends to comfort or "
                "privacy only when prompted.",
                "I sometimes check who the patient is and explain what I am doing, but I need reminders "
                "about comfort and privacy.",
            ),
            (
                "Uses two identifiers, explains each procedure, ensures privacy and comfort, and leaves the "
                "patient safe with the bed lowered and the call light in reach.",
                "I check two identifiers, explain each step, protect privacy and comfort, and leave the "
                "patient safe with the call light in reach.",
            ),
            (
                "Adapts communication and care to the patient's age, culture, and needs, building trust "
                "while maintaining every safety practice.",
                "I adjust how I talk and care for each patient's age, culture, and needs, and build trust "
                "while staying safe.",
            ),
        ),
        _criterion(
            "CTE.HSC.CLN.3",
            "Documentation and reporting",
            (
                "Documentation is missing, inaccurate, or subjective, or uses unapproved abbreviations.",
                "I leave out notes, get them wrong, or write opinions instead of facts.",
            ),
            (
                "Documentation is mostly accurate but incomplete, late, or missing times; verbal reports "
                "lack structure.",
                "I write notes that are mostly right but missing parts or times, and my spoken reports are "
                "not organized.",
            ),
            (
                "Documents objectively, completely, and on time with approved abbreviations, and gives a "
                "structured SBAR report.",
                "I write complete, factual notes on time with approved abbreviations, and I give an "
                "organized SBAR report.",
            ),
            (
                "Documentation and reports are concise and precise and put the most clinically significant "
                "information first for the receiving professional.",
                "I keep my notes and reports short and exact, and I put the most important patient "
                "information first.",
            ),
        ),
    ),
)

_HISTORICAL_INQUIRY = DemoRubric(
    title="Historical inquiry with sources",
    description="For document-based questions and inquiry projects in social studies: sourcing, use of "
    "evidence from multiple sources, and causal reasoning.",
    criteria=(
        _criterion(
            "SS.INQ.2.a",
            "Sourcing",
            (
                "Uses sources without identifying their origin, author, purpose, or context.",
                "I use sources without asking who made them, when, or why.",
            ),
            (
                "Identifies the author and date of sources but does not explain how they affect reliability.",
                "I name who made a source and when, but I do not explain how that affects whether I can "
                "trust it.",
            ),
            (
                "Evaluates each source's origin, purpose, audience, and context and explains how they affect "
                "its reliability for the question.",
                "I explain who made each source, why, for whom, and when, and how that affects whether I can "
                "trust it for my question.",
            ),
            (
                "Weighs sources against one another, explains how perspective and context shape each, and "
                "uses the limitations of the sources to qualify conclusions.",
                "I compare sources with each other, explain how each creator's view shaped it, and use their "
                "limits to make my conclusions more careful.",
            ),
        ),
        _criterion(
            "SS.INQ.2.b",
            "Use of evidence",
            (
                "Claims are unsupported or rely on a single source quoted without explanation.",
                "I make claims without support, or I use one quote without explaining it.",
            ),
            (
                "Uses evidence from more than one source, but the evidence is summarized rather than "
                "analyzed.",
                "I use evidence from more than one source, but I mostly retell it instead of explaining what "
                "it shows.",
            ),
            (
                "Synthesizes relevant evidence from multiple sources to support claims and notes what the "
                "evidence cannot show.",
                "I combine evidence from several sources to support my claims and point out what the "
                "evidence cannot show.",
            ),
            (
                "Synthesizes corroborating and conflicting evidence from varied sources, explains "
                "discrepancies, and builds a nuanced argument.",
                "I combine sources that agree and disagree, explain why they differ, and build an argument "
                "that handles the complexity.",
            ),
        ),
        _criterion(
            "SS.HIS.1.a",
            "Causal reasoning",
            (
                "Lists events without explaining causes or effects.",
                "I list events, but I do not explain what caused them or what they caused.",
            ),
            (
                "Identifies causes but does not distinguish long-term causes from triggering events or "
                "explain how they connect.",
                "I name causes, but I do not separate long-term causes from the spark, or explain how they "
                "connect.",
            ),
            (
                "Distinguishes long-term causes from triggering events and explains how they combined to "
                "produce the outcome.",
                "I separate long-term causes from the event that set things off and explain how they worked "
                "together.",
            ),
            (
                "Evaluates the relative significance of multiple causes and explains how historians have "
                "weighed them differently.",
                "I judge which causes mattered most and explain how historians disagree about them.",
            ),
        ),
    ),
)

_GOAL_REFLECTION = DemoRubric(
    title="Goal setting and reflection",
    description="For Student Success Plan reviews and student-led conferences: goals, honest self-assessment "
    "against criteria, and revision in response to feedback.",
    criteria=(
        _criterion(
            "GP.SD.1.a",
            "Goal setting",
            (
                "Goals are missing or vague (for example, 'do better') and not connected to interests or "
                "evidence.",
                "I have no goals yet, or my goals are vague, like 'do better,' and do not connect to what I "
                "care about.",
            ),
            (
                "Goals are stated but are not measurable or not connected to current evidence of learning.",
                "I have goals, but I cannot measure them or they do not connect to how I am actually doing.",
            ),
            (
                "Sets specific, measurable goals with target dates, connected to interests, strengths, and "
                "current evidence of learning.",
                "I set specific goals I can measure, with due dates, that connect to my interests, "
                "strengths, and current work.",
            ),
            (
                "Sets ambitious, realistic goals with milestones, connects them to postsecondary and career "
                "aspirations, and revises them based on progress.",
                "I set goals that stretch me but are realistic, with milestones, show how they lead to my "
                "plans after high school, and update them as I go.",
            ),
        ),
        _criterion(
            "GP.SD.3.a",
            "Self-assessment",
            (
                "Does not assess own work, or rates it without reference to the criteria.",
                "I do not check my own work yet, or I rate it without using the rubric.",
            ),
            (
                "Rates own work against the criteria, but without evidence from the work, or names only "
                "general next steps.",
                "I rate my work with the rubric, but I do not point to proof in my work, or my next steps "
                "are general.",
            ),
            (
                "Assesses own work accurately against each criterion, citing evidence from the work, and "
                "names specific next steps.",
                "I rate my work accurately for each part of the rubric, point to proof in my work, and name "
                "specific next steps.",
            ),
            (
                "Assesses own work accurately across several pieces of evidence, identifies patterns of "
                "strength and need over time, and plans targeted practice.",
                "I look across several pieces of my work, notice patterns in my strengths and needs over "
                "time, and plan practice that targets them.",
            ),
        ),
        _criterion(
            "GP.SD.3.b",
            "Using feedback to revise",
            (
                "Does not revise after feedback, or makes only superficial changes.",
                "I do not revise after feedback, or I only make small surface changes.",
            ),
            (
                "Makes revisions that address some of the feedback but cannot explain why the changes "
                "improve the work.",
                "I fix some things from the feedback, but I cannot explain why my changes make the work "
                "better.",
            ),
            (
                "Revises to address the feedback on each targeted criterion and explains what changed and "
                "why.",
                "I revise to address the feedback on each part and explain what I changed and why.",
            ),
            (
                "Seeks additional feedback, makes substantive revisions beyond those suggested, and reflects "
                "on how revising changed own thinking.",
                "I ask for more feedback, make big improvements beyond what was suggested, and reflect on "
                "how revising changed my thinking.",
            ),
        ),
    ),
)

RUBRICS: tuple[DemoRubric, ...] = (
    _ARGUMENTATIVE_WRITING,
    _MATHEMATICAL_MODELING,
    _SCIENTIFIC_INVESTIGATION,
    _ORAL_PRESENTATION,
    _TEAM_COLLABORATION,
    _CLINICAL_PRACTICUM,
    _HISTORICAL_INQUIRY,
    _GOAL_REFLECTION,
)

"""Who reaches what: every URL rule × every role × every fixture object, requested for real.

`MATRIX` declares, for each (endpoint, method) of `app.url_map`, how to fill the rule's URL with each
fixture object and which roles may reach it for that object. Every cell is requested: an allowed cell
answers 2xx (or the page's redirect after a POST), any other answers 404 as if the object did not
exist, or sends an anonymous visitor to the login page (401 for the API). A refused request, read or
write, changes no row of any table, not even the audit log; an allowed read changes nothing but the
audit log's "view" rows. An endpoint without an entry fails `test_every_rule_is_in_the_matrix`, so a new
route cannot skip the check.

The fixture data is built once for the module inside one transaction that is rolled back at the end;
each request, read or write, is sent inside a savepoint that is rolled back after it, so every cell
starts from the same data. Pages are requested with the role's session cookie, the API with the
role's personal token.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Column
from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from werkzeug.test import TestResponse

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Language
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.enums import OffsetUnit
from lifecycle.enums import ReminderStatus
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.models import AuditEvent
from lifecycle.models import ExitReason
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import Reminder
from lifecycle.models import RoleModel
from lifecycle.models import User
from lifecycle.models.effect_map import Effect
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.models.recruitment_banks import BankKind
from lifecycle.models.talent_pool import PoolSource
from lifecycle.models.workshops import Workshop
from lifecycle.policy import ENDPOINT_RULES
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import create_catalogue_item
from lifecycle.services.activities import resolve_tags
from lifecycle.services.activity_imports import preview_activity_import
from lifecycle.services.calendar import issue_calendar_token
from lifecycle.services.effect_map import link_obstacle
from lifecycle.services.imports import preview_import
from lifecycle.services.imports.candidates import preview_candidate_import
from lifecycle.services.introductions import MilestoneValues
from lifecycle.services.introductions import add_milestone
from lifecycle.services.introductions import create_template
from lifecycle.services.introductions import launch_introduction
from lifecycle.services.journey import move_to_stage
from lifecycle.services.mentoring import mark_role_model
from lifecycle.services.mentoring import start_mentorship
from lifecycle.services.obstacles import ObstacleChange
from lifecycle.services.obstacles import change_obstacle
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.offboarding import checklist_of
from lifecycle.services.plan_proposals import propose_goals
from lifecycle.services.plans import add_comment
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import InterviewValues
from lifecycle.services.recruitment import ScoreValue
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import move_candidate
from lifecycle.services.recruitment import save_draft
from lifecycle.services.recruitment import schedule_interview
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import submit_scorecard
from lifecycle.services.recruitment.banks import entries_of
from lifecycle.services.talent_pool import ProfileValues
from lifecycle.services.talent_pool import add_new_person_to_pool
from lifecycle.services.tokens import create_token
from lifecycle.services.workshops import GoalDraft
from lifecycle.services.workshops import PillarOutcome
from lifecycle.services.workshops import WorkshopValues
from lifecycle.services.workshops import plan_workshop
from lifecycle.services.workshops import record_outcome
from lifecycle.services.workshops import remove_participant
from lifecycle.services.workshops.guide import guide_for
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today
from tests.conftest import _ConnectionBoundSession
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

# -- roles ---------------------------------------------------------------------------------------------

ANON = "anonymous"
ADMIN = "admin"
HR = "hr"
MGR_A = "manager A"
MGR_B = "manager B"
LINE = "A's line manager"
MENTOR = "A's mentor"
INTERVIEWER = "interviewer"
ROLES = (ANON, ADMIN, HR, MGR_A, MGR_B, LINE, MENTOR, INTERVIEWER)

Roles = frozenset[str]
EVERYONE: Roles = frozenset(ROLES)
SIGNED_IN: Roles = EVERYONE - {ANON}
NOBODY: Roles = frozenset()
STAFF: Roles = frozenset({ADMIN, HR})
#: who sees A's record (profile, API): HR, A, and A's line manager
SEE_A: Roles = STAFF | {MGR_A, LINE}
SEE_B: Roles = STAFF | {MGR_B}
#: who reads A's development plan: also A's mentor
PLAN_A: Roles = SEE_A | {MENTOR}
PLAN_B: Roles = SEE_B
#: who comments on A's plan and completes A's reviews: the line manager and HR
COMMENT_A: Roles = STAFF | {LINE}
COMMENT_B: Roles = STAFF
#: who assesses in A's reviews: A and the line manager
ASSESS_A: Roles = frozenset({MGR_A, LINE})


# -- the fixture data ------------------------------------------------------------------------------------


@dataclass
class Side:
    """Manager A's or B's things, by id."""

    manager: int
    name: str
    number: str
    email: str
    goal: int
    review: int
    activity: int
    comment: int
    token: int
    calendar: str
    reminder: int
    #: a goal the recruitment proposed in the side's plan
    proposal: int = 0


@dataclass
class World:
    users: dict[str, int]
    emails: dict[str, str]
    secrets: dict[str, str]
    a: Side
    b: Side
    line_number: str
    mentor_number: str
    interview: int
    group_activity: int
    catalogue_item: int
    template: int
    other_template: int
    milestone: int
    manager_import: int
    activity_import: int
    candidate_import: int
    expectation: int
    unit: int
    vacancy: int
    hidden_vacancy: int
    candidacy: int
    #: a candidate at the offer step, whom HR or the hiring manager (A's line manager) hands over
    offer: int
    pool_member: int
    recruitment_interview: int
    trust: int
    #: the expectation the vacancy weighs (leader.trust)
    weighed_expectation: int
    #: the first question of the question bank for `expectation`, in Swedish
    bank_entry: int
    #: A's private obstacle, owned by the interviewer; B's shared one (all managers share one unit)
    obstacle: int
    shared_obstacle: int
    today: str
    later: str
    # -- mentoring: the mentor is a role model in a running mentorship of A
    role_model: int = 0
    mentorship: int = 0
    mentor_manager: int = 0
    # -- workshops ----
    #: a planned workshop of the unit (A and A's line manager take part; the interviewer facilitates),
    #: the same group's held one with A's goal, a line manager's manager id, a guide question
    workshop: int = 0
    held_workshop: int = 0
    group_goal: int = 0
    workshop_member: int = 0
    question: int = 0
    leader_pillar: int = 0
    # -- offboarding ----
    #: a manager in offboarding whose line manager is A's (no role of the matrix is them), a task of
    #: their checklist and one of HR's reasons for leaving
    offboarding_manager: int = 0
    offboarding_task: int = 0
    exit_reason: int = 0
    # -- effect map ----
    #: Örebro's "goal attainment" effect (A's private and B's shared obstacle linked to it), its first
    #: driver, and the obstacle "learning organisation" describes in words
    effect: int = 0
    effect_driver: int = 0
    effect_obstacle: int = 0

    def side(self, key: str) -> Side:
        return self.a if key == "A" else self.b


def build_world() -> World:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    today = local_today()
    unit = make_unit("Matrisförvaltningen")
    line = make_manager("Lage Linjechef", with_account=True, org_unit=unit)
    mentor = make_manager("Maja Mentorsson", with_account=True, org_unit=unit)
    alva = make_manager("Alva Matrisson", with_account=True, org_unit=unit, line_manager=line)
    alva.mentor = mentor
    mark_role_model(mentor, pillar_keys=["leader"], expectation_keys=[], capacity=2, actor=None)
    bertil = make_manager("Bertil Matrisson", with_account=True, org_unit=unit)
    admin = make_user(Role.ADMIN, name="Adam Admin")
    hr = make_user(Role.HR, name="Hanna Personal")
    interviewer = make_user(Role.MANAGER, name="Ivar Intervjuare")
    users: dict[str, User] = {
        ADMIN: admin,
        HR: hr,
        MGR_A: alva.user,  # type: ignore[dict-item]
        MGR_B: bertil.user,  # type: ignore[dict-item]
        LINE: line.user,  # type: ignore[dict-item]
        MENTOR: mentor.user,  # type: ignore[dict-item]
        INTERVIEWER: interviewer,
    }
    db.session.flush()
    trust = db.session.scalar(select(Expectation).where(Expectation.key == "leader.trust"))
    feedback = db.session.scalar(select(Expectation).where(Expectation.key == "leader.feedback"))
    assert trust is not None and feedback is not None
    pillars, _none = resolve_tags(["leader"], [])
    tokens = {role: create_token(user, "matris") for role, user in users.items()}
    calendars = {role: issue_calendar_token(user) for role, user in users.items()}

    def side(manager: Manager) -> Side:
        plan = ensure_plan(manager, today)
        goal = add_goal(plan, title=f"Mål för {manager.name}", expectations=[trust])
        comment = add_comment(plan, hr, f"Kommentar till {manager.name}")
        activity = add_activity(
            kind=ActivityKind.COURSE,
            title=f"Kurs för {manager.name}",
            participants=[manager],
            pillars=pillars,
            actor=hr,
            due_on=today + timedelta(days=20),
        )
        reminder = db.session.scalar(select(Reminder).where(Reminder.activity_id == activity.id).limit(1))
        assert reminder is not None, "an activity with a date has its reminders"
        db.session.execute(
            update(Reminder).where(Reminder.id == reminder.id).values(status=ReminderStatus.FAILED)
        )
        user = manager.user
        assert user is not None and manager.employee_number
        return Side(
            manager=manager.id,
            name=manager.name,
            number=manager.employee_number,
            email=user.email,
            goal=goal.id,
            review=plan.reviews[0].id,
            activity=activity.id,
            comment=comment.id,
            token=tokens[MGR_A if manager is alva else MGR_B][0].id,
            calendar=calendars[MGR_A if manager is alva else MGR_B],
            reminder=reminder.id,
        )

    a, b = side(alva), side(bertil)
    interview = add_activity(
        kind=ActivityKind.INTERVIEW,
        title="Intervju med Alva",
        participants=[alva],
        pillars=pillars,
        actor=hr,
        responsible=interviewer,
        due_on=today + timedelta(days=5),
    )
    group = add_activity(
        kind=ActivityKind.WORKSHOP,
        title="Gemensam workshop",
        participants=[alva, bertil],
        pillars=pillars,
        actor=hr,
        due_on=today + timedelta(days=10),
    )
    item = create_catalogue_item(
        title="Ledarskapsprogram", kind=ActivityKind.COURSE, description="", pillars=pillars, expectations=[]
    )
    template = create_template("Matrisprogrammet")
    milestone = add_milestone(
        template,
        MilestoneValues(
            title="Första veckan",
            offset_amount=1,
            offset_unit=OffsetUnit.WEEKS,
            responsible_role=ResponsibleRole.LINE_MANAGER,
            pillar_keys=["leader"],
        ),
    )
    other_template = create_template("Tomt program")
    for manager in (alva, bertil):
        launch_introduction(manager, template, hr, today)
    manager_csv = (
        b"employee_number;name;email;title;unit_path;line_manager_employee_number;start_date;stage\r\n"
        b"Z900;Zelda Importerad;zelda@kommun.example;Enhetschef;;;2026-01-01;develop\r\n"
    )
    activity_csv = (
        "employee_numbers;kind;title;pillars;expectations;due_on;completed_on;description;reference\r\n"
        f"{a.number};course;Importerad kurs;leader;;{(today + timedelta(days=30)).isoformat()};;;MATRIS-1\r\n"
    ).encode()
    manager_import = preview_import(manager_csv, "chefer.csv", uploaded_by=hr, today=today)
    activity_import = preview_activity_import(activity_csv, "kurser.csv", uploaded_by=hr, today=today)
    vacancy = create_vacancy(
        VacancyValues(title="Matrisvakans", org_unit=unit, hiring_manager=line.user, hr_partner=hr), hr
    )
    set_weights(vacancy, {trust: 3})
    set_recruitment_group(vacancy, [interviewer])
    set_status(vacancy, VacancyStatus.OPEN, today)
    candidacy = add_candidate(vacancy, alva, hr, today)
    offer = add_external_candidate(
        vacancy, name="Olga Erbjuden", email="olga@example.se", actor=hr, applied_on=today
    )
    move_candidate(offer, CandidateStep.OFFER)
    for manager, its in ((alva, a), (bertil, b)):
        its.proposal = propose_goals(ensure_plan(manager, today), [feedback], candidacy)[0].id
    hidden = create_vacancy(VacancyValues(title="Dold vakans", org_unit=unit), hr)
    pool_member = add_new_person_to_pool(
        name="Petra Poolsson",
        email="petra.poolsson@example.org",
        employee_number=None,
        values=ProfileValues(PoolSource.EXTERNAL_CONTACT, today - timedelta(days=10), pillars=pillars),
        actor=hr,
        today=today,
    )
    candidate_import = preview_candidate_import(CANDIDATE_CSV, "kandidater.csv", hr, today, vacancy)
    # A's interview for the vacancy: the interviewer's scorecard is submitted, the hiring manager (A's
    # line manager, also on the panel) has a draft. The vacancy goes back to open, as the cases expect.
    recruitment_interview = schedule_interview(
        candidacy,
        InterviewValues(
            starts_at=datetime.combine(today + timedelta(days=5), time(10), tzinfo=STOCKHOLM),
            interviewers=[interviewer, line.user],  # type: ignore[list-item]
        ),
        hr,
    )
    submit_scorecard(candidacy, interviewer, {trust.id: ScoreValue(4, "Matrisbevis")})
    save_draft(candidacy, line.user, {trust.id: ScoreValue(2, "Utkastbevis")})  # type: ignore[arg-type]
    set_status(vacancy, VacancyStatus.OPEN, today)
    question = entries_of(BankKind.QUESTION, [feedback.id], Language.SV)[feedback.id][0]
    private_obstacle = report_obstacle(
        reporter=alva,
        unit=unit,
        title="Alvas hinder",
        description="",
        severity=ObstacleSeverity.HIGH,
        shared=False,
        pillar_ids=[],
        expectation_ids=[trust.id],
        actor=alva.user,
    )
    change_obstacle(private_obstacle, ObstacleChange(ObstacleStatus.REPORTED, interviewer, None), hr)
    shared_obstacle = report_obstacle(
        reporter=bertil,
        unit=unit,
        title="Bertils delade hinder",
        description="",
        severity=ObstacleSeverity.LOW,
        shared=True,
        pillar_ids=[pillars[0].id],
        expectation_ids=[],
        actor=bertil.user,
    )
    # -- mentoring: A's mentor reads A's plan while this runs
    mentorship = start_mentorship(
        mentor=mentor,
        mentee=alva,
        starts_on=today,
        ends_on=today + timedelta(days=180),
        goals="Feedback i ledningsgruppen",
        cadence_weeks=4,
        actor=hr,
    )
    # -- workshops ----
    workshops = _workshop_world(unit, hr, interviewer, alva, line, [bertil, mentor], today)
    # -- offboarding ----
    offboarding = _offboarding_world(unit, hr, line, today)
    # -- effect map ----
    effect_map = _effect_map_world(private_obstacle, shared_obstacle)
    db.session.flush()
    assert line.employee_number and mentor.employee_number
    return World(
        **workshops,
        **offboarding,
        **effect_map,  # -- effect map ----
        users={role: user.id for role, user in users.items()},
        emails={role: user.email for role, user in users.items()},
        secrets={role: secret for role, (_token, secret) in tokens.items()},
        a=a,
        b=b,
        line_number=line.employee_number,
        mentor_number=mentor.employee_number,
        interview=interview.id,
        group_activity=group.id,
        catalogue_item=item.id,
        template=template.id,
        other_template=other_template.id,
        milestone=milestone.id,
        manager_import=manager_import.id,
        activity_import=activity_import.id,
        candidate_import=candidate_import.id,
        expectation=feedback.id,
        unit=unit.id,
        vacancy=vacancy.id,
        hidden_vacancy=hidden.id,
        candidacy=candidacy.id,
        offer=offer.id,
        pool_member=pool_member.id,
        recruitment_interview=recruitment_interview.id,
        trust=trust.id,
        weighed_expectation=trust.id,
        bank_entry=question.id,
        obstacle=private_obstacle.id,
        shared_obstacle=shared_obstacle.id,
        today=today.isoformat(),
        later=(today + timedelta(days=60)).isoformat(),
        role_model=db.session.scalar(select(RoleModel.id).where(RoleModel.manager_id == mentor.id)) or 0,
        mentor_manager=mentor.id,
        mentorship=mentorship.id,
    )


def _workshop_world(
    unit: Any, hr: User, facilitator: User, owner: Manager, member: Manager, others: list[Manager], today: Any
) -> dict[str, int]:
    """A planned and a held workshop of the unit's group (without `others`), a goal and a question."""
    leader = db.session.scalar(select(Pillar).where(Pillar.key == "leader"))
    assert leader is not None

    def plan(day: Any) -> Workshop:
        workshop = plan_workshop(
            unit,
            WorkshopValues(
                "Matrisworkshop", datetime.combine(day, time(9), tzinfo=STOCKHOLM), facilitator, [leader.id]
            ),
            hr,
        )
        for other in others:
            remove_participant(workshop, other.id, hr)
        return workshop

    planned = plan(today + timedelta(days=14))
    held = plan(today - timedelta(days=1))
    recorded = record_outcome(
        held,
        [
            PillarOutcome(
                leader.id, "Matrisanteckning", [GoalDraft("Matrismål", owner.id, today + timedelta(days=30))]
            )
        ],
        hr,
        today,
    )
    question = guide_for([leader.id], Language.SV)[leader.id][0]
    return {
        "workshop": planned.id,
        "held_workshop": held.id,
        "group_goal": recorded.goals[0].id,
        "workshop_member": member.id,
        "question": question.id,
        "leader_pillar": leader.id,
    }


# -- offboarding ----
def _offboarding_world(unit: Any, hr: User, line: Manager, today: Any) -> dict[str, int]:
    """A manager of A's line manager in offboarding, with the checklist entering it launched."""
    leaving = make_manager("Cecilia Avgående", with_account=True, org_unit=unit, line_manager=line)
    leaving.hr_partner = hr
    move_to_stage(leaving, Stage.OFFBOARD, hr, "Går i pension", today, end_date=today + timedelta(days=60))
    checklist = checklist_of(leaving.id)
    assert checklist is not None
    task = next(t for t in checklist.tasks if t.kind is not ActivityKind.EXIT_INTERVIEW)
    reason = db.session.scalar(select(ExitReason).where(ExitReason.code == "pension"))
    assert reason is not None
    return {"offboarding_manager": leaving.id, "offboarding_task": task.id, "exit_reason": reason.id}


# -- effect map ----
def _effect_map_world(*obstacles: Any) -> dict[str, int]:
    """Örebro's map as its file seeds it, with the two obstacles of the log linked to "goal attainment"."""
    effect = db.session.scalar(select(Effect).where(Effect.seed_key == "goal_attainment"))
    learning = db.session.scalar(select(Effect).where(Effect.seed_key == "learning_organisation"))
    assert effect is not None and learning is not None
    for obstacle in obstacles:
        link_obstacle(effect, obstacle)
    return {
        "effect": effect.id,
        "effect_driver": effect.drivers[0].id,
        "effect_obstacle": learning.obstacles[0].id,
    }


# -- the matrix ------------------------------------------------------------------------------------------

Values = Callable[[World], dict[str, Any]]


def _none(w: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case:
    """One way to fill a rule's URL: the object it names, and the roles that may reach it."""

    target: str
    allowed: Roles
    url: Values = _none
    #: the query string; `__M__` in it stands for the id of the target side's manager
    query: Callable[[World], str] = lambda w: ""
    #: the form (pages) or JSON body (API) sent with a write; `__N__` in a form value stands for the
    #: target side's employee number
    body: Values = _none
    #: an allowed write must change some row besides the audit log's (proves the view accepts the body)
    writes: bool = False
    #: the audit actions an allowed read may log (reading someone else's data logs a "view")
    logs: frozenset[str] = frozenset({"view"})
    #: the write ends the session it is sent in: use a browser logged in for this cell alone
    own_session: bool = False
    #: marker → roles whose response must contain it; every other allowed role's must not
    sees: dict[str, Roles] = field(default_factory=dict)
    #: the response is a spreadsheet, to be read before looking for markers
    xlsx: bool = False


def on(side: str, allowed: Roles, url: Callable[[Side, World], dict[str, Any]], **options: Any) -> Case:
    """A case whose URL names something of manager A ("A") or B ("B")."""
    return Case(target=side, allowed=allowed, url=lambda w: url(w.side(side), w), **options)


def both(
    allowed_a: Roles, allowed_b: Roles, url: Callable[[Side, World], dict[str, Any]], **options: Any
) -> list[Case]:
    return [on("A", allowed_a, url, **options), on("B", allowed_b, url, **options)]


def plain(allowed: Roles, **options: Any) -> list[Case]:
    """The one case of a rule without URL values."""
    return [Case(target="-", allowed=allowed, **options)]


def _manager(s: Side, w: World) -> dict[str, Any]:
    return {"manager_id": s.manager}


def _offered(w: World) -> dict[str, Any]:
    return {"vacancy_id": w.vacancy, "candidacy_id": w.offer}


def _applied(w: World) -> dict[str, Any]:
    return {"vacancy_id": w.vacancy, "candidacy_id": w.candidacy}


def _hand_over_cases(*more: Case) -> list[Case]:
    """Handing over the candidate with an offer, and one named under another vacancy."""
    start = {"body": lambda w: {"start_on": w.later, "reason": "Bäst meriterad"}}
    return [
        Case("candidate with an offer", HIRING, url=_offered, writes=True, **start),
        *more,
        Case(
            "candidate of another vacancy",
            NOBODY,
            url=lambda w: {"vacancy_id": w.hidden_vacancy, "candidacy_id": w.offer},
            **start,
        ),
    ]


def _review(s: Side, w: World) -> dict[str, Any]:
    return {"manager_id": s.manager, "review_id": s.review}


def _edit_form(s: Side, w: World) -> dict[str, Any]:
    is_a = s is w.a
    return {
        "name": s.name,
        "employee_number": s.number,
        "email": s.email,
        "title": "Förvaltningschef",
        "org_unit_id": "0",
        "hr_partner_id": "0",
        "line_manager_number": w.line_number if is_a else "",
        "mentor_number": w.mentor_number if is_a else "",
        "start_date": "",
        "end_date": "",
    }


def _pool_member(w: World) -> dict[str, Any]:
    return {"profile_id": w.pool_member}


def _move_form(s: Side, w: World) -> dict[str, Any]:
    return {"to_stage": "offboard", "reason": "Går vidare", "effective_date": w.today, "end_date": w.later}


def _milestone_form(w: World) -> dict[str, Any]:
    return {
        "title": "Andra veckan",
        "offset_amount": "2",
        "offset_unit": "weeks",
        "responsible_role": "line_manager",
        "pillars": "leader",
    }


MANAGER_CSV = (
    b"employee_number;name;email;title;unit_path;line_manager_employee_number;start_date;stage\r\n"
    b"Z901;Ylva Uppladdad;;Enhetschef;;;2026-01-01;develop\r\n"
)
CANDIDATE_CSV = (
    "Förnamn;Efternamn;E-post;Telefon;Ansökningsdatum;Ansöknings-ID\r\n"
    "Karin;Kandidat;karin.kandidat@example.org;070-1234567;2026-01-10;VARBI-1\r\n"
).encode()
ACTIVITY_JSON = {"kind": "course", "title": "Kurs via API", "pillars": ["leader"]}
NAMES = {
    "A": "Alva Matrisson",
    "B": "Bertil Matrisson",
    "V": "Matrisvakans",
    "H": "Dold vakans",
    # the interviewer's submitted evidence, the hiring manager's draft, the interviewer's name in the matrix
    "E": "Matrisbevis",
    "D": "Utkastbevis",
    "I": "Ivar Intervjuare",
}
#: who sees the vacancy: HR, its hiring manager (A's line manager) and its recruitment group
VACANCY: Roles = STAFF | {LINE, INTERVIEWER}
#: who hires for the vacancy and hands the hire over to introduction: HR and its hiring manager
HIRING: Roles = STAFF | {LINE}
#: who schedules its interviews and records its decision: HR and the hiring manager
SCHEDULE: Roles = STAFF | {LINE}
#: A's scorecards: the interviewer's submitted one is read by HR and its author; the hiring manager,
#: who interviews A too and has not submitted, reads only their own draft
SCORECARDS_OF_A = {"E": STAFF | {INTERVIEWER}, "D": frozenset({LINE})}


def _candidacy(w: World) -> dict[str, Any]:
    return {"vacancy_id": w.vacancy, "candidacy_id": w.candidacy}


def _interview(w: World) -> dict[str, Any]:
    return {**_candidacy(w), "interview_id": w.recruitment_interview}


def _interview_form(w: World) -> dict[str, Any]:
    return {
        "starts_on": w.later,
        "starts_time": "10:00",
        "duration_minutes": "60",
        "location": "Rum 2",
        "interviewers": str(w.users[INTERVIEWER]),
    }


#: whose own name a page shows in its header
OWNERS = {"A": MGR_A, "B": MGR_B, "I": INTERVIEWER}
BOTH_SEEN = {"A": SEE_A, "B": SEE_B}
#: what a download of personal data logs
EXPORTED = frozenset({"export"})

#: (endpoint, method) → the cases requested for every role
#: who reports obstacles: the managers with a unit (all four share one)
REPORTERS: Roles = frozenset({MGR_A, MGR_B, LINE, MENTOR})
#: A's private obstacle: HR, A, and its owner (the interviewer); B's shared one: HR and every manager
PRIVATE_OBSTACLE: Roles = STAFF | {MGR_A, INTERVIEWER}
SHARED_OBSTACLE: Roles = STAFF | REPORTERS


def _obstacle_form(w: World) -> dict[str, Any]:
    return {"title": "Nytt hinder", "severity": "medium", "expectations": str(w.trust)}


def _obstacle_cases(private: Roles, shared: Roles, **options: Any) -> list[Case]:
    """A's private obstacle, B's shared one, and one that does not exist."""
    return [
        Case("private obstacle", private, url=lambda w: {"obstacle_id": w.obstacle}, **options),
        Case("shared obstacle", shared, url=lambda w: {"obstacle_id": w.shared_obstacle}, **options),
        Case("no such obstacle", NOBODY, url=lambda w: {"obstacle_id": 2_000_000_000}, **options),
    ]


# -- mentoring -------------------------------------------------------------------------------------------

#: A's mentorship: HR, A and A's mentor
MENTORSHIP_OF_A: Roles = STAFF | {MGR_A, MENTOR}


def _role_model_form(w: World, number: str | None) -> dict[str, Any]:
    form = {"pillars": "leader", "capacity": "2", "study_note": "Lyssnar"}
    return {**form, "employee_number": number} if number else form


def _role_model_cases(allowed: Roles, **options: Any) -> list[Case]:
    return [
        Case("role model", allowed, url=lambda w: {"role_model_id": w.role_model}, **options),
        Case("no such role model", NOBODY, url=lambda w: {"role_model_id": 2_000_000_000}, **options),
    ]


def _mentorship_cases(allowed: Roles, **options: Any) -> list[Case]:
    return [
        Case("mentorship of A", allowed, url=lambda w: {"mentorship_id": w.mentorship}, **options),
        Case("no such mentorship", NOBODY, url=lambda w: {"mentorship_id": 2_000_000_000}, **options),
    ]


def _mentorship_form(w: World) -> dict[str, Any]:
    return {
        "mentor_number": w.mentor_number,
        "starts_on": w.today,
        "ends_on": w.later,
        "goals": "Delegera mer",
        "cadence_weeks": "4",
    }


def _mentorship_json(w: World) -> dict[str, Any]:
    return {
        "mentor_id": w.mentor_manager,
        "mentee_id": w.b.manager,
        "starts_on": w.today,
        "ends_on": w.later,
        "goals": "Delegera mer",
        "cadence_weeks": 4,
    }


MATRIX: dict[tuple[str, str], list[Case]] = {
    # -- public and personal pages --
    ("static", "GET"): plain(EVERYONE, url=lambda w: {"filename": "css/app.css"}),
    ("system.health", "GET"): plain(EVERYONE),
    ("auth.login", "GET"): plain(EVERYONE),
    # a wrong password: the form again, with its error (a signed-in user is sent to the start page)
    ("auth.login", "POST"): plain(
        EVERYONE, body=lambda w: {"email": w.emails[HR], "password": "not the password"}
    ),
    ("auth.logout", "POST"): plain(SIGNED_IN, writes=True, own_session=True),
    ("auth.forgot_password", "GET"): plain(EVERYONE),
    # the same answer whether or not the account exists; the link is e-mailed, never shown
    ("auth.forgot_password", "POST"): plain(EVERYONE, body=lambda w: {"email": w.emails[MGR_A]}),
    # a link that was never sent is refused for everyone, signed in or not
    ("auth.reset_password", "GET"): [
        Case(target="unknown link", allowed=NOBODY, url=lambda w: {"secret": "x" * 43}),
        # the form's own address, in a browser that opened no link
        Case(target="no link opened", allowed=NOBODY),
    ],
    ("auth.reset_password", "POST"): [
        Case(
            target="no link opened",
            allowed=NOBODY,
            body=lambda w: {
                "new_password": "blå cykel under äppelträdet",
                "repeat_password": "blå cykel under äppelträdet",
            },
        )
    ],
    ("auth.change_password", "GET"): plain(SIGNED_IN),
    ("auth.change_password", "POST"): plain(
        SIGNED_IN,
        body=lambda w: {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase for the matrix",
            "repeat_password": "a brand new passphrase for the matrix",
        },
        writes=True,
        own_session=True,
    ),
    ("main.index", "GET"): plain(SIGNED_IN, sees={"A": frozenset({MGR_A, LINE}), "B": frozenset({MGR_B})}),
    ("account.settings", "GET"): plain(SIGNED_IN),
    ("account.settings", "POST"): plain(SIGNED_IN, body=lambda w: {"language": "en"}, writes=True),
    ("account.tokens", "GET"): plain(SIGNED_IN),
    ("account.tokens", "POST"): plain(SIGNED_IN, body=lambda w: {"name": "Ny nyckel"}, writes=True),
    ("account.revoke", "POST"): both(
        frozenset({MGR_A}), frozenset({MGR_B}), lambda s, w: {"token_id": s.token}, writes=True
    ),
    # the feed's address is its credential: whoever holds it reads it, an unknown one is a 404
    ("calendar.feed", "GET"): [
        on("A", EVERYONE, lambda s, w: {"token": s.calendar}, sees={"A": EVERYONE}),
        Case(target="unknown feed", allowed=NOBODY, url=lambda w: {"token": "x" * 43}),
    ],
    ("calendar.issue", "POST"): plain(SIGNED_IN, writes=True),
    ("calendar.revoke", "POST"): plain(SIGNED_IN, writes=True),
    ("platform.show", "GET"): plain(SIGNED_IN),
    ("reminders.preferences", "POST"): plain(SIGNED_IN, body=lambda w: {"delivery": "digest"}, writes=True),
    # -- a manager's record --
    ("managers.detail", "GET"): both(SEE_A, SEE_B, _manager),
    ("managers.audit_trail", "GET"): both(STAFF, STAFF, _manager),
    # -- personal data (GDPR) --
    # a download of someone's data is logged as an export, not a view
    ("gdpr.export", "GET"): both(STAFF, STAFF, _manager, logs=EXPORTED),
    ("gdpr.anonymise", "GET"): both(STAFF, STAFF, _manager),
    ("gdpr.anonymise", "POST"): [
        on("A", STAFF, _manager, body=lambda w: {"confirm_name": w.a.name}, writes=True),
        on("B", STAFF, _manager, body=lambda w: {"confirm_name": w.b.name}, writes=True),
    ],
    # one's own data only: A's download names A, never B, and the reverse
    ("gdpr.my_data", "GET"): plain(
        SIGNED_IN, sees={"A": frozenset({MGR_A}), "B": frozenset({MGR_B})}, logs=EXPORTED
    ),
    ("managers.move", "GET"): both(STAFF, STAFF, _manager),
    ("managers.move", "POST"): both(STAFF, STAFF, _manager, body=lambda w: _move_form(w.a, w), writes=True),
    ("managers.edit", "GET"): both(STAFF, STAFF, _manager),
    ("managers.edit", "POST"): [
        on("A", STAFF, _manager, body=lambda w: _edit_form(w.a, w), writes=True),
        on("B", STAFF, _manager, body=lambda w: _edit_form(w.b, w), writes=True),
    ],
    ("managers.suggest", "GET"): plain(SIGNED_IN, query=lambda w: "q=Matrisson", sees=BOTH_SEEN),
    # Everyone of the world already logs in: HR's invitation is refused with a message, never a 500.
    ("invitations.invite_one", "POST"): both(STAFF, STAFF, _manager),
    ("invitations.withdraw_one", "POST"): both(STAFF, STAFF, _manager),
    ("invitations.invite_selection", "GET"): plain(STAFF, query=lambda w: "q=Matrisson"),
    ("invitations.invite_selection", "POST"): plain(STAFF, query=lambda w: "q=Matrisson"),
    ("invitations.accept", "GET"): [
        Case(target="unknown link", allowed=NOBODY, url=lambda w: {"secret": "x" * 43}),
        Case(target="no link opened", allowed=NOBODY),
    ],
    ("invitations.accept", "POST"): [
        Case(
            target="no link opened",
            allowed=NOBODY,
            body=lambda w: {
                "new_password": "blå cykel under äppelträdet",
                "repeat_password": "blå cykel under äppelträdet",
            },
        )
    ],
    ("introductions.launch", "POST"): both(
        STAFF,
        STAFF,
        _manager,
        body=lambda w: {"template_id": str(w.template), "start_date": w.later},
        writes=True,
    ),
    # -- HR's pages --
    ("pipeline.board", "GET"): plain(STAFF, sees={"A": STAFF, "B": STAFF}),
    ("insight.coverage", "GET"): plain(STAFF),
    ("insight.coverage_csv", "GET"): plain(STAFF),
    ("insight.uncovered", "GET"): plain(STAFF),
    ("insight.uncovered_csv", "GET"): plain(STAFF),
    ("activities.catalogue", "GET"): plain(STAFF),
    ("activities.new_catalogue_item", "GET"): plain(STAFF),
    ("activities.new_catalogue_item", "POST"): plain(
        STAFF, body=lambda w: {"title": "Ny kurs", "kind": "course", "pillars": "leader"}, writes=True
    ),
    ("activities.toggle_catalogue_item", "POST"): [
        Case(
            "catalogue item",
            STAFF,
            url=lambda w: {"item_id": w.catalogue_item},
            body=lambda w: {"active": "0"},
        )
    ],
    ("activities.new_activity", "GET"): [
        *plain(STAFF),
        *both(STAFF, STAFF, lambda s, w: {}, query=lambda w: "manager=__M__"),
    ],
    ("activities.new_activity", "POST"): both(
        STAFF,
        STAFF,
        lambda s, w: {},
        query=lambda w: "manager=__M__",
        body=lambda w: {
            "title": "HR:s aktivitet",
            "kind": "course",
            "pillars": "leader",
            "participants": "__N__",
        },
        writes=True,
    ),
    ("introductions.overview", "GET"): plain(STAFF),
    ("introductions.templates", "GET"): plain(STAFF),
    ("introductions.new_template", "GET"): plain(STAFF),
    ("introductions.new_template", "POST"): plain(
        STAFF, body=lambda w: {"name": "Nytt program"}, writes=True
    ),
    ("introductions.edit_template", "GET"): [
        Case("template", STAFF, url=lambda w: {"template_id": w.template}),
        Case("no such template", NOBODY, url=lambda w: {"template_id": 2_000_000_000}),
    ],
    ("introductions.edit_template", "POST"): [
        Case(
            "template",
            STAFF,
            url=lambda w: {"template_id": w.template},
            body=lambda w: {"name": "Omdöpt program", "description": "", "is_active": "y"},
            writes=True,
        )
    ],
    ("introductions.set_default", "POST"): [
        Case("template", STAFF, url=lambda w: {"template_id": w.template}, writes=True)
    ],
    ("introductions.new_milestone", "GET"): [
        Case("template", STAFF, url=lambda w: {"template_id": w.template})
    ],
    ("introductions.new_milestone", "POST"): [
        Case("template", STAFF, url=lambda w: {"template_id": w.template}, body=_milestone_form, writes=True)
    ],
    ("introductions.edit_milestone", "GET"): [
        Case("milestone", STAFF, url=lambda w: {"template_id": w.template, "milestone_id": w.milestone}),
        Case(
            "milestone under another template",
            NOBODY,
            url=lambda w: {"template_id": w.other_template, "milestone_id": w.milestone},
        ),
    ],
    ("introductions.edit_milestone", "POST"): [
        Case(
            "milestone",
            STAFF,
            url=lambda w: {"template_id": w.template, "milestone_id": w.milestone},
            body=_milestone_form,
            writes=True,
        ),
        Case(
            "milestone under another template",
            NOBODY,
            url=lambda w: {"template_id": w.other_template, "milestone_id": w.milestone},
            body=_milestone_form,
        ),
    ],
    ("introductions.delete_milestone", "POST"): [
        Case(
            "milestone",
            STAFF,
            url=lambda w: {"template_id": w.template, "milestone_id": w.milestone},
            writes=True,
        ),
        Case(
            "milestone under another template",
            NOBODY,
            url=lambda w: {"template_id": w.other_template, "milestone_id": w.milestone},
        ),
    ],
    # -- recruitment: HR, the vacancy's hiring manager and its recruitment group --
    ("recruitment.vacancies", "GET"): plain(SIGNED_IN, sees={"V": VACANCY, "H": STAFF}),
    ("recruitment.vacancy", "GET"): [
        Case("vacancy", VACANCY, url=lambda w: {"vacancy_id": w.vacancy}, sees={"A": VACANCY}),
        Case("vacancy of nobody but HR", STAFF, url=lambda w: {"vacancy_id": w.hidden_vacancy}),
        Case("no such vacancy", NOBODY, url=lambda w: {"vacancy_id": 2_000_000_000}),
    ],
    ("recruitment.new_vacancy", "GET"): plain(STAFF),
    ("recruitment.new_vacancy", "POST"): plain(
        STAFF,
        body=lambda w: {"title": "Ny vakans", "org_unit_id": str(w.unit), "hr_partner_id": "0"},
        writes=True,
    ),
    ("recruitment.edit_vacancy", "GET"): [Case("vacancy", STAFF, url=lambda w: {"vacancy_id": w.vacancy})],
    ("recruitment.edit_vacancy", "POST"): [
        Case(
            "vacancy",
            STAFF,
            url=lambda w: {"vacancy_id": w.vacancy},
            body=lambda w: {"title": "Omdöpt vakans", "org_unit_id": str(w.unit), "hr_partner_id": "0"},
            writes=True,
        )
    ],
    ("recruitment.weights", "GET"): [Case("vacancy", STAFF, url=lambda w: {"vacancy_id": w.vacancy})],
    ("recruitment.weights", "POST"): [
        Case(
            "vacancy",
            STAFF,
            url=lambda w: {"vacancy_id": w.vacancy},
            body=lambda w: {f"e{w.expectation}": "2"},
            writes=True,
        )
    ],
    ("recruitment.group", "GET"): [Case("vacancy", STAFF, url=lambda w: {"vacancy_id": w.vacancy})],
    ("recruitment.group", "POST"): [
        Case(
            "vacancy",
            STAFF,
            url=lambda w: {"vacancy_id": w.vacancy},
            body=lambda w: {"interviewers": f"{w.emails[INTERVIEWER]}\n{w.emails[MENTOR]}"},
            writes=True,
        )
    ],
    ("recruitment.status", "POST"): [
        Case(
            "vacancy",
            STAFF,
            url=lambda w: {"vacancy_id": w.vacancy},
            body=lambda w: {"status": "interviewing"},
            writes=True,
        )
    ],
    ("recruitment.new_candidate", "GET"): [Case("vacancy", STAFF, url=lambda w: {"vacancy_id": w.vacancy})],
    ("recruitment.new_candidate", "POST"): [
        on(
            "B",
            STAFF,
            lambda s, w: {"vacancy_id": w.vacancy},
            body=lambda w: {"employee_number": "__N__"},
            writes=True,
        )
    ],
    ("recruitment.candidate_step", "POST"): [
        Case(
            "candidate",
            STAFF,
            url=lambda w: {"vacancy_id": w.vacancy, "candidacy_id": w.candidacy},
            body=lambda w: {"step": "screened"},
            writes=True,
        ),
        Case(
            "candidate of another vacancy",
            NOBODY,
            url=lambda w: {"vacancy_id": w.hidden_vacancy, "candidacy_id": w.candidacy},
            body=lambda w: {"step": "screened"},
        ),
    ],
    ("recruitment.not_selected", "POST"): [
        Case(
            "candidate",
            STAFF,
            url=lambda w: {"vacancy_id": w.vacancy, "candidacy_id": w.candidacy},
            body=lambda w: {"reason": "withdrew"},
            writes=True,
        )
    ],
    # the hand-over: HR and the hiring manager, for a candidate at the offer step (or hired)
    ("recruitment.hire", "GET"): [
        Case(
            "candidate with an offer",
            HIRING,
            url=lambda w: {"vacancy_id": w.vacancy, "candidacy_id": w.offer},
        ),
        Case(
            "candidate who applied",
            NOBODY,
            url=lambda w: {"vacancy_id": w.vacancy, "candidacy_id": w.candidacy},
        ),
        Case(
            "candidate of another vacancy",
            NOBODY,
            url=lambda w: {"vacancy_id": w.hidden_vacancy, "candidacy_id": w.offer},
        ),
    ],
    # the page has nothing to offer for a candidate without an offer (the API says why: a 422)
    ("recruitment.hire", "POST"): _hand_over_cases(
        Case("candidate who applied", NOBODY, url=_applied, body=lambda w: {"start_on": w.later})
    ),
    # -- interviews, scorecards (a draft its author's alone), the matrix and the decision --
    ("recruitment.candidate", "GET"): [
        # the others' submitted scorecards (one's own is on its own page; a draft is nowhere else)
        Case("candidate", VACANCY, url=_candidacy, sees={"E": STAFF, "D": NOBODY}),
        Case(
            "candidate under another vacancy",
            NOBODY,
            url=lambda w: {"vacancy_id": w.hidden_vacancy, "candidacy_id": w.candidacy},
        ),
    ],
    ("recruitment.new_interview", "GET"): [Case("candidate", SCHEDULE, url=_candidacy)],
    ("recruitment.new_interview", "POST"): [
        Case("candidate", SCHEDULE, url=_candidacy, body=_interview_form, writes=True)
    ],
    ("recruitment.edit_interview", "GET"): [Case("interview", SCHEDULE, url=_interview)],
    ("recruitment.edit_interview", "POST"): [
        Case("interview", SCHEDULE, url=_interview, body=_interview_form, writes=True)
    ],
    ("recruitment.cancel_interview", "POST"): [Case("interview", SCHEDULE, url=_interview, writes=True)],
    # one's own scorecard: the interviewer's is submitted (a POST is sent back to it), the boss's a draft
    ("recruitment.scorecard", "GET"): [
        Case("own scorecard", frozenset({INTERVIEWER, LINE}), url=_candidacy, sees=SCORECARDS_OF_A)
    ],
    ("recruitment.scorecard", "POST"): [
        Case(
            "own scorecard",
            frozenset({INTERVIEWER, LINE}),
            url=_candidacy,
            body=lambda w: {"action": "save", f"score_{w.trust}": "3", f"evidence_{w.trust}": "Nytt"},
        )
    ],
    ("recruitment.amend_scorecard", "GET"): [Case("own scorecard", frozenset({INTERVIEWER}), url=_candidacy)],
    ("recruitment.amend_scorecard", "POST"): [
        Case(
            "own scorecard",
            frozenset({INTERVIEWER}),
            url=_candidacy,
            body=lambda w: {f"score_{w.trust}": "2", "reason": "Omprövat"},
            writes=True,
        )
    ],
    ("recruitment.matrix", "GET"): [
        Case("vacancy", VACANCY, url=lambda w: {"vacancy_id": w.vacancy}, sees={"I": STAFF | {INTERVIEWER}}),
        Case("vacancy of nobody but HR", STAFF, url=lambda w: {"vacancy_id": w.hidden_vacancy}),
    ],
    ("recruitment.decision", "GET"): [Case("vacancy", SCHEDULE, url=lambda w: {"vacancy_id": w.vacancy})],
    ("recruitment.decision", "POST"): [
        Case(
            "vacancy",
            SCHEDULE,
            url=lambda w: {"vacancy_id": w.vacancy},
            body=lambda w: {"candidacy": str(w.candidacy), "reason": "Bäst lämpad"},
            writes=True,
        )
    ],
    # -- the recruitment's materials: HR's banks; the ad and the guide for whoever sees the vacancy --
    ("materials.banks", "GET"): [
        Case("phrases", STAFF, url=lambda w: {"bank": "phrases"}),
        Case("questions", STAFF, url=lambda w: {"bank": "questions"}),
    ],
    ("materials.bank", "GET"): [
        Case("expectation", STAFF, url=lambda w: {"bank": "questions", "expectation_id": w.expectation}),
        Case(
            "no such expectation", NOBODY, url=lambda w: {"bank": "phrases", "expectation_id": 2_000_000_000}
        ),
    ],
    ("materials.bank", "POST"): [
        Case(
            "expectation",
            STAFF,
            url=lambda w: {"bank": "questions", "expectation_id": w.expectation},
            body=lambda w: {"language": "sv", "text": "Berätta om en situation när du bad om feedback."},
            writes=True,
        )
    ],
    ("materials.edit_entry", "GET"): [
        Case("entry", STAFF, url=lambda w: {"entry_id": w.bank_entry}),
        Case("no such entry", NOBODY, url=lambda w: {"entry_id": 2_000_000_000}),
    ],
    ("materials.edit_entry", "POST"): [
        Case(
            "entry",
            STAFF,
            url=lambda w: {"entry_id": w.bank_entry},
            body=lambda w: {"text": "Berätta om en situation när du fick svår feedback."},
            writes=True,
        )
    ],
    ("materials.retire_entry", "POST"): [
        Case(
            "entry",
            STAFF,
            url=lambda w: {"entry_id": w.bank_entry},
            body=lambda w: {"retired": "1"},
            writes=True,
        )
    ],
    ("materials.move_entry", "POST"): [
        Case(
            "entry",
            STAFF,
            url=lambda w: {"entry_id": w.bank_entry},
            body=lambda w: {"direction": "down"},
            writes=True,
        )
    ],
    ("materials.ad", "GET"): [
        Case("vacancy", STAFF, url=lambda w: {"vacancy_id": w.vacancy}),
        Case("no such vacancy", NOBODY, url=lambda w: {"vacancy_id": 2_000_000_000}),
    ],
    ("materials.ad", "POST"): [
        Case(
            "vacancy",
            STAFF,
            url=lambda w: {"vacancy_id": w.vacancy},
            body=lambda w: {
                "unit_text": "Matrisförvaltningen växer.",
                "role_text": "",
                f"phrase_{w.weighed_expectation}": "own",
                f"text_{w.weighed_expectation}": "Du är nära dina medarbetare.",
            },
            writes=True,
        )
    ],
    **{
        (endpoint, "GET"): [
            Case("vacancy", VACANCY, url=lambda w: {"vacancy_id": w.vacancy}, sees=sees),
            Case("vacancy of nobody but HR", STAFF, url=lambda w: {"vacancy_id": w.hidden_vacancy}),
            Case("no such vacancy", NOBODY, url=lambda w: {"vacancy_id": 2_000_000_000}),
        ]
        for endpoint, sees in (
            ("materials.ad_preview", {"V": VACANCY}),
            ("materials.ad_docx", {}),
            ("materials.guide", {"V": VACANCY}),
            ("materials.guide_docx", {}),
            ("api.show_vacancy_ad", {"V": VACANCY}),
            ("api.show_interview_guide", {}),
        )
    },
    ("api.list_bank_entries", "GET"): plain(STAFF),
    ("reminders.index", "GET"): plain(STAFF),
    ("reminders.resend", "POST"): both(STAFF, STAFF, lambda s, w: {"reminder_id": s.reminder}, writes=True),
    ("reminders.rules", "GET"): plain(STAFF),
    ("reminders.rules", "POST"): plain(
        STAFF,
        body=lambda w: {
            "introduction_milestone-days_before": "3",
            "development_review-days_before": "7",
            "activity-days_before": "2",
        },
        writes=True,
    ),
    # -- imports and exports --
    ("imports.upload", "GET"): plain(STAFF),
    ("imports.upload", "POST"): plain(
        STAFF, body=lambda w: {"file": (io.BytesIO(MANAGER_CSV), "chefer.csv")}, writes=True
    ),
    ("imports.report", "GET"): [
        Case("manager import", STAFF, url=lambda w: {"import_id": w.manager_import}),
        Case("activity import", NOBODY, url=lambda w: {"import_id": w.activity_import}),
        Case("candidate import", NOBODY, url=lambda w: {"import_id": w.candidate_import}),
    ],
    ("imports.confirm", "POST"): [
        Case("manager import", STAFF, url=lambda w: {"import_id": w.manager_import}, writes=True),
        Case("activity import", NOBODY, url=lambda w: {"import_id": w.activity_import}),
    ],
    ("imports.progress", "GET"): [
        Case("manager import", STAFF, url=lambda w: {"import_id": w.manager_import}),
        Case("activity import", NOBODY, url=lambda w: {"import_id": w.activity_import}),
    ],
    ("imports.activities_upload", "GET"): plain(STAFF),
    ("imports.activities_upload", "POST"): plain(
        STAFF,
        body=lambda w: {
            "file": (
                io.BytesIO(
                    (
                        "employee_numbers;kind;title;pillars;reference\r\n"
                        f"{w.a.number};course;Uppladdad kurs;leader;MATRIS-2\r\n"
                    ).encode()
                ),
                "kurser.csv",
            )
        },
        writes=True,
    ),
    ("imports.activities_report", "GET"): [
        Case("activity import", STAFF, url=lambda w: {"import_id": w.activity_import}),
        Case("manager import", NOBODY, url=lambda w: {"import_id": w.manager_import}),
    ],
    ("imports.activities_confirm", "POST"): [
        Case("activity import", STAFF, url=lambda w: {"import_id": w.activity_import}, writes=True),
        Case("manager import", NOBODY, url=lambda w: {"import_id": w.manager_import}),
    ],
    ("imports.activities_progress", "GET"): [
        Case("activity import", STAFF, url=lambda w: {"import_id": w.activity_import}),
        Case("manager import", NOBODY, url=lambda w: {"import_id": w.manager_import}),
    ],
    # a recruitment system's applicants, into one vacancy: its file is reached only under it
    ("imports.candidates_upload", "GET"): [Case("vacancy", STAFF, url=lambda w: {"vacancy_id": w.vacancy})],
    ("imports.candidates_upload", "POST"): [
        Case(
            "vacancy",
            STAFF,
            url=lambda w: {"vacancy_id": w.vacancy},
            body=lambda w: {"file": (io.BytesIO(CANDIDATE_CSV), "kandidater.csv")},
            writes=True,
        )
    ],
    **{
        ("imports.candidates_" + page, method): [
            Case(
                "candidate import",
                STAFF,
                url=lambda w: {"vacancy_id": w.vacancy, "import_id": w.candidate_import},
                writes=method == "POST",
            ),
            Case(
                "candidate import under another vacancy",
                NOBODY,
                url=lambda w: {"vacancy_id": w.hidden_vacancy, "import_id": w.candidate_import},
            ),
            Case(
                "manager import",
                NOBODY,
                url=lambda w: {"vacancy_id": w.vacancy, "import_id": w.manager_import},
            ),
        ]
        for page, method in (("report", "GET"), ("confirm", "POST"), ("progress", "GET"))
    },
    ("imports.export_csv", "GET"): plain(STAFF, sees={"A": STAFF, "B": STAFF}),
    ("imports.export_xlsx", "GET"): plain(STAFF, sees={"A": STAFF, "B": STAFF}, xlsx=True),
    # -- the development plan --
    ("plans.me", "GET"): plain(SIGNED_IN),
    ("plans.show", "GET"): both(PLAN_A, PLAN_B, _manager),
    ("plans.create_goal", "POST"): both(
        frozenset({MGR_A}),
        frozenset({MGR_B}),
        _manager,
        body=lambda w: {"goal-title": "Nytt mål", "goal-expectations": "leader.trust"},
        writes=True,
    ),
    ("plans.goal_status", "POST"): [
        *both(
            frozenset({MGR_A}),
            frozenset({MGR_B}),
            lambda s, w: {"manager_id": s.manager, "goal_id": s.goal},
            body=lambda w: {"status": "in_progress"},
            writes=True,
        ),
        Case(
            "B's goal under A's plan",
            NOBODY,
            url=lambda w: {"manager_id": w.a.manager, "goal_id": w.b.goal},
            body=lambda w: {"status": "in_progress"},
        ),
    ],
    # the goals the recruitment proposed: HR and the line manager decide, the manager only reads them
    ("plans.accept_proposal", "POST"): both(
        COMMENT_A, COMMENT_B, lambda s, w: {"manager_id": s.manager, "goal_id": s.proposal}, writes=True
    ),
    ("plans.reject_proposal", "POST"): [
        *both(
            COMMENT_A, COMMENT_B, lambda s, w: {"manager_id": s.manager, "goal_id": s.proposal}, writes=True
        ),
        Case("a goal in the plan", NOBODY, url=lambda w: {"manager_id": w.a.manager, "goal_id": w.a.goal}),
    ],
    ("plans.edit_proposal", "GET"): both(
        COMMENT_A, COMMENT_B, lambda s, w: {"manager_id": s.manager, "goal_id": s.proposal}
    ),
    ("plans.edit_proposal", "POST"): [
        *both(
            COMMENT_A,
            COMMENT_B,
            lambda s, w: {"manager_id": s.manager, "goal_id": s.proposal},
            body=lambda w: {"title": "Ändrat förslag", "expectation": "leader.trust", "save": "y"},
            writes=True,
        ),
        Case(
            "B's proposal under A's plan",
            NOBODY,
            url=lambda w: {"manager_id": w.a.manager, "goal_id": w.b.proposal},
            body=lambda w: {"title": "Ändrat förslag", "expectation": "leader.trust", "save": "y"},
        ),
    ],
    ("plans.add_catalogue_activity", "POST"): both(
        frozenset({MGR_A}),
        frozenset({MGR_B}),
        _manager,
        body=lambda w: {"catalogue-catalogue_item": str(w.catalogue_item), "catalogue-goal": "0"},
        writes=True,
    ),
    ("plans.mark_completed", "POST"): [
        *both(
            frozenset({MGR_A}),
            frozenset({MGR_B}),
            lambda s, w: {"manager_id": s.manager, "activity_id": s.activity},
            body=lambda w: {"complete-completed_on": w.today},
            writes=True,
        ),
        Case(
            "A's interview",
            frozenset({MGR_A}),
            url=lambda w: {"manager_id": w.a.manager, "activity_id": w.interview},
            body=lambda w: {"complete-completed_on": w.today},
            writes=True,
        ),
        Case(
            "group activity",
            NOBODY,
            url=lambda w: {"manager_id": w.a.manager, "activity_id": w.group_activity},
            body=lambda w: {"complete-completed_on": w.today},
        ),
        Case(
            "B's activity under A's plan",
            NOBODY,
            url=lambda w: {"manager_id": w.a.manager, "activity_id": w.b.activity},
            body=lambda w: {"complete-completed_on": w.today},
        ),
    ],
    ("plans.notes", "POST"): both(
        frozenset({MGR_A}),
        frozenset({MGR_B}),
        _manager,
        body=lambda w: {"notes-notes": "Anteckning"},
        writes=True,
    ),
    ("plans.comment", "POST"): both(
        COMMENT_A, COMMENT_B, _manager, body=lambda w: {"comment-body": "Bra jobbat"}, writes=True
    ),
    ("plans.review", "GET"): [
        *both(PLAN_A, PLAN_B, _review),
        Case(
            "B's review under A", NOBODY, url=lambda w: {"manager_id": w.a.manager, "review_id": w.b.review}
        ),
    ],
    ("plans.assess", "POST"): [
        *both(
            ASSESS_A, frozenset({MGR_B}), _review, body=lambda w: {f"score-{w.expectation}": "3"}, writes=True
        ),
        Case(
            "B's review under A",
            NOBODY,
            url=lambda w: {"manager_id": w.a.manager, "review_id": w.b.review},
            body=lambda w: {f"score-{w.expectation}": "3"},
        ),
    ],
    ("plans.complete", "POST"): both(
        COMMENT_A,
        COMMENT_B,
        _review,
        body=lambda w: {"completed_on": w.today, "next_steps": "Fortsätt"},
        writes=True,
    ),
    # -- the talent pool: HR's alone --
    ("talent_pool.members", "GET"): plain(STAFF),
    ("talent_pool.new_member", "GET"): plain(STAFF),
    ("talent_pool.new_member", "POST"): plain(
        STAFF,
        body=lambda w: {"name": "Ny Poolperson", "source": "event", "consent_given_on": w.today},
        writes=True,
    ),
    ("talent_pool.member", "GET"): [
        Case("pool member", STAFF, url=_pool_member),
        Case("no such member", NOBODY, url=lambda w: {"profile_id": 2_000_000_000}),
    ],
    ("talent_pool.edit_member", "GET"): [Case("pool member", STAFF, url=_pool_member)],
    ("talent_pool.edit_member", "POST"): [
        Case(
            "pool member",
            STAFF,
            url=_pool_member,
            body=lambda w: {"source": "aspirant", "consent_given_on": w.today, "pillars": "secure"},
            writes=True,
        )
    ],
    ("talent_pool.renew_consent", "POST"): [
        Case(
            "pool member", STAFF, url=_pool_member, body=lambda w: {"consent_given_on": w.today}, writes=True
        )
    ],
    ("talent_pool.recruit", "POST"): [
        Case(
            "pool member", STAFF, url=_pool_member, body=lambda w: {"vacancy_id": str(w.vacancy)}, writes=True
        )
    ],
    ("talent_pool.remove", "GET"): [Case("pool member", STAFF, url=_pool_member)],
    ("talent_pool.remove", "POST"): [
        Case("pool member", STAFF, url=_pool_member, body=lambda w: {"confirm": "y"}, writes=True),
        Case(
            "no such member",
            NOBODY,
            url=lambda w: {"profile_id": 2_000_000_000},
            body=lambda w: {"confirm": "y"},
        ),
    ],
    # -- the obstacle log --
    ("obstacles.mine", "GET"): plain(SIGNED_IN),
    ("obstacles.new", "GET"): plain(REPORTERS),
    ("obstacles.new", "POST"): plain(REPORTERS, body=lambda w: _obstacle_form(w), writes=True),
    ("obstacles.detail", "GET"): _obstacle_cases(PRIVATE_OBSTACLE, SHARED_OBSTACLE),
    ("obstacles.handle", "POST"): _obstacle_cases(
        STAFF | {INTERVIEWER},
        STAFF,
        body=lambda w: {"status": "being_handled", "comment": "På gång"},
        writes=True,
    ),
    ("obstacles.overview", "GET"): plain(STAFF, query=lambda w: f"unit={w.unit}&status=all"),
    ("api.list_obstacles", "GET"): plain(SIGNED_IN, query=lambda w: "status=reported&limit=5"),
    ("api.get_obstacle", "GET"): _obstacle_cases(PRIVATE_OBSTACLE, SHARED_OBSTACLE),
    ("api.create_obstacle", "POST"): plain(
        REPORTERS,
        body=lambda w: {"title": "Via API", "severity": "low", "pillars": ["leader"]},
        writes=True,
    ),
    ("api.update_obstacle", "PATCH"): _obstacle_cases(
        STAFF, STAFF, body=lambda w: {"status": "being_handled", "comment": "Via API"}, writes=True
    ),
    # -- the JSON API, with each role's personal token --
    ("api.openapi", "GET"): plain(EVERYONE),
    ("api.list_managers", "GET"): plain(SIGNED_IN, query=lambda w: "limit=200", sees=BOTH_SEEN),
    ("api.get_manager", "GET"): both(SEE_A, SEE_B, _manager),
    ("api.create_manager", "POST"): plain(
        STAFF, body=lambda w: {"name": "Ny Via Api", "stage": "attract"}, writes=True
    ),
    ("api.update_manager_details", "PATCH"): both(
        STAFF, STAFF, _manager, body=lambda w: {"title": "VD"}, writes=True
    ),
    ("api.list_transitions", "GET"): both(SEE_A, SEE_B, _manager),
    ("api.create_transition", "POST"): both(
        STAFF,
        STAFF,
        _manager,
        body=lambda w: {"to_stage": "offboard", "reason": "Slutar", "end_date": w.later},
        writes=True,
    ),
    ("api.list_units", "GET"): plain(SIGNED_IN),
    ("api.show_platform", "GET"): plain(SIGNED_IN),
    ("api.list_activities", "GET"): both(PLAN_A, PLAN_B, _manager),
    ("api.create_activity", "POST"): both(
        STAFF | {MGR_A}, STAFF | {MGR_B}, _manager, body=lambda w: ACTIVITY_JSON, writes=True
    ),
    ("api.create_group_activity", "POST"): plain(
        STAFF, body=lambda w: {**ACTIVITY_JSON, "participants": [w.a.manager, w.b.manager]}, writes=True
    ),
    ("api.mark_activity_completed", "POST"): [
        *both(STAFF | {MGR_A}, STAFF | {MGR_B}, lambda s, w: {"activity_id": s.activity}, writes=True),
        Case("A's interview", STAFF | {MGR_A}, url=lambda w: {"activity_id": w.interview}, writes=True),
        Case("group activity", STAFF, url=lambda w: {"activity_id": w.group_activity}, writes=True),
    ],
    ("api.mark_activity_cancelled", "POST"): [
        *both(STAFF | {MGR_A}, STAFF | {MGR_B}, lambda s, w: {"activity_id": s.activity}, writes=True),
        Case("A's interview", STAFF | {MGR_A}, url=lambda w: {"activity_id": w.interview}, writes=True),
        Case("group activity", STAFF, url=lambda w: {"activity_id": w.group_activity}, writes=True),
    ],
    ("api.show_plan", "GET"): both(PLAN_A, PLAN_B, _manager),
    ("api.create_goal", "POST"): both(
        frozenset({MGR_A}),
        frozenset({MGR_B}),
        _manager,
        body=lambda w: {"title": "Mål via API", "expectations": ["leader.trust"]},
        writes=True,
    ),
    ("api.update_goal", "PATCH"): both(
        frozenset({MGR_A}),
        frozenset({MGR_B}),
        lambda s, w: {"goal_id": s.goal},
        body=lambda w: {"status": "in_progress"},
        writes=True,
    ),
    ("api.hand_over_candidacy", "POST"): _hand_over_cases(),
    ("api.revise_proposed_goal", "PATCH"): both(
        COMMENT_A,
        COMMENT_B,
        lambda s, w: {"goal_id": s.proposal},
        body=lambda w: {"title": "Ändrat via API"},
        writes=True,
    ),
    ("api.accept_proposed_goal", "POST"): both(
        COMMENT_A, COMMENT_B, lambda s, w: {"goal_id": s.proposal}, writes=True
    ),
    ("api.reject_proposed_goal", "POST"): [
        *both(COMMENT_A, COMMENT_B, lambda s, w: {"goal_id": s.proposal}, writes=True),
        Case("a goal in the plan", NOBODY, url=lambda w: {"goal_id": w.a.goal}),
    ],
    ("api.create_plan_comment", "POST"): both(
        COMMENT_A, COMMENT_B, _manager, body=lambda w: {"body": "Kommentar via API"}, writes=True
    ),
    ("api.list_reviews", "GET"): both(PLAN_A, PLAN_B, _manager),
    ("api.set_review_assessments", "PUT"): both(
        ASSESS_A,
        frozenset({MGR_B}),
        lambda s, w: {"review_id": s.review},
        body=lambda w: {"scores": [{"expectation": "leader.feedback", "score": 4}]},
        writes=True,
    ),
    ("api.mark_review_completed", "POST"): both(
        COMMENT_A, COMMENT_B, lambda s, w: {"review_id": s.review}, body=lambda w: {}, writes=True
    ),
    ("api.show_manager_coverage", "GET"): both(PLAN_A, PLAN_B, _manager),
    ("api.show_unit_coverage", "GET"): plain(STAFF),
    ("api.list_catalogue", "GET"): plain(SIGNED_IN),
    ("api.list_pool_members", "GET"): plain(STAFF, query=lambda w: "source=external_contact&limit=5"),
    ("api.get_pool_member", "GET"): [
        Case("pool member", STAFF, url=_pool_member),
        Case("no such member", NOBODY, url=lambda w: {"profile_id": 2_000_000_000}),
    ],
    ("api.create_pool_member", "POST"): plain(
        STAFF, body=lambda w: {"name": "Ny Via Api", "source": "event", "pillars": ["leader"]}, writes=True
    ),
    # recruitment: HR, the vacancy's hiring manager and its recruitment group see it; HR changes it
    ("api.list_vacancies", "GET"): plain(
        SIGNED_IN, query=lambda w: "limit=200", sees={"V": VACANCY, "H": STAFF}
    ),
    ("api.get_vacancy", "GET"): [
        Case("vacancy", VACANCY, url=lambda w: {"vacancy_id": w.vacancy}, sees={"V": VACANCY}),
        Case("vacancy of nobody but HR", STAFF, url=lambda w: {"vacancy_id": w.hidden_vacancy}),
        Case("no such vacancy", NOBODY, url=lambda w: {"vacancy_id": 2_000_000_000}),
    ],
    ("api.create_vacancy", "POST"): plain(
        STAFF, body=lambda w: {"title": "Vakans via API", "org_unit_id": w.unit}, writes=True
    ),
    **{
        ("api." + endpoint, method): [
            Case("vacancy", STAFF, url=lambda w: {"vacancy_id": w.vacancy}, body=body, writes=True),
            Case("no such vacancy", NOBODY, url=lambda w: {"vacancy_id": 2_000_000_000}, body=body),
        ]
        for endpoint, method, body in (
            ("update_vacancy", "PATCH", lambda w: {"title": "Ändrad via API"}),
            (
                "set_vacancy_weights",
                "PUT",
                lambda w: {"weights": [{"expectation": "leader.feedback", "weight": 2}]},
            ),
            ("set_vacancy_group", "PUT", lambda w: {"interviewer_ids": [w.users[INTERVIEWER], w.users[HR]]}),
            ("move_vacancy_status", "POST", lambda w: {"status": "interviewing"}),
            ("create_candidacy", "POST", lambda w: {"name": "Sökande via API"}),
        )
    },
    ("api.list_candidacies", "GET"): [
        Case("vacancy", VACANCY, url=lambda w: {"vacancy_id": w.vacancy}, sees={"A": VACANCY}),
        Case("vacancy of nobody but HR", STAFF, url=lambda w: {"vacancy_id": w.hidden_vacancy}),
    ],
    **{
        ("api." + endpoint, "POST"): [
            Case(
                "candidacy",
                STAFF,
                url=lambda w: {"vacancy_id": w.vacancy, "candidacy_id": w.candidacy},
                body=body,
                writes=True,
            ),
            Case(
                "candidacy under another vacancy",
                NOBODY,
                url=lambda w: {"vacancy_id": w.hidden_vacancy, "candidacy_id": w.candidacy},
                body=body,
            ),
        ]
        for endpoint, body in (
            ("move_candidacy_step", lambda w: {"step": "screened"}),
            ("not_select_candidacy", lambda w: {"reason": "withdrew"}),
        )
    },
    ("api.list_interviews", "GET"): [
        Case("candidate", VACANCY, url=_candidacy),
        Case(
            "candidate under another vacancy",
            NOBODY,
            url=lambda w: {"vacancy_id": w.hidden_vacancy, "candidacy_id": w.candidacy},
        ),
    ],
    ("api.create_interview", "POST"): [
        Case(
            "candidate",
            SCHEDULE,
            url=_candidacy,
            body=lambda w: {"starts_at": f"{w.later}T10:00:00+01:00"},
            writes=True,
        )
    ],
    ("api.update_interview", "PATCH"): [
        Case("interview", SCHEDULE, url=_interview, body=lambda w: {"duration_minutes": 90}, writes=True)
    ],
    ("api.mark_interview_cancelled", "POST"): [Case("interview", SCHEDULE, url=_interview, writes=True)],
    ("api.list_scorecards", "GET"): [Case("candidate", VACANCY, url=_candidacy, sees=SCORECARDS_OF_A)],
    # the draft's operations are the hiring manager's (the interviewer's is submitted); amending the reverse
    ("api.save_scorecard", "PUT"): [
        Case(
            "own draft",
            frozenset({LINE}),
            url=_candidacy,
            body=lambda w: {"scores": [{"expectation": "leader.trust", "score": 3, "evidence": "Nytt"}]},
            writes=True,
        )
    ],
    ("api.submit_scorecard_now", "POST"): [
        Case("own draft", frozenset({LINE}), url=_candidacy, body=lambda w: {}, writes=True)
    ],
    ("api.create_scorecard_amendment", "POST"): [
        Case(
            "own submitted scorecard",
            frozenset({INTERVIEWER}),
            url=_candidacy,
            body=lambda w: {"scores": [{"expectation": "leader.trust", "score": 2}], "reason": "Omprövat"},
            writes=True,
        )
    ],
    ("api.show_matrix", "GET"): [
        Case("vacancy", VACANCY, url=lambda w: {"vacancy_id": w.vacancy}, sees={"I": STAFF | {INTERVIEWER}}),
        Case("vacancy of nobody but HR", STAFF, url=lambda w: {"vacancy_id": w.hidden_vacancy}),
    ],
    ("api.create_decision", "POST"): [
        Case(
            "vacancy",
            SCHEDULE,
            url=lambda w: {"vacancy_id": w.vacancy},
            body=lambda w: {"candidacy_id": w.candidacy, "reason": "Bäst lämpad"},
            writes=True,
        )
    ],
    # -- mentoring: HR's role models and suggestions; a mentorship for HR, its mentor and its mentee --
    ("mentoring.role_models", "GET"): plain(STAFF),
    ("mentoring.mark_role_model", "GET"): plain(STAFF),
    ("mentoring.mark_role_model", "POST"): [
        on("B", STAFF, lambda s, w: {}, body=lambda w: _role_model_form(w, "__N__"), writes=True)
    ],
    ("mentoring.edit_role_model", "GET"): _role_model_cases(STAFF),
    ("mentoring.edit_role_model", "POST"): _role_model_cases(
        STAFF, body=lambda w: _role_model_form(w, None), writes=True
    ),
    ("mentoring.unmark_role_model", "POST"): _role_model_cases(STAFF, writes=True),
    ("mentoring.suggestions", "GET"): both(STAFF, STAFF, _manager),
    ("mentoring.start_mentorship", "GET"): both(STAFF, STAFF, _manager),
    ("mentoring.start_mentorship", "POST"): [
        on("B", STAFF, _manager, body=lambda w: _mentorship_form(w), writes=True)
    ],
    ("mentoring.mine", "GET"): plain(SIGNED_IN),
    ("mentoring.mentorship", "GET"): _mentorship_cases(MENTORSHIP_OF_A),
    ("mentoring.log_meeting", "POST"): _mentorship_cases(
        MENTORSHIP_OF_A, body=lambda w: {"held_on": w.today, "pillars": "leader"}, writes=True
    ),
    ("mentoring.end_mentorship", "POST"): _mentorship_cases(
        MENTORSHIP_OF_A, body=lambda w: {"reason": "Klart"}, writes=True
    ),
    ("api.list_role_models", "GET"): plain(SIGNED_IN),
    ("api.create_role_model", "POST"): [
        on(
            "B",
            STAFF,
            lambda s, w: {},
            body=lambda w: {"manager_id": w.b.manager, "pillars": ["leader"], "capacity": 1},
            writes=True,
        )
    ],
    ("api.update_role_model", "PATCH"): _role_model_cases(STAFF, body=lambda w: {"capacity": 3}, writes=True),
    ("api.list_mentor_suggestions", "GET"): both(STAFF, STAFF, _manager),
    ("api.list_mentorships", "GET"): plain(SIGNED_IN),
    ("api.create_mentorship", "POST"): [
        on("B", STAFF, lambda s, w: {}, body=lambda w: _mentorship_json(w), writes=True)
    ],
    ("api.get_mentorship", "GET"): _mentorship_cases(MENTORSHIP_OF_A),
    ("api.create_mentorship_meeting", "POST"): _mentorship_cases(
        MENTORSHIP_OF_A, body=lambda w: {"held_on": w.today, "pillars": ["leader"]}, writes=True
    ),
    ("api.end_mentorship", "POST"): _mentorship_cases(
        MENTORSHIP_OF_A, body=lambda w: {"reason": "Klart"}, writes=True
    ),
}


# -- workshops ----
#: who reads the unit's workshops: HR, their participants (A and A's line manager) and the facilitator
WORKSHOP: Roles = STAFF | {MGR_A, LINE, INTERVIEWER}
#: who runs them (changes, the group, the outcome): HR and the facilitator
RUN_WORKSHOP: Roles = STAFF | {INTERVIEWER}
#: who marks A's group goal done: HR and A, its owner
MARK_GOAL: Roles = STAFF | {MGR_A}


def _workshop_cases(allowed: Roles, held: bool = False, **options: Any) -> list[Case]:
    """The planned (or held) workshop, and one that does not exist."""
    return [
        Case(
            "held workshop" if held else "planned workshop",
            allowed,
            url=lambda w: {"workshop_id": w.held_workshop if held else w.workshop},
            **options,
        ),
        Case("no such workshop", NOBODY, url=lambda w: {"workshop_id": 2_000_000_000}, **options),
    ]


def _workshop_form(w: World) -> dict[str, Any]:
    return {
        "title": "Ny workshop",
        "held_on": w.later,
        "held_time": "09:00",
        "facilitator": w.emails[INTERVIEWER],
        "pillars": str(w.leader_pillar),
    }


MATRIX.update(
    {
        ("workshops.index", "GET"): plain(SIGNED_IN),
        ("workshops.new", "GET"): plain(STAFF, query=lambda w: f"unit={w.unit}"),
        ("workshops.new", "POST"): plain(
            STAFF, body=lambda w: {**_workshop_form(w), "unit": str(w.unit)}, writes=True
        ),
        ("workshops.detail", "GET"): [
            *_workshop_cases(WORKSHOP),
            Case("held workshop", WORKSHOP, url=lambda w: {"workshop_id": w.held_workshop}),
        ],
        ("workshops.edit", "GET"): _workshop_cases(RUN_WORKSHOP),
        ("workshops.edit", "POST"): _workshop_cases(RUN_WORKSHOP, body=_workshop_form, writes=True),
        ("workshops.add_participant", "POST"): _workshop_cases(
            RUN_WORKSHOP, body=lambda w: {"employee_number": w.b.number}, writes=True
        ),
        ("workshops.remove_participant", "POST"): [
            Case(
                "planned workshop",
                RUN_WORKSHOP,
                url=lambda w: {"workshop_id": w.workshop, "manager_id": w.workshop_member},
                writes=True,
            ),
            Case(
                "no such workshop",
                NOBODY,
                url=lambda w: {"workshop_id": 2_000_000_000, "manager_id": w.workshop_member},
            ),
        ],
        ("workshops.cancel", "POST"): _workshop_cases(RUN_WORKSHOP, writes=True),
        ("workshops.outcome", "GET"): [
            Case(
                "held workshop",
                RUN_WORKSHOP,
                url=lambda w: {"workshop_id": w.held_workshop, "pillar_key": "leader"},
            ),
            Case(
                "no such workshop",
                NOBODY,
                url=lambda w: {"workshop_id": 2_000_000_000, "pillar_key": "leader"},
            ),
        ],
        ("workshops.outcome", "POST"): [
            Case(
                "held workshop",
                RUN_WORKSHOP,
                url=lambda w: {"workshop_id": w.held_workshop, "pillar_key": "leader"},
                body=lambda w: {"notes": "Nya anteckningar"},
                writes=True,
            ),
            Case(
                "no such workshop",
                NOBODY,
                url=lambda w: {"workshop_id": 2_000_000_000, "pillar_key": "leader"},
            ),
        ],
        ("workshops.goal_done", "POST"): [
            Case(
                "A's group goal",
                MARK_GOAL,
                url=lambda w: {"workshop_id": w.held_workshop, "goal_id": w.group_goal},
                body=lambda w: {"done": "1"},
                writes=True,
            ),
            Case(
                "goal under another workshop",
                NOBODY,
                url=lambda w: {"workshop_id": w.workshop, "goal_id": w.group_goal},
                body=lambda w: {"done": "1"},
            ),
        ],
        ("workshops.guide", "GET"): plain(STAFF),
        ("workshops.guide_pillar", "GET"): plain(STAFF, url=lambda w: {"pillar_key": "leader"}),
        ("workshops.guide_pillar", "POST"): plain(
            STAFF,
            url=lambda w: {"pillar_key": "leader"},
            body=lambda w: {"language": "sv", "text": "Ny matrisfråga?"},
            writes=True,
        ),
        ("workshops.edit_question", "GET"): plain(STAFF, url=lambda w: {"question_id": w.question}),
        ("workshops.edit_question", "POST"): plain(
            STAFF, url=lambda w: {"question_id": w.question}, body=lambda w: {"text": "Ändrad?"}, writes=True
        ),
        ("workshops.retire_question", "POST"): plain(
            STAFF, url=lambda w: {"question_id": w.question}, body=lambda w: {"retired": "1"}, writes=True
        ),
        ("workshops.move_question", "POST"): plain(
            STAFF,
            url=lambda w: {"question_id": w.question},
            body=lambda w: {"direction": "down"},
            writes=True,
        ),
        ("api.list_workshops", "GET"): plain(SIGNED_IN),
        ("api.create_workshop", "POST"): plain(
            STAFF,
            body=lambda w: {
                "unit_id": w.unit,
                "title": "Via API",
                "held_at": f"{w.later}T09:00:00+01:00",
                "pillars": ["leader"],
            },
            writes=True,
        ),
        ("api.get_workshop", "GET"): _workshop_cases(WORKSHOP),
        ("api.record_workshop_outcome", "POST"): _workshop_cases(
            RUN_WORKSHOP,
            held=True,
            body=lambda w: {"pillars": [{"pillar": "leader", "notes": "Via API"}]},
            writes=True,
        ),
        ("api.list_workshop_goals", "GET"): _workshop_cases(WORKSHOP, held=True),
    }
)


# -- offboarding ----
#: who reads the leaving manager's checklist, does its tasks and records the exit interview: HR and
#: their line manager (A's); the leaving manager themself is no role of the matrix
OFFBOARDING: Roles = STAFF | {LINE}


def _offboarding_cases(allowed: Roles, url: Values = lambda w: {}, **options: Any) -> list[Case]:
    """The leaving manager's checklist, and B's, who has none."""
    return [
        Case(
            "leaving manager",
            allowed,
            url=lambda w: {"manager_id": w.offboarding_manager, **url(w)},
            **options,
        ),
        Case(
            "manager without a checklist",
            NOBODY,
            url=lambda w: {"manager_id": w.b.manager, **url(w)},
            **options,
        ),
    ]


# -- effect map ----
#: who reads the effect map: HR and every manager (the interviewer has no manager record)
READ_MAP: Roles = STAFF | {MGR_A, MGR_B, LINE, MENTOR}


def _effect_cases(allowed: Roles, **options: Any) -> list[Case]:
    """Örebro's "goal attainment" effect, and one that does not exist."""
    return [
        Case("effect", allowed, url=lambda w: {"effect_id": w.effect}, **options),
        Case("no such effect", NOBODY, url=lambda w: {"effect_id": 2_000_000_000}, **options),
    ]


def _effect_item_cases(allowed: Roles, **options: Any) -> list[Case]:
    """The effect's first driver, an obstacle described in words, and a list that does not exist."""
    return [
        Case("driver", allowed, url=lambda w: {"kind": "drivers", "item_id": w.effect_driver}, **options),
        Case(
            "obstacle", allowed, url=lambda w: {"kind": "obstacles", "item_id": w.effect_obstacle}, **options
        ),
        Case("no such list", NOBODY, url=lambda w: {"kind": "wishes", "item_id": w.effect_driver}, **options),
        Case(
            "no such driver", NOBODY, url=lambda w: {"kind": "drivers", "item_id": 2_000_000_000}, **options
        ),
    ]


def _exit_interview_form(w: World) -> dict[str, Any]:
    scores = {f"score_{key}": "3" for key in ("secure", "developer", "leader")}
    return {"held_on": w.today, "reason": "pension", "voluntary": "yes", "regrettable": "no", **scores}


def _effect_form(w: World) -> dict[str, Any]:
    return {"title_sv": "Matriseffekt", "measure_kind": "obstacle_removal", "pillars": str(w.leader_pillar)}


MATRIX.update(
    {
        ("offboarding.checklist", "GET"): _offboarding_cases(OFFBOARDING),
        ("offboarding.task_done", "POST"): _offboarding_cases(
            OFFBOARDING,
            url=lambda w: {"task_id": w.offboarding_task},
            body=lambda w: {"completed_on": w.today},
            writes=True,
        ),
        ("offboarding.exit_interview", "GET"): _offboarding_cases(OFFBOARDING),
        ("offboarding.exit_interview", "POST"): _offboarding_cases(
            OFFBOARDING, body=_exit_interview_form, writes=True
        ),
        ("offboarding.reasons", "GET"): plain(STAFF),
        ("offboarding.reasons", "POST"): plain(
            STAFF, body=lambda w: {"code": "studies", "name_sv": "Studier", "name_en": "Studies"}, writes=True
        ),
        ("offboarding.retire_reason", "POST"): plain(
            STAFF, url=lambda w: {"reason_id": w.exit_reason}, body=lambda w: {"retired": "1"}, writes=True
        ),
        ("offboarding.analysis", "GET"): plain(STAFF, query=lambda w: f"unit={w.unit}&per=year"),
        ("offboarding.analysis_csv", "GET"): plain(STAFF, query=lambda w: "table=units"),
        ("effect_map.index", "GET"): [
            *plain(READ_MAP),
            Case("one unit", READ_MAP, query=lambda w: f"unit={w.unit}&period=12m"),
        ],
        ("effect_map.figures_csv", "GET"): plain(READ_MAP),
        ("effect_map.new_effect", "GET"): plain(STAFF),
        ("effect_map.new_effect", "POST"): plain(STAFF, body=_effect_form, writes=True),
        ("effect_map.effect", "GET"): _effect_cases(STAFF),
        ("effect_map.edit_effect", "GET"): _effect_cases(STAFF),
        ("effect_map.edit_effect", "POST"): _effect_cases(STAFF, body=_effect_form, writes=True),
        ("effect_map.retire_effect", "POST"): _effect_cases(
            STAFF, body=lambda w: {"retired": "1"}, writes=True
        ),
        ("effect_map.move_effect", "POST"): _effect_cases(
            STAFF, body=lambda w: {"direction": "up"}, writes=True
        ),
        ("effect_map.add_driver", "POST"): _effect_cases(
            STAFF, body=lambda w: {"driver-text_sv": "Ny drivkraft"}, writes=True
        ),
        ("effect_map.add_obstacle", "POST"): _effect_cases(
            STAFF, body=lambda w: {"obstacle-text_sv": "Nytt hinder i ord"}, writes=True
        ),
        ("effect_map.edit_item", "GET"): _effect_item_cases(STAFF),
        ("effect_map.edit_item", "POST"): _effect_item_cases(
            STAFF, body=lambda w: {"text_sv": "Ändrad text"}, writes=True
        ),
        ("effect_map.retire_item", "POST"): _effect_item_cases(
            STAFF, body=lambda w: {"retired": "1"}, writes=True
        ),
        ("effect_map.move_item", "POST"): [
            Case(
                "driver",
                STAFF,
                url=lambda w: {"kind": "drivers", "item_id": w.effect_driver},
                body=lambda w: {"direction": "down"},
                writes=True,
            ),
            Case("no such driver", NOBODY, url=lambda w: {"kind": "drivers", "item_id": 2_000_000_000}),
        ],
        ("api.show_effect_map", "GET"): [
            *plain(READ_MAP),
            Case("one unit", STAFF, query=lambda w: f"unit_id={w.unit}"),
        ],
    }
)


# -- running the cells -----------------------------------------------------------------------------------

#: columns a request may change without that being a write by the user: when a token or login was used
NOT_COMPARED = {"api_tokens": {"last_used_at"}, "users": {"last_login_at"}}
#: the audit log: a read adds its "view" rows here, and every write its own rows
AUDIT = AuditEvent.__tablename__


def _compared(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if c.name not in NOT_COMPARED.get(table.name, set())]


def fingerprint(connection: Connection) -> dict[str, str]:
    """Return a digest of every table's rows, to tell whether a request wrote anything."""
    tables = db.metadata.sorted_tables
    if connection.dialect.name == "postgresql":
        # One round trip instead of one per table: the server digests each table's rows.
        parts = []
        for table in tables:
            row = "row(" + ", ".join(f't."{c.name}"' for c in _compared(table)) + ")::text"
            parts.append(  # the names come from the models' metadata, never from input
                f"SELECT '{table.name}', md5(coalesce(string_agg({row}, '|' ORDER BY {row}), ''))"  # noqa: S608
                f' FROM "{table.name}" AS t'
            )
        return {name: digest for name, digest in connection.execute(text(" UNION ALL ".join(parts)))}
    digests: dict[str, str] = {}
    for table in tables:
        rows = sorted(repr(tuple(row)) for row in connection.execute(select(*_compared(table))))
        digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


@dataclass
class Browser:
    client: FlaskClient
    csrf: str


class Matrix:
    """The module's data and logged-in clients, and the request of one cell."""

    def __init__(self, app: Flask, world: World, connection: Connection | None = None) -> None:
        self.app = app
        self.world = world
        self.browsers = {role: self.browser(role) for role in ROLES}
        #: the data's connection, to tell what each request wrote
        self.connection = connection
        self.baseline = fingerprint(connection) if connection is not None else {}
        #: the audit log is append-only: the rows a request logged are the ones after this id
        self.last_audit = (
            connection.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0
            if connection is not None
            else 0
        )

    def browser(self, role: str) -> Browser:
        client = self.app.test_client()
        if role != ANON:
            token = csrf_token_from(client.get("/login").get_data(as_text=True))
            response = client.post(
                "/login", data={"email": self.world.emails[role], "password": PASSWORD, "csrf_token": token}
            )
            assert response.status_code == 302, f"{role} could not log in"
            page = client.get("/account/")
        else:
            page = client.get("/login")
        return Browser(client, csrf_token_from(page.get_data(as_text=True)))

    def url(self, endpoint: str, method: str, case: Case) -> str:
        values = case.url(self.world)
        path = self.app.url_map.bind("localhost").build(endpoint, values, method=method)
        query = case.query(self.world)
        if "__M__" in query:
            query = query.replace("__M__", str(self.world.side(case.target).manager))
        return f"{path}?{query}" if query else path

    def send(self, endpoint: str, method: str, case: Case, role: str) -> TestResponse:
        url = self.url(endpoint, method, case)
        body = case.body(self.world)
        if endpoint.startswith("api."):
            headers = {"Authorization": f"Bearer {self.world.secrets[role]}"} if role != ANON else {}
            client = self.browsers[ANON].client if role == ANON else self.app.test_client()
            json = body if method != "GET" else None
            return client.open(url, method=method, headers=headers, json=json, buffered=True)
        browser = self.browser(role) if case.own_session else self.browsers[role]
        if method == "GET":
            # Buffered: each request has its own context, which a streamed body would outlive.
            return browser.client.get(url, buffered=True)
        form = {
            k: (v.replace("__N__", self.world.side(case.target).number) if isinstance(v, str) else v)
            for k, v in body.items()
        }
        response = browser.client.post(url, data={**form, "csrf_token": browser.csrf}, buffered=True)
        # The message flashed for this write would show on the next cell's page: drop it.
        with browser.client.session_transaction() as session:
            session.pop("_flashes", None)
        return response

    def check(self, endpoint: str, method: str, case: Case, role: str) -> list[str]:
        """Request one cell and return what is wrong with the answer (nothing when it is right)."""
        writing = method != "GET"
        assert self.connection is not None
        # Reads too: a read that writes is caught like a write, and what it logged is undone.
        savepoint = self.connection.begin_nested()
        try:
            if writing:
                limiter.reset()
            response = self.send(endpoint, method, case, role)
            after = fingerprint(self.connection)
            changed = sorted(name for name, digest in after.items() if self.baseline.get(name) != digest)
            logged = (
                set(
                    self.connection.scalars(
                        select(AuditEvent.action).where(AuditEvent.id > self.last_audit).distinct()
                    )
                )
                if AUDIT in changed
                else set()
            )
        finally:
            savepoint.rollback()
        # Every change logs itself: the audit rows alone are no proof that a write changed anything.
        changed_data = [name for name in changed if name != AUDIT]
        where = f"{method} {endpoint} [{case.target}] as {role}: {response.status_code}"
        status = response.status_code
        location = response.headers.get("Location", "")
        problems: list[str] = []
        if role in case.allowed:
            to_login = location.startswith("/login") and not (
                endpoint == "auth.logout" and "next=" not in location
            )
            if not (200 <= status < 300 or (status in (302, 303) and not to_login)):
                problems.append(f"{where}, expected to be let through {location}")
            elif writing and case.writes and not changed_data:
                problems.append(f"{where}, let through but wrote nothing")
            if not writing and changed_data:
                problems.append(f"{where}, a read changed data in {changed_data}")
            if not writing and logged - case.logs:
                problems.append(f"{where}, a read logged {sorted(logged - case.logs)}")
            problems += self.check_markers(where, case, role, response)
        else:
            if role == ANON and ENDPOINT_RULES[endpoint].needs_login:
                expected = "401" if endpoint.startswith("api.") else "the login page"
                ok = (
                    status == 401
                    if endpoint.startswith("api.")
                    else status == 302 and location.startswith("/login?next=")
                )
            else:
                expected, ok = "404", status == 404
            if not ok:
                problems.append(f"{where}, expected {expected} {location}")
            if changed:
                problems.append(f"{where}, refused but changed data in {changed}")
            body = response.get_data(as_text=True)
            leaked = [name for key, name in NAMES.items() if name in body and OWNERS[key] != role]
            if leaked:
                problems.append(f"{where}, the refusal names {leaked}")
        return problems

    def check_markers(self, where: str, case: Case, role: str, response: TestResponse) -> list[str]:
        if not case.sees:
            return []
        if case.xlsx:
            sheet = load_workbook(io.BytesIO(response.get_data())).active
            assert sheet is not None
            text = "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
        else:
            text = response.get_data(as_text=True)
        problems = []
        for key, seers in case.sees.items():
            shown = NAMES[key] in text
            if shown != (role in seers):
                problems.append(f"{where}, {NAMES[key]} {'shown' if shown else 'missing'}")
        return problems


@pytest.fixture(scope="module")
def matrix(app: Flask) -> Iterator[Matrix]:
    """Build the data once, in a transaction every request of this module shares and that is rolled back."""
    with app.test_request_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original_session = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _ConnectionBoundSession,
            }
        )
        limiter.reset()
        try:
            world = build_world()
            db.session.commit()
            yield Matrix(app, world, connection)
        finally:
            db.session.remove()
            db.session = original_session
            outer.rollback()
            connection.close()
            limiter.reset()


@pytest.fixture
def committed(matrix: Matrix) -> None:
    """Stand in for conftest's `committed`: this module's tests share the module's own transaction.

    conftest's per-test transaction steps aside for tests that use a fixture of this name; the
    module's data lives in `matrix`'s transaction instead, and is rolled back when the module ends.
    """


def test_every_rule_is_in_the_matrix(app: Flask) -> None:
    declared = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    }
    missing = sorted(declared - set(MATRIX))
    assert not missing, f"add these to MATRIX in {__name__}: {missing}"
    assert not sorted(set(MATRIX) - declared), "MATRIX has entries for rules that no longer exist"


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda key: f"{key[1]} {key[0]}")
def test_cell(key: tuple[str, str], matrix: Matrix, committed: None) -> None:
    endpoint, method = key
    problems = [
        problem
        for case in MATRIX[key]
        for role in ROLES
        for problem in matrix.check(endpoint, method, case, role)
    ]
    assert not problems, "\n".join(problems)

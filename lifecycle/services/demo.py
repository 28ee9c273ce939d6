"""A believable demo municipality: organisation, HR, about fifty managers on every stage of the journey.

Everything is keyed (units by path, users by e-mail, managers by employee number), so seeding twice
adds nothing the second time.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from lifecycle.enums import ActivityKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import Platform
from lifecycle.models import User
from lifecycle.services.accounts import create_user
from lifecycle.services.accounts import get_user_by_email
from lifecycle.services.demo_effect_map import link_demo_obstacles  # -- effect map ----
from lifecycle.services.demo_offboarding import seed_demo_offboarding
from lifecycle.services.demo_recruitment import seed_demo_recruitment
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.journey import enter_journey
from lifecycle.services.journey import move_to_stage
from lifecycle.services.organisation import ensure_unit_path
from lifecycle.services.platform import get_platform
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "chefsresan-demo"  # noqa: S105 (printed for the demo on purpose)
DOMAIN = "demo.example"
MUNICIPALITY = "Demo kommun"

#: förvaltning → avdelning → enheter
ORGANISATION: dict[str, dict[str, list[str]]] = {
    "Kommunstyrelseförvaltningen": {
        "HR-avdelningen": ["Rekrytering och kompetensförsörjning", "Lön och pension"],
        "Ekonomiavdelningen": ["Redovisning och budget"],
    },
    "Förvaltningen förskola och skola": {
        "Förskoleavdelningen": ["Förskolor norr", "Förskolor söder", "Förskolor väster"],
        "Grundskoleavdelningen": ["Björkängsskolan", "Ekbackens skola", "Lindåsens skola"],
    },
    "Vård- och omsorgsförvaltningen": {
        "Äldreomsorgen": ["Hemtjänst öst", "Hemtjänst väst", "Ängsgårdens vård- och omsorgsboende"],
        "Funktionsstöd": ["Daglig verksamhet", "Bostad med särskild service"],
    },
    "Samhällsbyggnadsförvaltningen": {
        "Stadsbyggnad": ["Bygglov", "Planenheten"],
        "Teknik": ["Gata och park", "Vatten och avlopp"],
    },
}

FIRST_NAMES = [
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Johan",
    "Eva",
    "Anders",
    "Sara",
    "Per",
    "Lena",
    "Mikael",
    "Emma",
    "Fredrik",
    "Linnea",
    "Ahmed",
    "Fatima",
    "Jonas",
    "Sofia",
    "Mattias",
    "Elin",
    "Daniel",
    "Hanna",
    "Oskar",
    "Amira",
    "Niklas",
    "Ida",
    "Peter",
    "Maja",
    "Henrik",
    "Zeynep",
    "Gustav",
    "Ulrika",
    "Magnus",
    "Helena",
    "Ali",
    "Frida",
    "Tomas",
    "Camilla",
    "Viktor",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Lindberg",
    "Lindqvist",
    "Berg",
    "Holm",
    "Sandberg",
    "Ekström",
    "Hassan",
    "Yilmaz",
    "Lundgren",
    "Björk",
    "Forsberg",
    "Nyström",
    "Åberg",
]


@dataclass
class DemoSummary:
    units: int = 0
    managers: int = 0
    created: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Seeder:
    today: date
    rng: random.Random
    hr_partners: list[User]
    summary: DemoSummary
    used_names: set[str] = field(default_factory=set)
    next_number: int = 1

    def person_name(self) -> str:
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def email_for(self, name: str) -> str:
        local = name.lower()
        for swedish, plain in (("å", "a"), ("ä", "a"), ("ö", "o"), (" ", ".")):
            local = local.replace(swedish, plain)
        return f"{local}@{DOMAIN}"

    def add(
        self,
        stage: Stage,
        title: str,
        unit: OrgUnit,
        line_manager: Manager | None,
        with_account: bool,
    ) -> Manager:
        """Add one person at `stage` with a believable history, unless their number already exists."""
        number = f"D{self.next_number:04d}"
        self.next_number += 1
        name = self.person_name()
        existing = db.session.scalar(select(Manager).where(Manager.employee_number == number))
        if existing is not None:
            self.used_names.add(existing.name)
            return existing
        email = self.email_for(name)
        user = None
        if with_account:
            user = get_user_by_email(email) or create_user(email, name, DEMO_PASSWORD, roles={Role.MANAGER})
            self.summary.logins.append((email, f"manager ({stage.value})"))
        hr_partner = self.hr_partners[unit.id % len(self.hr_partners)]
        manager = self._enter(stage, name, number, email, title, unit, line_manager, hr_partner, user)
        self.summary.created += 1
        return manager

    def _enter(
        self,
        stage: Stage,
        name: str,
        number: str,
        email: str,
        title: str,
        unit: OrgUnit,
        line_manager: Manager | None,
        hr_partner: User,
        user: User | None,
    ) -> Manager:
        days = self.rng.randint
        common: dict[str, Any] = {
            "name": name,
            "employee_number": number,
            "email": email,
            "title": title,
            "org_unit": unit,
            "line_manager": line_manager,
            "hr_partner": hr_partner,
            "user": user,
            "actor": None,
        }
        if stage in (Stage.ATTRACT, Stage.RECRUIT):
            manager = enter_journey(
                stage=Stage.ATTRACT if stage is Stage.ATTRACT else Stage.RECRUIT,
                effective_date=self.today - timedelta(days=days(5, 120)),
                reason="Talangpool" if stage is Stage.ATTRACT else "Sökande till utlyst tjänst",
                **common,
            )
            return manager
        if stage is Stage.INTRODUCE:
            hired = self.today - timedelta(days=days(10, 150))
            manager = enter_journey(
                stage=Stage.RECRUIT,
                effective_date=hired - timedelta(days=days(40, 90)),
                reason="Sökande till utlyst tjänst",
                start_date=hired,
                **common,
            )
            move_to_stage(manager, Stage.INTRODUCE, None, "Anställd, introduktion startar", hired)
            return manager
        started = self.today - timedelta(days=days(400, 4000))
        manager = enter_journey(
            stage=Stage.DEVELOP,
            effective_date=started,
            reason="Importerad från HR-systemet",
            start_date=started,
            **common,
        )
        if stage is Stage.OFFBOARD:
            leaving = self.today + timedelta(days=days(10, 90))
            move_to_stage(
                manager,
                Stage.OFFBOARD,
                None,
                "Har sagt upp sig",
                self.today - timedelta(days=days(1, 30)),
                end_date=leaving,
            )
        elif stage is Stage.CLOSED:
            ended = self.today - timedelta(days=days(30, 200))
            move_to_stage(
                manager, Stage.OFFBOARD, None, "Pension", ended - timedelta(days=60), end_date=ended
            )
            move_to_stage(manager, Stage.CLOSED, None, "Har slutat", ended)
        return manager


def _seed_users(summary: DemoSummary) -> list[User]:
    staff = [
        (f"admin@{DOMAIN}", "Alva Admin", {Role.ADMIN}, "admin"),
        (f"hr@{DOMAIN}", "Hanna Rask", {Role.HR}, "HR"),
        (f"hr2@{DOMAIN}", "Omar Lind", {Role.HR}, "HR"),
    ]
    users = []
    for email, name, roles, label in staff:
        users.append(get_user_by_email(email) or create_user(email, name, DEMO_PASSWORD, roles=roles))
        summary.logins.append((email, label))
    return users[1:]


def seed_demo_data(today: date | None = None) -> DemoSummary:
    """Create the demo organisation, users and managers that do not exist yet."""
    summary = DemoSummary()
    # Before the managers: those entering the introduce stage get the default programme launched.
    ensure_default_template()
    hr_partners = _seed_users(summary)
    seeder = _Seeder(
        today=today or local_today(),
        rng=random.Random(2013),  # noqa: S311 (demo data, not secrets)
        hr_partners=hr_partners,
        summary=summary,
    )
    root = ensure_unit_path([MUNICIPALITY])
    director = seeder.add(Stage.DEVELOP, "Kommundirektör", root, None, with_account=True)
    # Stages for unit managers, cycled so every stage has people.
    unit_stages = [
        Stage.DEVELOP,
        Stage.DEVELOP,
        Stage.INTRODUCE,
        Stage.DEVELOP,
        Stage.OFFBOARD,
        Stage.DEVELOP,
        Stage.INTRODUCE,
        Stage.DEVELOP,
        Stage.DEVELOP,
        Stage.CLOSED,
    ]
    position = 0
    for administration, departments in ORGANISATION.items():
        admin_unit = ensure_unit_path([MUNICIPALITY, administration])
        head = seeder.add(Stage.DEVELOP, "Förvaltningschef", admin_unit, director, with_account=True)
        for department, units in departments.items():
            dept_unit = ensure_unit_path([MUNICIPALITY, administration, department])
            dept_head = seeder.add(Stage.DEVELOP, "Avdelningschef", dept_unit, head, with_account=True)
            for unit_name in units:
                unit = ensure_unit_path([MUNICIPALITY, administration, department, unit_name])
                stage = unit_stages[position % len(unit_stages)]
                position += 1
                seeder.add(stage, "Enhetschef", unit, dept_head, with_account=stage is not Stage.CLOSED)
            # Candidates: one aspirant in the talent pool and one applicant per department.
            seeder.add(
                Stage.ATTRACT, "Aspirant, chefsaspirantprogrammet", dept_unit, None, with_account=False
            )
            seeder.add(Stage.RECRUIT, "Sökande, enhetschef", dept_unit, None, with_account=False)
    db.session.flush()
    summary.units = db.session.scalar(select(func.count()).select_from(OrgUnit)) or 0
    _seed_development(seeder.today)
    platform = get_platform()
    if platform is not None:
        seed_demo_recruitment(seeder.today, hr_partners, platform)
    _seed_obstacles(seeder.today, hr_partners)
    # -- mentoring --
    _seed_mentoring(seeder.today, hr_partners)
    # -- workshops --
    _seed_workshops(seeder.today, hr_partners)
    # -- offboarding ----
    seed_demo_offboarding(seeder.today)
    link_demo_obstacles()  # -- effect map ----
    summary.managers = db.session.scalar(select(func.count()).select_from(Manager)) or 0
    logger.info("demo data: %d managers, %d new", summary.managers, summary.created)
    return summary


def demo_catalogue(platform: Platform) -> list[tuple[str, ActivityKind, tuple[str, ...], tuple[str, ...]]]:
    """The demo's catalogue (title, kind, pillar keys, expectation keys): the platform file's, else one
    course per pillar on its first two expectations and a workshop on every pillar's first, so that any
    platform's demo builds every pillar (each item has an expectation: the demo's goals need one).
    """
    listed = (platform.defaults or {}).get("catalogue") or []
    if listed:
        return [
            (item["title"], ActivityKind(item["kind"]), tuple(item["pillars"]), tuple(item["expectations"]))
            for item in listed
        ]
    pillars = [p for p in platform.pillars if p.retired_at is None]
    courses = [
        (
            f"Kurs: {pillar.name_sv}",
            ActivityKind.COURSE,
            (pillar.key,),
            tuple(e.key for e in pillar.expectations if e.retired_at is None)[:2],
        )
        for pillar in pillars
    ]
    firsts = tuple(e.key for p in pillars for e in p.expectations[:1] if e.retired_at is None)
    workshop = ("Workshop om ledarplattformen", ActivityKind.WORKSHOP, tuple(p.key for p in pillars), firsts)
    return [*courses, workshop]


def _seed_development(today: date) -> None:
    """Give the demo a catalogue, and managers in post plans, goals and completed activities (once)."""
    from lifecycle.models import CatalogueItem
    from lifecycle.services.activities import add_from_catalogue
    from lifecycle.services.activities import complete_activity
    from lifecycle.services.activities import create_catalogue_item
    from lifecycle.services.activities import resolve_tags
    from lifecycle.services.plans import add_goal
    from lifecycle.services.plans import ensure_plan

    if db.session.scalar(select(CatalogueItem).limit(1)) is not None:
        return
    platform = get_platform()
    if platform is None:
        raise ValueError("load the leadership platform before the demo")
    items = []
    for title, kind, pillar_keys, expectation_keys in demo_catalogue(platform):
        pillars, expectations = resolve_tags(pillar_keys, expectation_keys)
        items.append(
            create_catalogue_item(
                title=title, kind=kind, description="", pillars=pillars, expectations=expectations
            )
        )
    in_post = db.session.scalars(
        select(Manager).where(Manager.stage.in_([Stage.INTRODUCE, Stage.DEVELOP])).order_by(Manager.id)
    ).all()
    for index, manager in enumerate(in_post):
        plan = ensure_plan(manager, today)
        item = items[index % len(items)]
        goal = add_goal(plan, title=f"Utvecklas inom: {item.title}", expectations=list(item.expectations))
        done = add_from_catalogue(item, manager, None, due_on=today - timedelta(days=40 + index), goal=goal)
        # Two in three have completed theirs; the rest are overdue, as in any real organisation.
        if index % 3:
            complete_activity(done, today - timedelta(days=30 + index))
        add_from_catalogue(
            items[(index + 2) % len(items)], manager, None, due_on=today + timedelta(days=20 + index)
        )


#: the demo's obstacles: title, description, severity, shared, and how far HR has come with it
DEMO_OBSTACLES = (
    ("Ingen vikariepool", "Vi saknar vikarier sedan i våras; jag täcker själv upp.", "high", True, "handled"),
    (
        "Rekryteringssystemet är långsamt",
        "Varje annons tar en halv dag att publicera.",
        "medium",
        True,
        "removed",
    ),
    (
        "För många direktrapporterande",
        "Jag har 38 medarbetare och hinner inte med samtalen.",
        "high",
        False,
        "new",
    ),
)


def _seed_obstacles(today: date, hr_partners: list[User]) -> None:
    """A few obstacles reported by managers in post: one new, one being handled, one removed (once)."""
    from lifecycle.enums import ObstacleSeverity
    from lifecycle.enums import ObstacleStatus
    from lifecycle.models import Obstacle
    from lifecycle.services.obstacles import ObstacleChange
    from lifecycle.services.obstacles import change_obstacle
    from lifecycle.services.obstacles import report_obstacle

    platform = get_platform()
    if platform is None or db.session.scalar(select(Obstacle.id).limit(1)) is not None:
        return
    reporters = db.session.scalars(
        select(Manager)
        .where(Manager.stage == Stage.DEVELOP, Manager.org_unit_id.is_not(None), Manager.user_id.is_not(None))
        .order_by(Manager.id)
        .offset(3)
        .limit(len(DEMO_OBSTACLES))
    ).all()
    current = [p for p in platform.pillars if not p.is_retired]
    hr = hr_partners[0] if hr_partners else None
    for index, (manager, (title, description, severity, shared, progress)) in enumerate(
        zip(reporters, DEMO_OBSTACLES, strict=False)
    ):
        pillar = current[index % len(current)]
        expectations = [e.id for e in pillar.expectations if not e.is_retired][:1]
        unit = manager.org_unit
        if unit is None:
            continue
        obstacle = report_obstacle(
            reporter=manager,
            unit=unit,
            title=title,
            description=description,
            severity=ObstacleSeverity(severity),
            shared=shared,
            pillar_ids=[pillar.id],
            expectation_ids=expectations,
            actor=manager.user,
        )
        if progress == "handled":
            due = today + timedelta(days=45)
            change = ObstacleChange(
                ObstacleStatus.BEING_HANDLED, hr, due, comment="Vi ser över vikarieavtalet."
            )
            change_obstacle(obstacle, change, hr)
        elif progress == "removed":
            removed = ObstacleChange(
                ObstacleStatus.REMOVED, hr, None, explanation="Annonserna publiceras nu direkt från mallen."
            )
            change_obstacle(obstacle, removed, hr)


# -- mentoring ---------------------------------------------------------------------------------------------

#: what the study found about the demo's role models, one for each (the first pillars' strengths)
DEMO_ROLE_MODEL_NOTES = (
    "Bygger förtroende i arbetsgruppen och ger tydlig återkoppling.",
    "Driver utveckling och prövar nytt tillsammans med medarbetarna.",
    "Håller budgeten och fattar beslut som står sig.",
)


def _seed_mentoring(today: date, hr_partners: list[User]) -> None:
    """A few role models, strong in a pillar each (by the platform's own keys), and one running
    mentorship with a meeting logged (once)."""
    from lifecycle.models import RoleModel
    from lifecycle.services.mentoring import log_meeting
    from lifecycle.services.mentoring import mark_role_model
    from lifecycle.services.mentoring import start_mentorship
    from lifecycle.services.mentoring.queries import in_own_line

    platform = get_platform()
    if platform is None or db.session.scalar(select(RoleModel.id).limit(1)) is not None:
        return
    current = [p for p in platform.pillars if not p.is_retired]
    in_post = db.session.scalars(
        select(Manager)
        .where(Manager.stage == Stage.DEVELOP, Manager.user_id.is_not(None), Manager.anonymised_at.is_(None))
        .order_by(Manager.id)
        .limit(40)
    ).all()
    if not current or len(in_post) < len(DEMO_ROLE_MODEL_NOTES) + 1:
        return
    hr = hr_partners[0] if hr_partners else None
    mentors = in_post[: len(DEMO_ROLE_MODEL_NOTES)]
    for index, (manager, note) in enumerate(zip(mentors, DEMO_ROLE_MODEL_NOTES, strict=False)):
        pillar = current[index % len(current)]
        strengths = [e.key for e in pillar.expectations if not e.is_retired][:2]
        mark_role_model(
            manager,
            pillar_keys=[pillar.key],
            expectation_keys=strengths,
            capacity=2,
            study_note=note,
            actor=hr,
        )
    mentor = mentors[0]
    mentee = next(
        (m for m in reversed(in_post) if m not in mentors and not in_own_line(m.id, mentor.id)), None
    )
    if mentee is None:
        return
    mentorship = start_mentorship(
        mentor=mentor,
        mentee=mentee,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=150),
        goals="Ge och ta emot återkoppling i den egna ledningsgruppen.",
        cadence_weeks=4,
        actor=hr,
    )
    log_meeting(
        mentorship,
        held_on=today - timedelta(days=7),
        title="Första mentorsträffen",
        pillar_keys=[current[0].key],
        expectation_keys=[],
        notes="Vi gick igenom målen och bokade nästa träff.",
        actor=hr,
    )


# -- workshops ---------------------------------------------------------------------------------------------


def _seed_workshops(today: date, hr_partners: list[User]) -> None:
    """The largest management group's workshop held two weeks ago, with a group goal and an obstacle
    from its outcome, and its next one planned (once)."""
    from datetime import datetime
    from datetime import time

    from lifecycle.enums import ObstacleSeverity
    from lifecycle.models.workshops import Workshop
    from lifecycle.services.workshops import GoalDraft
    from lifecycle.services.workshops import ObstacleDraft
    from lifecycle.services.workshops import PillarOutcome
    from lifecycle.services.workshops import WorkshopValues
    from lifecycle.services.workshops import plan_workshop
    from lifecycle.services.workshops import record_outcome
    from lifecycle.services.workshops.planning import unit_managers
    from lifecycle.timeutil import STOCKHOLM

    platform = get_platform()
    if platform is None or db.session.scalar(select(Workshop.id).limit(1)) is not None:
        return
    current = [p for p in platform.pillars if not p.is_retired]
    busiest = db.session.scalar(
        select(Manager.org_unit_id)
        .where(Manager.org_unit_id.is_not(None), Manager.stage == Stage.DEVELOP)
        .group_by(Manager.org_unit_id)
        .order_by(func.count().desc(), Manager.org_unit_id)
        .limit(1)
    )
    unit = db.session.get(OrgUnit, busiest) if busiest is not None else None
    if not current or unit is None or not unit_managers(unit):
        return
    hr = hr_partners[0] if hr_partners else None
    discussed = current[:2]

    def at_nine(day: date) -> datetime:
        return datetime.combine(day, time(9), tzinfo=STOCKHOLM)

    held = plan_workshop(
        unit,
        WorkshopValues(
            "Ledningsgruppens uppdrag", at_nine(today - timedelta(days=14)), hr, [p.id for p in discussed]
        ),
        hr,
    )
    owner = unit_managers(unit)[0]
    first = discussed[0]
    record_outcome(
        held,
        [
            PillarOutcome(
                first.id,
                notes="Vi behöver en gemensam bild av hur vi följer upp beslut.",
                goals=[
                    GoalDraft(
                        "Inför en stående punkt om uppföljning av beslut på ledningsgruppsmötet.",
                        owner.id,
                        today + timedelta(days=30),
                        expectation_ids=[e.id for e in first.expectations if not e.is_retired][:1],
                    )
                ],
                obstacles=[
                    ObstacleDraft(
                        "Beslutsunderlagen kommer för sent till ledningsgruppen",
                        ObstacleSeverity.MEDIUM,
                        shared=True,
                    )
                ],
            )
        ],
        hr,
        today,
    )
    plan_workshop(
        unit,
        WorkshopValues(
            "Uppföljning av ledningsgruppens mål", at_nine(today + timedelta(days=21)), hr, [first.id]
        ),
        hr,
    )

"""GDPR: a person's export covers every row that refers to them, anonymisation leaves none of their
identifiers anywhere, changes nobody else's words and keeps the statistics, only one of two
anonymisations at once does the work, the retention job anonymises old closed journeys.

The schema is walked from `db.metadata` in the tests too, so a table added later must be seeded here
and covered by the export, and a text column added later must be declared swept or not, or these
tests fail.
"""

from __future__ import annotations

import json
import re
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import JSON
from sqlalchemy import Enum as SAEnum
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from lifecycle.append_only import HistoryIsAppendOnlyError
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import Assessor
from lifecycle.enums import Language
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.enums import OffsetUnit
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import ReminderStatus
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import AuditEvent
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Expectation
from lifecycle.models import Invitation
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import OrgUnit
from lifecycle.models import PasswordResetToken
from lifecycle.models import PillarCoverage
from lifecycle.models import PlanComment
from lifecycle.models import Reminder
from lifecycle.models import ReviewAssessment
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.models.talent_pool import PoolSource
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import create_catalogue_item
from lifecycle.services.activities import resolve_tags
from lifecycle.services.calendar import issue_calendar_token
from lifecycle.services.coverage import manager_coverage
from lifecycle.services.coverage import unit_heatmap
from lifecycle.services.csv_files import read_records
from lifecycle.services.gdpr import NUMBER_COLUMNS
from lifecycle.services.gdpr import PERSON_TABLES
from lifecycle.services.gdpr import SWEPT_COLUMNS
from lifecycle.services.gdpr import UNSWEPT_COLUMNS
from lifecycle.services.gdpr import Identifiers
from lifecycle.services.gdpr import anonymise_person
from lifecycle.services.gdpr import anonymised_label
from lifecycle.services.gdpr import apply_retention
from lifecycle.services.gdpr import export_account
from lifecycle.services.gdpr import export_person
from lifecycle.services.gdpr import is_secret_column
from lifecycle.services.gdpr import person_links
from lifecycle.services.gdpr import removed_text
from lifecycle.services.gdpr import retention_candidates
from lifecycle.services.gdpr import sweep_identifiers
from lifecycle.services.gdpr import swept_columns
from lifecycle.services.imports import CsvRow
from lifecycle.services.imports import read_import_file
from lifecycle.services.imports.activity_rows import read_activity_file
from lifecycle.services.introductions import MilestoneValues
from lifecycle.services.introductions import add_milestone
from lifecycle.services.introductions import create_template
from lifecycle.services.introductions import launch_introduction
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
from lifecycle.services.mentoring import end_mentorship
from lifecycle.services.mentoring import mark_role_model
from lifecycle.services.mentoring import start_mentorship
from lifecycle.services.obstacles import ObstacleChange
from lifecycle.services.obstacles import change_obstacle
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.organisation import create_unit
from lifecycle.services.overview import stage_counts
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import count_by_stage
from lifecycle.services.plans import add_comment
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.plans import set_notes
from lifecycle.services.platform import get_platform
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import InterviewValues
from lifecycle.services.recruitment import ScoreValue
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import amend_scorecard
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import record_decision
from lifecycle.services.recruitment import schedule_interview
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import submit_scorecard
from lifecycle.services.recruitment.ads import ParagraphChoice
from lifecycle.services.recruitment.ads import save_ad
from lifecycle.services.reviews import complete_review
from lifecycle.services.reviews import record_assessments
from lifecycle.services.talent_pool import ProfileValues
from lifecycle.services.talent_pool import add_new_person_to_pool
from lifecycle.services.talent_pool import add_to_pool
from lifecycle.services.tokens import create_token
from lifecycle.services.tokens import find_token
from lifecycle.services.workshops import GoalDraft
from lifecycle.services.workshops import PillarOutcome
from lifecycle.services.workshops import WorkshopValues
from lifecycle.services.workshops import plan_workshop
from lifecycle.services.workshops import record_outcome
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.conftest import uses_postgres
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

NAME = "Åsa Öhrnberg-Tillqvist"
OLD_NAME = "Åsa Öhrnberg"
EMAIL = "asa.ohrnberg@kommun.example"
OLD_EMAIL = "asa.o@kommun.example"
NUMBER = "E-778899"
IDENTIFIERS = (NAME, OLD_NAME, EMAIL, OLD_EMAIL, NUMBER)
#: tables reachable from a person only through a column that names them as the one responsible for a
#: template milestone: HR's programme, not the person's data (see export_person)
NOT_THEIR_DATA = {
    "template_milestone_pillars",
    "template_milestone_expectations",
    # -- workshops ----
    # a workshop's tags and notes are the group's: the workshop names its facilitator and creator, it is
    # not theirs (the notes are swept for names on erasure all the same)
    "workshop_pillars",
    "workshop_expectations",
    "workshop_outcomes",
    # -- effect map ----
    # HR's map links an effect to an obstacle of the log: the link is the map's, not the reporter's
    "effect_obstacles",
}


# -- offboarding ----
def _offboarding_seed(asa: Manager, report: Manager, user: User, hr: User, today: date) -> None:
    from lifecycle.services.journey import move_to_stage
    from lifecycle.services.offboarding import ExitInterviewValues
    from lifecycle.services.offboarding import PillarAnswer
    from lifecycle.services.offboarding import checklist_of
    from lifecycle.services.offboarding import interview_pillars
    from lifecycle.services.offboarding import record_exit_interview

    for leaving, actor in ((report, user), (asa, hr)):
        move_to_stage(leaving, Stage.OFFBOARD, hr, "Slutar", today, end_date=today + timedelta(days=40))
        checklist = checklist_of(leaving.id)
        assert checklist is not None
        # she launched her report's checklist (the move itself is HR's, one mention less to list)
        checklist.launched_by_id = actor.id
        answers = {p.key: PillarAnswer(3, f"{NAME} fick stöd") for p in interview_pillars()}
        values = ExitInterviewValues(today, True, False, "pension", answers, f"Samtal med {NAME} ({EMAIL})")
        record_exit_interview(checklist, values, actor, today)


@pytest.fixture
def platform(app_ctx: Flask) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))


@dataclass
class World:
    asa: Manager
    user: User
    hr: User
    boss: Manager
    report: Manager
    grouped: Manager
    candidate: Manager
    token_secret: str
    own_activity: Activity
    pending_activity: Activity
    group_activity: Activity


def _seed(today: date) -> World:
    """Åsa, with rows in every table that can refer to a person, and others whose texts name her."""
    hr = make_user(Role.HR, name="Hanna HR")
    unit = create_unit("Enheten för test", OrgUnitKind.UNIT)
    boss = make_manager("Bertil Chef", with_account=True, org_unit=unit)
    user = make_user(Role.MANAGER, email=EMAIL, name=NAME)
    asa = make_manager(
        OLD_NAME, user=user, line_manager=boss, org_unit=unit, entered_on=date(today.year, 1, 2)
    )
    update_manager(
        asa,
        ChangeSet({"name": NAME, "email": OLD_EMAIL, "employee_number": NUMBER, "title": "Enhetschef"}),
        hr,
    )
    update_manager(asa, ChangeSet({"email": EMAIL}), hr)
    report = make_manager("Rut Rapport", line_manager=asa, org_unit=unit, with_account=True)
    grouped = make_manager("Gustav Grupp", org_unit=unit)
    candidate = make_manager("Kalle Kandidat", stage=Stage.ATTRACT)
    # She acts on others' records: a move, a change, a comment, an activity, a programme launch.
    move_to_stage(candidate, Stage.RECRUIT, user, f"Beslut av {NAME.upper()}", today)
    update_manager(report, ChangeSet({"mentor_id": asa.id}), user)
    partner = make_manager("Petra Partner")
    partner.hr_partner_id = user.id
    report_plan = ensure_plan(report, today)
    add_comment(report_plan, user, "Fortsätt så")
    add_comment(report_plan, hr, f"Ta hjälp av {NAME} ({NUMBER}) med budgeten")
    pillars, expectations = resolve_tags(["leader"], ["leader.feedback"])
    add_activity(
        kind=ActivityKind.MENTORING,
        title="Mentorsamtal",
        participants=[report],
        pillars=pillars,
        actor=user,
        responsible=user,
        responsible_note=f"Kontakt: {EMAIL}",
        due_on=today + timedelta(days=40),
    )
    template = create_template("Introduktion med Åsa")
    add_milestone(
        template,
        MilestoneValues(
            title="Lunch med mentorn",
            offset_amount=1,
            offset_unit=OffsetUnit.WEEKS,
            responsible_role=ResponsibleRole.NAMED,
            pillar_keys=["leader"],
            responsible_user=user,
        ),
    )
    launch_introduction(report, template, user, today)
    launch_introduction(asa, template, hr, today)
    # Her own journey: plan, goal, comments, reviews with assessments, activities, reminders.
    plan = ensure_plan(asa, today)
    set_notes(plan, f"{OLD_NAME} vill leda en större grupp")
    add_goal(
        plan,
        title="Leda med tydlighet",
        description="Åsa tränar på svåra samtal",
        expectations=expectations,
    )
    add_comment(plan, boss.user, f"Bra jobbat, {NAME}!")  # type: ignore[arg-type]
    review = plan.reviews[0]
    record_assessments(review, Assessor.SELF, {expectations[0].id: (3, "Jag vill bli bättre")})
    record_assessments(review, Assessor.LINE_MANAGER, {expectations[0].id: (4, "Åsa är på väg")})
    complete_review(review, on=today, next_steps="Åsa går chefsprogrammet", actor=boss.user)
    own_activity = add_activity(
        kind=ActivityKind.COURSE,
        title="Åsas egen kurs",
        description="Om Åsas stress",
        participants=[asa],
        pillars=pillars,
        expectations=expectations,
        actor=hr,
        responsible_note="Coach Nilsson",
        completed_on=today - timedelta(days=10),
    )
    pending_activity = add_activity(
        kind=ActivityKind.WORKSHOP,
        title="Planerad workshop",
        participants=[asa],
        pillars=pillars,
        actor=hr,
        due_on=today + timedelta(days=30),
    )
    group_activity = add_activity(
        kind=ActivityKind.WORKSHOP,
        title="Ledningsgruppens workshop",
        description=f"Workshop med {NAME.lower()} och Gustav",
        participants=[asa, grouped],
        pillars=pillars,
        actor=hr,
        completed_on=today - timedelta(days=5),
    )
    # Her account: a token, a calendar address, a reset link, a failed e-mail quoting her address.
    _token, secret = create_token(user, f"Token för {NAME}")
    issue_calendar_token(user)
    db.session.add(
        PasswordResetToken(user_id=user.id, token_digest="d" * 64, expires_at=utcnow() + timedelta(hours=1))
    )
    # The invitation she got (its first e-mail bounced, quoting her address), and one she sent.
    db.session.add(
        Invitation(
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=7),
            send_error=f"550 <{EMAIL}> mailbox unavailable",
            used_at=utcnow(),
        )
    )
    invitee = make_user(Role.MANAGER, name="Inbjuden Person")
    db.session.add(
        Invitation(user_id=invitee.id, invited_by_id=user.id, expires_at=utcnow() + timedelta(days=7))
    )
    # A vacancy she leads, interviews for and is the contact of, and one she applies for.
    led = create_vacancy(
        VacancyValues(
            title="Rektor Norra skolan",
            org_unit=unit,
            hiring_manager=user,
            hr_partner=user,
            role_text=f"Kontakt: {NAME}, {EMAIL}.",
        ),
        user,
    )
    set_recruitment_group(led, [user])
    weighed = db.session.scalars(select(Expectation)).first()
    assert weighed is not None
    set_weights(led, {weighed: 2})
    # Its ad, whose texts name her as the contact.
    save_ad(
        led,
        Language.SV,
        unit_text="Norra skolan.",
        role_text=f"Frågor besvaras av {NAME}.",
        choices={weighed.id: ParagraphChoice(own_text=f"Som {NAME} säger: var nära.")},
    )
    applied = create_vacancy(VacancyValues(title="Förvaltningschef", org_unit=unit), hr)
    her_candidacy = add_candidate(applied, asa, hr, today)
    # She is in the talent pool for a bigger post, and she added a contact to it who names her.
    strengths, strong_in = resolve_tags(["developer"], ["developer.scout"])
    add_to_pool(
        asa,
        ProfileValues(
            PoolSource.ASPIRANT,
            today,
            notes=f"{NAME} vill bli förvaltningschef",
            pillars=strengths,
            expectations=strong_in,
        ),
        hr,
        today,
    )
    contact = add_new_person_to_pool(
        name="Petra Pool",
        email="petra.pool@example.org",
        employee_number=None,
        values=ProfileValues(PoolSource.EVENT, today, notes=f"Tips från {NAME} ({EMAIL})"),
        actor=hr,
        today=today,
    )
    contact.added_by = user
    # She interviews for the vacancy she leads: a panel seat, a scorecard she amends, and her decision.
    weighed = led.weights[0].expectation
    interview_at = datetime(today.year, today.month, today.day, 10, tzinfo=STOCKHOLM) + timedelta(days=3)
    set_status(led, VacancyStatus.OPEN, today)
    other = add_external_candidate(led, name="Kalle Kandidat", email=None, actor=hr, applied_on=today)
    schedule_interview(other, InterviewValues(starts_at=interview_at, location=f"Hos {NAME}"), user)
    card = submit_scorecard(other, user, {weighed.id: ScoreValue(4, f"Kalle nämnde {NAME} som förebild")})
    amend_scorecard(card, user, {weighed.id: ScoreValue(3)}, reason=f"Efter samtal med {EMAIL}")
    record_decision(led, other, f"Beslutat av {NAME}", user)
    # The one she applies for: her interview, what the interviewer heard from her, and her hiring.
    set_weights(applied, {weighed: 1})
    set_recruitment_group(applied, [hr])
    set_status(applied, VacancyStatus.OPEN, today)
    schedule_interview(her_candidacy, InterviewValues(starts_at=interview_at), hr)
    about_her = submit_scorecard(her_candidacy, hr, {weighed.id: ScoreValue(5, "Berättade om sin budget")})
    amend_scorecard(about_her, hr, {weighed.id: ScoreValue(4, "Referenserna")}, reason="Efter referenser")
    record_decision(applied, her_candidacy, "Bäst lämpad", hr)
    # She reports an obstacle that names her; she owns someone else's and moves it on.
    trust = db.session.scalar(select(Expectation).where(Expectation.key == "leader.feedback"))
    assert trust is not None
    report_obstacle(
        reporter=asa,
        unit=unit,
        title=f"Ingen ersättare för {NAME}",
        description=f"Ring {EMAIL}",
        severity=ObstacleSeverity.MEDIUM,
        shared=False,
        pillar_ids=[],
        expectation_ids=[trust.id],
        actor=user,
    )
    owned = report_obstacle(
        reporter=report,
        unit=unit,
        title="Lokalerna",
        description="",
        severity=ObstacleSeverity.LOW,
        shared=True,
        pillar_ids=[],
        expectation_ids=[trust.id],
        actor=None,
    )
    change_obstacle(owned, ObstacleChange(ObstacleStatus.REPORTED, user, None, comment="Tilldelad"), hr)
    change_obstacle(
        owned,
        ObstacleChange(ObstacleStatus.BEING_HANDLED, user, None, comment=f"Pratat med {NAME}"),
        user,
    )
    # -- mentoring: she is a role model and mentors Gustav; the study's note and the goals name her.
    mark_role_model(
        asa,
        pillar_keys=["leader"],
        expectation_keys=["leader.feedback"],
        capacity=2,
        study_note=f"{NAME} ger och tar emot feedback",
        actor=user,
    )
    mentorship = start_mentorship(
        mentor=asa,
        mentee=grouped,
        starts_on=today,
        ends_on=today + timedelta(days=120),
        goals=f"Lära av {NAME} hur budgeten läggs",
        cadence_weeks=4,
        actor=user,
    )
    end_mentorship(mentorship, reason=f"{NAME} byter tjänst", actor=hr)
    # And she has a mentor of her own.
    mona = make_manager("Mona Mentor", org_unit=unit)
    mark_role_model(mona, pillar_keys=["secure"], expectation_keys=[], capacity=1, actor=hr)
    start_mentorship(
        mentor=mona,
        mentee=asa,
        starts_on=today,
        ends_on=today + timedelta(days=120),
        goals=f"Stötta {NAME} i rollen",
        cadence_weeks=6,
        actor=hr,
    )
    # -- workshops ----
    # She plans and leads her unit's management-group workshop: she takes part, owns a goal that names
    # her, and the notes name her.
    held = plan_workshop(
        unit,
        WorkshopValues(
            title=f"Ledningsgrupp med {NAME}",
            held_at=datetime(today.year, today.month, today.day, 9, tzinfo=STOCKHOLM) - timedelta(days=1),
            facilitator=user,
            pillar_ids=[pillars[0].id],
            expectation_ids=[expectations[0].id],
        ),
        user,
    )
    record_outcome(
        held,
        [
            PillarOutcome(
                pillars[0].id,
                notes=f"{NAME} ({EMAIL}) leder arbetet",
                goals=[
                    GoalDraft(
                        f"{NAME} följer upp feedbacken",
                        asa.id,
                        today + timedelta(days=20),
                        expectation_ids=[expectations[0].id],
                    )
                ],
            )
        ],
        hr,
        today,
    )
    reminder = db.session.scalar(select(Reminder).where(Reminder.recipient_id == user.id).limit(1))
    assert reminder is not None, "the seed should give her reminder e-mails"
    failed = Reminder(
        item_key="activity:0:x",
        activity_id=own_activity.id,
        recipient_id=user.id,
        occurrence=reminder.occurrence,
        due_at=utcnow() - timedelta(days=1),
        status=ReminderStatus.FAILED,
        last_error=f"550 <{EMAIL}> mailbox unavailable",
    )
    db.session.add(failed)
    # -- offboarding ----
    # She offboards her report and records their exit interview; then she leaves herself, and her own
    # exit interview's comments name her.
    _offboarding_seed(asa, report, user, hr, today)
    # An imported file with her row and its report, and audit events.
    csv = f"employee_number;name;email\n{NUMBER};{NAME};{EMAIL}\n".encode()
    db.session.add(
        ManagerImport(
            uploaded_by_id=user.id,
            confirmed_by_id=user.id,
            filename=f"chefer {OLD_NAME}.csv",
            content=csv,
            digest="0" * 64,
            summary={
                "created": 1,
                "rows": [{"line": 2, "employee_number": NUMBER, "name": NAME, "messages": []}],
            },
        )
    )
    db.session.add_all(
        [
            AuditEvent(actor_id=hr.id, subject_manager_id=asa.id, action="view", object_type="plan"),
            AuditEvent(actor_id=user.id, subject_manager_id=report.id, action="view", object_type="plan"),
            AuditEvent(actor_id=hr.id, subject_user_id=user.id, action="update", object_type="account"),
        ]
    )
    db.session.flush()
    return World(
        asa,
        user,
        hr,
        boss,
        report,
        grouped,
        candidate,
        secret,
        own_activity,
        pending_activity,
        group_activity,
    )


@pytest.fixture
def world(platform: None) -> World:
    return _seed(local_today())


# -- export -------------------------------------------------------------------------------------------


def _keys(table: Table, rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {tuple(row[c.name] for c in table.primary_key.columns) for row in rows}


def _json_key(table: Table, row: Any) -> tuple[Any, ...]:
    return tuple(json.loads(json.dumps(row[c.name], default=str)) for c in table.primary_key.columns)


def _tables_below_people() -> set[str]:
    """Every table with a chain of foreign keys to managers.id or users.id."""
    below = set(PERSON_TABLES)
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name not in below and any(fk.column.table.name in below for fk in table.foreign_keys):
                below.add(table.name)
                changed = True
    return below - set(PERSON_TABLES)


def test_every_foreign_key_to_a_person_is_in_their_export(world: World) -> None:
    ids = {"managers": world.asa.id, "users": world.user.id}
    naming = {}
    for link in person_links():
        rows = db.session.execute(select(link.table).where(link.column == ids[link.target])).mappings().all()
        assert rows, f"the seed has no row in {link.name} naming her: add one to _seed()"
        naming[link] = rows
    exported = json.loads(json.dumps(export_person(world.asa)))
    for link, rows in naming.items():
        table = link.table
        listed = exported["records"].get(table.name, []) + exported["mentions"].get(table.name, [])
        listed_keys = {tuple(row[c.name] for c in table.primary_key.columns) for row in listed}
        for row in rows:
            assert _json_key(table, row) in listed_keys, (
                f"{link.name}: row {dict(row)} missing from the export"
            )
    direct = {link.table.name for link in naming}
    for name in sorted(_tables_below_people() - direct - NOT_THEIR_DATA):
        assert exported["records"].get(name), f"no row of {name} in her export: seed one, or export it"


def test_export_holds_her_rows_below_her_own_and_nobody_elses(world: World) -> None:
    exported = export_person(world.asa)
    records = exported["records"]
    plans = set(
        db.session.scalars(select(DevelopmentPlan.id).where(DevelopmentPlan.manager_id == world.asa.id))
    )
    assert {row["id"] for row in records["development_plans"]} == plans
    assert {row["plan_id"] for row in records["plan_goals"]} <= plans
    assert {row["plan_id"] for row in records["plan_comments"]} == plans  # comments on her plan, by others
    review_ids = {row["id"] for row in records["development_reviews"]}
    assert {row["review_id"] for row in records["review_assessments"]} <= review_ids
    assert len(records["review_assessments"]) == 2
    assert {r["comment"] for r in records["review_assessments"]} == {"Jag vill bli bättre", "Åsa är på väg"}
    activity_ids = {row["id"] for row in records["activities"]}
    assert {world.own_activity.id, world.pending_activity.id, world.group_activity.id} <= activity_ids
    assert {row["activity_id"] for row in records["activity_pillars"]} == activity_ids
    # The group activity is hers too, but Gustav's participation and e-mails are his.
    assert {row["manager_id"] for row in records["activity_participants"]} == {world.asa.id}
    assert {row["recipient_id"] for row in records["reminders"]} == {world.user.id}
    # What she did on others' records: the key, the column naming her and when, not their data.
    moved = exported["mentions"]["stage_transitions"]
    assert [set(row) for row in moved] == [{"id", "actor_id", "recorded_at"}]
    assert {row["id"] for row in exported["mentions"]["managers"]} >= {world.report.id}
    assert "name" not in exported["mentions"]["managers"][0]
    # Dates are ISO 8601, enums their values, the imported file's bytes never reach a mention.
    assert records["managers"][0]["stage"] == "offboard"  # she is leaving (offboarding seed)
    assert date.fromisoformat(records["managers"][0]["stage_entered_on"])
    assert set(exported["mentions"]["manager_imports"][0]) == {
        "id",
        "uploaded_by_id",
        "uploaded_at",
        "confirmed_by_id",
        "queued_at",
        "started_at",
        "finished_at",
        "committed_at",
    }
    assert json.loads(json.dumps(exported)) == exported  # plain JSON


def test_export_contains_no_secret(world: World) -> None:
    document = export_person(world.asa)
    text = json.dumps(document, ensure_ascii=False)
    user = db.session.get(User, world.user.id)
    assert user is not None and user.password_hash and user.calendar_token
    for secret in (user.password_hash, user.session_token, user.calendar_token, world.token_secret):
        assert secret not in text

    def keys(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)

    assert not [key for key in keys(document["records"]) if is_secret_column(key)]
    assert "d" * 64 not in text  # the reset link's digest


def test_export_is_audited(world: World) -> None:
    export_person(world.asa, actor=world.hr)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event is not None
    assert (event.actor_id, event.subject_manager_id, event.object_type) == (
        world.hr.id,
        world.asa.id,
        "person",
    )


def test_an_account_without_a_journey_exports_just_the_account(world: World) -> None:
    document = export_account(world.hr)
    assert [row["id"] for row in document["records"]["users"]] == [world.hr.id]
    assert "managers" not in document["records"]
    assert "development_plans" not in document["records"]
    # Comments HR wrote are mentions: Åsa's plan is not HR's data.
    assert "plan_comments" in document["mentions"] and "body" not in document["mentions"]["plan_comments"][0]


# -- anonymisation ------------------------------------------------------------------------------------


def _text_columns() -> Iterator[tuple[Table, Any]]:
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | JSON | LargeBinary):
                yield table, column


def _occurrences(identifiers: tuple[str, ...]) -> list[str]:
    """Scan every text, JSON and binary column of every table for the identifiers, ignoring case."""
    wanted = [value.casefold() for value in identifiers]
    found = []
    for table, column in _text_columns():
        for value in db.session.scalars(select(column).where(column.is_not(None))):
            if isinstance(value, bytes | memoryview):
                text = bytes(value).decode("utf-8", errors="replace")
            elif isinstance(value, str):
                text = value
            else:
                text = json.dumps(value, ensure_ascii=False)
            folded = text.casefold()
            found += [f"{table.name}.{column.name}: {text!r}" for w in wanted if w in folded]
    return found


@dataclass(frozen=True)
class Figures:
    stages: dict[Stage, int]
    board: dict[Stage, int]
    heatmap: list[tuple[int, int, dict[int, float]]]
    coverage: list[tuple[int, int]]
    coverage_rows: int
    activity_kinds: list[tuple[str, int]]
    scores: list[int]


def _figures(asa: Manager, today: date) -> Figures:
    platform = get_platform()
    assert platform is not None
    pillars = list(platform.pillars)
    units = list(db.session.scalars(select(Manager.org_unit_id).where(Manager.org_unit_id.is_not(None))))
    rows = list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(units)).order_by(OrgUnit.id)))
    manager = db.session.get(Manager, asa.id)
    assert manager is not None
    return Figures(
        stages=stage_counts(),
        board=count_by_stage(true(), ManagerFilter(stages=tuple(Stage)), today),
        heatmap=[(r.unit.id, r.managers, r.shares) for r in unit_heatmap(rows, pillars, true(), today)],
        coverage=[(c.pillar.id, c.count) for c in manager_coverage(manager, pillars, today)],
        coverage_rows=db.session.scalar(select(func.count()).select_from(PillarCoverage)) or 0,
        activity_kinds=[
            (kind.value, n)
            for kind, n in db.session.execute(
                select(Activity.kind, func.count()).group_by(Activity.kind).order_by(Activity.kind)
            )
        ],
        scores=sorted(db.session.scalars(select(ReviewAssessment.score))),
    )


def _pending_for(world: World) -> int:
    reviews = (
        select(DevelopmentReview.id).join(DevelopmentPlan).where(DevelopmentPlan.manager_id == world.asa.id)
    )
    alone = select(activity_participants.c.activity_id).where(
        activity_participants.c.manager_id == world.asa.id
    )
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Reminder)
            .where(
                Reminder.status == ReminderStatus.PENDING,
                (Reminder.recipient_id == world.user.id)
                | Reminder.review_id.in_(reviews)
                | (Reminder.activity_id.in_(alone) & (Reminder.activity_id != world.group_activity.id)),
            )
        )
        or 0
    )


def test_after_anonymisation_no_table_holds_her_name_email_or_number(
    app: Flask, world: World, login: Any, client: FlaskClient
) -> None:
    today = local_today()
    assert len(_occurrences(IDENTIFIERS)) > 10, "the seed should name her in many places"
    assert _pending_for(world) > 0
    login(EMAIL)
    assert client.get("/").status_code == 200
    before = _figures(world.asa, today)

    assert anonymise_person(world.asa, world.hr) is True
    db.session.commit()

    assert _occurrences(IDENTIFIERS) == []
    assert _pending_for(world) == 0
    asa = db.session.get(Manager, world.asa.id)
    user = db.session.get(User, world.user.id)
    assert asa is not None and user is not None
    assert asa.anonymised_at is not None and user.anonymised_at is not None
    assert (asa.email, asa.employee_number, asa.title) == (None, None, None)
    assert str(asa.id) in asa.name and user.name == asa.name
    assert user.email == f"anonymised-{user.id}@invalid"
    assert (user.is_enabled, user.password_hash, user.calendar_token) == (False, None, None)
    # Her session is over and she cannot log in again, by either address; her API token is dead.
    assert client.get("/").status_code == 302
    for address in (EMAIL, user.email):
        response = post_form(app.test_client(), "/login", {"email": address, "password": PASSWORD})
        assert response.status_code != 302
    assert find_token(world.token_secret) is None
    assert db.session.scalar(select(func.count()).select_from(PasswordResetToken)) == 0
    # Statistics and pillar counts are the same; stages and dates stay.
    assert _figures(world.asa, today) == before
    assert asa.stage is Stage.OFFBOARD and asa.start_date is not None  # as seeded: she is leaving
    # Others' data stays: Gustav's name, the report's plan comment without her name, the group activity.
    assert db.session.get(Manager, world.grouped.id).name == "Gustav Grupp"  # type: ignore[union-attr]
    group = db.session.get(Activity, world.group_activity.id)
    assert group is not None and group.description.endswith("och Gustav") and "[" in group.description
    # One audit event, by HR, about her.
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "anonymise")))
    assert [(e.actor_id, e.subject_manager_id, e.object_type) for e in events] == [
        (world.hr.id, world.asa.id, "person")
    ]


def test_anonymising_again_changes_nothing(world: World) -> None:
    assert anonymise_person(world.asa, world.hr) is True
    asa = db.session.get(Manager, world.asa.id)
    assert asa is not None
    name, anonymised_at = asa.name, asa.anonymised_at
    assert anonymise_person(asa, world.hr) is False
    assert (asa.name, asa.anonymised_at) == (name, anonymised_at)
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "anonymise")) == 1


def test_history_stays_append_only_after_the_erasure(world: World) -> None:
    anonymise_person(world.asa, world.hr)
    db.session.commit()
    transition = db.session.scalar(select(StageTransition).where(StageTransition.manager_id == world.asa.id))
    assert transition is not None and transition.reason in ("", "[removed]")
    with pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested():
        transition.reason = "omskriven"
        db.session.flush()
    if uses_postgres():
        # The trigger refuses a change made past the ORM, now that the erasure window is closed.
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(
                update(StageTransition).where(StageTransition.id == transition.id).values(reason="omskriven")
            )


# -- retention ----------------------------------------------------------------------------------------


def _closed(name: str, closed_on: date) -> Manager:
    person = make_manager(name, stage=Stage.ATTRACT, entered_on=closed_on - timedelta(days=30))
    move_to_stage(person, Stage.CLOSED, None, "Inte aktuell", closed_on)
    return person


def test_retention_anonymises_closed_journeys_past_the_period_once(
    app: Flask, app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = date(2030, 6, 1)
    monkeypatch.setitem(app.config, "GDPR_RETENTION_DAYS", 730)
    old = _closed("Olle Gammal", today - timedelta(days=800))
    recent = _closed("Rebecka Ny", today - timedelta(days=100))
    edge = _closed("Edvin Kant", today - timedelta(days=730))
    still_open = make_manager("Oskar Öppen", entered_on=today - timedelta(days=2000))
    done = _closed("Doris Klar", today - timedelta(days=900))
    anonymise_person(done, None)
    assert [m.id for m in retention_candidates(today, timedelta(days=730))] == [old.id]

    task = app.extensions["celery"].tasks["gdpr.retention"]
    assert task.apply(kwargs={"today": today.isoformat()}).get() == 1
    db.session.expire_all()
    assert db.session.get(Manager, old.id).anonymised_at is not None  # type: ignore[union-attr]
    for kept in (recent, edge, still_open):
        person = db.session.get(Manager, kept.id)
        assert person is not None and person.anonymised_at is None and "Anonym" not in person.name
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "anonymise", AuditEvent.subject_manager_id == old.id)
    )
    assert event is not None and event.actor_id is None and event.source == "system"
    # Running again finds nobody; a shorter period, read when the job runs, reaches the recent one.
    assert task.apply(kwargs={"today": today.isoformat()}).get() == 0
    monkeypatch.setitem(app.config, "GDPR_RETENTION_DAYS", 50)
    assert task.apply(kwargs={"today": today.isoformat()}).get() == 2
    db.session.expire_all()
    assert db.session.get(Manager, still_open.id).anonymised_at is None  # type: ignore[union-attr]


def test_beat_runs_the_retention_daily(app: Flask) -> None:
    entry = app.extensions["celery"].conf.beat_schedule["gdpr-retention"]
    assert entry["task"] == "gdpr.retention"
    assert entry["schedule"].hour == {1} and entry["schedule"].minute == {30}
    assert "gdpr.retention" in app.extensions["celery"].tasks


def test_retention_command_dry_run_changes_nothing(app: Flask, app_ctx: Flask) -> None:
    today = date(2030, 6, 1)
    old = _closed("Olle Gammal", today - timedelta(days=800))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["gdpr", "retention", "--dry-run", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"manager {old.id}: closed on" in result.output and "Olle" not in result.output
    db.session.expire_all()
    assert db.session.get(Manager, old.id).anonymised_at is None  # type: ignore[union-attr]
    result = runner.invoke(args=["gdpr", "retention", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Manager, old.id).anonymised_at is not None  # type: ignore[union-attr]


def test_export_and_anonymise_commands(app: Flask, app_ctx: Flask) -> None:
    person = make_manager("Cilla Kommando")
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["gdpr", "export", str(person.id)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["records"]["managers"][0]["name"] == "Cilla Kommando"
    refused = runner.invoke(args=["gdpr", "anonymise", str(person.id)], input="n\n")
    assert refused.exit_code != 0
    done = runner.invoke(args=["gdpr", "anonymise", str(person.id), "--yes"])
    assert done.exit_code == 0, done.output
    assert "still open" in done.output
    db.session.expire_all()
    assert db.session.get(Manager, person.id).anonymised_at is not None  # type: ignore[union-attr]
    assert runner.invoke(args=["gdpr", "export", "999999"]).exit_code == 1
    # The command line is recorded as such, not as the system.
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "anonymise", AuditEvent.subject_manager_id == person.id)
    )
    assert event is not None and (event.source, event.actor_id) == ("cli", None)
    again = runner.invoke(args=["gdpr", "anonymise", str(person.id), "--yes"])
    assert again.exit_code == 0 and "already anonymised" in again.output


def test_the_commands_name_the_operator(app: Flask, app_ctx: Flask) -> None:
    operator = make_user(Role.HR, email="operator@kommun.example")
    person = make_manager("Doris Drift", stage=Stage.ATTRACT)
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["gdpr", "anonymise", str(person.id), "--yes", "--actor", "ingen@x.example"])
    assert unknown.exit_code == 1 and "ingen@x.example" in unknown.output
    db.session.expire_all()
    assert db.session.get(Manager, person.id).anonymised_at is None  # type: ignore[union-attr]
    args = ["gdpr", "anonymise", str(person.id), "--yes", "--actor", "OPERATOR@kommun.example"]
    done = runner.invoke(args=args)
    assert done.exit_code == 0, done.output
    exported = runner.invoke(args=["gdpr", "export", str(person.id), "--actor", operator.email])
    assert exported.exit_code == 0, exported.output
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.source).where(
            AuditEvent.subject_manager_id == person.id, AuditEvent.action.in_(("anonymise", "export"))
        )
    )
    assert sorted(events) == [("anonymise", operator.id, "cli"), ("export", operator.id, "cli")]


def test_the_exported_file_is_readable_by_its_owner_only(app: Flask, app_ctx: Flask, tmp_path: Path) -> None:
    person = make_manager("Fia Fil")
    runner = app.test_cli_runner()
    target = tmp_path / "export.json"
    target.write_text("old and longer content than the export will ever be" * 100)
    target.chmod(0o644)  # a file left from before, readable by everyone
    done = runner.invoke(args=["gdpr", "export", str(person.id), "--output", str(target)])
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["records"]["managers"][0]["name"] == "Fia Fil"
    fresh = tmp_path / "new.json"
    assert runner.invoke(args=["gdpr", "export", str(person.id), "-o", str(fresh)]).exit_code == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


# -- pages --------------------------------------------------------------------------------------------


def test_only_hr_and_admin_reach_export_and_anonymise(app: Flask, world: World, login: Any) -> None:
    urls = [f"/managers/{world.asa.id}/personal-data", f"/managers/{world.asa.id}/anonymise"]
    anonymous = app.test_client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for email in (EMAIL, world.boss.user.email, world.report.user.email):  # type: ignore[union-attr]
        browser = app.test_client()
        login(email, test_client=browser)
        for url in urls:
            assert browser.get(url).status_code == 404
        # With a valid CSRF token (from a page they may open), so it is the policy that refuses.
        token = csrf_token_from(browser.get("/account/").get_data(as_text=True))
        refused = browser.post(urls[1], data={"confirm_name": NAME, "csrf_token": token})
        assert refused.status_code == 404
    for role in (Role.HR, Role.ADMIN):
        browser = app.test_client()
        login(make_user(role).email, test_client=browser)
        for url in urls:
            assert browser.get(url).status_code == 200
    db.session.expire_all()
    assert db.session.get(Manager, world.asa.id).anonymised_at is None  # type: ignore[union-attr]


def test_hr_downloads_the_export(app: Flask, world: World, login: Any) -> None:
    browser = app.test_client()
    login(world.hr.email, test_client=browser)
    profile = browser.get(f"/managers/{world.asa.id}").get_data(as_text=True)
    assert (
        f"/managers/{world.asa.id}/personal-data" in profile
        and f"/managers/{world.asa.id}/anonymise" in profile
    )
    response = browser.get(f"/managers/{world.asa.id}/personal-data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    assert document["records"]["managers"][0]["name"] == NAME
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.actor_id == world.hr.id)
    )


def test_a_wrong_name_anonymises_nobody(app: Flask, world: World, login: Any) -> None:
    browser = app.test_client()
    login(world.hr.email, test_client=browser)
    url = f"/managers/{world.asa.id}/anonymise"
    page = browser.get(url).get_data(as_text=True)
    assert 'id="open-journey-warning"' in page  # her journey is still open
    response = post_form(browser, url, {"confirm_name": "Åsa Öhrnberg"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="confirm_name-error"' in html and 'aria-invalid="true"' in html
    # The summary at the top is announced and leads to the field.
    start = html.index('<div role="alert" class="error-summary">')
    summary = html[start : html.index("</div>", start)]
    assert 'href="#confirm_name"' in summary and 'id="confirm_name"' in html
    blank = post_form(browser, url, {"confirm_name": "  "})
    assert blank.status_code == 400 and 'class="error-summary"' in blank.get_data(as_text=True)
    assert browser.post(url, data={"confirm_name": NAME}).status_code == 400  # no CSRF token
    db.session.expire_all()
    asa = db.session.get(Manager, world.asa.id)
    assert asa is not None and asa.anonymised_at is None and asa.name == NAME


def test_hr_anonymises_after_typing_the_name(app: Flask, world: World, login: Any) -> None:
    browser = app.test_client()
    login(world.hr.email, test_client=browser)
    url = f"/managers/{world.asa.id}/anonymise"
    response = post_form(browser, url, {"confirm_name": f"  {NAME.lower()} "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/managers/{world.asa.id}")
    profile = browser.get(f"/managers/{world.asa.id}").get_data(as_text=True)
    assert NAME not in profile and EMAIL not in profile and NUMBER not in profile
    assert url not in profile  # nothing left to anonymise
    again = browser.get(url)
    assert again.status_code == 200 and 'name="confirm_name"' not in again.get_data(as_text=True)
    # A second click that arrives afterwards lands on the profile too and changes nothing.
    token = csrf_token_from(browser.get("/account/").get_data(as_text=True))
    twice = browser.post(url, data={"confirm_name": NAME, "csrf_token": token})
    assert twice.status_code == 302 and twice.headers["Location"].endswith(f"/managers/{world.asa.id}")
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "anonymise")) == 1


def test_a_manager_downloads_their_own_data(app: Flask, world: World, login: Any) -> None:
    browser = app.test_client()
    login(EMAIL, test_client=browser)
    assert "/account/my-data" in browser.get("/account/").get_data(as_text=True)
    response = browser.get("/account/my-data")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    assert document["subject"] == {"manager_id": world.asa.id, "user_id": world.user.id}
    assert {row["manager_id"] for row in document["records"]["development_plans"]} == {world.asa.id}
    others = set(
        db.session.scalars(select(DevelopmentPlan.id).where(DevelopmentPlan.manager_id != world.asa.id))
    )
    assert others and not others & {row["plan_id"] for row in document["records"].get("plan_goals", [])}
    assert "Gustav Grupp" not in response.get_data(as_text=True)
    assert "Rut Rapport" not in response.get_data(as_text=True)


def test_an_account_without_a_journey_downloads_its_account(app: Flask, world: World, login: Any) -> None:
    browser = app.test_client()
    login(world.hr.email, test_client=browser)
    document = json.loads(browser.get("/account/my-data").get_data(as_text=True))
    assert document["subject"] == {"manager_id": None, "user_id": world.hr.id}
    assert NAME not in json.dumps(document, ensure_ascii=False)


def test_anonymous_visitors_are_sent_to_log_in_for_their_data(client: FlaskClient, app_ctx: Flask) -> None:
    response = client.get("/account/my-data")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- what the sweep may rewrite -------------------------------------------------------------------------

#: the columns of the append-only tables that may change inside the erasure window (append_only.py)
ERASABLE_HISTORY = {
    ("stage_transitions", "reason"),
    ("manager_changes", "old_value"),
    ("manager_changes", "new_value"),
    ("audit_events", "detail"),
}
APPEND_ONLY_TABLES = {"stage_transitions", "manager_changes", "audit_events"}


def _free_text_columns() -> set[tuple[str, str]]:
    """Every String, Text, JSON and binary column of the schema, enums left out."""
    return {
        (table.name, column.name) for table, column in _text_columns() if not isinstance(column.type, SAEnum)
    }


def test_every_text_column_is_declared_swept_or_not(app_ctx: Flask) -> None:
    columns = _free_text_columns()
    undeclared = columns - SWEPT_COLUMNS - UNSWEPT_COLUMNS
    assert not undeclared, (
        f"{sorted(undeclared)}: add each to SWEPT_COLUMNS if it can hold free text naming a person "
        "(a note, a comment, a reason, imported data), else to UNSWEPT_COLUMNS (lifecycle/services/gdpr.py)"
    )
    assert not SWEPT_COLUMNS & UNSWEPT_COLUMNS
    assert not (SWEPT_COLUMNS | UNSWEPT_COLUMNS) - columns, "a declared column no longer exists"
    assert set(NUMBER_COLUMNS) <= SWEPT_COLUMNS
    assert {(t.name, c.name) for t, c, _kind in swept_columns()} == SWEPT_COLUMNS


def test_the_erasure_changes_only_the_free_text_of_the_history(app_ctx: Flask) -> None:
    swept_history = {(table, column) for table, column in SWEPT_COLUMNS if table in APPEND_ONLY_TABLES}
    assert swept_history <= ERASABLE_HISTORY


ANNA = "Anna Berg"
ANNA_EMAIL = "anna.berg@kommun.example"
ANNA_NUMBER = "2025"


def _snapshot() -> dict[tuple[str, tuple[Any, ...], str], Any]:
    """Every text, JSON and binary value of every row, by table, key and column."""
    values = {}
    for table, column in _text_columns():
        keys = list(table.primary_key.columns)
        for row in db.session.execute(select(*keys, column)):
            value = row[-1]
            values[(table.name, _plain_key(row[:-1]), column.name)] = (
                bytes(value) if isinstance(value, bytes | memoryview) else value
            )
    return values


def _plain_key(key: Any) -> tuple[Any, ...]:
    return tuple(json.loads(json.dumps(value, default=str)) for value in key)


def test_anonymising_a_numbered_person_changes_nobody_elses_words(platform: None) -> None:
    """Her employee number is "2025" and her first name common: a year and other Annas stay."""
    today = local_today()
    hr = make_user(Role.HR, name="Hanna HR")
    unit = create_unit("Område 2025", OrgUnitKind.UNIT)
    user = make_user(Role.MANAGER, email=ANNA_EMAIL, name=ANNA)
    anna = make_manager(ANNA, user=user, org_unit=unit)
    update_manager(anna, ChangeSet({"employee_number": ANNA_NUMBER}), hr)
    namesake = make_manager("Anna Bergström", org_unit=unit, with_account=True)
    other = make_manager("Anna Andersson", org_unit=unit)
    update_manager(other, ChangeSet({"title": "Chef 2025", "employee_number": "20251"}), hr)
    candidate = make_manager("Kalle Kandidat", stage=Stage.ATTRACT)
    move_to_stage(candidate, Stage.RECRUIT, hr, "Rekryteras 2025, Anna tar kontakt", today)
    # Her own journey, which the erasure blanks.
    own_plan = ensure_plan(anna, today)
    set_notes(own_plan, "Anna vill leda fler 2025")
    # Other people's words with the year, her first name and a namesake in them.
    plan = ensure_plan(other, today)
    set_notes(plan, "Mål för 2025: Anna leder APT, som Anna Bergström")
    pillars, expectations = resolve_tags(["leader"], ["leader.feedback"])
    add_goal(plan, title="Budget 2025", description="Klar 2025-06-30, 2025 kr", expectations=expectations)
    add_comment(plan, hr, f"Fråga {ANNA} om 2025, eller mejla {ANNA_EMAIL.upper()}")
    add_comment(plan, namesake.user, "Anna: rum 2025")  # type: ignore[arg-type]
    add_activity(
        kind=ActivityKind.WORKSHOP,
        title="Workshop 2025",
        description="Anna håller i den",
        participants=[other, namesake],
        pillars=pillars,
        actor=hr,
        responsible_note="Anna, rum 2025",
        due_on=today + timedelta(days=20),
    )
    item = create_catalogue_item(
        title="Kurs 2025",
        kind=ActivityKind.COURSE,
        description="För Anna med flera",
        pillars=pillars,
        expectations=[],
    )
    add_activity(
        kind=item.kind,
        title=item.title,
        participants=[other],
        pillars=pillars,
        actor=hr,
        catalogue_item=item,
    )
    create_template("Introduktion 2025")
    create_token(hr, "Import 2025")
    # HR's upload: her row, a row naming her as line manager by number, a row with a title "2025".
    csv = (
        "employee_number;name;email;title;line_manager_employee_number;start_date\n"
        f"{ANNA_NUMBER};{ANNA};{ANNA_EMAIL};Chef;;2025-01-01\n"
        f"20251;Anna Andersson;anna.andersson@kommun.example;Chef 2025;{ANNA_NUMBER};2025-01-01\n"
        "20252;Anna Bergström;anna.bergstrom@kommun.example; 2025 ;20251;2025-02-01\n"
    )
    db.session.add(
        ManagerImport(
            uploaded_by_id=hr.id,
            filename="chefer 2025.csv",
            content=csv.encode(),
            digest="1" * 64,
            summary={
                "rows": [
                    {"line": 2, "employee_number": ANNA_NUMBER, "name": ANNA, "messages": []},
                    {"line": 3, "employee_number": "20251", "name": "Anna Andersson", "messages": []},
                    {"line": 2025, "employee_number": "20252", "name": "Anna Bergström", "messages": []},
                ],
            },
        )
    )
    db.session.flush()
    hers = {
        (name, _plain_key(tuple(row[c.name] for c in db.metadata.tables[name].primary_key.columns)))
        for name, rows in export_person(anna)["records"].items()
        for row in rows
    }
    before = _snapshot()
    removed = removed_text()

    assert anonymise_person(anna, hr) is True
    db.session.flush()

    after = _snapshot()
    her_words = re.compile(rf"(?<!\w)(?:{re.escape(ANNA)}|{re.escape(ANNA_EMAIL)})(?!\w)", re.IGNORECASE)

    def expected(value: Any) -> Any:
        if isinstance(value, str):
            return her_words.sub(removed, value)
        if isinstance(value, list):
            return [expected(item) for item in value]
        if isinstance(value, dict):
            return {key: expected(item) for key, item in value.items()}
        return value

    imports = ManagerImport.__tablename__
    changed = []
    for (name, key, column), value in before.items():
        if (name, key) in hers or name == imports:
            continue
        if after[(name, key, column)] != expected(value):
            changed.append(f"{name}.{column} {key}: {value!r} -> {after[(name, key, column)]!r}")
    assert changed == []
    comment = db.session.scalar(select(PlanComment.body).where(PlanComment.author_id == hr.id))
    assert comment == f"Fråga {removed} om 2025, eller mejla {removed}"
    # The import file loses her cells only; the others' rows, the dates and "Chef 2025" stay.
    upload = db.session.scalar(select(ManagerImport).where(ManagerImport.uploaded_by_id == hr.id))
    assert upload is not None
    lines = bytes(upload.content).decode().splitlines()
    assert lines[:2] == [csv.splitlines()[0], f"{removed};{removed};{removed};Chef;;2025-01-01"]
    assert lines[2] == csv.splitlines()[2].replace(f";{ANNA_NUMBER};", f";{removed};")
    assert lines[3] == csv.splitlines()[3]
    assert upload.filename == "chefer 2025.csv"
    assert upload.summary["rows"][0] == {
        "line": 2,
        "employee_number": removed,
        "name": removed,
        "messages": [],
    }
    assert upload.summary["rows"][1:] == before[(imports, (upload.id,), "summary")]["rows"][1:]
    # Nothing names her any more (Anna Bergström is someone else).
    assert [
        f"{name}.{column}"
        for (name, _key, column), value in _snapshot().items()
        if value is not None
        and her_words.search(
            bytes(value).decode() if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False)
        )
    ] == []
    for namesake_name in ("Anna Bergström", "Anna Andersson"):
        assert db.session.scalar(select(func.count()).where(Manager.name == namesake_name)) == 1


# -- a kept import file, read and written back as the import reads it --------------------------------

MANAGER_FILE_HEADER = (
    "employee_number;name;email;title;unit_path;line_manager_employee_number;start_date;stage"
)


def _swept_file(content: bytes) -> bytes:
    """Return the kept file `content` after the sweep has removed her employee number from it."""
    upload = ManagerImport(
        uploaded_by_id=None, filename="chefer.csv", content=content, digest="2" * 64, summary={}
    )
    db.session.add(upload)
    db.session.flush()
    sweep_identifiers(Identifiers(names={NAME}, numbers={NUMBER}), removed_text())
    db.session.flush()
    db.session.refresh(upload)
    return bytes(upload.content)


def _without_her_number(rows: list[CsvRow], columns: set[str], removed: str) -> list[CsvRow]:
    return [
        CsvRow(
            row.line,
            {
                column: value.replace(NUMBER, removed) if column in columns else value
                for column, value in row.cells.items()
            },
            row.problem,
        )
        for row in rows
    ]


@pytest.mark.parametrize("line_end", ["\r\n", "\n"])
def test_the_import_reads_the_swept_file_as_before_but_for_her_number(app_ctx: Flask, line_end: str) -> None:
    """Excel's BOM and sep= line stay; a quoted cell with the delimiter and a line break stays one cell."""
    lines = [
        "sep=;",
        MANAGER_FILE_HEADER,
        f'{NUMBER};"Lind; Lisa{line_end}andra raden";lisa@kommun.example;Chef {NUMBER};;;2025-01-01;develop',
        "",
        f'E-1;"Bo ""Ekis"" Ek";;"Chef; stab";;{NUMBER};2025-02-01;develop',
        "E-2;Cia;;;;E-1;;develop",
    ]
    content = ("\ufeff" + line_end.join(lines) + line_end).encode()
    before = read_import_file(content)

    swept = _swept_file(content)

    removed = removed_text()
    assert swept.startswith(f"\ufeffsep=;{line_end}{MANAGER_FILE_HEADER}{line_end}".encode())
    after = read_import_file(swept)
    assert after.rows == _without_her_number(
        before.rows, {"employee_number", "line_manager_employee_number"}, removed
    )
    assert after.rows[0].cells["title"] == f"Chef {NUMBER}"  # not a number column: a title that says so
    assert after.rows[0].cells["name"] == f"Lind; Lisa{line_end}andra raden"
    assert [row.line for row in after.rows] == [3, 6, 7]
    assert swept.decode().splitlines()[-1] == "E-2;Cia;;;;E-1;;develop"  # untouched rows as they were


def test_the_activity_import_reads_the_swept_file_as_before(app_ctx: Flask) -> None:
    content = (
        "Deltagare,Typ,Rubrik,Pelare,Referens\n"
        f'"E-1, {NUMBER}",workshop,"Workshop {NUMBER}, del 1",leader,kurs-1\n'
        "E-1,workshop,Workshop,leader,kurs-2"  # no line break at the end: none is added
    ).encode()
    before = read_activity_file(content)

    swept = _swept_file(content)

    assert read_activity_file(swept).rows == _without_her_number(
        before.rows, {"employee_numbers"}, removed_text()
    )
    assert swept.decode().endswith("\nE-1,workshop,Workshop,leader,kurs-2")


def test_a_file_without_a_number_column_loses_the_cells_her_number_fills(app_ctx: Flask) -> None:
    content = (
        f'\ufeffNamn;Kommentar\r\nBo Ek; {NUMBER} \r\n"Cia; Ceder";"Ring {NUMBER}\r\nom 2025"\r\n'
    ).encode()

    swept = _swept_file(content)

    removed = removed_text()
    _layout, records = read_records(swept.decode())
    assert [record.cells for record in records] == [
        ["Namn", "Kommentar"],
        ["Bo Ek", f" {removed} "],
        ["Cia; Ceder", f"Ring {NUMBER}\r\nom 2025"],  # someone else's words, where it may be anything
    ]
    assert swept.startswith("\ufeffNamn;Kommentar\r\n".encode())


def test_a_file_where_her_number_is_only_in_other_columns_is_kept_as_it_was(app_ctx: Flask) -> None:
    content = f'\ufeff{MANAGER_FILE_HEADER}\r\nE-1;"Bo";;"Chef {NUMBER}";;;;develop\r\n'.encode()

    assert _swept_file(content) == content


@pytest.mark.parametrize(
    "text",
    [
        f"Anteckningar\r\n{NUMBER} slutar 2025-06-30\r\n",  # one column: no delimiter to read
        f"sep=|\r\nemployee_number|name\r\n{NUMBER}|Bo 2025\r\n",  # a delimiter the import refuses
        f'employee_number;name\r\n{NUMBER};"{"x" * 200_000}\r\n',  # a cell longer than the csv module reads
    ],
)
def test_a_kept_file_that_is_not_csv_still_loses_her_number(app_ctx: Flask, text: str) -> None:
    swept = _swept_file(text.encode()).decode()

    assert NUMBER not in swept
    assert swept == text.replace(NUMBER, removed_text())  # and nothing else: the year and dates stay


def test_the_export_reads_only_what_a_mention_shows(world: World, count_queries: Any) -> None:
    with count_queries() as counter:
        document = export_account(world.hr)
    assert document["mentions"]["audit_events"]
    by_actor = [s for s in counter.statements if "FROM audit_events" in s and "audit_events.actor_id =" in s]
    assert by_actor and not [s for s in by_actor if "audit_events.detail" in s or "object_type" in s]
    with count_queries() as counter:
        export_person(world.asa)
    uploads = [s for s in counter.statements if "FROM manager_imports" in s]
    assert uploads and not [s for s in uploads if "manager_imports.content" in s]


# -- anonymising at the same time ----------------------------------------------------------------------


def _anonymise_events(manager_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                AuditEvent.action == "anonymise", AuditEvent.subject_manager_id == manager_id
            )
        )
        or 0
    )


def test_a_request_holding_a_stale_copy_anonymises_nobody_twice(world: World) -> None:
    asa = world.asa
    # Another request anonymised her after this one read her (a double click); this copy does not know.
    managers = Manager.__table__
    db.session.execute(update(managers).where(managers.c.id == asa.id).values(anonymised_at=utcnow()))
    assert asa.anonymised_at is None
    assert anonymise_person(asa, world.hr) is False
    assert _anonymise_events(asa.id) == 0
    db.session.expire_all()
    assert db.session.get(Manager, asa.id).name == NAME  # type: ignore[union-attr]


def _run_together(*targets: Any) -> None:
    """Run the functions in threads, each in its own app context (so its own session), and re-raise."""
    failures: list[BaseException] = []

    def guarded(target: Any) -> None:
        try:
            target()
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if failures:
        raise failures[0]


@pytest.mark.postgres
def test_of_two_anonymisations_at_once_only_one_runs(app: Flask, committed: None) -> None:
    with app.app_context():
        hr = make_user(Role.HR)
        person = make_manager("Samtidig Samtidigsson", with_account=True)
        db.session.commit()
        hr_id, person_id = hr.id, person.id
    loaded, claimed = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def first() -> None:
        with app.app_context():
            assert loaded.wait(10)
            manager, actor = db.session.get(Manager, person_id), db.session.get(User, hr_id)
            results["first"] = anonymise_person(manager, actor)  # type: ignore[arg-type]
            claimed.set()
            time.sleep(0.5)  # the second one waits for her row meanwhile
            results["first committed"] = time.monotonic()
            db.session.commit()

    def second() -> None:
        with app.app_context():
            # Read before the first one started: in this session she is not anonymised.
            manager, actor = db.session.get(Manager, person_id), db.session.get(User, hr_id)
            assert manager is not None and manager.anonymised_at is None
            loaded.set()
            assert claimed.wait(10)
            results["second"] = anonymise_person(manager, actor)
            results["second done"] = time.monotonic()
            db.session.commit()

    _run_together(first, second)
    assert (results["first"], results["second"]) == (True, False)
    assert results["second done"] >= results["first committed"]  # it waited, then did nothing
    with app.app_context():
        assert _anonymise_events(person_id) == 1
        manager = db.session.get(Manager, person_id)
        assert manager is not None and manager.name == anonymised_label(person_id)


@pytest.mark.postgres
def test_the_retention_job_skips_someone_hr_is_anonymising(
    app: Flask, committed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "GDPR_RETENTION_DAYS", 730)
    today = date(2030, 6, 1)
    with app.app_context():
        hr = make_user(Role.HR)
        held = _closed("Hålld Hansson", today - timedelta(days=800))
        free = _closed("Fri Fransson", today - timedelta(days=800))
        db.session.commit()
        hr_id, held_id, free_id = hr.id, held.id, free.id
    claimed, job_done = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def by_hr() -> None:
        with app.app_context():
            manager, actor = db.session.get(Manager, held_id), db.session.get(User, hr_id)
            results["hr"] = anonymise_person(manager, actor)  # type: ignore[arg-type]
            claimed.set()
            # The job finishes while HR's transaction still holds her row: it did not wait for it.
            results["job finished first"] = job_done.wait(10)
            db.session.commit()

    def job() -> None:
        with app.app_context():
            assert claimed.wait(10)
            results["job"] = apply_retention(today, after_batch=db.session.commit)
            db.session.commit()
            job_done.set()

    _run_together(by_hr, job)
    assert results["hr"] is True and results["job finished first"] is True
    assert results["job"] == [free_id]
    with app.app_context():
        assert (_anonymise_events(held_id), _anonymise_events(free_id)) == (1, 1)
        sources = db.session.execute(
            select(AuditEvent.subject_manager_id, AuditEvent.actor_id, AuditEvent.source).where(
                AuditEvent.action == "anonymise"
            )
        )
        assert set(sources) == {(held_id, hr_id, "web"), (free_id, None, "system")}


def test_the_retention_statements_do_not_grow_with_the_people(
    app: Flask, app_ctx: Flask, monkeypatch: pytest.MonkeyPatch, count_queries: Any
) -> None:
    monkeypatch.setitem(app.config, "GDPR_RETENTION_DAYS", 730)
    today = date(2030, 6, 1)
    counters = {}
    for batch in (5, 20):
        for number in range(batch):
            person = make_manager(
                f"Gammal Person {batch}-{number}",
                stage=Stage.ATTRACT,
                with_account=True,
                entered_on=today - timedelta(days=900),
            )
            move_to_stage(person, Stage.CLOSED, None, "Inte aktuell", today - timedelta(days=800))
        db.session.flush()
        db.session.expire_all()
        with count_queries() as counter:
            assert len(apply_retention(today)) == batch
        counters[batch] = counter
    small, large = counters[5], counters[20]
    assert large.count <= small.count + 2, "the retention runs statements per person"
    # Their accounts are read in one query with them, not one lazy load per person.
    accounts = [[s for s in c.statements if "FROM users" in s] for c in (small, large)]
    assert len(accounts[0]) == len(accounts[1]) <= 2

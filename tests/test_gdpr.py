"""GDPR: a person's export covers every row that refers to them, anonymisation leaves none of their
identifiers anywhere and keeps the statistics, the retention job anonymises old closed journeys.

The schema is walked from `db.metadata` in the tests too, so a table added later must be seeded here
and covered by the export and the sweep, or these tests fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import JSON
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
from lifecycle.enums import OffsetUnit
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import ReminderStatus
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import AppSetting
from lifecycle.models import AuditEvent
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import OrgUnit
from lifecycle.models import PasswordResetToken
from lifecycle.models import PillarCoverage
from lifecycle.models import Reminder
from lifecycle.models import ReviewAssessment
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.calendar import issue_calendar_token
from lifecycle.services.coverage import manager_coverage
from lifecycle.services.coverage import unit_heatmap
from lifecycle.services.gdpr import PERSON_TABLES
from lifecycle.services.gdpr import anonymise_person
from lifecycle.services.gdpr import export_account
from lifecycle.services.gdpr import export_person
from lifecycle.services.gdpr import is_secret_column
from lifecycle.services.gdpr import person_links
from lifecycle.services.gdpr import retention_candidates
from lifecycle.services.introductions import MilestoneValues
from lifecycle.services.introductions import add_milestone
from lifecycle.services.introductions import create_template
from lifecycle.services.introductions import launch_introduction
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
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
from lifecycle.services.reviews import complete_review
from lifecycle.services.reviews import record_assessments
from lifecycle.services.tokens import create_token
from lifecycle.services.tokens import find_token
from lifecycle.timeutil import local_today
from tests.conftest import post_form
from tests.conftest import uses_postgres
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_user

NAME = "Åsa Öhrnberg-Tillqvist"
OLD_NAME = "Åsa Öhrnberg"
EMAIL = "asa.ohrnberg@kommun.example"
OLD_EMAIL = "asa.o@kommun.example"
NUMBER = "E-778899"
IDENTIFIERS = (NAME, OLD_NAME, EMAIL, OLD_EMAIL, NUMBER)
#: tables reachable from a person only through a column that names them as the one responsible for a
#: template milestone: HR's programme, not the person's data (see export_person)
NOT_THEIR_DATA = {"template_milestone_pillars", "template_milestone_expectations"}


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
    # An imported file with her row, a JSON setting naming her, and audit events.
    csv = f"employee_number;name;email\n{NUMBER};{NAME};{EMAIL}\n".encode()
    db.session.add(
        ManagerImport(
            uploaded_by_id=user.id,
            filename=f"chefer-{NUMBER}.csv",
            content=csv,
            digest="0" * 64,
            summary={"created": 1, "note": f"rad för {NAME}"},
        )
    )
    db.session.add(AppSetting(key="gdpr-test-note", value={"about": [NAME, {"mail": EMAIL}]}))
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
    assert records["managers"][0]["stage"] == "develop"
    assert date.fromisoformat(records["managers"][0]["stage_entered_on"])
    assert set(exported["mentions"]["manager_imports"][0]) == {
        "id",
        "uploaded_by_id",
        "uploaded_at",
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
    assert asa.stage is Stage.DEVELOP and asa.start_date is not None
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
        assert browser.post(urls[1], data={"confirm_name": NAME}).status_code in (400, 404)
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
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="confirm_name-error"' in html and 'aria-invalid="true"' in html
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

"""The journey's stage rules: every allowed move, every refused one, and history that is never rewritten."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import StageTransition
from lifecycle.models.managers import HistoryIsAppendOnlyError
from lifecycle.services.journey import ALLOWED_MOVES
from lifecycle.services.journey import ENTRY_STAGES
from lifecycle.services.journey import StageMoveError
from lifecycle.services.journey import enter_journey
from lifecycle.services.journey import move_to_stage
from tests.conftest import uses_postgres
from tests.factories import make_manager
from tests.factories import make_user

ALLOWED = [(source, target) for source, targets in ALLOWED_MOVES.items() for target in targets]
REFUSED = [(source, target) for source in Stage for target in Stage if target not in ALLOWED_MOVES[source]]
START = date(2025, 1, 15)
MOVE_DAY = date(2025, 6, 1)


def _manager_at(stage: Stage):  # type: ignore[no-untyped-def]
    """Bring a manager to `stage` through allowed moves only."""
    path = {
        Stage.ATTRACT: [],
        Stage.RECRUIT: [],
        Stage.INTRODUCE: [],
        Stage.DEVELOP: [],
        Stage.OFFBOARD: [Stage.OFFBOARD],
        Stage.CLOSED: [Stage.OFFBOARD, Stage.CLOSED],
    }[stage]
    manager = make_manager(stage=stage if stage in ENTRY_STAGES else Stage.DEVELOP, entered_on=START)
    for step in path:
        move_to_stage(manager, step, None, "setup", START, end_date=date(2025, 12, 31))
    return manager


def test_the_rules_are_exactly_the_journeys() -> None:
    assert set(ALLOWED) == {
        (Stage.ATTRACT, Stage.RECRUIT),
        (Stage.RECRUIT, Stage.INTRODUCE),
        (Stage.INTRODUCE, Stage.DEVELOP),
        (Stage.DEVELOP, Stage.OFFBOARD),
        (Stage.DEVELOP, Stage.INTRODUCE),
        (Stage.ATTRACT, Stage.CLOSED),
        (Stage.RECRUIT, Stage.CLOSED),
        (Stage.OFFBOARD, Stage.CLOSED),
    }


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s}->{t}" for s, t in ALLOWED])
def test_every_allowed_move_is_made_and_recorded(app_ctx: Flask, source: Stage, target: Stage) -> None:
    manager = _manager_at(source)
    actor = make_user(Role.HR)
    before = len(manager.transitions)
    transition = move_to_stage(manager, target, actor, "  Ett skäl  ", MOVE_DAY, end_date=date(2025, 12, 31))
    assert manager.stage is target
    assert manager.stage_entered_on == MOVE_DAY
    assert manager.days_in_stage(date(2025, 6, 11)) == 10
    assert (transition.from_stage, transition.to_stage) == (source, target)
    assert (transition.actor, transition.reason, transition.effective_date) == (actor, "Ett skäl", MOVE_DAY)
    assert transition.recorded_at is not None
    db.session.expire(manager)
    assert len(manager.transitions) == before + 1


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[f"{s}->{t}" for s, t in REFUSED])
def test_every_other_move_is_refused_naming_the_allowed_ones(
    app_ctx: Flask, source: Stage, target: Stage
) -> None:
    manager = _manager_at(source)
    history = db.session.scalar(
        select(func.count()).select_from(StageTransition).where(StageTransition.manager_id == manager.id)
    )
    with pytest.raises(StageMoveError) as refused:
        move_to_stage(manager, target, None, "nej", MOVE_DAY, end_date=date(2025, 12, 31))
    message = str(refused.value)
    if ALLOWED_MOVES[source]:
        assert all(str(allowed.title) in message for allowed in ALLOWED_MOVES[source])
    else:
        assert "avslutad" in message
    assert manager.stage is source
    assert (
        db.session.scalar(
            select(func.count()).select_from(StageTransition).where(StageTransition.manager_id == manager.id)
        )
        == history
    )


@pytest.mark.parametrize("stage", ENTRY_STAGES)
def test_a_journey_can_start_at_each_entry_stage(app_ctx: Flask, stage: Stage) -> None:
    manager = enter_journey(name="Ny Person", stage=stage, effective_date=START, actor=None)
    assert manager.stage is stage
    assert [(t.from_stage, t.to_stage) for t in manager.transitions] == [(None, stage)]


@pytest.mark.parametrize("stage", [Stage.OFFBOARD, Stage.CLOSED])
def test_a_journey_cannot_start_at_the_end(app_ctx: Flask, stage: Stage) -> None:
    with pytest.raises(StageMoveError, match="kan börja i"):
        enter_journey(name="Fel", stage=stage, effective_date=START, actor=None)


def test_offboarding_needs_an_end_date(app_ctx: Flask) -> None:
    manager = make_manager(entered_on=START)
    with pytest.raises(StageMoveError, match="slutdatum"):
        move_to_stage(manager, Stage.OFFBOARD, None, "Slutar", MOVE_DAY)
    assert manager.stage is Stage.DEVELOP and manager.end_date is None
    move_to_stage(manager, Stage.OFFBOARD, None, "Slutar", MOVE_DAY, end_date=date(2025, 8, 31))
    assert manager.end_date == date(2025, 8, 31)


def test_an_end_date_already_on_record_is_enough(app_ctx: Flask) -> None:
    manager = make_manager(entered_on=START)
    manager.end_date = date(2025, 9, 30)
    move_to_stage(manager, Stage.OFFBOARD, None, "Pension", MOVE_DAY)
    assert manager.stage is Stage.OFFBOARD


def test_end_date_before_start_and_move_before_stage_began_are_refused(app_ctx: Flask) -> None:
    manager = make_manager(entered_on=START)
    with pytest.raises(StageMoveError, match="före startdatumet"):
        move_to_stage(manager, Stage.OFFBOARD, None, "x", MOVE_DAY, end_date=date(2024, 1, 1))
    with pytest.raises(StageMoveError, match="före det att nuvarande steg började"):
        move_to_stage(manager, Stage.OFFBOARD, None, "x", date(2024, 12, 1), end_date=date(2025, 8, 31))
    assert manager.stage is Stage.DEVELOP


def test_history_cannot_be_changed_or_deleted_through_the_orm(app_ctx: Flask) -> None:
    manager = make_manager()
    transition = manager.transitions[0]
    with pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested():
        transition.reason = "omskriven"
        db.session.flush()
    with pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested():
        db.session.delete(transition)
        db.session.flush()
    db.session.expire_all()
    assert db.session.get(StageTransition, transition.id) is not None


@pytest.mark.postgres
def test_postgresql_itself_refuses_to_rewrite_history(app_ctx: Flask) -> None:
    assert uses_postgres()
    manager = make_manager()
    rows = StageTransition.__table__
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(update(rows).where(rows.c.manager_id == manager.id).values(reason="x"))
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(rows.delete().where(rows.c.manager_id == manager.id))
    assert (
        db.session.scalar(select(func.count()).select_from(rows).where(rows.c.manager_id == manager.id)) == 1
    )

"""History and the audit log are append-only; GDPR erasure may overwrite their free text, nothing else."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lifecycle.append_only import HistoryIsAppendOnlyError
from lifecycle.append_only import erasure_window
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import StageTransition
from tests.factories import make_manager


def _first_move(name: str) -> StageTransition:
    manager = make_manager(name, Stage.DEVELOP)
    db.session.flush()
    move = db.session.scalars(select(StageTransition).where(StageTransition.manager_id == manager.id)).first()
    assert move is not None
    return move


def test_erasure_may_overwrite_the_free_text_and_nothing_else(app_ctx: Flask) -> None:
    move = _first_move("Rut Raderad")
    move.reason = "Rut Raderad började"
    with pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested():
        db.session.flush()
    db.session.refresh(move)

    with erasure_window(db.session):
        move.reason = "[removed]"
    db.session.refresh(move)
    assert move.reason == "[removed]"

    with (
        pytest.raises(HistoryIsAppendOnlyError, match="to_stage"),
        db.session.begin_nested(),
        erasure_window(db.session),
    ):
        move.to_stage = Stage.CLOSED
    db.session.refresh(move)
    assert move.to_stage is Stage.DEVELOP

    with pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested(), erasure_window(db.session):
        db.session.delete(move)


@pytest.mark.postgres
def test_the_database_itself_lets_an_erasure_change_only_the_free_text(app_ctx: Flask) -> None:
    move = _first_move("Pelle Postgres")
    params = {"id": move.id}
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text("UPDATE stage_transitions SET reason = 'x' WHERE id = :id"), params)

    with db.session.begin_nested(), erasure_window(db.session):
        db.session.execute(text("UPDATE stage_transitions SET reason = '[removed]' WHERE id = :id"), params)
    assert (
        db.session.scalar(text("SELECT reason FROM stage_transitions WHERE id = :id"), params) == "[removed]"
    )

    # Inside the window the real error comes out, not a complaint about the aborted transaction.
    with (
        pytest.raises(DBAPIError, match="append-only"),
        db.session.begin_nested(),
        erasure_window(db.session),
    ):
        db.session.execute(text("UPDATE stage_transitions SET to_stage = 'closed' WHERE id = :id"), params)
    with (
        pytest.raises(DBAPIError, match="append-only"),
        db.session.begin_nested(),
        erasure_window(db.session),
    ):
        db.session.execute(text("DELETE FROM stage_transitions WHERE id = :id"), params)
    # After the window the setting is off again.
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text("UPDATE stage_transitions SET reason = 'y' WHERE id = :id"), params)

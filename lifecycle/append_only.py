"""Append-only tables: the journey's history and the audit log are never changed or deleted.

Two guards hold the rule: a `before_flush` hook refuses it in the ORM (on every database), and on
PostgreSQL a trigger refuses it for any client. The one sanctioned exception is GDPR erasure, which
may overwrite personal data in these rows (never delete them) inside `erasure_window()`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import DDL
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

#: the PostgreSQL setting an erasure sets for its transaction; the trigger lets updates through then
ERASURE_SETTING = "lifecycle.erasure"
_SESSION_FLAG = "lifecycle_erasure"

GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION refuse_history_rewrite() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('{ERASURE_SETTING}', true) = 'on' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: its rows are never changed or deleted', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def guard_trigger(table_name: str) -> str:
    return (
        f"CREATE TRIGGER {table_name}_append_only BEFORE UPDATE OR DELETE ON {table_name} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_history_rewrite()"
    )


class HistoryIsAppendOnlyError(RuntimeError):
    """Code tried to change or delete a row of an append-only table."""


_guarded_classes: list[type] = []


def append_only(cls: type) -> type:
    """Class decorator: guard a mapped class's rows against change and deletion (ORM and PostgreSQL)."""
    table: Table = cls.__table__  # type: ignore[attr-defined]
    # DDL statements are %-formatted by SQLAlchemy, so the function's own % placeholder is doubled.
    function = DDL(GUARD_FUNCTION.replace("%", "%%"))  # type: ignore[no-untyped-call]
    trigger = DDL(guard_trigger(table.name))  # type: ignore[no-untyped-call]
    event.listen(table, "after_create", function.execute_if(dialect="postgresql"))
    event.listen(table, "after_create", trigger.execute_if(dialect="postgresql"))
    _guarded_classes.append(cls)
    return cls


@event.listens_for(Session, "before_flush")
def _refuse_history_rewrites(session: Session, flush_context: Any, instances: Any) -> None:
    guarded = tuple(_guarded_classes)
    for obj in session.deleted:
        if isinstance(obj, guarded):
            raise HistoryIsAppendOnlyError(f"{type(obj).__name__} rows are never deleted")
    if session.info.get(_SESSION_FLAG):
        return
    for obj in session.dirty:
        if isinstance(obj, guarded) and session.is_modified(obj, include_collections=False):
            raise HistoryIsAppendOnlyError(f"{type(obj).__name__} rows are never changed")


@contextmanager
def erasure_window(session: Session) -> Iterator[None]:
    """Let the block overwrite personal data in append-only rows (GDPR erasure); deletion stays refused."""
    postgres = session.get_bind().dialect.name == "postgresql"
    session.info[_SESSION_FLAG] = True
    if postgres:
        session.execute(text("SELECT set_config(:name, 'on', true)"), {"name": ERASURE_SETTING})
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_SESSION_FLAG, None)
        if postgres:
            session.execute(text("SELECT set_config(:name, 'off', true)"), {"name": ERASURE_SETTING})


def in_erasure_window(session: Session) -> bool:
    """Whether the session is inside `erasure_window()` (the audit hook records the erasure once instead)."""
    return bool(session.info.get(_SESSION_FLAG))

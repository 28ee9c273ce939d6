"""Append-only tables: the journey's history and the audit log are never changed or deleted.

Two guards hold the rule: a `before_flush` hook refuses it in the ORM (on every database), and on
PostgreSQL a trigger refuses it for any client. The one sanctioned exception is GDPR erasure: inside
`erasure_window()` the free-text columns a table declares erasable may be overwritten; every other
column stays as it was and no row is ever deleted. The window is a guard against mistakes, not
against a database user who sets the same setting by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from typing import TypeVar

from sqlalchemy import DDL
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

#: the PostgreSQL setting an erasure sets for its transaction; the trigger lets updates through then
ERASURE_SETTING = "lifecycle.erasure"
_SESSION_FLAG = "lifecycle_erasure"

#: The trigger's arguments name the erasable columns: an update inside the erasure window passes only
#: when the row is unchanged apart from them.
GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION refuse_history_rewrite() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('{ERASURE_SETTING}', true) = 'on'
       AND (to_jsonb(NEW) - COALESCE(TG_ARGV, '{{}}'::text[]))
           = (to_jsonb(OLD) - COALESCE(TG_ARGV, '{{}}'::text[])) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: its rows are never changed or deleted', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def guard_trigger(table_name: str, erasable: tuple[str, ...]) -> str:
    arguments = ", ".join(f"'{column}'" for column in erasable)
    return (
        f"CREATE TRIGGER {table_name}_append_only BEFORE UPDATE OR DELETE ON {table_name} "
        f"FOR EACH ROW EXECUTE FUNCTION refuse_history_rewrite({arguments})"
    )


class HistoryIsAppendOnlyError(RuntimeError):
    """Code tried to change or delete a row of an append-only table."""


#: guarded class → the columns an erasure may overwrite
_guarded: dict[type, frozenset[str]] = {}

_Model = TypeVar("_Model", bound=type)


def append_only(*, erasable: tuple[str, ...] = ()) -> Callable[[_Model], _Model]:
    """Class decorator: guard a mapped class's rows against change and deletion (ORM and PostgreSQL).

    `erasable` names the free-text columns GDPR erasure may overwrite inside `erasure_window()`.
    """

    def decorate(cls: _Model) -> _Model:
        table: Table = cls.__table__  # type: ignore[attr-defined]
        unknown = set(erasable) - set(table.columns.keys())
        if unknown:
            raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
        # DDL statements are %-formatted by SQLAlchemy, so the function's own % placeholder is doubled.
        function = DDL(GUARD_FUNCTION.replace("%", "%%"))  # type: ignore[no-untyped-call]
        trigger = DDL(guard_trigger(table.name, erasable))  # type: ignore[no-untyped-call]
        event.listen(table, "after_create", function.execute_if(dialect="postgresql"))
        event.listen(table, "after_create", trigger.execute_if(dialect="postgresql"))
        _guarded[cls] = frozenset(erasable)
        return cls

    return decorate


def _changed_columns(obj: object) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


@event.listens_for(Session, "before_flush")
def _refuse_history_rewrites(session: Session, flush_context: Any, instances: Any) -> None:
    guarded = tuple(_guarded)
    for obj in session.deleted:
        if isinstance(obj, guarded):
            raise HistoryIsAppendOnlyError(f"{type(obj).__name__} rows are never deleted")
    erasing = bool(session.info.get(_SESSION_FLAG))
    for obj in session.dirty:
        if not isinstance(obj, guarded) or not session.is_modified(obj, include_collections=False):
            continue
        changed = _changed_columns(obj)
        if not changed:
            continue
        if not erasing:
            raise HistoryIsAppendOnlyError(f"{type(obj).__name__} rows are never changed")
        refused = changed - _guarded[type(obj)]
        if refused:
            raise HistoryIsAppendOnlyError(
                f"erasure may overwrite only the free text of {type(obj).__name__}, not {sorted(refused)}"
            )


@contextmanager
def erasure_window(session: Session) -> Iterator[None]:
    """Let the block overwrite the erasable free text of append-only rows (GDPR); nothing else."""
    postgres = session.get_bind().dialect.name == "postgresql"
    session.info[_SESSION_FLAG] = True
    try:
        if postgres:
            session.execute(text("SELECT set_config(:name, 'on', true)"), {"name": ERASURE_SETTING})
        yield
        session.flush()
    finally:
        session.info.pop(_SESSION_FLAG, None)
    # Only after success: after an error the transaction is aborted (a statement here would hide the
    # error), and the setting is local to the transaction, so its rollback clears it anyway.
    if postgres:
        session.execute(text("SELECT set_config(:name, 'off', true)"), {"name": ERASURE_SETTING})


def in_erasure_window(session: Session) -> bool:
    """Whether the session is inside `erasure_window()` (the audit hook records the erasure once instead)."""
    return bool(session.info.get(_SESSION_FLAG))

"""Sync: the outbox written with the change.

`sync_reminders_for()` writes an item's rows in the same transaction as the change that makes them due
(an activity's date, its completion, a review, a manager leaving); `resync_open_items()` follows a change
of HR's rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute

from lifecycle.db import utcnow
from lifecycle.enums import ReminderOccurrence
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import Reminder
from lifecycle.services.reminders.items import SOURCES
from lifecycle.services.reminders.items import Wanted
from lifecycle.services.reminders.items import load_facts
from lifecycle.services.reminders.items import source_for
from lifecycle.services.reminders.items import wanted_rows
from lifecycle.services.reminders.outbox import status_is
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.rules import Rule
from lifecycle.services.reminders.rules import get_rules
from lifecycle.services.reminders.schedule import next_send_slot
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources.activities import ACTIVITIES
from lifecycle.services.reminders.sources.reviews import REVIEWS

logger = logging.getLogger(__name__)

#: how many items one sync statement covers
_CHUNK = 500


def _insert(dialect: str) -> Any:
    return pg_insert if dialect == "postgresql" else sqlite_insert


def sync_reminders(
    activities: Iterable[Activity | int] = (),
    reviews: Iterable[DevelopmentReview | int] = (),
    now: datetime | None = None,
) -> None:
    """Bring the reminder rows of these activities and reviews in line (see `sync_reminder_items`)."""
    sync_reminder_items({ACTIVITIES: activities, REVIEWS: reviews}, now)


def sync_reminder_items(
    items: Mapping[ReminderSource[Any], Iterable[Any]], now: datetime | None = None
) -> None:
    """Bring the reminder rows of these items (per source, instances or ids) in line with them.

    Missing future rows are added (a row that exists is never added twice), waiting rows follow a
    changed time, and waiting rows the item no longer wants (done, cancelled, moved, the manager has
    left, another person is responsible) become cancelled; nothing is deleted. Flushes, never commits.
    """
    ids = {
        source: sorted({i if isinstance(i, int) else i.id for i in source_items})
        for source, source_items in items.items()
    }
    if not any(ids.values()):
        return
    db.session.flush()
    now = now or utcnow()
    rules = get_rules()
    # The sources' chunks go together: one statement of each kind covers every source's share.
    for start in range(0, max(len(source_ids) for source_ids in ids.values()), _CHUNK):
        _sync_chunk(
            {source: source_ids[start : start + _CHUNK] for source, source_ids in ids.items()}, rules, now
        )


def sync_reminders_for(item: object, now: datetime | None = None) -> None:
    """Bring one item's reminder rows in line with it (an activity, a review ...; see `sync_reminders`)."""
    sync_reminder_items({source_for(item): [item]}, now)


def catch_up(rows: Sequence[Wanted], now: datetime) -> list[Wanted]:
    """Return an item's rows as they go out when some of their times have already passed.

    An item can be late the moment its reminders are computed: created, imported or launched with a date
    in the past, or given an escalation by a rule change. What is late goes out at the next send slot
    instead of never: the on-the-day reminder (its text then says the item was due) and the escalation,
    each once. A reminder "before" that is late has nothing left to announce and is dropped, and whoever
    gets the escalation in the same slot is not also sent the on-the-day reminder.
    """
    if all(w.due_at > now for w in rows):
        return list(rows)
    slot = next_send_slot(now)
    moved = [
        replace(w, due_at=slot, late=True) if w.due_at <= now else w
        for w in rows
        if not (w.occurrence is ReminderOccurrence.BEFORE and w.due_at <= now)
    ]
    escalated_now = {
        w.recipient_id for w in moved if w.occurrence is ReminderOccurrence.ESCALATION and w.due_at == slot
    }
    return [
        w
        for w in moved
        if not (w.occurrence is ReminderOccurrence.DUE and w.late and w.recipient_id in escalated_now)
    ]


def _sync_chunk(
    ids: Mapping[ReminderSource[Any], Sequence[int]], rules: dict[ReminderKind, Rule], now: datetime
) -> None:
    wanted_by_item = wanted_rows(load_facts(ids), rules)
    wanted = {w.key: w for rows in wanted_by_item.values() for w in catch_up(rows, now)}
    conditions = [source.column.in_(source_ids) for source, source_ids in ids.items() if source_ids]
    existing = db.session.execute(
        select(Reminder.id, Reminder.item_key, Reminder.recipient_id, Reminder.occurrence, Reminder.status)
        .add_columns(Reminder.due_at)
        .where(or_(*conditions))
    ).all()
    seen: set[tuple[str, int, ReminderOccurrence]] = set()
    to_cancel: list[int] = []
    to_move: list[dict[str, Any]] = []
    to_revive: list[dict[str, Any]] = []
    for row in existing:
        key = (row.item_key, row.recipient_id, row.occurrence)
        seen.add(key)
        want = wanted.get(key)
        if want is None:
            if row.status is ReminderStatus.PENDING:
                to_cancel.append(row.id)
        elif row.status is ReminderStatus.PENDING and row.due_at != want.due_at:
            # A late row already due is left to the dispatcher: moving it to the next slot would delay it.
            if not (want.late and row.due_at <= now):
                to_move.append({"id": row.id, "due_at": want.due_at})
        elif row.status is ReminderStatus.CANCELLED and want.due_at > now:
            to_revive.append({"id": row.id, "due_at": want.due_at})
    # Every row names every source's column (None but its own): one executemany takes rows of one shape.
    no_item = {source.column.key: None for source in SOURCES}
    new = [
        {
            "item_key": w.item_key,
            **no_item,
            **({w.column: w.item_id} if w.column else {}),
            "recipient_id": w.recipient_id,
            "occurrence": w.occurrence,
            "due_at": w.due_at,
            "status": ReminderStatus.PENDING,
            "attempts": 0,
            "possible_duplicate": False,
            "created_at": now,
        }
        for key, w in wanted.items()
        if key not in seen and w.due_at > now
    ]
    if to_cancel:
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(to_cancel), status_is(ReminderStatus.PENDING))
            .values(status=ReminderStatus.CANCELLED, lease_until=None),
            execution_options={"synchronize_session": False},
        )
    if to_move:
        db.session.execute(update(Reminder), to_move, execution_options={"synchronize_session": False})
    if to_revive:
        db.session.execute(
            update(Reminder),
            [
                {**r, "status": ReminderStatus.PENDING, "last_error": None, "message_id": None}
                for r in to_revive
            ],
            execution_options={"synchronize_session": False},
        )
    if new:
        dialect = db.session.get_bind().dialect.name
        # Two transactions syncing the same item at once: the unique key decides, the loser adds nothing.
        statement = _insert(dialect)(Reminder).on_conflict_do_nothing(
            index_elements=["item_key", "recipient_id", "occurrence"]
        )
        db.session.execute(statement, new)
    if to_cancel or to_move or to_revive or new:
        logger.info(
            "reminders synced: %d added, %d moved, %d revived, %d cancelled",
            len(new),
            len(to_move),
            len(to_revive),
            len(to_cancel),
        )


def _open_items_of(manager_ids: Sequence[int]) -> dict[ReminderSource[Any], list[int]]:
    """Return, per source, the open items (with a date) of these managers."""
    return {source: source.open_items_of(manager_ids) for source in SOURCES}


def sync_reminders_for_manager(manager: Manager, now: datetime | None = None) -> None:
    """Re-sync everything a manager's change touches: their own items and the reminders they receive.

    Called when they move on the journey (offboarded or closed: their reminders stop), and when their
    line manager, HR partner or account changes (escalations go to the new people).
    """
    db.session.flush()
    items = _open_items_of([manager.id])
    # Items of others about which this person receives reminders (as line manager or responsible).
    user_ids = [u for u in (manager.user_id,) if u is not None]
    if user_ids:
        for row in db.session.execute(
            select(*(source.column for source in SOURCES))
            .where(Reminder.recipient_id.in_(user_ids), status_is(ReminderStatus.PENDING))
            .distinct()
        ):
            for source, item_id in zip(SOURCES, row, strict=True):
                if item_id is not None:
                    items[source].append(item_id)
        # The direct reports' open items, whose escalations go to this line manager.
        reports = list(db.session.scalars(select(Manager.id).where(Manager.line_manager_id == manager.id)))
        if reports:
            for source, more in _open_items_of(reports).items():
                items[source] += more
    sync_reminder_items(items, now)


def resync_open_items(
    now: datetime | None = None, batch: int = 2000, after_batch: Callable[[], None] | None = None
) -> int:
    """Re-sync every open item with a date (after HR changed the rules); returns how many were looked at.

    Works through each source's items by id in batches, flushing each and then calling `after_batch` (the
    task passes its commit, so no transaction grows with the number of items).
    """
    count = 0
    for source in SOURCES:
        for ids in _ids_in_batches(source.id_column, source.open_conditions, batch):
            sync_reminder_items({source: ids}, now)
            if after_batch:
                after_batch()
            count += len(ids)
    return count


def _ids_in_batches(
    id_column: InstrumentedAttribute[int], conditions: Sequence[ColumnElement[bool]], batch: int
) -> Iterator[list[int]]:
    """Yield the ids of the matching rows in ascending batches (keyset paging, so each query is cheap)."""
    last = 0
    while ids := list(
        db.session.scalars(
            select(id_column).where(id_column > last, *conditions).order_by(id_column).limit(batch)
        )
    ):
        yield ids
        last = ids[-1]

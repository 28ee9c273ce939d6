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
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import Reminder
from lifecycle.models.activities import activity_participants
from lifecycle.services.reminders.items import Wanted
from lifecycle.services.reminders.items import load_facts
from lifecycle.services.reminders.items import wanted_rows
from lifecycle.services.reminders.outbox import status_is
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.rules import Rule
from lifecycle.services.reminders.rules import get_rules
from lifecycle.services.reminders.schedule import next_send_slot

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
    """Bring the reminder rows of these items in line with their dates, state and people.

    Missing future rows are added (a row that exists is never added twice), waiting rows follow a
    changed time, and waiting rows the item no longer wants (done, cancelled, moved, the manager has
    left, another person is responsible) become cancelled; nothing is deleted. Flushes, never commits.
    """
    activity_ids = sorted({a if isinstance(a, int) else a.id for a in activities})
    review_ids = sorted({r if isinstance(r, int) else r.id for r in reviews})
    if not activity_ids and not review_ids:
        return
    db.session.flush()
    now = now or utcnow()
    rules = get_rules()
    for start in range(0, max(len(activity_ids), len(review_ids)), _CHUNK):
        _sync_chunk(activity_ids[start : start + _CHUNK], review_ids[start : start + _CHUNK], rules, now)


def sync_reminders_for(item: Activity | DevelopmentReview, now: datetime | None = None) -> None:
    """Bring one activity's or review's reminder rows in line with it (see `sync_reminders`)."""
    if isinstance(item, Activity):
        sync_reminders(activities=[item], now=now)
    else:
        sync_reminders(reviews=[item], now=now)


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
    activity_ids: Sequence[int], review_ids: Sequence[int], rules: dict[ReminderKind, Rule], now: datetime
) -> None:
    wanted_by_item = wanted_rows(load_facts(activity_ids, review_ids), rules)
    wanted = {w.key: w for rows in wanted_by_item.values() for w in catch_up(rows, now)}
    conditions = []
    if activity_ids:
        conditions.append(Reminder.activity_id.in_(activity_ids))
    if review_ids:
        conditions.append(Reminder.review_id.in_(review_ids))
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
    new = [
        {
            "item_key": w.item_key,
            "activity_id": w.activity_id,
            "review_id": w.review_id,
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


def _open_items_of(manager_ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """Return the open activities and reviews (with a date) of these managers."""
    activity_ids = list(
        db.session.scalars(
            select(Activity.id)
            .join(activity_participants, activity_participants.c.activity_id == Activity.id)
            .where(
                activity_participants.c.manager_id.in_(manager_ids),
                Activity.due_on.is_not(None),
                Activity.completed_on.is_(None),
                Activity.cancelled_at.is_(None),
            )
            .distinct()
        )
    )
    review_ids = list(
        db.session.scalars(
            select(DevelopmentReview.id)
            .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentReview.plan_id)
            .where(DevelopmentPlan.manager_id.in_(manager_ids), DevelopmentReview.completed_on.is_(None))
        )
    )
    return activity_ids, review_ids


def sync_reminders_for_manager(manager: Manager, now: datetime | None = None) -> None:
    """Re-sync everything a manager's change touches: their own items and the reminders they receive.

    Called when they move on the journey (offboarded or closed: their reminders stop), and when their
    line manager, HR partner or account changes (escalations go to the new people).
    """
    db.session.flush()
    activity_ids, review_ids = _open_items_of([manager.id])
    # Items of others about which this person receives reminders (as line manager or responsible).
    user_ids = [u for u in (manager.user_id,) if u is not None]
    if user_ids:
        for activity_id, review_id in db.session.execute(
            select(Reminder.activity_id, Reminder.review_id)
            .where(Reminder.recipient_id.in_(user_ids), status_is(ReminderStatus.PENDING))
            .distinct()
        ):
            if activity_id is not None:
                activity_ids.append(activity_id)
            if review_id is not None:
                review_ids.append(review_id)
        # The direct reports' open items, whose escalations go to this line manager.
        reports = list(db.session.scalars(select(Manager.id).where(Manager.line_manager_id == manager.id)))
        if reports:
            more_activities, more_reviews = _open_items_of(reports)
            activity_ids += more_activities
            review_ids += more_reviews
    sync_reminders(activities=activity_ids, reviews=review_ids, now=now)


def resync_open_items(
    now: datetime | None = None, batch: int = 2000, after_batch: Callable[[], None] | None = None
) -> int:
    """Re-sync every open item with a date (after HR changed the rules); returns how many were looked at.

    Works through the items by id in batches, flushing each and then calling `after_batch` (the task
    passes its commit, so no transaction grows with the number of items).
    """
    count = 0
    open_activities = (
        Activity.due_on.is_not(None),
        Activity.completed_on.is_(None),
        Activity.cancelled_at.is_(None),
    )
    for ids in _ids_in_batches(Activity.id, open_activities, batch):
        sync_reminders(activities=ids, now=now)
        if after_batch:
            after_batch()
        count += len(ids)
    for ids in _ids_in_batches(DevelopmentReview.id, (DevelopmentReview.completed_on.is_(None),), batch):
        sync_reminders(reviews=ids, now=now)
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

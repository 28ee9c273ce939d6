"""For the pages: HR's lists of reminder rows and their counts, "send again", and a user's choice of a
daily digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.orm import joinedload

from lifecycle.db import utcnow
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.services.reminders.items import summarise
from lifecycle.services.reminders.outbox import status_is
from lifecycle.services.reminders.rules import ReminderRuleError
from lifecycle.services.reminders.sources import ItemSummary


def resend_reminder(reminder: Reminder, now: datetime | None = None) -> None:
    """Send a failed reminder again at the next dispatcher run (HR's "send again")."""
    if reminder.status is not ReminderStatus.FAILED:
        raise ReminderRuleError("status", _l("Only a failed reminder can be sent again."))
    reminder.status = ReminderStatus.PENDING
    reminder.due_at = now or utcnow()
    reminder.attempts = 0
    reminder.last_error = None
    reminder.message_id = None
    reminder.lease_until = None
    reminder.possible_duplicate = False
    db.session.flush()


def set_digest_preference(user: User, wants_digest: bool) -> None:
    """Choose one e-mail a day with all reminders, or one e-mail per reminder."""
    user.wants_digest = wants_digest
    db.session.flush()


def status_counts() -> dict[ReminderStatus, int]:
    """Return how many rows each status has (one aggregate query)."""
    counts = dict.fromkeys(ReminderStatus, 0)
    for status, count in db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)):
        counts[status] = count
    return counts


@dataclass(frozen=True)
class ReminderLine:
    """A reminder row as the pages show it."""

    reminder: Reminder
    summary: ItemSummary | None


def reminder_lines(
    status: ReminderStatus,
    *,
    limit: int = 50,
    after: tuple[datetime, int] | None = None,
    recipient: User | None = None,
) -> list[ReminderLine]:
    """Return a page of rows in one status with their items, ordered for the page, keyset-paginated."""
    order_col: Any
    if status is ReminderStatus.PENDING:
        order_col = Reminder.due_at
        ascending = True
    elif status is ReminderStatus.SENT:
        order_col = Reminder.sent_at
        ascending = False
    else:
        order_col = Reminder.due_at
        ascending = False
    # The pages show the recipient's name only: not their roles and journey (eager by default on User).
    query = select(Reminder).where(status_is(status)).options(joinedload(Reminder.recipient).lazyload("*"))
    if recipient is not None:
        query = query.where(Reminder.recipient_id == recipient.id)
    if after is not None:
        # A row comparison, not "a > x OR (a = x AND id > y)": PostgreSQL takes it as an index bound, so a
        # later page starts where the last one ended instead of scanning everything before it.
        position = tuple_(order_col, Reminder.id)
        query = query.where(position > after if ascending else position < after)
    query = (
        query.order_by(order_col.asc(), Reminder.id.asc())
        if ascending
        else query.order_by(order_col.desc(), Reminder.id.desc())
    )
    rows = list(db.session.scalars(query.limit(limit)).unique())
    summaries = summarise(rows)
    return [ReminderLine(row, summaries.get(row.id)) for row in rows]

"""The daily resync of mentorship reminders: a missed period's reminder, then the next period's."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from lifecycle.extensions import db
from lifecycle.models.mentoring import Mentorship
from lifecycle.services.mentoring.queries import in_progress_clause
from lifecycle.services.reminders import sync_reminder_items
from lifecycle.services.reminders.sources.mentorships import MENTORSHIPS
from lifecycle.timeutil import local_today


def resync_mentorship_reminders(batch: int = 500, after_batch: Callable[[], None] | None = None) -> int:
    """Re-sync every mentorship in progress, in id batches; return how many were looked at."""
    last, count = 0, 0
    today = local_today()
    while ids := list(
        db.session.scalars(
            select(Mentorship.id)
            .where(Mentorship.id > last, in_progress_clause(today))
            .order_by(Mentorship.id)
            .limit(batch)
        )
    ):
        sync_reminder_items({MENTORSHIPS: ids})
        if after_batch:
            after_batch()
        count += len(ids)
        last = ids[-1]
    return count

"""A workshop's group goals: marked done (or not) by their owner or HR, reminded before the follow-up."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models.workshops import GroupGoal

logger = logging.getLogger(__name__)


def sync_goal_reminders(goals: Iterable[GroupGoal]) -> None:
    """Write or cancel the goals' follow-up reminders in line with them."""
    from lifecycle.services.reminders.sources.group_goals import GROUP_GOALS
    from lifecycle.services.reminders.sync import sync_reminder_items

    sync_reminder_items({GROUP_GOALS: list(goals)})


def set_goal_done(goal: GroupGoal, done: bool) -> None:
    """Mark the group goal done (its reminders stop) or open again."""
    if done == goal.is_done:
        return
    goal.done_at = utcnow() if done else None
    db.session.flush()
    sync_goal_reminders([goal])
    logger.info("group goal %s marked %s", goal.id, "done" if done else "open")

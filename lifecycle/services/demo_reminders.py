"""The demo's first e-mails: a few reminders brought forward so that `make run` shows them at once.

The demo municipality has milestones and reviews due soon and others already overdue, whose reminders
wait for their 08:00 slot. Someone trying Chefsresan should not wait until tomorrow morning to see what
the e-mails look like, so `flask seed-demo` makes three of them due now: a coming development review's
reminder, a coming introduction milestone's, and the escalation of an item that was already overdue.
The worker sends them within a minute (under `make run` they land in instance/mail/).
"""

from __future__ import annotations

import logging
from datetime import date
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import ReminderOccurrence
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import DevelopmentReview
from lifecycle.models import Reminder
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)


def _first(query: Select[int], upcoming: ColumnElement[bool] | None = None) -> int | None:
    """The first waiting row the query finds; an item still to come (`upcoming`) before a late one."""
    order = (
        [Reminder.due_at, Reminder.id]
        if upcoming is None
        else [upcoming.desc(), Reminder.due_at, Reminder.id]
    )
    return db.session.scalar(query.where(Reminder.status == ReminderStatus.PENDING).order_by(*order).limit(1))


def bring_demo_reminders_forward(now: datetime | None = None, today: date | None = None) -> list[int]:
    """Make one review reminder, one milestone reminder and one overdue escalation due now; return them."""
    now = now or utcnow()
    today = today or local_today()
    on_the_day = Reminder.occurrence == ReminderOccurrence.DUE
    review = _first(
        select(Reminder.id)
        .join(DevelopmentReview, DevelopmentReview.id == Reminder.review_id)
        .where(on_the_day),
        DevelopmentReview.scheduled_on >= today,
    )
    milestone = _first(
        select(Reminder.id)
        .join(Activity, Activity.id == Reminder.activity_id)
        .where(Activity.kind == ActivityKind.INTRODUCTION_MILESTONE, on_the_day),
        Activity.due_on >= today,
    )
    escalation = _first(
        select(Reminder.id)
        .outerjoin(Activity, Activity.id == Reminder.activity_id)
        .outerjoin(DevelopmentReview, DevelopmentReview.id == Reminder.review_id)
        .where(
            Reminder.occurrence == ReminderOccurrence.ESCALATION,
            or_(Activity.due_on < today, DevelopmentReview.scheduled_on < today),
        )
    )
    ids = [i for i in (review, milestone, escalation) if i is not None]
    if ids:
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), Reminder.status == ReminderStatus.PENDING)
            .values(due_at=now)
            .execution_options(synchronize_session=False)
        )
    logger.info("demo reminders %s brought forward to now", ids)
    return ids

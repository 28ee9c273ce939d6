"""Retention: closed journeys are anonymised once `GDPR_RETENTION_DAYS` have passed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.services.gdpr.erasure import anonymise_people
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

#: people anonymised per transaction by the retention job
RETENTION_BATCH = 50
DEFAULT_RETENTION_DAYS = 730

# -- retention --------------------------------------------------------------------------------------


def retention_period() -> timedelta:
    """Return how long a closed journey is kept before it is anonymised (`GDPR_RETENTION_DAYS`)."""
    days = int(current_app.config.get("GDPR_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    return timedelta(days=max(0, days))


def retention_candidates(
    today: date, period: timedelta, limit: int | None = None, *, lock: bool = False
) -> list[Manager]:
    """Return the closed journeys, not yet anonymised, closed longer than `period` before `today`.

    With `lock`, on PostgreSQL the rows are locked for the transaction and rows another transaction
    holds (HR anonymising that person right now, another run of the job) are skipped rather than waited
    for; the next run finds them if they are still due.
    """
    statement = (
        select(Manager)
        .where(
            Manager.stage == Stage.CLOSED,
            Manager.stage_entered_on < today - period,
            Manager.anonymised_at.is_(None),
        )
        .order_by(Manager.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    if lock and db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(db.session.scalars(statement))


def apply_retention(
    today: date | None = None,
    batch: int = RETENTION_BATCH,
    after_batch: Callable[[], None] | None = None,
) -> list[int]:
    """Anonymise every closed journey past the retention period; return their ids.

    People are taken `batch` at a time, and `after_batch` (the task's commit) runs after each, so a
    long backlog is not one huge transaction. Running it again finds nobody new.
    """
    day = today or local_today()
    period = retention_period()
    done: list[int] = []
    while True:
        people = retention_candidates(day, period, limit=batch, lock=True)
        if not people:
            break
        done += anonymise_people(people, None, source="system", reason="retention")
        if after_batch is not None:
            after_batch()
        if len(people) < batch:
            break
    if done:
        logger.info("retention: %d closed journeys anonymised", len(done))
    return done

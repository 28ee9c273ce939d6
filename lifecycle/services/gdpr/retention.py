"""Retention: closed journeys are anonymised once `GDPR_RETENTION_DAYS` have passed.

A journey that closed because its candidate was not selected follows `CANDIDATE_RETENTION_DAYS`
instead (`lifecycle.services.recruitment.retention`): the period in which a discrimination claim can
be brought, counted from the decision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from datetime import date
from datetime import timedelta
from typing import Any
from typing import TypeVar

from flask import current_app
from sqlalchemy import Select
from sqlalchemy import exists
from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.services.gdpr.erasure import anonymise_people
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

#: people anonymised per transaction by the retention job
RETENTION_BATCH = 50
DEFAULT_RETENTION_DAYS = 730
T = TypeVar("T")

# -- retention --------------------------------------------------------------------------------------


def retention_period() -> timedelta:
    """Return how long a closed journey is kept before it is anonymised (`GDPR_RETENTION_DAYS`)."""
    days = int(current_app.config.get("GDPR_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    return timedelta(days=max(0, days))


def retention_candidates(
    today: date, period: timedelta, limit: int | None = None, *, lock: bool = False
) -> list[Manager]:
    """Return the closed journeys, not yet anonymised, closed longer than `period` before `today`.

    Candidates not selected are left to the candidate retention (`CANDIDATE_RETENTION_DAYS`).

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
            ~exists().where(Candidacy.manager_id == Manager.id, Candidacy.step == CandidateStep.NOT_SELECTED),
        )
        .order_by(Manager.id)
    )
    return take_due(statement, limit, lock=lock)


def take_due(statement: Select[T], limit: int | None, *, lock: bool, of: Any = None) -> list[T]:
    """Run a retention job's query for what is due: at most `limit` rows; with `lock`, on PostgreSQL,
    locked for the transaction (`of` those rows), skipping rows another transaction holds.
    """
    if limit is not None:
        statement = statement.limit(limit)
    if lock and db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=of)
    return list(db.session.scalars(statement))


def in_batches(
    find: Callable[[int], Sequence[T]],
    handle: Callable[[Sequence[T]], list[int]],
    batch: int,
    after_batch: Callable[[], None] | None = None,
) -> list[int]:
    """Handle what `find(batch)` returns until it returns less than a batch; return what `handle` did.

    A retention job's loop: `find` locks the next rows still due (skipping those another transaction
    holds), `handle` anonymises or removes them, and `after_batch` (the task's commit) runs after each
    batch, so a long backlog is not one huge transaction.
    """
    done: list[int] = []
    while True:
        found = find(batch)
        if not found:
            break
        done += handle(found)
        if after_batch is not None:
            after_batch()
        if len(found) < batch:
            break
    return done


def anonymise_due(
    find: Callable[[int], Sequence[Manager]],
    reason: str,
    batch: int,
    after_batch: Callable[[], None] | None = None,
) -> list[int]:
    """Anonymise the people `find` returns, batch by batch (`in_batches`), as the system, for `reason`."""
    return in_batches(
        find,
        lambda people: anonymise_people(people, None, source="system", reason=reason),
        batch,
        after_batch,
    )


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
    done = anonymise_due(
        lambda limit: retention_candidates(day, period, limit=limit, lock=True),
        "retention",
        batch,
        after_batch,
    )
    if done:
        logger.info("retention: %d closed journeys anonymised", len(done))
    return done

"""Retention of candidates not selected: anonymised `CANDIDATE_RETENTION_DAYS` after the decision.

The period is the one in which a discrimination claim can be brought (730 days by default; confirm it
with the municipality's archivist). A person is due when their journey closed, every candidacy of
theirs ended in "not selected", and the latest of those decisions was made before the day that lies
the period before today. They are anonymised with the GDPR services (`anonymise_people`): their name,
e-mail and free texts go; the candidacies with their steps, reason codes and dates stay for statistics.
A manager in post who was not selected keeps their journey and is never due.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.models import Manager
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.services.gdpr.retention import anonymise_due
from lifecycle.services.gdpr.retention import take_due
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

DEFAULT_CANDIDATE_RETENTION_DAYS = 730
#: people anonymised per transaction by the job
CANDIDATE_RETENTION_BATCH = 50


def candidate_retention_period() -> timedelta:
    """Return how long a candidate not selected is kept after the decision (`CANDIDATE_RETENTION_DAYS`)."""
    days = int(current_app.config.get("CANDIDATE_RETENTION_DAYS", DEFAULT_CANDIDATE_RETENTION_DAYS))
    return timedelta(days=max(1, days))


def _start_of(day: date) -> datetime:
    """The first moment of a day in Stockholm, in UTC (decisions are stored as UTC moments)."""
    return datetime.combine(day, time(), STOCKHOLM).astimezone(UTC)


def candidates_past_retention(
    today: date, period: timedelta, limit: int | None = None, *, lock: bool = False
) -> list[Manager]:
    """Return the candidates not selected, not yet anonymised, whose last decision is past `period`.

    With `lock`, on PostgreSQL the people are locked and those another transaction holds are skipped.
    """
    cutoff = _start_of(today - period)
    not_selected = exists().where(
        Candidacy.manager_id == Manager.id, Candidacy.step == CandidateStep.NOT_SELECTED
    )
    # Any candidacy still running or won, or a decision inside the period, keeps the person.
    kept = exists().where(
        Candidacy.manager_id == Manager.id,
        or_(Candidacy.step != CandidateStep.NOT_SELECTED, Candidacy.step_changed_at >= cutoff),
    )
    statement = (
        select(Manager)
        .where(Manager.stage == Stage.CLOSED, Manager.anonymised_at.is_(None), not_selected, ~kept)
        .order_by(Manager.id)
    )
    return take_due(statement, limit, lock=lock)


def apply_candidate_retention(
    today: date | None = None,
    batch: int = CANDIDATE_RETENTION_BATCH,
    after_batch: Callable[[], None] | None = None,
) -> list[int]:
    """Anonymise every candidate not selected past the retention period; return their ids.

    People are taken `batch` at a time, `after_batch` (the task's commit) running after each; running
    it again finds nobody new.
    """
    day = today or local_today()
    period = candidate_retention_period()
    done = anonymise_due(
        lambda limit: candidates_past_retention(day, period, limit=limit, lock=True),
        "candidate_retention",
        batch,
        after_batch,
    )
    if done:
        logger.info("candidate retention: %d candidates not selected anonymised", len(done))
    return done

"""The outbox itself: the reminder rows' table, the statuses and statements every stage shares, and how
delivery works through the rows (`DeliverySettings`, from the app's configuration).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from flask import current_app
from sqlalchemy import ColumnElement
from sqlalchemy import Table
from sqlalchemy import literal_column
from sqlalchemy import update

from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import Reminder

#: the statuses in which a row may still be sent; everything else is final (until HR sends it again)
OPEN_STATUSES = (ReminderStatus.PENDING, ReminderStatus.SENDING)


#: the table itself: the send path's statements skip the ORM's per-statement work (it is the hot path)
OUTBOX = cast(Table, Reminder.__table__)


def status_is(status: ReminderStatus) -> ColumnElement[bool]:
    # A literal, not a bound parameter, so PostgreSQL matches the partial indexes on status.
    return OUTBOX.c.status == literal_column(f"'{status.value}'")


# Stored reasons are diagnostics in plain English, like the SMTP servers' own answers: the row is read
# by HR in whatever language they use, long after the worker that wrote it.
NO_ADDRESS = "The recipient has no e-mail address."
UNCERTAIN = (
    "delivery uncertain: the e-mail may have been sent twice already; it is not sent again automatically"
)


def finish(ids: Iterable[int], status: ReminderStatus, error: str | None, guard: ColumnElement[bool]) -> int:
    """Give the rows among `ids` that `guard` still allows a final status (and reason); return how many."""
    result = db.session.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(list(ids)), guard)
        .values(status=status, last_error=error, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class DeliverySettings:
    """How delivery behaves; every value comes from the app's configuration (and so the environment)."""

    lease: timedelta
    retry_base_seconds: float
    retry_max_seconds: float
    max_attempts: int
    batch_size: int
    #: e-mails per send task: fewer broker round trips and queries per e-mail, each still marked on its own
    send_batch: int = 10

    @classmethod
    def current(cls) -> DeliverySettings:
        config = current_app.config
        return cls(
            lease=timedelta(seconds=float(config.get("REMINDER_LEASE_SECONDS", 600))),
            retry_base_seconds=float(config.get("REMINDER_RETRY_BASE_SECONDS", 30)),
            retry_max_seconds=float(config.get("REMINDER_RETRY_MAX_SECONDS", 600)),
            max_attempts=int(config.get("REMINDER_MAX_ATTEMPTS", 12)),
            batch_size=int(config.get("REMINDER_BATCH_SIZE", 1000)),
            send_batch=max(1, int(config.get("REMINDER_SEND_BATCH", 10))),
        )

    def backoff(self, attempt: int) -> float:
        """Return the wait before the next try after `attempt` tries: exponential, capped, with jitter."""
        ceiling = min(self.retry_max_seconds, self.retry_base_seconds * 2 ** max(0, attempt - 1))
        # Full jitter in the upper half keeps retries of a burst from arriving together.
        return float(ceiling * (0.5 + random.random() / 2))  # noqa: S311 (not security)

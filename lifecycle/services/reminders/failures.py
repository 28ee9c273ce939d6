"""A failed send: told permanent, transient or ambiguous (`classify`), then failed for good, parked or
retried after a backoff (`record_failure`).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import update

from lifecycle.db import utcnow
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.notifications import describe_failure
from lifecycle.services.reminders.claiming import Claim
from lifecycle.services.reminders.delivery import Delivery
from lifecycle.services.reminders.delivery import owned_by
from lifecycle.services.reminders.outbox import OUTBOX
from lifecycle.services.reminders.outbox import UNCERTAIN
from lifecycle.services.reminders.outbox import DeliverySettings
from lifecycle.services.reminders.outbox import finish

logger = logging.getLogger(__name__)


class Failure(StrEnum):
    PERMANENT = "permanent"
    #: the server refused for now; nothing was delivered
    TRANSIENT = "transient"
    #: the connection broke or timed out: the e-mail may or may not have been accepted
    AMBIGUOUS = "ambiguous"


def classify(exc: BaseException, reached_server: bool = True) -> Failure:
    """Tell a permanent SMTP failure (5xx, refused recipients) from one worth retrying.

    Before the connection stood (`reached_server` False) nothing can have been delivered. After it, an
    answer from the server is definite (4xx: later, 5xx: never), while a broken or timed-out
    connection leaves it open whether the server took the e-mail.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return Failure.PERMANENT if codes and all(c >= 500 for c in codes) else Failure.TRANSIENT
    if isinstance(exc, smtplib.SMTPResponseException):
        return Failure.PERMANENT if exc.smtp_code >= 500 else Failure.TRANSIENT
    if not reached_server:
        # Connection refused, a DNS failure, a connect timeout, TLS or login problems: worth a retry.
        return Failure.TRANSIENT if isinstance(exc, OSError) else Failure.PERMANENT
    if isinstance(exc, smtplib.SMTPServerDisconnected | TimeoutError | ConnectionError):
        return Failure.AMBIGUOUS
    if isinstance(exc, OSError):  # smtplib's other errors and socket errors
        return Failure.AMBIGUOUS
    return Failure.PERMANENT


@dataclass(frozen=True)
class Retry:
    """Try again after `countdown` seconds with these claims (their attempt counted up)."""

    countdown: float
    claims: list[Claim]


def record_failure(
    delivery: Delivery,
    exc: BaseException,
    *,
    reached_server: bool = True,
    now: datetime | None = None,
    countdown: float | None = None,
) -> Retry | None:
    """Record a failed send: permanent → failed at once; transient → the next attempt and its backoff.

    The row stays `sending` during the backoff with a lease that covers it, so if the retry message is
    lost (Redis flushed, worker killed) the dispatcher takes the row again when the lease runs out.
    `countdown` imposes the wait (a task retries all its failed e-mails in one message, after one wait);
    by default it follows the backoff of the attempt.
    """
    now = now or utcnow()
    settings = DeliverySettings.current()
    kind = classify(exc, reached_server)
    error = describe_failure(exc)
    ids = [c.reminder_id for c in delivery.claims]
    attempt = max(c.attempt for c in delivery.claims)
    if kind is Failure.PERMANENT:
        db.session.execute(
            update(OUTBOX)
            .where(owned_by(delivery.claims))
            .values(status=ReminderStatus.FAILED, last_error=error, lease_until=None, message_id=None)
        )
        logger.warning("reminders %s failed for good: %s", ids, error)
        return None
    if kind is Failure.AMBIGUOUS and delivery.possible_duplicate:
        finish(ids, ReminderStatus.FAILED, f"{UNCERTAIN} ({error})", owned_by(delivery.claims))
        return None
    if attempt >= settings.max_attempts:
        finish(
            ids,
            ReminderStatus.FAILED,
            f"Gave up after {attempt} attempts. {error}",
            owned_by(delivery.claims),
        )
        logger.error("reminders %s: gave up after %d attempts: %s", ids, attempt, error)
        return None
    if countdown is None:
        countdown = settings.backoff(attempt)
    values: dict[str, Any] = {
        "attempts": OUTBOX.c.attempts + 1,
        "lease_until": now + timedelta(seconds=countdown) + settings.lease,
        "last_error": error,
        # Known not delivered: clear the marker. Maybe delivered: the next copy is flagged.
        "message_id": None,
    }
    if kind is Failure.AMBIGUOUS:
        values["possible_duplicate"] = True
    result = db.session.execute(update(OUTBOX).where(owned_by(delivery.claims)).values(**values))
    if not getattr(result, "rowcount", 0):
        return None
    logger.info("reminders %s: %s (attempt %d); retrying in %.0f s", ids, error, attempt, countdown)
    return Retry(countdown, [Claim(c.reminder_id, c.attempt + 1, c.recipient_id) for c in delivery.claims])

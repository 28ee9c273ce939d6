"""Celery tasks: load by id, call a service, commit. The beat schedule lives in config.py."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task
from celery import shared_task
from flask import current_app

from lifecycle.extensions import db
from lifecycle.services.system import BEAT
from lifecycle.services.system import record_heartbeat

logger = logging.getLogger(__name__)


@shared_task(name="system.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that beat is scheduling and a worker is consuming."""
    record_heartbeat(BEAT)
    db.session.commit()


# -- reminder e-mails (lifecycle/services/reminders.py; the README, "Reminders") ----------------------------

#: a dispatcher run stops claiming after this long, so one run never overlaps the next by much
DISPATCH_BUDGET_SECONDS = 45.0


def _queue(deliveries: list[Any]) -> None:
    """Hand the e-mails (each a list of claims) to send tasks, a few per task, over one broker connection."""
    from lifecycle.services.reminders import DeliverySettings

    size = DeliverySettings.current().send_batch
    celery_app = current_app.extensions["celery"]
    with celery_app.producer_or_acquire() as producer:
        for start in range(0, len(deliveries), size):
            celery_app.send_task(
                "reminders.send_batch",
                args=[_pack(deliveries[start : start + size])],
                producer=producer,
            )


def _pack(deliveries: list[Any]) -> list[list[list[int]]]:
    return [[[c.reminder_id, c.attempt, c.recipient_id] for c in claims] for claims in deliveries]


@shared_task(name="reminders.dispatch", ignore_result=True)
def dispatch_reminders() -> int:
    """Claim due reminders in batches, commit each, queue their e-mails to send tasks; beat's heartbeat."""
    from lifecycle.services.reminders import DeliverySettings
    from lifecycle.services.reminders import claim_due_reminders

    settings = DeliverySettings.current()
    record_heartbeat(BEAT)
    started = time.monotonic()
    total = 0
    while True:
        batch = claim_due_reminders(limit=settings.batch_size)
        # Committed before queueing: a send task never sees a row it was not given. If queueing fails
        # (the broker is down) the rows keep their lease and are claimed again when it runs out.
        db.session.commit()
        if not len(batch):
            break
        total += len(batch)
        try:
            _queue(batch.emails())
        except Exception:
            logger.exception(
                "could not queue %d reminders; they are claimed again after their lease", len(batch)
            )
            break
        if len(batch) < settings.batch_size or time.monotonic() - started > DISPATCH_BUDGET_SECONDS:
            break
    if total:
        logger.info("dispatcher queued %d reminders", total)
    return total


@shared_task(name="reminders.send_batch", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_reminders(self: Task, deliveries: list[list[list[int]]]) -> None:  # type: ignore[type-arg]
    """Send a few reminder e-mails (each one reminder or one digest), recording each one's outcome."""
    _send(self, deliveries, single=False)


@shared_task(name="reminders.send", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_reminder(self: Task, claims: list[list[int]]) -> None:  # type: ignore[type-arg]
    """Send one reminder e-mail (or one digest); tasks queued before `reminders.send_batch` existed."""
    _send(self, [claims], single=True)


def _send(task: Task, deliveries: list[list[list[int]]], *, single: bool) -> None:  # type: ignore[type-arg]
    from lifecycle.notifications import SendFailure
    from lifecycle.notifications import send
    from lifecycle.services.reminders import Claim
    from lifecycle.services.reminders import record_failure
    from lifecycle.services.reminders import record_sent
    from lifecycle.services.reminders import start_deliveries
    from lifecycle.services.reminders import take_delivery

    retry: list[list[Any]] = []
    countdown: float | None = None
    for delivery in start_deliveries([[Claim(*claim) for claim in claims] for claims in deliveries]):
        if not take_delivery(delivery):
            continue
        # Each e-mail's marker (its Message-ID on its rows) is committed before SMTP, together with the
        # previous e-mail's outcome: a crash after this commit is the ambiguous window of this e-mail only.
        db.session.commit()
        try:
            send(delivery.message)
        except SendFailure as failure:
            # One e-mail's failure is its own: the others of the task are still sent.
            again = record_failure(
                delivery, failure.error, reached_server=failure.reached_server, countdown=countdown
            )
            if again is not None:
                countdown = again.countdown
                retry.append(again.claims)
            continue
        record_sent(delivery)
    db.session.commit()
    if retry:
        # The failed ones go again together, after one wait that each row's lease covers.
        args = _pack(retry)
        raise task.retry(args=(args[0] if single else args,), countdown=countdown) from None


@shared_task(name="reminders.resync", ignore_result=True)
def resync_reminders() -> int:
    """Recompute the reminders of every open item (after HR changed the rules)."""
    from lifecycle.services.reminders import resync_open_items

    count = resync_open_items(after_batch=db.session.commit)
    db.session.commit()
    return count


# -- GDPR retention (lifecycle/services/gdpr.py; the README, "Configuration": GDPR_RETENTION_DAYS) -----


@shared_task(name="gdpr.retention", ignore_result=True)
def apply_gdpr_retention(today: str | None = None) -> int:
    """Anonymise the closed journeys past the retention period, committing batch by batch (daily, beat)."""
    from datetime import date

    from lifecycle.services.gdpr import apply_retention

    anonymised = apply_retention(date.fromisoformat(today) if today else None, after_batch=db.session.commit)
    db.session.commit()
    return len(anonymised)


# -- imports (lifecycle/services/import_jobs.py; the README, "Importing managers") ---------------------


@shared_task(name="imports.run", ignore_result=True)
def run_import(import_id: int) -> None:
    """Write a confirmed import file: all of it in one transaction, its progress as it goes."""
    from lifecycle.services.import_jobs import run_job
    from lifecycle.timeutil import local_today

    run_job(import_id, local_today(), commit=db.session.commit, rollback=db.session.rollback)

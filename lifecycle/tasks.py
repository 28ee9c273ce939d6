"""Celery tasks: load by id, call a service, commit. The beat schedule lives in config.py."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from celery import Task
from celery import shared_task
from flask import current_app

from lifecycle.extensions import db
from lifecycle.notifications import failure_summary
from lifecycle.services.system import BEAT
from lifecycle.services.system import record_heartbeat

if TYPE_CHECKING:
    from flask_mailman import EmailMultiAlternatives

logger = logging.getLogger(__name__)


@shared_task(name="system.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that beat is scheduling and a worker is consuming."""
    record_heartbeat(BEAT)
    db.session.commit()


# -- reminder e-mails (lifecycle/services/reminders/; the README, "Reminders") ------------------------------

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


# -- talent pool and candidate retention (services/talent_pool/retention.py, recruitment/retention.py) --


@shared_task(name="talent_pool.retention", ignore_result=True)
def apply_talent_pool_retention(today: str | None = None) -> int:
    """Remove the pool members whose consent has run out, committing batch by batch (daily, beat)."""
    from datetime import date

    from lifecycle.services.talent_pool import apply_pool_retention

    done = apply_pool_retention(date.fromisoformat(today) if today else None, after_batch=db.session.commit)
    db.session.commit()
    return len(done.removed)


@shared_task(name="recruitment.candidate_retention", ignore_result=True)
def apply_candidate_retention(today: str | None = None) -> int:
    """Anonymise candidates not selected past CANDIDATE_RETENTION_DAYS, batch by batch (daily, beat)."""
    from datetime import date

    from lifecycle.services.recruitment.retention import apply_candidate_retention as apply

    anonymised = apply(date.fromisoformat(today) if today else None, after_batch=db.session.commit)
    db.session.commit()
    return len(anonymised)


# -- imports (lifecycle/services/imports/jobs.py; the README, "Importing managers") --------------------


@shared_task(name="imports.run", ignore_result=True)
def run_import(import_id: int) -> None:
    """Write a confirmed import file: all of it in one transaction, its progress as it goes."""
    from lifecycle.services.import_jobs import run_job
    from lifecycle.timeutil import local_today

    run_job(import_id, local_today(), commit=db.session.commit, rollback=db.session.rollback)


# -- account e-mails (lifecycle/services/invitations.py, password_reset.py; the README, "Accounts") -------

#: a failed invitation e-mail is tried again this many times, a few minutes apart, before HR sees it
INVITATION_RETRIES = 3


@shared_task(
    name="invitations.send", bind=True, acks_late=True, ignore_result=True, max_retries=INVITATION_RETRIES
)
def send_invitations(self: Task, invitation_ids: list[int]) -> None:  # type: ignore[type-arg]
    """Mint each invitation's link and send its e-mail; a failure is recorded on that invitation alone."""
    from lifecycle.services.invitations import prepare_invitation_email
    from lifecycle.services.invitations import record_send_failure

    failed = _send_each(invitation_ids, prepare_invitation_email, record_send_failure, "invitation")
    if failed and self.request.retries < INVITATION_RETRIES:
        raise self.retry(args=(failed,), countdown=120 * (self.request.retries + 1)) from None


def _send_each(
    ids: list[int],
    prepare: Callable[[int], EmailMultiAlternatives | None],
    record_failure: Callable[[int, str], None],
    what: str,
) -> list[int]:
    """Claim, commit and send each id's e-mail; return the ids whose sending failed (each recorded)."""
    from lifecycle.notifications import describe_failure
    from lifecycle.notifications import send

    failed: list[int] = []
    for item_id in ids:
        try:
            message = prepare(item_id)
            # The claim is stored before the e-mail leaves (an invitation's link must work when it
            # arrives). A crash between the two loses this one e-mail (HR sends it again), never sends
            # it twice.
            db.session.commit()
            if message is not None:
                send(message)
        except Exception as exc:
            db.session.rollback()
            reason = describe_failure(getattr(exc, "error", exc))
            logger.warning("%s %s not sent: %s", what, item_id, reason)
            record_failure(item_id, reason)
            db.session.commit()
            failed.append(item_id)
    return failed


@shared_task(name="invitations.sweep", ignore_result=True)
def sweep_invitations() -> int:
    """Queue the invitations whose e-mail was never queued (the broker was down when HR invited)."""
    from lifecycle.services.invitations import unsent_invitations

    waiting = unsent_invitations()
    if waiting:
        queue_invitations(waiting)
    return len(waiting)


def queue_invitations(invitation_ids: list[int], size: int = 50) -> None:
    """Queue the e-mails of committed invitations, a few per task, over one broker connection."""
    _queue_ids("invitations.send", invitation_ids, size)


def queue_after_commit(queue: Callable[[list[int]], None], ids: list[int]) -> bool:
    """Hand committed e-mails to the worker; if the broker is down, the beat sweep sends them later."""
    try:
        queue(ids)
    except Exception:
        logger.exception("could not queue %d e-mails; the sweep sends them", len(ids))
        return False
    return True


def _queue_ids(task_name: str, ids: list[int], size: int) -> None:
    celery_app = current_app.extensions["celery"]
    with celery_app.producer_or_acquire() as producer:
        for start in range(0, len(ids), size):
            celery_app.send_task(task_name, args=[ids[start : start + size]], producer=producer)


# -- telling candidates not selected (lifecycle/services/recruitment/notices.py) -----------------------

#: like an invitation, a failed e-mail is tried again a few times; then HR sees that it failed
NOTICE_RETRIES = 3


@shared_task(
    name="recruitment.send_not_selected",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=NOTICE_RETRIES,
)
def send_not_selected(self: Task, candidacy_ids: list[int]) -> None:  # type: ignore[type-arg]
    """E-mail each candidate HR chose to tell that they are not selected, once each."""
    from lifecycle.services.recruitment.notices import prepare_not_selected_email
    from lifecycle.services.recruitment.notices import record_notice_failure

    failed = _send_each(
        candidacy_ids,
        prepare_not_selected_email,
        lambda candidacy_id, _reason: record_notice_failure(candidacy_id),
        "not-selected e-mail of candidacy",
    )
    if failed and self.request.retries < NOTICE_RETRIES:
        raise self.retry(args=(failed,), countdown=120 * (self.request.retries + 1)) from None


@shared_task(name="recruitment.sweep_not_selected", ignore_result=True)
def sweep_not_selected() -> int:
    """Queue the not-selected e-mails that were never queued (the broker was down when HR decided)."""
    from lifecycle.services.recruitment.notices import unsent_notices

    waiting = unsent_notices()
    if waiting:
        queue_not_selected(waiting)
    return len(waiting)


def queue_not_selected(candidacy_ids: list[int], size: int = 50) -> None:
    """Queue the not-selected e-mails of committed decisions."""
    _queue_ids("recruitment.send_not_selected", candidacy_ids, size)


# -- telling reporters their obstacle is resolved (lifecycle/services/obstacles/notices.py) ------------


@shared_task(
    name="obstacles.send_resolved",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=NOTICE_RETRIES,
)
def send_obstacle_resolved(self: Task, obstacle_ids: list[int]) -> None:  # type: ignore[type-arg]
    """E-mail each reporter that their obstacle is resolved, once each."""
    from lifecycle.services.obstacles.notices import prepare_resolved_email
    from lifecycle.services.obstacles.notices import record_resolved_failure

    failed = _send_each(
        obstacle_ids,
        prepare_resolved_email,
        lambda obstacle_id, _reason: record_resolved_failure(obstacle_id),
        "resolution e-mail of obstacle",
    )
    if failed and self.request.retries < NOTICE_RETRIES:
        raise self.retry(args=(failed,), countdown=120 * (self.request.retries + 1)) from None


@shared_task(name="obstacles.sweep_resolved", ignore_result=True)
def sweep_obstacle_resolved() -> int:
    """Queue the resolution e-mails that were never queued (the broker was down when HR resolved)."""
    from lifecycle.services.obstacles.notices import unsent_resolved_notices

    waiting = unsent_resolved_notices()
    if waiting:
        queue_obstacle_resolved(waiting)
    return len(waiting)


def queue_obstacle_resolved(obstacle_ids: list[int], size: int = 50) -> None:
    """Queue the resolution e-mails of committed changes."""
    _queue_ids("obstacles.send_resolved", obstacle_ids, size)


def queue_password_reset(email: str, fallback_locale: str) -> None:
    """Ask the worker to send a reset link; a broker that is down is logged, never shown to the visitor."""
    try:
        current_app.extensions["celery"].send_task(
            "accounts.send_password_reset", args=[email, fallback_locale]
        )
    except Exception as exc:
        # Not the address: the answer is the same whether or not it has an account, and so is the log.
        logger.error("a password reset could not be queued: %s", failure_summary(exc))


@shared_task(name="accounts.send_password_reset", ignore_result=True)
def send_password_reset(email: str, fallback_locale: str) -> None:
    """Issue a reset link for the enabled account with this address, if any, and e-mail it.

    The secret is minted here, in the worker, so it is in no queue message. Not retried: the person
    asks again, and a second link would only confuse.
    """
    from lifecycle.notifications import send
    from lifecycle.services.password_reset import request_password_reset

    try:
        message = request_password_reset(email, fallback_locale)
        db.session.commit()  # before sending: the link must work when the e-mail arrives
        if message is not None:
            send(message)
    except Exception as exc:
        db.session.rollback()
        # Neither the address nor the link's secret: an error's own text (an SMTP server's reply, a
        # refused recipient) can quote the message, so only what failed and where is logged.
        logger.error("a password reset link could not be issued or sent: %s", failure_summary(exc))


# -- mentoring: a missed meeting cadence reminds again each period (services/reminders/sources/mentorships.py)


@shared_task(name="mentoring.resync", ignore_result=True)
def resync_mentorships() -> int:
    """Move the reminders of mentorships in progress on to the period they are in now."""
    from lifecycle.services.mentoring.reminders import resync_mentorship_reminders

    return resync_mentorship_reminders(after_batch=db.session.commit)

"""Import jobs: a confirmed import file is written by a Celery worker, not inside the web request.

The kept file (`ManagerImport`) is the job. Confirming marks it queued (`queue_job`) and the view hands
its id to the `imports.run` task, which marks it running (`start_job`), writes it (`execute_job`) and
marks it done, or failed with the reason (`fail_job`). The progress page reads the row.

All or nothing, and why it is one transaction
---------------------------------------------
The file is planned again and written batch by batch — a thousand new people per set of multi-row
inserts, progress reported after each batch — but every batch goes into ONE database transaction,
committed together with the job's "done". Progress is written on a separate connection that commits
at once (`ProgressReporter`), so the page moves while the data stays invisible.

Committing each batch on its own and deleting a failed import's rows afterwards is not sound here:
the journey's history (stage transitions) and the audit log are append-only — a trigger refuses to
delete them — so a failed import could not take its rows back; the reminders of a committed batch are
due at once (an overdue milestone's escalation) and the dispatcher would send them for people whose
import then fails; and a worker killed between two batches would leave a half import visible until
someone cleaned it up. With one transaction, a failure or a killed worker rolls everything back by
itself (PostgreSQL ends the dead connection's transaction), so no half import is ever visible; the
task is redelivered (`acks_late`, `reject_on_worker_lost`) and runs the job again from the start.
A transaction-scoped advisory lock on the job makes a duplicate delivery wait its turn instead of
writing the file twice, and a job that is already done is never run again (the job's state is read
again once the lock is held). The transaction is short
enough for that: the writes are set-based (see `bulk_journey`), about 7 s for 5 000 new managers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from lifecycle.db import utcnow
from lifecycle.enums import ImportStatus
from lifecycle.extensions import db
from lifecycle.i18n_messages import deferred
from lifecycle.i18n_messages import render
from lifecycle.i18n_messages import stored
from lifecycle.models import ManagerImport
from lifecycle.models import User
from lifecycle.services.imports.files import ImportFileError
from lifecycle.services.imports.reports import PlanReport

logger = logging.getLogger(__name__)

#: the first key of the job's advisory lock (the second is the job's id): "imports" in ASCII
LOCK_NAMESPACE = 0x696D70
#: how often (in rows) the page's progress is written at most, besides after each batch
PROGRESS_STEP = 500

#: states in which confirming starts the job; a failed job can be confirmed again
CONFIRMABLE = (ImportStatus.CHECKED, ImportStatus.FAILED)
#: states in which the worker is still to finish the job
UNFINISHED = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportJobError(RuntimeError):
    """A job cannot be started in its current state; the message is meant for the user."""


@dataclass(frozen=True)
class JobKind:
    """How a kind of import file is planned and written."""

    #: plans the kept file again from its content, today and its kept summary (which names its scope)
    replan: Callable[[bytes, date, dict[str, Any]], PlanReport]
    apply: Callable[[PlanReport, User | None, date, Callable[[int], None]], None]
    #: exceptions whose message says why the file could not be written
    refusals: tuple[type[Exception], ...]
    race_message: Any


def _kinds() -> dict[str | None, JobKind]:
    from lifecycle.services.activities import ActivityError
    from lifecycle.services.imports import activities
    from lifecycle.services.imports import activity_rows
    from lifecycle.services.imports import candidate_rows
    from lifecycle.services.imports import candidates
    from lifecycle.services.imports import manager_rows
    from lifecycle.services.imports import manager_writer
    from lifecycle.services.imports import managers
    from lifecycle.services.journey import StageMoveError
    from lifecycle.services.managers import ManagerDetailsError
    from lifecycle.services.recruitment import VacancyError

    def apply_managers(plan: Any, actor: User | None, today: date, progress: Callable[[int], None]) -> None:
        manager_writer.apply_import(plan, actor, today, on_progress=progress)

    def apply_activities(plan: Any, actor: User | None, today: date, progress: Callable[[int], None]) -> None:
        activities.apply_activity_import(plan, actor)
        progress(len(plan.rows))

    def apply_candidates(plan: Any, actor: User | None, today: date, progress: Callable[[int], None]) -> None:
        candidates.apply_candidate_import(plan, actor, on_progress=progress)

    return {
        None: JobKind(
            replan=lambda content, today, _summary: managers.plan_import(
                manager_rows.read_import_file(content), today
            ),
            apply=apply_managers,
            refusals=(ImportFileError, StageMoveError, ManagerDetailsError),
            race_message=_l(
                "Someone changed the same managers at the same time. Nothing was imported; try again."
            ),
        ),
        activities.ACTIVITIES_TYPE: JobKind(
            replan=lambda content, today, _summary: activities.plan_activity_import(
                activity_rows.read_activity_file(content), today
            ),
            apply=apply_activities,
            refusals=(ImportFileError, ActivityError),
            race_message=_l(
                "Someone imported the same activities at the same time. Nothing was imported; try again."
            ),
        ),
        candidates.CANDIDATES_TYPE: JobKind(
            replan=lambda content, today, summary: candidates.plan_candidate_import(
                candidate_rows.read_candidate_file(content), int(summary["vacancy_id"]), today
            ),
            apply=apply_candidates,
            refusals=(ImportFileError, StageMoveError, VacancyError),
            race_message=_l(
                "Someone added the same candidates at the same time. Nothing was imported; try again."
            ),
        ),
    }


def kind_of(record: ManagerImport) -> JobKind:
    return _kinds()[(record.summary or {}).get("type")]


def queue_job(record: ManagerImport, actor: User | None) -> None:
    """Mark a checked file as waiting for the worker, confirmed by `actor`; flushes, never commits."""
    if record.committed_at is not None or record.status is ImportStatus.DONE:
        raise ImportJobError(_l("This file has already been imported."))
    if record.status not in CONFIRMABLE:
        raise ImportJobError(_l("This file is being imported already."))
    record.status = ImportStatus.QUEUED
    record.confirmed_by_id = actor.id if actor else None
    record.queued_at = utcnow()
    record.started_at = None
    record.finished_at = None
    record.failure = None
    record.rows_done = 0
    record.rows_total = int((record.summary or {}).get("total", 0))
    db.session.flush()
    logger.info("import %s queued by user %s", record.id, record.confirmed_by_id)


def unqueue_job(record: ManagerImport) -> None:
    """Put a queued job back to checked: the worker could not be reached, so nothing will run it."""
    if record.status is ImportStatus.QUEUED:
        record.status = ImportStatus.CHECKED
        record.queued_at = None
        db.session.flush()


def load_job(import_id: int) -> ManagerImport | None:
    """Return the job as it is in the database now (not as this session last saw it)."""
    return db.session.scalar(
        select(ManagerImport).where(ManagerImport.id == import_id).execution_options(populate_existing=True)
    )


def start_job(record: ManagerImport) -> bool:
    """Mark the job running; False if it is not waiting for a worker (done, failed, never confirmed)."""
    if record.status not in UNFINISHED:
        logger.info("import %s is %s; not run", record.id, record.status.value)
        return False
    if record.status is ImportStatus.QUEUED:
        record.status = ImportStatus.RUNNING
        record.started_at = utcnow()
    db.session.flush()
    return True


def lock_job(import_id: int) -> None:
    """Hold the job's lock until the transaction ends, waiting while another worker holds it.

    A duplicate delivery waits for the first run to end and then finds the job done; a redelivery
    after a killed worker gets the lock once PostgreSQL has ended the dead connection's transaction.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite lets one writer in at a time anyway
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(:namespace, :job)"),
        {"namespace": LOCK_NAMESPACE, "job": import_id},
    )


class ProgressReporter:
    """Writes how many rows are done on a connection of its own, committed at once, so the page sees it.

    On SQLite (a laptop) a second writer would wait for the import's own transaction, so the page shows
    the job running until it is done.
    """

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.last = 0
        self.enabled = db.session.get_bind().dialect.name == "postgresql"

    def __call__(self, done: int) -> None:
        if not self.enabled or done - self.last < PROGRESS_STEP:
            return
        self.last = done
        with db.engine.connect() as connection:
            connection.execute(
                update(ManagerImport)
                .where(ManagerImport.id == self.import_id, ManagerImport.status == ImportStatus.RUNNING)
                .values(rows_done=done)
            )
            connection.commit()


def execute_job(record: ManagerImport, today: date, on_progress: Callable[[int], None]) -> PlanReport:
    """Plan the kept file again against today's data and write it; flushes, never commits.

    If the data changed so that rows now have errors, nothing is written and the job fails with the
    report showing why. Other refusals raise; the caller rolls back and calls `fail_job`.
    """
    kind = kind_of(record)
    actor = db.session.get(User, record.confirmed_by_id) if record.confirmed_by_id else None
    plan = kind.replan(record.content, today, dict(record.summary or {}))
    if plan.has_errors:
        count = plan.counts["error"]
        record.summary = plan.summary()
        _finish(
            record,
            ImportStatus.FAILED,
            deferred(
                "The data has changed since the file was checked, and %(count)d rows now have errors. "
                "Nothing was imported; see the report.",
                count=count,
            ),
        )
        return plan
    kind.apply(plan, actor, today, on_progress)
    # The job's own row is written last: until now only the progress connection touched it.
    record.summary = plan.summary()
    record.committed_at = utcnow()
    record.rows_done = len(plan.rows)
    _finish(record, ImportStatus.DONE, None)
    logger.info("import %s done: %s", record.id, plan.counts)
    return plan


def failure_reason(record: ManagerImport, exc: BaseException) -> Any:
    """Return why the job failed, for the progress page, from the exception that stopped it."""
    kind = kind_of(record)
    if isinstance(exc, IntegrityError):
        return kind.race_message
    if isinstance(exc, kind.refusals):
        return deferred("Nothing was imported: %(problem)s", problem=_problem(exc))
    return _l(
        "The import stopped because of an unexpected error. Nothing was imported; try again, or ask an "
        "administrator to look at the worker's log."
    )


def _problem(exc: BaseException) -> object:
    """The message the exception was raised with: a lazy string stays translatable when stored."""
    return exc.args[0] if exc.args else str(exc)


def render_failure(record: ManagerImport) -> str:
    """Return why the job failed in the current language ("" if it did not)."""
    return render(record.failure) if record.failure is not None else ""


def fail_job(import_id: int, reason: Any) -> None:
    """Mark the job failed with its reason (after the caller rolled its writes back); flushes."""
    record = load_job(import_id)
    if record is None or record.status is ImportStatus.DONE:
        return
    _finish(record, ImportStatus.FAILED, reason)
    logger.warning("import %s failed: %s", import_id, record.failure)


def _finish(record: ManagerImport, status: ImportStatus, reason: Any) -> None:
    record.status = status
    record.failure = stored(reason) if reason is not None else None
    record.finished_at = utcnow()
    db.session.flush()


def run_job(import_id: int, today: date, commit: Callable[[], None], rollback: Callable[[], None]) -> None:
    """Run a queued job to its end: running, then written and done in one transaction, or failed.

    `commit` and `rollback` are the caller's (the task's, the command line's): this module never
    commits by itself.
    """
    record = load_job(import_id)
    if record is None or not start_job(record):
        return
    commit()
    try:
        lock_job(import_id)
        record = load_job(import_id)
        if record is None or record.status is not ImportStatus.RUNNING:
            rollback()
            return
        reporter = ProgressReporter(import_id)
        execute_job(record, today, reporter)
        commit()
    except Exception as exc:
        rollback()
        logger.exception("import %s failed; nothing of it was written", import_id)
        record = load_job(import_id)
        if record is not None:
            fail_job(import_id, failure_reason(record, exc))
            commit()

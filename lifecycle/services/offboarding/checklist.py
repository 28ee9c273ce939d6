"""Working through a checklist: a task is done, and the journey closes when everything is."""

from __future__ import annotations

import logging
from datetime import date

from flask_babel import lazy_gettext as _l

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import OffboardingChecklist
from lifecycle.models import User
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import complete_activity
from lifecycle.services.activities import reopen_activity
from lifecycle.services.offboarding.errors import OffboardingError

logger = logging.getLogger(__name__)


def open_tasks(checklist: OffboardingChecklist) -> list[Activity]:
    """Return the tasks not yet done (cancelled ones are not counted)."""
    return [t for t in checklist.tasks if t.completed_on is None and t.cancelled_at is None]


def is_complete(checklist: OffboardingChecklist) -> bool:
    """Whether every task is done and the exit interview recorded."""
    return checklist.interview is not None and not open_tasks(checklist)


def _check_task(checklist: OffboardingChecklist, task: Activity) -> None:
    if task.offboarding_id != checklist.id:
        raise OffboardingError("task", _l("This task is not on this checklist."))
    if checklist.completed_at is not None:
        raise OffboardingError("task", _l("This offboarding is complete; its tasks no longer change."))
    if task.kind is ActivityKind.EXIT_INTERVIEW:
        raise OffboardingError("task", _l("Record the exit interview instead; that marks it done."))


def complete_task(checklist: OffboardingChecklist, task: Activity, actor: User | None, on: date) -> bool:
    """Mark a task of the checklist done; return whether that completed the checklist (and closed it)."""
    _check_task(checklist, task)
    try:
        complete_activity(task, on)
    except ActivityError as refused:
        raise OffboardingError("completed_on", str(refused)) from refused
    db.session.flush()
    db.session.refresh(checklist, ["tasks"])
    return close_if_complete(checklist, actor, on)


def reopen_task(checklist: OffboardingChecklist, task: Activity) -> None:
    """Mark a done task as not done after all, while the checklist is not complete."""
    _check_task(checklist, task)
    reopen_activity(task)
    db.session.flush()


def close_if_complete(checklist: OffboardingChecklist, actor: User | None, today: date) -> bool:
    """Close the journey when the checklist is complete; return whether it did (it does so once)."""
    if checklist.completed_at is not None or not is_complete(checklist):
        return False
    manager = checklist.manager
    if manager.stage is not Stage.OFFBOARD:
        return False
    # Imported here: the journey imports this package when someone enters offboard.
    from lifecycle.services.journey import move_to_stage

    checklist.completed_at = utcnow()
    move_to_stage(
        manager,
        Stage.CLOSED,
        actor,
        "Avvecklingen är klar: alla uppgifter är gjorda och avgångssamtalet är registrerat.",
        max(today, manager.stage_entered_on),
    )
    logger.info("offboarding %s complete; the journey of manager %s closed", checklist.id, manager.id)
    return True

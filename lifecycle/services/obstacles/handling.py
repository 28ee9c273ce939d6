"""HR's handling of an obstacle: its owner on the employer side, a due date, the status, and comments.

reported → being handled → removed, or not removable with an explanation (required). Removed and not
removable are final: they resolve the obstacle, and the reporter is told by e-mail after the commit
(`lifecycle.services.obstacles.notices`). Every change is one `ObstacleEvent` per field changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from lifecycle.db import utcnow
from lifecycle.enums import ObstacleStatus
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.models.obstacles import TEXT_MAX_LENGTH
from lifecycle.models.obstacles import Obstacle
from lifecycle.models.obstacles import ObstacleEvent
from lifecycle.services.obstacles.errors import ObstacleError
from lifecycle.services.obstacles.reporting import checked_text
from lifecycle.services.obstacles.reporting import record_event
from lifecycle.services.obstacles.reporting import sync_obstacle_reminders

logger = logging.getLogger(__name__)

#: the statuses each status may move to
NEXT_STATUSES: dict[ObstacleStatus, tuple[ObstacleStatus, ...]] = {
    ObstacleStatus.REPORTED: (
        ObstacleStatus.BEING_HANDLED,
        ObstacleStatus.REMOVED,
        ObstacleStatus.NOT_REMOVABLE,
    ),
    ObstacleStatus.BEING_HANDLED: (ObstacleStatus.REMOVED, ObstacleStatus.NOT_REMOVABLE),
    ObstacleStatus.REMOVED: (),
    ObstacleStatus.NOT_REMOVABLE: (),
}


@dataclass(frozen=True)
class ObstacleChange:
    """What the obstacle should be after the change; the same values as now change nothing."""

    status: ObstacleStatus
    owner: User | None
    due_date: date | None
    explanation: str | None = None
    #: a note for the history (and the reporter's page); not kept on the obstacle
    comment: str = ""


def allowed_statuses(obstacle: Obstacle) -> tuple[ObstacleStatus, ...]:
    """The statuses an obstacle may be given now: its own and those it may move to."""
    return (obstacle.status, *NEXT_STATUSES[obstacle.status])


def change_obstacle(obstacle: Obstacle, change: ObstacleChange, actor: User | None) -> list[ObstacleEvent]:
    """Apply HR's (or the owner's) change; return its history rows, one per field that changed.

    Refused with the field named: a move the statuses do not allow, not removable without an
    explanation, an owner whose account is shut, a due date before the obstacle was reported, a too
    long explanation or comment, and a change of a resolved obstacle. The service flushes.
    """
    if not obstacle.is_open:
        raise ObstacleError("status", _l("The obstacle is resolved and can no longer be changed."))
    status = change.status
    if status not in allowed_statuses(obstacle):
        raise ObstacleError(
            "status",
            _l(
                "An obstacle that is %(now)s can become: %(allowed)s.",
                now=str(obstacle.status.title).lower(),
                allowed=", ".join(str(s.title).lower() for s in NEXT_STATUSES[obstacle.status]),
            ),
        )
    explanation = checked_text("explanation", change.explanation, TEXT_MAX_LENGTH) or None
    if status is ObstacleStatus.NOT_REMOVABLE and not explanation:
        raise ObstacleError("explanation", _l("Explain why the obstacle cannot be removed."))
    comment = checked_text("comment", change.comment, TEXT_MAX_LENGTH)
    owner = change.owner
    if owner is not None and owner.id != obstacle.owner_user_id and not owner.is_enabled:
        raise ObstacleError("owner", _l("Choose someone who can log in."))
    if (
        change.due_date is not None
        and change.due_date != obstacle.due_date
        and change.due_date < obstacle.reported_at.date()
    ):
        raise ObstacleError("due_date", _l("The due date cannot be before the obstacle was reported."))

    now = utcnow()
    events: list[ObstacleEvent] = []
    if (owner.id if owner else None) != obstacle.owner_user_id:
        old_owner = obstacle.owner
        events.append(
            record_event(
                obstacle,
                "owner",
                old_owner.name if old_owner else None,
                owner.name if owner else None,
                actor,
                now,
            )
        )
        obstacle.owner = owner
    if change.due_date != obstacle.due_date:
        events.append(
            record_event(
                obstacle,
                "due_date",
                obstacle.due_date.isoformat() if obstacle.due_date else None,
                change.due_date.isoformat() if change.due_date else None,
                actor,
                now,
            )
        )
        obstacle.due_date = change.due_date
    if explanation != obstacle.explanation:
        events.append(record_event(obstacle, "explanation", obstacle.explanation, explanation, actor, now))
        obstacle.explanation = explanation
    if status is not obstacle.status:
        events.append(record_event(obstacle, "status", obstacle.status.value, status.value, actor, now))
        obstacle.status = status
        if status in ObstacleStatus.resolved():
            obstacle.resolved_at = now
    if comment:
        events.append(record_event(obstacle, "comment", None, comment, actor, now))
    db.session.flush()
    if events:
        sync_obstacle_reminders(obstacle)
        logger.info("obstacle %s changed: %s", obstacle.id, ",".join(e.field for e in events))
    return events


def resolves(events: Sequence[ObstacleEvent]) -> bool:
    """Whether these changes resolved the obstacle (the reporter is to be told)."""
    return any(
        e.field == "status" and e.new_value in {s.value for s in ObstacleStatus.resolved()} for e in events
    )

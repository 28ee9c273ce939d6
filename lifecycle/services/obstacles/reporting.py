"""Reporting an obstacle: what stands in the way, what it hinders, how serious, and who may read it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.models.obstacles import TEXT_MAX_LENGTH
from lifecycle.models.obstacles import TITLE_MAX_LENGTH
from lifecycle.models.obstacles import Obstacle
from lifecycle.models.obstacles import ObstacleEvent
from lifecycle.services.obstacles.errors import ObstacleError

logger = logging.getLogger(__name__)


def checked_text(field: str, value: str | None, limit: int, *, required: bool = False) -> str:
    """Return the text trimmed, or refuse it (blank where required, or too long) naming `field`."""
    text = (value or "").strip()
    if required and not text:
        raise ObstacleError(field, _l("This field is required."))
    if len(text) > limit:
        raise ObstacleError(field, _l("At most %(num)d characters.", num=limit))
    return text


def resolve_obstacle_tags(
    pillar_ids: Sequence[int], expectation_ids: Sequence[int]
) -> tuple[list[Pillar], list[Expectation]]:
    """Return the current pillars and expectations named by id; an expectation brings its pillar.

    At least one of them is needed; unknown or retired ones are refused (field `pillars` or
    `expectations`).
    """
    wanted_expectations = set(expectation_ids)
    expectations = (
        list(db.session.scalars(select(Expectation).where(Expectation.id.in_(wanted_expectations))))
        if wanted_expectations
        else []
    )
    if len(expectations) != len(wanted_expectations) or any(e.is_retired for e in expectations):
        raise ObstacleError("expectations", _l("Choose expectations of the current platform."))
    wanted_pillars = set(pillar_ids) | {e.pillar_id for e in expectations}
    pillars = (
        list(db.session.scalars(select(Pillar).where(Pillar.id.in_(wanted_pillars))))
        if wanted_pillars
        else []
    )
    if len(pillars) != len(wanted_pillars) or any(p.is_retired for p in pillars):
        raise ObstacleError("pillars", _l("Choose pillars of the current platform."))
    if not pillars:
        raise ObstacleError("pillars", _l("Choose at least one pillar or expectation the obstacle hinders."))
    pillars.sort(key=lambda p: p.position)
    expectations.sort(key=lambda e: (e.pillar.position, e.position))
    return pillars, expectations


def record_event(
    obstacle: Obstacle,
    field: str,
    old: str | None,
    new: str | None,
    actor: User | None,
    at: datetime | None = None,
) -> ObstacleEvent:
    """Add one history row and mark the obstacle touched (staleness counts from here)."""
    when = at or utcnow()
    event = ObstacleEvent(
        obstacle=obstacle,
        at=when,
        actor_user_id=actor.id if actor else None,
        field=field,
        old_value=old,
        new_value=new,
    )
    db.session.add(event)
    obstacle.last_activity_at = when
    return event


def report_obstacle(
    *,
    reporter: Manager | None,
    unit: OrgUnit,
    title: str,
    description: str,
    severity: ObstacleSeverity,
    shared: bool,
    pillar_ids: Sequence[int],
    expectation_ids: Sequence[int],
    actor: User | None,
) -> Obstacle:
    """Report an obstacle in `unit` (the reporter's unit, or a workshop group's); flush, never commit.

    Refuses (`ObstacleError` naming the field) a blank or too long title, a too long description and
    a report that hinders no current pillar or expectation. The report is the obstacle's first event.
    """
    clean_title = checked_text("title", title, TITLE_MAX_LENGTH, required=True)
    clean_description = checked_text("description", description, TEXT_MAX_LENGTH)
    if not isinstance(severity, ObstacleSeverity):
        raise ObstacleError("severity", _l("Choose how serious the obstacle is."))
    pillars, expectations = resolve_obstacle_tags(pillar_ids, expectation_ids)
    now = utcnow()
    obstacle = Obstacle(
        reporter=reporter,
        unit=unit,
        title=clean_title,
        description=clean_description,
        severity=severity,
        shared=bool(shared),
        status=ObstacleStatus.REPORTED,
        reported_at=now,
        last_activity_at=now,
        pillars=pillars,
        expectations=expectations,
    )
    db.session.add(obstacle)
    record_event(obstacle, "reported", None, ObstacleStatus.REPORTED.value, actor, now)
    db.session.flush()
    sync_obstacle_reminders(obstacle)
    logger.info("obstacle %s reported in unit %s", obstacle.id, unit.id)
    return obstacle


def sync_obstacle_reminders(obstacle: Obstacle) -> None:
    """Write the obstacle's staleness reminders for its latest change (none once it is resolved)."""
    from lifecycle.services.reminders import sync_reminders_for

    sync_reminders_for(obstacle)

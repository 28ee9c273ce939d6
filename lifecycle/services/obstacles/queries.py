"""Reading the obstacle log: filtered keyset pages, a manager's own lists, and the median time to removal.

Access is the caller's: every list takes the policy's `visible_obstacles_clause(user)`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from lifecycle.enums import ObstacleStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.models import UserRole
from lifecycle.models.obstacles import OBSTACLE_TAGS
from lifecycle.models.obstacles import Obstacle
from lifecycle.models.obstacles import ObstacleEvent
from lifecycle.timeutil import STOCKHOLM

logger = logging.getLogger(__name__)

#: HR's overview shows this many a page
PAGE_SIZE = 50


@dataclass(frozen=True)
class ObstacleFilter:
    """Which obstacles a list shows; access is added by the caller's policy clause."""

    #: this unit and every unit below it
    unit_id: int | None = None
    #: hindering this pillar (directly, or through one of its expectations)
    pillar_id: int | None = None
    statuses: tuple[ObstacleStatus, ...] = ObstacleStatus.open()
    reporter_id: int | None = None
    owner_user_id: int | None = None


def _subtree(unit_id: int) -> Select[int]:
    unit_path = select(OrgUnit.path).where(OrgUnit.id == unit_id).scalar_subquery()
    return select(OrgUnit.id).where(
        or_(OrgUnit.id == unit_id, OrgUnit.path.startswith(unit_path, autoescape=False))
    )


def filter_clauses(filters: ObstacleFilter, *, statuses: bool = True) -> list[ColumnElement[bool]]:
    """The WHERE clauses of `filters` (without its statuses when `statuses` is False)."""
    clauses: list[ColumnElement[bool]] = []
    if statuses and filters.statuses:
        clauses.append(Obstacle.status.in_(filters.statuses))
    if filters.unit_id is not None:
        clauses.append(Obstacle.unit_id.in_(_subtree(filters.unit_id)))
    if filters.pillar_id is not None:
        tagged = select(OBSTACLE_TAGS.pillar_owner).where(
            OBSTACLE_TAGS.pillars.c.pillar_id == filters.pillar_id
        )
        clauses.append(Obstacle.id.in_(tagged))
    if filters.reporter_id is not None:
        clauses.append(Obstacle.reporter_id == filters.reporter_id)
    if filters.owner_user_id is not None:
        clauses.append(Obstacle.owner_user_id == filters.owner_user_id)
    return clauses


def _with_what_lists_show(statement: Select[Obstacle]) -> Select[Obstacle]:
    return statement.options(
        joinedload(Obstacle.unit),
        joinedload(Obstacle.owner),
        joinedload(Obstacle.reporter),
        selectinload(Obstacle.pillars),
        selectinload(Obstacle.expectations),
    )


def obstacles_after(
    filters: ObstacleFilter, visible: ColumnElement[bool], after_id: int, limit: int
) -> tuple[list[Obstacle], bool]:
    """Up to `limit` of the visible obstacles after `after_id`, by id (oldest first); and whether more
    follow (keyset pages)."""
    rows = list(
        db.session.scalars(
            _with_what_lists_show(
                select(Obstacle)
                .where(visible, Obstacle.id > after_id, *filter_clauses(filters))
                .order_by(Obstacle.id)
                .limit(limit + 1)
            )
        )
    )
    return rows[:limit], len(rows) > limit


def count_obstacles(filters: ObstacleFilter, visible: ColumnElement[bool]) -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(Obstacle).where(visible, *filter_clauses(filters)))
        or 0
    )


def newest_first(
    visible: ColumnElement[bool], *where: ColumnElement[bool], limit: int = 200
) -> list[Obstacle]:
    """The newest visible obstacles matching `where` (a manager's own lists)."""
    return list(
        db.session.scalars(
            _with_what_lists_show(
                select(Obstacle).where(visible, *where).order_by(Obstacle.id.desc()).limit(limit)
            )
        )
    )


def _days_between(start: Any, end: Any) -> ColumnElement[Any]:
    """The days from one timestamp column to another, as a number, in the database's own arithmetic."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def median_days_to_removal(filters: ObstacleFilter, *where: ColumnElement[bool]) -> float | None:
    """The median number of days from report to removal of the removed obstacles matching `filters`
    (unit, pillar; not their statuses) and `where` (the effect map: removed in a period), computed in
    SQL; None when none was removed."""
    days = _days_between(Obstacle.reported_at, Obstacle.resolved_at).label("days")
    ranked = (
        select(
            days,
            func.row_number().over(order_by=days).label("position"),
            func.count().over().label("total"),
        )
        .where(
            Obstacle.status == ObstacleStatus.REMOVED,
            Obstacle.resolved_at.is_not(None),
            *filter_clauses(filters, statuses=False),
            *where,
        )
        .subquery()
    )
    # The middle one, or the mean of the middle two: integer division on both databases.
    middle = select(func.avg(ranked.c.days)).where(
        ranked.c.position.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2])
    )
    value = db.session.scalar(middle)
    return round(float(value), 1) if value is not None else None


def age_in_days(obstacle: Obstacle, today: date) -> int:
    """How many days ago (Stockholm's days) it was reported."""
    return (today - obstacle.reported_at.astimezone(STOCKHOLM).date()).days


def history_of(obstacle: Obstacle) -> list[ObstacleEvent]:
    """The obstacle's events, oldest first, with their actors."""
    return list(
        db.session.scalars(
            select(ObstacleEvent)
            .where(ObstacleEvent.obstacle_id == obstacle.id)
            .options(joinedload(ObstacleEvent.actor))
            .order_by(ObstacleEvent.id)
        )
    )


def obstacles_by_id(ids: Sequence[int]) -> list[Obstacle]:
    return list(db.session.scalars(_with_what_lists_show(select(Obstacle).where(Obstacle.id.in_(ids)))))


def owner_suggestions(limit: int = 200) -> list[tuple[str, str]]:
    """The e-mail addresses and names of HR's enabled users: the owners HR most often picks."""
    return [
        (email, name)
        for email, name in db.session.execute(
            select(User.email, User.name)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.HR, User.is_enabled.is_(True))
            .order_by(User.name, User.id)
            .limit(limit)
        )
    ]

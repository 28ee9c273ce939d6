"""Reading managers, their moves and the organisation as the API lists them.

The views call these instead of writing queries; who may see whom is the caller's `policy` clause.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import ColumnElement
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import StageTransition

logger = logging.getLogger(__name__)


def managers_page(
    where: Sequence[ColumnElement[bool]], *, after_id: int, limit: int
) -> tuple[list[Manager], bool]:
    """Return up to `limit` managers matching `where` after `after_id`, by id, and whether more follow."""
    rows = list(
        db.session.scalars(
            select(Manager).where(*where, Manager.id > after_id).order_by(Manager.id).limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def manager_by_employee_number(number: str) -> Manager | None:
    return db.session.scalar(select(Manager).where(Manager.employee_number == number))


def employee_number_taken(number: str) -> bool:
    return db.session.scalar(select(Manager.id).where(Manager.employee_number == number)) is not None


def transitions_of(manager: Manager) -> list[StageTransition]:
    """Return the manager's moves on the journey, newest first, with who made them."""
    return list(
        db.session.scalars(
            select(StageTransition)
            .where(StageTransition.manager_id == manager.id)
            .options(selectinload(StageTransition.actor))
            .order_by(StageTransition.id.desc())
        )
    )


def all_units() -> list[OrgUnit]:
    """Return every organisation unit, parents before their children."""
    return list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.path, OrgUnit.id)))

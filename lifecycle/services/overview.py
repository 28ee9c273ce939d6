"""Read-only views of the journey used by the start page."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager


def stage_counts() -> dict[Stage, int]:
    """Return how many people are in each stage of the journey, computed in SQL."""
    rows = db.session.execute(select(Manager.stage, func.count()).group_by(Manager.stage))
    counts = dict.fromkeys(Stage.journey(), 0)
    counts.update({stage: count for stage, count in rows if stage in counts})
    return counts


def direct_reports(manager: Manager, visible: ColumnElement[bool], limit: int = 200) -> list[Manager]:
    """Return the open journeys whose line manager is `manager` and that `visible` admits, by name."""
    return list(
        db.session.scalars(
            select(Manager)
            .where(Manager.line_manager_id == manager.id, Manager.stage != Stage.CLOSED, visible)
            .options(joinedload(Manager.org_unit))
            .order_by(Manager.name)
            .limit(limit)
        )
    )

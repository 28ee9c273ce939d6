"""Reading the effect map: the effects in HR's order, and each one's figures per period.

Access is the caller's: the figures take the policy's `visible_obstacles_clause(user)` for the linked
obstacles a reader may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import distinct
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import Obstacle
from lifecycle.models.activities import ACTIVITY_TAGS
from lifecycle.models.activities import activity_participants
from lifecycle.models.effect_map import Effect
from lifecycle.models.effect_map import EffectDriver
from lifecycle.models.effect_map import EffectObstacle
from lifecycle.services.effect_map.measures import MeasureQuery
from lifecycle.services.effect_map.measures import compute_measure
from lifecycle.services.effect_map.measures import unit_subtree
from lifecycle.services.effect_map.periods import Period


def effects_on_map(*, retired: bool = False) -> list[Effect]:
    """The current effects in HR's order (with `retired`, the retired ones after them), with what the map
    shows of each loaded (a fixed number of queries)."""
    statement = select(Effect).options(
        joinedload(Effect.measure_pillar),
        selectinload(Effect.pillars),
        selectinload(Effect.expectations),
        selectinload(Effect.drivers),
        selectinload(Effect.obstacles).joinedload(EffectObstacle.obstacle),
    )
    if not retired:
        statement = statement.where(Effect.retired_at.is_(None))
    return list(
        db.session.scalars(statement.order_by(Effect.retired_at.is_not(None), Effect.position, Effect.id))
    )


def effect_of(effect_id: int) -> Effect | None:
    return db.session.get(Effect, effect_id)


def driver_of(driver_id: int) -> EffectDriver | None:
    return db.session.get(EffectDriver, driver_id)


def effect_obstacle_of(link_id: int) -> EffectObstacle | None:
    return db.session.get(EffectObstacle, link_id)


def activities_per_period(effect: Effect, periods: Sequence[Period], unit_id: int | None) -> list[int] | None:
    """Per period, the completed (not cancelled) activities tagged with a pillar or expectation that feeds
    the effect (with a unit: with a participant in it or below it); None when nothing feeds it. One query."""
    pillar_ids = [p.id for p in effect.pillars]
    expectation_ids = [e.id for e in effect.expectations]
    if not (pillar_ids or expectation_ids) or not periods:
        return None
    tagged = or_(
        Activity.id.in_(
            select(ACTIVITY_TAGS.pillar_owner).where(ACTIVITY_TAGS.pillars.c.pillar_id.in_(pillar_ids))
        ),
        Activity.id.in_(
            select(ACTIVITY_TAGS.expectation_owner).where(
                ACTIVITY_TAGS.expectations.c.expectation_id.in_(expectation_ids)
            )
        ),
    )
    where: list[ColumnElement[bool]] = [
        tagged,
        Activity.cancelled_at.is_(None),
        Activity.completed_on.between(periods[0].start, periods[-1].end),
    ]
    if unit_id is not None:
        where.append(
            Activity.id.in_(
                select(activity_participants.c.activity_id)
                .join(Manager, Manager.id == activity_participants.c.manager_id)
                .where(Manager.org_unit_id.in_(unit_subtree(unit_id)))
            )
        )
    counts = db.session.execute(
        select(
            *(
                func.count(
                    distinct(case((Activity.completed_on.between(p.start, p.end), Activity.id), else_=None))
                )
                for p in periods
            )
        ).where(and_(*where))
    ).one()
    return [int(count) for count in counts]


@dataclass(frozen=True)
class EffectFigures:
    """One effect on the map: its measure and the activities feeding it per period, and its obstacles."""

    effect: Effect
    #: one value per period; None when no function computes this kind of measure yet
    values: list[float | None] | None
    #: completed activities feeding the effect per period; None when no pillar or expectation feeds it
    activities: list[int] | None
    drivers: list[EffectDriver]
    #: the current obstacles: those described in words and the linked ones the reader may see
    obstacles: list[EffectObstacle]
    #: linked obstacles the reader may not see
    hidden_obstacles: int


def map_figures(
    effects: Sequence[Effect],
    periods: Sequence[Period],
    unit_id: int | None,
    visible_obstacles: ColumnElement[bool],
) -> list[EffectFigures]:
    """Each effect's figures per period, for the whole organisation or a unit with its sub-units."""
    linked = {
        link.obstacle_id for effect in effects for link in effect.obstacles if link.obstacle_id is not None
    }
    visible = (
        set(db.session.scalars(select(Obstacle.id).where(Obstacle.id.in_(linked), visible_obstacles)))
        if linked
        else set()
    )
    figures = []
    for effect in effects:
        current = [link for link in effect.obstacles if not link.is_retired]
        shown = [link for link in current if link.obstacle_id is None or link.obstacle_id in visible]
        figures.append(
            EffectFigures(
                effect=effect,
                values=compute_measure(
                    effect.measure_kind,
                    MeasureQuery(
                        periods=periods,
                        unit_id=unit_id,
                        pillar_id=effect.measure_pillar_id,
                        statement=effect.measure_statement,
                    ),
                ),
                activities=activities_per_period(effect, periods, unit_id),
                drivers=[driver for driver in effect.drivers if not driver.is_retired],
                obstacles=shown,
                hidden_obstacles=len(current) - len(shown),
            )
        )
    return figures

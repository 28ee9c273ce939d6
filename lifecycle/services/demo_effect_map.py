"""The demo's effect map: the platform file brings the effects; the demo's obstacles are linked to one.

The obstacles the demo's managers reported go with the effect measured by the time to their removal
(Örebro's "ökad måluppfyllelse"), or with the map's first effect when none is; so the map shows linked
obstacles with their status at once. Run again, it links nothing twice.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from lifecycle.enums import MeasureKind
from lifecycle.extensions import db
from lifecycle.models import Obstacle
from lifecycle.models.effect_map import Effect
from lifecycle.models.effect_map import EffectObstacle
from lifecycle.services.effect_map import link_obstacle

logger = logging.getLogger(__name__)

#: the most of the demo's obstacles linked to the effect
DEMO_LINKS = 5


def link_demo_obstacles() -> int:
    """Link the demo's first obstacles to the effect they stand in the way of; return how many."""
    effects = list(
        db.session.scalars(
            select(Effect).where(Effect.retired_at.is_(None)).order_by(Effect.position, Effect.id)
        )
    )
    if not effects:
        return 0
    effect = next((e for e in effects if e.measure_kind is MeasureKind.OBSTACLE_REMOVAL), effects[0])
    linked = select(EffectObstacle.obstacle_id).where(
        EffectObstacle.effect_id == effect.id, EffectObstacle.obstacle_id.is_not(None)
    )
    obstacles = list(
        db.session.scalars(
            select(Obstacle).where(Obstacle.id.not_in(linked)).order_by(Obstacle.id).limit(DEMO_LINKS)
        )
    )
    for obstacle in obstacles:
        link_obstacle(effect, obstacle)
    if obstacles:
        logger.info("demo: %d obstacles linked to effect %s", len(obstacles), effect.id)
    return len(obstacles)

"""What a platform file's `effect_map` seeds: effects by key, their drivers and obstacles by place.

An effect seeded before is found by its key, a driver or obstacle by its place in the effect's list in
the file; each follows the file's new words, measure and tags on a reload while HR has neither edited
nor retired it (the workshops' guide's rule, `services/workshops/guide.py`). What the file no longer
names stays on the map as HR has it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from lifecycle.enums import MeasureKind
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models.effect_map import Effect
from lifecycle.models.effect_map import EffectDriver
from lifecycle.models.effect_map import EffectObstacle
from lifecycle.services.platform_file import EffectDoc
from lifecycle.services.platform_file import PlatformDoc

logger = logging.getLogger(__name__)


def _effect_values(
    doc: EffectDoc, pillars: dict[str, Pillar], expectations: dict[str, Expectation]
) -> dict[str, Any]:
    return {
        "title_sv": doc.title["sv"],
        "title_en": doc.title["en"],
        "description_sv": doc.description.get("sv", ""),
        "description_en": doc.description.get("en", ""),
        "measure_kind": MeasureKind(doc.measure_kind),
        "measure_statement": doc.statement,
        "measure_pillar": pillars[doc.measure_pillar] if doc.measure_pillar else None,
        "pillars": [pillars[key] for key in doc.pillars],
        "expectations": [expectations[key] for key in doc.expectations],
    }


def _follow(effect: Effect, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        current = getattr(effect, name)
        same = (
            {item.id for item in current} == {item.id for item in value}
            if name in ("pillars", "expectations")
            else current == value
        )
        if not same:
            setattr(effect, name, value)
            changed = True
    return changed


def _seed_items(
    model: type[EffectDriver] | type[EffectObstacle],
    effect: Effect,
    texts: list[dict[str, str]],
    existing: list[Any],
) -> int:
    seeded = {item.seed_number: item for item in existing if item.seed_number is not None}
    position = max((item.position for item in existing), default=-1) + 1
    changed = 0
    for number, text in enumerate(texts, start=1):
        item = seeded.get(number)
        if item is None:
            db.session.add(
                model(
                    effect=effect,
                    text_sv=text["sv"],
                    text_en=text["en"],
                    seed_number=number,
                    position=position,
                )
            )
            position += 1
            changed += 1
        elif item.edited_at is None and (item.text_sv, item.text_en) != (text["sv"], text["en"]):
            item.text_sv, item.text_en = text["sv"], text["en"]
            changed += 1
    return changed


def seed_effect_map(doc: PlatformDoc) -> int:
    """Add the platform file's effect map; return how many effects, drivers and obstacles changed."""
    if not doc.effect_map:
        return 0
    pillars = {p.key: p for p in db.session.scalars(select(Pillar))}
    expectations = {e.key: e for e in db.session.scalars(select(Expectation))}
    effects = {
        effect.seed_key: effect
        for effect in db.session.scalars(
            select(Effect).where(Effect.seed_key.in_([e.key for e in doc.effect_map]))
        )
    }
    highest = db.session.scalar(select(func.max(Effect.position)))
    position = highest + 1 if highest is not None else 0
    changed = 0
    for effect_doc in doc.effect_map:
        values = _effect_values(effect_doc, pillars, expectations)
        effect = effects.get(effect_doc.key)
        if effect is None:
            effect = Effect(seed_key=effect_doc.key, position=position, **values)
            db.session.add(effect)
            position += 1
            changed += 1
            drivers: list[EffectDriver] = []
            obstacles: list[EffectObstacle] = []
        else:
            if effect.edited_at is None and _follow(effect, values):
                changed += 1
            drivers, obstacles = list(effect.drivers), list(effect.obstacles)
        changed += _seed_items(EffectDriver, effect, effect_doc.drivers, drivers)
        changed += _seed_items(EffectObstacle, effect, effect_doc.obstacles, obstacles)
    db.session.flush()
    if changed:
        logger.info(
            "platform %s: %d effects, drivers and obstacles of the effect map seeded or updated",
            doc.key,
            changed,
        )
    return changed

"""HR keeps the effect map: adds, changes, retires and reorders effects, their drivers and obstacles.

Each function checks what it is given and raises `EffectMapError` naming the field before it changes
anything; it flushes and never commits. Anything HR changes or retires is marked `edited_at`, so that a
reload of the platform file leaves it as HR made it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.enums import MeasureKind
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Obstacle
from lifecycle.models import Pillar
from lifecycle.models.effect_map import TEXT_MAX_LENGTH
from lifecycle.models.effect_map import TITLE_MAX_LENGTH
from lifecycle.models.effect_map import Effect
from lifecycle.models.effect_map import EffectDriver
from lifecycle.models.effect_map import EffectObstacle
from lifecycle.services.effect_map.errors import EffectMapError
from lifecycle.services.effect_map.measures import KINDS
from lifecycle.services.effect_map.measures import PULSE_STATEMENTS
from lifecycle.services.ordering import move_one_place

logger = logging.getLogger(__name__)

#: a driver or an obstacle of an effect: the two lists HR keeps under each effect
Item = EffectDriver | EffectObstacle


@dataclass(frozen=True)
class EffectValues:
    """An effect as HR describes it; English texts left empty show the Swedish ones."""

    title_sv: str
    measure_kind: MeasureKind
    title_en: str = ""
    description_sv: str = ""
    description_en: str = ""
    #: the pulse statement's key, for a pulse measure
    measure_statement: str | None = None
    measure_pillar_id: int | None = None
    pillar_ids: Sequence[int] = field(default_factory=tuple)
    expectation_ids: Sequence[int] = field(default_factory=tuple)


def _text(value: str | None, name: str, limit: int, *, required: bool) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise EffectMapError(name, _l("Write it in Swedish."))
    if len(cleaned) > limit:
        raise EffectMapError(name, _l("At most %(num)d characters.", num=limit))
    return cleaned


def _measure(values: EffectValues, effect: Effect | None) -> tuple[str | None, Pillar | None]:
    info = KINDS[values.measure_kind]
    statement = None
    if info.needs_statement:
        statement = values.measure_statement
        if statement not in PULSE_STATEMENTS:
            raise EffectMapError("measure_statement", _l("Choose the pulse survey's statement."))
    pillar = None
    if info.pillar != "none" and values.measure_pillar_id is not None:
        pillar = db.session.get(Pillar, values.measure_pillar_id)
        kept = effect is not None and effect.measure_pillar_id == values.measure_pillar_id
        if pillar is None or (pillar.is_retired and not kept):
            raise EffectMapError("measure_pillar", _l("Choose a current pillar of the platform."))
    if info.pillar == "required" and pillar is None:
        raise EffectMapError("measure_pillar", _l("Choose the pillar whose coverage is measured."))
    return statement, pillar


def _tags(values: EffectValues, effect: Effect | None) -> tuple[list[Pillar], list[Expectation]]:
    had_pillars = {p.id for p in effect.pillars} if effect is not None else set()
    had_expectations = {e.id for e in effect.expectations} if effect is not None else set()
    pillars = list(db.session.scalars(select(Pillar).where(Pillar.id.in_(set(values.pillar_ids)))))
    expectations = list(
        db.session.scalars(select(Expectation).where(Expectation.id.in_(set(values.expectation_ids))))
    )
    if len(pillars) != len(set(values.pillar_ids)) or any(
        p.is_retired and p.id not in had_pillars for p in pillars
    ):
        raise EffectMapError("pillars", _l("Choose current pillars of the platform."))
    if len(expectations) != len(set(values.expectation_ids)) or any(
        e.is_retired and e.id not in had_expectations for e in expectations
    ):
        raise EffectMapError("expectations", _l("Choose current expectations of the platform."))
    return pillars, expectations


def _checked(values: EffectValues, effect: Effect | None) -> dict[str, object]:
    statement, pillar = _measure(values, effect)
    pillars, expectations = _tags(values, effect)
    return {
        "title_sv": _text(values.title_sv, "title_sv", TITLE_MAX_LENGTH, required=True),
        "title_en": _text(values.title_en, "title_en", TITLE_MAX_LENGTH, required=False),
        "description_sv": _text(values.description_sv, "description_sv", TEXT_MAX_LENGTH, required=False),
        "description_en": _text(values.description_en, "description_en", TEXT_MAX_LENGTH, required=False),
        "measure_kind": values.measure_kind,
        "measure_statement": statement,
        "measure_pillar": pillar,
        "pillars": pillars,
        "expectations": expectations,
    }


def _next_effect_position() -> int:
    highest = db.session.scalar(select(func.max(Effect.position)))
    return highest + 1 if highest is not None else 0


def add_effect(values: EffectValues) -> Effect:
    """Add HR's own effect at the end of the map."""
    effect = Effect(**_checked(values, None), position=_next_effect_position())
    db.session.add(effect)
    db.session.flush()
    logger.info("effect map: effect %s added", effect.id)
    return effect


def change_effect(effect: Effect, values: EffectValues) -> bool:
    """Change the effect; a reload of the platform file no longer touches it. False if nothing changed."""
    checked = _checked(values, effect)
    changed = False
    for name, value in checked.items():
        current = getattr(effect, name)
        if name in ("pillars", "expectations"):
            if {item.id for item in current} == {item.id for item in value}:  # type: ignore[attr-defined]
                continue
        elif current == value:
            continue
        setattr(effect, name, value)
        changed = True
    if changed:
        effect.edited_at = utcnow()
        db.session.flush()
    return changed


def set_effect_retired(effect: Effect, retired: bool) -> None:
    """Retire the effect (off the map, its history kept) or bring it back at the end."""
    if retired == effect.is_retired:
        return
    now = utcnow()
    effect.retired_at = now if retired else None
    effect.edited_at = now
    if not retired:
        effect.position = _next_effect_position()
    db.session.flush()


def move_effect(effect: Effect, step: int) -> bool:
    """Move a current effect one place up (-1) or down (+1); False when it is at the end."""
    if effect.is_retired:
        return False
    siblings = list(
        db.session.scalars(
            select(Effect).where(Effect.retired_at.is_(None)).order_by(Effect.position, Effect.id)
        )
    )
    if not move_one_place(siblings, effect, step):
        return False
    db.session.flush()
    return True


# -- drivers and obstacles ----------------------------------------------------------------------------


def _next_position(model: type[Item], effect: Effect) -> int:
    highest = db.session.scalar(select(func.max(model.position)).where(model.effect_id == effect.id))
    return highest + 1 if highest is not None else 0


def _texts(text_sv: str, text_en: str) -> tuple[str, str]:
    return (
        _text(text_sv, "text_sv", TEXT_MAX_LENGTH, required=True),
        _text(text_en, "text_en", TEXT_MAX_LENGTH, required=False),
    )


def add_driver(effect: Effect, text_sv: str, text_en: str = "") -> EffectDriver:
    """Add a driver at the end of the effect's drivers."""
    sv, en = _texts(text_sv, text_en)
    driver = EffectDriver(
        effect=effect, text_sv=sv, text_en=en, position=_next_position(EffectDriver, effect)
    )
    db.session.add(driver)
    db.session.flush()
    return driver


def add_described_obstacle(effect: Effect, text_sv: str, text_en: str = "") -> EffectObstacle:
    """Add an obstacle described in words (one not in the log) at the end of the effect's obstacles."""
    sv, en = _texts(text_sv, text_en)
    link = EffectObstacle(
        effect=effect, text_sv=sv, text_en=en, position=_next_position(EffectObstacle, effect)
    )
    db.session.add(link)
    db.session.flush()
    return link


def link_obstacle(effect: Effect, obstacle: Obstacle | None) -> EffectObstacle:
    """Link an obstacle of the log to the effect (again, if its link was retired)."""
    if obstacle is None:
        raise EffectMapError("obstacle", _l("There is no obstacle with this number in the log."))
    link = db.session.scalar(
        select(EffectObstacle).where(
            EffectObstacle.effect_id == effect.id, EffectObstacle.obstacle_id == obstacle.id
        )
    )
    if link is not None and not link.is_retired:
        raise EffectMapError("obstacle", _l("This obstacle is already linked to the effect."))
    if link is not None:
        set_item_retired(link, False)
        return link
    link = EffectObstacle(effect=effect, obstacle=obstacle, position=_next_position(EffectObstacle, effect))
    db.session.add(link)
    db.session.flush()
    return link


def edit_item(item: Item, text_sv: str, text_en: str = "") -> bool:
    """Change a driver's or a described obstacle's words; False if nothing changed."""
    if isinstance(item, EffectObstacle) and item.is_linked:
        raise EffectMapError("text_sv", _l("An obstacle of the log is changed in the log."))
    sv, en = _texts(text_sv, text_en)
    if (sv, en) == (item.text_sv, item.text_en):
        return False
    item.text_sv, item.text_en = sv, en
    item.edited_at = utcnow()
    db.session.flush()
    return True


def set_item_retired(item: Item, retired: bool) -> None:
    """Retire a driver or an obstacle link (off the map) or bring it back at the end."""
    if retired == item.is_retired:
        return
    now = utcnow()
    item.retired_at = now if retired else None
    item.edited_at = now
    if not retired:
        item.position = _next_position(type(item), item.effect)
    db.session.flush()


def move_item(item: Item, step: int) -> bool:
    """Move a current driver or obstacle one place up (-1) or down (+1) among the effect's."""
    if item.is_retired:
        return False
    model = type(item)
    siblings: list[Item] = list(
        db.session.scalars(
            select(model)
            .where(model.effect_id == item.effect_id, model.retired_at.is_(None))
            .order_by(model.position, model.id)
        )
    )
    if not move_one_place(siblings, item, step):
        return False
    db.session.flush()
    return True

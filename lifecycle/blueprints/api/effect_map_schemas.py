"""The API's effect map, declared once: each effect with its measure and the activities feeding it per
period, its drivers and its obstacles."""

from __future__ import annotations

from datetime import date

from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Out
from lifecycle.enums import MeasureKind
from lifecycle.enums import ObstacleStatus
from lifecycle.services.effect_map.periods import Period
from lifecycle.services.effect_map.queries import EffectFigures


class Texts(Out):
    """A text in Swedish and English (the English one empty when HR wrote none)."""

    sv: str
    en: str


class PeriodFigures(Out):
    """One period's figures: the measure's value (null: none in the period) and the activities."""

    label: str
    starts_on: date
    ends_on: date
    value: float | None
    #: completed activities tagged with a pillar or expectation feeding the effect; null when none feeds it
    activities: int | None


class EffectObstacleOut(Out):
    """An obstacle of the effect: one of the log (`obstacle_id`, its status) or one described in words."""

    obstacle_id: int | None
    status: ObstacleStatus | None
    text: Texts | None


class EffectOut(Out):
    """An effect of the map with its one measure; `has_data` is false while nothing computes its kind."""

    id: Id
    key: str | None
    title: Texts
    description: Texts
    measure_kind: MeasureKind
    measure_statement: str | None
    measure_pillar: str | None
    has_data: bool
    pillars: list[str]
    expectations: list[str]
    periods: list[PeriodFigures]
    drivers: list[Texts]
    obstacles: list[EffectObstacleOut]
    #: obstacles of the log linked to the effect that the caller may not read
    hidden_obstacles: int

    @classmethod
    def of(cls, figure: EffectFigures, periods: list[Period]) -> EffectOut:
        effect = figure.effect
        return cls(
            id=effect.id,
            key=effect.seed_key,
            title=Texts(sv=effect.title_sv, en=effect.title_en),
            description=Texts(sv=effect.description_sv, en=effect.description_en),
            measure_kind=effect.measure_kind,
            measure_statement=effect.measure_statement,
            measure_pillar=effect.measure_pillar.key if effect.measure_pillar else None,
            has_data=figure.values is not None,
            pillars=[p.key for p in effect.pillars],
            expectations=[e.key for e in effect.expectations],
            periods=[
                PeriodFigures(
                    label=period.label,
                    starts_on=period.start,
                    ends_on=period.end,
                    value=figure.values[index] if figure.values is not None else None,
                    activities=figure.activities[index] if figure.activities is not None else None,
                )
                for index, period in enumerate(periods)
            ],
            drivers=[Texts(sv=d.text_sv, en=d.text_en) for d in figure.drivers],
            obstacles=[
                EffectObstacleOut(
                    obstacle_id=link.obstacle_id,
                    status=link.obstacle.status if link.obstacle is not None else None,
                    text=None if link.is_linked else Texts(sv=link.text_sv, en=link.text_en),
                )
                for link in figure.obstacles
            ],
            hidden_obstacles=figure.hidden_obstacles,
        )


class EffectMap(Out):
    """The effect map: the current effects in HR's order."""

    unit_id: int | None
    effects: list[EffectOut]

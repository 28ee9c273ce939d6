"""The effect map (effektkartläggning): the effects wanted from good leadership, and what drives and
hinders them.

"Vi gjorde därför en effektkartläggning för att se vilka effekter vi vill ha av ett gott ledarskap och
vilka drivkrafter och hinder som finns för det." HR keeps the map: each `Effect` (a title and description
in Swedish and English) has one measure (`measure_kind`, with the pulse statement or the pillar it is
about), the pillars and expectations that feed it (tags), its `EffectDriver`s and its `EffectObstacle`s
(a link to an obstacle of the log, or a description in words). A platform file's `effect_map` seeds
effects by key and their drivers and obstacles by their place in the file; a reload follows the file
only for what HR has neither edited nor retired (`edited_at`), as with the workshops' guide.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import SmallInteger
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import MeasureKind
from lifecycle.models.tags import tag_tables

if TYPE_CHECKING:
    from lifecycle.models.obstacles import Obstacle
    from lifecycle.models.platform import Expectation
    from lifecycle.models.platform import Pillar

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 2000
SEED_KEY_MAX_LENGTH = 60
STATEMENT_MAX_LENGTH = 40

#: the pillars and expectations that feed an effect
EFFECT_TAGS = tag_tables("effects", "effect_id", "effect")


class Effect(Base):
    """A desired effect of good leadership, with the one measure that tells whether it comes about."""

    __tablename__ = "effects"
    __table_args__ = (Index("ix_effects_order", "retired_at", "position", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the platform file's key of the effect; None for HR's own
    seed_key: Mapped[str | None] = mapped_column(String(SEED_KEY_MAX_LENGTH), unique=True)
    title_sv: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    title_en: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description_sv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    measure_kind: Mapped[MeasureKind] = mapped_column(enum_column(MeasureKind, "measure_kind"))
    #: the pulse survey's statement key, for a `pulse_statement` measure
    measure_statement: Mapped[str | None] = mapped_column(String(STATEMENT_MAX_LENGTH))
    #: the pillar of a `pillar_coverage` measure (required) or an `obstacle_removal` one (optional)
    measure_pillar_id: Mapped[int | None] = mapped_column(ForeignKey("pillars.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    measure_pillar: Mapped[Pillar | None] = relationship(foreign_keys=[measure_pillar_id])
    pillars: Mapped[list[Pillar]] = EFFECT_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = EFFECT_TAGS.expectation_relationship()
    drivers: Mapped[list[EffectDriver]] = relationship(
        back_populates="effect",
        order_by="EffectDriver.position, EffectDriver.id",
        cascade="all, delete-orphan",
    )
    obstacles: Mapped[list[EffectObstacle]] = relationship(
        back_populates="effect",
        order_by="EffectObstacle.position, EffectObstacle.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class EffectDriver(Base):
    """Something that drives an effect (a drivkraft), in Swedish and English."""

    __tablename__ = "effect_drivers"
    __table_args__ = (
        Index("ix_effect_drivers_effect", "effect_id", "position", "id"),
        # A platform file's driver is seeded once; NULL (HR's own) never collides.
        UniqueConstraint("effect_id", "seed_number", name="uq_effect_drivers_seed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effect_id: Mapped[int] = mapped_column(ForeignKey("effects.id", ondelete="CASCADE"))
    text_sv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: which driver of the file's list for the effect this is (1, 2 ...); None for HR's own
    seed_number: Mapped[int | None] = mapped_column(SmallInteger)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    effect: Mapped[Effect] = relationship(back_populates="drivers")

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class EffectObstacle(Base):
    """An obstacle in the way of an effect: one of the obstacle log's, or one described in words."""

    __tablename__ = "effect_obstacles"
    __table_args__ = (
        Index("ix_effect_obstacles_effect", "effect_id", "position", "id"),
        UniqueConstraint("effect_id", "seed_number", name="uq_effect_obstacles_seed"),
        # An obstacle of the log is linked to an effect once.
        UniqueConstraint("effect_id", "obstacle_id", name="uq_effect_obstacles_obstacle"),
        CheckConstraint("obstacle_id IS NOT NULL OR text_sv <> ''", name="linked_or_described"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effect_id: Mapped[int] = mapped_column(ForeignKey("effects.id", ondelete="CASCADE"))
    #: the obstacle of the log; None for one described in words
    obstacle_id: Mapped[int | None] = mapped_column(
        ForeignKey("obstacles.id", ondelete="CASCADE"), index=True
    )
    text_sv: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    seed_number: Mapped[int | None] = mapped_column(SmallInteger)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    effect: Mapped[Effect] = relationship(back_populates="obstacles")
    obstacle: Mapped[Obstacle | None] = relationship()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def is_linked(self) -> bool:
        return self.obstacle_id is not None

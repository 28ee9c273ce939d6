"""The leadership platform: pillars, their expectations, the values and the employer's promise.

Texts are stored per language (`*_sv`, `*_en`); `localized()` picks the one for the current locale.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import utcnow


class Platform(Base):
    """The municipality's leadership platform; an installation holds one."""

    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    municipality_sv: Mapped[str] = mapped_column(String(200))
    municipality_en: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    promise_sv: Mapped[str] = mapped_column(Text)
    promise_en: Mapped[str] = mapped_column(Text)
    whole_sv: Mapped[str] = mapped_column(Text)
    whole_en: Mapped[str] = mapped_column(Text)
    purpose_sv: Mapped[str] = mapped_column(Text)
    purpose_en: Mapped[str] = mapped_column(Text)
    #: the values in order, each {"sv": ..., "en": ...}
    values: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    #: what the file offers besides the platform itself: {"introduction": {...} | None, "catalogue": [...]}
    #: (None: nothing; the default programme and the demo's catalogue are then built from the pillars)
    defaults: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pillars: Mapped[list[Pillar]] = relationship(back_populates="platform", order_by="Pillar.position")

    def to_document(self) -> dict[str, Any]:
        """Return the platform's own fields in the shape the YAML file uses."""
        return {
            "key": self.key,
            "municipality": {"sv": self.municipality_sv, "en": self.municipality_en},
            "name": {"sv": self.name_sv, "en": self.name_en},
            "promise": {"sv": self.promise_sv, "en": self.promise_en},
            "whole": {"sv": self.whole_sv, "en": self.whole_en},
            "purpose": {"sv": self.purpose_sv, "en": self.purpose_en},
            "values": self.values,
        }


class Pillar(Base):
    """One of the platform's parts (Säker chef, Initiativrik utvecklare, Klar ledare)."""

    __tablename__ = "pillars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    #: stable key used by tags, imports and the API
    key: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_sv: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    trait_sv: Mapped[str] = mapped_column(Text)
    trait_en: Mapped[str] = mapped_column(Text)
    #: set when the pillar left the platform file; tagged history keeps pointing at it
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    platform: Mapped[Platform] = relationship(back_populates="pillars")
    expectations: Mapped[list[Expectation]] = relationship(
        back_populates="pillar", order_by="Expectation.position"
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Expectation(Base):
    """One "Du förväntas …" of a pillar; retired, never deleted, when it leaves the platform."""

    __tablename__ = "expectations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillars.id"), index=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    text_sv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pillar: Mapped[Pillar] = relationship(back_populates="expectations")

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

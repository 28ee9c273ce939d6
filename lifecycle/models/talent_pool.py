"""The talent pool: people in the attract stage HR keeps in touch with, with their consent to be kept.

A pool member is a person on the journey (a `Manager` row) with a `TalentProfile`: where HR found
them, the pillars and expectations they show strength in, and the day they consented to be kept. The
consent lasts `TALENT_POOL_RETENTION_DAYS` from that day (read when it is needed, never stored), after
which the retention job removes them from the pool.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import TitledEnum
from lifecycle.models.tags import tag_tables

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager
    from lifecycle.models.platform import Expectation
    from lifecycle.models.platform import Pillar
    from lifecycle.models.users import User


class PoolSource(TitledEnum):
    """Where HR found a member of the talent pool."""

    ASPIRANT = "aspirant"
    PROGRAMME = "programme"
    EXTERNAL_CONTACT = "external_contact"
    EVENT = "event"
    OTHER = "other"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.ASPIRANT: _l("Internal aspirant"),
            cls.PROGRAMME: _l("Aspiring-leader programme"),
            cls.EXTERNAL_CONTACT: _l("External contact"),
            cls.EVENT: _l("Met at an event"),
            cls.OTHER: _l("Other"),
        }


#: the strengths of a pool member: the pillars and expectations they show strength in
TALENT_TAGS = tag_tables("talent_profiles", "profile_id", "talent_profile")


class TalentProfile(Base):
    """A person's place in the talent pool: source, strengths, a short note and their consent."""

    __tablename__ = "talent_profiles"
    __table_args__ = (
        # "Whose consent runs out soon" and the retention job's "whose has run out".
        Index("ix_talent_profiles_consent_given_on", "consent_given_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id", ondelete="CASCADE"), unique=True)
    source: Mapped[PoolSource] = mapped_column(enum_column(PoolSource, "pool_source"))
    #: kept minimal: what HR needs to follow the contact up, never an assessment of the person
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the day the person consented to be kept in the pool; renewing it sets a new day
    consent_given_on: Mapped[date] = mapped_column(Date)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    manager: Mapped[Manager] = relationship()
    added_by: Mapped[User | None] = relationship()
    pillars: Mapped[list[Pillar]] = TALENT_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = TALENT_TAGS.expectation_relationship()

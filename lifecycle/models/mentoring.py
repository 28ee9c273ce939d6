"""Role models and mentorships (förebilder och mentorskap).

The platform came out of a study of the municipality's most successful managers; those managers are
its role models, and they mentor others. HR marks a manager as a `RoleModel` with the pillars and
expectations they are strong in (optionally what the study found about them) and how many mentees
they take at once. A `Mentorship` pairs a role model's manager (the mentor) with a mentee for a
period, with agreed goals and a meeting cadence; its meetings are activities of kind mentoring
(`Activity.mentorship_id`), tagged with what they built. While a mentorship runs, the mentor reads
the mentee's development plan (lifecycle/policy.py); once it has ended, no longer.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
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
from lifecycle.db import utcnow
from lifecycle.models.tags import tag_tables

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager
    from lifecycle.models.platform import Expectation
    from lifecycle.models.platform import Pillar
    from lifecycle.models.users import User

TEXT_MAX_LENGTH = 4000
MAX_CAPACITY = 20
MAX_CADENCE_WEEKS = 52

#: the pillars and expectations a role model is strong in
ROLE_MODEL_TAGS = tag_tables("role_models", "role_model_id", "role_model")


class RoleModel(Base):
    """A manager HR marked as a role model: their strengths and how many mentees they take at once."""

    __tablename__ = "role_models"
    __table_args__ = (
        CheckConstraint(f"capacity BETWEEN 1 AND {MAX_CAPACITY}", name="capacity_range"),
        # The suggestions scan the active ones.
        Index("ix_role_models_active", "is_active", "manager_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: one role-model record a manager; it is their data (in their export, swept on erasure)
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id"), unique=True)
    #: what the study of successful managers found about them (free text, optional)
    study_note: Mapped[str] = mapped_column(Text, default="")
    #: how many mentorships (running or agreed to start) they take at once
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    #: HR unmarks a role model by clearing this; their past mentorships stay
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    manager: Mapped[Manager] = relationship()
    pillars: Mapped[list[Pillar]] = ROLE_MODEL_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = ROLE_MODEL_TAGS.expectation_relationship()


class Mentorship(Base):
    """A mentor and a mentee for a period, with agreed goals and how often they meet."""

    __tablename__ = "mentorships"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="period_ordered"),
        CheckConstraint("mentor_id <> mentee_id", name="not_oneself"),
        CheckConstraint(f"cadence_weeks BETWEEN 1 AND {MAX_CADENCE_WEEKS}", name="cadence_range"),
        # A mentor's mentees (and their capacity), a mentee's mentorships.
        Index("ix_mentorships_mentor", "mentor_id", "ends_on"),
        Index("ix_mentorships_mentee", "mentee_id", "ends_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Both keys are not nullable: a mentorship is both people's data (in both exports).
    mentor_id: Mapped[int] = mapped_column(ForeignKey("managers.id"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("managers.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: what mentor and mentee agreed to work on
    goals: Mapped[str] = mapped_column(Text, default="")
    #: they meet at least every this many weeks; a missed period reminds both
    cadence_weeks: Mapped[int] = mapped_column(Integer)
    #: set when it was ended before `ends_on` (or closed after it), with why
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor: Mapped[Manager] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Manager] = relationship(foreign_keys=[mentee_id])
    created_by: Mapped[User | None] = relationship()

    def is_running_on(self, day: date) -> bool:
        """Whether it runs on `day`: started, not past its end, not ended."""
        return self.ended_at is None and self.starts_on <= day <= self.ends_on

"""Workshops for management groups (ledningsgrupper): discuss the assignment, find development areas
and obstacles.

HR keeps a discussion guide: `WorkshopQuestion`s per pillar and language, seeded from the platform file's
`workshop_questions` (a reload never overwrites what HR changed, as with the recruitment banks). A
`Workshop` gathers a unit's management team (`WorkshopParticipant`: the unit's managers when it was
planned; HR may change them until it is held) on a date with a facilitator, to discuss some pillars.
Its outcome is recorded per pillar: notes (`WorkshopOutcome`), development areas that become
`GroupGoal`s with an owner among the participants and a follow-up date, and obstacles that go into the
obstacle log (`obstacles.workshop_id`). For every participant the workshop is an activity on their
journey (`activities.workshop_id`), tagged with the pillars discussed.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date
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
from lifecycle.enums import Language
from lifecycle.enums import WorkshopStatus
from lifecycle.models.tags import tag_tables

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager
    from lifecycle.models.organisation import OrgUnit
    from lifecycle.models.platform import Expectation
    from lifecycle.models.platform import Pillar
    from lifecycle.models.users import User

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 4000

#: the pillars a workshop discusses (at least one) and the expectations it names
WORKSHOP_TAGS = tag_tables("workshops", "workshop_id", "workshop", needs_pillar=True)
#: what a group goal develops
GROUP_GOAL_TAGS = tag_tables("group_goals", "group_goal_id", "group_goal", needs_pillar=True)


class WorkshopQuestion(Base):
    """One question of the discussion guide for a pillar, in one language."""

    __tablename__ = "workshop_questions"
    __table_args__ = (
        # The guide of a pillar in a language, in HR's order.
        Index("ix_workshop_questions_guide", "pillar_id", "language", "position"),
        # A platform file's question is seeded once; NULL (HR's own questions) never collides.
        UniqueConstraint("pillar_id", "language", "seed_number", name="uq_workshop_questions_seed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillars.id", ondelete="RESTRICT"))
    language: Mapped[Language] = mapped_column(enum_column(Language, "workshop_question_language"))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: which question of the platform file's list this is (1, 2 ...); None for HR's own
    seed_number: Mapped[int | None] = mapped_column(SmallInteger)
    #: set when HR changes or retires it: a reload of the file then leaves it alone
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pillar: Mapped[Pillar] = relationship()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Workshop(Base):
    """A management group's workshop: a unit's managers, a time, a facilitator and the pillars discussed."""

    __tablename__ = "workshops"
    __table_args__ = (Index("ix_workshops_held_at", "held_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the unit whose management team meets
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: who leads the discussion (HR, a line manager, a consultant with an account)
    facilitator_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, info={"gdpr": "mention"}
    )
    status: Mapped[WorkshopStatus] = mapped_column(
        enum_column(WorkshopStatus, "workshop_status"), default=WorkshopStatus.PLANNED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    facilitator: Mapped[User | None] = relationship(foreign_keys=[facilitator_user_id])
    pillars: Mapped[list[Pillar]] = WORKSHOP_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = WORKSHOP_TAGS.expectation_relationship()
    participants: Mapped[list[WorkshopParticipant]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    outcomes: Mapped[list[WorkshopOutcome]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    goals: Mapped[list[GroupGoal]] = relationship(
        back_populates="workshop", order_by="GroupGoal.id", cascade="all, delete-orphan"
    )

    @property
    def is_planned(self) -> bool:
        return self.status is WorkshopStatus.PLANNED


class WorkshopParticipant(Base):
    """A manager of the group: taking part is the manager's own data."""

    __tablename__ = "workshop_participants"
    __table_args__ = (Index("ix_workshop_participants_manager", "manager_id", "workshop_id"),)

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="participants")
    manager: Mapped[Manager] = relationship()


class WorkshopOutcome(Base):
    """What the group said about one pillar it discussed."""

    __tablename__ = "workshop_outcomes"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillars.id"), primary_key=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="outcomes")
    pillar: Mapped[Pillar] = relationship()


class GroupGoal(Base):
    """A development area the group chose, as a goal on every member's plan, followed up by its owner."""

    __tablename__ = "group_goals"
    __table_args__ = (
        # A member's plan: the goals of the workshops they take part in.
        Index("ix_group_goals_workshop", "workshop_id", "id"),
        # The reminders' open goals by follow-up date.
        Index("ix_group_goals_follow_up", "follow_up_on", "done_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    #: the pillar of the outcome it came from
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillars.id"))
    text: Mapped[str] = mapped_column(Text)
    #: a participant who follows it up: the goal is in their export; anonymising them keeps it for the group
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("managers.id", ondelete="SET NULL"), index=True, info={"gdpr": "subject"}
    )
    follow_up_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="goals")
    pillar: Mapped[Pillar] = relationship(foreign_keys=[pillar_id])
    owner: Mapped[Manager | None] = relationship()
    pillars: Mapped[list[Pillar]] = GROUP_GOAL_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = GROUP_GOAL_TAGS.expectation_relationship()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

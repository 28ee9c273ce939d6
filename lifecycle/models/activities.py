"""Activities on the journey, each tagged with the pillars (and expectations) it builds, and the catalogue."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.models.tags import TaggedWithoutPillarError
from lifecycle.models.tags import tag_tables

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager
    from lifecycle.models.plans import PlanGoal
    from lifecycle.models.platform import Expectation
    from lifecycle.models.platform import Pillar
    from lifecycle.models.users import User


activity_participants = Table(
    "activity_participants",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("manager_id", ForeignKey("managers.id"), primary_key=True),
    Index("ix_activity_participants_manager_id", "manager_id", "activity_id"),
)

#: the tags of an activity; an activity without a pillar is refused at flush
ACTIVITY_TAGS = tag_tables("activities", "activity_id", "activity", needs_pillar=True)
#: the default tags a catalogue item hands to the activities made from it
CATALOGUE_TAGS = tag_tables("catalogue_items", "catalogue_item_id", "catalogue_item")
# The link tables by their old names, for the queries that join them.
activity_pillars = ACTIVITY_TAGS.pillars
activity_expectations = ACTIVITY_TAGS.expectations


class CatalogueItem(Base):
    """A reusable activity HR offers (a leadership programme, a course), with its default tags."""

    __tablename__ = "catalogue_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "activity_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pillars: Mapped[list[Pillar]] = CATALOGUE_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = CATALOGUE_TAGS.expectation_relationship()


_OPEN_MILESTONE = "introduction_id IS NOT NULL AND completed_on IS NULL AND cancelled_at IS NULL"


class Activity(Base):
    """Something that happens on the journey, for one manager or a group, building at least one pillar."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_completed_on", "completed_on"),
        Index("ix_activities_due_on", "due_on"),
        # HR's "only overdue" introductions: the open milestones are few among millions of activities.
        Index(
            "ix_activities_open_milestones",
            "introduction_id",
            "due_on",
            postgresql_where=text(
                "introduction_id IS NOT NULL AND completed_on IS NULL AND cancelled_at IS NULL"
            ),
            sqlite_where=text(
                "introduction_id IS NOT NULL AND completed_on IS NULL AND cancelled_at IS NULL"
            ),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "activity_kind"))
    #: the stage of the journey it belongs to; None for a group activity across stages
    stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, "stage"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: who is responsible for it happening (a user); `responsible_note` names someone outside the system
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    responsible_note: Mapped[str] = mapped_column(String(200), default="")
    catalogue_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_items.id", ondelete="SET NULL")
    )
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("plan_goals.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the introduction programme and template milestone this activity was launched from
    introduction_id: Mapped[int | None] = mapped_column(
        ForeignKey("introduction_launches.id", ondelete="SET NULL"), index=True
    )
    template_milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_milestones.id", ondelete="SET NULL")
    )
    #: the source system's id of an imported activity, so importing the same file again changes nothing
    import_reference: Mapped[str | None] = mapped_column(String(120), unique=True)
    #: a meeting of a mentorship (kind mentoring)
    mentorship_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentorships.id", ondelete="SET NULL"), index=True
    )
    # -- workshops ----
    #: the management-group workshop this participant's activity stands for (kept by its services)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    # -- offboarding ----
    #: the offboarding checklist this task was launched from (kept by its services)
    offboarding_id: Mapped[int | None] = mapped_column(
        ForeignKey("offboarding_checklists.id", ondelete="SET NULL"), index=True
    )

    participants: Mapped[list[Manager]] = relationship(
        secondary=activity_participants, order_by="Manager.name"
    )
    pillars: Mapped[list[Pillar]] = ACTIVITY_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = ACTIVITY_TAGS.expectation_relationship()
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_id])
    catalogue_item: Mapped[CatalogueItem | None] = relationship()
    goal: Mapped[PlanGoal | None] = relationship(back_populates="activities")

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None

    def is_overdue(self, today: date) -> bool:
        return (
            self.completed_on is None
            and self.cancelled_at is None
            and self.due_on is not None
            and self.due_on < today
        )


#: what saving an activity without a pillar raises (lifecycle/models/tags.py enforces it)
ActivityWithoutPillarError = TaggedWithoutPillarError


class PillarCoverage(Base):
    """When a manager last completed an activity building a pillar; kept current by the activity services.

    The HR heatmap and the list of uncovered managers read this small table instead of scanning
    millions of activities.
    """

    __tablename__ = "pillar_coverage"
    __table_args__ = (Index("ix_pillar_coverage_pillar_last", "pillar_id", "last_completed_on"),)

    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id", ondelete="CASCADE"), primary_key=True)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillars.id"), primary_key=True)
    last_completed_on: Mapped[date] = mapped_column(Date)

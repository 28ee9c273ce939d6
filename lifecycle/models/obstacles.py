"""The obstacle log (hinder): what stands in a manager's way, and how the employer removes it.

"Vårt löfte är att ge dig rätt förutsättningar och undanröja hinder." A manager reports an `Obstacle`:
what is in the way, the pillars and expectations it hinders, how serious it is, and whether other
managers in the same part of the organisation may read it (`shared`). HR gives it an owner on the
employer side (a user), a due date and a status: reported → being handled → removed, or not removable
with an explanation. Every change is an `ObstacleEvent` (append-only). The obstacle keeps the unit it
was reported in, so an anonymised reporter (`reporter_id` set to NULL) leaves it in its place.
`last_activity_at` is the time of its latest event: an open obstacle untouched for
`OBSTACLE_STALE_DAYS` is reminded to its owner and escalated to HR.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.append_only import append_only
from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.models.tags import tag_tables

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager
    from lifecycle.models.organisation import OrgUnit
    from lifecycle.models.platform import Expectation
    from lifecycle.models.platform import Pillar
    from lifecycle.models.users import User

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 4000

#: the pillars and expectations an obstacle hinders
OBSTACLE_TAGS = tag_tables("obstacles", "obstacle_id", "obstacle")


class Obstacle(Base):
    """One obstacle a manager reported, with its owner, due date and status."""

    __tablename__ = "obstacles"
    __table_args__ = (
        # HR's overview: open obstacles by unit, oldest first.
        Index("ix_obstacles_status_unit", "status", "unit_id", "reported_at", "id"),
        # "My obstacles", newest first.
        Index("ix_obstacles_reporter", "reporter_id", "id"),
        # "Obstacles I own".
        Index("ix_obstacles_owner", "owner_user_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The report is the reporter's data (in their GDPR export); anonymising them sets it to NULL.
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("managers.id", ondelete="SET NULL"), info={"gdpr": "subject"}
    )
    #: the reporter's unit when it was reported: where it stands in HR's overview and who may read it
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[ObstacleSeverity] = mapped_column(enum_column(ObstacleSeverity, "obstacle_severity"))
    #: other managers in the reporter's part of the organisation may read it
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ObstacleStatus] = mapped_column(
        enum_column(ObstacleStatus, "obstacle_status"), default=ObstacleStatus.REPORTED
    )
    #: who removes it on the employer side
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"gdpr": "mention"}
    )
    due_date: Mapped[date | None] = mapped_column(Date)
    #: why it cannot be removed (required then), or how it was
    explanation: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when it was removed or found not removable; None while open
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the time of its latest change: what staleness counts from
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the reporter's e-mail that it is resolved: claimed (sent) once, or failed and waiting to be retried
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # -- workshops ----
    #: the management-group workshop that found it (None: a manager reported it)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )

    reporter: Mapped[Manager | None] = relationship()
    unit: Mapped[OrgUnit] = relationship()
    owner: Mapped[User | None] = relationship()
    pillars: Mapped[list[Pillar]] = OBSTACLE_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = OBSTACLE_TAGS.expectation_relationship()
    events: Mapped[list[ObstacleEvent]] = relationship(
        back_populates="obstacle", order_by="ObstacleEvent.id", viewonly=True
    )

    @property
    def is_open(self) -> bool:
        return self.status in ObstacleStatus.open()


#: what an event records: the report itself, or a change of one thing
EVENT_FIELDS = ("reported", "status", "owner", "due_date", "explanation", "comment")


@append_only(erasable=("old_value", "new_value"))
class ObstacleEvent(Base):
    """One change of an obstacle (its report, a status, owner, due date, explanation, or a comment)."""

    __tablename__ = "obstacle_events"
    __table_args__ = (Index("ix_obstacle_events_obstacle", "obstacle_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obstacle_id: Mapped[int] = mapped_column(ForeignKey("obstacles.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: one of `EVENT_FIELDS`
    field: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    obstacle: Mapped[Obstacle] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

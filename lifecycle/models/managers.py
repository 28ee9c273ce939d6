"""The person on the journey and the history of their stages."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.append_only import HistoryIsAppendOnlyError
from lifecycle.append_only import append_only
from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import Stage

__all__ = ["HistoryIsAppendOnlyError", "Manager", "ManagerChange", "StageTransition"]

if TYPE_CHECKING:
    from lifecycle.models.organisation import OrgUnit
    from lifecycle.models.users import User


class Manager(Base):
    """A manager, candidate or aspirant followed through the journey; no personnummer is ever stored."""

    __tablename__ = "managers"
    __table_args__ = (
        Index("ix_managers_stage_entered", "stage", "stage_entered_on"),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the payroll/HR system's employee number; candidates may not have one yet
    employee_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    line_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("managers.id", ondelete="SET NULL"), index=True
    )
    hr_partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: an experienced manager who mentors this one (the platform's "förebilder och mentorskap")
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"))
    #: when the current stage began; kept with `stage` so time in stage needs no history scan
    stage_entered_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: set when the person's data was erased (GDPR); stage, dates and pillar counts stay for statistics
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit: Mapped[OrgUnit | None] = relationship()
    line_manager: Mapped[Manager | None] = relationship(remote_side=[id], foreign_keys=[line_manager_id])
    mentor: Mapped[Manager | None] = relationship(remote_side=[id], foreign_keys=[mentor_id])
    hr_partner: Mapped[User | None] = relationship(foreign_keys=[hr_partner_id])
    user: Mapped[User | None] = relationship(back_populates="manager", foreign_keys=[user_id])
    transitions: Mapped[list[StageTransition]] = relationship(
        back_populates="manager", order_by="StageTransition.id", viewonly=True
    )

    def days_in_stage(self, today: date) -> int:
        return max(0, (today - self.stage_entered_on).days)


@append_only(erasable=("reason",))
class StageTransition(Base):
    """One move on the journey; rows are only ever added, never changed or deleted."""

    __tablename__ = "stage_transitions"
    __table_args__ = (Index("ix_stage_transitions_manager_recorded", "manager_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id"))
    #: None when the person enters the journey
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "to_stage"))
    effective_date: Mapped[date] = mapped_column(Date)
    #: the user who made the move; None for imports and the command line
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[Manager] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


@append_only(erasable=("old_value", "new_value"))
class ManagerChange(Base):
    """One changed detail of a manager's record: who changed which field from what to what, and when."""

    __tablename__ = "manager_changes"
    __table_args__ = (Index("ix_manager_changes_manager_changed", "manager_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the attribute's name, e.g. "title" or "line_manager_id"
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    #: where the change came from: "form", "import", "api"
    source: Mapped[str] = mapped_column(String(20), default="form")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()

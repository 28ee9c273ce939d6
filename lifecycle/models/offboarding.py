"""Offboarding: the checklist launched when a manager enters the offboard stage, the exit interview by
pillar, and HR's list of reasons for leaving.

An `OffboardingChecklist` is an offboarding template (an `IntroductionTemplate` whose purpose is
offboarding) launched for one manager: each task is an activity of the offboard stage
(`activities.offboarding_id`), dated back from the last working day. The `ExitInterview` records, per
current pillar of the platform, a score 1–5 and a comment (`ExitPillarScore`: where the support worked,
where it failed) and the reason for leaving: voluntary or not, regrettable or not, and one of HR's
`ExitReason`s. The comments are personal (exported with the person, blanked on anonymisation); the
scores, the reason and the unit stay as statistics. When every task is done and the interview recorded
the checklist completes and the journey closes.
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
from sqlalchemy import SmallInteger
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import utcnow

if TYPE_CHECKING:
    from lifecycle.models.activities import Activity
    from lifecycle.models.introductions import IntroductionTemplate
    from lifecycle.models.managers import Manager
    from lifecycle.models.organisation import OrgUnit
    from lifecycle.models.platform import Pillar
    from lifecycle.models.users import User

REASON_CODE_MAX_LENGTH = 40
REASON_NAME_MAX_LENGTH = 120
COMMENT_MAX_LENGTH = 4000
#: the scores of a pillar in the exit interview
SCORES = (1, 2, 3, 4, 5)


class ExitReason(Base):
    """One reason for leaving on HR's list; a retired one stays on the interviews that name it."""

    __tablename__ = "exit_reasons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: stable, for the API and the CSV: "pension", "new_job_outside" ...
    code: Mapped[str] = mapped_column(String(REASON_CODE_MAX_LENGTH), unique=True)
    name_sv: Mapped[str] = mapped_column(String(REASON_NAME_MAX_LENGTH))
    name_en: Mapped[str] = mapped_column(String(REASON_NAME_MAX_LENGTH))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class OffboardingChecklist(Base):
    """An offboarding template launched for one manager; its tasks are activities linked back to it."""

    __tablename__ = "offboarding_checklists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: one checklist per journey: a journey leaves the offboard stage only by closing
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id"), unique=True)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("introduction_templates.id", ondelete="SET NULL")
    )
    #: the last working day the task dates were counted back from
    last_day: Mapped[date] = mapped_column(Date)
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    launched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: set once, when every task is done and the exit interview recorded (the journey closes then)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    manager: Mapped[Manager] = relationship()
    template: Mapped[IntroductionTemplate | None] = relationship()
    tasks: Mapped[list[Activity]] = relationship(
        primaryjoin="Activity.offboarding_id == OffboardingChecklist.id",
        foreign_keys="Activity.offboarding_id",
        order_by="(Activity.due_on, Activity.id)",
        viewonly=True,
    )
    interview: Mapped[ExitInterview | None] = relationship(back_populates="checklist", viewonly=True)


class ExitInterview(Base):
    """The exit interview of a leaving manager: per pillar a score and a comment, and why they leave."""

    __tablename__ = "exit_interviews"
    __table_args__ = (
        # HR's analysis: exits in a period, by unit.
        Index("ix_exit_interviews_left_on", "left_on", "org_unit_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("offboarding_checklists.id", ondelete="CASCADE"), unique=True
    )
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id"), index=True)
    #: the activity of kind exit interview on the journey, tagged with the pillars it asked about
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    #: the unit they leave and their last day, kept for the statistics whatever happens to the record
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="SET NULL"))
    left_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date] = mapped_column(Date)
    voluntary: Mapped[bool] = mapped_column(Boolean)
    regrettable: Mapped[bool] = mapped_column(Boolean)
    reason_id: Mapped[int] = mapped_column(ForeignKey("exit_reasons.id", ondelete="RESTRICT"), index=True)
    #: what else was said; personal, blanked on anonymisation
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    checklist: Mapped[OffboardingChecklist] = relationship(back_populates="interview")
    manager: Mapped[Manager] = relationship()
    org_unit: Mapped[OrgUnit | None] = relationship()
    reason: Mapped[ExitReason] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    scores: Mapped[list[ExitPillarScore]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="ExitPillarScore.id"
    )


class ExitPillarScore(Base):
    """How the support of one pillar worked for the leaving manager: 1 (it failed) to 5 (it worked)."""

    __tablename__ = "exit_pillar_scores"
    __table_args__ = (
        UniqueConstraint("interview_id", "pillar_id", name="uq_exit_pillar_scores_pillar"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        Index("ix_exit_pillar_scores_pillar", "pillar_id", "score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("exit_interviews.id", ondelete="CASCADE"))
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillars.id", ondelete="RESTRICT"))
    score: Mapped[int] = mapped_column(SmallInteger)
    #: where the support worked or failed; personal, blanked on anonymisation
    comment: Mapped[str] = mapped_column(Text, default="")

    interview: Mapped[ExitInterview] = relationship(back_populates="scores")
    pillar: Mapped[Pillar] = relationship()

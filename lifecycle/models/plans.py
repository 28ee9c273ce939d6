"""Development plans (utvecklingsplaner), their goals and comments, and development reviews."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import Assessor
from lifecycle.enums import GoalStatus

if TYPE_CHECKING:
    from lifecycle.models.activities import Activity
    from lifecycle.models.managers import Manager
    from lifecycle.models.platform import Expectation
    from lifecycle.models.recruitment import Candidacy
    from lifecycle.models.users import User


goal_expectations = Table(
    "plan_goal_expectations",
    Base.metadata,
    Column("goal_id", ForeignKey("plan_goals.id", ondelete="CASCADE"), primary_key=True),
    Column("expectation_id", ForeignKey("expectations.id"), primary_key=True),
)


class DevelopmentPlan(Base):
    """A manager's plan for one period (a year by default)."""

    __tablename__ = "development_plans"
    __table_args__ = (
        UniqueConstraint("manager_id", "starts_on"),
        CheckConstraint("ends_on > starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[Manager] = relationship()
    goals: Mapped[list[PlanGoal]] = relationship(back_populates="plan", order_by="PlanGoal.id")
    comments: Mapped[list[PlanComment]] = relationship(
        back_populates="plan", order_by="PlanComment.created_at"
    )
    reviews: Mapped[list[DevelopmentReview]] = relationship(
        back_populates="plan", order_by="DevelopmentReview.scheduled_on"
    )


class PlanGoal(Base):
    """A goal in a plan, tied to the expectations it develops."""

    __tablename__ = "plan_goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("development_plans.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    target_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(
        enum_column(GoalStatus, "goal_status"), default=GoalStatus.PLANNED
    )
    #: the hire whose recruitment proposed the goal (from the expectations its group scored lowest)
    candidacy_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidacies.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="goals")
    candidacy: Mapped[Candidacy | None] = relationship()
    expectations: Mapped[list[Expectation]] = relationship(
        secondary=goal_expectations, order_by="Expectation.position"
    )
    activities: Mapped[list[Activity]] = relationship(back_populates="goal", order_by="Activity.id")


class PlanComment(Base):
    """A comment on a plan by the line manager or HR, visible to the manager."""

    __tablename__ = "plan_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("development_plans.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class DevelopmentReview(Base):
    """A development review (utvecklingssamtal) in a plan's period."""

    __tablename__ = "development_reviews"
    __table_args__ = (UniqueConstraint("plan_id", "scheduled_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("development_plans.id"), index=True)
    scheduled_on: Mapped[date] = mapped_column(Date, index=True)
    completed_on: Mapped[date | None] = mapped_column(Date)
    next_steps: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="reviews")
    assessments: Mapped[list[ReviewAssessment]] = relationship(
        back_populates="review", order_by="ReviewAssessment.id", cascade="all, delete-orphan"
    )


class ReviewAssessment(Base):
    """One 1–5 assessment of one expectation in a review, by the manager or by their line manager."""

    __tablename__ = "review_assessments"
    __table_args__ = (
        UniqueConstraint("review_id", "expectation_id", "assessor"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("development_reviews.id", ondelete="CASCADE"))
    expectation_id: Mapped[int] = mapped_column(ForeignKey("expectations.id"), index=True)
    assessor: Mapped[Assessor] = mapped_column(enum_column(Assessor, "assessor"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[DevelopmentReview] = relationship(back_populates="assessments")
    expectation: Mapped[Expectation] = relationship()

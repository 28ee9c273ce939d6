"""Introduction programmes: HR's templates of milestones, and their launch for a new manager."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import OffsetUnit
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import TemplatePurpose
from lifecycle.models.tags import tag_tables

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager
    from lifecycle.models.platform import Expectation
    from lifecycle.models.platform import Pillar
    from lifecycle.models.users import User


#: the tags of a template's milestone, handed to the activity it becomes
MILESTONE_TAGS = tag_tables("template_milestones", "milestone_id", "template_milestone")


class IntroductionTemplate(Base):
    """A reusable introduction programme: milestones at offsets from the start date."""

    __tablename__ = "introduction_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: the template launched automatically when someone enters the introduce stage
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # -- offboarding ----
    #: an introduction counts from the start date; an offboarding checklist back from the last day
    purpose: Mapped[TemplatePurpose] = mapped_column(
        enum_column(TemplatePurpose, "template_purpose"),
        default=TemplatePurpose.INTRODUCTION,
        server_default=TemplatePurpose.INTRODUCTION.value,
    )

    milestones: Mapped[list[TemplateMilestone]] = relationship(
        back_populates="template", order_by="TemplateMilestone.position", cascade="all, delete-orphan"
    )


class TemplateMilestone(Base):
    """One milestone of a template: what, when relative to the start date, who, and what it builds."""

    __tablename__ = "template_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("introduction_templates.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: negative before the start date, positive after it
    offset_amount: Mapped[int] = mapped_column(Integer)
    offset_unit: Mapped[OffsetUnit] = mapped_column(enum_column(OffsetUnit, "offset_unit"))
    responsible_role: Mapped[ResponsibleRole] = mapped_column(
        enum_column(ResponsibleRole, "responsible_role")
    )
    #: the person responsible when `responsible_role` is "named"
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # -- offboarding ----
    #: the kind of activity the milestone becomes; None: the purpose's own (an introduction milestone, or
    #: another activity for an offboarding task); the exit interview is an offboarding checklist's one
    kind: Mapped[ActivityKind | None] = mapped_column(enum_column(ActivityKind, "milestone_kind"))

    template: Mapped[IntroductionTemplate] = relationship(back_populates="milestones")
    responsible_user: Mapped[User | None] = relationship()
    pillars: Mapped[list[Pillar]] = MILESTONE_TAGS.pillar_relationship()
    expectations: Mapped[list[Expectation]] = MILESTONE_TAGS.expectation_relationship()


class IntroductionLaunch(Base):
    """A template launched for one manager; its milestones are activities linked back to it."""

    __tablename__ = "introduction_launches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("introduction_templates.id", ondelete="SET NULL")
    )
    #: the start date the milestone dates were computed from
    start_date: Mapped[date] = mapped_column(Date)
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    launched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    manager: Mapped[Manager] = relationship()
    template: Mapped[IntroductionTemplate | None] = relationship()

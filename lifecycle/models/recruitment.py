"""Recruitment: vacancies, the expectations each weighs, its recruitment group, and its candidates.

A candidate is a person on the journey (a `Manager` row in the recruit stage, or a manager already in
post applying for a new assignment) linked to a vacancy by a `Candidacy`, which has its own steps.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlalchemy import Date
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import SmallInteger
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
from lifecycle.enums import Language
from lifecycle.enums import TitledEnum

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager
    from lifecycle.models.organisation import OrgUnit
    from lifecycle.models.platform import Expectation
    from lifecycle.models.users import User

#: the weights HR may give an expectation of a vacancy: 1 important, 2 very important, 3 decisive
WEIGHTS = (1, 2, 3)


class VacancyStatus(TitledEnum):
    """Where a vacancy is, from the first draft to the decision."""

    DRAFT = "draft"
    OPEN = "open"
    INTERVIEWING = "interviewing"
    DECIDED = "decided"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.DRAFT: _l("Draft"),
            cls.OPEN: _l("Open for applications"),
            cls.INTERVIEWING: _l("Interviewing"),
            cls.DECIDED: _l("Decided"),
            cls.CLOSED: _l("Closed"),
            cls.CANCELLED: _l("Cancelled"),
        }

    @classmethod
    def active(cls) -> tuple[VacancyStatus, ...]:
        """The statuses of a recruitment still under way."""
        return (cls.DRAFT, cls.OPEN, cls.INTERVIEWING, cls.DECIDED)


class CandidateStep(TitledEnum):
    """How far a candidate has come in one recruitment."""

    APPLIED = "applied"
    SCREENED = "screened"
    INTERVIEW = "interview"
    REFERENCE_CHECK = "reference_check"
    OFFER = "offer"
    HIRED = "hired"
    NOT_SELECTED = "not_selected"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.APPLIED: _l("Applied"),
            cls.SCREENED: _l("Screened"),
            cls.INTERVIEW: _l("Interview"),
            cls.REFERENCE_CHECK: _l("Reference check"),
            cls.OFFER: _l("Offer"),
            cls.HIRED: _l("Hired"),
            cls.NOT_SELECTED: _l("Not selected"),
        }

    @classmethod
    def in_process(cls) -> tuple[CandidateStep, ...]:
        """The steps a candidate goes through in order before the decision."""
        return (cls.APPLIED, cls.SCREENED, cls.INTERVIEW, cls.REFERENCE_CHECK, cls.OFFER)

    @classmethod
    def decidable(cls) -> tuple[CandidateStep, ...]:
        """The steps a candidate is hired from: interviewed, or further on; never straight from the pile."""
        return (cls.INTERVIEW, cls.REFERENCE_CHECK, cls.OFFER)


class NotSelectedReason(TitledEnum):
    """Why a candidate was not selected: codes, so HR can follow them up without free text about people."""

    REQUIREMENTS = "requirements"
    OTHER_CANDIDATE = "other_candidate"
    WITHDREW = "withdrew"
    DECLINED_OFFER = "declined_offer"
    REFERENCES = "references"
    VACANCY_CANCELLED = "vacancy_cancelled"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.REQUIREMENTS: _l("Did not meet the requirements"),
            cls.OTHER_CANDIDATE: _l("Another candidate was better suited"),
            cls.WITHDREW: _l("Withdrew the application"),
            cls.DECLINED_OFFER: _l("Declined the offer"),
            cls.REFERENCES: _l("References did not support the appointment"),
            cls.VACANCY_CANCELLED: _l("The recruitment was cancelled"),
        }


class CandidateSource(TitledEnum):
    """Where a candidate came from."""

    TALENT_POOL = "talent_pool"
    INTERNAL = "internal"
    EXTERNAL = "external"
    IMPORTED = "imported"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.TALENT_POOL: _l("Talent pool"),
            cls.INTERNAL: _l("Internal manager"),
            cls.EXTERNAL: _l("External applicant"),
            cls.IMPORTED: _l("Imported from the recruitment system"),
        }


#: the recruitment group: the user accounts that interview the vacancy's candidates
vacancy_interviewers = Table(
    "vacancy_interviewers",
    Base.metadata,
    Column("vacancy_id", ForeignKey("vacancies.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # "Which vacancies may this interviewer see": the policy's question on every request.
    Index("ix_vacancy_interviewers_user", "user_id", "vacancy_id"),
)


class Vacancy(Base):
    """A manager's post to fill in one organisation unit."""

    __tablename__ = "vacancies"
    __table_args__ = (
        # HR's list: by status, newest first.
        Index("ix_vacancies_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    hiring_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    hr_partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[VacancyStatus] = mapped_column(
        enum_column(VacancyStatus, "vacancy_status"), default=VacancyStatus.DRAFT
    )
    published_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    planned_start_on: Mapped[date | None] = mapped_column(Date)
    #: the unit's own words for the ad ("Om oss")
    unit_text: Mapped[str] = mapped_column(Text, default="")
    #: the role itself: the assignment, its scope, what it offers
    role_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship()
    hiring_manager: Mapped[User | None] = relationship(foreign_keys=[hiring_manager_id])
    hr_partner: Mapped[User | None] = relationship(foreign_keys=[hr_partner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    interviewers: Mapped[list[User]] = relationship(secondary=vacancy_interviewers, order_by="User.name")
    weights: Mapped[list[VacancyExpectation]] = relationship(
        back_populates="vacancy", cascade="all, delete-orphan", order_by="VacancyExpectation.position"
    )
    candidacies: Mapped[list[Candidacy]] = relationship(
        back_populates="vacancy", cascade="all, delete-orphan", order_by="Candidacy.id"
    )


class VacancyExpectation(Base):
    """An expectation of the platform that a vacancy weighs, and how much (1–3)."""

    __tablename__ = "vacancy_expectations"
    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 3", name="weight"),)

    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), primary_key=True)
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    weight: Mapped[int] = mapped_column(SmallInteger)
    #: the order HR chose: the ad's paragraphs and the interview guide follow it
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    vacancy: Mapped[Vacancy] = relationship(back_populates="weights")
    expectation: Mapped[Expectation] = relationship()


class Candidacy(Base):
    """One person's application to one vacancy, and how far it has come."""

    __tablename__ = "candidacies"
    __table_args__ = (
        UniqueConstraint("vacancy_id", "manager_id"),
        # A row of a recruitment system's file is imported once per vacancy, however often it is sent.
        UniqueConstraint("vacancy_id", "import_reference"),
        # A vacancy's candidates per step.
        Index("ix_candidacies_vacancy_step", "vacancy_id", "step"),
        CheckConstraint(
            "(step = 'not_selected') = (not_selected_reason IS NOT NULL)",
            name="reason_when_not_selected",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"))
    manager_id: Mapped[int] = mapped_column(ForeignKey("managers.id", ondelete="CASCADE"), index=True)
    source: Mapped[CandidateSource] = mapped_column(enum_column(CandidateSource, "candidate_source"))
    step: Mapped[CandidateStep] = mapped_column(
        enum_column(CandidateStep, "candidate_step"), default=CandidateStep.APPLIED
    )
    not_selected_reason: Mapped[NotSelectedReason | None] = mapped_column(
        enum_column(NotSelectedReason, "not_selected_reason")
    )
    applied_on: Mapped[date] = mapped_column(Date)
    #: the application's id in the recruitment system it was imported from (None: entered by hand)
    import_reference: Mapped[str | None] = mapped_column(String(120))
    step_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the start date agreed when the hire was handed over to introduction; None until then
    starts_on: Mapped[date | None] = mapped_column(Date)
    #: HR chose to tell the candidate they are not selected, by e-mail in this language
    notice_language: Mapped[Language | None] = mapped_column(enum_column(Language, "notice_language"))
    #: when the worker claimed the e-mail to send it (once: a claimed e-mail is never sent again)
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the last try to send it failed; HR sees it, the reason is in the worker's log
    notice_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Σ weight · mean ÷ Σ weight of the group's effective scores over every submitted scorecard, and
    #: how many are submitted: facts kept by `services.recruitment.matrix.refresh_matrix_facts` when a
    #: scorecard is submitted or amended or the weights change, so that the matrix pages a popular
    #: vacancy's candidates by their total without reading all of their scores
    weighted_total: Mapped[float | None] = mapped_column(Float)
    submitted_scorecards: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vacancy: Mapped[Vacancy] = relationship(back_populates="candidacies")
    manager: Mapped[Manager] = relationship()

"""Interviews of a candidacy, the interviewers' scorecards with their amendments, and the decision.

An interview is a scheduled `Activity` of the candidate (kind interview, stage recruit) with a time, a
length, a place and its interviewers (`Panelist`, one row a person: the item of the "scorecard not
submitted" reminder). Each interviewer has one `Scorecard` per candidacy, over all of its interviews:
1–5 and the evidence heard per weighted expectation, a draft only its author sees until it is
submitted. A submitted scorecard never changes; a `ScorecardAmendment` (append-only) gives an
expectation a new score with the reason, and the original stays beside it. The hiring manager's
`VacancyDecision` (append-only) names the candidacy hired and why.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint
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

from lifecycle.append_only import append_only
from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import utcnow

if TYPE_CHECKING:
    from lifecycle.models.activities import Activity
    from lifecycle.models.platform import Expectation
    from lifecycle.models.recruitment import Candidacy
    from lifecycle.models.recruitment import Vacancy
    from lifecycle.models.users import User

#: the scores an interviewer gives an expectation: 1 (no evidence of it) to 5 (strong evidence)
SCORES = (1, 2, 3, 4, 5)
#: an interview lasts between these many minutes
MIN_MINUTES, MAX_MINUTES = 5, 600


class Interview(Base):
    """One interview of a candidate: when, how long, where, and who interviews."""

    __tablename__ = "interviews"
    __table_args__ = (
        # A candidacy's interviews in time order.
        Index("ix_interviews_candidacy_starts", "candidacy_id", "starts_at"),
        CheckConstraint(f"duration_minutes BETWEEN {MIN_MINUTES} AND {MAX_MINUTES}", name="duration"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(ForeignKey("candidacies.id", ondelete="CASCADE"))
    #: the candidate's activity that the interview is on the journey (its date, pillars and expectations)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), unique=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(SmallInteger, default=60)
    #: a room, an address or "Teams"
    location: Mapped[str] = mapped_column(String(200), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidacy: Mapped[Candidacy] = relationship()
    activity: Mapped[Activity | None] = relationship()
    panel: Mapped[list[Panelist]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="Panelist.id"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Panelist(Base):
    """One interviewer of one interview: whom its reminders go to, and who then owes a scorecard."""

    __tablename__ = "interview_panelists"
    __table_args__ = (
        UniqueConstraint("interview_id", "user_id"),
        # "Which candidates does this user interview": the scorecard rules ask it on every page.
        Index("ix_interview_panelists_user", "user_id", "interview_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    # The row is about the candidate's interview; the interviewer is only named in it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), info={"gdpr": "mention"})

    interview: Mapped[Interview] = relationship(back_populates="panel")
    user: Mapped[User] = relationship()


class Scorecard(Base):
    """One interviewer's assessment of one candidate: a draft until submitted, then final."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("candidacy_id", "author_id"),
        # "Has this user submitted theirs for the candidate": the no-anchoring rule's question.
        Index("ix_scorecards_author_candidacy", "author_id", "candidacy_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(ForeignKey("candidacies.id", ondelete="CASCADE"))
    # Its scores and evidence are data about the candidate; the interviewer is named as its author.
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), info={"gdpr": "mention"})
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    candidacy: Mapped[Candidacy] = relationship()
    author: Mapped[User] = relationship()
    scores: Mapped[list[ScorecardScore]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan"
    )
    amendments: Mapped[list[ScorecardAmendment]] = relationship(
        back_populates="scorecard", order_by="ScorecardAmendment.id"
    )

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ScorecardScore(Base):
    """The score and evidence an interviewer gave one weighted expectation, as submitted (the original)."""

    __tablename__ = "scorecard_scores"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), primary_key=True
    )
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    #: None in a draft not yet scored here
    score: Mapped[int | None] = mapped_column(SmallInteger)
    evidence: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="scores")
    expectation: Mapped[Expectation] = relationship()


@append_only(erasable=("evidence", "reason"))
class ScorecardAmendment(Base):
    """A later score for one expectation of a submitted scorecard, and why; the latest one counts."""

    __tablename__ = "scorecard_amendments"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        # The latest amendment of each score: the matrix's effective scores.
        Index("ix_scorecard_amendments_latest", "scorecard_id", "expectation_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"))
    expectation_id: Mapped[int] = mapped_column(ForeignKey("expectations.id"), index=True)
    score: Mapped[int] = mapped_column(SmallInteger)
    evidence: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), info={"gdpr": "mention"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scorecard: Mapped[Scorecard] = relationship(back_populates="amendments")
    expectation: Mapped[Expectation] = relationship()
    author: Mapped[User] = relationship()


@append_only(erasable=("reason",))
class VacancyDecision(Base):
    """Whom the hiring manager chose for a vacancy, and why; recorded once."""

    __tablename__ = "vacancy_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id"), unique=True)
    candidacy_id: Mapped[int] = mapped_column(ForeignKey("candidacies.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vacancy: Mapped[Vacancy] = relationship()
    candidacy: Mapped[Candidacy] = relationship()
    decided_by: Mapped[User | None] = relationship()

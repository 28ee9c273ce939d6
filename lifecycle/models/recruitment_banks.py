"""The recruitment banks HR maintains, and a vacancy's ad built from them.

A bank entry is an ad phrase or an interview question for one expectation, in one language. The
platform file may bring entries (`seed_number` says which of the file's texts it is); HR adds, edits,
retires and reorders entries, and a reload of the file never overwrites what HR changed.

A vacancy's ad (`VacancyAd`, one per language) keeps its own unit and role texts, prefilled from the
vacancy, and one paragraph per weighed expectation: a phrase of the bank, or HR's own words.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import SmallInteger
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
    from lifecycle.models.platform import Expectation
    from lifecycle.models.recruitment import Vacancy


class BankKind(TitledEnum):
    """The two banks: phrases for the ad, behaviour-based questions for the interview."""

    PHRASE = "phrase"
    QUESTION = "question"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {cls.PHRASE: _l("Ad phrases"), cls.QUESTION: _l("Interview questions")}


class BankEntry(Base):
    """One ad phrase or interview question for an expectation, in one language."""

    __tablename__ = "recruitment_bank_entries"
    __table_args__ = (
        # The bank of an expectation in a language, in HR's order: every page and the builders ask it.
        Index("ix_recruitment_bank_entries_bank", "kind", "expectation_id", "language", "position"),
        # A platform file's text is seeded once; NULL (HR's own entries) never collides.
        UniqueConstraint(
            "kind", "expectation_id", "language", "seed_number", name="uq_recruitment_bank_entries_seed"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[BankKind] = mapped_column(enum_column(BankKind, "bank_kind"))
    expectation_id: Mapped[int] = mapped_column(ForeignKey("expectations.id", ondelete="RESTRICT"))
    language: Mapped[Language] = mapped_column(enum_column(Language, "bank_language"))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: which text of the platform file's list this is (1, 2 ...); None for HR's own entries
    seed_number: Mapped[int | None] = mapped_column(SmallInteger)
    #: set when HR changes the text or retires the entry: a reload of the file then leaves it alone
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: retired entries are no longer offered; an ad that chose one keeps its words
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expectation: Mapped[Expectation] = relationship()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class VacancyAd(Base):
    """A vacancy's ad in one language: its own unit and role texts and a paragraph per expectation."""

    __tablename__ = "vacancy_ads"
    __table_args__ = (UniqueConstraint("vacancy_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"))
    language: Mapped[Language] = mapped_column(enum_column(Language, "ad_language"))
    unit_text: Mapped[str] = mapped_column(Text, default="")
    role_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    vacancy: Mapped[Vacancy] = relationship()
    paragraphs: Mapped[list[VacancyAdParagraph]] = relationship(
        back_populates="ad", cascade="all, delete-orphan"
    )


class VacancyAdParagraph(Base):
    """The ad's paragraph for one weighed expectation: a bank phrase, or HR's own text."""

    __tablename__ = "vacancy_ad_paragraphs"
    __table_args__ = (
        CheckConstraint("(phrase_id IS NULL) <> (own_text IS NULL)", name="phrase_or_own_text"),
    )

    ad_id: Mapped[int] = mapped_column(ForeignKey("vacancy_ads.id", ondelete="CASCADE"), primary_key=True)
    expectation_id: Mapped[int] = mapped_column(
        ForeignKey("expectations.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    phrase_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_bank_entries.id", ondelete="RESTRICT"), index=True
    )
    own_text: Mapped[str | None] = mapped_column(Text)

    ad: Mapped[VacancyAd] = relationship(back_populates="paragraphs")
    phrase: Mapped[BankEntry | None] = relationship()

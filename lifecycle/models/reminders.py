"""Reminder e-mails as rows: the outbox that Celery beat's dispatcher claims and the send task delivers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import ReminderOccurrence
from lifecycle.enums import ReminderStatus

if TYPE_CHECKING:
    from lifecycle.models.users import User


class Reminder(Base):
    """One e-mail to one person about one item at one occasion; recomputing never duplicates it.

    `item_key` names the item ("activity:42", "review:7"); (item_key, recipient, occurrence) is unique.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("item_key", "recipient_id", "occurrence"),
        # What the dispatcher scans every minute: only rows still waiting, by due time.
        Index(
            "ix_reminders_due_pending",
            "due_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        # Rows with a lease, i.e. sending: the dispatcher takes back those whose lease ran out. Not
        # "WHERE status = 'sending'": the send task's statements name a row by id *and* status =
        # 'sending', and with such a predicate PostgreSQL would, whenever its statistics still say that
        # few rows are sending (right after a big claim), scan this whole index instead of the primary key.
        Index(
            "ix_reminders_lease",
            "lease_until",
            postgresql_where=text("lease_until IS NOT NULL"),
            sqlite_where=text("lease_until IS NOT NULL"),
        ),
        # HR's lists of sent and of failed reminders, newest first, page by page (keyset on time and id).
        # Partial: a row gets an entry only once it is sent or has failed, not on every claim and retry.
        Index(
            "ix_reminders_sent",
            "sent_at",
            "id",
            postgresql_where=text("status = 'sent'"),
            sqlite_where=text("status = 'sent'"),
        ),
        Index(
            "ix_reminders_failed",
            "due_at",
            "id",
            postgresql_where=text("status = 'failed'"),
            sqlite_where=text("status = 'failed'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_key: Mapped[str] = mapped_column(String(60))
    # One column per kind of item (each a source in services/reminders/sources): deleting the item
    # deletes its rows.
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("development_reviews.id", ondelete="CASCADE"), index=True
    )
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    #: an interviewer's seat at an interview: "scorecard not submitted"
    panelist_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_panelists.id", ondelete="CASCADE"), index=True
    )
    #: an open obstacle left untouched: "obstacle:<id>:<the day it went stale>"
    obstacle_id: Mapped[int | None] = mapped_column(
        ForeignKey("obstacles.id", ondelete="CASCADE"), index=True
    )
    #: a mentorship whose meeting cadence was missed: "mentorship:<id>:<the day a meeting was due>"
    mentorship_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentorships.id", ondelete="CASCADE"), index=True
    )
    # -- workshops ----
    #: a management group's goal to follow up: "group_goal:<id>:<its follow-up date>"
    group_goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_goals.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    occurrence: Mapped[ReminderOccurrence] = mapped_column(enum_column(ReminderOccurrence, "occurrence"))
    #: when to send: 08:00 Europe/Stockholm on a working day, stored in UTC
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ReminderStatus] = mapped_column(
        enum_column(ReminderStatus, "reminder_status"), default=ReminderStatus.PENDING
    )
    #: a claimed row belongs to its sender until then; after it, the dispatcher claims it again
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the stable Message-ID the e-mail carries, derived from the row
    message_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set when a send may have happened before a crash: at most one extra copy, flagged
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recipient: Mapped[User] = relationship()

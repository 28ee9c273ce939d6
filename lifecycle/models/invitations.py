"""Invitations: how a manager who has no password yet gets into Chefsresan."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import utcnow

if TYPE_CHECKING:
    from lifecycle.models.users import User


class Invitation(Base):
    """One invitation e-mail to an account without a password: a single-use link that expires.

    The row is written by HR's request; the worker mints the link's secret when it sends the e-mail,
    so the secret is in no queue message and no log, and only its SHA-256 digest is stored.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: hex SHA-256 of the link's secret; None until the worker sends the e-mail
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why the e-mail could not be sent (the mail server's answer, or what failed); HR sees it
    send_error: Mapped[str | None] = mapped_column(Text)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: withdrawn by HR, or replaced by a newer invitation to the same account
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def is_open(self, now: datetime) -> bool:
        """Whether the invitation can still be used (or is still to be sent)."""
        return self.used_at is None and self.withdrawn_at is None and self.expires_at > now

"""User accounts and their roles."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.enums import Role

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(Base):
    """Someone who logs in: HR, an administrator, or a manager on their journey."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: stored lower-case; the login name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: the interface language the user chose; None follows the browser
    language: Mapped[Language | None] = mapped_column(enum_column(Language, "language"))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: part of the login cookie; changing it ends every session of the user
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    #: one e-mail a day with all reminders instead of one e-mail per reminder
    wants_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: the secret in the user's calendar feed address; regenerating it cuts off old subscriptions
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set when the account's personal data was erased (GDPR); the row stays for history and statistics
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    manager: Mapped[Manager | None] = relationship(
        back_populates="user", foreign_keys="Manager.user_id", uselist=False, lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    # Flask-Login's protocol.
    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")

"""User accounts: creating them, logging in, preferences."""

from __future__ import annotations

import logging

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from lifecycle.auth import hash_password
from lifecycle.auth import verify_password
from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import PasswordResetToken
from lifecycle.models import User
from lifecycle.models import UserRole
from lifecycle.models.users import new_session_token

logger = logging.getLogger(__name__)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    email: str,
    name: str,
    password: str | None,
    roles: set[Role] | frozenset[Role] = frozenset(),
    language: Language | None = None,
) -> User:
    """Add a user account with the given roles."""
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
        language=language,
        is_enabled=True,
        role_rows=[UserRole(role=role) for role in sorted(roles)],
    )
    db.session.add(user)
    db.session.flush()
    logger.info("user %s created with roles %s", user.id, ",".join(sorted(roles)))
    return user


def set_roles(user: User, roles: set[Role] | frozenset[Role]) -> None:
    """Give the user exactly these roles."""
    user.role_rows = [row for row in user.role_rows if row.role in roles] + [
        UserRole(role=role) for role in sorted(roles - user.roles)
    ]
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Store a new password; reset links sent before it stop working (they were for the old one)."""
    user.password_hash = hash_password(password)
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """Return the enabled user with this e-mail and password, else None; record the login."""
    user = get_user_by_email(email)
    if user is None or not user.is_enabled or not verify_password(user, password):
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def set_language(user: User, language: Language | None) -> None:
    user.language = language
    db.session.flush()


def end_all_sessions(user: User) -> None:
    """End every session of the user, on every device: the token in their login cookies changes."""
    user.session_token = new_session_token()
    db.session.flush()


def set_enabled(user: User, enabled: bool) -> None:
    """Enable or disable an account; disabling ends all of its sessions."""
    user.is_enabled = enabled
    if not enabled:
        end_all_sessions(user)
    db.session.flush()


def hr_users() -> list[User]:
    """Return the enabled HR users (the possible HR partners), by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.HR, User.is_enabled.is_(True))
            .order_by(User.name)
        )
    )

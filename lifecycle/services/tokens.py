"""Personal API tokens: created and revoked by their owner; only a digest of the secret is stored."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import ApiToken
from lifecycle.models import User

logger = logging.getLogger(__name__)

#: every secret starts with this, so a leaked one is easy to recognise (e.g. by secret scanners)
SECRET_PREFIX = "chr_"  # noqa: S105  (a marker, not a secret)
#: how many characters of the secret are kept to tell tokens apart
PREFIX_LENGTH = 8
#: last use is written at most this often, so a burst of API calls costs no writes
LAST_USED_PRECISION = timedelta(minutes=1)
#: longer secrets are refused before hashing
MAX_SECRET_LENGTH = 200
NAME_MAX_LENGTH = 100


def digest(secret: str) -> str:
    """Return the hex SHA-256 of a secret, as stored in `ApiToken.token_digest`."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with its secret, which is never stored or shown again."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip()[:NAME_MAX_LENGTH],
        token_digest=digest(secret),
        prefix=secret[:PREFIX_LENGTH],
    )
    db.session.add(token)
    db.session.flush()
    logger.info("api token %s created for user %s", token.id, user.id)
    return token, secret


def user_tokens(user: User) -> list[ApiToken]:
    """Return the user's tokens that are still in force, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def get_user_token(user: User, token_id: int) -> ApiToken | None:
    """Return one of the user's own tokens, or None (another user's token is never returned)."""
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))


def revoke_token(token: ApiToken) -> None:
    """Make the token stop working at once; revoking it again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        logger.info("api token %s revoked", token.id)


def find_token(secret: str) -> ApiToken | None:
    """Return the unrevoked token of an enabled user that this secret belongs to, else None."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    # Looking up the digest, not the secret, keeps the comparison free of timing leaks on the secret.
    return db.session.scalar(
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_digest == digest(secret),
            ApiToken.revoked_at.is_(None),
            User.is_enabled.is_(True),
        )
        .options(contains_eager(ApiToken.user))
    )


def record_use(token: ApiToken, now: datetime | None = None) -> bool:
    """Note that the token was used; write only when the last note is older than a minute."""
    moment = now or utcnow()
    if token.last_used_at is not None and moment - token.last_used_at < LAST_USED_PRECISION:
        return False
    token.last_used_at = moment
    db.session.flush()
    return True


def authenticate_token(secret: str) -> User | None:
    """Return the user a valid secret belongs to, noting its use; None for an unknown or revoked one."""
    token = find_token(secret)
    if token is None:
        return None
    record_use(token)
    return token.user

"""Password reset by e-mail: single-use links that expire; only a digest of the link's secret is stored."""

from __future__ import annotations

import enum
import logging
import secrets
from datetime import datetime
from datetime import timedelta
from typing import cast

from flask import current_app
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import CursorResult
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import contains_eager

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.i18n import BABEL_LOCALES
from lifecycle.models import PasswordResetToken
from lifecycle.models import User
from lifecycle.notifications import external_url
from lifecycle.services.accounts import end_all_sessions
from lifecycle.services.accounts import get_user_by_email
from lifecycle.services.accounts import set_password
from lifecycle.services.tokens import digest

logger = logging.getLogger(__name__)

#: longer secrets are refused before hashing (token_urlsafe(32) gives 43 characters)
MAX_SECRET_LENGTH = 100
#: a digest is the hex SHA-256 of the secret
DIGEST_LENGTH = 64


class LinkState(enum.Enum):
    """What a reset link is worth now."""

    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    #: never issued, or its account is disabled
    UNKNOWN = "unknown"


def max_age() -> timedelta:
    """Return how long a reset link works (PASSWORD_RESET_MAX_AGE_MINUTES, read at every call)."""
    return timedelta(minutes=int(current_app.config.get("PASSWORD_RESET_MAX_AGE_MINUTES", 60)))


def issue_reset_token(user: User, now: datetime | None = None) -> tuple[PasswordResetToken, str]:
    """Create a reset link for `user`; return it with its secret, which only the e-mail ever holds."""
    secret = secrets.token_urlsafe(32)
    moment = now or utcnow()
    token = PasswordResetToken(
        user_id=user.id, token_digest=digest(secret), created_at=moment, expires_at=moment + max_age()
    )
    db.session.add(token)
    db.session.flush()
    logger.info("password reset link %s issued for user %s", token.id, user.id)
    return token, secret


def check_reset_link(secret: str, now: datetime | None = None) -> tuple[LinkState, PasswordResetToken | None]:
    """Return what the link with this secret is worth, and its token when it exists."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return LinkState.UNKNOWN, None
    # Looking up the digest, not the secret, keeps the comparison free of timing leaks on the secret.
    return check_reset_digest(digest(secret), now)


def check_reset_digest(
    token_digest: str, now: datetime | None = None
) -> tuple[LinkState, PasswordResetToken | None]:
    """Return what the link whose secret has this digest is worth, and its token when it exists.

    The reset page knows a link by its digest alone, kept in the session once the link was opened,
    so the secret never travels again after that first request.
    """
    if len(token_digest) != DIGEST_LENGTH:
        return LinkState.UNKNOWN, None
    token = db.session.scalar(
        select(PasswordResetToken)
        .join(User, User.id == PasswordResetToken.user_id)
        .where(PasswordResetToken.token_digest == token_digest)
        .options(contains_eager(PasswordResetToken.user))
    )
    if token is None or not token.user.is_enabled:
        return LinkState.UNKNOWN, token
    if token.used_at is not None:
        return LinkState.USED, token
    if token.expires_at <= (now or utcnow()):
        return LinkState.EXPIRED, token
    return LinkState.VALID, token


def reset_password(token: PasswordResetToken, password: str, now: datetime | None = None) -> bool:
    """Set the password through a valid link; the link and every other one of the user stop working.

    Return False when the link was used or expired meanwhile (two submissions at once: one wins).
    Every session of the user ends: whoever knew the old password is out.
    """
    moment = now or utcnow()
    # A conditional update, so two simultaneous submissions cannot both use the link.
    claimed = cast(
        "CursorResult[None]",
        db.session.execute(
            update(PasswordResetToken)
            .where(
                PasswordResetToken.id == token.id,
                PasswordResetToken.used_at.is_(None),
                PasswordResetToken.expires_at > moment,
            )
            .values(used_at=moment)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        return False
    db.session.refresh(token)
    user = token.user
    set_password(user, password)  # also cancels the user's other outstanding links
    end_all_sessions(user)
    logger.info("password of user %s reset through link %s", user.id, token.id)
    return True


def _email_locale(user: User, fallback: str) -> str:
    """Write in the user's chosen language, else in the language of the page they asked from."""
    if user.language is not None:
        return BABEL_LOCALES.get(user.language.value, "sv")
    return fallback


def render_reset_email(user: User, secret: str, fallback_locale: str) -> EmailMultiAlternatives:
    """Render the e-mail carrying the reset link (plain text and HTML, in the user's language)."""
    minutes = int(max_age().total_seconds() // 60)
    with force_locale(_email_locale(user, fallback_locale)):
        # The public address (BASE_URL), never the request's Host header, which a caller could forge.
        context = {
            "user": user,
            "url": external_url("auth.reset_password", {"secret": secret}),
            "validity": ngettext(
                "The link works once, for %(num)s minute.",
                "The link works once, for %(num)s minutes.",
                minutes,
            ),
            "login_url": external_url("auth.login"),
        }
        subject = str(_l("Choose a new password for Chefsresan"))
        text = render_template("emails/password_reset.txt", **context)
        html = render_template("emails/password_reset.html", subject=subject, **context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        # Tells vacation responders and ticket systems not to answer (RFC 3834).
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def request_password_reset(email: str, fallback_locale: str) -> EmailMultiAlternatives | None:
    """Issue a link for the enabled account with this e-mail and return its e-mail; None if there is none."""
    user = get_user_by_email(email)
    if user is None or not user.is_enabled or user.anonymised_at is not None:
        # Nothing in the log names the address: it may be a mistyped one of someone else's.
        logger.info("password reset asked for an address with no enabled account")
        return None
    _token, secret = issue_reset_token(user)
    return render_reset_email(user, secret, fallback_locale)

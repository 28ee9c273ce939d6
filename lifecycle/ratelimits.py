"""Rate limits: how many logins, password reset requests and API tokens an address or an account gets."""

from __future__ import annotations

import hashlib
from datetime import UTC
from datetime import datetime

from flask import Response as FlaskResponse
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request
from flask_babel import format_time
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from lifecycle.policy import current


def login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def login_account_key() -> str:
    """Key failed logins by the account tried, so one account cannot be guessed from many addresses."""
    email = (request.form.get("email") or "").strip().lower()
    return f"login-account:{email}"


def login_failed(response: Response) -> bool:
    """Count an attempt against the limit only when it did not log in (no redirect)."""
    return response.status_code != 302


def password_reset_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_RATE_LIMIT"])


def password_reset_email_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_EMAIL_RATE_LIMIT"])


def password_reset_email_key() -> str:
    """Key reset requests by the address asked about, so nobody can flood one mailbox from many places.

    The key holds a digest, not the address: Flask-Limiter logs the key of every limit it enforces.
    """
    email = (request.form.get("email") or "").strip().lower()
    return "password-reset-email:" + hashlib.sha256(email.encode()).hexdigest()


def request_accepted(response: Response) -> bool:
    """Count only a form that was accepted (answered 200); a form with errors did nothing."""
    return response.status_code == 200


def api_token_limit() -> str:
    return str(current_app.config["API_TOKEN_RATE_LIMIT"])


def api_token_user_key() -> str:
    """Key token creation by the user; the endpoint needs a login, so the address is only a fallback."""
    user = current()
    return f"api-token-create:{user.id}" if user is not None else f"api-token-create:{request.remote_addr}"


def _retry_time(limit: RequestLimit) -> str:
    """Return when the limit lets the next request through, as a local time of day."""
    return str(format_time(datetime.fromtimestamp(limit.reset_at, UTC), "short"))


def too_many_resets(limit: RequestLimit) -> FlaskResponse:
    """Answer 429 with a page saying when to try again (an `on_breach` callback)."""
    message = _(
        "Too many requests for a new password. Try again after %(time)s. "
        "A link you have already received works until it expires.",
        time=_retry_time(limit),
    )
    return make_response(render_template("errors/error.html", status=429, message=message), 429)


def too_many_tokens(limit: RequestLimit) -> FlaskResponse:
    """Answer 429 with a page saying when the user may create a token again (an `on_breach` callback)."""
    message = _(
        "You have created many API tokens in a short time. Try again after %(time)s.",
        time=_retry_time(limit),
    )
    return make_response(render_template("errors/error.html", status=429, message=message), 429)

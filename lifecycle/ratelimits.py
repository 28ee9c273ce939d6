"""Rate limits: how many login attempts an address and an account get."""

from __future__ import annotations

from flask import current_app
from flask import request
from werkzeug.wrappers import Response


def login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def login_account_key() -> str:
    """Key failed logins by the account tried, so one account cannot be guessed from many addresses."""
    email = (request.form.get("email") or "").strip().lower()
    return f"login-account:{email}"


def login_failed(response: Response) -> bool:
    """Count an attempt against the limit only when it did not log in (no redirect)."""
    return response.status_code != 302

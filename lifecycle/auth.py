"""Password hashing and Flask-Login's loading of the user behind a session."""

from __future__ import annotations

import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import Flask
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from lifecycle.extensions import db
from lifecycle.extensions import login_manager
from lifecycle.models import User
from lifecycle.urls import parse_id

logger = logging.getLogger(__name__)


def password_hasher() -> PasswordHasher:
    """Return an Argon2id hasher with this app's parameters (cheap ones in tests)."""
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
        parallelism=config.get("ARGON2_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    """Check a password; rehash it in place when the hashing parameters have changed."""
    if not user.password_hash:
        return False
    hasher = password_hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _load_user(session_id: str) -> User | None:
    """Return the enabled user whose id and session token match the cookie, else None."""
    raw_id, _, token = session_id.partition(":")
    user_id = parse_id(raw_id)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_enabled or user.session_token != token:
        return None
    return user


def _unauthorized() -> Response:
    if request.blueprint == "api" or request.accept_mimetypes.best == "application/json":
        response = jsonify({"error": {"message": str(_l("Log in to continue."))}})
        response.status_code = 401
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = "basic"

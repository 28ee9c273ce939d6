"""Tells the audit log who acts in a page or API request: the logged-in user, through "web" or "api".

Services never read the request; this is the web layer saying who the actor is, the way a task or a
command does with `acting_as()`. It is set before the view runs, follows a log-in or log-out during the
request, and is put back when the request ends.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask import g
from flask import request
from flask_login import current_user
from flask_login import user_logged_in
from flask_login import user_logged_out

from lifecycle.models import User
from lifecycle.services.audit import SOURCE_API
from lifecycle.services.audit import SOURCE_WEB
from lifecycle.services.audit import AuditContext
from lifecycle.services.audit import begin_acting
from lifecycle.services.audit import end_acting

logger = logging.getLogger(__name__)

_G_RESET_POINT = "_audit_context_reset_point"


def act_as_request_user(user: User | None) -> None:
    """Record what the rest of this request changes as done by `user` (None: nobody logged in)."""
    source = SOURCE_API if request.blueprint == "api" else SOURCE_WEB
    token = begin_acting(AuditContext.of(user, source))
    # Only the first token is kept: resetting to it restores what was there before the request.
    if not hasattr(g, _G_RESET_POINT):
        setattr(g, _G_RESET_POINT, token)


def _act_as_logged_in_user() -> None:
    if request.endpoint == "static":
        return
    act_as_request_user(current_user._get_current_object() if current_user.is_authenticated else None)


def _end_of_request(_error: BaseException | None) -> None:
    token = g.pop(_G_RESET_POINT, None)
    if token is not None:
        end_acting(token)


def _logged_in(_app: Flask, user: User, **_extra: Any) -> None:
    act_as_request_user(user)


def _logged_out(_app: Flask, **_extra: Any) -> None:
    act_as_request_user(None)


def init_app(app: Flask) -> None:
    """Register the hooks; the first before_request, so every later hook and view records as the user."""
    app.before_request_funcs.setdefault(None, []).insert(0, _act_as_logged_in_user)
    app.teardown_request(_end_of_request)
    user_logged_in.connect(_logged_in, app)
    user_logged_out.connect(_logged_out, app)

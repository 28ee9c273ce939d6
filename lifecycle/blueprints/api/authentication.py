"""Who is calling the API: a personal token (`Authorization: Bearer ...`) or the browser's session.

A request that carries an Authorization header is judged by it alone: a valid token logs its user in
for this request only (no session cookie is written), anything else is a 401, and a session cookie
sent along is ignored. This runs as the blueprint's URL value preprocessor because Flask runs those
before every before_request function, the app's endpoint rule included, which must see the token's user.

The API is exempt from CSRF checks, so a state-changing call authenticated by a session cookie is
refused: a page elsewhere cannot make the browser change anything through the API.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask import request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.errors import ApiError
from lifecycle.extensions import db
from lifecycle.extensions import login_manager
from lifecycle.policy import current
from lifecycle.services.tokens import find_token
from lifecycle.services.tokens import record_use
from lifecycle.web_audit import act_as_request_user

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: set on `g` when the request was authenticated by a token
_G_NAME = "api_token_id"


def bearer_secret() -> str | None:
    """Return the secret of an `Authorization: Bearer <secret>` header, or None."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None


def authenticated_by_token() -> bool:
    return g.get(_G_NAME) is not None


def authenticate_token(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Log in the bearer token's user for this request; refuse an Authorization header that is not one."""
    if "Authorization" not in request.headers:
        return
    secret = bearer_secret()
    token = find_token(secret) if secret else None
    if token is None:
        login_manager._update_request_context_with_user(None)  # anonymous, whatever cookie came along
        raise ApiError(401, _("The API token is not valid. It may have been revoked."))
    login_manager._update_request_context_with_user(token.user)
    act_as_request_user(token.user)  # the use recorded below is the token user's
    setattr(g, _G_NAME, token.id)
    if record_use(token):
        db.session.commit()


def refuse_cookie_changes() -> None:
    """Refuse a state-changing call that a session cookie authenticated (the blueprint's before_request)."""
    if request.method in SAFE_METHODS or authenticated_by_token() or current() is None:
        return
    raise ApiError(
        403,
        _("Changes through the API need an API token (Authorization: Bearer …), not a session cookie."),
    )


def add_challenge(response: Response) -> Response:
    """Tell a client that was refused for missing credentials how to authenticate."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="chefsresan"')
    return response

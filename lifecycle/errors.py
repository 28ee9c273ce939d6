"""Error pages in the user's language, and JSON errors for API clients; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any
from typing import cast

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.wrappers import Response

from lifecycle.extensions import db

logger = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Log in to continue."),
    403: _l("You do not have access to this page."),
    404: _l("The page does not exist, or you do not have access to it."),
    405: _l("That action is not possible here."),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Wait a minute and try again."),
    500: _l("Something went wrong on our side. Try again in a moment."),
    503: _l("The service is temporarily unavailable."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _respond(status: int, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify({"error": {"message": message}}), status
    return render_template("errors/error.html", status=status, message=message), status


def handle_http_error(error: HTTPException) -> Response | tuple[Response | str, int]:
    if error.response is not None:  # e.g. the redirect to the login page
        return cast(Response, error.response)
    status = error.code or 500
    message = str(MESSAGES.get(status, error.description or MESSAGES[400]))
    return _respond(status, message)


def _route() -> str:
    """Name the request by its method and URL rule, never its path: a path can hold a secret (a link's)."""
    rule = request.url_rule
    return f"{request.method} {rule.rule if rule is not None else '(no route)'}"


def handle_csrf_error(error: CSRFError) -> tuple[Response | str, int]:
    logger.info("CSRF check failed on %s: %s", _route(), error.description)
    return _respond(
        400, str(_l("The form has expired or was sent from elsewhere. Reload the page and try again."))
    )


def handle_unexpected_error(error: InternalServerError) -> tuple[Response | str, int]:
    db.session.rollback()
    logger.error("unhandled error on %s", _route(), exc_info=error.original_exception or error)
    return _respond(500, str(MESSAGES[500]))


def _leave_logging_to_the_handler(exc_info: Any) -> None:
    """Replace Flask's "Exception on <path>" line: `handle_unexpected_error` logs it, by route."""


def register_error_handlers(app: Flask) -> None:
    # Flask logs an unhandled exception with the request's path before calling the handler; a path can
    # hold a secret, and the handler logs the same exception by route.
    app.log_exception = _leave_logging_to_the_handler  # type: ignore[method-assign]
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(HTTPException, handle_http_error)

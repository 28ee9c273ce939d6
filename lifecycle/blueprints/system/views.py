"""Operational endpoints for load balancers and monitoring."""

from __future__ import annotations

import logging

from flask import Blueprint
from flask import jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from lifecycle.extensions import db

logger = logging.getLogger(__name__)

bp = Blueprint("system", __name__)


@bp.get("/healthz")
def health() -> tuple[Response, int]:
    """Answer whether this web process can reach its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("health check: database unreachable")
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200

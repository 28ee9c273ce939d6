"""The API's one error shape: {"error": {"message": ..., "fields": {name: [messages]}}}."""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from lifecycle.extensions import db


class ApiError(Exception):
    """A refusal meant for the API client; `fields` maps a field or parameter to what is wrong with it."""

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}


def error_response(status: int, message: str, fields: dict[str, list[str]] | None = None) -> Response:
    body: dict[str, object] = {"message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    return response


def handle_api_error(error: ApiError) -> Response:
    # Whatever a refused request had flushed is never kept.
    db.session.rollback()
    return error_response(error.status, error.message, error.fields)

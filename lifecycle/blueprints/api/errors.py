"""The API's one error shape: {"error": {"message": ..., "fields": {name: [messages]}}}."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager

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


def _unchanged(field: str) -> str:
    return field


@contextmanager
def refusals_as_422(*refusals: type[Exception], rename: Callable[[str], str] = _unchanged) -> Iterator[None]:
    """Answer 422 with a field error when a service raises one of `refusals` (each names its `field`;
    `rename` gives the API's name for it). The error handler rolls back what the request flushed.
    """
    try:
        yield
    except refusals as refused:
        field = rename(getattr(refused, "field", ""))
        raise ApiError(422, str(refused), fields={field: [str(refused)]}) from refused

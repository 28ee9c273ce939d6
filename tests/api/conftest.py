"""Fixtures for the JSON API: clients that send a personal token, and the OpenAPI response check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from lifecycle.blueprints.api.openapi import openapi_document
from lifecycle.enums import Role
from lifecycle.models import User
from lifecycle.services.tokens import create_token
from tests.factories import make_user

DOCUMENT_URI = "urn:chefsresan:openapi"


class ApiClient:
    """A test client that sends `Authorization: Bearer <secret>` with every request."""

    def __init__(self, client: FlaskClient, secret: str | None) -> None:
        self.client = client
        self.secret = secret

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**headers, **(extra or {})}

    def get(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self._headers(headers), **kwargs)

    def post(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self._headers(headers), **kwargs)

    def patch(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.patch(url, headers=self._headers(headers), **kwargs)

    def put(self, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.put(url, headers=self._headers(headers), **kwargs)


@pytest.fixture
def api_as(app: Flask) -> Callable[[User], ApiClient]:
    """Return an API client holding a fresh token of the given user."""

    def _client(user: User) -> ApiClient:
        _token, secret = create_token(user, "tests")
        return ApiClient(app.test_client(), secret)

    return _client


@pytest.fixture
def hr_api(app_ctx: Flask, api_as: Callable[[User], ApiClient]) -> ApiClient:
    return api_as(make_user(Role.HR))


def _pointer(*parts: str) -> str:
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


class ResponseChecker:
    """Validate responses against the schemas the OpenAPI document gives for them."""

    def __init__(self) -> None:
        self.document = openapi_document()
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        self.checked: set[tuple[str, str, int]] = set()

    def _validate(self, pointer: str, instance: Any) -> None:
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#{pointer}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)

    def response(self, response: Any, method: str, path: str) -> Any:
        """Check that the status is documented for the operation and the body matches its schema."""
        operation = self.document["paths"][path][method]
        status = str(response.status_code)
        assert status in operation["responses"], (
            f"{method.upper()} {path} answered {status}, which the document does not list: "
            f"{response.get_data(as_text=True)}"
        )
        assert response.mimetype == "application/json"
        documented = operation["responses"][status]
        if "$ref" in documented:
            pointer = documented["$ref"].removeprefix("#") + _pointer("content", "application/json", "schema")
        else:
            pointer = _pointer(
                "paths", path, method, "responses", status, "content", "application/json", "schema"
            )
        self._validate(pointer, response.get_json())
        self.checked.add((method, path, response.status_code))
        return response

    def request_body(self, body: Any, method: str, path: str) -> Any:
        """Check that a body the tests send is one the document accepts."""
        self._validate(
            _pointer("paths", path, method, "requestBody", "content", "application/json", "schema"), body
        )
        return body


@pytest.fixture
def check() -> ResponseChecker:
    return ResponseChecker()

"""The OpenAPI 3.1 document of the JSON API, assembled from what the views declare.

Each view is registered with `bp.operation(...)` (see `operations`), naming its body and response
models (`schemas`, `plan_schemas`); their JSON Schema comes from the models themselves (`contract`).
What is left here is the frame: the info, the security schemes, the error responses and the paths.

A test checks that every route under /api/v1 is documented with its methods (operationId = the
view's name), that nothing documented is missing, and that real responses match these schemas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import component_schemas
from lifecycle.blueprints.api.operations import Operation
from lifecycle.blueprints.api.schemas import QueryParameter

Schema = dict[str, Any]

API_VERSION = "1.0.0"
SERVER_URL = "/api/v1"
#: a variable part of a route, as "<int(min=1, max=...):manager_id>"
_RULE_ARGUMENT = re.compile(r"<(?:([^:<>(]+)(?:\([^<>]*\))?:)?([^<>]+)>")


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_schema() -> Schema:
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["message"],
                "additionalProperties": False,
                "properties": {
                    "message": {"type": "string", "description": "What went wrong, in the user's language."},
                    "fields": {
                        "type": "object",
                        "description": "For each field or parameter that is not valid, what is wrong.",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        },
    }


#: the error responses, by status
ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "The body is not valid JSON, or a field or parameter has the wrong type or form."),
    401: ("Unauthorized", "No valid API token or session was sent."),
    403: ("Forbidden", "A change was authenticated by a session cookie; changes need an API token."),
    404: (
        "NotFound",
        "The object does not exist, or the caller may not see it or do this; the two look the same.",
    ),
    409: (
        "Conflict",
        "Another record already has this value (for example the employee number), or a simultaneous "
        "change got there first; reload and try again.",
    ),
    415: ("UnsupportedMediaType", "The body is not sent as application/json."),
    422: ("UnprocessableContent", "The request breaks a rule of the journey or refers to something missing."),
}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(operation: Operation) -> Schema:
    schema = operation.response_schema or ref(operation.response.__name__ if operation.response else "")
    success: Schema = _json(schema, operation.response_description)
    if operation.location:
        success["headers"] = {
            "Location": {"description": "The new object's URL.", "schema": {"type": "string"}}
        }
    responses: Schema = {str(operation.status): success}
    for status in sorted({401, *operation.errors}):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
    return responses


def _query_parameters(query: Sequence[QueryParameter]) -> list[Schema]:
    parameters = []
    for parameter in query:
        spec: Schema = {
            "name": parameter.name,
            "in": "query",
            "required": False,
            "description": parameter.description,
            "schema": parameter.schema,
        }
        if parameter.repeatable:
            spec.update(style="form", explode=True)
        parameters.append(spec)
    return parameters


def _path_of(rule: str) -> tuple[str, list[Schema]]:
    """The document's path for a route, and its path parameters (ids, the only kind the API has)."""
    parameters = []
    for converter, name in _RULE_ARGUMENT.findall(rule):
        if converter != "int":
            raise ValueError(f"{rule}: only integer ids are documented as path parameters")
        parameters.append({"name": name, "in": "path", "required": True, "schema": IDENTIFIER.schema})
    return _RULE_ARGUMENT.sub(lambda found: "{" + found.group(2) + "}", rule), parameters


def _operation(operation: Operation) -> Schema:
    spec: Schema = {"operationId": operation.name, "summary": operation.summary}
    if operation.description:
        spec["description"] = operation.description
    spec["tags"] = list(operation.tags)
    if operation.security is not None:
        spec["security"] = list(operation.security)
    if operation.query:
        spec["parameters"] = _query_parameters(operation.query)
    if operation.body is not None:
        spec["requestBody"] = {
            "required": not operation.body_optional,
            "content": {"application/json": {"schema": ref(operation.body.__name__)}},
        }
    spec["responses"] = _responses(operation)
    return spec


def _paths(operations: Sequence[Operation]) -> dict[str, Schema]:
    paths: dict[str, Schema] = {}
    for operation in operations:
        path, parameters = _path_of(operation.rule)
        item = paths.setdefault(path, {"parameters": parameters} if parameters else {})
        item[operation.method] = _operation(operation)
    return paths


@cache
def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document (built once; it does not depend on the request)."""
    # The views declare their operations on the blueprint as their module is imported.
    from lifecycle.blueprints.api.views import bp

    operations = bp.operations
    bodies = list(dict.fromkeys(op.body for op in operations if op.body is not None))
    responses = list(dict.fromkeys(op.response for op in operations if op.response is not None))
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Chefsresan API",
            "version": API_VERSION,
            "description": "The manager's journey, from attracting to offboarding. Authenticate with a "
            "personal API token: `Authorization: Bearer <token>`; create one on your settings page or "
            "with `flask --app lifecycle api-token EMAIL`. The same access rules apply as on the pages. "
            'Errors are JSON: `{"error": {"message": ..., "fields": {...}}}`.',
        },
        "servers": [{"url": SERVER_URL}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "tags": [
            {"name": "managers", "description": "People on the journey and their moves."},
            {"name": "organisation", "description": "The organisation tree."},
            {"name": "platform", "description": "The leadership platform."},
            {"name": "activities", "description": "Activities on the journey, and the catalogue."},
            {"name": "plans", "description": "Development plans, their goals and comments."},
            {"name": "reviews", "description": "Development reviews and their assessments."},
            {"name": "coverage", "description": "Which pillars managers and units have been building."},
            {"name": "recruitment", "description": "Vacancies, their job ads and interview guides."},
            {"name": "obstacles", "description": "The obstacle log: what stands in managers' way."},
            # -- mentoring --
            {"name": "mentoring", "description": "Role models, mentor suggestions and mentorships."},
            {
                "name": "workshops",
                "description": "Management-group workshops, their outcome and group goals.",
            },
            # -- effect map ----
            {
                "name": "effect map",
                "description": "The effect map: desired effects, their measures, drivers and obstacles.",
            },
            {"name": "meta", "description": "About the API itself."},
        ],
        "paths": _paths(operations),
        "components": {
            "schemas": {"Error": _error_schema(), **component_schemas(bodies, responses)},
            "responses": {name: _json(ref("Error"), description) for name, description in ERRORS.values()},
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (starts with `chr_`).",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The browser's login session; reads only (changes need a token).",
                },
            },
        },
    }


def with_platform_examples(
    document: dict[str, Any], pillar_keys: list[str], expectation_keys: list[str]
) -> Any:
    """Return a copy of the document whose tag lists show examples from the loaded platform's own keys."""
    examples = {"pillars": pillar_keys[:1], "expectations": expectation_keys[:2]}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            copied = {key: walk(value) for key, value in node.items()}
            properties = copied.get("properties")
            if isinstance(properties, dict):
                for name, example in examples.items():
                    prop = properties.get(name)
                    if isinstance(prop, dict) and prop.get("type") == "array" and example:
                        properties[name] = {**prop, "examples": [example]}
            return copied
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(document)

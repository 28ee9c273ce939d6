"""The OpenAPI 3.1 document of the JSON API, built from the same field definitions the views use.

A test checks that every route under /api/v1 is documented with its methods (operationId = the
view's name), that nothing documented is missing, and that real responses match these schemas.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from lifecycle.blueprints.api.schemas import DATE
from lifecycle.blueprints.api.schemas import IDENTIFIER
from lifecycle.blueprints.api.schemas import MANAGER_CREATE
from lifecycle.blueprints.api.schemas import MANAGER_QUERY_PARAMETERS
from lifecycle.blueprints.api.schemas import MANAGER_UPDATE
from lifecycle.blueprints.api.schemas import STAGE
from lifecycle.blueprints.api.schemas import TRANSITION_CREATE
from lifecycle.enums import OrgUnitKind

Schema = dict[str, Any]

API_VERSION = "1.0.0"
SERVER_URL = "/api/v1"


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict[str, Schema], description: str = "") -> Schema:
    """A closed object whose properties are all present (the API always sends every key)."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _list_of(name: str) -> Schema:
    return _object({"items": {"type": "array", "items": ref(name)}})


_STRING: Schema = {"type": "string"}
_DATE_TIME: Schema = {"type": "string", "format": "date-time"}
_ID: Schema = {"type": "integer", "minimum": 1}


def _schemas() -> dict[str, Schema]:
    texts = _object({"sv": _STRING, "en": _STRING}, "A text in Swedish and English.")
    return {
        "Error": _error_schema(),
        "Stage": {
            **STAGE.schema,
            "description": "A stage of the journey: attract, recruit, introduce, develop (retain and "
            "develop), offboard, or closed.",
        },
        "Manager": _object(
            {
                "id": _ID,
                "name": _STRING,
                "employee_number": _nullable(_STRING),
                "email": _nullable(_STRING),
                "title": _nullable(_STRING),
                "stage": ref("Stage"),
                "stage_entered_on": DATE.schema,
                "org_unit_id": _nullable(_ID),
                "line_manager_id": _nullable(_ID),
                "hr_partner_id": _nullable(_ID),
                "mentor_id": _nullable(_ID),
                "start_date": _nullable(DATE.schema),
                "end_date": _nullable(DATE.schema),
                "created_at": _DATE_TIME,
                "updated_at": _DATE_TIME,
            },
            "A manager, candidate or aspirant on the journey.",
        ),
        "ManagerPage": _object(
            {
                "items": {"type": "array", "items": ref("Manager")},
                "next_cursor": {
                    "type": ["string", "null"],
                    "description": "Pass as `cursor` for the next page; null on the last page.",
                },
            }
        ),
        "ManagerCreate": {
            **MANAGER_CREATE.json_schema(),
            "description": "A new person on the journey. `stage` must be an entry stage (attract, "
            "recruit, introduce or develop); `effective_date` defaults to today.",
        },
        "ManagerUpdate": {
            **MANAGER_UPDATE.json_schema(),
            "description": "The details to change; fields left out stay as they are, null clears one.",
        },
        "Actor": _object({"id": _ID, "name": _STRING}, "The user who made a move."),
        "Transition": _object(
            {
                "id": _ID,
                "manager_id": _ID,
                "from_stage": {"anyOf": [ref("Stage"), {"type": "null"}]},
                "to_stage": ref("Stage"),
                "effective_date": DATE.schema,
                "reason": _STRING,
                "recorded_at": _DATE_TIME,
                "actor": {"anyOf": [ref("Actor"), {"type": "null"}]},
            },
            "One move on the journey; `from_stage` is null when the person entered it.",
        ),
        "TransitionList": _list_of("Transition"),
        "TransitionCreate": {
            **TRANSITION_CREATE.json_schema(),
            "description": "A move to another stage. `effective_date` defaults to today; moving to "
            "offboard needs an `end_date` unless the manager has one.",
        },
        "Unit": _object(
            {
                "id": _ID,
                "name": _STRING,
                "kind": {"type": "string", "enum": [kind.value for kind in OrgUnitKind]},
                "parent_id": _nullable(_ID),
                "path": {"type": "string", "description": 'Ids from the root down, as "/1/7/42/".'},
            }
        ),
        "UnitList": _list_of("Unit"),
        "Texts": texts,
        "Expectation": _object(
            {
                "key": _STRING,
                "position": {"type": "integer"},
                "text": ref("Texts"),
                "retired": {"type": "boolean"},
            }
        ),
        "Pillar": _object(
            {
                "key": _STRING,
                "position": {"type": "integer"},
                "name": ref("Texts"),
                "description": ref("Texts"),
                "trait": ref("Texts"),
                "retired": {"type": "boolean"},
                "expectations": {"type": "array", "items": ref("Expectation")},
            }
        ),
        "Platform": _object(
            {
                "key": _STRING,
                "municipality": ref("Texts"),
                "name": ref("Texts"),
                "promise": ref("Texts"),
                "whole": ref("Texts"),
                "purpose": ref("Texts"),
                "values": {"type": "array", "items": ref("Texts")},
                "pillars": {"type": "array", "items": ref("Pillar")},
            },
            "The leadership platform; retired pillars and expectations are kept and marked.",
        ),
    }


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
    409: ("Conflict", "Another record already has this value (for example the employee number)."),
    415: ("UnsupportedMediaType", "The body is not sent as application/json."),
    422: ("UnprocessableContent", "The request breaks a rule of the journey or refers to something missing."),
}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(success: int, schema: Schema, description: str, *errors: int) -> Schema:
    responses: Schema = {str(success): _json(schema, description)}
    for status in sorted({401, *errors}):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
    return responses


def _with_location(responses: Schema) -> Schema:
    location = {"description": "The new object's URL.", "schema": _STRING}
    return {**responses, "201": {**responses["201"], "headers": {"Location": location}}}


def _body(name: str) -> Schema:
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


_WRITE_ERRORS = (400, 403, 404, 415, 422)
_MANAGER_ID_PARAMETER: Schema = {
    "name": "manager_id",
    "in": "path",
    "required": True,
    "schema": IDENTIFIER.schema,
}


def _query_parameters() -> list[Schema]:
    parameters = []
    for parameter in MANAGER_QUERY_PARAMETERS:
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


def _paths() -> dict[str, Schema]:
    managers_tag = ["managers"]
    return {
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "tags": ["meta"],
                "security": [{}, {"bearerAuth": []}, {"sessionCookie": []}],
                "responses": _responses(200, {"type": "object"}, "The OpenAPI 3.1 document."),
            }
        },
        "/managers": {
            "get": {
                "operationId": "list_managers",
                "summary": "List the managers the caller may see",
                "description": "HR and administrators see everyone; a manager sees themselves and their "
                "direct reports. Pages are ordered by id; follow `next_cursor` until it is null.",
                "tags": managers_tag,
                "parameters": _query_parameters(),
                "responses": _responses(200, ref("ManagerPage"), "A page of managers.", 400),
            },
            "post": {
                "operationId": "create_manager",
                "summary": "Add a person to the journey (HR)",
                "tags": managers_tag,
                "requestBody": _body("ManagerCreate"),
                "responses": _with_location(
                    _responses(201, ref("Manager"), "The new manager.", *_WRITE_ERRORS, 409)
                ),
            },
        },
        "/managers/{manager_id}": {
            "parameters": [_MANAGER_ID_PARAMETER],
            "get": {
                "operationId": "get_manager",
                "summary": "One manager",
                "tags": managers_tag,
                "responses": _responses(200, ref("Manager"), "The manager.", 404),
            },
            "patch": {
                "operationId": "update_manager_details",
                "summary": "Change a manager's details (HR)",
                "description": "Each changed detail is recorded in the manager's history (source: api). "
                "The stage is changed by posting a transition, not here.",
                "tags": managers_tag,
                "requestBody": _body("ManagerUpdate"),
                "responses": _responses(200, ref("Manager"), "The manager as changed.", *_WRITE_ERRORS, 409),
            },
        },
        "/managers/{manager_id}/transitions": {
            "parameters": [_MANAGER_ID_PARAMETER],
            "get": {
                "operationId": "list_transitions",
                "summary": "The manager's moves on the journey, newest first",
                "tags": managers_tag,
                "responses": _responses(200, ref("TransitionList"), "The history.", 404),
            },
            "post": {
                "operationId": "create_transition",
                "summary": "Move the manager to another stage (HR)",
                "tags": managers_tag,
                "requestBody": _body("TransitionCreate"),
                "responses": _responses(201, ref("Transition"), "The recorded move.", *_WRITE_ERRORS),
            },
        },
        "/units": {
            "get": {
                "operationId": "list_units",
                "summary": "The organisation units, parents before their children",
                "tags": ["organisation"],
                "responses": _responses(200, ref("UnitList"), "Every unit."),
            }
        },
        "/platform": {
            "get": {
                "operationId": "show_platform",
                "summary": "The leadership platform, in Swedish and English",
                "tags": ["platform"],
                "responses": _responses(200, ref("Platform"), "The platform.", 404),
            }
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document (built once; it does not depend on the request)."""
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
            {"name": "meta", "description": "About the API itself."},
        ],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
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

"""The OpenAPI 3.1 document of the JSON API, built from the same field definitions the views use.

A test checks that every route under /api/v1 is documented with its methods (operationId = the
view's name), that nothing documented is missing, and that real responses match these schemas.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from lifecycle.blueprints.api.plan_schemas import ACTIVITY_CANCEL
from lifecycle.blueprints.api.plan_schemas import ACTIVITY_COMPLETE
from lifecycle.blueprints.api.plan_schemas import ACTIVITY_CREATE
from lifecycle.blueprints.api.plan_schemas import ACTIVITY_KIND
from lifecycle.blueprints.api.plan_schemas import ACTIVITY_QUERY_PARAMETERS
from lifecycle.blueprints.api.plan_schemas import ASSESSMENTS_SET
from lifecycle.blueprints.api.plan_schemas import COMMENT_CREATE
from lifecycle.blueprints.api.plan_schemas import GOAL_CREATE
from lifecycle.blueprints.api.plan_schemas import GOAL_STATUS
from lifecycle.blueprints.api.plan_schemas import GOAL_UPDATE
from lifecycle.blueprints.api.plan_schemas import GROUP_ACTIVITY_CREATE
from lifecycle.blueprints.api.plan_schemas import REVIEW_COMPLETE
from lifecycle.blueprints.api.plan_schemas import SCORE
from lifecycle.blueprints.api.plan_schemas import UNIT_COVERAGE_PARAMETERS
from lifecycle.blueprints.api.schemas import DATE
from lifecycle.blueprints.api.schemas import IDENTIFIER
from lifecycle.blueprints.api.schemas import MANAGER_CREATE
from lifecycle.blueprints.api.schemas import MANAGER_QUERY_PARAMETERS
from lifecycle.blueprints.api.schemas import MANAGER_UPDATE
from lifecycle.blueprints.api.schemas import STAGE
from lifecycle.blueprints.api.schemas import TRANSITION_CREATE
from lifecycle.blueprints.api.schemas import QueryParameter
from lifecycle.enums import Assessor
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


def _page_of(name: str) -> Schema:
    """The paging envelope of every paged list (`schemas.keyset_page` writes it)."""
    return _object(
        {
            "items": {"type": "array", "items": ref(name)},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
        }
    )


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
        "ManagerPage": _page_of("Manager"),
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


def _query_parameters(query: Sequence[QueryParameter] = MANAGER_QUERY_PARAMETERS) -> list[Schema]:
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


# -- the development side: activities, plans, reviews, coverage and the catalogue --------------------

_KEYS: Schema = {"type": "array", "items": _STRING}
_COUNT: Schema = {"type": "integer", "minimum": 0}


def _or_null(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _plan_schemas() -> dict[str, Schema]:
    return {
        "ActivityKind": {**ACTIVITY_KIND.schema, "description": "What sort of activity it is."},
        "GoalStatus": {**GOAL_STATUS.schema, "description": "How far a goal has come."},
        "Activity": _object(
            {
                "id": _ID,
                "kind": ref("ActivityKind"),
                "title": _STRING,
                "description": _STRING,
                "stage": _or_null(ref("Stage")),
                "due_on": _nullable(DATE.schema),
                "completed_on": _nullable(DATE.schema),
                "cancelled_at": _nullable(_DATE_TIME),
                "status": {"type": "string", "enum": ["open", "overdue", "completed", "cancelled"]},
                "pillars": {**_KEYS, "minItems": 1, "description": "The pillars it builds, by key."},
                "expectations": {**_KEYS, "description": "The expectations it builds, by key."},
                "participant_count": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "How many managers take part; more than one for a group activity.",
                },
                "catalogue_item_id": _nullable(_ID),
                "goal_id": _nullable(_ID),
                "created_at": _DATE_TIME,
            },
            "An activity on the journey, building at least one pillar of the leadership platform.",
        ),
        "ActivityPage": _page_of("Activity"),
        "ActivityCreate": {
            **ACTIVITY_CREATE.json_schema(),
            "description": "An activity for this manager. Either `kind` and `title` with at least one "
            "pillar (given in `pillars`, or brought along by an expectation), or a `catalogue_item_id`, "
            "whose kind, title, description and tags are used (then only `due_on`, `completed_on` and "
            "`goal_id` may be given besides). `goal_id` must be a goal of this manager's plan.",
        },
        "GroupActivityCreate": {
            **GROUP_ACTIVITY_CREATE.json_schema(),
            "description": "One activity for several managers; it counts for each of them. The same "
            "rules as for one manager's activity, without a goal.",
        },
        "ActivityComplete": {
            **ACTIVITY_COMPLETE.json_schema(),
            "description": "`completed_on` defaults to today; the body may be left out.",
        },
        "ActivityCancel": {
            **ACTIVITY_CANCEL.json_schema(),
            "description": "No fields; the body may be left out.",
        },
        "Goal": _object(
            {
                "id": _ID,
                "plan_id": _ID,
                "title": _STRING,
                "description": _STRING,
                "target_on": _nullable(DATE.schema),
                "status": ref("GoalStatus"),
                "expectations": {**_KEYS, "description": "The expectations the goal develops, by key."},
                "activity_ids": {"type": "array", "items": _ID, "description": "Activities for this goal."},
                "created_at": _DATE_TIME,
            }
        ),
        "GoalCreate": {
            **GOAL_CREATE.json_schema(),
            "description": "A goal in the manager's current plan (started if there is none), tied to at "
            "least one current expectation.",
        },
        "GoalUpdate": GOAL_UPDATE.json_schema(),
        "PlanComment": _object(
            {
                "id": _ID,
                "author": _or_null(ref("Actor")),
                "body": _STRING,
                "created_at": _DATE_TIME,
            },
            "A comment on a plan by the line manager or HR.",
        ),
        "PlanCommentCreate": COMMENT_CREATE.json_schema(),
        "UpcomingReview": _object({"id": _ID, "plan_id": _ID, "scheduled_on": DATE.schema}),
        "Plan": _object(
            {
                "manager_id": _ID,
                "id": _nullable(_ID),
                "starts_on": _nullable(DATE.schema),
                "ends_on": _nullable(DATE.schema),
                "notes": _STRING,
                "goals": {"type": "array", "items": ref("Goal")},
                "comments": {"type": "array", "items": ref("PlanComment")},
                "upcoming_reviews": {"type": "array", "items": ref("UpcomingReview")},
                "can_edit": {"type": "boolean", "description": "Whether the caller may add goals."},
                "can_comment": {"type": "boolean", "description": "Whether the caller may comment."},
            },
            "The plan whose period holds today; without one, `id` and the period are null.",
        ),
        "Assessment": _object(
            {
                "expectation": _STRING,
                "assessor": {"type": "string", "enum": [assessor.value for assessor in Assessor]},
                "score": SCORE.schema,
                "comment": _STRING,
            }
        ),
        "Review": _object(
            {
                "id": _ID,
                "plan_id": _ID,
                "manager_id": _ID,
                "scheduled_on": DATE.schema,
                "completed_on": _nullable(DATE.schema),
                "status": {"type": "string", "enum": ["scheduled", "completed"]},
                "next_steps": _STRING,
                "assessments": {"type": "array", "items": ref("Assessment")},
            },
            "A development review (utvecklingssamtal) with both parties' assessments.",
        ),
        "ReviewList": _list_of("Review"),
        "AssessmentsSet": {
            **ASSESSMENTS_SET.json_schema(),
            "description": "The caller's scores: the manager's self-assessment, or their line "
            "manager's. Each replaces the caller's earlier score for that expectation.",
        },
        "ReviewComplete": {
            **REVIEW_COMPLETE.json_schema(),
            "description": "`completed_on` defaults to today. The review then counts as a completed "
            "development-review activity for the pillars it assessed.",
        },
        "ExpectationCoverage": _object({"key": _STRING, "retired": {"type": "boolean"}, "count": _COUNT}),
        "PillarCoverage": _object(
            {
                "key": _STRING,
                "retired": {"type": "boolean"},
                "count": _COUNT,
                "expectations": {"type": "array", "items": ref("ExpectationCoverage")},
            }
        ),
        "ManagerCoverage": _object(
            {
                "manager_id": _ID,
                "since": DATE.schema,
                "until": DATE.schema,
                "pillars": {"type": "array", "items": ref("PillarCoverage")},
            },
            "Completed activities per pillar and expectation from `since` to `until` (twelve months). "
            "Retired parts appear only where something counts for them.",
        ),
        "UnitCoverageRow": _object(
            {
                "unit": _object({"id": _ID, "name": _STRING}),
                "managers": {**_COUNT, "description": "Managers in post in the unit and below it."},
                "shares": {
                    "type": "object",
                    "description": "Per pillar key, the share (0–1) of those managers with a completed "
                    "activity building it.",
                    "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                },
            }
        ),
        "UnitCoverage": _object(
            {
                "unit_id": _nullable(_ID),
                "since": DATE.schema,
                "until": DATE.schema,
                "pillars": {**_KEYS, "description": "The current pillars, in order."},
                "rows": {"type": "array", "items": ref("UnitCoverageRow")},
            }
        ),
        "CatalogueItem": _object(
            {
                "id": _ID,
                "title": _STRING,
                "kind": ref("ActivityKind"),
                "description": _STRING,
                "pillars": _KEYS,
                "expectations": _KEYS,
            },
            "An activity HR offers, with the tags an activity made from it gets.",
        ),
        "CatalogueList": _list_of("CatalogueItem"),
    }


def _path_id(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": IDENTIFIER.schema}


def _optional_body(name: str) -> Schema:
    return {"required": False, "content": {"application/json": {"schema": ref(name)}}}


def _plan_paths() -> dict[str, Schema]:
    activities, plans, reviews, coverage = ["activities"], ["plans"], ["reviews"], ["coverage"]
    plan_readers = "For the manager, their line manager, their mentor and HR."
    return {
        "/managers/{manager_id}/activities": {
            "parameters": [_MANAGER_ID_PARAMETER],
            "get": {
                "operationId": "list_activities",
                "summary": "The manager's activities, a page at a time",
                "description": f"{plan_readers} Ordered by id; follow `next_cursor` until it is null.",
                "tags": activities,
                "parameters": _query_parameters(ACTIVITY_QUERY_PARAMETERS),
                "responses": _responses(200, ref("ActivityPage"), "A page of activities.", 400, 404),
            },
            "post": {
                "operationId": "create_activity",
                "summary": "Add an activity for the manager",
                "description": "HR for any manager; a manager for themselves. Without a pillar (given, "
                "or implied by an expectation) the activity is refused with 422.",
                "tags": activities,
                "requestBody": _body("ActivityCreate"),
                "responses": _responses(201, ref("Activity"), "The new activity.", *_WRITE_ERRORS),
            },
        },
        "/activities": {
            "post": {
                "operationId": "create_group_activity",
                "summary": "Add one activity for a group of managers (HR)",
                "tags": activities,
                "requestBody": _body("GroupActivityCreate"),
                "responses": _responses(201, ref("Activity"), "The new activity.", *_WRITE_ERRORS),
            }
        },
        "/activities/{activity_id}/complete": {
            "parameters": [_path_id("activity_id")],
            "post": {
                "operationId": "mark_activity_completed",
                "summary": "Mark an activity completed",
                "description": "HR, or the manager whose own activity it is (its only participant).",
                "tags": activities,
                "requestBody": _optional_body("ActivityComplete"),
                "responses": _responses(200, ref("Activity"), "The activity.", *_WRITE_ERRORS),
            },
        },
        "/activities/{activity_id}/cancel": {
            "parameters": [_path_id("activity_id")],
            "post": {
                "operationId": "mark_activity_cancelled",
                "summary": "Cancel an activity that will not happen",
                "description": "HR, or the manager whose own activity it is (its only participant). "
                "It stays in the history as cancelled; cancelling again changes nothing.",
                "tags": activities,
                "requestBody": _optional_body("ActivityCancel"),
                "responses": _responses(200, ref("Activity"), "The activity.", *_WRITE_ERRORS),
            },
        },
        "/catalogue": {
            "get": {
                "operationId": "list_catalogue",
                "summary": "The activities HR offers",
                "tags": activities,
                "responses": _responses(200, ref("CatalogueList"), "The active catalogue items."),
            }
        },
        "/managers/{manager_id}/plan": {
            "parameters": [_MANAGER_ID_PARAMETER],
            "get": {
                "operationId": "show_plan",
                "summary": "The manager's current development plan",
                "description": plan_readers,
                "tags": plans,
                "responses": _responses(200, ref("Plan"), "The plan.", 404),
            },
        },
        "/managers/{manager_id}/plan/goals": {
            "parameters": [_MANAGER_ID_PARAMETER],
            "post": {
                "operationId": "create_goal",
                "summary": "Add a goal to the manager's own plan",
                "description": "The manager themself only.",
                "tags": plans,
                "requestBody": _body("GoalCreate"),
                "responses": _responses(201, ref("Goal"), "The new goal.", *_WRITE_ERRORS, 409),
            },
        },
        "/goals/{goal_id}": {
            "parameters": [_path_id("goal_id")],
            "patch": {
                "operationId": "update_goal",
                "summary": "Change a goal's status",
                "description": "The manager whose plan it is.",
                "tags": plans,
                "requestBody": _body("GoalUpdate"),
                "responses": _responses(200, ref("Goal"), "The goal.", 400, 403, 404, 415),
            },
        },
        "/managers/{manager_id}/plan/comments": {
            "parameters": [_MANAGER_ID_PARAMETER],
            "post": {
                "operationId": "create_plan_comment",
                "summary": "Comment on the manager's plan",
                "description": "The line manager or HR; the manager reads the comments.",
                "tags": plans,
                "requestBody": _body("PlanCommentCreate"),
                "responses": _responses(201, ref("PlanComment"), "The new comment.", *_WRITE_ERRORS, 409),
            },
        },
        "/managers/{manager_id}/reviews": {
            "parameters": [_MANAGER_ID_PARAMETER],
            "get": {
                "operationId": "list_reviews",
                "summary": "The manager's development reviews, newest first",
                "description": f"{plan_readers} Scheduled and completed, with the assessments.",
                "tags": reviews,
                "responses": _responses(200, ref("ReviewList"), "The reviews.", 404),
            },
        },
        "/reviews/{review_id}/assessments": {
            "parameters": [_path_id("review_id")],
            "put": {
                "operationId": "set_review_assessments",
                "summary": "Save the caller's assessment in a review",
                "description": "The manager (self-assessment) or their line manager; the caller's role "
                "decides whose scores these are.",
                "tags": reviews,
                "requestBody": _body("AssessmentsSet"),
                "responses": _responses(200, ref("Review"), "The review.", *_WRITE_ERRORS, 409),
            },
        },
        "/reviews/{review_id}/complete": {
            "parameters": [_path_id("review_id")],
            "post": {
                "operationId": "mark_review_completed",
                "summary": "Complete a review with its next steps",
                "description": "The line manager or HR. The next steps can become a new goal.",
                "tags": reviews,
                "requestBody": _body("ReviewComplete"),
                "responses": _responses(200, ref("Review"), "The review.", *_WRITE_ERRORS),
            },
        },
        "/managers/{manager_id}/coverage": {
            "parameters": [_MANAGER_ID_PARAMETER],
            "get": {
                "operationId": "show_manager_coverage",
                "summary": "What the manager built per pillar and expectation in twelve months",
                "description": plan_readers,
                "tags": coverage,
                "responses": _responses(200, ref("ManagerCoverage"), "The counts.", 404),
            },
        },
        "/coverage/units": {
            "get": {
                "operationId": "show_unit_coverage",
                "summary": "Pillar coverage per organisation unit (HR)",
                "description": "Per unit (its sub-units included), the share of managers in post with a "
                "completed activity for each pillar in twelve months.",
                "tags": coverage,
                "parameters": _query_parameters(UNIT_COVERAGE_PARAMETERS),
                "responses": _responses(200, ref("UnitCoverage"), "The heatmap's rows.", 400, 404),
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
            {"name": "activities", "description": "Activities on the journey, and the catalogue."},
            {"name": "plans", "description": "Development plans, their goals and comments."},
            {"name": "reviews", "description": "Development reviews and their assessments."},
            {"name": "coverage", "description": "Which pillars managers and units have been building."},
            {"name": "meta", "description": "About the API itself."},
        ],
        "paths": {**_paths(), **_plan_paths()},
        "components": {
            "schemas": {**_schemas(), **_plan_schemas()},
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

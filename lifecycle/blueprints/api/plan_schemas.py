"""Reading and writing the development-plan side of the API: activities, plans, reviews, coverage.

Built on the same `Field` and `BodySchema` as `schemas`: each field's check and its published JSON
Schema live together. Lists are capped so a huge body is refused before it reaches the database.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.schemas import DATE
from lifecycle.blueprints.api.schemas import DEFAULT_PAGE_SIZE
from lifecycle.blueprints.api.schemas import IDENTIFIER
from lifecycle.blueprints.api.schemas import MAX_ID
from lifecycle.blueprints.api.schemas import MAX_PAGE_SIZE
from lifecycle.blueprints.api.schemas import STAGE
from lifecycle.blueprints.api.schemas import BodySchema
from lifecycle.blueprints.api.schemas import Field
from lifecycle.blueprints.api.schemas import FieldError
from lifecycle.blueprints.api.schemas import QueryParameter
from lifecycle.blueprints.api.schemas import Schema
from lifecycle.blueprints.api.schemas import _query_int
from lifecycle.blueprints.api.schemas import nullable
from lifecycle.blueprints.api.schemas import text_field
from lifecycle.enums import ActivityKind
from lifecycle.enums import GoalStatus
from lifecycle.models import Activity
from lifecycle.models import CatalogueItem
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import User
from lifecycle.services.coverage import HeatmapRow
from lifecycle.services.coverage import PillarCount
from lifecycle.services.plan_queries import ActivityStatus

MAX_PILLARS = 20
MAX_EXPECTATIONS = 50
MAX_PARTICIPANTS = 200
MAX_SCORES = 50
KEY_MAX_LENGTH = 120
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
COMMENT_MAX_LENGTH = 5000
ASSESSMENT_COMMENT_MAX_LENGTH = 2000
NEXT_STEPS_MAX_LENGTH = 4000

#: the fields a catalogue item decides, so a request that names an item may not send them
CATALOGUE_DECIDES = ("kind", "title", "description", "stage", "pillars", "expectations")


# -- input: building blocks -------------------------------------------------------------------------


def enum_field(values: type[enum.Enum], description: str = "") -> Field:
    """One of an enum's values, by its string value."""
    allowed = [str(member.value) for member in values]

    def parse(value: Any) -> Any:
        if isinstance(value, str) and value in allowed:
            return values(value)
        raise FieldError(_("Unknown value. Use one of: %(values)s.", values=", ".join(allowed)))

    schema: Schema = {"type": "string", "enum": allowed}
    if description:
        schema["description"] = description
    return Field(parse, schema)


def list_field(
    item: Field, *, max_items: int, min_items: int = 0, unique: bool = False, description: str = ""
) -> Field:
    """A JSON array of at most `max_items` values, each checked by `item`."""

    def parse(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise FieldError(_("Must be a list."))
        if len(value) > max_items:
            raise FieldError(_("At most %(num)d items.", num=max_items))
        if len(value) < min_items:
            raise FieldError(_("At least %(num)d items.", num=min_items))
        parsed = []
        for number, raw in enumerate(value, start=1):
            try:
                parsed.append(item.parse(raw))
            except FieldError as exc:
                raise FieldError(_("Item %(num)d: %(message)s", num=number, message=str(exc))) from exc
        if unique and len(set(parsed)) != len(parsed):
            raise FieldError(_("Each value may appear only once."))
        return parsed

    schema: Schema = {"type": "array", "items": item.schema, "maxItems": max_items}
    if min_items:
        schema["minItems"] = min_items
    if unique:
        schema["uniqueItems"] = True
    if description:
        schema["description"] = description
    return Field(parse, schema)


def object_field(body: BodySchema, description: str = "") -> Field:
    """A JSON object inside the body, checked field by field like a body."""

    def parse(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldError(_("Must be an object."))
        try:
            return body.parse(value)
        except ApiError as exc:
            problems = [
                _("%(field)s: %(message)s", field=name, message=" ".join(messages))
                for name, messages in exc.fields.items()
            ]
            raise FieldError(" ".join(problems) or exc.message) from exc

    schema = body.json_schema()
    if description:
        schema["description"] = description
    return Field(parse, schema)


def _score(value: Any) -> int:
    # bool is an int in Python, but true is not a score.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise FieldError(_("Must be a whole number from %(low)d to %(high)d.", low=1, high=5))
    return value


KEY = text_field(KEY_MAX_LENGTH, required=True)
PILLAR_KEYS = list_field(
    KEY,
    max_items=MAX_PILLARS,
    description="Pillar keys of the loaded platform (`GET /api/v1/platform` lists them). At least one "
    "pillar is needed, given here or brought along by an expectation; retired ones cannot be chosen.",
)
EXPECTATION_KEYS = list_field(
    KEY,
    max_items=MAX_EXPECTATIONS,
    description="Expectation keys of the loaded platform; each brings its pillar along.",
)
ACTIVITY_KIND = enum_field(ActivityKind)
GOAL_STATUS = enum_field(GoalStatus)
SCORE = Field(_score, {"type": "integer", "minimum": 1, "maximum": 5})

_ACTIVITY_FIELDS: dict[str, Field] = {
    "kind": ACTIVITY_KIND,
    "title": text_field(TITLE_MAX_LENGTH, required=True),
    "description": text_field(DESCRIPTION_MAX_LENGTH),
    "stage": nullable(STAGE),
    "due_on": nullable(DATE),
    "completed_on": nullable(DATE),
    "pillars": PILLAR_KEYS,
    "expectations": EXPECTATION_KEYS,
    "catalogue_item_id": nullable(IDENTIFIER),
}

ACTIVITY_CREATE = BodySchema(fields={**_ACTIVITY_FIELDS, "goal_id": nullable(IDENTIFIER)})

GROUP_ACTIVITY_CREATE = BodySchema(
    fields={
        "participants": list_field(
            IDENTIFIER,
            max_items=MAX_PARTICIPANTS,
            min_items=1,
            unique=True,
            description="The managers taking part, by id.",
        ),
        **_ACTIVITY_FIELDS,
    },
    required=("participants",),
)

ACTIVITY_COMPLETE = BodySchema(fields={"completed_on": DATE})
ACTIVITY_CANCEL = BodySchema(fields={})

GOAL_CREATE = BodySchema(
    fields={
        "title": text_field(TITLE_MAX_LENGTH, required=True),
        "expectations": EXPECTATION_KEYS,
        "target_on": nullable(DATE),
        "description": text_field(DESCRIPTION_MAX_LENGTH),
    },
    required=("title",),
)

GOAL_UPDATE = BodySchema(fields={"status": GOAL_STATUS}, required=("status",))

COMMENT_CREATE = BodySchema(
    fields={"body": text_field(COMMENT_MAX_LENGTH, required=True)}, required=("body",)
)

_SCORE_ITEM = BodySchema(
    fields={
        "expectation": KEY,
        "score": SCORE,
        "comment": text_field(ASSESSMENT_COMMENT_MAX_LENGTH),
    },
    required=("expectation", "score"),
)
_SCORES = list_field(object_field(_SCORE_ITEM), max_items=MAX_SCORES, min_items=1)


def _unique_scores(value: Any) -> list[dict[str, Any]]:
    scores: list[dict[str, Any]] = _SCORES.parse(value)
    keys = [score["expectation"] for score in scores]
    if len(set(keys)) != len(keys):
        raise FieldError(_("Each expectation may appear only once."))
    return scores


ASSESSMENTS_SET = BodySchema(
    fields={
        "scores": Field(
            _unique_scores,
            {
                **_SCORES.schema,
                "description": "The caller's 1–5 score per expectation, each expectation once.",
            },
        )
    },
    required=("scores",),
)

_REVIEW_GOAL = BodySchema(
    fields={"title": text_field(TITLE_MAX_LENGTH, required=True), "expectations": EXPECTATION_KEYS},
    required=("title",),
)

REVIEW_COMPLETE = BodySchema(
    fields={
        "completed_on": DATE,
        "next_steps": text_field(NEXT_STEPS_MAX_LENGTH),
        "goal": nullable(
            object_field(_REVIEW_GOAL, "The agreed next steps as a new goal in the plan (optional).")
        ),
    }
)


# -- input: query strings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityQuery:
    status: ActivityStatus = ActivityStatus.ALL
    limit: int = DEFAULT_PAGE_SIZE
    #: the id after which the page starts (keyset pagination)
    after_id: int = 0


ACTIVITY_QUERY_PARAMETERS = (
    QueryParameter(
        "status",
        {"type": "string", "enum": [s.value for s in ActivityStatus], "default": ActivityStatus.ALL.value},
        "open: neither completed nor cancelled (overdue ones included); overdue: open and past the due "
        "date; completed: completed and not cancelled; all: every activity, cancelled ones included.",
    ),
    QueryParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
        "How many activities a page holds.",
    ),
    QueryParameter(
        "cursor",
        {"type": "string", "maxLength": 10},
        "Where the page starts: the `next_cursor` of the previous page. Pages are ordered by id.",
    ),
)

UNIT_COVERAGE_PARAMETERS = (
    QueryParameter(
        "unit",
        IDENTIFIER.schema,
        "Show the units directly below this one; without it, the top of the organisation.",
    ),
)


def _read_parameters(readers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, reader in readers.items():
        try:
            values[name] = reader()
        except FieldError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ApiError(400, _("Some parameters are not valid."), fields=errors)
    return values


def parse_activity_query(args: MultiDict[str, str]) -> ActivityQuery:
    """Read an activity list's filter and page from the query string; refuse bad values with 400."""
    status = enum_field(ActivityStatus)
    values = _read_parameters(
        {
            "status": lambda: status.parse(args["status"]) if args.get("status") else ActivityStatus.ALL,
            "limit": lambda: _query_int(args, "limit", 1, MAX_PAGE_SIZE),
            "cursor": lambda: _query_int(args, "cursor", 0, MAX_ID),
        }
    )
    return ActivityQuery(
        status=values["status"], limit=values["limit"] or DEFAULT_PAGE_SIZE, after_id=values["cursor"] or 0
    )


def parse_unit_coverage_query(args: MultiDict[str, str]) -> int | None:
    """Read the heatmap's unit from the query string; refuse a bad one with 400."""
    unit_id: int | None = _read_parameters({"unit": lambda: _query_int(args, "unit", 1, MAX_ID)})["unit"]
    return unit_id


# -- output -------------------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def activity_status(activity: Activity, today: date) -> str:
    if activity.cancelled_at is not None:
        return "cancelled"
    if activity.completed_on is not None:
        return "completed"
    return "overdue" if activity.is_overdue(today) else "open"


def activity_json(activity: Activity, participant_count: int, today: date) -> dict[str, Any]:
    """Return an activity; its pillars and expectations must be loaded with it.

    Only the number of participants is shown: the others in a group may be people the caller
    may not see.
    """
    return {
        "id": activity.id,
        "kind": activity.kind.value,
        "title": activity.title,
        "description": activity.description,
        "stage": activity.stage.value if activity.stage else None,
        "due_on": _day(activity.due_on),
        "completed_on": _day(activity.completed_on),
        "cancelled_at": activity.cancelled_at.isoformat() if activity.cancelled_at else None,
        "status": activity_status(activity, today),
        "pillars": [pillar.key for pillar in activity.pillars],
        "expectations": [expectation.key for expectation in activity.expectations],
        "participant_count": participant_count,
        "catalogue_item_id": activity.catalogue_item_id,
        "goal_id": activity.goal_id,
        "created_at": activity.created_at.isoformat(),
    }


def _author(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def goal_json(goal: PlanGoal) -> dict[str, Any]:
    """Return a goal; its expectations and activities should be loaded with it."""
    return {
        "id": goal.id,
        "plan_id": goal.plan_id,
        "title": goal.title,
        "description": goal.description,
        "target_on": _day(goal.target_on),
        "status": goal.status.value,
        "expectations": [expectation.key for expectation in goal.expectations],
        "activity_ids": [activity.id for activity in goal.activities],
        "created_at": goal.created_at.isoformat(),
    }


def comment_json(comment: PlanComment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "author": _author(comment.author),
        "body": comment.body,
        "created_at": comment.created_at.isoformat(),
    }


def plan_json(
    manager: Manager,
    plan: DevelopmentPlan | None,
    upcoming: Sequence[DevelopmentReview],
    *,
    can_edit: bool,
    can_comment: bool,
) -> dict[str, Any]:
    """Return the manager's current plan; without one, an empty plan with no id or period."""
    return {
        "manager_id": manager.id,
        "id": plan.id if plan else None,
        "starts_on": _day(plan.starts_on) if plan else None,
        "ends_on": _day(plan.ends_on) if plan else None,
        "notes": plan.notes if plan else "",
        "goals": [goal_json(goal) for goal in plan.goals] if plan else [],
        "comments": [comment_json(comment) for comment in plan.comments] if plan else [],
        "upcoming_reviews": [
            {"id": review.id, "plan_id": review.plan_id, "scheduled_on": _day(review.scheduled_on)}
            for review in upcoming
        ],
        "can_edit": can_edit,
        "can_comment": can_comment,
    }


def review_json(review: DevelopmentReview, manager_id: int) -> dict[str, Any]:
    """Return a review with its assessments; load them (and their expectations) with it."""
    return {
        "id": review.id,
        "plan_id": review.plan_id,
        "manager_id": manager_id,
        "scheduled_on": _day(review.scheduled_on),
        "completed_on": _day(review.completed_on),
        "status": "completed" if review.completed_on is not None else "scheduled",
        "next_steps": review.next_steps,
        "assessments": [
            {
                "expectation": assessment.expectation.key,
                "assessor": assessment.assessor.value,
                "score": assessment.score,
                "comment": assessment.comment,
            }
            for assessment in review.assessments
        ],
    }


def coverage_json(manager: Manager, counts: list[PillarCount], since: date, until: date) -> dict[str, Any]:
    return {
        "manager_id": manager.id,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "pillars": [
            {
                "key": count.pillar.key,
                "retired": count.pillar.is_retired,
                "count": count.count,
                "expectations": [
                    {"key": e.expectation.key, "retired": e.expectation.is_retired, "count": e.count}
                    for e in count.expectations
                ],
            }
            for count in counts
        ],
    }


def unit_coverage_json(
    unit_id: int | None, pillars: list[Pillar], rows: list[HeatmapRow], since: date, until: date
) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "pillars": [pillar.key for pillar in pillars],
        "rows": [
            {
                "unit": {"id": row.unit.id, "name": row.unit.name},
                "managers": row.managers,
                "shares": {pillar.key: round(row.shares[pillar.id], 4) for pillar in pillars},
            }
            for row in rows
        ],
    }


def catalogue_item_json(item: CatalogueItem) -> dict[str, Any]:
    """Return a catalogue item with the tags an activity made from it gets (current ones only)."""
    return {
        "id": item.id,
        "title": item.title,
        "kind": item.kind.value,
        "description": item.description,
        "pillars": [pillar.key for pillar in item.pillars if not pillar.is_retired],
        "expectations": [e.key for e in item.expectations if not e.is_retired],
    }

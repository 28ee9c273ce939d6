"""JSON API v1, the obstacle log: the obstacles the caller may read, filtered and paged, one with its
history, reporting one, and HR's change.

Registered on the same blueprint as `views`, under the same rules: an obstacle loads through
`lifecycle.policy` (HR reads all; a manager their own, those they own and those shared in their part of
the organisation; anyone else gets 404), bodies and responses are the models of `obstacle_schemas`, a
service of `services.obstacles` makes the change and flushes, and the view commits once; the reporter's
e-mail is queued after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Page
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.errors import refusals_as_422
from lifecycle.blueprints.api.obstacle_schemas import OBSTACLE_QUERY_PARAMETERS
from lifecycle.blueprints.api.obstacle_schemas import Obstacle as ObstacleOut
from lifecycle.blueprints.api.obstacle_schemas import ObstacleCreate
from lifecycle.blueprints.api.obstacle_schemas import ObstacleDetail
from lifecycle.blueprints.api.obstacle_schemas import ObstacleUpdate
from lifecycle.blueprints.api.obstacle_schemas import parse_obstacle_query
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.views import bp
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.policy import get_obstacle_or_404
from lifecycle.policy import may_report_obstacle
from lifecycle.policy import signed_in
from lifecycle.policy import visible_obstacles_clause
from lifecycle.services.obstacles import ObstacleChange
from lifecycle.services.obstacles import ObstacleError
from lifecycle.services.obstacles import change_obstacle
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.obstacles import resolves
from lifecycle.services.obstacles.queries import ObstacleFilter
from lifecycle.services.obstacles.queries import history_of
from lifecycle.services.obstacles.queries import obstacles_after
from lifecycle.tasks import queue_after_commit
from lifecycle.tasks import queue_obstacle_resolved

OBSTACLE_ID = f"<int(min=1, max={MAX_ID}):obstacle_id>"
OBSTACLES = ["obstacles"]
READERS = (
    "HR reads every obstacle; a manager those they reported, those they own and the shared ones in "
    "their part of the organisation (their unit, the units above it and below it)."
)
#: the services' names for fields the API calls otherwise
API_FIELDS = {"owner": "owner_user_id"}


def _refuse(status: int, field: str, message: str) -> ApiError:
    return ApiError(status, message, fields={field: [message]})


def _detail(user: User, obstacle_id: int, status: int = 200) -> tuple[Response, int]:
    obstacle = get_obstacle_or_404(user, obstacle_id)
    return jsonify(ObstacleDetail.detail(obstacle, history_of(obstacle)).dump()), status


def _ids_of(model: type[Pillar] | type[Expectation], keys: Sequence[str], field: str) -> list[int]:
    wanted = set(keys)
    if not wanted:
        return []
    found = {
        key: ident
        for key, ident in db.session.execute(select(model.key, model.id).where(model.key.in_(wanted)))
    }
    unknown = sorted(wanted - found.keys())
    if unknown:
        raise _refuse(422, field, _("Unknown key: %(keys)s.", keys=", ".join(unknown)))
    return list(found.values())


@bp.operation(
    "GET",
    "/obstacles",
    summary="List the obstacles the caller may read",
    description=f"{READERS} Filtered as HR's overview (unit with its sub-units, pillar, status; by "
    "default the open ones); pages are ordered by id, follow `next_cursor` until it is null.",
    tags=OBSTACLES,
    query=OBSTACLE_QUERY_PARAMETERS,
    response=Page[ObstacleOut],
    response_description="A page of obstacles.",
    errors=(400,),
)
def list_obstacles() -> Response:
    """A page of the obstacles the caller may read, filtered, ordered by id."""
    user = signed_in()
    query = parse_obstacle_query(request.args)
    pillar_id: int | None = None
    if query.pillar_key is not None:
        pillar_id = db.session.scalar(select(Pillar.id).where(Pillar.key == query.pillar_key))
        if pillar_id is None:
            raise _refuse(400, "pillar", _("Unknown key: %(keys)s.", keys=query.pillar_key))
    filters = ObstacleFilter(unit_id=query.unit_id, pillar_id=pillar_id, statuses=query.statuses)
    rows, more = obstacles_after(filters, visible_obstacles_clause(user), query.after_id, query.limit)
    items = [ObstacleOut.of(obstacle) for obstacle in rows]
    return jsonify(Page[ObstacleOut].of(items, rows[-1].id if more else None).dump())


@bp.operation(
    "GET",
    f"/obstacles/{OBSTACLE_ID}",
    summary="One obstacle, with its history",
    description=READERS,
    tags=OBSTACLES,
    response=ObstacleDetail,
    response_description="The obstacle.",
    errors=(404,),
)
def get_obstacle(obstacle_id: int) -> tuple[Response, int]:
    """One obstacle the caller may read."""
    return _detail(signed_in(), obstacle_id)


@bp.operation(
    "POST",
    "/obstacles",
    summary="Report an obstacle (a manager with a unit)",
    tags=OBSTACLES,
    body=ObstacleCreate,
    response=ObstacleDetail,
    status=201,
    location=True,
    response_description="The new obstacle.",
    errors=WRITE_ERRORS,
)
def create_obstacle() -> tuple[Response, int, dict[str, str]]:
    """Report an obstacle in the caller's unit."""
    user = signed_in()
    values = parse_body(ObstacleCreate, json_body())
    reporter = user.manager
    unit = reporter.org_unit if reporter is not None else None
    if not may_report_obstacle(user) or unit is None:
        raise ApiError(404, _("Only a manager with a unit reports obstacles."))
    pillar_ids = _ids_of(Pillar, values.get("pillars") or [], "pillars")
    expectation_ids = _ids_of(Expectation, values.get("expectations") or [], "expectations")
    with refusals_as_422(ObstacleError):
        obstacle = report_obstacle(
            reporter=reporter,
            unit=unit,
            title=values["title"],
            description=values.get("description") or "",
            severity=values["severity"],
            shared=bool(values.get("shared", False)),
            pillar_ids=pillar_ids,
            expectation_ids=expectation_ids,
            actor=user,
        )
    db.session.commit()
    response, status = _detail(user, obstacle.id, 201)
    return response, status, {"Location": url_for("api.get_obstacle", obstacle_id=obstacle.id)}


def _owner(values: dict[str, Any], current: User | None) -> User | None:
    if "owner_user_id" not in values:
        return current
    if values["owner_user_id"] is None:
        return None
    found = db.session.get(User, values["owner_user_id"])
    if found is None or not found.is_enabled:
        raise _refuse(422, "owner_user_id", _("No active user account has this id."))
    return found


@bp.operation(
    "PATCH",
    f"/obstacles/{OBSTACLE_ID}",
    summary="Assign, date, move on or explain an obstacle (HR)",
    description="Every change is a step of the obstacle's history. Resolving it (removed, not_removable) "
    "e-mails the reporter once.",
    tags=OBSTACLES,
    body=ObstacleUpdate,
    response=ObstacleDetail,
    response_description="The obstacle as changed.",
    errors=WRITE_ERRORS,
)
def update_obstacle(obstacle_id: int) -> tuple[Response, int]:
    """HR's change of an obstacle."""
    user = signed_in()
    obstacle = get_obstacle_or_404(user, obstacle_id)
    values = parse_body(ObstacleUpdate, json_body())
    change = ObstacleChange(
        status=values.get("status") or obstacle.status,
        owner=_owner(values, obstacle.owner),
        due_date=values.get("due_date", obstacle.due_date),
        explanation=values.get("explanation", obstacle.explanation),
        comment=values.get("comment") or "",
    )
    with refusals_as_422(ObstacleError, rename=lambda field: API_FIELDS.get(field, field)):
        events = change_obstacle(obstacle, change, user)
    db.session.commit()
    if resolves(events):
        queue_after_commit(queue_obstacle_resolved, [obstacle.id])
    return _detail(user, obstacle.id)

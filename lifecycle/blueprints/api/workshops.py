"""JSON API v1, management-group workshops: the ones the caller may read, planning one (HR), one with its
outcome, recording its outcome (HR and the facilitator), and its group goals.

Registered on the same blueprint as `views`, under the same rules: a workshop loads through
`lifecycle.policy` (HR reads all; its facilitator and participants theirs; anyone else gets 404), a
service of `services.workshops` makes the change and flushes, and the view commits once.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Items
from lifecycle.blueprints.api.contract import Page
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.errors import refusals_as_422
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.plan_schemas import GroupGoal as GroupGoalOut
from lifecycle.blueprints.api.plan_schemas import read_parameters
from lifecycle.blueprints.api.schemas import DEFAULT_PAGE_SIZE
from lifecycle.blueprints.api.schemas import MAX_PAGE_SIZE
from lifecycle.blueprints.api.schemas import PAGE_PARAMETERS
from lifecycle.blueprints.api.schemas import query_int
from lifecycle.blueprints.api.views import bp
from lifecycle.blueprints.api.workshop_schemas import OutcomeCreate
from lifecycle.blueprints.api.workshop_schemas import Workshop as WorkshopOut
from lifecycle.blueprints.api.workshop_schemas import WorkshopCreate
from lifecycle.blueprints.api.workshop_schemas import WorkshopDetail
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Obstacle
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.policy import get_run_workshop_or_404
from lifecycle.policy import get_workshop_or_404
from lifecycle.policy import signed_in
from lifecycle.policy import visible_workshops_clause
from lifecycle.services.workshops import GoalDraft
from lifecycle.services.workshops import ObstacleDraft
from lifecycle.services.workshops import PillarOutcome
from lifecycle.services.workshops import WorkshopError
from lifecycle.services.workshops import WorkshopValues
from lifecycle.services.workshops import plan_workshop
from lifecycle.services.workshops import record_outcome
from lifecycle.services.workshops.queries import workshop_in_full
from lifecycle.services.workshops.queries import workshops_after
from lifecycle.timeutil import local_today

WORKSHOP_ID = f"<int(min=1, max={MAX_ID}):workshop_id>"
WORKSHOPS = ["workshops"]
READERS = "HR reads every workshop; its facilitator and its participants read theirs."


def _refuse(status: int, field: str, message: str) -> ApiError:
    return ApiError(status, message, fields={field: [message]})


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


def _detail(user: User, workshop_id: int, status: int = 200) -> tuple[Response, int]:
    workshop = workshop_in_full(get_workshop_or_404(user, workshop_id))
    obstacle_ids = list(
        db.session.scalars(
            select(Obstacle.id).where(Obstacle.workshop_id == workshop.id).order_by(Obstacle.id)
        )
    )
    return jsonify(WorkshopDetail.detail(workshop, obstacle_ids).dump()), status


@bp.operation(
    "GET",
    "/workshops",
    summary="List the workshops the caller may read",
    description=f"{READERS} Pages are ordered by id; follow `next_cursor` until it is null.",
    tags=WORKSHOPS,
    query=PAGE_PARAMETERS,
    response=Page[WorkshopOut],
    response_description="A page of workshops.",
    errors=(400,),
)
def list_workshops() -> Response:
    """A page of the workshops the caller may read, ordered by id."""
    user = signed_in()
    values = read_parameters(
        {
            "limit": lambda: query_int(request.args, "limit", 1, MAX_PAGE_SIZE),
            "cursor": lambda: query_int(request.args, "cursor", 0, MAX_ID),
        }
    )
    limit = values["limit"] or DEFAULT_PAGE_SIZE
    after = values["cursor"] or 0
    rows = workshops_after(visible_workshops_clause(user), after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [WorkshopOut.of(workshop) for workshop in rows]
    return jsonify(Page[WorkshopOut].of(items, rows[-1].id if more else None).dump())


@bp.operation(
    "POST",
    "/workshops",
    summary="Plan a workshop for a unit's management team (HR)",
    tags=WORKSHOPS,
    body=WorkshopCreate,
    response=WorkshopDetail,
    status=201,
    location=True,
    response_description="The new workshop.",
    errors=WRITE_ERRORS,
)
def create_workshop() -> tuple[Response, int, dict[str, str]]:
    """Plan a workshop; the unit's managers in post make up its group."""
    user = signed_in()
    values = parse_body(WorkshopCreate, json_body())
    unit = db.session.get(OrgUnit, values["unit_id"])
    if unit is None:
        raise _refuse(422, "unit_id", _("No such unit."))
    facilitator = None
    if values.get("facilitator_user_id") is not None:
        facilitator = db.session.get(User, values["facilitator_user_id"])
        if facilitator is None or not facilitator.is_enabled:
            raise _refuse(422, "facilitator_user_id", _("No such active user account."))
    with refusals_as_422(WorkshopError, rename=lambda f: {"unit": "unit_id", "held_on": "held_at"}.get(f, f)):
        workshop = plan_workshop(
            unit,
            WorkshopValues(
                title=values["title"],
                held_at=values["held_at"],
                facilitator=facilitator,
                pillar_ids=_ids_of(Pillar, values["pillars"], "pillars"),
                expectation_ids=_ids_of(Expectation, values.get("expectations") or [], "expectations"),
            ),
            user,
        )
    db.session.commit()
    response, status = _detail(user, workshop.id, 201)
    return response, status, {"Location": url_for("api.get_workshop", workshop_id=workshop.id)}


@bp.operation(
    "GET",
    f"/workshops/{WORKSHOP_ID}",
    summary="One workshop, with its outcome",
    description=READERS,
    tags=WORKSHOPS,
    response=WorkshopDetail,
    response_description="The workshop.",
    errors=(404,),
)
def get_workshop(workshop_id: int) -> tuple[Response, int]:
    """One workshop the caller may read."""
    return _detail(signed_in(), workshop_id)


@bp.operation(
    "POST",
    f"/workshops/{WORKSHOP_ID}/outcome",
    summary="Record a held workshop's outcome (HR and the facilitator)",
    description="Per pillar discussed: notes, development areas (each a group goal with an owner among "
    "the participants and a follow-up date after the workshop) and obstacles (reported into the obstacle "
    "log, linked to the workshop). The workshop is held from then on.",
    tags=WORKSHOPS,
    body=OutcomeCreate,
    response=WorkshopDetail,
    response_description="The workshop with its outcome.",
    errors=WRITE_ERRORS,
)
def record_workshop_outcome(workshop_id: int) -> tuple[Response, int]:
    """Record the outcome of some of the workshop's pillars."""
    user = signed_in()
    workshop = get_run_workshop_or_404(user, workshop_id)
    values = parse_body(OutcomeCreate, json_body())
    discussed = {p.key: p.id for p in workshop.pillars}
    outcomes = []
    for number, part in enumerate(values["pillars"], start=1):
        if part["pillar"] not in discussed:
            raise _refuse(422, "pillars", _("Item %(num)d: not a pillar the workshop discussed.", num=number))
        outcomes.append(
            PillarOutcome(
                pillar_id=discussed[part["pillar"]],
                notes=part.get("notes") or "",
                goals=[
                    GoalDraft(
                        text=goal["text"],
                        owner_id=goal["owner_id"],
                        follow_up_on=goal["follow_up_on"],
                        expectation_ids=_ids_of(Expectation, goal.get("expectations") or [], "pillars"),
                    )
                    for goal in part.get("goals") or []
                ],
                obstacles=[
                    ObstacleDraft(title=o["title"], severity=o["severity"], shared=bool(o.get("shared")))
                    for o in part.get("obstacles") or []
                ],
            )
        )
    with refusals_as_422(WorkshopError):
        record_outcome(workshop, outcomes, user, local_today())
    db.session.commit()
    return _detail(user, workshop.id)


@bp.operation(
    "GET",
    f"/workshops/{WORKSHOP_ID}/goals",
    summary="A workshop's group goals",
    description=READERS,
    tags=WORKSHOPS,
    response=Items[GroupGoalOut],
    response_description="Its group goals, oldest first.",
    errors=(404,),
)
def list_workshop_goals(workshop_id: int) -> Response:
    """The group goals of a workshop the caller may read."""
    workshop = workshop_in_full(get_workshop_or_404(signed_in(), workshop_id))
    return jsonify(Items[GroupGoalOut](items=[GroupGoalOut.of(goal) for goal in workshop.goals]).dump())

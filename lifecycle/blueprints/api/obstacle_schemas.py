"""The API's obstacle log, declared once: a report, HR's change, an obstacle with its history, and the
list's query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from typing import Any

from flask_babel import gettext as _
from pydantic import Field
from werkzeug.datastructures import MultiDict

from lifecycle.blueprints.api.contract import DATE
from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import Check
from lifecycle.blueprints.api.contract import FieldError
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Moment
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import clean_text
from lifecycle.blueprints.api.contract import nullable
from lifecycle.blueprints.api.contract import one_of
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.plan_schemas import KEY_MAX_LENGTH
from lifecycle.blueprints.api.plan_schemas import MAX_EXPECTATIONS
from lifecycle.blueprints.api.plan_schemas import MAX_PILLARS
from lifecycle.blueprints.api.plan_schemas import Key
from lifecycle.blueprints.api.plan_schemas import read_parameters
from lifecycle.blueprints.api.schemas import DEFAULT_PAGE_SIZE
from lifecycle.blueprints.api.schemas import MAX_PAGE_SIZE
from lifecycle.blueprints.api.schemas import PAGE_PARAMETERS
from lifecycle.blueprints.api.schemas import QueryParameter
from lifecycle.blueprints.api.schemas import query_int
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.models.obstacles import TEXT_MAX_LENGTH
from lifecycle.models.obstacles import TITLE_MAX_LENGTH
from lifecycle.models.obstacles import Obstacle as ObstacleModel
from lifecycle.models.obstacles import ObstacleEvent as EventModel

OBSTACLE_SEVERITY = one_of(ObstacleSeverity)
OBSTACLE_STATUS = one_of(ObstacleStatus)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(_("Use true or false."))
    return value


BOOLEAN = Check(_boolean, {"type": "boolean"})
LongText = Annotated[str | None, nullable(text(TEXT_MAX_LENGTH))]


class ObstacleCreate(Body):
    """An obstacle the caller (a manager with a unit) reports, in their unit. It hinders at least one
    pillar or expectation of the loaded platform; each expectation brings its pillar. `shared` lets the
    other managers in the same part of the organisation read it (default: only the reporter, its owner
    and HR)."""

    title: Annotated[str, text(TITLE_MAX_LENGTH, required=True)]
    description: LongText = None
    severity: Annotated[ObstacleSeverity, OBSTACLE_SEVERITY]
    shared: Annotated[bool, BOOLEAN] = False
    pillars: Annotated[
        list[Key], Field(max_length=MAX_PILLARS, description="The pillars it hinders, by key.")
    ] = Field(default_factory=list)
    expectations: Annotated[
        list[Key],
        Field(max_length=MAX_EXPECTATIONS, description="The expectations it hinders, by key."),
    ] = Field(default_factory=list)


class ObstacleUpdate(Body):
    """HR's change; fields left out stay as they are, null clears one. reported → being_handled →
    removed, or not_removable with an `explanation` (required then); removed and not_removable are
    final, and the reporter is told by e-mail. `comment` goes into the history only."""

    status: Annotated[ObstacleStatus | None, nullable(OBSTACLE_STATUS)] = None
    owner_user_id: Annotated[
        int | None,
        nullable(Check(IDENTIFIER.parse, {**IDENTIFIER.schema, "description": "An enabled user account."})),
    ] = None
    due_date: Annotated[date | None, nullable(DATE)] = None
    explanation: LongText = None
    comment: LongText = None


class ObstacleChangeOut(Out):
    """One step of an obstacle's history: its report, or one field changed (old → new), or a comment."""

    at: Moment
    actor_user_id: int | None
    field: str
    old_value: str | None
    new_value: str | None

    @classmethod
    def of(cls, event: EventModel) -> ObstacleChangeOut:
        return cls(
            at=event.at,
            actor_user_id=event.actor_user_id,
            field=event.field,
            old_value=event.old_value,
            new_value=event.new_value,
        )


class Obstacle(Out):
    """An obstacle and where it stands; `reporter_id` is null once the reporter is anonymised."""

    id: Id
    title: str
    description: str
    severity: ObstacleSeverity
    shared: bool
    status: ObstacleStatus
    unit_id: Id
    reporter_id: int | None
    owner_user_id: int | None
    due_date: date | None
    explanation: str | None
    pillars: list[str]
    expectations: list[str]
    reported_at: Moment
    resolved_at: Moment | None
    last_activity_at: Moment

    @classmethod
    def fields_of(cls, obstacle: ObstacleModel) -> dict[str, Any]:
        return {
            "id": obstacle.id,
            "title": obstacle.title,
            "description": obstacle.description,
            "severity": obstacle.severity,
            "shared": obstacle.shared,
            "status": obstacle.status,
            "unit_id": obstacle.unit_id,
            "reporter_id": obstacle.reporter_id,
            "owner_user_id": obstacle.owner_user_id,
            "due_date": obstacle.due_date,
            "explanation": obstacle.explanation,
            "pillars": [pillar.key for pillar in obstacle.pillars],
            "expectations": [expectation.key for expectation in obstacle.expectations],
            "reported_at": obstacle.reported_at,
            "resolved_at": obstacle.resolved_at,
            "last_activity_at": obstacle.last_activity_at,
        }

    @classmethod
    def of(cls, obstacle: ObstacleModel) -> Obstacle:
        return cls(**cls.fields_of(obstacle))


class ObstacleDetail(Obstacle):
    """An obstacle with its history, oldest first."""

    history: list[ObstacleChangeOut]

    @classmethod
    def detail(cls, obstacle: ObstacleModel, history: list[EventModel]) -> ObstacleDetail:
        return cls(**cls.fields_of(obstacle), history=[ObstacleChangeOut.of(e) for e in history])


_KEY = {"type": "string", "maxLength": KEY_MAX_LENGTH}
OBSTACLE_QUERY_PARAMETERS = (
    QueryParameter(
        "unit", IDENTIFIER.schema, "Only obstacles in this organisation unit or any unit below it."
    ),
    QueryParameter("pillar", _KEY, "Only obstacles hindering this pillar (a key)."),
    QueryParameter(
        "status",
        {"type": "array", "items": OBSTACLE_STATUS.schema},
        "Only these statuses; repeat the parameter or separate with commas. Default: the open ones "
        "(reported, being_handled).",
        repeatable=True,
    ),
    *PAGE_PARAMETERS,
)


@dataclass(frozen=True)
class ObstacleQuery:
    unit_id: int | None
    pillar_key: str | None
    statuses: tuple[ObstacleStatus, ...]
    limit: int = DEFAULT_PAGE_SIZE
    after_id: int = 0


def _statuses(args: MultiDict[str, str]) -> tuple[ObstacleStatus, ...]:
    keys = [key.strip() for raw in args.getlist("status") for key in raw.split(",") if key.strip()]
    return tuple(dict.fromkeys(OBSTACLE_STATUS.parse(key) for key in keys))


def parse_obstacle_query(args: MultiDict[str, str]) -> ObstacleQuery:
    """Read the obstacle list's filters and page from the query string; refuse bad values with 400."""
    values = read_parameters(
        {
            "unit": lambda: query_int(args, "unit", 1, MAX_ID),
            "pillar": lambda: clean_text(args.get("pillar", ""), KEY_MAX_LENGTH, required=False),
            "status": lambda: _statuses(args),
            "limit": lambda: query_int(args, "limit", 1, MAX_PAGE_SIZE),
            "cursor": lambda: query_int(args, "cursor", 0, MAX_ID),
        }
    )
    return ObstacleQuery(
        unit_id=values["unit"],
        pillar_key=values["pillar"] or None,
        statuses=values["status"] or ObstacleStatus.open(),
        limit=values["limit"] or DEFAULT_PAGE_SIZE,
        after_id=values["cursor"] or 0,
    )

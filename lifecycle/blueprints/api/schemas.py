"""The API's managers side, declared once: bodies, responses and the manager list's query string.

Bodies are `contract.Body` models and responses `contract.Out` models; the views validate and answer
with them, and `openapi.py` publishes their JSON Schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from typing import Any

from flask_babel import gettext as _
from pydantic import Field
from werkzeug.datastructures import MultiDict

from lifecycle import models
from lifecycle.blueprints.api.contract import DATE
from lifecycle.blueprints.api.contract import EMAIL
from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import STAGE
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import FieldError
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Moment
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import Schema
from lifecycle.blueprints.api.contract import clean_text
from lifecycle.blueprints.api.contract import nullable
from lifecycle.blueprints.api.contract import stage_of
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Stage
from lifecycle.services.managers import EDITABLE_FIELDS
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import every_stage_after

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
MAX_STUCK_DAYS = 36_500
REASON_MAX_LENGTH = 2000
_DIGITS = re.compile(r"\d{1,10}")


# -- bodies -------------------------------------------------------------------------------------------

_NAME = text(200, required=True)
_EMPLOYEE_NUMBER = nullable(text(40, description="The payroll/HR system's number; unique."))
_TITLE = nullable(text(200))
_ID = nullable(IDENTIFIER)
_DAY = nullable(DATE)


class _ManagerDetails(Body):
    name: Annotated[str | None, _NAME] = None
    employee_number: Annotated[str | None, _EMPLOYEE_NUMBER] = None
    email: Annotated[str | None, nullable(EMAIL)] = None
    title: Annotated[str | None, _TITLE] = None
    org_unit_id: Annotated[int | None, _ID] = None
    line_manager_id: Annotated[int | None, _ID] = None
    hr_partner_id: Annotated[int | None, _ID] = None
    start_date: Annotated[date | None, _DAY] = None


class ManagerCreate(_ManagerDetails):
    """A new person on the journey. `stage` must be an entry stage (attract, recruit, introduce or
    develop); `effective_date` defaults to today."""

    name: Annotated[str, _NAME]  # required here, optional in a change
    stage: Annotated[Stage, STAGE]
    effective_date: Annotated[date | None, DATE] = None
    reason: Annotated[str | None, text(REASON_MAX_LENGTH)] = None


class ManagerUpdate(_ManagerDetails):
    """The details to change; fields left out stay as they are, null clears one."""

    mentor_id: Annotated[int | None, _ID] = None
    end_date: Annotated[date | None, _DAY] = None


if not set(ManagerUpdate.model_fields) <= set(EDITABLE_FIELDS):
    raise RuntimeError("the API offers a manager field that services.managers does not let change")


class TransitionCreate(Body):
    """A move to another stage. `effective_date` defaults to today; moving to offboard needs an
    `end_date` unless the manager has one."""

    to_stage: Annotated[Stage, STAGE]
    reason: Annotated[str, text(REASON_MAX_LENGTH, required=True)]
    effective_date: Annotated[date | None, DATE] = None
    end_date: Annotated[date | None, _DAY] = None


# -- responses ----------------------------------------------------------------------------------------


class Manager(Out):
    """A manager, candidate or aspirant on the journey."""

    id: Id
    name: str
    employee_number: str | None
    email: str | None
    title: str | None
    stage: Stage
    stage_entered_on: date
    org_unit_id: Id | None
    line_manager_id: Id | None
    hr_partner_id: Id | None
    mentor_id: Id | None
    start_date: date | None
    end_date: date | None
    created_at: Moment
    updated_at: Moment


class Actor(Out):
    """The user who made a move or wrote a comment."""

    id: Id
    name: str


class Transition(Out):
    """One move on the journey; `from_stage` is null when the person entered it."""

    id: Id
    manager_id: Id
    from_stage: Stage | None
    to_stage: Stage
    effective_date: date
    reason: str
    recorded_at: Moment
    actor: Actor | None


class Unit(Out):
    """An organisation unit."""

    id: Id
    name: str
    kind: OrgUnitKind
    parent_id: Id | None
    path: Annotated[str, Field(description='Ids from the root down, as "/1/7/42/".')]


class Texts(Out):
    """A text in Swedish and English."""

    sv: str
    en: str

    @classmethod
    def of(cls, obj: object, name: str) -> Texts:
        return cls(sv=getattr(obj, f"{name}_sv"), en=getattr(obj, f"{name}_en"))


class Expectation(Out):
    key: str
    position: int
    text: Texts
    retired: bool

    @classmethod
    def of(cls, expectation: models.Expectation) -> Expectation:
        return cls(
            key=expectation.key,
            position=expectation.position,
            text=Texts.of(expectation, "text"),
            retired=expectation.is_retired,
        )


class Pillar(Out):
    key: str
    position: int
    name: Texts
    description: Texts
    trait: Texts
    retired: bool
    expectations: list[Expectation]

    @classmethod
    def of(cls, pillar: models.Pillar) -> Pillar:
        return cls(
            key=pillar.key,
            position=pillar.position,
            name=Texts.of(pillar, "name"),
            description=Texts.of(pillar, "description"),
            trait=Texts.of(pillar, "trait"),
            retired=pillar.is_retired,
            expectations=[Expectation.of(expectation) for expectation in pillar.expectations],
        )


class Platform(Out):
    """The leadership platform; retired pillars and expectations are kept and marked."""

    key: str
    municipality: Texts
    name: Texts
    promise: Texts
    whole: Texts
    purpose: Texts
    values: list[Texts]
    pillars: list[Pillar]

    @classmethod
    def of(cls, platform: models.Platform) -> Platform:
        return cls(**platform.to_document(), pillars=[Pillar.of(pillar) for pillar in platform.pillars])


# -- input: the manager list's query string ----------------------------------------------------------


@dataclass(frozen=True)
class QueryParameter:
    """A query-string parameter: how it is read and its OpenAPI description."""

    name: str
    schema: Schema
    description: str
    repeatable: bool = False


#: the page of a keyset-paged list: how many, and where it starts (the lists ordered by id)
PAGE_PARAMETERS = (
    QueryParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
        "How many a page holds.",
    ),
    QueryParameter(
        "cursor",
        {"type": "string", "maxLength": 10},
        "Where the page starts: the `next_cursor` of the previous page. Pages are ordered by id.",
    ),
)


def query_int(args: MultiDict[str, str], name: str, low: int, high: int) -> int | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise FieldError(_("Must be a whole number from %(low)d to %(high)d.", low=low, high=high))
    return int(raw)


@dataclass(frozen=True)
class ManagerQuery:
    """The manager list's filters and page."""

    filters: ManagerFilter
    limit: int = DEFAULT_PAGE_SIZE
    #: the id after which the page starts (keyset pagination)
    after_id: int = 0


MANAGER_QUERY_PARAMETERS = (
    QueryParameter(
        "unit",
        IDENTIFIER.schema,
        "Only managers in this organisation unit or any unit below it.",
    ),
    QueryParameter("line_manager", IDENTIFIER.schema, "Only the direct reports of this manager."),
    QueryParameter("hr_partner", IDENTIFIER.schema, "Only managers with this HR partner (a user id)."),
    QueryParameter(
        "q", {"type": "string", "maxLength": 200}, "Part of the name; every word must match, any case."
    ),
    QueryParameter(
        "stage",
        {"type": "array", "items": STAGE.schema},
        "Only these stages; repeat the parameter or separate with commas. "
        "Default: the five stages of the journey (not closed).",
        repeatable=True,
    ),
    QueryParameter(
        "stuck_after_days",
        {"type": "integer", "minimum": 0, "maximum": MAX_STUCK_DAYS},
        "Only those longer than this many days in their current stage.",
    ),
    QueryParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
        "How many managers a page holds.",
    ),
    QueryParameter(
        "cursor",
        {"type": "string", "maxLength": 10},
        "Where the page starts: the `next_cursor` of the previous page. Pages are ordered by id.",
    ),
)


def parse_manager_query(args: MultiDict[str, str]) -> ManagerQuery:
    """Read the list's filters and page from the query string; refuse bad values with 400."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def read(name: str, reader: Callable[[], Any]) -> None:
        try:
            values[name] = reader()
        except FieldError as exc:
            errors[name] = [str(exc)]

    read("unit", lambda: query_int(args, "unit", 1, MAX_ID))
    read("line_manager", lambda: query_int(args, "line_manager", 1, MAX_ID))
    read("hr_partner", lambda: query_int(args, "hr_partner", 1, MAX_ID))
    read("q", lambda: clean_text(args.get("q", ""), 200, required=False) or "")
    read("stuck_after_days", lambda: query_int(args, "stuck_after_days", 0, MAX_STUCK_DAYS))
    read("limit", lambda: query_int(args, "limit", 1, MAX_PAGE_SIZE))
    read("cursor", lambda: query_int(args, "cursor", 0, MAX_ID))
    read("stage", lambda: _query_stages(args))
    if errors:
        raise ApiError(400, _("Some parameters are not valid."), fields=errors)
    filters = ManagerFilter(
        unit_id=values["unit"],
        line_manager_id=values["line_manager"],
        hr_partner_id=values["hr_partner"],
        query=values["q"],
        stuck_after=every_stage_after(values["stuck_after_days"])
        if values["stuck_after_days"] is not None
        else None,
        stages=values["stage"] or Stage.journey(),
    )
    return ManagerQuery(
        filters=filters,
        limit=values["limit"] or DEFAULT_PAGE_SIZE,
        after_id=values["cursor"] or 0,
    )


def _query_stages(args: MultiDict[str, str]) -> tuple[Stage, ...]:
    keys = [key.strip() for raw in args.getlist("stage") for key in raw.split(",") if key.strip()]
    return tuple(dict.fromkeys(stage_of(key) for key in keys))

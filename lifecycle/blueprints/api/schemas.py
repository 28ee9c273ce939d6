"""Reading the API's input and writing its output.

Each input field is a `Field`: the function that checks and converts the value, and the JSON Schema
the OpenAPI document publishes for it, so the two cannot drift apart. A value of the wrong type or
format is a 400 with one message per field; breaking a rule of the domain is a 422 (raised by the
views from the services' errors).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from lifecycle.blueprints.api.errors import ApiError
from lifecycle.enums import Stage
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import Platform
from lifecycle.models import StageTransition
from lifecycle.services.managers import EDITABLE_FIELDS
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import every_stage_after

#: the largest id a client may send (PostgreSQL's integer); larger ones are refused, never sent to SQL
MAX_ID = 2_147_483_647
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
MAX_STUCK_DAYS = 36_500
REASON_MAX_LENGTH = 2000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"\d{1,10}")
STAGE_KEYS = frozenset(stage.value for stage in Stage)


class FieldError(ValueError):
    """One field's value is not acceptable; the message is meant for the client."""


Schema = dict[str, Any]


@dataclass(frozen=True)
class Field:
    """An input field: how its value is checked and converted, and its JSON Schema."""

    parse: Callable[[Any], Any]
    schema: Schema


# -- input: single values ---------------------------------------------------------------------------


def _text(value: Any, max_length: int, required: bool) -> str | None:
    if not isinstance(value, str):
        raise FieldError(_("Must be a string."))
    if "\x00" in value:
        raise FieldError(_("Must not contain NUL characters."))
    clean = value.strip()
    if len(clean) > max_length:
        raise FieldError(_("At most %(num)d characters.", num=max_length))
    if required and not clean:
        raise FieldError(_("Must not be empty."))
    return clean or None


def text_field(max_length: int, *, required: bool = False, description: str = "") -> Field:
    """A string; surrounding spaces are removed, and a blank one means "not set" unless required."""
    schema: Schema = {"type": "string", "maxLength": max_length}
    if required:
        schema["minLength"] = 1
    if description:
        schema["description"] = description
    return Field(lambda value: _text(value, max_length, required), schema)


def _email(value: Any) -> str | None:
    address = _text(value, 254, required=False)
    if address is None:
        return None
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise FieldError(_("Not a valid e-mail address.")) from exc
    return address


def _identifier(value: Any) -> int:
    # bool is an int in Python, but true is not an id.
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(_("Must be an integer id."))
    if not 1 <= value <= MAX_ID:
        raise FieldError(_("Not a valid id."))
    return value


def _date(value: Any) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise FieldError(_("Must be a date as YYYY-MM-DD."))
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise FieldError(_("Not a valid date.")) from exc


def _stage(value: Any) -> Stage:
    if isinstance(value, str) and value in STAGE_KEYS:
        return Stage(value)
    raise FieldError(_("Unknown stage. Use one of: %(stages)s.", stages=", ".join(s.value for s in Stage)))


def nullable(inner: Field) -> Field:
    """Allow null (meaning "not set") besides the inner field's values."""
    schema = dict(inner.schema)
    schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return Field(lambda value: None if value is None else inner.parse(value), schema)


IDENTIFIER = Field(_identifier, {"type": "integer", "minimum": 1, "maximum": MAX_ID})
DATE = Field(_date, {"type": "string", "format": "date"})
STAGE = Field(_stage, {"type": "string", "enum": [stage.value for stage in Stage]})
EMAIL = Field(_email, {"type": "string", "format": "email", "maxLength": 254})


# -- input: JSON bodies -----------------------------------------------------------------------------


def json_body() -> dict[str, Any]:
    """Return the request's JSON object, or refuse a body that is not one."""
    if not request.is_json:
        raise ApiError(415, _("Send a JSON object with the header Content-Type: application/json."))
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, _("The body is not valid JSON.")) from exc
    if not isinstance(body, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    return body


@dataclass(frozen=True)
class BodySchema:
    """The fields a JSON body may have, and those it must have."""

    fields: Mapping[str, Field]
    required: tuple[str, ...] = ()

    def parse(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Return the converted values of the fields present; refuse unknown, missing or bad ones."""
        errors: dict[str, list[str]] = {}
        for name in body:
            if name not in self.fields:
                errors[str(name)] = [_("Unknown field.")]
        for name in self.required:
            if name not in body:
                errors[name] = [_("This field is required.")]
        values: dict[str, Any] = {}
        for name, spec in self.fields.items():
            if name in body and name not in errors:
                try:
                    values[name] = spec.parse(body[name])
                except FieldError as exc:
                    errors[name] = [str(exc)]
        if errors:
            raise ApiError(400, _("Some fields are not valid."), fields=errors)
        return values

    def json_schema(self) -> Schema:
        schema: Schema = {
            "type": "object",
            "properties": {name: spec.schema for name, spec in self.fields.items()},
            "additionalProperties": False,
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema


_NAME = text_field(200, required=True)
_EMPLOYEE_NUMBER = nullable(text_field(40, description="The payroll/HR system's number; unique."))
_TITLE = nullable(text_field(200))

MANAGER_CREATE = BodySchema(
    fields={
        "name": _NAME,
        "employee_number": _EMPLOYEE_NUMBER,
        "email": nullable(EMAIL),
        "title": _TITLE,
        "org_unit_id": nullable(IDENTIFIER),
        "line_manager_id": nullable(IDENTIFIER),
        "hr_partner_id": nullable(IDENTIFIER),
        "start_date": nullable(DATE),
        "stage": STAGE,
        "effective_date": DATE,
        "reason": text_field(REASON_MAX_LENGTH),
    },
    required=("name", "stage"),
)

MANAGER_UPDATE = BodySchema(
    fields={
        "name": _NAME,
        "employee_number": _EMPLOYEE_NUMBER,
        "email": nullable(EMAIL),
        "title": _TITLE,
        "org_unit_id": nullable(IDENTIFIER),
        "line_manager_id": nullable(IDENTIFIER),
        "hr_partner_id": nullable(IDENTIFIER),
        "mentor_id": nullable(IDENTIFIER),
        "start_date": nullable(DATE),
        "end_date": nullable(DATE),
    }
)
if not set(MANAGER_UPDATE.fields) <= set(EDITABLE_FIELDS):
    raise RuntimeError("the API offers a manager field that services.managers does not let change")

TRANSITION_CREATE = BodySchema(
    fields={
        "to_stage": STAGE,
        "reason": text_field(REASON_MAX_LENGTH, required=True),
        "effective_date": DATE,
        "end_date": nullable(DATE),
    },
    required=("to_stage", "reason"),
)


# -- input: the manager list's query string ----------------------------------------------------------


@dataclass(frozen=True)
class QueryParameter:
    """A query-string parameter: how it is read and its OpenAPI description."""

    name: str
    schema: Schema
    description: str
    repeatable: bool = False


def _query_int(args: MultiDict[str, str], name: str, low: int, high: int) -> int | None:
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

    read("unit", lambda: _query_int(args, "unit", 1, MAX_ID))
    read("line_manager", lambda: _query_int(args, "line_manager", 1, MAX_ID))
    read("hr_partner", lambda: _query_int(args, "hr_partner", 1, MAX_ID))
    read("q", lambda: _text(args.get("q", ""), 200, required=False) or "")
    read("stuck_after_days", lambda: _query_int(args, "stuck_after_days", 0, MAX_STUCK_DAYS))
    read("limit", lambda: _query_int(args, "limit", 1, MAX_PAGE_SIZE))
    read("cursor", lambda: _query_int(args, "cursor", 0, MAX_ID))
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
    return tuple(dict.fromkeys(_stage(key) for key in keys))


# -- output ---------------------------------------------------------------------------------------


def keyset_page(items: list[Any], last_id: int | None) -> dict[str, Any]:
    """The envelope of every paged list: the items, and the cursor of the next page (None on the last)."""
    return {"items": items, "next_cursor": str(last_id) if last_id is not None else None}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def manager_json(manager: Manager) -> dict[str, Any]:
    """Return a manager as the API shows it; only columns, so a list needs no further queries."""
    return {
        "id": manager.id,
        "name": manager.name,
        "employee_number": manager.employee_number,
        "email": manager.email,
        "title": manager.title,
        "stage": manager.stage.value,
        "stage_entered_on": manager.stage_entered_on.isoformat(),
        "org_unit_id": manager.org_unit_id,
        "line_manager_id": manager.line_manager_id,
        "hr_partner_id": manager.hr_partner_id,
        "mentor_id": manager.mentor_id,
        "start_date": _day(manager.start_date),
        "end_date": _day(manager.end_date),
        "created_at": _moment(manager.created_at),
        "updated_at": _moment(manager.updated_at),
    }


def transition_json(transition: StageTransition) -> dict[str, Any]:
    """Return one move of the journey; the actor must be loaded with it."""
    actor = transition.actor
    return {
        "id": transition.id,
        "manager_id": transition.manager_id,
        "from_stage": transition.from_stage.value if transition.from_stage else None,
        "to_stage": transition.to_stage.value,
        "effective_date": transition.effective_date.isoformat(),
        "reason": transition.reason,
        "recorded_at": _moment(transition.recorded_at),
        "actor": {"id": actor.id, "name": actor.name} if actor is not None else None,
    }


def unit_json(unit: OrgUnit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind.value,
        "parent_id": unit.parent_id,
        "path": unit.path,
    }


def _texts(obj: object, name: str) -> dict[str, str]:
    return {"sv": getattr(obj, f"{name}_sv"), "en": getattr(obj, f"{name}_en")}


def platform_json(platform: Platform) -> dict[str, Any]:
    """Return the platform in both languages, retired pillars and expectations included and marked."""
    return {
        **platform.to_document(),
        "pillars": [
            {
                "key": pillar.key,
                "position": pillar.position,
                "name": _texts(pillar, "name"),
                "description": _texts(pillar, "description"),
                "trait": _texts(pillar, "trait"),
                "retired": pillar.is_retired,
                "expectations": [
                    {
                        "key": expectation.key,
                        "position": expectation.position,
                        "text": _texts(expectation, "text"),
                        "retired": expectation.is_retired,
                    }
                    for expectation in pillar.expectations
                ],
            }
            for pillar in platform.pillars
        ],
    }

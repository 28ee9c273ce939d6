"""The API's contract, declared once as pydantic models: request bodies and responses.

A body is a `Body` model whose fields are annotated with a `Check` (how a value is checked and
converted, and the JSON Schema published for it); a response is an `Out` model. The views validate
with `parse_body()` and answer with `dump()`, and `openapi.py` generates the document's schemas from
the same models with `component_schemas()`, so what is checked and what is published cannot drift
apart. The checks are ours, not pydantic's, because their messages are the user's language (gettext).

A value of the wrong type or form is a 400 with messages per field; breaking a rule of the domain is a
422 (raised by the views from the services' errors).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from enum import Enum
from typing import Annotated
from typing import Any
from typing import Generic
from typing import TypeVar

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask import request
from flask_babel import LazyString
from flask_babel import gettext as _
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import GetCoreSchemaHandler
from pydantic import GetJsonSchemaHandler
from pydantic import PlainSerializer
from pydantic import ValidationError
from pydantic import WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema
from pydantic.json_schema import JsonSchemaValue
from pydantic.json_schema import models_json_schema
from pydantic_core import PydanticCustomError
from pydantic_core import core_schema

from lifecycle.blueprints.api.errors import ApiError
from lifecycle.enums import Stage

Schema = dict[str, Any]

#: the largest id a client may send (PostgreSQL's integer); larger ones are refused, never sent to SQL
MAX_ID = 2_147_483_647
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: the error type our checks raise; pydantic's own types (missing, extra_forbidden, ...) are translated
_CHECK_FAILED = "check_failed"


class FieldError(ValueError):
    """One field's value is not acceptable; the message is meant for the client."""


# -- checks: one value ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """How one value is checked and converted, and the JSON Schema the OpenAPI document publishes for it.

    Used as `Annotated[T, Check(...)]` on a body's field, and as a query parameter's reader.
    """

    parse: Callable[[Any], Any]
    schema: Schema

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(self._validate)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(self.schema)

    def _validate(self, value: Any) -> Any:
        try:
            return self.parse(value)
        except FieldError as exc:
            raise PydanticCustomError(_CHECK_FAILED, "{message}", {"message": str(exc)}) from exc


def clean_text(value: Any, max_length: int, required: bool) -> str | None:
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


def text(max_length: int, *, required: bool = False, description: str = "") -> Check:
    """A string; surrounding spaces are removed, and a blank one means "not set" unless required."""
    schema: Schema = {"type": "string", "maxLength": max_length}
    if required:
        schema["minLength"] = 1
    if description:
        schema["description"] = description
    return Check(lambda value: clean_text(value, max_length, required), schema)


def _email(value: Any) -> str | None:
    address = clean_text(value, 254, required=False)
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


def one_of(values: type[Enum], description: str = "", only: Sequence[Enum] | None = None) -> Check:
    """One of an enum's values (or of `only` among them), by its string value."""
    allowed = [str(member.value) for member in (values if only is None else only)]

    def parse(value: Any) -> Any:
        if isinstance(value, str) and value in allowed:
            return values(value)
        raise FieldError(_("Unknown value. Use one of: %(values)s.", values=", ".join(allowed)))

    schema: Schema = {"type": "string", "enum": allowed}
    if description:
        schema["description"] = description
    return Check(parse, schema)


def stage_of(value: Any) -> Stage:
    if isinstance(value, str) and value in {stage.value for stage in Stage}:
        return Stage(value)
    raise FieldError(_("Unknown stage. Use one of: %(stages)s.", stages=", ".join(s.value for s in Stage)))


def nullable(inner: Check) -> Check:
    """Allow null (meaning "not set") besides the inner check's values."""
    schema = dict(inner.schema)
    schema["type"] = [schema["type"], "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return Check(lambda value: None if value is None else inner.parse(value), schema)


def whole_number(low: int, high: int) -> Check:
    def parse(value: Any) -> int:
        # bool is an int in Python, but true is not a number.
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise FieldError(_("Must be a whole number from %(low)d to %(high)d.", low=low, high=high))
        return value

    return Check(parse, {"type": "integer", "minimum": low, "maximum": high})


IDENTIFIER = Check(_identifier, {"type": "integer", "minimum": 1, "maximum": MAX_ID})
DATE = Check(_date, {"type": "string", "format": "date"})
STAGE = Check(stage_of, {"type": "string", "enum": [stage.value for stage in Stage]})
EMAIL = Check(_email, {"type": "string", "format": "email", "maxLength": 254})


# -- bodies -----------------------------------------------------------------------------------------


class Body(BaseModel):
    """A JSON request body: unknown fields are refused; a field left out is not the same as null."""

    model_config = ConfigDict(extra="forbid")


def unique(
    message: LazyString, key: Callable[[Any], Any] = lambda value: value
) -> Callable[[list[Any]], list[Any]]:
    """An after-validator for a list in which each value (or each value's `key`) may appear only once."""

    def check(values: list[Any]) -> list[Any]:
        keys = [key(value) for value in values]
        if len(set(keys)) != len(keys):
            raise PydanticCustomError(_CHECK_FAILED, "{message}", {"message": str(message)})
        return values

    return check


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


def optional_json_body() -> dict[str, Any]:
    """Return the JSON object sent, or an empty one when the request has no body at all."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


BodyT = TypeVar("BodyT", bound=Body)


def parse_body(model: type[BodyT], body: dict[str, Any]) -> dict[str, Any]:
    """Return the converted values of the fields the body has; refuse unknown, missing or bad ones (400).

    Nested objects come back as dicts, so a view reads every body the same way.
    """
    try:
        parsed = model.model_validate(body)
    except ValidationError as exc:
        raise ApiError(400, _("Some fields are not valid."), fields=field_errors(exc)) from exc
    return parsed.model_dump(exclude_unset=True)


def _message(error: Any) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == _CHECK_FAILED:
        return str(context["message"])
    if kind == "missing":
        return str(_("This field is required."))
    if kind == "extra_forbidden":
        return str(_("Unknown field."))
    if kind == "list_type":
        return str(_("Must be a list."))
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return str(_("Must be an object."))
    if kind == "too_long":
        return str(_("At most %(num)d items.", num=context["max_length"]))
    if kind == "too_short":
        return str(_("At least %(num)d items.", num=context["min_length"]))
    return str(error["msg"])  # pragma: no cover - every type our bodies can raise is named above


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Each top-level field's problems; a nested one says where ("Item 2: score: ...")."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        name, *inside = error["loc"] or ("",)
        message = _message(error)
        for part in reversed(inside):
            if isinstance(part, int):
                message = _("Item %(num)d: %(message)s", num=part + 1, message=message)
            else:
                message = _("%(field)s: %(message)s", field=part, message=message)
        errors.setdefault(str(name), []).append(message)
    return errors


# -- responses ------------------------------------------------------------------------------------


class Out(BaseModel):
    """A response object: every field is always sent (null when it has no value), no others."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


#: an object's id in a response
Id = Annotated[int, Field(ge=1)]

#: a moment in time, written as Python's isoformat ("+00:00", as the API always has) rather than "Z"
Moment = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(Out, Generic[ItemT]):
    """The envelope of every paged list: the items, and the cursor of the next page (null on the last)."""

    items: list[ItemT]
    next_cursor: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            }
        ),
    ]

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{params[0].__name__}{_ENVELOPE_SUFFIX['Page']}"

    @classmethod
    def of(cls, items: list[ItemT], last_id: int | None) -> Page[ItemT]:
        """The page of these items; `last_id` is the last item's id when more follow, else None."""
        return cls(items=items, next_cursor=str(last_id) if last_id is not None else None)


class Items(Out, Generic[ItemT]):
    """The envelope of a list that comes whole."""

    items: list[ItemT]

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{params[0].__name__}{_ENVELOPE_SUFFIX['Items']}"


# -- the document's schemas -------------------------------------------------------------------------


_WRAPPED_LINE = re.compile(r"(?<!\n)\n(?!\n)")
_ENVELOPE = re.compile(r"(Page|Items)\[(\w+)\]")
_ENVELOPE_SUFFIX = {"Page": "Page", "Items": "List"}


class _ComponentSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema without what the document does not need: field titles and defaults."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def normalize_name(self, name: str) -> str:
        # An envelope's name as its class says it ("ManagerPage"), not pydantic's "Page_Manager_".
        envelope = _ENVELOPE.fullmatch(name)
        if envelope is not None:
            return envelope.group(2) + _ENVELOPE_SUFFIX[envelope.group(1)]
        return super().normalize_name(name)

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        # A body's optional field is optional, not defaulted: what leaving it out means is in its text.
        return self.generate_inner(schema["schema"])


def component_schemas(
    bodies: Iterable[type[BaseModel]], responses: Iterable[type[BaseModel]]
) -> dict[str, Schema]:
    """The `components/schemas` of the OpenAPI document: these models and every model they refer to."""
    models = [(model, "validation") for model in bodies] + [(model, "serialization") for model in responses]
    _refs, document = models_json_schema(
        models,  # type: ignore[arg-type]
        ref_template="#/components/schemas/{model}",
        schema_generator=_ComponentSchema,
    )
    schemas: dict[str, Schema] = document.get("$defs", {})
    for schema in schemas.values():
        schema.pop("title", None)
        if "description" in schema:
            # A docstring's line breaks are the source's wrapping, not the text's: keep paragraphs only.
            schema["description"] = _WRAPPED_LINE.sub(" ", schema["description"])
    return schemas

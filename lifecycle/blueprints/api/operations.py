"""The API's routes with their OpenAPI operation, declared where the view is.

`bp.operation(...)` registers a view on the blueprint and records what the document says about it:
its body and response models, the errors it may answer with, its query parameters. `openapi.py`
assembles the document from these records, so a route cannot exist undocumented.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

from flask import Blueprint
from pydantic import BaseModel

from lifecycle.blueprints.api.schemas import QueryParameter

Schema = dict[str, Any]
View = TypeVar("View", bound=Callable[..., Any])

#: the errors every change may answer with: bad input, a session cookie, not found, JSON, a rule broken
WRITE_ERRORS = (400, 403, 404, 415, 422)


@dataclass(frozen=True)
class Operation:
    """One method on one route, as the OpenAPI document describes it."""

    method: str
    rule: str
    #: the view's name, which is also the operationId
    name: str
    summary: str
    tags: tuple[str, ...]
    #: the success response's model; None with `response_schema` for a document that is not a model
    response: type[BaseModel] | None
    response_description: str
    status: int = 200
    description: str = ""
    body: type[BaseModel] | None = None
    #: whether the body may be left out entirely
    body_optional: bool = False
    query: Sequence[QueryParameter] = ()
    #: besides 401, which every operation may answer
    errors: tuple[int, ...] = ()
    #: a 201 that says where the new object is
    location: bool = False
    response_schema: Schema | None = None
    security: tuple[Schema, ...] | None = None


class ApiBlueprint(Blueprint):
    """A blueprint that keeps the OpenAPI operation of each route registered with `operation()`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        rule: str,
        *,
        summary: str,
        tags: Sequence[str],
        response: type[BaseModel] | None,
        response_description: str,
        **details: Any,
    ) -> Callable[[View], View]:
        """Register the view for `method` on `rule`, documented as said."""

        def register(view: View) -> View:
            self.operations.append(
                Operation(
                    method=method.lower(),
                    rule=rule,
                    name=view.__name__,
                    summary=summary,
                    tags=tuple(tags),
                    response=response,
                    response_description=response_description,
                    **details,
                )
            )
            return self.route(rule, methods=[method.upper()])(view)

        return register

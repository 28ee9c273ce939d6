"""JSON API v1: managers, their moves on the journey, the organisation and the platform.

Each view loads through `lifecycle.policy`, validates its body with a model of `schemas`, calls one
service, commits and answers with a response model. Each route is registered with `bp.operation`,
which is what the OpenAPI document (`openapi.py`) is assembled from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import abort
from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.authentication import add_challenge
from lifecycle.blueprints.api.authentication import authenticate_token
from lifecycle.blueprints.api.authentication import refuse_cookie_changes
from lifecycle.blueprints.api.contract import Items
from lifecycle.blueprints.api.contract import Page
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.errors import handle_api_error
from lifecycle.blueprints.api.openapi import openapi_document
from lifecycle.blueprints.api.openapi import with_platform_examples
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.operations import ApiBlueprint
from lifecycle.blueprints.api.schemas import MANAGER_QUERY_PARAMETERS
from lifecycle.blueprints.api.schemas import Manager as ManagerOut
from lifecycle.blueprints.api.schemas import ManagerCreate
from lifecycle.blueprints.api.schemas import ManagerUpdate
from lifecycle.blueprints.api.schemas import Platform
from lifecycle.blueprints.api.schemas import Transition
from lifecycle.blueprints.api.schemas import TransitionCreate
from lifecycle.blueprints.api.schemas import Unit
from lifecycle.blueprints.api.schemas import parse_manager_query
from lifecycle.extensions import csrf
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.policy import can_edit_manager
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.audit import record_read
from lifecycle.services.journey import StageMoveError
from lifecycle.services.journey import enter_journey
from lifecycle.services.journey import move_to_stage
from lifecycle.services.manager_queries import all_units
from lifecycle.services.manager_queries import employee_number_taken
from lifecycle.services.manager_queries import managers_page
from lifecycle.services.manager_queries import transitions_of
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import ManagerDetailsError
from lifecycle.services.managers import update_manager
from lifecycle.services.pipeline import filter_clauses
from lifecycle.services.platform import current_keys
from lifecycle.services.platform import get_platform
from lifecycle.timeutil import local_today

bp = ApiBlueprint("api", __name__, url_prefix="/api/v1")
# Changes authenticated by a session cookie are refused, so no request here needs a CSRF token.
csrf.exempt(bp)
bp.url_value_preprocessor(authenticate_token)
bp.before_request(refuse_cookie_changes)
bp.after_request(add_challenge)
bp.register_error_handler(ApiError, handle_api_error)

#: a manager id in a URL; larger numbers answer 404 instead of reaching SQL
MANAGER_ID = "<int(min=1, max=2147483647):manager_id>"
MANAGERS = ["managers"]
#: the only rule on these fields is that no two managers share a value
CONFLICT_FIELDS = frozenset({"employee_number"})


@contextmanager
def _conflicts_as_409() -> Iterator[None]:
    """Answer 409 when the database refuses a write as a duplicate (e.g. two requests at once)."""
    try:
        yield
    except IntegrityError as exc:
        # The failed flush leaves the session unusable, and the message's locale reads the user.
        db.session.rollback()
        raise ApiError(409, _("The change conflicts with another record; reload it and try again.")) from exc


def _editable_manager(manager_id: int) -> tuple[User, Manager]:
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    if not can_edit_manager(user, manager):
        abort(404)
    return user, manager


@bp.operation(
    "GET",
    "/openapi.json",
    summary="This document",
    tags=["meta"],
    response=None,
    response_schema={"type": "object"},
    response_description="The OpenAPI 3.1 document.",
    security=({}, {"bearerAuth": []}, {"sessionCookie": []}),
)
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API, its examples in the loaded platform's keys."""
    return jsonify(with_platform_examples(openapi_document(), *current_keys()))


@bp.operation(
    "GET",
    "/managers",
    summary="List the managers the caller may see",
    description="HR and administrators see everyone; a manager sees themselves and their direct "
    "reports. Pages are ordered by id; follow `next_cursor` until it is null.",
    tags=MANAGERS,
    query=MANAGER_QUERY_PARAMETERS,
    response=Page[ManagerOut],
    response_description="A page of managers.",
    errors=(400,),
)
def list_managers() -> Response:
    """A page of the managers the caller may see, filtered, ordered by id."""
    user = signed_in()
    query = parse_manager_query(request.args)
    page, more = managers_page(
        [visible_managers_clause(user), *filter_clauses(query.filters, local_today())],
        after_id=query.after_id,
        limit=query.limit,
    )
    items = [ManagerOut.model_validate(manager) for manager in page]
    return jsonify(Page[ManagerOut].of(items, page[-1].id if more else None).dump())


@bp.operation(
    "GET",
    f"/managers/{MANAGER_ID}",
    summary="One manager",
    tags=MANAGERS,
    response=ManagerOut,
    response_description="The manager.",
    errors=(404,),
)
def get_manager(manager_id: int) -> Response:
    """One manager the caller may see."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    response = jsonify(ManagerOut.model_validate(manager).dump())
    record_read(user, manager, "manager")
    db.session.commit()
    return response


def _new_manager_references(values: dict[str, Any]) -> dict[str, Any]:
    """Load the unit, line manager and HR partner a new manager refers to; refuse missing ones."""
    checks: tuple[tuple[str, str, type[Any], str], ...] = (
        ("org_unit_id", "org_unit", OrgUnit, _("The unit does not exist.")),
        ("line_manager_id", "line_manager", Manager, _("The line manager does not exist.")),
        ("hr_partner_id", "hr_partner", User, _("The HR partner does not exist.")),
    )
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, relation, model, message in checks:
        if values.get(field) is not None:
            found[relation] = db.session.get(model, values[field])
            if found[relation] is None:
                errors[field] = [message]
    if errors:
        raise ApiError(422, _("Some fields are not valid."), fields=errors)
    number = values.get("employee_number")
    if number and employee_number_taken(number):
        message = _("Another person has this employee number.")
        raise ApiError(409, message, fields={"employee_number": [message]})
    return found


@bp.operation(
    "POST",
    "/managers",
    summary="Add a person to the journey (HR)",
    tags=MANAGERS,
    body=ManagerCreate,
    response=ManagerOut,
    status=201,
    location=True,
    response_description="The new manager.",
    errors=(*WRITE_ERRORS, 409),
)
def create_manager() -> tuple[Response, int, dict[str, str]]:
    """Add a person to the journey at an entry stage (HR)."""
    user = signed_in()
    values = parse_body(ManagerCreate, json_body())
    references = _new_manager_references(values)
    with _conflicts_as_409():
        try:
            manager = enter_journey(
                name=values["name"],
                stage=values["stage"],
                effective_date=values.get("effective_date") or local_today(),
                actor=user,
                reason=values.get("reason") or "",
                employee_number=values.get("employee_number"),
                email=values.get("email"),
                title=values.get("title"),
                start_date=values.get("start_date"),
                **references,
            )
        except StageMoveError as refused:
            raise ApiError(422, str(refused), fields={"stage": [str(refused)]}) from refused
        db.session.commit()
    location = url_for("api.get_manager", manager_id=manager.id)
    return jsonify(ManagerOut.model_validate(manager).dump()), 201, {"Location": location}


@bp.operation(
    "PATCH",
    f"/managers/{MANAGER_ID}",
    summary="Change a manager's details (HR)",
    description="Each changed detail is recorded in the manager's history (source: api). The stage is "
    "changed by posting a transition, not here.",
    tags=MANAGERS,
    body=ManagerUpdate,
    response=ManagerOut,
    response_description="The manager as changed.",
    errors=(*WRITE_ERRORS, 409),
)
def update_manager_details(manager_id: int) -> Response:
    """Change some of a manager's details (HR); each change is recorded."""
    user, manager = _editable_manager(manager_id)
    changes = ChangeSet(parse_body(ManagerUpdate, json_body()))
    with _conflicts_as_409():
        try:
            update_manager(manager, changes, actor=user, source="api")
        except ManagerDetailsError as refused:
            status = 409 if refused.field in CONFLICT_FIELDS else 422
            raise ApiError(status, str(refused), fields={refused.field: [str(refused)]}) from refused
        db.session.commit()
    return jsonify(ManagerOut.model_validate(manager).dump())


@bp.operation(
    "GET",
    f"/managers/{MANAGER_ID}/transitions",
    summary="The manager's moves on the journey, newest first",
    tags=MANAGERS,
    response=Items[Transition],
    response_description="The history.",
    errors=(404,),
)
def list_transitions(manager_id: int) -> Response:
    """The manager's moves on the journey, newest first."""
    manager = get_manager_or_404(signed_in(), manager_id)
    history = [Transition.model_validate(transition) for transition in transitions_of(manager)]
    return jsonify(Items[Transition](items=history).dump())


@bp.operation(
    "POST",
    f"/managers/{MANAGER_ID}/transitions",
    summary="Move the manager to another stage (HR)",
    tags=MANAGERS,
    body=TransitionCreate,
    response=Transition,
    status=201,
    response_description="The recorded move.",
    errors=WRITE_ERRORS,
)
def create_transition(manager_id: int) -> tuple[Response, int]:
    """Move a manager to another stage (HR), if the journey allows it."""
    user, manager = _editable_manager(manager_id)
    values = parse_body(TransitionCreate, json_body())
    try:
        transition = move_to_stage(
            manager,
            values["to_stage"],
            actor=user,
            reason=values["reason"],
            effective_date=values.get("effective_date") or local_today(),
            end_date=values.get("end_date"),
        )
    except StageMoveError as refused:
        raise ApiError(422, str(refused)) from refused
    db.session.commit()
    return jsonify(Transition.model_validate(transition).dump()), 201


@bp.operation(
    "GET",
    "/units",
    summary="The organisation units, parents before their children",
    tags=["organisation"],
    response=Items[Unit],
    response_description="Every unit.",
)
def list_units() -> Response:
    """Every organisation unit, parents before their children."""
    signed_in()
    return jsonify(Items[Unit](items=[Unit.model_validate(unit) for unit in all_units()]).dump())


@bp.operation(
    "GET",
    "/platform",
    summary="The leadership platform, in Swedish and English",
    tags=["platform"],
    response=Platform,
    response_description="The platform.",
    errors=(404,),
)
def show_platform() -> Response:
    """The leadership platform in both languages, with retired parts marked."""
    signed_in()
    platform = get_platform()
    if platform is None:
        raise ApiError(404, _("No leadership platform is loaded."))
    return jsonify(Platform.of(platform).dump())


# The development-plan, hand-over, interview, talent-pool, recruitment and recruitment-material routes
# (banks, a vacancy's ad and guide) live in modules of their own on this blueprint; importing them
# registers them.
# -- effect map ----
from lifecycle.blueprints.api import effect_map as _effect_map  # noqa: E402, F401
from lifecycle.blueprints.api import handover as _handover  # noqa: E402, F401
from lifecycle.blueprints.api import interviews as _interviews  # noqa: E402, F401
from lifecycle.blueprints.api import materials as _materials  # noqa: E402, F401
from lifecycle.blueprints.api import mentoring as _mentoring  # noqa: E402, F401
from lifecycle.blueprints.api import obstacles as _obstacles  # noqa: E402, F401
from lifecycle.blueprints.api import plans as _plans  # noqa: E402, F401
from lifecycle.blueprints.api import pool as _pool  # noqa: E402, F401
from lifecycle.blueprints.api import recruitment as _recruitment  # noqa: E402, F401
from lifecycle.blueprints.api import workshops as _workshops  # noqa: E402, F401

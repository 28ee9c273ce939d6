"""JSON API v1: managers, their moves on the journey, the organisation and the platform.

Each view loads through `lifecycle.policy`, validates with `schemas`, calls one service, commits and
returns JSON. Every route is described in the OpenAPI document built by `openapi.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint
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
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.errors import handle_api_error
from lifecycle.blueprints.api.openapi import openapi_document
from lifecycle.blueprints.api.openapi import with_platform_examples
from lifecycle.blueprints.api.schemas import MANAGER_CREATE
from lifecycle.blueprints.api.schemas import MANAGER_UPDATE
from lifecycle.blueprints.api.schemas import TRANSITION_CREATE
from lifecycle.blueprints.api.schemas import json_body
from lifecycle.blueprints.api.schemas import keyset_page
from lifecycle.blueprints.api.schemas import manager_json
from lifecycle.blueprints.api.schemas import parse_manager_query
from lifecycle.blueprints.api.schemas import platform_json
from lifecycle.blueprints.api.schemas import transition_json
from lifecycle.blueprints.api.schemas import unit_json
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

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Changes authenticated by a session cookie are refused, so no request here needs a CSRF token.
csrf.exempt(bp)
bp.url_value_preprocessor(authenticate_token)
bp.before_request(refuse_cookie_changes)
bp.after_request(add_challenge)
bp.register_error_handler(ApiError, handle_api_error)

#: a manager id in a URL; larger numbers answer 404 instead of reaching SQL
MANAGER_ID = "<int(min=1, max=2147483647):manager_id>"
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


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API, its examples in the loaded platform's keys."""
    return jsonify(with_platform_examples(openapi_document(), *current_keys()))


@bp.get("/managers")
def list_managers() -> Response:
    """A page of the managers the caller may see, filtered, ordered by id."""
    user = signed_in()
    query = parse_manager_query(request.args)
    page, more = managers_page(
        [visible_managers_clause(user), *filter_clauses(query.filters, local_today())],
        after_id=query.after_id,
        limit=query.limit,
    )
    return jsonify(keyset_page([manager_json(manager) for manager in page], page[-1].id if more else None))


@bp.get(f"/managers/{MANAGER_ID}")
def get_manager(manager_id: int) -> Response:
    """One manager the caller may see."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    response = jsonify(manager_json(manager))
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


@bp.post("/managers")
def create_manager() -> tuple[Response, int, dict[str, str]]:
    """Add a person to the journey at an entry stage (HR)."""
    user = signed_in()
    values = MANAGER_CREATE.parse(json_body())
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
    return jsonify(manager_json(manager)), 201, {"Location": location}


@bp.patch(f"/managers/{MANAGER_ID}")
def update_manager_details(manager_id: int) -> Response:
    """Change some of a manager's details (HR); each change is recorded."""
    user, manager = _editable_manager(manager_id)
    changes = ChangeSet(MANAGER_UPDATE.parse(json_body()))
    with _conflicts_as_409():
        try:
            update_manager(manager, changes, actor=user, source="api")
        except ManagerDetailsError as refused:
            status = 409 if refused.field in CONFLICT_FIELDS else 422
            raise ApiError(status, str(refused), fields={refused.field: [str(refused)]}) from refused
        db.session.commit()
    return jsonify(manager_json(manager))


@bp.get(f"/managers/{MANAGER_ID}/transitions")
def list_transitions(manager_id: int) -> Response:
    """The manager's moves on the journey, newest first."""
    manager = get_manager_or_404(signed_in(), manager_id)
    return jsonify({"items": [transition_json(transition) for transition in transitions_of(manager)]})


@bp.post(f"/managers/{MANAGER_ID}/transitions")
def create_transition(manager_id: int) -> tuple[Response, int]:
    """Move a manager to another stage (HR), if the journey allows it."""
    user, manager = _editable_manager(manager_id)
    values = TRANSITION_CREATE.parse(json_body())
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
    return jsonify(transition_json(transition)), 201


@bp.get("/units")
def list_units() -> Response:
    """Every organisation unit, parents before their children."""
    signed_in()
    return jsonify({"items": [unit_json(unit) for unit in all_units()]})


@bp.get("/platform")
def show_platform() -> Response:
    """The leadership platform in both languages, with retired parts marked."""
    signed_in()
    platform = get_platform()
    if platform is None:
        raise ApiError(404, _("No leadership platform is loaded."))
    return jsonify(platform_json(platform))


# The development-plan routes live in their own module on this blueprint; importing it registers them.
from lifecycle.blueprints.api import plans as _plans  # noqa: E402, F401

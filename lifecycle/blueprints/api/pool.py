"""JSON API v1, the talent pool (HR): its members, filtered and paged, one member, and adding one.

Registered on the same blueprint as `views`, under the same rules: the endpoint rules admit HR alone,
members load through `lifecycle.policy`, bodies and responses are the models of `pool_schemas`, a
service makes the change and flushes, and the view commits once.
"""

from __future__ import annotations

from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Page
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.pool_schemas import POOL_QUERY_PARAMETERS
from lifecycle.blueprints.api.pool_schemas import PoolMember
from lifecycle.blueprints.api.pool_schemas import PoolMemberCreate
from lifecycle.blueprints.api.pool_schemas import parse_pool_query
from lifecycle.blueprints.api.views import bp
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models.talent_pool import TalentProfile
from lifecycle.policy import get_pool_member_or_404
from lifecycle.policy import signed_in
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import resolve_tags
from lifecycle.services.audit import record_read
from lifecycle.services.talent_pool import PoolError
from lifecycle.services.talent_pool import ProfileValues
from lifecycle.services.talent_pool import add_new_person_to_pool
from lifecycle.services.talent_pool import add_to_pool
from lifecycle.services.talent_pool import pool_after
from lifecycle.services.talent_pool import pool_retention_period
from lifecycle.timeutil import local_today

PROFILE_ID = f"<int(min=1, max={MAX_ID}):profile_id>"
POOL = ["talent pool"]
#: the services' names for fields the API calls otherwise
API_FIELDS = {"person": "manager_id"}


@bp.operation(
    "GET",
    "/talent-pool",
    summary="List the talent pool's members (HR)",
    description="Members whose journey is open, filtered by source, strength and consent. Pages are "
    "ordered by id; follow `next_cursor` until it is null.",
    tags=POOL,
    query=POOL_QUERY_PARAMETERS,
    response=Page[PoolMember],
    response_description="A page of members.",
    errors=(400, 404),
)
def list_pool_members() -> Response:
    """A page of the talent pool, filtered, ordered by id."""
    signed_in()
    query = parse_pool_query(request.args)
    period = pool_retention_period()
    profiles, more = pool_after(query.filters, local_today(), period, query.after_id, query.limit)
    items = [PoolMember.of(profile, period) for profile in profiles]
    return jsonify(Page[PoolMember].of(items, profiles[-1].id if more else None).dump())


@bp.operation(
    "GET",
    f"/talent-pool/{PROFILE_ID}",
    summary="One member of the talent pool (HR)",
    tags=POOL,
    response=PoolMember,
    response_description="The member.",
    errors=(404,),
)
def get_pool_member(profile_id: int) -> Response:
    """One member of the talent pool."""
    user = signed_in()
    profile = get_pool_member_or_404(user, profile_id)
    response = jsonify(PoolMember.of(profile, pool_retention_period()).dump())
    record_read(user, profile.manager, "talent_profile", profile.id)
    db.session.commit()
    return response


def _refused(field: str, message: str) -> ApiError:
    name = API_FIELDS.get(field, field)
    return ApiError(422, message, fields={name: [message]})


@bp.operation(
    "POST",
    "/talent-pool",
    summary="Add a person to the talent pool (HR)",
    tags=POOL,
    body=PoolMemberCreate,
    response=PoolMember,
    status=201,
    location=True,
    response_description="The new member.",
    errors=WRITE_ERRORS,
)
def create_pool_member() -> tuple[Response, int, dict[str, str]]:
    """Add someone on the journey, or someone new, to the talent pool (HR)."""
    user = signed_in()
    values = parse_body(PoolMemberCreate, json_body())
    today = local_today()
    try:
        keys = (values.get("pillars") or [], values.get("expectations") or [])
        pillars, expectations = resolve_tags(*keys) if any(keys) else ([], [])
        profile_values = ProfileValues(
            source=values["source"],
            consent_given_on=values.get("consent_given_on") or today,
            notes=values.get("notes") or "",
            pillars=pillars,
            expectations=expectations,
        )
        if values.get("manager_id") is not None:
            person = db.session.get(Manager, values["manager_id"])
            if person is None:
                raise _refused("manager_id", _("No one on the journey has this id."))
            profile: TalentProfile = add_to_pool(person, profile_values, user, today)
        elif values.get("name"):
            profile = add_new_person_to_pool(
                name=values["name"],
                email=values.get("email"),
                employee_number=values.get("employee_number"),
                values=profile_values,
                actor=user,
                today=today,
            )
        else:
            raise _refused("manager_id", _("Give the manager_id of a person on the journey, or a new name."))
    except (PoolError, ActivityError) as refused:
        raise _refused(refused.field, str(refused)) from refused
    db.session.commit()
    location = url_for("api.get_pool_member", profile_id=profile.id)
    return jsonify(PoolMember.of(profile, pool_retention_period()).dump()), 201, {"Location": location}

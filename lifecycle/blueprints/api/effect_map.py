"""JSON API v1, the effect map: the current effects with their measures per period, drivers and obstacles.

Registered on the same blueprint as `views`, under the same rules as the map page (`lifecycle.policy`:
HR and managers read it; only HR filters by unit).
"""

from __future__ import annotations

from flask import jsonify
from flask import request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import FieldError
from lifecycle.blueprints.api.effect_map_schemas import EffectMap
from lifecycle.blueprints.api.effect_map_schemas import EffectOut
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.plan_schemas import read_parameters
from lifecycle.blueprints.api.schemas import QueryParameter
from lifecycle.blueprints.api.schemas import query_int
from lifecycle.blueprints.api.views import bp
from lifecycle.extensions import db
from lifecycle.models import OrgUnit
from lifecycle.policy import may_filter_effect_map_by_unit
from lifecycle.policy import signed_in
from lifecycle.policy import visible_obstacles_clause
from lifecycle.services.effect_map.periods import DEFAULT_SPAN
from lifecycle.services.effect_map.periods import SPANS
from lifecycle.services.effect_map.periods import periods_of
from lifecycle.services.effect_map.queries import effects_on_map
from lifecycle.services.effect_map.queries import map_figures
from lifecycle.timeutil import local_today

EFFECT_MAP_PARAMETERS = (
    QueryParameter(
        "unit_id",
        IDENTIFIER.schema,
        "HR only: the figures of this unit and every unit below it (else the whole organisation).",
    ),
    QueryParameter(
        "period",
        {"type": "string", "enum": list(SPANS), "default": DEFAULT_SPAN},
        "The periods: the last two years by quarter (8q), the last year by quarter (4q), the last "
        "twelve months by month (12m) or the last three years by year (3y).",
    ),
)


@bp.operation(
    "GET",
    "/effect-map",
    summary="The effect map with each effect's measure per period",
    description="HR and managers read it. Each effect has its measure's value and the completed "
    "activities feeding it per period; `has_data` is false for a kind of measure nothing computes yet.",
    tags=["effect map"],
    query=EFFECT_MAP_PARAMETERS,
    response=EffectMap,
    response_description="The effect map.",
    errors=(400, 404),
)
def show_effect_map() -> Response:
    """The current effects of the map with their figures."""
    user = signed_in()

    def period() -> str:
        value = request.args.get("period", DEFAULT_SPAN)
        if value not in SPANS:
            raise FieldError(_("Must be one of %(values)s.", values=", ".join(SPANS)))
        return value

    values = read_parameters(
        {"unit_id": lambda: query_int(request.args, "unit_id", 1, MAX_ID), "period": period}
    )
    unit_id = values["unit_id"]
    if unit_id is not None and (
        not may_filter_effect_map_by_unit(user) or db.session.get(OrgUnit, unit_id) is None
    ):
        raise ApiError(404, _("No such unit."))
    periods = periods_of(values["period"], local_today())
    figures = map_figures(effects_on_map(), periods, unit_id, visible_obstacles_clause(user))
    return jsonify(EffectMap(unit_id=unit_id, effects=[EffectOut.of(f, periods) for f in figures]).dump())

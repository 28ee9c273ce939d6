"""Insight for HR: which pillars each part of the organisation builds, and who has a pillar uncovered."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask_babel import gettext as _
from sqlalchemy import select

from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.coverage import HeatmapRow
from lifecycle.services.coverage import heatmap_parent
from lifecycle.services.coverage import heatmap_rows
from lifecycle.services.coverage import uncovered_managers
from lifecycle.services.coverage import unit_heatmap
from lifecycle.services.exports import Cell
from lifecycle.services.exports import csv_chunks
from lifecycle.services.platform import get_platform
from lifecycle.timeutil import local_today
from lifecycle.urls import parse_id

bp = Blueprint("insight", __name__, url_prefix="/insight", template_folder="templates")

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


def _current_pillars() -> list[Pillar]:
    platform = get_platform()
    return [p for p in platform.pillars if not p.is_retired] if platform else []


def _heatmap() -> tuple[OrgUnit | None, list[Pillar], list[HeatmapRow]]:
    user = signed_in()
    unit_id = _int_arg("unit")
    unit = db.session.get(OrgUnit, unit_id) if unit_id else None
    pillars = _current_pillars()
    rows = unit_heatmap(
        heatmap_rows(unit.id if unit else None),
        pillars,
        visible_managers_clause(user),
        local_today(),
        direct=heatmap_parent(unit.id if unit else None),
    )
    return unit, pillars, rows


@bp.get("/coverage")
def coverage() -> str:
    """Show units × pillars: the share of managers with a completed activity for the pillar in 12 months."""
    unit, pillars, rows = _heatmap()
    trail = []
    if unit is not None:
        ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all())
        trail = [(unit_id, names[unit_id]) for unit_id in ids]
    return render_template("insight/coverage.html", unit=unit, pillars=pillars, rows=rows, trail=trail)


@bp.get("/coverage.csv")
def coverage_csv() -> Response:
    """Download the heatmap as CSV."""
    _unit, pillars, rows = _heatmap()
    header = [_("Unit"), _("Managers")] + [localized(p, "name") for p in pillars]
    body: list[list[Cell]] = [
        [
            _("%(unit)s (directly)", unit=row.unit.name) if row.is_direct else row.unit.name,
            row.managers,
            *(f"{round(row.shares[p.id] * 100)} %" for p in pillars),
        ]
        for row in rows
    ]
    return Response(
        csv_chunks(body, header=header),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="pillar-coverage.csv"',
            "Cache-Control": "no-store",
        },
    )


def _uncovered_pillar() -> Pillar:
    pillars = _current_pillars()
    chosen = request.args.get("pillar") or (pillars[0].key if pillars else "")
    pillar = next((p for p in pillars if p.key == chosen), None)
    if pillar is None:
        abort(404)
    return pillar


@bp.get("/uncovered")
def uncovered() -> str:
    """List managers in post with no completed activity for a pillar in twelve months, a page at a time."""
    user = signed_in()
    pillar = _uncovered_pillar()
    unit_id = _int_arg("unit")
    after = _int_arg("after") or 0
    managers = uncovered_managers(
        visible_managers_clause(user),
        pillar,
        local_today(),
        limit=PAGE_SIZE + 1,
        after_id=after,
        unit_id=unit_id,
    )
    has_more = len(managers) > PAGE_SIZE
    managers = managers[:PAGE_SIZE]
    return render_template(
        "insight/uncovered.html",
        pillar=pillar,
        pillars=_current_pillars(),
        managers=managers,
        unit_id=unit_id,
        after=after,
        next_after=managers[-1].id if has_more else None,
    )


@bp.get("/uncovered.csv")
def uncovered_csv() -> Response:
    """Download the list of managers with the pillar uncovered as CSV."""
    user = signed_in()
    pillar = _uncovered_pillar()
    managers = uncovered_managers(
        visible_managers_clause(user), pillar, local_today(), limit=EXPORT_LIMIT, unit_id=_int_arg("unit")
    )
    header = [_("Employee number"), _("Name"), _("Title"), _("Unit"), _("Line manager")]
    body = [
        [
            m.employee_number,
            m.name,
            m.title,
            m.org_unit.name if m.org_unit else None,
            m.line_manager.name if m.line_manager else None,
        ]
        for m in managers
    ]
    return Response(
        csv_chunks(body, header=header),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="uncovered-{pillar.key}.csv"',
            "Cache-Control": "no-store",
        },
    )

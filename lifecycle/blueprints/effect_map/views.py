"""The effect map's pages: the map with each effect's measure and the activities feeding it per period,
its figures as CSV, and HR's pages that keep the effects, their drivers and their obstacles.

Every page's rule is in `policy` (HR edits; HR and managers read); each change calls one service of
`services.effect_map`, and the view commits.
"""

from __future__ import annotations

import logging

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.effect_map.forms import DriverForm
from lifecycle.blueprints.effect_map.forms import EffectForm
from lifecycle.blueprints.effect_map.forms import ObstacleForm
from lifecycle.blueprints.effect_map.forms import TextsForm
from lifecycle.enums import MeasureKind
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import Obstacle
from lifecycle.models import OrgUnit
from lifecycle.models.effect_map import Effect
from lifecycle.models.effect_map import EffectDriver
from lifecycle.models.effect_map import EffectObstacle
from lifecycle.models.obstacles import OBSTACLE_TAGS
from lifecycle.policy import may_edit_effect_map
from lifecycle.policy import may_filter_effect_map_by_unit
from lifecycle.policy import signed_in
from lifecycle.policy import visible_obstacles_clause
from lifecycle.services.effect_map import EffectMapError
from lifecycle.services.effect_map import EffectValues
from lifecycle.services.effect_map import add_described_obstacle
from lifecycle.services.effect_map import add_driver
from lifecycle.services.effect_map import add_effect
from lifecycle.services.effect_map import change_effect
from lifecycle.services.effect_map import edit_item
from lifecycle.services.effect_map import link_obstacle
from lifecycle.services.effect_map import move_effect
from lifecycle.services.effect_map import move_item
from lifecycle.services.effect_map import set_effect_retired
from lifecycle.services.effect_map import set_item_retired
from lifecycle.services.effect_map.measures import KINDS
from lifecycle.services.effect_map.measures import PULSE_STATEMENTS
from lifecycle.services.effect_map.periods import DEFAULT_SPAN
from lifecycle.services.effect_map.periods import SPANS
from lifecycle.services.effect_map.periods import Period
from lifecycle.services.effect_map.periods import periods_of
from lifecycle.services.effect_map.queries import EffectFigures
from lifecycle.services.effect_map.queries import driver_of
from lifecycle.services.effect_map.queries import effect_obstacle_of
from lifecycle.services.effect_map.queries import effect_of
from lifecycle.services.effect_map.queries import effects_on_map
from lifecycle.services.effect_map.queries import map_figures
from lifecycle.services.exports import Cell
from lifecycle.services.exports import csv_chunks
from lifecycle.services.organisation import unit_tree
from lifecycle.services.platform import get_platform
from lifecycle.timeutil import local_today
from lifecycle.urls import parse_id

logger = logging.getLogger(__name__)

bp = Blueprint("effect_map", __name__, template_folder="templates")

#: the lists of an effect HR keeps, by the name in their URLs
ITEMS: dict[str, type[EffectDriver] | type[EffectObstacle]] = {
    "drivers": EffectDriver,
    "obstacles": EffectObstacle,
}


def value_text(kind: MeasureKind, value: float | None) -> str:
    """A measure's value as the table shows it, "–" for none."""
    if value is None:
        return "–"
    number = f"{value:g}" if value != int(value) else str(int(value))
    return str(KINDS[kind].value_format) % {"value": number}


# -- the map ----------------------------------------------------------------------------------------------


def _filters() -> tuple[OrgUnit | None, str, list[Period]]:
    user = signed_in()
    unit = None
    if may_filter_effect_map_by_unit(user):
        unit_id = parse_id(request.args.get("unit"))
        unit = db.session.get(OrgUnit, unit_id) if unit_id is not None else None
    span = request.args.get("period", DEFAULT_SPAN)
    if span not in SPANS:
        span = DEFAULT_SPAN
    return unit, span, periods_of(span, local_today())


def _figures() -> tuple[OrgUnit | None, str, list[Period], list[EffectFigures]]:
    user = signed_in()
    unit, span, periods = _filters()
    figures = map_figures(
        effects_on_map(), periods, unit.id if unit is not None else None, visible_obstacles_clause(user)
    )
    return unit, span, periods, figures


@bp.get("/effect-map")
def index() -> str:
    """The effect map: per effect, its measure and the activities feeding it per period, its drivers and
    obstacles."""
    user = signed_in()
    unit, span, periods, figures = _figures()
    return render_template(
        "effect_map/index.html",
        figures=figures,
        periods=periods,
        unit=unit,
        span=span,
        spans=SPANS,
        units=unit_tree() if may_filter_effect_map_by_unit(user) else None,
        may_edit=may_edit_effect_map(user),
        kinds=KINDS,
        statements=PULSE_STATEMENTS,
        value_text=value_text,
        localized=localized,
    )


@bp.get("/effect-map.csv")
def figures_csv() -> Response:
    """Download the map's figures as CSV: one row per effect and period."""
    _unit, _span, periods, figures = _figures()
    header = [
        _("Effect"),
        _("Measure"),
        _("Period"),
        _("From"),
        _("To"),
        _("Value"),
        _("Completed activities"),
    ]
    body: list[list[Cell]] = []
    for figure in figures:
        effect = figure.effect
        for index, period in enumerate(periods):
            value = figure.values[index] if figure.values is not None else None
            body.append(
                [
                    localized(effect, "title"),
                    str(KINDS[effect.measure_kind].heading),
                    period.label,
                    period.start,
                    period.end,
                    _("No data yet") if figure.values is None else ("" if value is None else f"{value:g}"),
                    figure.activities[index] if figure.activities is not None else "",
                ]
            )
    return Response(
        csv_chunks(body, header=header),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="effect-map.csv"', "Cache-Control": "no-store"},
    )


# -- HR's effects -----------------------------------------------------------------------------------------


def _effect_or_404(effect_id: int) -> Effect:
    effect = effect_of(effect_id)
    if effect is None:
        abort(404)
    return effect


def _choices(form: EffectForm, effect: Effect | None) -> None:
    platform = get_platform()
    kept_pillars = {p.id for p in effect.pillars} if effect else set()
    kept_expectations = {e.id for e in effect.expectations} if effect else set()
    pillars = [p for p in (platform.pillars if platform else []) if not p.is_retired or p.id in kept_pillars]
    form.pillars.choices = [SelectChoice(str(p.id), localized(p, "name")) for p in pillars]
    form.measure_pillar.choices = [
        SelectChoice("", _("No pillar")),
        *(SelectChoice(str(p.id), localized(p, "name")) for p in pillars if not p.is_retired),
    ]
    form.measure_kind.choices = [SelectChoice(kind.value, str(kind.title)) for kind in MeasureKind]
    form.measure_statement.choices = [
        SelectChoice("", _("No statement")),
        *(SelectChoice(key, str(words)) for key, words in PULSE_STATEMENTS.items()),
    ]
    form.expectations.choices = [
        SelectChoice(str(e.id), f"{localized(p, 'name')}: {localized(e, 'text')}")
        for p in pillars
        for e in p.expectations
        if not e.is_retired or e.id in kept_expectations
    ]


def _ids(values: list[str] | None) -> list[int]:
    return [int(value) for value in values or [] if value.isdigit() and len(value) < 10]


def _values(form: EffectForm) -> EffectValues:
    pillar = form.measure_pillar.data or ""
    return EffectValues(
        title_sv=form.title_sv.data or "",
        title_en=form.title_en.data or "",
        description_sv=form.description_sv.data or "",
        description_en=form.description_en.data or "",
        measure_kind=MeasureKind(form.measure_kind.data),
        measure_statement=form.measure_statement.data or None,
        measure_pillar_id=int(pillar) if pillar.isdigit() else None,
        pillar_ids=_ids(form.pillars.data),
        expectation_ids=_ids(form.expectations.data),
    )


def _refused(form: EffectForm | TextsForm | ObstacleForm, refused: EffectMapError, fallback: str) -> None:
    db.session.rollback()
    form[refused.field if refused.field in form else fallback].errors = [str(refused)]


@bp.route("/effect-map/effects/new", methods=["GET", "POST"])
def new_effect() -> str | BaseResponse | tuple[str, int]:
    """HR adds an effect to the map."""
    signed_in()
    form = EffectForm()
    _choices(form, None)
    if form.validate_on_submit():
        try:
            effect = add_effect(_values(form))
        except EffectMapError as refused:
            _refused(form, refused, "title_sv")
        else:
            db.session.commit()
            flash(_("The effect is added."), "success")
            return redirect(url_for("effect_map.effect", effect_id=effect.id))
    return render_template("effect_map/effect_form.html", form=form, effect=None), 422 if form.errors else 200


@bp.route("/effect-map/effects/<id:effect_id>/edit", methods=["GET", "POST"])
def edit_effect(effect_id: int) -> str | BaseResponse | tuple[str, int]:
    """HR changes an effect, its measure and what feeds it."""
    signed_in()
    effect = _effect_or_404(effect_id)
    if request.method == "GET":
        form = EffectForm(
            title_sv=effect.title_sv,
            title_en=effect.title_en,
            description_sv=effect.description_sv,
            description_en=effect.description_en,
            measure_kind=effect.measure_kind.value,
            measure_statement=effect.measure_statement or "",
            measure_pillar=str(effect.measure_pillar_id or ""),
            pillars=[str(p.id) for p in effect.pillars],
            expectations=[str(e.id) for e in effect.expectations],
        )
    else:
        form = EffectForm()
    _choices(form, effect)
    if form.validate_on_submit():
        try:
            change_effect(effect, _values(form))
        except EffectMapError as refused:
            _refused(form, refused, "title_sv")
            effect = _effect_or_404(effect_id)
        else:
            db.session.commit()
            flash(_("The effect is saved."), "success")
            return redirect(url_for("effect_map.effect", effect_id=effect.id))
    return render_template(
        "effect_map/effect_form.html", form=form, effect=effect
    ), 422 if form.errors else 200


def _obstacle_suggestions(effect: Effect) -> list[Obstacle]:
    """Open obstacles of the log hindering a pillar that feeds the effect, newest first (a few)."""
    pillar_ids = [p.id for p in effect.pillars]
    if not pillar_ids:
        return []
    tagged = select(OBSTACLE_TAGS.pillar_owner).where(OBSTACLE_TAGS.pillars.c.pillar_id.in_(pillar_ids))
    linked = select(EffectObstacle.obstacle_id).where(
        EffectObstacle.effect_id == effect.id, EffectObstacle.obstacle_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Obstacle)
            .where(Obstacle.id.in_(tagged), Obstacle.id.not_in(linked))
            .order_by(Obstacle.id.desc())
            .limit(10)
        )
    )


def _render_effect(
    effect: Effect, driver_form: DriverForm | None = None, obstacle_form: ObstacleForm | None = None
) -> tuple[str, int]:
    driver_form = driver_form or DriverForm(formdata=None, prefix="driver")
    obstacle_form = obstacle_form or ObstacleForm(formdata=None, prefix="obstacle")
    failed = bool(driver_form.errors or obstacle_form.errors)
    return (
        render_template(
            "effect_map/effect.html",
            effect=effect,
            driver_form=driver_form,
            obstacle_form=obstacle_form,
            suggestions=_obstacle_suggestions(effect),
            kinds=KINDS,
            statements=PULSE_STATEMENTS,
            localized=localized,
        ),
        422 if failed else 200,
    )


@bp.get("/effect-map/effects/<id:effect_id>")
def effect(effect_id: int) -> tuple[str, int]:
    """HR: one effect with its drivers and obstacles, current and retired, and the forms that add them."""
    signed_in()
    return _render_effect(_effect_or_404(effect_id))


@bp.post("/effect-map/effects/<id:effect_id>/retire")
def retire_effect(effect_id: int) -> BaseResponse:
    """HR retires an effect (off the map) or brings it back."""
    signed_in()
    effect = _effect_or_404(effect_id)
    set_effect_retired(effect, request.form.get("retired") == "1")
    db.session.commit()
    return redirect(url_for("effect_map.effect", effect_id=effect.id))


@bp.post("/effect-map/effects/<id:effect_id>/move", endpoint="move_effect")
def move_effect_(effect_id: int) -> BaseResponse:
    """HR moves an effect one place up or down on the map."""
    signed_in()
    move_effect(_effect_or_404(effect_id), -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for("effect_map.index"))


@bp.post("/effect-map/effects/<id:effect_id>/drivers", endpoint="add_driver")
def add_driver_(effect_id: int) -> BaseResponse | tuple[str, int]:
    """HR adds a driver to an effect."""
    signed_in()
    effect = _effect_or_404(effect_id)
    form = DriverForm(prefix="driver")
    if form.validate_on_submit():
        try:
            add_driver(effect, form.text_sv.data or "", form.text_en.data or "")
        except EffectMapError as refused:
            _refused(form, refused, "text_sv")
        else:
            db.session.commit()
            flash(_("The driver is added."), "success")
            return redirect(url_for("effect_map.effect", effect_id=effect_id))
    return _render_effect(_effect_or_404(effect_id), driver_form=form)


@bp.post("/effect-map/effects/<id:effect_id>/obstacles", endpoint="add_obstacle")
def add_obstacle_(effect_id: int) -> BaseResponse | tuple[str, int]:
    """HR links an obstacle of the log to an effect, or describes one in words."""
    signed_in()
    effect = _effect_or_404(effect_id)
    form = ObstacleForm(prefix="obstacle")
    if form.validate_on_submit():
        try:
            if form.obstacle.data is not None:
                link_obstacle(effect, db.session.get(Obstacle, form.obstacle.data))
            elif form.text_sv.data:
                add_described_obstacle(effect, form.text_sv.data, form.text_en.data or "")
            else:
                raise EffectMapError("obstacle", _("Give an obstacle's number or describe the obstacle."))
        except EffectMapError as refused:
            _refused(form, refused, "obstacle")
        else:
            db.session.commit()
            flash(_("The obstacle is added."), "success")
            return redirect(url_for("effect_map.effect", effect_id=effect_id))
    elif not form.errors:
        form.obstacle.errors = [_("Give an obstacle's number or describe the obstacle.")]
    return _render_effect(_effect_or_404(effect_id), obstacle_form=form)


# -- an effect's drivers and obstacles --------------------------------------------------------------------


def _item_or_404(kind: str, item_id: int) -> EffectDriver | EffectObstacle:
    if kind not in ITEMS:
        abort(404)
    item = driver_of(item_id) if kind == "drivers" else effect_obstacle_of(item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/effect-map/<kind>/<id:item_id>/edit", methods=["GET", "POST"], endpoint="edit_item")
def edit_item_(kind: str, item_id: int) -> str | BaseResponse | tuple[str, int]:
    """HR changes a driver's words, or those of an obstacle described in words."""
    signed_in()
    item = _item_or_404(kind, item_id)
    if isinstance(item, EffectObstacle) and item.is_linked:
        abort(404)
    form = TextsForm(text_sv=item.text_sv, text_en=item.text_en) if request.method == "GET" else TextsForm()
    if form.validate_on_submit():
        try:
            edit_item(item, form.text_sv.data or "", form.text_en.data or "")
        except EffectMapError as refused:
            _refused(form, refused, "text_sv")
        else:
            db.session.commit()
            flash(_("The text is saved."), "success")
            return redirect(url_for("effect_map.effect", effect_id=item.effect_id))
    item = _item_or_404(kind, item_id)
    return (
        render_template("effect_map/item_form.html", form=form, item=item, kind=kind, localized=localized),
        422 if form.errors else 200,
    )


@bp.post("/effect-map/<kind>/<id:item_id>/retire", endpoint="retire_item")
def retire_item_(kind: str, item_id: int) -> BaseResponse:
    """HR retires a driver or an obstacle of an effect (off the map), or brings it back."""
    signed_in()
    item = _item_or_404(kind, item_id)
    set_item_retired(item, request.form.get("retired") == "1")
    db.session.commit()
    return redirect(url_for("effect_map.effect", effect_id=item.effect_id))


@bp.post("/effect-map/<kind>/<id:item_id>/move", endpoint="move_item")
def move_item_(kind: str, item_id: int) -> BaseResponse:
    """HR moves a driver or an obstacle one place up or down among the effect's."""
    signed_in()
    item = _item_or_404(kind, item_id)
    move_item(item, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for("effect_map.effect", effect_id=item.effect_id))

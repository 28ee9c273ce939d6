"""The HR pipeline board: one column per stage, filtered, paginated."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.pipeline.forms import BoardFilterForm
from lifecycle.enums import Stage
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.accounts import hr_users
from lifecycle.services.introductions import introduction_progress
from lifecycle.services.organisation import unit_tree
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import board_columns
from lifecycle.services.pipeline import stuck_thresholds
from lifecycle.timeutil import local_today

bp = Blueprint("pipeline", __name__, template_folder="templates")

CARDS_PER_COLUMN = 20
CARDS_PER_PAGE = 50


def _filter_form() -> BoardFilterForm:
    form = BoardFilterForm(request.args)
    everything = SelectChoice(0, _("All"))
    form.unit.choices = [everything] + [
        SelectChoice(unit.id, "\u2003" * depth + unit.name) for unit, depth in unit_tree()
    ]
    form.hr_partner.choices = [everything] + [SelectChoice(user.id, user.name) for user in hr_users()]
    return form


def _selected_stage() -> Stage | None:
    value = request.args.get("stage")
    return Stage(value) if value in {stage.value for stage in Stage.journey()} else None


@dataclass(frozen=True)
class BoardSelection:
    """Who the board's query string selects: the filter form, the filter and the one stage shown."""

    form: BoardFilterForm
    filters: ManagerFilter
    stage: Stage | None
    stuck_after: dict[Stage, int]


def board_selection() -> BoardSelection:
    """Read the board's filters from the query string (the board, and actions on its selection)."""
    form = _filter_form()
    form.validate()
    stage = _selected_stage()
    stuck_after = stuck_thresholds(current_app.config["STUCK_AFTER_DAYS"])
    filters = ManagerFilter(
        unit_id=(form.unit.data or None) if not form.unit.errors else None,
        line_manager_query=form.line_manager.data or "",
        hr_partner_id=(form.hr_partner.data or None) if not form.hr_partner.errors else None,
        query=form.q.data or "",
        stuck_after=stuck_after if form.stuck.data else None,
        stages=(stage,) if stage else Stage.journey(),
    )
    return BoardSelection(form, filters, stage, stuck_after)


@bp.get("/pipeline")
def board() -> str:
    """Show the journey as columns with counts and cards; one stage alone is shown page by page."""
    user = signed_in()
    selection = board_selection()
    form, filters, stage, stuck_after = (
        selection.form,
        selection.filters,
        selection.stage,
        selection.stuck_after,
    )
    page = form.page.data if form.page.data and not form.page.errors else 1
    per_column = CARDS_PER_PAGE if stage else CARDS_PER_COLUMN
    columns = board_columns(
        visible_managers_clause(user),
        filters,
        local_today(),
        stuck_after,
        per_column=per_column,
        offset=(page - 1) * per_column if stage else 0,
    )
    # One query for the progress of every introduction card on the page, however many there are.
    introducing = [c.manager.id for col in columns if col.stage is Stage.INTRODUCE for c in col.cards]
    return render_template(
        "pipeline/board.html",
        form=form,
        columns=columns,
        introductions=introduction_progress(introducing, local_today()),
        stage=stage,
        page=page,
        per_column=per_column,
        filters=filters,
    )

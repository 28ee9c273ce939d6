"""The obstacle log's pages: a manager's obstacles, reporting one, an obstacle with its history and its
handling, and HR's overview of the open ones.

Every obstacle loads through `policy` (anyone else gets 404), each change calls one service of
`services.obstacles`, the view commits, and the reporter's e-mail is queued after the commit.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.obstacles.forms import AssignForm
from lifecycle.blueprints.obstacles.forms import HandleForm
from lifecycle.blueprints.obstacles.forms import OverviewFilterForm
from lifecycle.blueprints.obstacles.forms import ReportForm
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import Obstacle
from lifecycle.models import User
from lifecycle.policy import get_handled_obstacle_or_404
from lifecycle.policy import get_obstacle_or_404
from lifecycle.policy import may_assign_obstacle
from lifecycle.policy import may_handle_obstacle
from lifecycle.policy import may_report_obstacle
from lifecycle.policy import signed_in
from lifecycle.policy import visible_obstacles_clause
from lifecycle.services.obstacles import ObstacleChange
from lifecycle.services.obstacles import ObstacleError
from lifecycle.services.obstacles import allowed_statuses
from lifecycle.services.obstacles import change_obstacle
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.obstacles import resolves
from lifecycle.services.obstacles.queries import PAGE_SIZE
from lifecycle.services.obstacles.queries import ObstacleFilter
from lifecycle.services.obstacles.queries import age_in_days
from lifecycle.services.obstacles.queries import count_obstacles
from lifecycle.services.obstacles.queries import history_of
from lifecycle.services.obstacles.queries import median_days_to_removal
from lifecycle.services.obstacles.queries import newest_first
from lifecycle.services.obstacles.queries import obstacles_after
from lifecycle.services.obstacles.queries import owner_suggestions
from lifecycle.services.organisation import unit_tree
from lifecycle.services.platform import get_platform
from lifecycle.tasks import queue_after_commit
from lifecycle.tasks import queue_obstacle_resolved
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

bp = Blueprint("obstacles", __name__, template_folder="templates")

OBSTACLE_ID = "<id:obstacle_id>"


# -- a manager's obstacles ------------------------------------------------------------------------------


@bp.get("/obstacles")
def mine() -> str:
    """The obstacles the user reported, those they own, and those shared with them."""
    user = signed_in()
    visible = visible_obstacles_clause(user)
    own = user.manager
    reported = newest_first(visible, Obstacle.reporter_id == own.id) if own is not None else []
    owned = newest_first(visible, Obstacle.owner_user_id == user.id)
    shown = {o.id for o in (*reported, *owned)}
    shared = (
        [
            o
            for o in newest_first(
                visible, Obstacle.shared.is_(True), Obstacle.reporter_id.is_distinct_from(own.id)
            )
            if o.id not in shown
        ]
        if own is not None
        else []
    )
    return render_template(
        "obstacles/mine.html",
        reported=reported,
        owned=owned,
        shared=shared,
        may_report=may_report_obstacle(user),
        today=local_today(),
        age_in_days=age_in_days,
    )


def _tag_choices(form: ReportForm) -> None:
    """Offer the platform's current pillars and expectations, by id."""
    platform = get_platform()
    pillars = [p for p in (platform.pillars if platform else []) if not p.is_retired]
    form.pillars.choices = [SelectChoice(str(p.id), localized(p, "name")) for p in pillars]
    form.expectations.choices = [
        SelectChoice(str(e.id), f"{localized(e, 'text')} ({localized(p, 'name')})")
        for p in pillars
        for e in p.expectations
        if not e.is_retired
    ]


def _ids(values: list[str] | None) -> list[int]:
    return [int(value) for value in values or [] if value.isdigit()]


@bp.route("/obstacles/new", methods=["GET", "POST"])
def new() -> str | Response:
    """Report an obstacle (a manager with a unit)."""
    user = signed_in()
    reporter = user.manager
    unit = reporter.org_unit if reporter is not None else None
    if not may_report_obstacle(user) or unit is None:
        abort(404)
    form = ReportForm()
    _tag_choices(form)
    if form.validate_on_submit():
        try:
            obstacle = report_obstacle(
                reporter=reporter,
                unit=unit,
                title=form.title.data or "",
                description=form.description.data or "",
                severity=ObstacleSeverity(form.severity.data),
                shared=bool(form.shared.data),
                pillar_ids=_ids(form.pillars.data),
                expectation_ids=_ids(form.expectations.data),
                actor=user,
            )
        except ObstacleError as refused:
            db.session.rollback()
            form[refused.field if refused.field in form else "title"].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The obstacle is reported. HR takes it from here."), "success")
            return redirect(url_for("obstacles.detail", obstacle_id=obstacle.id))
    return render_template("obstacles/new.html", form=form, unit=unit)


# -- one obstacle -----------------------------------------------------------------------------------------


def _handle_form(user: User, obstacle: Obstacle, formdata: object | None = None) -> HandleForm | None:
    """The form the user changes the obstacle with (HR's, or the owner's), or None."""
    if not obstacle.is_open or not may_handle_obstacle(user, obstacle):
        return None
    form: HandleForm
    if may_assign_obstacle(user, obstacle):
        form = AssignForm(formdata=formdata) if formdata is not None else AssignForm()
        if formdata is None:
            form.owner.data = obstacle.owner.email if obstacle.owner else ""
            form.due_date.data = obstacle.due_date
    else:
        form = HandleForm(formdata=formdata) if formdata is not None else HandleForm()
    form.status.choices = [SelectChoice(s.value, s.title) for s in allowed_statuses(obstacle)]
    if formdata is None:
        form.status.data = obstacle.status.value
        form.explanation.data = obstacle.explanation or ""
    return form


def _render_detail(
    user: User, obstacle: Obstacle, form: HandleForm | None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "obstacles/detail.html",
            obstacle=obstacle,
            history=history_of(obstacle),
            form=form,
            assigns=may_assign_obstacle(user, obstacle),
            age=age_in_days(obstacle, local_today()),
            localized=localized,
            is_reporter=user.manager is not None and obstacle.reporter_id == user.manager.id,
            owner_suggestions=owner_suggestions() if isinstance(form, AssignForm) else [],
            statuses={status.value: status for status in ObstacleStatus},
        ),
        status,
    )


@bp.get(f"/obstacles/{OBSTACLE_ID}")
def detail(obstacle_id: int) -> tuple[str, int]:
    """An obstacle, its progress step by step, and its handling for HR and the owner."""
    user = signed_in()
    obstacle = get_obstacle_or_404(user, obstacle_id)
    return _render_detail(user, obstacle, _handle_form(user, obstacle))


def _owner_from(form: AssignForm) -> User | None:
    address = (form.owner.data or "").strip()
    if not address:
        return None
    found = db.session.scalar(select(User).where(func.lower(User.email) == address.lower()))
    if found is None or not found.is_enabled:
        raise ObstacleError("owner", _("No active user account has this e-mail address."))
    return found


@bp.post(f"/obstacles/{OBSTACLE_ID}/handle")
def handle(obstacle_id: int) -> Response | tuple[str, int]:
    """HR's or the owner's change of an obstacle: status, explanation, comment (HR: owner, due date)."""
    user = signed_in()
    obstacle = get_handled_obstacle_or_404(user, obstacle_id)
    form = _handle_form(user, obstacle, request.form)
    if form is None:
        flash(_("The obstacle is resolved and can no longer be changed."), "error")
        return redirect(url_for("obstacles.detail", obstacle_id=obstacle.id))
    if form.validate_on_submit():
        try:
            if isinstance(form, AssignForm):
                owner, due_date = _owner_from(form), form.due_date.data
            else:
                owner, due_date = obstacle.owner, obstacle.due_date
            events = change_obstacle(
                obstacle,
                ObstacleChange(
                    status=ObstacleStatus(form.status.data),
                    owner=owner,
                    due_date=due_date,
                    explanation=form.explanation.data,
                    comment=form.comment.data or "",
                ),
                user,
            )
        except ObstacleError as refused:
            db.session.rollback()
            form[refused.field if refused.field in form else "status"].errors = [str(refused)]
        else:
            db.session.commit()
            if resolves(events):
                queue_after_commit(queue_obstacle_resolved, [obstacle.id])
            flash(_("The obstacle is saved.") if events else _("Nothing was changed."), "success")
            return redirect(url_for("obstacles.detail", obstacle_id=obstacle.id))
    obstacle = get_obstacle_or_404(user, obstacle_id)
    return _render_detail(user, obstacle, form, 422)


# -- HR's overview -----------------------------------------------------------------------------------------


@bp.get("/obstacles/overview")
def overview() -> str:
    """HR: the open obstacles by unit and pillar, oldest first, their age, the median time to removal."""
    user = signed_in()
    form = OverviewFilterForm(request.args)
    form.unit.choices = [
        SelectChoice("", _("All units")),
        *(SelectChoice(str(unit.id), "\u2003" * depth + unit.name) for unit, depth in unit_tree()),
    ]
    platform = get_platform()
    form.pillar.choices = [
        SelectChoice("", _("All pillars")),
        *(SelectChoice(str(p.id), localized(p, "name")) for p in (platform.pillars if platform else [])),
    ]
    form.validate()
    unit_id = int(form.unit.data) if form.unit.data and not form.unit.errors else None
    pillar_id = int(form.pillar.data) if form.pillar.data and not form.pillar.errors else None
    chosen = form.status.data if not form.status.errors else ""
    statuses = (
        ObstacleStatus.open()
        if not chosen
        else tuple(ObstacleStatus)
        if chosen == "all"
        else (ObstacleStatus(chosen),)
    )
    filters = ObstacleFilter(unit_id=unit_id, pillar_id=pillar_id, statuses=statuses)
    after = form.after.data if form.after.data and not form.after.errors else 0
    visible = visible_obstacles_clause(user)
    rows, more = obstacles_after(filters, visible, after, PAGE_SIZE)
    median = median_days_to_removal(filters)
    args: dict[str, Any] = {
        k: v for k, v in (("unit", unit_id), ("pillar", pillar_id), ("status", chosen)) if v
    }
    return render_template(
        "obstacles/overview.html",
        form=form,
        obstacles=rows,
        total=count_obstacles(filters, visible),
        median=format_decimal(median, format="#,##0.#") if median is not None else None,
        next_url=url_for("obstacles.overview", after=rows[-1].id, **args) if more else None,
        first_url=url_for("obstacles.overview", **args) if after else None,
        today=local_today(),
        age_in_days=age_in_days,
        localized=localized,
    )

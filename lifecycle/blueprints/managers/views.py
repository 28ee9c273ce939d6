"""A manager's profile, moving them on the journey, and editing their details."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.managers.forms import ManagerForm
from lifecycle.blueprints.managers.forms import MoveForm
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.policy import can_edit_manager
from lifecycle.policy import get_manager_or_404
from lifecycle.policy import signed_in
from lifecycle.policy import visible_managers_clause
from lifecycle.services.accounts import hr_users
from lifecycle.services.audit import record_read
from lifecycle.services.introductions import active_templates
from lifecycle.services.introductions import introduction_progress
from lifecycle.services.invitations import account_of
from lifecycle.services.journey import StageMoveError
from lifecycle.services.journey import allowed_moves
from lifecycle.services.journey import move_to_stage
from lifecycle.services.manager_queries import manager_by_employee_number
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import ManagerDetailsError
from lifecycle.services.managers import update_manager
from lifecycle.services.organisation import unit_tree
from lifecycle.services.overview import direct_reports
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import filter_clauses
from lifecycle.services.timeline import FIELD_LABELS
from lifecycle.services.timeline import describe_value
from lifecycle.services.timeline import manager_timeline
from lifecycle.services.timeline import referenced_names
from lifecycle.timeutil import local_today
from lifecycle.urls import safe_next

bp = Blueprint("managers", __name__, url_prefix="/managers", template_folder="templates")

SUGGESTIONS = 10


def _local_next(default: str) -> str:
    return safe_next(request.args.get("next"), default)


@bp.get("/<id:manager_id>")
def detail(manager_id: int) -> str:
    """Show who the manager is, where they are on the journey, and everything that happened."""
    user = signed_in()
    manager = get_manager_or_404(
        user,
        manager_id,
        *(
            joinedload(relation)
            for relation in (Manager.org_unit, Manager.line_manager, Manager.hr_partner, Manager.mentor)
        ),
    )
    timeline = manager_timeline(manager)
    can_edit = can_edit_manager(user, manager)
    page = render_template(
        "managers/detail.html",
        manager=manager,
        introduction=introduction_progress([manager.id], local_today()).get(manager.id),
        introduction_templates=active_templates() if can_edit else [],
        reports=direct_reports(manager, visible=visible_managers_clause(user)),
        timeline=timeline,
        names=referenced_names(timeline),
        field_labels=FIELD_LABELS,
        describe_value=describe_value,
        can_edit=can_edit,
        account=account_of(manager) if can_edit else None,
        today=local_today(),
    )
    record_read(user, manager, "manager")
    db.session.commit()
    return page


@bp.route("/<id:manager_id>/move", methods=["GET", "POST"])
def move(manager_id: int) -> str | Response:
    """Move the manager to another stage, with a reason and a date."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    if not can_edit_manager(user, manager):
        abort(404)
    form = MoveForm()
    form.to_stage.choices = [SelectChoice(stage.value, stage.title) for stage in allowed_moves(manager.stage)]
    if request.method == "GET":
        form.effective_date.data = local_today()
        form.end_date.data = manager.end_date
    back = _local_next(url_for("managers.detail", manager_id=manager.id))
    if form.validate_on_submit():
        try:
            move_to_stage(
                manager,
                Stage(form.to_stage.data),
                user,
                form.reason.data or "",
                form.effective_date.data or local_today(),
                end_date=form.end_date.data,
            )
        except StageMoveError as refused:
            db.session.rollback()
            form.to_stage.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("%(name)s is now in %(stage)s.", name=manager.name, stage=manager.stage.title), "success")
            return redirect(back)
    template = "managers/_move_form.html" if request.headers.get("HX-Request") else "managers/move.html"
    return render_template(template, manager=manager, form=form, back=back)


def _choices(form: ManagerForm) -> None:
    form.org_unit_id.choices = [SelectChoice(0, "–")] + [
        SelectChoice(unit.id, "\u2003" * depth + unit.name) for unit, depth in unit_tree()
    ]
    form.hr_partner_id.choices = [SelectChoice(0, "–")] + [SelectChoice(u.id, u.name) for u in hr_users()]


def _manager_by_number(number: str | None) -> Manager | None:
    return manager_by_employee_number(number) if number else None


@bp.route("/<id:manager_id>/edit", methods=["GET", "POST"])
def edit(manager_id: int) -> str | Response:
    """Change the manager's details; every change is recorded on the timeline."""
    user = signed_in()
    manager = get_manager_or_404(user, manager_id)
    if not can_edit_manager(user, manager):
        abort(404)
    form = ManagerForm(obj=manager)
    _choices(form)
    if request.method == "GET":
        form.org_unit_id.data = manager.org_unit_id or 0
        form.hr_partner_id.data = manager.hr_partner_id or 0
        form.line_manager_number.data = manager.line_manager.employee_number if manager.line_manager else ""
        form.mentor_number.data = manager.mentor.employee_number if manager.mentor else ""
    if form.validate_on_submit():
        values: dict[str, Any] = {
            "name": form.name.data,
            "employee_number": form.employee_number.data,
            "email": form.email.data,
            "title": form.title.data,
            "org_unit_id": form.org_unit_id.data or None,
            "hr_partner_id": form.hr_partner_id.data or None,
            "start_date": form.start_date.data,
            "end_date": form.end_date.data,
        }
        people = {
            "line_manager": (form.line_manager_number, _manager_by_number(form.line_manager_number.data)),
            "mentor": (form.mentor_number, _manager_by_number(form.mentor_number.data)),
        }
        for name, (field, person) in people.items():
            if field.data and person is None:
                field.errors = [_("No one has the employee number %(number)s.", number=field.data)]
            values[f"{name}_id"] = person.id if person else None
        if not form.line_manager_number.errors and not form.mentor_number.errors:
            try:
                update_manager(manager, ChangeSet(values), user, source="form")
            except ManagerDetailsError as refused:
                db.session.rollback()
                name = {"line_manager_id": "line_manager_number", "mentor_id": "mentor_number"}.get(
                    refused.field, refused.field
                )
                form[name].errors = [str(refused)]
            else:
                db.session.commit()
                flash(_("The details are saved."), "success")
                return redirect(url_for("managers.detail", manager_id=manager.id))
    return render_template("managers/edit.html", manager=manager, form=form)


@bp.get("/suggest")
def suggest() -> str:
    """Suggest managers by name or employee number as the user types (for a datalist)."""
    user = signed_in()
    # The text comes under the name of the field that asks.
    asking = ("q", "line_manager", "line_manager_number", "mentor_number", "person_number")
    typed = next((request.args[key] for key in asking if request.args.get(key)), "")
    managers: list[Manager] = []
    if len(typed.strip()) >= 2:
        by_number = Manager.employee_number == typed.strip()
        by_name = filter_clauses(ManagerFilter(query=typed, stages=tuple(Stage)), local_today())
        managers = list(
            db.session.scalars(
                select(Manager)
                .where(visible_managers_clause(user), by_number | db.and_(*by_name))
                .order_by(Manager.name)
                .limit(SUGGESTIONS)
            )
        )
    by = "number" if request.args.get("by") == "number" else "name"
    return render_template("managers/_suggestions.html", managers=managers, by=by)


# The audit trail page shares this blueprint; importing it registers its route.
from lifecycle.blueprints.managers import audit as _audit  # noqa: E402, F401

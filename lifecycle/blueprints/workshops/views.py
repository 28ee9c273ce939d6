"""The workshops' pages: the list, planning one, a workshop with its discussion guide and group, its
outcome per pillar, its group goals, and HR's discussion guide.

Every workshop loads through `policy` (anyone else gets 404), each change calls one service of
`services.workshops`, and the view commits.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.workshops.forms import EditQuestionForm
from lifecycle.blueprints.workshops.forms import OutcomeForm
from lifecycle.blueprints.workshops.forms import ParticipantForm
from lifecycle.blueprints.workshops.forms import PlanWorkshopForm
from lifecycle.blueprints.workshops.forms import QuestionForm
from lifecycle.blueprints.workshops.forms import WorkshopForm
from lifecycle.enums import Language
from lifecycle.enums import ObstacleSeverity
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import Manager
from lifecycle.models import Obstacle
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.models.workshops import Workshop
from lifecycle.models.workshops import WorkshopQuestion
from lifecycle.policy import get_run_workshop_or_404
from lifecycle.policy import get_workshop_or_404
from lifecycle.policy import may_mark_group_goal
from lifecycle.policy import may_plan_workshop
from lifecycle.policy import may_run_workshop
from lifecycle.policy import signed_in
from lifecycle.policy import visible_obstacles_clause
from lifecycle.policy import visible_workshops_clause
from lifecycle.services.obstacles.queries import owner_suggestions
from lifecycle.services.organisation import unit_tree
from lifecycle.services.platform import get_platform
from lifecycle.services.workshops import GoalDraft
from lifecycle.services.workshops import ObstacleDraft
from lifecycle.services.workshops import PillarOutcome
from lifecycle.services.workshops import WorkshopError
from lifecycle.services.workshops import WorkshopValues
from lifecycle.services.workshops import add_participant
from lifecycle.services.workshops import cancel_workshop
from lifecycle.services.workshops import change_workshop
from lifecycle.services.workshops import plan_workshop
from lifecycle.services.workshops import record_outcome
from lifecycle.services.workshops import remove_participant
from lifecycle.services.workshops import set_goal_done
from lifecycle.services.workshops import unit_managers
from lifecycle.services.workshops.guide import add_question
from lifecycle.services.workshops.guide import edit_question
from lifecycle.services.workshops.guide import guide_for
from lifecycle.services.workshops.guide import guide_page
from lifecycle.services.workshops.guide import move_question
from lifecycle.services.workshops.guide import question_counts
from lifecycle.services.workshops.guide import question_of
from lifecycle.services.workshops.guide import set_question_retired
from lifecycle.services.workshops.planning import held_on
from lifecycle.services.workshops.queries import goal_of
from lifecycle.services.workshops.queries import newest_workshops
from lifecycle.services.workshops.queries import participant_managers
from lifecycle.services.workshops.queries import workshop_in_full
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today
from lifecycle.urls import parse_id

logger = logging.getLogger(__name__)

bp = Blueprint("workshops", __name__, template_folder="templates")

WORKSHOP_ID = "<id:workshop_id>"


def _current_pillars() -> list[Pillar]:
    platform = get_platform()
    return [p for p in (platform.pillars if platform else []) if not p.is_retired]


def _pillar_choices(form: WorkshopForm) -> None:
    form.pillars.choices = [SelectChoice(str(p.id), localized(p, "name")) for p in _current_pillars()]


def _ids(values: list[str] | None) -> list[int]:
    """The ids among the values; a number no id can be is left out (the service then names the field)."""
    return [number for value in values or [] if (number := parse_id(value)) is not None]


def _facilitator(form: WorkshopForm) -> User | None:
    address = (form.facilitator.data or "").strip()
    if not address:
        return None
    found = db.session.scalar(select(User).where(func.lower(User.email) == address.lower()))
    if found is None or not found.is_enabled:
        raise WorkshopError("facilitator", _("No active user account has this e-mail address."))
    return found


def _values(form: WorkshopForm) -> WorkshopValues:
    day, at = form.held_on.data, form.held_time.data
    if day is None or at is None:  # the form's DataRequired has already refused this
        raise WorkshopError("held_on", _("Give the date of the workshop."))
    held_at = datetime.combine(day, at, tzinfo=STOCKHOLM)
    return WorkshopValues(
        title=form.title.data or "",
        held_at=held_at,
        facilitator=_facilitator(form),
        pillar_ids=_ids(form.pillars.data),
    )


def _refused(form: WorkshopForm, refused: WorkshopError, fallback: str = "title") -> None:
    db.session.rollback()
    name = "held_on" if refused.field == "status" else refused.field
    form[name if name in form else fallback].errors = [str(refused)]


# -- the list and planning --------------------------------------------------------------------------------


@bp.get("/workshops")
def index() -> str:
    """The workshops the user may read (HR: all), latest first."""
    user = signed_in()
    return render_template(
        "workshops/index.html",
        workshops=newest_workshops(visible_workshops_clause(user)),
        may_plan=may_plan_workshop(user),
        held_on=held_on,
        localized=localized,
    )


@bp.route("/workshops/new", methods=["GET", "POST"])
def new() -> str | Response | tuple[str, int]:
    """HR plans a workshop for a unit's management team."""
    user = signed_in()
    form = PlanWorkshopForm()
    form.unit.choices = [
        SelectChoice("", _("Choose a unit")),
        *(SelectChoice(str(unit.id), "\u2003" * depth + unit.name) for unit, depth in unit_tree()),
    ]
    _pillar_choices(form)
    if request.method == "GET" and request.args.get("unit", "").isdigit():
        form.unit.data = request.args["unit"]
    unit_id = parse_id(form.unit.data)
    unit = db.session.get(OrgUnit, unit_id) if unit_id is not None else None
    if form.validate_on_submit():
        if unit is None:
            form.unit.errors = [_("Choose the unit whose managers meet.")]
        else:
            try:
                workshop = plan_workshop(unit, _values(form), user)
            except WorkshopError as refused:
                _refused(form, refused)
            else:
                db.session.commit()
                flash(_("The workshop is planned."), "success")
                return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    status = 422 if form.errors else 200
    return (
        render_template(
            "workshops/form.html",
            form=form,
            workshop=None,
            managers=unit_managers(unit) if unit is not None else None,
            suggestions=owner_suggestions(),
        ),
        status,
    )


# -- one workshop -----------------------------------------------------------------------------------------


def _render_detail(user: User, workshop: Workshop, participant_form: ParticipantForm | None = None) -> str:
    workshop_in_full(workshop)
    guide = guide_for([p.id for p in workshop.pillars], _guide_language())
    outcomes = {o.pillar_id: o for o in workshop.outcomes}
    obstacles = list(
        db.session.scalars(select(Obstacle).where(Obstacle.workshop_id == workshop.id).order_by(Obstacle.id))
    )
    return render_template(
        "workshops/detail.html",
        workshop=workshop,
        when=held_on(workshop),
        participants=participant_managers(workshop),
        guide=guide,
        outcomes=outcomes,
        obstacles=obstacles,
        readable_obstacles=set(
            db.session.scalars(
                select(Obstacle.id).where(Obstacle.workshop_id == workshop.id, visible_obstacles_clause(user))
            )
        ),
        runs=may_run_workshop(user, workshop),
        may_mark=lambda goal: may_mark_group_goal(user, goal),
        participant_form=participant_form or ParticipantForm(),
        localized=localized,
        today=local_today(),
    )


def _guide_language() -> Language:
    """The guide in the page's language."""
    locale = get_locale()
    return Language.EN if locale is not None and locale.language == "en" else Language.SV


@bp.get(f"/workshops/{WORKSHOP_ID}")
def detail(workshop_id: int) -> str:
    """A workshop: its group, the discussion guide for its pillars (printable), its outcome and goals."""
    user = signed_in()
    return _render_detail(user, get_workshop_or_404(user, workshop_id))


@bp.route(f"/workshops/{WORKSHOP_ID}/edit", methods=["GET", "POST"])
def edit(workshop_id: int) -> str | Response | tuple[str, int]:
    """HR or the facilitator changes a planned workshop's title, time, facilitator and pillars."""
    user = signed_in()
    workshop = get_run_workshop_or_404(user, workshop_id)
    form = WorkshopForm()
    _pillar_choices(form)
    if request.method == "GET":
        when = held_on(workshop)
        form.title.data = workshop.title
        form.held_on.data, form.held_time.data = when.date(), when.time()
        form.facilitator.data = workshop.facilitator.email if workshop.facilitator else ""
        form.pillars.data = [str(p.id) for p in workshop.pillars]
    elif form.validate_on_submit():
        try:
            change_workshop(workshop, _values(form), user)
        except WorkshopError as refused:
            _refused(form, refused)
        else:
            db.session.commit()
            flash(_("The workshop is saved."), "success")
            return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    workshop = get_run_workshop_or_404(user, workshop_id)
    return (
        render_template(
            "workshops/form.html",
            form=form,
            workshop=workshop,
            managers=None,
            suggestions=owner_suggestions(),
        ),
        422 if form.errors else 200,
    )


@bp.post(f"/workshops/{WORKSHOP_ID}/participants", endpoint="add_participant")
def add_participant_(workshop_id: int) -> Response | tuple[str, int]:
    """Add a manager to the group of a planned workshop, by employee number."""
    user = signed_in()
    workshop = get_run_workshop_or_404(user, workshop_id)
    if not workshop.is_planned:  # its page has no group form to show an error at: say it at the top
        flash(_("Only a planned workshop can be changed."), "error")
        return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    form = ParticipantForm()
    if form.validate_on_submit():
        manager = db.session.scalar(
            select(Manager).where(Manager.employee_number == form.employee_number.data)
        )
        try:
            if manager is None:
                raise WorkshopError("employee_number", _("No manager has this employee number."))
            add_participant(workshop, manager, user)
        except WorkshopError as refused:
            db.session.rollback()
            form.employee_number.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("%(name)s takes part.", name=manager.name), "success")
            return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    return _render_detail(user, get_run_workshop_or_404(user, workshop_id), form), 422


@bp.post(f"/workshops/{WORKSHOP_ID}/participants/<id:manager_id>/remove", endpoint="remove_participant")
def remove_participant_(workshop_id: int, manager_id: int) -> Response:
    """Take a manager out of the group of a planned workshop."""
    user = signed_in()
    workshop = get_run_workshop_or_404(user, workshop_id)
    try:
        remove_participant(workshop, manager_id, user)
    except WorkshopError as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("The group is saved."), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop_id))


@bp.post(f"/workshops/{WORKSHOP_ID}/cancel")
def cancel(workshop_id: int) -> Response:
    """Cancel a planned workshop (its participants' activities with it)."""
    user = signed_in()
    workshop = get_run_workshop_or_404(user, workshop_id)
    try:
        cancel_workshop(workshop, user)
    except WorkshopError as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("The workshop is cancelled."), "success")
    return redirect(url_for("workshops.detail", workshop_id=workshop_id))


# -- the outcome ------------------------------------------------------------------------------------------


def _outcome_field(form: OutcomeForm, name: str) -> object:
    """The form's field a service refusal names ("goals-0-owner"), else the notes."""
    parts = name.split("-")
    if len(parts) >= 3 and parts[0] in ("goals", "obstacles") and parts[1].isdigit():
        rows = form.goals if parts[0] == "goals" else form.obstacles
        index = int(parts[1])
        if index < len(rows.entries) and parts[2] in rows.entries[index].form:
            return rows.entries[index].form[parts[2]]
    return form.notes


@bp.route(f"/workshops/{WORKSHOP_ID}/outcome/<pillar_key>", methods=["GET", "POST"])
def outcome(workshop_id: int, pillar_key: str) -> str | Response | tuple[str, int]:
    """Record the outcome of one pillar: notes, development areas (group goals) and obstacles."""
    user = signed_in()
    workshop = get_run_workshop_or_404(user, workshop_id)
    pillar = next((p for p in workshop.pillars if p.key == pillar_key), None)
    if pillar is None:
        abort(404)
    participants = participant_managers(workshop)
    form = OutcomeForm()
    for row in form.goals:
        row.form.owner.choices = [SelectChoice("", _("Choose the owner"))] + [
            SelectChoice(str(m.id), m.name) for m in participants
        ]
    if request.method == "GET":
        existing = next((o for o in workshop.outcomes if o.pillar_id == pillar.id), None)
        form.notes.data = existing.notes if existing else ""
    elif form.validate_on_submit():
        goals = [
            GoalDraft(
                text=row.form.text.data or "",
                owner_id=parse_id(row.form.owner.data) or 0,
                follow_up_on=row.form.follow_up_on.data,
            )
            for row in form.goals
            if (row.form.text.data or "").strip()
        ]
        obstacles = [
            ObstacleDraft(
                title=row.form.title.data or "",
                severity=ObstacleSeverity(row.form.severity.data),  # checked by the form
                shared=bool(row.form.shared.data),
            )
            for row in form.obstacles
            if (row.form.title.data or "").strip()
        ]
        # Refusals name the rows that were sent; skipped empty rows do not shift the numbers shown.
        goal_rows = [i for i, row in enumerate(form.goals) if (row.form.text.data or "").strip()]
        obstacle_rows = [i for i, row in enumerate(form.obstacles) if (row.form.title.data or "").strip()]
        try:
            record_outcome(
                workshop,
                [PillarOutcome(pillar.id, form.notes.data or "", goals, obstacles)],
                user,
                local_today(),
            )
        except WorkshopError as refused:
            db.session.rollback()
            name = refused.field.removeprefix(f"{pillar.key}-")
            parts = name.split("-")
            if len(parts) >= 3 and parts[1].isdigit():
                rows = goal_rows if parts[0] == "goals" else obstacle_rows
                if int(parts[1]) < len(rows):
                    parts[1] = str(rows[int(parts[1])])
                name = "-".join(parts)
            field = _outcome_field(form, name)
            field.errors = [str(refused)]  # type: ignore[attr-defined]
        else:
            db.session.commit()
            flash(_("The outcome is recorded."), "success")
            return redirect(url_for("workshops.detail", workshop_id=workshop.id))
    workshop = get_run_workshop_or_404(user, workshop_id)
    has_errors = bool(form.errors) or any(
        getattr(f, "errors", None) for row in (*form.goals, *form.obstacles) for f in row.form
    )
    return (
        render_template(
            "workshops/outcome.html",
            form=form,
            workshop=workshop,
            pillar=pillar,
            guide=guide_for([pillar.id], _guide_language())[pillar.id],
            localized=localized,
        ),
        422 if has_errors or request.method == "POST" else 200,
    )


@bp.post(f"/workshops/{WORKSHOP_ID}/goals/<id:goal_id>/done")
def goal_done(workshop_id: int, goal_id: int) -> Response:
    """The goal's owner or HR marks a group goal done, or open again."""
    user = signed_in()
    workshop = get_workshop_or_404(user, workshop_id)
    goal = goal_of(workshop, goal_id)
    if goal is None or not may_mark_group_goal(user, goal):
        abort(404)
    set_goal_done(goal, request.form.get("done") == "1")
    db.session.commit()
    flash(_("The group goal is saved."), "success")
    plan_of = request.form.get("plan_of", "")
    if plan_of.isdigit():
        return redirect(url_for("plans.show", manager_id=int(plan_of)))
    return redirect(url_for("workshops.detail", workshop_id=workshop_id))


# -- HR's discussion guide --------------------------------------------------------------------------------


@bp.get("/workshops/guide")
def guide() -> str:
    """HR: the discussion guide's pillars and how many questions each has per language."""
    signed_in()
    platform = get_platform()
    return render_template(
        "workshops/guide.html",
        pillars=list(platform.pillars) if platform else [],
        counts=question_counts(),
        languages=list(Language),
        localized=localized,
    )


def _pillar_or_404(pillar_key: str) -> Pillar:
    pillar = db.session.scalar(select(Pillar).where(Pillar.key == pillar_key))
    if pillar is None:
        abort(404)
    return pillar


@bp.route("/workshops/guide/<pillar_key>", methods=["GET", "POST"])
def guide_pillar(pillar_key: str) -> str | Response | tuple[str, int]:
    """HR: a pillar's questions per language, current and retired, and a new question."""
    signed_in()
    pillar = _pillar_or_404(pillar_key)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            add_question(pillar, Language(form.language.data), form.text.data or "")
        except WorkshopError as refused:
            db.session.rollback()
            form.text.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The question is added."), "success")
            return redirect(url_for("workshops.guide_pillar", pillar_key=pillar.key))
    return (
        render_template(
            "workshops/guide_pillar.html",
            pillar=pillar,
            page=guide_page(pillar),
            form=form,
            localized=localized,
        ),
        422 if form.errors else 200,
    )


def _question_or_404(question_id: int) -> WorkshopQuestion:
    question = question_of(question_id)
    if question is None:
        abort(404)
    return question


@bp.route("/workshops/guide/questions/<id:question_id>", methods=["GET", "POST"], endpoint="edit_question")
def edit_question_(question_id: int) -> str | Response | tuple[str, int]:
    """HR changes a question's words."""
    signed_in()
    question = _question_or_404(question_id)
    form = EditQuestionForm(text=question.text) if request.method == "GET" else EditQuestionForm()
    if form.validate_on_submit():
        try:
            edit_question(question, form.text.data or "")
        except WorkshopError as refused:
            db.session.rollback()
            form.text.errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The question is saved."), "success")
            return redirect(url_for("workshops.guide_pillar", pillar_key=question.pillar.key))
    return (
        render_template("workshops/question.html", question=question, form=form, localized=localized),
        422 if form.errors else 200,
    )


@bp.post("/workshops/guide/questions/<id:question_id>/retire")
def retire_question(question_id: int) -> Response:
    """HR retires a question (no longer in the guide) or brings it back."""
    signed_in()
    question = _question_or_404(question_id)
    set_question_retired(question, request.form.get("retired") == "1")
    db.session.commit()
    return redirect(url_for("workshops.guide_pillar", pillar_key=question.pillar.key))


@bp.post("/workshops/guide/questions/<id:question_id>/move", endpoint="move_question")
def move_question_(question_id: int) -> Response:
    """HR moves a question one place up or down."""
    signed_in()
    question = _question_or_404(question_id)
    move_question(question, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for("workshops.guide_pillar", pillar_key=question.pillar.key))

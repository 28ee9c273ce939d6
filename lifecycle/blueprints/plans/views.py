"""The development plan: "my plan" for the manager, and the same view for those allowed to read it."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.plans.forms import CatalogueActivityForm
from lifecycle.blueprints.plans.forms import CommentForm
from lifecycle.blueprints.plans.forms import CompleteForm
from lifecycle.blueprints.plans.forms import GoalForm
from lifecycle.blueprints.plans.forms import GoalStatusForm
from lifecycle.blueprints.plans.forms import NotesForm
from lifecycle.enums import GoalStatus
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import Activity
from lifecycle.models import CatalogueItem
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import PlanGoal
from lifecycle.models import User
from lifecycle.policy import can_comment_plan
from lifecycle.policy import can_decide_proposals
from lifecycle.policy import can_edit_plan
from lifecycle.policy import editable_goal_or_404
from lifecycle.policy import get_plan_owner_or_404
from lifecycle.policy import may_mark_group_goal
from lifecycle.policy import sees_recruitment_interviews
from lifecycle.policy import signed_in
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import add_from_catalogue
from lifecycle.services.activities import complete_activity
from lifecycle.services.audit import record_read
from lifecycle.services.introductions import introduction_progress
from lifecycle.services.plan_proposals import proposed_goals
from lifecycle.services.plans import PlanError
from lifecycle.services.plans import PlanOverview
from lifecycle.services.plans import add_comment
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.plans import plan_overview
from lifecycle.services.plans import set_goal_status
from lifecycle.services.plans import set_notes
from lifecycle.services.reviews import pillar_trend
from lifecycle.services.workshops.queries import group_goals_of
from lifecycle.timeutil import local_today

bp = Blueprint("plans", __name__, template_folder="templates")


def _expectation_choices(overview: PlanOverview) -> list[SelectChoice]:
    return [
        SelectChoice(e.key, f"{localized(e, 'text')} ({localized(p, 'name')})")
        for p in overview.pillars
        if not p.is_retired
        for e in p.expectations
        if not e.is_retired
    ]


def _catalogue_choices(form: CatalogueActivityForm, overview: PlanOverview) -> None:
    items = db.session.scalars(
        select(CatalogueItem).where(CatalogueItem.is_active.is_(True)).order_by(CatalogueItem.title)
    )
    form.catalogue_item.choices = [SelectChoice(0, "–")] + [SelectChoice(i.id, i.title) for i in items]
    goals = [g for g in overview.plan.goals if g.status is not GoalStatus.PROPOSED] if overview.plan else []
    form.goal.choices = [SelectChoice(0, _("No goal"))] + [SelectChoice(g.id, g.title) for g in goals]


def _render(manager: Manager, user: User, **forms: object) -> str:
    """Render the plan page, and log that `user` read the plan if it is someone else's.

    Every way to the page comes through here, a form sent back with its errors too: each page shown
    is one read, logged once.
    """
    today = local_today()
    overview = plan_overview(manager, today, with_interviews=sees_recruitment_interviews(user, manager))
    goal_form = forms.get("goal_form") or GoalForm(prefix="goal")
    goal_form.expectations.choices = _expectation_choices(overview)  # type: ignore[attr-defined]
    catalogue_form = forms.get("catalogue_form") or CatalogueActivityForm(prefix="catalogue")
    _catalogue_choices(catalogue_form, overview)  # type: ignore[arg-type]
    page = render_template(
        "plans/plan.html",
        overview=overview,
        today=today,
        is_own=manager.user_id == user.id,
        can_edit=can_edit_plan(user, manager),
        can_comment=can_comment_plan(user, manager),
        goal_form=goal_form,
        catalogue_form=catalogue_form,
        notes_form=forms.get("notes_form")
        or NotesForm(prefix="notes", notes=overview.plan.notes if overview.plan else ""),
        comment_form=forms.get("comment_form") or CommentForm(prefix="comment"),
        complete_form=CompleteForm(prefix="complete", completed_on=today),
        status_choices=GoalStatus.in_plan(),
        proposals=proposed_goals(manager),
        can_decide=can_decide_proposals(user, manager),
        trend=pillar_trend(manager),
        introduction=introduction_progress([manager.id], today).get(manager.id),
        # -- workshops ----
        group_goals=group_goals_of(manager),
        may_mark_group_goal=lambda goal: may_mark_group_goal(user, goal),
    )
    # A view that refused a write rolled it back before rendering: this commit holds the read alone.
    if record_read(user, manager, "plan", overview.plan.id if overview.plan else None) is not None:
        db.session.commit()
    return page


def _back(manager: Manager, user: User) -> Response:
    if manager.user_id == user.id:
        return redirect(url_for("plans.me"))
    return redirect(url_for("plans.show", manager_id=manager.id))


def _editable(manager_id: int) -> tuple[User, Manager]:
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    if not can_edit_plan(user, manager):
        abort(404)
    return user, manager


@bp.get("/me")
def me() -> str | Response:
    """Show the logged-in manager's own plan: their home page."""
    user = signed_in()
    if user.manager is None:
        return redirect(url_for("main.index"))
    return _render(user.manager, user)


@bp.get("/managers/<id:manager_id>/plan")
def show(manager_id: int) -> str:
    """Show a manager's plan to someone allowed to read it."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    return _render(manager, user)


@bp.post("/managers/<id:manager_id>/plan/goals")
def create_goal(manager_id: int) -> str | Response:
    """Add a goal, tied to expectations, to the manager's own plan."""
    user, manager = _editable(manager_id)
    form = GoalForm(prefix="goal")
    form.expectations.choices = _expectation_choices(plan_overview(manager, local_today()))
    if form.validate_on_submit():
        chosen = list(
            db.session.scalars(select(Expectation).where(Expectation.key.in_(form.expectations.data or [])))
        )
        try:
            add_goal(
                ensure_plan(manager, local_today()),
                title=form.title.data or "",
                expectations=chosen,
                target_on=form.target_on.data,
                description=form.description.data or "",
            )
        except PlanError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(_("The goal is added."), "success")
            return _back(manager, user)
    return _render(manager, user, goal_form=form)


@bp.post("/managers/<id:manager_id>/plan/goals/<id:goal_id>/status")
def goal_status(manager_id: int, goal_id: int) -> Response:
    """Change how far a goal has come."""
    user, manager = _editable(manager_id)
    goal = editable_goal_or_404(user, db.session.get(PlanGoal, goal_id))
    if goal.plan.manager_id != manager.id:
        abort(404)
    form = GoalStatusForm()
    form.status.choices = [SelectChoice(s.value, s.title) for s in GoalStatus.in_plan()]
    if form.validate_on_submit():
        set_goal_status(goal, GoalStatus(form.status.data))
        db.session.commit()
        flash(_("The goal is updated."), "success")
    return _back(manager, user)


@bp.post("/managers/<id:manager_id>/plan/activities")
def add_catalogue_activity(manager_id: int) -> str | Response:
    """Add an activity from the catalogue to the plan, optionally for one of its goals."""
    user, manager = _editable(manager_id)
    form = CatalogueActivityForm(prefix="catalogue")
    overview = plan_overview(manager, local_today())
    _catalogue_choices(form, overview)
    if form.validate_on_submit():
        item = db.session.get(CatalogueItem, form.catalogue_item.data)
        goal = db.session.get(PlanGoal, form.goal.data) if form.goal.data else None
        if item is None:
            form.catalogue_item.errors = [_("Choose an activity.")]
        elif goal is not None and goal.plan.manager_id != manager.id:
            abort(404)
        else:
            try:
                add_from_catalogue(item, manager, user, due_on=form.due_on.data, goal=goal)
            except ActivityError as refused:
                db.session.rollback()
                form.catalogue_item.errors = [str(refused)]
            else:
                db.session.commit()
                flash(_("%(title)s is added to the plan.", title=item.title), "success")
                return _back(manager, user)
    return _render(manager, user, catalogue_form=form)


@bp.post("/managers/<id:manager_id>/plan/activities/<id:activity_id>/complete")
def mark_completed(manager_id: int, activity_id: int) -> Response:
    """Mark one of the manager's activities as completed."""
    user, manager = _editable(manager_id)
    activity = db.session.get(Activity, activity_id)
    # A group activity is completed by HR for everyone, never by one participant for the others.
    if activity is None or activity.participants != [manager]:
        abort(404)
    form = CompleteForm(prefix="complete")
    if form.validate_on_submit() and form.completed_on.data:
        try:
            complete_activity(activity, form.completed_on.data)
        except ActivityError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("%(title)s is marked as completed.", title=activity.title), "success")
    else:
        flash(_("Enter a date (YYYY-MM-DD)."), "error")
    return _back(manager, user)


@bp.post("/managers/<id:manager_id>/plan/notes")
def notes(manager_id: int) -> str | Response:
    """Save the plan's free notes."""
    user, manager = _editable(manager_id)
    form = NotesForm(prefix="notes")
    if form.validate_on_submit():
        set_notes(ensure_plan(manager, local_today()), form.notes.data or "")
        db.session.commit()
        flash(_("The notes are saved."), "success")
        return _back(manager, user)
    return _render(manager, user, notes_form=form)


@bp.post("/managers/<id:manager_id>/plan/comments")
def comment(manager_id: int) -> str | Response:
    """Comment on the plan, as the line manager or HR."""
    user = signed_in()
    manager = get_plan_owner_or_404(user, manager_id)
    if not can_comment_plan(user, manager):
        abort(404)
    form = CommentForm(prefix="comment")
    if form.validate_on_submit():
        add_comment(ensure_plan(manager, local_today()), user, form.body.data or "")
        db.session.commit()
        flash(_("The comment is saved."), "success")
        return _back(manager, user)
    return _render(manager, user, comment_form=form)


# The review pages share this blueprint; importing them registers their routes.
from lifecycle.blueprints.plans import proposals as _proposals  # noqa: E402, F401
from lifecycle.blueprints.plans import reviews as _reviews  # noqa: E402, F401

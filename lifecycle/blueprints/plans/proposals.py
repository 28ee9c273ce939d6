"""Goals the recruitment proposed: HR or the line manager accepts, edits or rejects each on the plan.

Registered on the plans blueprint; the manager reads the proposals on their plan but does not decide
them (`policy.can_decide_proposals`).
"""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag

from lifecycle.blueprints.plans.forms import DecisionForm
from lifecycle.blueprints.plans.forms import ProposalForm
from lifecycle.blueprints.plans.views import bp
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import Manager
from lifecycle.models import PlanGoal
from lifecycle.policy import decidable_proposal_or_404
from lifecycle.policy import get_proposal_decider_or_404
from lifecycle.policy import signed_in
from lifecycle.services.plan_proposals import accept_proposed_goal
from lifecycle.services.plan_proposals import choosable_expectations
from lifecycle.services.plan_proposals import proposed_goal_of
from lifecycle.services.plan_proposals import reject_proposed_goal
from lifecycle.services.plan_proposals import revise_proposed_goal
from lifecycle.services.plans import PlanError

PROPOSAL = "/managers/<id:manager_id>/plan/proposals/<id:goal_id>"


def _proposal(manager_id: int, goal_id: int) -> tuple[Manager, PlanGoal]:
    user = signed_in()
    manager = get_proposal_decider_or_404(user, manager_id)
    goal = decidable_proposal_or_404(user, proposed_goal_of(manager, goal_id))
    return manager, goal


def _back(manager: Manager) -> Response:
    return redirect(url_for("plans.show", manager_id=manager.id, _anchor="proposals"))


@bp.post(f"{PROPOSAL}/accept")
def accept_proposal(manager_id: int, goal_id: int) -> Response:
    """Take the proposed goal into the plan as it is."""
    manager, goal = _proposal(manager_id, goal_id)
    if DecisionForm().validate_on_submit():
        accept_proposed_goal(goal)
        db.session.commit()
        flash(_("The goal is accepted into the plan."), "success")
    return _back(manager)


@bp.post(f"{PROPOSAL}/reject")
def reject_proposal(manager_id: int, goal_id: int) -> Response:
    """Leave the proposed goal out of the plan."""
    manager, goal = _proposal(manager_id, goal_id)
    if DecisionForm().validate_on_submit():
        reject_proposed_goal(goal)
        db.session.commit()
        flash(_("The proposed goal is rejected."), "success")
    return _back(manager)


@bp.route(f"{PROPOSAL}/edit", methods=["GET", "POST"])
def edit_proposal(manager_id: int, goal_id: int) -> str | Response:
    """Change the proposal's title, description and expectation; save it, or save and accept it."""
    manager, goal = _proposal(manager_id, goal_id)
    offered = choosable_expectations(goal)
    form = ProposalForm(obj=goal)
    form.expectation.choices = [
        SelectChoice(e.key, f"{localized(e, 'text')} ({localized(e.pillar, 'name')})") for e in offered
    ]
    if not form.is_submitted():
        form.expectation.data = goal.expectations[0].key if goal.expectations else ""
    if form.validate_on_submit():
        chosen = next(e for e in offered if e.key == form.expectation.data)
        accept = bool(form.accept.data)
        try:
            revise_proposed_goal(
                goal,
                title=form.title.data or "",
                description=form.description.data or "",
                expectation=chosen,
                accept=accept,
            )
        except PlanError as refused:
            db.session.rollback()
            form[refused.field].errors = [str(refused)]
        else:
            db.session.commit()
            flash(
                _("The goal is accepted into the plan.") if accept else _("The proposal is saved."), "success"
            )
            return _back(manager)
    return render_template("plans/proposal_form.html", manager=manager, goal=goal, form=form)

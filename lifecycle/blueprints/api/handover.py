"""JSON API v1, the hand-over: hiring a candidate into introduction, and deciding the goals it proposes.

Registered on the same blueprint as `views`, under the same rules: the vacancy and the plan load
through `lifecycle.policy` (HR or the hiring manager hires; HR or the line manager decides a proposal),
one service makes the change, the view commits once, and the invitation is queued after the commit.
"""

from __future__ import annotations

from flask import abort
from flask import jsonify
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import refusals_as_422
from lifecycle.blueprints.api.handover_schemas import HandOver
from lifecycle.blueprints.api.handover_schemas import HandOverCreate
from lifecycle.blueprints.api.handover_schemas import ProposalUpdate
from lifecycle.blueprints.api.handover_schemas import RejectedProposal
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.plan_schemas import Goal
from lifecycle.blueprints.api.plans import GOAL_ID
from lifecycle.blueprints.api.plans import _expectations
from lifecycle.blueprints.api.plans import _refusals_as_422
from lifecycle.blueprints.api.views import _conflicts_as_409
from lifecycle.blueprints.api.views import bp
from lifecycle.extensions import db
from lifecycle.models import PlanGoal
from lifecycle.policy import decidable_proposal_or_404
from lifecycle.policy import get_hiring_vacancy_or_404
from lifecycle.policy import signed_in
from lifecycle.services import plan_proposals
from lifecycle.services.recruitment import candidacy_of
from lifecycle.services.recruitment.handover import HandOverError
from lifecycle.services.recruitment.handover import hand_over
from lifecycle.services.recruitment.handover import proposed_expectations
from lifecycle.tasks import queue_after_commit
from lifecycle.tasks import queue_invitations

VACANCY_ID = f"<int(min=1, max={MAX_ID}):vacancy_id>"
CANDIDACY_ID = f"<int(min=1, max={MAX_ID}):candidacy_id>"
RECRUITMENT, PLANS = ["recruitment"], ["plans"]
DECIDERS = "HR, or the manager's line manager; the manager reads proposals but does not decide them."


@bp.operation(
    "POST",
    f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}/hand-over",
    summary="Hire a candidate and hand them over to introduction",
    description="HR or the vacancy's hiring manager. The candidate moves to introduce (recruit or develop → "
    "introduce) in the vacancy's unit, reporting to the hiring manager, with the introduction programme "
    "dated from `start_on`, an account invitation, and a proposed goal per proposed expectation: those "
    "of `proposed_expectations`, or when it is left out those the recruitment group scored lowest. Hiring "
    "from the offer step before any decision is recorded is the decision: `reason` is then required.",
    tags=RECRUITMENT,
    body=HandOverCreate,
    response=HandOver,
    response_description="What the hand-over did.",
    errors=(*WRITE_ERRORS, 409),
)
def hand_over_candidacy(vacancy_id: int, candidacy_id: int) -> Response:
    """Hire the candidate and hand them over to introduction from the start date."""
    user = signed_in()
    vacancy = get_hiring_vacancy_or_404(user, vacancy_id)
    candidacy = candidacy_of(vacancy, candidacy_id)
    if candidacy is None:
        abort(404)
    values = parse_body(HandOverCreate, json_body())
    if "proposed_expectations" in values:
        proposed = _expectations(values["proposed_expectations"], "proposed_expectations")
    else:
        proposed = proposed_expectations(candidacy)
    with _conflicts_as_409():
        with refusals_as_422(HandOverError):
            done = hand_over(candidacy, values["start_on"], proposed, user, reason=values.get("reason") or "")
        db.session.commit()
    if done.invitation is not None:
        queue_after_commit(queue_invitations, [done.invitation.id])
    return jsonify(HandOver.of(done).dump())


@bp.operation(
    "PATCH",
    f"/proposed-goals/{GOAL_ID}",
    summary="Edit a goal the recruitment proposed, before accepting it",
    description=DECIDERS,
    tags=PLANS,
    body=ProposalUpdate,
    response=Goal,
    response_description="The goal, still proposed.",
    errors=WRITE_ERRORS,
)
def revise_proposed_goal(goal_id: int) -> Response:
    """Change a proposal's title, description or expectation; it stays proposed."""
    goal = decidable_proposal_or_404(signed_in(), db.session.get(PlanGoal, goal_id))
    values = parse_body(ProposalUpdate, json_body())
    key = values.get("expectation")
    expectation = _expectations([key], "expectation")[0] if key else goal.expectations[0]
    with _refusals_as_422():
        plan_proposals.revise_proposed_goal(
            goal,
            title=values.get("title") or goal.title,
            description=(values["description"] or "") if "description" in values else goal.description,
            expectation=expectation,
        )
        db.session.commit()
    return jsonify(Goal.of(goal).dump())


@bp.operation(
    "POST",
    f"/proposed-goals/{GOAL_ID}/accept",
    summary="Accept a goal the recruitment proposed",
    description=DECIDERS + " The goal becomes an ordinary planned goal.",
    tags=PLANS,
    response=Goal,
    response_description="The goal, now planned.",
    errors=(400, 403, 404, 415),
)
def accept_proposed_goal(goal_id: int) -> Response:
    """Take the proposal into the plan as it is."""
    goal = decidable_proposal_or_404(signed_in(), db.session.get(PlanGoal, goal_id))
    plan_proposals.accept_proposed_goal(goal)
    db.session.commit()
    return jsonify(Goal.of(goal).dump())


@bp.operation(
    "POST",
    f"/proposed-goals/{GOAL_ID}/reject",
    summary="Reject a goal the recruitment proposed",
    description=DECIDERS + " The proposal is removed from the plan.",
    tags=PLANS,
    response=RejectedProposal,
    response_description="The goal that was rejected.",
    errors=(400, 403, 404, 415),
)
def reject_proposed_goal(goal_id: int) -> Response:
    """Leave the proposal out of the plan."""
    goal = decidable_proposal_or_404(signed_in(), db.session.get(PlanGoal, goal_id))
    rejected = RejectedProposal.of(goal)
    plan_proposals.reject_proposed_goal(goal)
    db.session.commit()
    return jsonify(rejected.dump())

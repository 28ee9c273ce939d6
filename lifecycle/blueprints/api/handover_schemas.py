"""The API's hand-over and the goals it proposes, declared once: bodies and responses."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from lifecycle import models
from lifecycle.blueprints.api.contract import DATE
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.plan_schemas import KEY_MAX_LENGTH
from lifecycle.blueprints.api.plan_schemas import Description
from lifecycle.blueprints.api.plan_schemas import ExpectationKeys
from lifecycle.blueprints.api.plan_schemas import Goal
from lifecycle.enums import Stage
from lifecycle.services.plan_proposals import TITLE_MAX_LENGTH
from lifecycle.services.recruitment.decision import REASON_MAX_LENGTH as DECISION_REASON_MAX_LENGTH
from lifecycle.services.recruitment.handover import HandOver as HandOverResult


class HandOverCreate(Body):
    """Hire the candidate (at the offer step, or hired) and hand them over to introduction."""

    start_on: Annotated[date, DATE]
    #: left out: the expectations the recruitment group scored lowest (an empty list proposes none)
    proposed_expectations: ExpectationKeys = []
    #: the decision's reason, required when hiring from the offer step before any decision is recorded
    reason: Annotated[str | None, text(DECISION_REASON_MAX_LENGTH)] = None


class HandOver(Out):
    """What the hand-over did: the new manager in introduce, their programme, invitation and proposals."""

    candidacy_id: Id
    manager_id: Id
    stage: Stage
    starts_on: date
    introduction_id: Annotated[Id | None, Field(description="The programme launched; null without one.")]
    invitation_id: Annotated[Id | None, Field(description="The invitation e-mailed; null when none is.")]
    invitation_refused: Annotated[str | None, Field(description="Why no invitation could be sent.")]
    proposed_goals: list[Goal]

    @classmethod
    def of(cls, done: HandOverResult) -> HandOver:
        candidacy = done.candidacy
        return cls(
            candidacy_id=candidacy.id,
            manager_id=candidacy.manager_id,
            stage=candidacy.manager.stage,
            starts_on=candidacy.starts_on or done.transition.effective_date,
            introduction_id=done.launch.id if done.launch else None,
            invitation_id=done.invitation.id if done.invitation else None,
            invitation_refused=str(done.invitation_refused) if done.invitation_refused else None,
            proposed_goals=[Goal.of(goal) for goal in done.proposed_goals],
        )


class ProposalUpdate(Body):
    """The fields to change in a proposed goal; the others stay as they are."""

    title: Annotated[str | None, text(TITLE_MAX_LENGTH, required=True)] = None
    description: Description = None
    expectation: Annotated[
        str | None, text(KEY_MAX_LENGTH, required=True, description="The one expectation the goal develops.")
    ] = None


class RejectedProposal(Out):
    """A proposed goal that was rejected: it is gone from the plan."""

    id: Id
    plan_id: Id

    @classmethod
    def of(cls, goal: models.PlanGoal) -> RejectedProposal:
        return cls(id=goal.id, plan_id=goal.plan_id)

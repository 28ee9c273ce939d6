"""Goals the recruitment proposes for a new manager: HR or the line manager accepts, edits or rejects them.

A proposed goal is a `PlanGoal` with status `proposed`, tied to one expectation (and so to its pillar)
and to the candidacy whose recruitment proposed it. It is not in the plan until it is accepted: its
owner cannot change it, no activity is planned for it, and a review does not count its pillar. Accepting
makes it an ordinary planned goal; rejecting removes it (the audit log keeps that it was proposed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from lifecycle.enums import GoalStatus
from lifecycle.extensions import db
from lifecycle.i18n import localized
from lifecycle.models import DevelopmentPlan
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import PlanGoal
from lifecycle.models.recruitment import Candidacy
from lifecycle.services.plans import PlanError
from lifecycle.services.platform import get_platform

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 4000


def propose_goals(
    plan: DevelopmentPlan, expectations: Sequence[Expectation], candidacy: Candidacy
) -> list[PlanGoal]:
    """Propose one goal per expectation (in the current language), each tied to it, from the recruitment.

    An expectation given twice is proposed once; a retired one is not proposed at all.
    """
    goals = []
    for expectation in dict.fromkeys(expectations):
        if expectation.is_retired:
            logger.info("expectation %s is retired; no goal proposed for it", expectation.id)
            continue
        goal = PlanGoal(
            plan=plan,
            title=str(_l("Grow in: %(expectation)s", expectation=localized(expectation, "text")))[
                :TITLE_MAX_LENGTH
            ],
            description=str(
                _l(
                    "Proposed by the recruitment for %(vacancy)s: one of the expectations the "
                    "recruitment group saw the most room to grow in.",
                    vacancy=candidacy.vacancy.title,
                )
            ),
            status=GoalStatus.PROPOSED,
            candidacy=candidacy,
            expectations=[expectation],
        )
        db.session.add(goal)
        goals.append(goal)
    db.session.flush()
    logger.info("candidacy %s: %d goals proposed in plan %s", candidacy.id, len(goals), plan.id)
    return goals


def proposed_goals(manager: Manager) -> list[PlanGoal]:
    """Return the manager's proposed goals waiting for a decision, in every plan, oldest first."""
    return list(
        db.session.scalars(
            select(PlanGoal)
            .join(DevelopmentPlan)
            .where(DevelopmentPlan.manager_id == manager.id, PlanGoal.status == GoalStatus.PROPOSED)
            .options(
                selectinload(PlanGoal.expectations).joinedload(Expectation.pillar),
                joinedload(PlanGoal.candidacy).joinedload(Candidacy.vacancy),
                joinedload(PlanGoal.plan),
            )
            .order_by(PlanGoal.id)
        )
    )


def proposed_goal_of(manager: Manager, goal_id: int) -> PlanGoal | None:
    """Return one of the manager's proposed goals; any other goal is as unknown as a missing one."""
    return db.session.scalar(
        select(PlanGoal)
        .join(DevelopmentPlan)
        .where(
            PlanGoal.id == goal_id,
            DevelopmentPlan.manager_id == manager.id,
            PlanGoal.status == GoalStatus.PROPOSED,
        )
    )


def choosable_expectations(goal: PlanGoal) -> list[Expectation]:
    """The expectations a proposal may be tied to: the platform's current ones, and its own if retired."""
    platform = get_platform()
    return [
        expectation
        for pillar in (platform.pillars if platform else [])
        for expectation in pillar.expectations
        if not expectation.is_retired or expectation in goal.expectations
    ]


def _refuse_unless_proposed(goal: PlanGoal) -> None:
    if goal.status is not GoalStatus.PROPOSED:
        raise PlanError("goal", _l("This goal is already in the plan; it is no longer a proposal."))


def revise_proposed_goal(
    goal: PlanGoal, *, title: str, description: str, expectation: Expectation, accept: bool = False
) -> None:
    """Change a proposal's title, description and expectation; accepted at once when `accept`."""
    _refuse_unless_proposed(goal)
    title = title.strip()
    if not title:
        raise PlanError("title", _l("Give the goal a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise PlanError("title", _l("At most %(num)d characters.", num=TITLE_MAX_LENGTH))
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise PlanError("description", _l("At most %(num)d characters.", num=DESCRIPTION_MAX_LENGTH))
    if expectation.is_retired and expectation not in goal.expectations:
        raise PlanError("expectation", _l("A retired expectation cannot be chosen for something new."))
    goal.title = title
    goal.description = description.strip()
    goal.expectations = [expectation]
    if accept:
        goal.status = GoalStatus.PLANNED
    db.session.flush()
    logger.info("proposed goal %s revised%s", goal.id, " and accepted" if accept else "")


def accept_proposed_goal(goal: PlanGoal) -> None:
    """Make the proposal an ordinary planned goal of its plan."""
    _refuse_unless_proposed(goal)
    goal.status = GoalStatus.PLANNED
    db.session.flush()
    logger.info("proposed goal %s accepted", goal.id)


def reject_proposed_goal(goal: PlanGoal) -> None:
    """Remove the proposal: it never was in the plan (the audit log keeps that it was proposed)."""
    _refuse_unless_proposed(goal)
    goal.expectations = []
    db.session.delete(goal)
    db.session.flush()
    logger.info("proposed goal %s rejected", goal.id)

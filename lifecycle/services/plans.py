"""Development plans: one per manager per period, with goals tied to expectations, notes and comments."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from lifecycle.enums import ActivityKind
from lifecycle.enums import GoalStatus
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.services.coverage import PillarCount
from lifecycle.services.coverage import manager_coverage
from lifecycle.services.platform import get_platform

logger = logging.getLogger(__name__)


class PlanError(ValueError):
    """A plan change breaks a rule; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def plan_period(today: date) -> tuple[date, date]:
    """Return the default period for a plan: the calendar year, the municipality's operating year."""
    return date(today.year, 1, 1), date(today.year, 12, 31)


def current_plan(manager: Manager, today: date, *options: ORMOption) -> DevelopmentPlan | None:
    """Return the plan whose period holds `today`, if the manager has one (with loader `options`)."""
    return db.session.scalar(
        select(DevelopmentPlan)
        .where(
            DevelopmentPlan.manager_id == manager.id,
            DevelopmentPlan.starts_on <= today,
            DevelopmentPlan.ends_on >= today,
        )
        .options(*options)
    )


def ensure_plan(manager: Manager, today: date) -> DevelopmentPlan:
    """Return the manager's plan for the current period, starting one if there is none."""
    plan = current_plan(manager, today)
    if plan is None:
        starts_on, ends_on = plan_period(today)
        plan = DevelopmentPlan(manager=manager, starts_on=starts_on, ends_on=ends_on, notes="")
        db.session.add(plan)
        db.session.flush()
        # Imported here: reviews builds on plans (agreed next steps become goals).
        from lifecycle.services.reviews import schedule_reviews

        schedule_reviews(plan)
        logger.info("plan %s started for manager %s", plan.id, manager.id)
    return plan


def add_goal(
    plan: DevelopmentPlan,
    *,
    title: str,
    expectations: list[Expectation],
    target_on: date | None = None,
    description: str = "",
) -> PlanGoal:
    """Add a goal to the plan, tied to at least one current expectation."""
    if not title.strip():
        raise PlanError("title", _l("Give the goal a title."))
    if not expectations:
        raise PlanError("expectations", _l("Tie the goal to at least one expectation."))
    if any(e.is_retired for e in expectations):
        raise PlanError("expectations", _l("A retired expectation cannot be chosen for something new."))
    goal = PlanGoal(
        plan=plan,
        title=title.strip(),
        description=description.strip(),
        target_on=target_on,
        status=GoalStatus.PLANNED,
        expectations=list(expectations),
    )
    db.session.add(goal)
    db.session.flush()
    return goal


def set_goal_status(goal: PlanGoal, status: GoalStatus) -> None:
    """Move a goal of the plan on; a proposal is accepted instead (`plan_proposals`), never set here."""
    if goal.status is GoalStatus.PROPOSED or status not in GoalStatus.in_plan():
        raise PlanError("status", _l("A proposed goal is accepted or rejected, not moved on."))
    goal.status = status
    db.session.flush()


def set_notes(plan: DevelopmentPlan, notes: str) -> None:
    plan.notes = notes.strip()
    db.session.flush()


def add_comment(plan: DevelopmentPlan, author: User, body: str) -> PlanComment:
    """Add a comment (by the line manager or HR) that the manager sees on their plan."""
    if not body.strip():
        raise PlanError("body", _l("Write a comment."))
    comment = PlanComment(plan=plan, author=author, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    return comment


@dataclass(frozen=True)
class PlanOverview:
    """Everything the "my plan" page shows, gathered in a fixed number of queries."""

    manager: Manager
    plan: DevelopmentPlan | None
    open_activities: list[Activity]
    overdue_activities: list[Activity]
    completed_activities: list[Activity]
    upcoming_reviews: list[DevelopmentReview]
    coverage: list[PillarCount]
    pillars: list[Pillar]


def manager_activities(
    manager: Manager, *, done: bool, limit: int, with_interviews: bool = True
) -> list[Activity]:
    """Return the manager's open (by due date) or completed (newest first) activities, not cancelled.

    Without `with_interviews`, recruitment interviews are left out (the policy says who sees them).
    """
    query = (
        select(Activity)
        .join(activity_participants, activity_participants.c.activity_id == Activity.id)
        .where(activity_participants.c.manager_id == manager.id, Activity.cancelled_at.is_(None))
        .options(
            selectinload(Activity.pillars),
            selectinload(Activity.expectations),
            selectinload(Activity.participants),
        )
        .limit(limit)
    )
    if not with_interviews:
        query = query.where(Activity.kind != ActivityKind.INTERVIEW)
    if done:
        query = query.where(Activity.completed_on.is_not(None)).order_by(
            Activity.completed_on.desc(), Activity.id
        )
    else:
        query = query.where(Activity.completed_on.is_(None)).order_by(
            Activity.due_on.is_(None), Activity.due_on, Activity.id
        )
    return list(db.session.scalars(query))


def plan_overview(manager: Manager, today: date, *, with_interviews: bool = True) -> PlanOverview:
    """Gather the manager's current plan, activities, reviews and pillar coverage.

    Without `with_interviews` the activity lists leave out recruitment interviews.
    """
    plan = current_plan(
        manager,
        today,
        selectinload(DevelopmentPlan.goals).selectinload(PlanGoal.expectations),
        selectinload(DevelopmentPlan.goals).selectinload(PlanGoal.activities),
        selectinload(DevelopmentPlan.comments).joinedload(PlanComment.author),
    )
    open_activities = manager_activities(manager, done=False, limit=100, with_interviews=with_interviews)
    reviews = list(
        db.session.scalars(
            select(DevelopmentReview)
            .join(DevelopmentPlan)
            .where(DevelopmentPlan.manager_id == manager.id, DevelopmentReview.completed_on.is_(None))
            .order_by(DevelopmentReview.scheduled_on)
            .limit(10)
        )
    )
    platform = get_platform()
    pillars = list(platform.pillars) if platform else []
    return PlanOverview(
        manager=manager,
        plan=plan,
        open_activities=[a for a in open_activities if not a.is_overdue(today)],
        overdue_activities=[a for a in open_activities if a.is_overdue(today)],
        completed_activities=manager_activities(
            manager, done=True, limit=20, with_interviews=with_interviews
        ),
        upcoming_reviews=reviews,
        coverage=manager_coverage(manager, pillars, today),
        pillars=pillars,
    )

"""Reading a manager's plan, activities and reviews as the API shows them, with what each needs loaded.

The views call these instead of writing queries; who may read what is `policy`'s.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import lazyload
from sqlalchemy.orm import load_only
from sqlalchemy.orm import selectinload

from lifecycle.enums import ActivityKind
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import CatalogueItem
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import ReviewAssessment
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.services.plans import current_plan

logger = logging.getLogger(__name__)


class ActivityStatus(enum.StrEnum):
    """Which of a manager's activities a list shows."""

    OPEN = "open"
    COMPLETED = "completed"
    OVERDUE = "overdue"
    ALL = "all"


def _status_clauses(status: ActivityStatus, today: date) -> list[ColumnElement[bool]]:
    still_open: list[ColumnElement[bool]] = [Activity.completed_on.is_(None), Activity.cancelled_at.is_(None)]
    if status is ActivityStatus.OPEN:
        return still_open
    if status is ActivityStatus.OVERDUE:
        return [*still_open, Activity.due_on < today]
    if status is ActivityStatus.COMPLETED:
        return [Activity.completed_on.is_not(None), Activity.cancelled_at.is_(None)]
    return []


def activity_with_tags(activity_id: int) -> Activity | None:
    """Load an activity with its participants' ids and its tags."""
    return db.session.scalar(
        select(Activity)
        .where(Activity.id == activity_id)
        .options(
            selectinload(Activity.participants).load_only(Manager.id),
            selectinload(Activity.pillars),
            selectinload(Activity.expectations),
        )
    )


def participant_counts(activity_ids: Sequence[int]) -> dict[int, int]:
    """Return how many take part in each of the activities, in one query."""
    if not activity_ids:
        return {}
    column = activity_participants.c.activity_id
    rows = db.session.execute(select(column, func.count()).where(column.in_(activity_ids)).group_by(column))
    return {activity_id: count for activity_id, count in rows.all()}


def activities_page(
    manager: Manager,
    *,
    after_id: int,
    status: ActivityStatus,
    today: date,
    limit: int,
    with_interviews: bool = True,
) -> tuple[list[Activity], bool]:
    """Return up to `limit` of the manager's activities after `after_id`, by id, and whether more follow.

    Without `with_interviews`, recruitment interviews are left out (the policy says who sees them).
    """
    hidden = () if with_interviews else (Activity.kind != ActivityKind.INTERVIEW,)
    rows = list(
        db.session.scalars(
            select(Activity)
            .join(activity_participants, activity_participants.c.activity_id == Activity.id)
            .where(
                activity_participants.c.manager_id == manager.id,
                Activity.id > after_id,
                *_status_clauses(status, today),
                *hidden,
            )
            .options(selectinload(Activity.pillars), selectinload(Activity.expectations))
            .order_by(Activity.id)
            .limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def catalogue_item_with_tags(item_id: int) -> CatalogueItem | None:
    return db.session.scalar(
        select(CatalogueItem)
        .where(CatalogueItem.id == item_id)
        .options(selectinload(CatalogueItem.pillars), selectinload(CatalogueItem.expectations))
    )


def offered_catalogue() -> list[CatalogueItem]:
    """Return the catalogue items HR offers now, by title, with their tags."""
    return list(
        db.session.scalars(
            select(CatalogueItem)
            .where(CatalogueItem.is_active.is_(True))
            .options(selectinload(CatalogueItem.pillars), selectinload(CatalogueItem.expectations))
            .order_by(CatalogueItem.title, CatalogueItem.id)
        )
    )


def managers_among(ids: Iterable[int], visible: ColumnElement[bool]) -> list[Manager]:
    """Return the managers with these ids that the `visible` clause (the policy's) lets through."""
    return list(db.session.scalars(select(Manager).where(Manager.id.in_(list(ids)), visible)))


def expectations_by_key(keys: Iterable[str]) -> tuple[list[Expectation], set[str]]:
    """Return the expectations with these keys, and the keys that name none."""
    wanted = set(keys)
    if not wanted:
        return [], set()
    found = list(db.session.scalars(select(Expectation).where(Expectation.key.in_(wanted))))
    return found, wanted - {expectation.key for expectation in found}


def goal_of(manager: Manager, goal_id: int) -> PlanGoal | None:
    """Return a goal of the manager's plans; another manager's goal is as unknown as a missing one."""
    return db.session.scalar(
        select(PlanGoal)
        .join(DevelopmentPlan)
        .where(PlanGoal.id == goal_id, DevelopmentPlan.manager_id == manager.id)
    )


def current_plan_in_full(manager: Manager, today: date) -> DevelopmentPlan | None:
    """Return the plan whose period holds `today` with its goals and comments (authors' names only)."""
    goals = selectinload(DevelopmentPlan.goals)
    return current_plan(
        manager,
        today,
        goals.selectinload(PlanGoal.expectations),
        goals.selectinload(PlanGoal.activities).load_only(Activity.id, Activity.goal_id),
        # Only the author's name is shown: none of a user's roles or links are loaded for it.
        selectinload(DevelopmentPlan.comments)
        .joinedload(PlanComment.author)
        .options(load_only(User.id, User.name), lazyload("*")),
    )


def upcoming_reviews(manager: Manager, limit: int) -> list[DevelopmentReview]:
    """Return the manager's reviews not yet completed, soonest first."""
    return list(
        db.session.scalars(
            select(DevelopmentReview)
            .join(DevelopmentPlan)
            .where(DevelopmentPlan.manager_id == manager.id, DevelopmentReview.completed_on.is_(None))
            .order_by(DevelopmentReview.scheduled_on, DevelopmentReview.id)
            .limit(limit)
        )
    )


def reviews_of(manager: Manager) -> list[DevelopmentReview]:
    """Return all the manager's reviews, newest first, with their assessments."""
    return list(
        db.session.scalars(
            select(DevelopmentReview)
            .join(DevelopmentPlan)
            .where(DevelopmentPlan.manager_id == manager.id)
            .options(selectinload(DevelopmentReview.assessments).joinedload(ReviewAssessment.expectation))
            .order_by(DevelopmentReview.scheduled_on.desc(), DevelopmentReview.id.desc())
        )
    )


def review_in_full(review_id: int) -> DevelopmentReview | None:
    """Load a review with its plan's manager and its assessments."""
    return db.session.scalar(
        select(DevelopmentReview)
        .where(DevelopmentReview.id == review_id)
        .options(
            joinedload(DevelopmentReview.plan).joinedload(DevelopmentPlan.manager),
            selectinload(DevelopmentReview.assessments).joinedload(ReviewAssessment.expectation),
        )
    )

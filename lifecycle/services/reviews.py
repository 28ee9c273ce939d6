"""Development reviews (utvecklingssamtal): scheduling by HR's cadence, assessments, completion, trends."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.enums import ActivityKind
from lifecycle.enums import Assessor
from lifecycle.extensions import db
from lifecycle.models import AppSetting
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import ReviewAssessment
from lifecycle.models import User
from lifecycle.services.activities import add_activity
from lifecycle.services.plans import add_goal
from lifecycle.services.reminders import sync_reminders
from lifecycle.services.reminders import sync_reminders_for
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

CADENCE_KEY = "review_cadence"
DEFAULT_CADENCE = {"first_after_months": 6, "every_months": 6}


class ReviewError(ValueError):
    """A review change breaks a rule; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Cadence:
    """How often reviews happen: the first N months after the start date, then every M months."""

    first_after_months: int
    every_months: int


def get_cadence() -> Cadence:
    setting = db.session.get(AppSetting, CADENCE_KEY)
    value = setting.value if setting else DEFAULT_CADENCE
    return Cadence(int(value["first_after_months"]), int(value["every_months"]))


def set_cadence(first_after_months: int, every_months: int) -> None:
    """Set the review cadence HR uses for new schedules."""
    if not 1 <= first_after_months <= 36 or not 1 <= every_months <= 36:
        raise ReviewError("every_months", _l("Choose between 1 and 36 months."))
    setting = db.session.get(AppSetting, CADENCE_KEY)
    value = {"first_after_months": first_after_months, "every_months": every_months}
    if setting is None:
        db.session.add(AppSetting(key=CADENCE_KEY, value=value))
    else:
        setting.value = value
    db.session.flush()


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_dates(start: date, plan: DevelopmentPlan, cadence: Cadence) -> list[date]:
    """Return the review dates the cadence gives inside the plan's period."""
    dates = []
    step = 0
    current = add_months(start, cadence.first_after_months)
    while current <= plan.ends_on and step < 100:
        if current >= plan.starts_on:
            dates.append(current)
        step += 1
        current = add_months(start, cadence.first_after_months + step * cadence.every_months)
    return dates


def schedule_reviews(plan: DevelopmentPlan, cadence: Cadence | None = None) -> list[DevelopmentReview]:
    """Add the reviews the cadence gives in the plan's period; dates already scheduled are kept."""
    cadence = cadence or get_cadence()
    start = plan.manager.start_date or plan.starts_on
    existing = {review.scheduled_on for review in plan.reviews}
    added = [
        DevelopmentReview(plan=plan, scheduled_on=day, next_steps="")
        for day in review_dates(start, plan, cadence)
        if day not in existing
    ]
    db.session.add_all(added)
    db.session.flush()
    sync_reminders(reviews=added)
    return added


def assessor_for(user: User, manager: Manager) -> Assessor | None:
    """Return how the user assesses in the manager's reviews: themselves, as line manager, or not at all."""
    own = user.manager
    if own is None:
        return None
    if own.id == manager.id:
        return Assessor.SELF
    if own.id == manager.line_manager_id:
        return Assessor.LINE_MANAGER
    return None


def record_assessments(
    review: DevelopmentReview, assessor: Assessor, scores: dict[int, tuple[int, str]]
) -> None:
    """Save one assessor's 1–5 score and comment per expectation, replacing their earlier ones."""
    if review.completed_on is not None:
        raise ReviewError("scores", _l("The review is completed; its assessments are kept as they were."))
    for expectation_id, (score, _comment) in scores.items():
        if not 1 <= score <= 5:
            raise ReviewError("scores", _l("A score is from 1 to 5."))
        expectation = db.session.get(Expectation, expectation_id)
        if expectation is None or expectation.is_retired:
            raise ReviewError("scores", _l("A retired expectation cannot be chosen for something new."))
    current = {(a.expectation_id, a.assessor): a for a in review.assessments}
    for expectation_id, (score, comment) in scores.items():
        row = current.get((expectation_id, assessor))
        if row is None:
            review.assessments.append(
                ReviewAssessment(
                    expectation_id=expectation_id, assessor=assessor, score=score, comment=comment.strip()
                )
            )
        else:
            row.score, row.comment = score, comment.strip()
    db.session.flush()


def complete_review(
    review: DevelopmentReview,
    *,
    on: date,
    next_steps: str,
    actor: User | None,
    goal_title: str = "",
    goal_expectations: list[Expectation] | None = None,
) -> None:
    """Complete the review; agreed next steps are kept, and can become a new goal in the plan.

    The review itself counts as a completed development-review activity building the pillars it
    assessed, so it shows in the manager's pillar coverage.
    """
    if review.completed_on is not None:
        raise ReviewError("completed_on", _l("The review is already completed."))
    if on > local_today():
        raise ReviewError("completed_on", _l("The completion date cannot be in the future."))
    review.completed_on = on
    review.next_steps = next_steps.strip()
    if goal_title.strip():
        add_goal(review.plan, title=goal_title, expectations=goal_expectations or [], target_on=None)
    assessed = {a.expectation.pillar for a in review.assessments if not a.expectation.pillar.is_retired}
    pillars = sorted(assessed, key=lambda p: p.position) or [
        p for p in db.session.scalars(select(Pillar).order_by(Pillar.position)) if not p.is_retired
    ]
    add_activity(
        kind=ActivityKind.DEVELOPMENT_REVIEW,
        title=_l("Development review"),
        participants=[review.plan.manager],
        pillars=pillars,
        actor=actor,
        completed_on=on,
    )
    db.session.flush()
    sync_reminders_for(review)


@dataclass(frozen=True)
class TrendPoint:
    review: DevelopmentReview
    #: pillar id → (self-assessment average, line manager's average); None where nobody assessed
    averages: dict[int, tuple[float | None, float | None]]


def pillar_trend(manager: Manager, limit: int = 10) -> list[TrendPoint]:
    """Return the averages per pillar in the manager's latest completed reviews, oldest first."""
    reviews = list(
        db.session.scalars(
            select(DevelopmentReview)
            .join(DevelopmentPlan)
            .where(DevelopmentPlan.manager_id == manager.id, DevelopmentReview.completed_on.is_not(None))
            .options(selectinload(DevelopmentReview.assessments).selectinload(ReviewAssessment.expectation))
            .order_by(DevelopmentReview.completed_on.desc())
            .limit(limit)
        )
    )
    points = []
    for review in reversed(reviews):
        sums: dict[tuple[int, Assessor], list[int]] = {}
        for assessment in review.assessments:
            sums.setdefault((assessment.expectation.pillar_id, assessment.assessor), []).append(
                assessment.score
            )
        pillar_ids = {pillar_id for pillar_id, _assessor in sums}

        def average(
            pillar_id: int, assessor: Assessor, sums: dict[tuple[int, Assessor], list[int]] = sums
        ) -> float | None:
            scores = sums.get((pillar_id, assessor))
            return round(sum(scores) / len(scores), 1) if scores else None

        points.append(
            TrendPoint(
                review=review,
                averages={
                    p: (average(p, Assessor.SELF), average(p, Assessor.LINE_MANAGER)) for p in pillar_ids
                },
            )
        )
    return points

"""How far managers' introductions have come, and HR's overview of everyone in the introduce stage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import IntroductionLaunch
from lifecycle.models import Manager
from lifecycle.models.activities import activity_participants
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import filter_clauses


@dataclass(frozen=True)
class IntroductionProgress:
    """How far a manager's introduction programmes have come (cancelled milestones are not counted)."""

    done: int = 0
    #: open and not yet past their date
    due: int = 0
    #: open and past their date
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.due + self.overdue


def _launched_milestones(manager_ids: Iterable[int]) -> list[ColumnElement[bool]]:
    return [
        activity_participants.c.manager_id.in_(list(manager_ids)),
        Activity.introduction_id.is_not(None),
        Activity.cancelled_at.is_(None),
    ]


def introduction_progress(manager_ids: Iterable[int], today: date) -> dict[int, IntroductionProgress]:
    """Return done / due / overdue milestone counts for each manager with a programme, in one query.

    The query runs even for no managers, so a page's query count does not depend on what it shows.
    """
    is_open = Activity.completed_on.is_(None)
    past = and_(is_open, Activity.due_on < today)
    rows = db.session.execute(
        select(
            activity_participants.c.manager_id,
            func.count(Activity.completed_on),
            func.sum(
                case((and_(is_open, or_(Activity.due_on.is_(None), Activity.due_on >= today)), 1), else_=0)
            ),
            func.sum(case((past, 1), else_=0)),
        )
        .join(Activity, Activity.id == activity_participants.c.activity_id)
        .where(*_launched_milestones(manager_ids))
        .group_by(activity_participants.c.manager_id)
    ).all()
    return {
        manager_id: IntroductionProgress(done=int(done or 0), due=int(due or 0), overdue=int(overdue or 0))
        for manager_id, done, due, overdue in rows
    }


def overdue_milestones(
    manager_ids: Iterable[int], today: date, per_manager: int = 5
) -> dict[int, list[Activity]]:
    """Return each manager's overdue milestones, oldest first, at most `per_manager` each, in one query."""
    rank = (
        func.row_number()
        .over(partition_by=activity_participants.c.manager_id, order_by=(Activity.due_on, Activity.id))
        .label("rank")
    )
    ranked = (
        select(activity_participants.c.manager_id.label("manager_id"), Activity.id.label("activity_id"), rank)
        .join(Activity, Activity.id == activity_participants.c.activity_id)
        .where(*_launched_milestones(manager_ids), Activity.completed_on.is_(None), Activity.due_on < today)
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.manager_id, Activity)
        .join(Activity, Activity.id == ranked.c.activity_id)
        .where(ranked.c.rank <= per_manager)
        .options(joinedload(Activity.responsible))
        .order_by(ranked.c.manager_id, Activity.due_on, Activity.id)
    ).all()
    found: dict[int, list[Activity]] = {}
    for manager_id, activity in rows:
        found.setdefault(manager_id, []).append(activity)
    return found


@dataclass(frozen=True)
class IntroductionFilter:
    """What HR narrows the introductions overview down to."""

    #: a unit, including everything below it
    unit_id: int | None = None
    hr_partner_id: int | None = None
    #: only those with an overdue milestone
    only_overdue: bool = False


@dataclass(frozen=True)
class IntroductionRow:
    manager: Manager
    progress: IntroductionProgress
    overdue: list[Activity] = field(default_factory=list)


def _overdue_exists(today: date) -> ColumnElement[bool]:
    # Through the launch, whose milestones are the manager's own, and the partial index of open
    # milestones: a few thousand rows, where the participants table holds one per activity ever.
    return (
        select(IntroductionLaunch.id)
        .join(Activity, Activity.introduction_id == IntroductionLaunch.id)
        .where(
            IntroductionLaunch.manager_id == Manager.id,
            Activity.introduction_id.is_not(None),
            Activity.cancelled_at.is_(None),
            Activity.completed_on.is_(None),
            Activity.due_on < today,
        )
        .exists()
    )


def introductions_overview(
    visible: ColumnElement[bool], filters: IntroductionFilter, today: date, *, limit: int, offset: int = 0
) -> tuple[int, list[IntroductionRow]]:
    """Return how many managers are in the introduce stage and one page of them with progress.

    Four queries whatever the page holds: the count, the page, the progress, the overdue milestones.
    """
    clauses = filter_clauses(
        ManagerFilter(
            unit_id=filters.unit_id, hr_partner_id=filters.hr_partner_id, stages=(Stage.INTRODUCE,)
        ),
        today,
    )
    if filters.only_overdue:
        clauses.append(_overdue_exists(today))
    total = db.session.scalar(select(func.count()).select_from(Manager).where(visible, *clauses)) or 0
    managers = list(
        db.session.scalars(
            select(Manager)
            .where(visible, *clauses)
            .options(
                joinedload(Manager.org_unit), joinedload(Manager.hr_partner), joinedload(Manager.line_manager)
            )
            .order_by(Manager.stage_entered_on, Manager.id)
            .offset(offset)
            .limit(limit)
        )
    )
    ids = [m.id for m in managers]
    progress = introduction_progress(ids, today)
    overdue = overdue_milestones(ids, today)
    return total, [
        IntroductionRow(
            manager=m, progress=progress.get(m.id, IntroductionProgress()), overdue=overdue.get(m.id, [])
        )
        for m in managers
    ]

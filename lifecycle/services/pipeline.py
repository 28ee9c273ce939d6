"""Finding managers: the filters HR uses on the pipeline board, the API list and the exports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import aliased
from sqlalchemy.orm import joinedload

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models.activities import activity_participants


@dataclass(frozen=True)
class ManagerFilter:
    """What HR narrows the journey down to; every field is optional."""

    #: a unit, including everything below it
    unit_id: int | None = None
    line_manager_id: int | None = None
    #: part of the line manager's name, for a filter typed rather than picked
    line_manager_query: str = ""
    hr_partner_id: int | None = None
    #: part of the name (case-insensitive)
    query: str = ""
    #: only those longer in their current stage than its threshold (a stage without one: nobody)
    stuck_after: Mapping[Stage, int] | None = None
    stages: tuple[Stage, ...] = field(default_factory=Stage.journey)

    def is_empty(self) -> bool:
        return (
            self.unit_id is None
            and self.line_manager_id is None
            and not self.line_manager_query.strip()
            and self.hr_partner_id is None
            and not self.query.strip()
            and self.stuck_after is None
            and self.stages == Stage.journey()
        )


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_clauses(column: InstrumentedAttribute[str], query: str) -> list[ColumnElement[bool]]:
    """Match every word of `query` anywhere in the name, ignoring case."""
    return [column.ilike(f"%{escape_like(word)}%", escape="\\") for word in query.split()[:5]]


def filter_clauses(filters: ManagerFilter, today: date) -> list[ColumnElement[bool]]:
    """Return the WHERE clauses for `filters`; access is added separately by the caller's policy clause."""
    clauses: list[ColumnElement[bool]] = [Manager.stage.in_(filters.stages)]
    if filters.unit_id is not None:
        unit_path = select(OrgUnit.path).where(OrgUnit.id == filters.unit_id).scalar_subquery()
        subtree = select(OrgUnit.id).where(
            or_(OrgUnit.id == filters.unit_id, OrgUnit.path.startswith(unit_path, autoescape=False))
        )
        clauses.append(Manager.org_unit_id.in_(subtree))
    if filters.line_manager_id is not None:
        clauses.append(Manager.line_manager_id == filters.line_manager_id)
    if filters.line_manager_query.strip():
        line_manager = aliased(Manager)
        clauses.append(
            Manager.line_manager_id.in_(
                select(line_manager.id).where(*_name_clauses(line_manager.name, filters.line_manager_query))
            )
        )
    if filters.hr_partner_id is not None:
        clauses.append(Manager.hr_partner_id == filters.hr_partner_id)
    clauses.extend(_name_clauses(Manager.name, filters.query))
    if filters.stuck_after is not None:
        clauses.append(stuck_clause(filters.stuck_after, today))
    return clauses


def stuck_thresholds(configured: Mapping[str, int]) -> dict[Stage, int]:
    """Return the configured days per stage (STUCK_AFTER_DAYS) after which someone counts as stuck."""
    return {stage: int(configured[stage.value]) for stage in Stage.journey() if stage.value in configured}


def every_stage_after(days: int) -> dict[Stage, int]:
    """One threshold for every stage (the API's `stuck_after_days`)."""
    return dict.fromkeys(Stage.journey(), days)


def stuck_clause(stuck_after: Mapping[Stage, int], today: date) -> ColumnElement[bool]:
    """Return a clause true for managers longer in their stage than that stage's threshold."""
    return or_(
        false(),
        *(
            and_(Manager.stage == stage, Manager.stage_entered_on < today - timedelta(days=days))
            for stage, days in stuck_after.items()
        ),
    )


def overdue_clause(today: date) -> ColumnElement[bool]:
    """Return a clause true for managers with something overdue.

    Overdue is an open activity (an introduction milestone, a course, a review ...) past its due
    date, or an offboarding past its end date.
    """
    late_activity = (
        select(activity_participants.c.manager_id)
        .join(Activity, Activity.id == activity_participants.c.activity_id)
        .where(
            activity_participants.c.manager_id == Manager.id,
            Activity.completed_on.is_(None),
            Activity.cancelled_at.is_(None),
            Activity.due_on < today,
        )
        .exists()
    )
    return or_(and_(Manager.stage == Stage.OFFBOARD, Manager.end_date < today), late_activity)


def managers_query(visible: ColumnElement[bool], filters: ManagerFilter, today: date) -> Select[Manager]:
    """Return the managers `visible` admits and `filters` selects, longest in their stage first."""
    return (
        select(Manager)
        .where(visible, *filter_clauses(filters, today))
        .order_by(Manager.stage_entered_on, Manager.id)
    )


def count_by_stage(visible: ColumnElement[bool], filters: ManagerFilter, today: date) -> dict[Stage, int]:
    """Return how many managers each stage column holds, in one query."""
    rows = db.session.execute(
        select(Manager.stage, func.count())
        .where(visible, *filter_clauses(filters, today))
        .group_by(Manager.stage)
    ).all()
    counts = dict.fromkeys(filters.stages, 0)
    counts.update({stage: count for stage, count in rows})
    return counts


@dataclass(frozen=True)
class Card:
    """One manager on the board, with what the card shows."""

    manager: Manager
    days_in_stage: int
    is_overdue: bool
    is_stuck: bool


@dataclass(frozen=True)
class Column:
    stage: Stage
    count: int
    cards: list[Card]
    #: days after which someone in this stage counts as stuck (None: never)
    stuck_after_days: int | None = None


def board_columns(
    visible: ColumnElement[bool],
    filters: ManagerFilter,
    today: date,
    stuck_after: Mapping[Stage, int],
    per_column: int,
    offset: int = 0,
) -> list[Column]:
    """Return each stage's count and its first cards, longest in the stage first.

    The number of queries is fixed (one count, one per stage, one for units): it does not grow
    with the number of managers.
    """
    counts = count_by_stage(visible, filters, today)
    overdue = overdue_clause(today).label("is_overdue")
    columns = []
    for stage in filters.stages:
        rows = db.session.execute(
            select(Manager, overdue)
            .where(visible, *filter_clauses(filters, today), Manager.stage == stage)
            .options(joinedload(Manager.org_unit))
            .order_by(Manager.stage_entered_on, Manager.id)
            .offset(offset)
            .limit(per_column)
        ).all()
        threshold = stuck_after.get(stage)
        cards = [
            Card(
                manager=manager,
                days_in_stage=manager.days_in_stage(today),
                is_overdue=bool(is_overdue),
                is_stuck=threshold is not None and manager.days_in_stage(today) > threshold,
            )
            for manager, is_overdue in rows
        ]
        columns.append(Column(stage, counts.get(stage, 0), cards, threshold))
    return columns

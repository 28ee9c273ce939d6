"""HR's analysis of exits: by pillar (where the support worked, where it failed), by reason, the shares
voluntary and regrettable, and by unit (with its sub-units) per quarter or year.

Every figure is an aggregate computed in SQL over the exit interviews, filtered by the unit (with its
sub-units) the manager left and the period their last day falls in; a fixed number of queries whatever
the number of exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement
from sqlalchemy import Integer
from sqlalchemy import case
from sqlalchemy import extract
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.extensions import db
from lifecycle.models import ExitInterview
from lifecycle.models import ExitPillarScore
from lifecycle.models import ExitReason
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.services.coverage import heatmap_parent
from lifecycle.services.coverage import heatmap_rows

#: a score at or above this: the support worked; at or below `FAILED_AT`: it failed
WORKED_FROM = 4
FAILED_AT = 2


class Period(StrEnum):
    """How the analysis by unit groups time."""

    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class ExitFilter:
    """Which exits: the unit left (with its sub-units), and the period the last day falls in."""

    unit: OrgUnit | None = None
    start: date | None = None
    end: date | None = None
    per: Period = Period.QUARTER


@dataclass(frozen=True)
class PillarFigures:
    pillar: Pillar
    answers: int
    #: None without answers
    mean: float | None
    worked: int
    failed: int


@dataclass(frozen=True)
class ReasonFigures:
    reason: ExitReason
    exits: int
    voluntary: int
    regrettable: int


@dataclass(frozen=True)
class ExitShares:
    exits: int
    voluntary: int
    regrettable: int

    @property
    def voluntary_share(self) -> float | None:
        return self.voluntary / self.exits if self.exits else None

    @property
    def regrettable_share(self) -> float | None:
        return self.regrettable / self.exits if self.exits else None


#: (year, quarter) by quarter, (year, 0) by year
PeriodKey = tuple[int, int]


@dataclass
class UnitRow:
    unit: OrgUnit
    #: the exits of people placed in the unit itself, not in a unit below it
    is_direct: bool = False
    counts: dict[PeriodKey, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class UnitsOverTime:
    periods: list[PeriodKey]
    rows: list[UnitRow]


def _clauses(filters: ExitFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.start is not None:
        clauses.append(ExitInterview.left_on >= filters.start)
    if filters.end is not None:
        clauses.append(ExitInterview.left_on <= filters.end)
    if filters.unit is not None:
        below = select(OrgUnit.id).where(OrgUnit.path.startswith(filters.unit.path, autoescape=True))
        clauses.append(ExitInterview.org_unit_id.in_(below))
    return clauses


def by_pillar(filters: ExitFilter, pillars: Sequence[Pillar]) -> list[PillarFigures]:
    """Return, per pillar asked about, the answers, the mean score and how often the support worked or failed.

    `pillars` are the platform's current ones; a retired pillar with answers in the period is added after.
    """
    rows = db.session.execute(
        select(
            ExitPillarScore.pillar_id,
            func.count(),
            func.avg(ExitPillarScore.score),
            func.sum(case((ExitPillarScore.score >= WORKED_FROM, 1), else_=0)),
            func.sum(case((ExitPillarScore.score <= FAILED_AT, 1), else_=0)),
        )
        .join(ExitInterview, ExitInterview.id == ExitPillarScore.interview_id)
        .where(*_clauses(filters))
        .group_by(ExitPillarScore.pillar_id)
    ).all()
    found = {pillar_id: (n, mean, worked, failed) for pillar_id, n, mean, worked, failed in rows}
    shown = list(pillars)
    missing = set(found) - {p.id for p in shown}
    if missing:
        shown += list(
            db.session.scalars(select(Pillar).where(Pillar.id.in_(missing)).order_by(Pillar.position))
        )
    result = []
    for pillar in shown:
        n, mean, worked, failed = found.get(pillar.id, (0, None, 0, 0))
        result.append(
            PillarFigures(
                pillar,
                int(n),
                float(mean) if mean is not None else None,
                int(worked or 0),
                int(failed or 0),
            )
        )
    return result


def by_reason(filters: ExitFilter) -> list[ReasonFigures]:
    """Return, per reason on HR's list (retired ones only when given), the exits and how many were
    voluntary and regrettable."""
    rows = db.session.execute(
        select(
            ExitInterview.reason_id,
            func.count(),
            func.sum(case((ExitInterview.voluntary.is_(True), 1), else_=0)),
            func.sum(case((ExitInterview.regrettable.is_(True), 1), else_=0)),
        )
        .where(*_clauses(filters))
        .group_by(ExitInterview.reason_id)
    ).all()
    found = {reason_id: (n, voluntary, regrettable) for reason_id, n, voluntary, regrettable in rows}
    reasons = db.session.scalars(select(ExitReason).order_by(ExitReason.position, ExitReason.id))
    return [
        ReasonFigures(reason, int(n), int(voluntary or 0), int(regrettable or 0))
        for reason in reasons
        if reason.id in found or not reason.is_retired
        for n, voluntary, regrettable in [found.get(reason.id, (0, 0, 0))]
    ]


def shares(filters: ExitFilter) -> ExitShares:
    """Return how many exits there were, and how many of them voluntary and regrettable."""
    n, voluntary, regrettable = db.session.execute(
        select(
            func.count(),
            func.sum(case((ExitInterview.voluntary.is_(True), 1), else_=0)),
            func.sum(case((ExitInterview.regrettable.is_(True), 1), else_=0)),
        ).where(*_clauses(filters))
    ).one()
    return ExitShares(int(n), int(voluntary or 0), int(regrettable or 0))


def _row_of(rows: list[OrgUnit], direct: OrgUnit | None) -> ColumnElement[int | None]:
    # Longer paths first: an exit counts under the most specific row that holds its unit.
    ordered = sorted(rows, key=lambda unit: len(unit.path), reverse=True)
    whens = [(OrgUnit.path.startswith(unit.path, autoescape=True), unit.id) for unit in ordered]
    if direct is not None:
        # The unit's own people: a row of their own, told apart from the unit rows by its sign.
        whens.insert(0, (OrgUnit.id == direct.id, -direct.id))
    return case(*whens, else_=None)


def by_unit_over_time(filters: ExitFilter) -> UnitsOverTime:
    """Return the exits per row and period: the chosen unit's own people and each unit below it (with
    its sub-units), or the förvaltningar without a unit; periods are quarters or years."""
    unit_id = filters.unit.id if filters.unit is not None else None
    rows = heatmap_rows(unit_id)
    direct = heatmap_parent(unit_id)
    if direct is not None and direct in rows:
        direct = None
    if not rows and direct is None:
        return UnitsOverTime([], [])
    row_of = _row_of(rows, direct)
    year = extract("year", ExitInterview.left_on).cast(Integer)
    month = extract("month", ExitInterview.left_on).cast(Integer)
    counted = db.session.execute(
        select(row_of, year, month, func.count())
        .join(OrgUnit, OrgUnit.id == ExitInterview.org_unit_id)
        .where(*_clauses(filters), row_of.is_not(None))
        .group_by(row_of, year, month)
    ).all()
    result = ([UnitRow(direct, is_direct=True)] if direct is not None else []) + [UnitRow(u) for u in rows]
    by_id = {-row.unit.id if row.is_direct else row.unit.id: row for row in result}
    periods: set[PeriodKey] = set()
    for row_id, y, m, n in counted:
        key = (int(y), (int(m) - 1) // 3 + 1 if filters.per is Period.QUARTER else 0)
        periods.add(key)
        row = by_id[int(row_id or 0)]
        row.counts[key] = row.counts.get(key, 0) + int(n)
    return UnitsOverTime(sorted(periods), result)

"""Pillar coverage: which pillars each manager and each part of the organisation has been building.

`refresh_coverage` keeps the small `pillar_coverage` table in step with completed activities; every
service that completes, reopens, cancels or re-tags an activity calls it in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.models import PillarCoverage
from lifecycle.models.activities import ACTIVITY_TAGS
from lifecycle.models.activities import activity_participants
from lifecycle.models.tags import TagTables
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import filter_clauses

#: the people the organisation's coverage is about: managers in post
IN_POST = (Stage.INTRODUCE, Stage.DEVELOP, Stage.OFFBOARD)
WINDOW_DAYS = 365


def window_start(today: date) -> date:
    """Return the first day of the twelve months up to and including today."""
    return today - timedelta(days=WINDOW_DAYS - 1)


def _done() -> ColumnElement[bool]:
    return and_(Activity.completed_on.is_not(None), Activity.cancelled_at.is_(None))


def refresh_coverage(manager_ids: Iterable[int]) -> None:
    """Recompute the managers' last completed activity per pillar from their activities."""
    ids = sorted(set(manager_ids))
    if not ids:
        return
    db.session.flush()
    # Lock the managers first: two transactions refreshing the same manager then take turns
    # instead of colliding on the summary's primary key (FOR UPDATE is a no-op on SQLite).
    db.session.execute(select(Manager.id).where(Manager.id.in_(ids)).order_by(Manager.id).with_for_update())
    db.session.execute(delete(PillarCoverage).where(PillarCoverage.manager_id.in_(ids)))
    latest = (
        select(
            activity_participants.c.manager_id,
            ACTIVITY_TAGS.pillars.c.pillar_id,
            func.max(Activity.completed_on),
        )
        .join(Activity, Activity.id == activity_participants.c.activity_id)
        .join(ACTIVITY_TAGS.pillars, ACTIVITY_TAGS.pillar_owner == Activity.id)
        .where(activity_participants.c.manager_id.in_(ids), _done())
        .group_by(activity_participants.c.manager_id, ACTIVITY_TAGS.pillars.c.pillar_id)
    )
    db.session.execute(
        insert(PillarCoverage).from_select(["manager_id", "pillar_id", "last_completed_on"], latest)
    )
    db.session.expire_all()


@dataclass(frozen=True)
class ExpectationCount:
    expectation: Expectation
    count: int


@dataclass(frozen=True)
class PillarCount:
    pillar: Pillar
    count: int
    expectations: list[ExpectationCount]


def manager_coverage(manager: Manager, pillars: list[Pillar], today: date) -> list[PillarCount]:
    """Return completed activities per pillar and per expectation over the last twelve months."""
    since = window_start(today)
    mine = (
        select(Activity.id)
        .join(activity_participants, activity_participants.c.activity_id == Activity.id)
        .where(activity_participants.c.manager_id == manager.id, _done(), Activity.completed_on >= since)
        .where(Activity.completed_on <= today)
    ).subquery()
    return coverage_of(ACTIVITY_TAGS, select(mine.c.id), pillars)


def coverage_of(tags: TagTables, rows: Select[Any], pillars: list[Pillar]) -> list[PillarCount]:
    """Count the rows of any tagged model (their ids selected by `rows`) per pillar and per expectation.

    Retired pillars and expectations are listed only where something counted builds them.
    """
    by_pillar: dict[int, int] = dict(
        db.session.execute(
            select(tags.pillars.c.pillar_id, func.count())
            .where(tags.pillar_owner.in_(rows))
            .group_by(tags.pillars.c.pillar_id)
        ).all()
    )
    by_expectation: dict[int, int] = dict(
        db.session.execute(
            select(tags.expectations.c.expectation_id, func.count())
            .where(tags.expectation_owner.in_(rows))
            .group_by(tags.expectations.c.expectation_id)
        ).all()
    )
    return [
        PillarCount(
            pillar=pillar,
            count=by_pillar.get(pillar.id, 0),
            expectations=[
                ExpectationCount(expectation=e, count=by_expectation.get(e.id, 0))
                for e in pillar.expectations
                if not e.is_retired or by_expectation.get(e.id)
            ],
        )
        for pillar in pillars
        if not pillar.is_retired or by_pillar.get(pillar.id)
    ]


@dataclass(frozen=True)
class HeatmapRow:
    unit: OrgUnit
    managers: int
    #: whether the unit has units below it to drill down into
    has_children: bool
    #: pillar id → share (0–1) of the unit's managers with a completed activity for it
    shares: dict[int, float]
    #: the row of managers placed directly in the unit above the other rows (not in a sub-unit)
    is_direct: bool = False


def unit_heatmap(
    rows: list[OrgUnit],
    pillars: list[Pillar],
    visible: ColumnElement[bool],
    today: date,
    direct: OrgUnit | None = None,
) -> list[HeatmapRow]:
    """Return, per unit (its sub-units included), the share of managers in post covering each pillar.

    With `direct`, a first row counts the managers placed in that unit itself (a förvaltningschef in
    their förvaltning), who belong to none of the rows below it.

    Two queries whatever the number of managers or activities: one for the head counts, one for the
    covered counts, each grouping managers under the row whose path their unit's path starts with.
    """
    if not rows:
        return []
    since = window_start(today)
    row_of = _row_case(rows, direct)
    in_rows = (
        select(Manager.id.label("manager_id"), row_of.label("row_id"))
        .join(OrgUnit, OrgUnit.id == Manager.org_unit_id)
        .where(visible, Manager.stage.in_(IN_POST), row_of.is_not(None))
    ).subquery()
    heads: dict[int, int] = {
        row_id: count
        for row_id, count in db.session.execute(
            select(in_rows.c.row_id, func.count()).group_by(in_rows.c.row_id)
        ).all()
    }
    covered = db.session.execute(
        select(in_rows.c.row_id, PillarCoverage.pillar_id, func.count())
        .join(PillarCoverage, PillarCoverage.manager_id == in_rows.c.manager_id)
        .where(PillarCoverage.last_completed_on >= since)
        .group_by(in_rows.c.row_id, PillarCoverage.pillar_id)
    ).all()
    counts: dict[tuple[int, int], int] = {(row_id, pillar_id): n for row_id, pillar_id, n in covered}
    parents = set(
        db.session.scalars(
            select(OrgUnit.parent_id).where(OrgUnit.parent_id.in_([u.id for u in rows])).distinct()
        )
    )
    result = []
    if direct is not None:
        total = heads.get(direct.id, 0)
        result.append(
            HeatmapRow(
                unit=direct,
                managers=total,
                has_children=False,
                is_direct=True,
                shares={p.id: (counts.get((direct.id, p.id), 0) / total if total else 0.0) for p in pillars},
            )
        )
    for unit in rows:
        total = heads.get(unit.id, 0)
        result.append(
            HeatmapRow(
                unit=unit,
                managers=total,
                has_children=unit.id in parents,
                shares={p.id: (counts.get((unit.id, p.id), 0) / total if total else 0.0) for p in pillars},
            )
        )
    return result


def _row_case(rows: list[OrgUnit], direct: OrgUnit | None = None) -> ColumnElement[int | None]:
    # Longer paths first, so a manager is counted under the most specific row that holds them.
    ordered = sorted(rows, key=lambda unit: len(unit.path), reverse=True)
    whens = [(OrgUnit.path.startswith(unit.path, autoescape=True), unit.id) for unit in ordered]
    if direct is not None:
        whens.insert(0, (OrgUnit.id == direct.id, direct.id))
    return case(*whens, else_=None)


def uncovered_managers(
    visible: ColumnElement[bool],
    pillar: Pillar,
    today: date,
    *,
    limit: int = 50,
    after_id: int = 0,
    unit_id: int | None = None,
) -> list[Manager]:
    """Return managers in post without a completed `pillar` activity in twelve months, a page at a time."""
    since = window_start(today)
    covered = select(PillarCoverage.manager_id).where(
        PillarCoverage.pillar_id == pillar.id, PillarCoverage.last_completed_on >= since
    )
    return list(
        db.session.scalars(
            select(Manager)
            .where(visible, Manager.stage.in_(IN_POST), Manager.id > after_id, Manager.id.not_in(covered))
            .where(*filter_clauses(ManagerFilter(unit_id=unit_id, stages=IN_POST), today))
            .options(joinedload(Manager.org_unit), joinedload(Manager.line_manager))
            .order_by(Manager.id)
            .limit(limit)
        )
    )


def heatmap_parent(unit_id: int | None) -> OrgUnit | None:
    """Return the unit whose own managers get the heatmap's first row: the chosen one, or the only root."""
    if unit_id is not None:
        return db.session.get(OrgUnit, unit_id)
    roots = list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).limit(2)))
    return roots[0] if len(roots) == 1 else None


def heatmap_rows(unit_id: int | None) -> list[OrgUnit]:
    """Return the units the heatmap shows as rows: the children of `unit_id`, or the förvaltningar."""
    if unit_id is not None:
        return list(
            db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit_id).order_by(OrgUnit.name))
        )
    roots = list(db.session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None))))
    if len(roots) == 1:
        return heatmap_rows(roots[0])
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.name)))

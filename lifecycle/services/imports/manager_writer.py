"""Applying a manager import's plan: new people set-based (`bulk_journey`), changes one by one through
the journey and manager services (history rows, change log). It only flushes; the caller commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from itertools import groupby

from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.audit import SOURCE_IMPORT
from lifecycle.services.audit import acting_as
from lifecycle.services.bulk_journey import LineManagerFacts
from lifecycle.services.bulk_journey import NewPerson
from lifecycle.services.bulk_journey import enter_journey_many
from lifecycle.services.bulk_journey import introduction_template
from lifecycle.services.imports.manager_rows import RowValues
from lifecycle.services.imports.managers import ImportPlan
from lifecycle.services.imports.reports import Outcome
from lifecycle.services.imports.reports import chunks
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
from lifecycle.services.organisation import ensure_unit_path

logger = logging.getLogger(__name__)

IMPORT_REASON = "Import"
IMPORT_SOURCE = "import"


def _load_managers(ids: set[int]) -> dict[int, Manager]:
    managers: dict[int, Manager] = {}
    for chunk in chunks(sorted(ids)):
        managers.update((m.id, m) for m in db.session.scalars(select(Manager).where(Manager.id.in_(chunk))))
    return managers


#: how many new people go into one set of multi-row inserts (and one progress step)
BATCH_SIZE = 1000

#: called with how many rows of the file are done, after each batch
Progress = Callable[[int], None]


def apply_import(
    plan: ImportPlan, actor: User | None, today: date, on_progress: Progress | None = None
) -> None:
    """Create and update the managers as planned; flushes, never commits. A plan with errors is refused."""
    with acting_as(actor, SOURCE_IMPORT):
        _apply_import(plan, actor, today, on_progress or (lambda done: None))


def _apply_import(plan: ImportPlan, actor: User | None, today: date, on_progress: Progress) -> None:
    """Apply level by level of the line-manager tree: new people in multi-row batches, changes one by one.

    A line manager is always written before the people who report to them, so each level's rows can
    refer to the level above by id.
    """
    plan.refuse_if_errors()
    active = sorted(
        (row for row in plan.rows if row.outcome in (Outcome.CREATED, Outcome.UPDATED) and row.values),
        key=lambda row: (row.depth, row.line),
    )
    done = len(plan.rows) - len(active)
    if not active:
        on_progress(done)
        return
    wanted = {row.employee_number for row in active if row.existing is not None}
    wanted.update(
        row.values.line_manager_number for row in active if row.values and row.values.line_manager_number
    )
    managers = _load_managers({plan.existing_ids[number] for number in wanted if number in plan.existing_ids})
    by_number: dict[str, Manager] = {m.employee_number: m for m in managers.values() if m.employee_number}
    ids_by_number: dict[str, int] = {number: m.id for number, m in by_number.items()}
    bosses = {m.id: LineManagerFacts(m.user_id, m.name) for m in managers.values()}
    template = introduction_template()
    units: dict[tuple[str, ...], int | None] = {}

    def unit_id(path: tuple[str, ...] | None) -> int | None:
        if path is None:
            return None
        if path not in units:
            units[path] = ensure_unit_path(list(path)).id
        return units[path]

    def boss_id(values: RowValues) -> int | None:
        return ids_by_number[values.line_manager_number] if values.line_manager_number else None

    for _depth, level in groupby(active, key=lambda row: row.depth):
        rows = list(level)
        new_rows = [row for row in rows if row.existing is None and row.values is not None]
        for start in range(0, len(new_rows), BATCH_SIZE):
            batch = new_rows[start : start + BATCH_SIZE]
            people = [
                _new_person(row.values, unit_id(row.values.unit_path), boss_id(row.values), today)
                for row in batch
                if row.values
            ]
            created = enter_journey_many(people, actor, IMPORT_REASON, bosses, template)
            ids_by_number.update(
                (person.employee_number or "", new_id) for person, new_id in zip(people, created, strict=True)
            )
            done += len(batch)
            on_progress(done)
        for row in rows:
            values = row.values
            if row.existing is None or values is None:
                continue
            manager = by_number[values.employee_number]
            details = dict(row.details)
            if row.unit_changed:
                details["org_unit_id"] = unit_id(values.unit_path)
            if row.line_manager_changed:
                details["line_manager_id"] = boss_id(values)
            if details:
                update_manager(manager, ChangeSet(details), actor, source=IMPORT_SOURCE)
            if row.move_to is not None:
                move_to_stage(manager, row.move_to, actor, reason=IMPORT_REASON, effective_date=today)
            done += 1
            if done % BATCH_SIZE == 0:
                db.session.flush()
                on_progress(done)
    db.session.flush()
    on_progress(len(plan.rows))
    logger.info("import applied: %s", plan.counts)


def _new_person(
    values: RowValues, org_unit_id: int | None, line_manager_id: int | None, today: date
) -> NewPerson:
    return NewPerson(
        name=values.name,
        stage=values.stage or Stage.DEVELOP,  # the plan refused a new row without a stage
        effective_date=values.start_date or today,
        employee_number=values.employee_number,
        email=values.email,
        title=values.title,
        org_unit_id=org_unit_id,
        line_manager_id=line_manager_id,
        start_date=values.start_date,
        end_date=values.end_date,
    )

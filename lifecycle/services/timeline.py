"""A manager's timeline: every stage move and every change of details, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import StageTransition
from lifecycle.timeutil import STOCKHOLM

FIELD_LABELS: dict[str, LazyString] = {
    "name": _l("Name"),
    "employee_number": _l("Employee number"),
    "email": _l("E-mail"),
    "title": _l("Title"),
    "org_unit_id": _l("Unit"),
    "line_manager_id": _l("Line manager"),
    "hr_partner_id": _l("HR partner"),
    "mentor_id": _l("Mentor"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened: a stage move or a change of details."""

    happened_on: date
    recorded_at: datetime
    transition: StageTransition | None = None
    change: ManagerChange | None = None


def manager_timeline(manager: Manager, limit: int = 500) -> list[TimelineEntry]:
    """Return the newest entries of the manager's history, in two queries whatever its length."""
    transitions = db.session.scalars(
        select(StageTransition)
        .where(StageTransition.manager_id == manager.id)
        .options(joinedload(StageTransition.actor))
        .order_by(StageTransition.recorded_at.desc(), StageTransition.id.desc())
        .limit(limit)
    ).all()
    changes = db.session.scalars(
        select(ManagerChange)
        .where(ManagerChange.manager_id == manager.id)
        .options(joinedload(ManagerChange.actor))
        .order_by(ManagerChange.changed_at.desc(), ManagerChange.id.desc())
        .limit(limit)
    ).all()
    entries = [
        TimelineEntry(happened_on=t.effective_date, recorded_at=t.recorded_at, transition=t)
        for t in transitions
    ] + [
        TimelineEntry(
            happened_on=c.changed_at.astimezone(STOCKHOLM).date(), recorded_at=c.changed_at, change=c
        )
        for c in changes
    ]
    entries.sort(key=lambda e: (e.happened_on, e.recorded_at), reverse=True)
    return entries[:limit]


def describe_value(field: str, value: str | None, names: dict[tuple[str, int], str]) -> str:
    """Return a stored old/new value as a person reads it (names instead of ids)."""
    if value is None or value == "":
        return "–"
    if field.endswith("_id") and value.isdigit():
        return names.get((field, int(value)), f"#{value}")
    return value


def referenced_names(entries: list[TimelineEntry]) -> dict[tuple[str, int], str]:
    """Return the names behind ids in changed details, in at most three queries."""
    from lifecycle.models import OrgUnit
    from lifecycle.models import User

    wanted: dict[str, set[int]] = {}
    for entry in entries:
        change = entry.change
        if change is None or not change.field.endswith("_id"):
            continue
        for value in (change.old_value, change.new_value):
            if value and value.isdigit():
                wanted.setdefault(change.field, set()).add(int(value))
    names: dict[tuple[str, int], str] = {}
    sources = {
        "org_unit_id": (OrgUnit.id, OrgUnit.name),
        "hr_partner_id": (User.id, User.name),
    }
    manager_fields = ("line_manager_id", "mentor_id")
    manager_ids = set().union(*(wanted.get(f, set()) for f in manager_fields))
    if manager_ids:
        rows = db.session.execute(select(Manager.id, Manager.name).where(Manager.id.in_(manager_ids))).all()
        for field in manager_fields:
            names.update({(field, row_id): name for row_id, name in rows})
    for field, (id_column, name_column) in sources.items():
        if wanted.get(field):
            rows = db.session.execute(
                select(id_column, name_column).where(id_column.in_(wanted[field]))
            ).all()
            names.update({(field, row_id): name for row_id, name in rows})
    return names

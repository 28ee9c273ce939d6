"""The organisation tree: finding and creating units by their path of names."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lifecycle.enums import OrgUnitKind
from lifecycle.extensions import db
from lifecycle.models import OrgUnit

logger = logging.getLogger(__name__)

PATH_SEPARATOR = "/"
KINDS_BY_DEPTH = (
    OrgUnitKind.MUNICIPALITY,
    OrgUnitKind.ADMINISTRATION,
    OrgUnitKind.DEPARTMENT,
    OrgUnitKind.UNIT,
)


def create_unit(name: str, kind: OrgUnitKind, parent: OrgUnit | None = None) -> OrgUnit:
    """Add a unit under `parent` (or as a root) and give it its materialised path."""
    unit = OrgUnit(name=name.strip(), kind=kind, parent=parent, path="")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else PATH_SEPARATOR}{unit.id}{PATH_SEPARATOR}"
    db.session.flush()
    return unit


def ensure_unit_path(names: list[str]) -> OrgUnit:
    """Return the unit at the end of a path of names from the root, creating missing units."""
    if not names or any(not name.strip() for name in names):
        raise ValueError("a unit path needs at least one non-empty name")
    if len(names) > len(KINDS_BY_DEPTH) + 4:
        raise ValueError("a unit path is too deep")
    unit: OrgUnit | None = None
    for depth, name in enumerate(names):
        clean = name.strip()
        parent = unit
        parent_clause = OrgUnit.parent_id.is_(None) if parent is None else OrgUnit.parent_id == parent.id
        unit = db.session.scalar(select(OrgUnit).where(parent_clause, OrgUnit.name == clean))
        if unit is None:
            kind = KINDS_BY_DEPTH[min(depth, len(KINDS_BY_DEPTH) - 1)]
            unit = create_unit(clean, kind, parent)
    if unit is None:  # unreachable: names is non-empty
        raise ValueError("a unit path needs at least one name")
    return unit


def unit_path_names(unit: OrgUnit) -> list[str]:
    """Return the names from the root down to `unit`."""
    ids = [int(part) for part in unit.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR) if part]
    names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all())
    return [names[unit_id] for unit_id in ids]


def unit_tree() -> list[tuple[OrgUnit, int]]:
    """Return every unit with its depth, parents before children and siblings by name, in one query."""
    units = list(db.session.scalars(select(OrgUnit)))
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[OrgUnit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent_id, []), key=lambda u: u.name.casefold()):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered

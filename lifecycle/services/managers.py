"""Changing a manager's details, each change recorded (who, when, old → new)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import OrgUnit
from lifecycle.models import User

logger = logging.getLogger(__name__)

#: the details HR may change, in the order forms and the API list them
EDITABLE_FIELDS = (
    "name",
    "employee_number",
    "email",
    "title",
    "org_unit_id",
    "line_manager_id",
    "hr_partner_id",
    "mentor_id",
    "start_date",
    "end_date",
)


class ManagerDetailsError(ValueError):
    """The new details break a rule; `field` names the detail, the message is meant for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ChangeSet:
    """The details to set; fields left out (not in `values`) stay as they are."""

    values: dict[str, Any]

    def __post_init__(self) -> None:
        unknown = set(self.values) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _check(manager: Manager, values: dict[str, Any]) -> None:
    from flask_babel import lazy_gettext as _l

    if "name" in values and not (values["name"] or "").strip():
        raise ManagerDetailsError("name", _l("Enter a name."))
    line_manager_id = values.get("line_manager_id", manager.line_manager_id)
    if line_manager_id is not None and "line_manager_id" in values:
        if line_manager_id == manager.id:
            raise ManagerDetailsError("line_manager_id", _l("A manager cannot be their own line manager."))
        # Walk up from the new line manager: meeting this manager would make a loop.
        seen: set[int] = set()
        current: int | None = line_manager_id
        while current is not None and current not in seen:
            if current == manager.id:
                raise ManagerDetailsError(
                    "line_manager_id", _l("That line manager reports to this manager; it would make a loop.")
                )
            seen.add(current)
            current = db.session.scalar(select(Manager.line_manager_id).where(Manager.id == current))
        if db.session.get(Manager, line_manager_id) is None:
            raise ManagerDetailsError("line_manager_id", _l("The line manager does not exist."))
    mentor_id = values.get("mentor_id")
    if mentor_id is not None:
        if mentor_id == manager.id:
            raise ManagerDetailsError("mentor_id", _l("A manager cannot mentor themselves."))
        if db.session.get(Manager, mentor_id) is None:
            raise ManagerDetailsError("mentor_id", _l("The mentor does not exist."))
    if values.get("org_unit_id") is not None and db.session.get(OrgUnit, values["org_unit_id"]) is None:
        raise ManagerDetailsError("org_unit_id", _l("The unit does not exist."))
    if values.get("hr_partner_id") is not None:
        partner = db.session.get(User, values["hr_partner_id"])
        if partner is None or not partner.has_role(Role.HR):
            raise ManagerDetailsError("hr_partner_id", _l("The HR partner must be a user with the HR role."))
    number = values.get("employee_number")
    if number and number != manager.employee_number:
        taken = db.session.scalar(
            select(Manager.id).where(Manager.employee_number == number, Manager.id != manager.id)
        )
        if taken is not None:
            raise ManagerDetailsError("employee_number", _l("Another person has this employee number."))
    start = values.get("start_date", manager.start_date)
    end = values.get("end_date", manager.end_date)
    if start is not None and end is not None and end < start:
        raise ManagerDetailsError("end_date", _l("The end date cannot be before the start date."))


def update_manager(
    manager: Manager, changes: ChangeSet, actor: User | None, source: str = "form"
) -> list[ManagerChange]:
    """Apply the changed details and record each one; details that did not change leave no trace."""
    values: dict[str, Any] = {}
    for name, value in changes.values.items():
        if isinstance(value, str):
            # Blank optional text means "not set"; a name is always kept, trimmed.
            value = value.strip() if name == "name" else (value.strip() or None)
        values[name] = value
    _check(manager, values)
    recorded: list[ManagerChange] = []
    for name, value in values.items():
        old = getattr(manager, name)
        if old == value:
            continue
        setattr(manager, name, value)
        change = ManagerChange(
            manager_id=manager.id,
            actor=actor,
            field=name,
            old_value=_as_text(old),
            new_value=_as_text(value),
            source=source,
        )
        db.session.add(change)
        recorded.append(change)
    if recorded:
        db.session.flush()
        logger.info("manager %s: %s changed", manager.id, ", ".join(c.field for c in recorded))
    if manager.start_date is not None and any(c.field == "start_date" for c in recorded):
        # The introduction programme follows the start date: its open milestones move with it.
        from lifecycle.services.introductions import reschedule_introductions

        reschedule_introductions(manager, manager.start_date)
    if any(c.field in ("line_manager_id", "hr_partner_id", "start_date") for c in recorded):
        # Escalations go to the new line manager and HR partner; moved milestones get new reminders.
        from lifecycle.services.reminders import sync_reminders_for_manager

        sync_reminders_for_manager(manager)
    return recorded

"""Stale obstacles: an open obstacle untouched for `OBSTACLE_STALE_DAYS` is reminded to its owner (or,
with no owner yet, to the reporter's HR partner, else to HR), and escalated to HR after HR's rule.

The due date is the day it goes stale: its latest change plus `OBSTACLE_STALE_DAYS`. Any change (a
status, an owner, a comment) is a new latest change, so a new due date and a new set of reminders; the
old ones are superseded. "HR" is the reporter's HR partner, or every HR user when they have none.
Reminders never go to the reporter: the obstacle is the employer's to move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lifecycle.enums import ObstacleStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.models import UserRole
from lifecycle.models.obstacles import Obstacle
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.sources import ItemFacts
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import Occasion
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources import Wording
from lifecycle.services.reminders.sources import is_reachable
from lifecycle.timeutil import STOCKHOLM

DEFAULT_STALE_DAYS = 30

# Built once: a new alias on every call would cost SQLAlchemy a fresh adaptation (and its statement cache).
_OWNER = aliased(User, name="obstacle_owner")
_OWNER_OWN = aliased(Manager, name="obstacle_owner_manager")
_HR_OWN = aliased(Manager, name="obstacle_hr_manager")

#: %(title)s is the obstacle's title, %(name)s its unit, %(date)s the day it went stale
STALE = Wording(
    before=_l("The obstacle %(title)s (%(name)s) will have had no change for a long time on %(date)s."),
    due=_l(
        "The obstacle %(title)s (%(name)s) has had no change for a long time (stale since %(date)s). "
        "Move it on, or write where it stands."
    ),
    overdue=_l(
        "The obstacle %(title)s (%(name)s) has been stale since %(date)s and nobody has moved it on: "
        "give it an owner, or move it on."
    ),
    subject_before=_l("Obstacle soon stale: %(title)s"),
    subject_due=_l("Stale obstacle: %(title)s"),
    subject_overdue=_l("Stale obstacle, escalated: %(title)s"),
)


def stale_days() -> int:
    """Return how many days an open obstacle may stay untouched (`OBSTACLE_STALE_DAYS`)."""
    return max(1, int(current_app.config.get("OBSTACLE_STALE_DAYS", DEFAULT_STALE_DAYS)))


def stale_on(last_activity_day: date) -> date:
    """The day an obstacle last changed on `last_activity_day` goes stale."""
    return last_activity_day + timedelta(days=stale_days())


@dataclass
class LoadedObstacle:
    row: Any
    #: every HR user who may be e-mailed: "HR" when the reporter has no HR partner who may be
    everyone_in_hr: list[int]

    @property
    def due_on(self) -> date:
        return stale_on(self.row.last_activity_at.astimezone(STOCKHOLM).date())


def _hr_users(facts: ItemFacts) -> list[int]:
    """Every HR user who may receive e-mail (one query per batch)."""
    ids = []
    for user_id, enabled, stage in db.session.execute(
        select(User.id, User.is_enabled, _HR_OWN.stage)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(_HR_OWN, _HR_OWN.user_id == User.id)
        .where(UserRole.role == Role.HR)
        .order_by(User.id)
    ):
        if is_reachable(user_id, enabled, stage):
            facts.reachable.add(user_id)
            ids.append(user_id)
    return ids


class ObstacleSource(ReminderSource[LoadedObstacle]):
    def load(self, ids: Sequence[int], facts: ItemFacts) -> set[int]:
        items = self.items(facts)
        rows = list(
            db.session.execute(
                select(
                    Obstacle.id,
                    Obstacle.title,
                    Obstacle.status,
                    Obstacle.last_activity_at,
                    Obstacle.owner_user_id,
                    Obstacle.reporter_id,
                    Manager.hr_partner_id,
                    OrgUnit.name.label("unit_name"),
                    _OWNER.is_enabled.label("owner_enabled"),
                    _OWNER_OWN.stage.label("owner_stage"),
                )
                .join(OrgUnit, OrgUnit.id == Obstacle.unit_id)
                .outerjoin(Manager, Manager.id == Obstacle.reporter_id)
                .outerjoin(_OWNER, _OWNER.id == Obstacle.owner_user_id)
                .outerjoin(_OWNER_OWN, _OWNER_OWN.user_id == Obstacle.owner_user_id)
                .where(Obstacle.id.in_(ids))
            )
        )
        everyone_in_hr = _hr_users(facts) if rows else []
        for row in rows:
            if is_reachable(row.owner_user_id, row.owner_enabled, row.owner_stage):
                facts.reachable.add(row.owner_user_id)
            items[row.id] = LoadedObstacle(row, everyone_in_hr)
        # The reporters' HR partners are loaded, and checked for e-mail, with the people.
        return {row.reporter_id for row in rows if row.reporter_id is not None}

    def occasion(self, item: LoadedObstacle, facts: ItemFacts) -> Occasion | None:
        row = item.row
        if row.status not in ObstacleStatus.open():
            return None
        # The reporter's HR partner; with none who may be e-mailed (none, left, disabled), all of HR.
        partner = row.hr_partner_id
        hr = [partner] if partner is not None and partner in facts.reachable else item.everyone_in_hr
        first = [row.owner_user_id] if row.owner_user_id is not None else hr
        return Occasion(item.due_on, ReminderKind.OBSTACLE, first=first, escalate=hr)

    def summary(self, row: Any, item: LoadedObstacle, facts: ItemFacts) -> ItemSummary:
        values = {"obstacle_id": item.row.id}
        return ItemSummary(
            row.id,
            row.occurrence,
            item.row.title,
            item.row.unit_name,
            item.due_on,
            "obstacles.detail",
            values,
            page=("obstacles.detail", values),
            wording=STALE,
        )

    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        return list(
            db.session.scalars(
                select(Obstacle.id).where(Obstacle.reporter_id.in_(manager_ids), *self.open_conditions)
            )
        )


OBSTACLES = ObstacleSource(
    prefix="obstacle",
    model=Obstacle,
    id_column=Obstacle.id,
    column=Reminder.obstacle_id,
    open_conditions=(Obstacle.status.in_(ObstacleStatus.open()),),
)

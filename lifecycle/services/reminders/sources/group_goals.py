"""A management group's goals from a workshop: reminded to the goal's owner before and on the follow-up
date, escalated to the owner's line manager and HR partner after HR's rule while it is not done.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.extensions import db
from lifecycle.models import OrgUnit
from lifecycle.models import Reminder
from lifecycle.models.workshops import GroupGoal
from lifecycle.models.workshops import Workshop
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.sources import ItemFacts
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import Occasion
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources import Wording
from lifecycle.services.reminders.sources import is_live

#: %(title)s is the goal's text, %(name)s the workshop's unit, %(date)s its follow-up date
FOLLOW_UP = Wording(
    before=_l("The group goal %(title)s (%(name)s) is to be followed up on %(date)s."),
    due=_l("The group goal %(title)s (%(name)s) is to be followed up today, %(date)s."),
    overdue=_l(
        "The group goal %(title)s (%(name)s) was to be followed up on %(date)s and is not marked done."
    ),
    subject_before=_l("Group goal to follow up: %(title)s"),
    subject_due=_l("Follow up the group goal today: %(title)s"),
    subject_overdue=_l("Group goal not followed up: %(title)s"),
)


class GroupGoalSource(ReminderSource[Any]):
    def load(self, ids: Sequence[int], facts: ItemFacts) -> set[int]:
        items = self.items(facts)
        for row in db.session.execute(
            select(
                GroupGoal.id,
                GroupGoal.text,
                GroupGoal.owner_id,
                GroupGoal.follow_up_on,
                GroupGoal.done_at,
                GroupGoal.workshop_id,
                OrgUnit.name.label("unit_name"),
            )
            .join(Workshop, Workshop.id == GroupGoal.workshop_id)
            .join(OrgUnit, OrgUnit.id == Workshop.unit_id)
            .where(GroupGoal.id.in_(ids))
        ):
            items[row.id] = row
        return {row.owner_id for row in items.values() if row.owner_id is not None}

    def occasion(self, item: Any, facts: ItemFacts) -> Occasion | None:
        owner = facts.people.get(item.owner_id) if item.owner_id is not None else None
        if item.done_at is not None or owner is None or not is_live(owner):
            return None
        return Occasion(
            item.follow_up_on,
            ReminderKind.GROUP_GOAL,
            first=[owner.user_id],
            escalate=[owner.line_manager_user_id, owner.hr_partner_id],
        )

    def summary(self, row: Any, item: Any, facts: ItemFacts) -> ItemSummary:
        values = {"workshop_id": item.workshop_id}
        return ItemSummary(
            row.id,
            row.occurrence,
            item.text if len(item.text) <= 80 else f"{item.text[:79]}…",
            item.unit_name,
            item.follow_up_on,
            "workshops.detail",
            values,
            page=("workshops.detail", values),
            wording=FOLLOW_UP,
        )

    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        return list(
            db.session.scalars(
                select(GroupGoal.id).where(GroupGoal.owner_id.in_(manager_ids), *self.open_conditions)
            )
        )


GROUP_GOALS = GroupGoalSource(
    prefix="group_goal",
    model=GroupGoal,
    id_column=GroupGoal.id,
    column=Reminder.group_goal_id,
    open_conditions=(GroupGoal.done_at.is_(None),),
)

"""Activities with a planned date, introduction milestones among them: reminders to the responsible
person (else the participants), escalated to each participant's line manager and HR partner.

A recruitment interview's activity has none: its interview reminds the interviewers (`interviews.py`),
and a candidate's line manager is not told of an application.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.models.interviews import Interview
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.sources import ItemFacts
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import Occasion
from lifecycle.services.reminders.sources import Person
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources import is_live
from lifecycle.services.reminders.sources import is_reachable

# Built once: a new alias on every call would cost SQLAlchemy a fresh adaptation (and its statement cache).
_RESPONSIBLE = aliased(User, name="responsible_user")
_RESPONSIBLE_OWN = aliased(Manager, name="responsible_manager")
_IS_INTERVIEW = select(Interview.id).where(Interview.activity_id == Activity.id).exists()


@dataclass
class LoadedActivity:
    row: Any
    #: the participants' manager ids
    participants: list[int] = field(default_factory=list)


class ActivitySource(ReminderSource[LoadedActivity]):
    def load(self, ids: Sequence[int], facts: ItemFacts) -> set[int]:
        items = self.items(facts)
        for row in db.session.execute(
            select(
                Activity.id,
                Activity.kind,
                Activity.stage,
                Activity.due_on,
                Activity.completed_on,
                Activity.cancelled_at,
                Activity.responsible_id,
                Activity.title,
                activity_participants.c.manager_id,
                _RESPONSIBLE.is_enabled.label("responsible_enabled"),
                _RESPONSIBLE_OWN.stage.label("responsible_stage"),
                _IS_INTERVIEW.label("is_interview"),
            )
            .outerjoin(activity_participants, activity_participants.c.activity_id == Activity.id)
            .outerjoin(_RESPONSIBLE, _RESPONSIBLE.id == Activity.responsible_id)
            .outerjoin(_RESPONSIBLE_OWN, _RESPONSIBLE_OWN.user_id == Activity.responsible_id)
            .where(Activity.id.in_(ids))
        ):
            # One row per participant: the activity's own columns are the same on each.
            item = items.setdefault(row.id, LoadedActivity(row))
            if row.manager_id is not None:
                item.participants.append(row.manager_id)
            if is_reachable(row.responsible_id, row.responsible_enabled, row.responsible_stage):
                facts.reachable.add(row.responsible_id)
        return {m for item in items.values() for m in item.participants}

    def occasion(self, item: LoadedActivity, facts: ItemFacts) -> Occasion | None:
        row = item.row
        if row.due_on is None or row.completed_on is not None or row.cancelled_at is not None:
            return None
        if row.is_interview:
            return None
        subjects = [
            facts.people[m]
            for m in item.participants
            if m in facts.people and is_live(facts.people[m], row.stage)
        ]
        if not subjects:
            return None
        kind = (
            ReminderKind.INTRODUCTION
            if row.kind is ActivityKind.INTRODUCTION_MILESTONE
            else ReminderKind.ACTIVITY
        )
        # -- offboarding ----
        if row.stage is Stage.OFFBOARD:
            kind = ReminderKind.OFFBOARDING
        return Occasion(
            row.due_on,
            kind,
            first=[row.responsible_id] if row.responsible_id else [p.user_id for p in subjects],
            escalate=[u for p in subjects for u in (p.line_manager_user_id, p.hr_partner_id)],
        )

    def summary(self, row: Any, item: LoadedActivity, facts: ItemFacts) -> ItemSummary:
        people = sorted(
            (facts.people[m] for m in item.participants if m in facts.people), key=lambda p: (p.name, p.id)
        )
        # A participant reads about their own activity on their own plan; anyone else on the plan of the
        # first participant (by name).
        mine = [p for p in people if p.user_id == row.recipient_id]
        person: Person | None = (mine or people)[0] if people else None
        own = bool(mine)
        manager_id = person.id if person else 0
        return ItemSummary(
            row.id,
            row.occurrence,
            item.row.title,
            person.name if person else "",
            item.row.due_on or row.due_at.date(),
            "plans.me" if own else "plans.show",
            {} if own else {"manager_id": manager_id},
            page=("plans.show", {"manager_id": manager_id}),
        )

    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        return list(
            db.session.scalars(
                select(Activity.id)
                .join(activity_participants, activity_participants.c.activity_id == Activity.id)
                .where(activity_participants.c.manager_id.in_(manager_ids), *self.open_conditions)
                .distinct()
            )
        )


ACTIVITIES = ActivitySource(
    prefix="activity",
    model=Activity,
    id_column=Activity.id,
    column=Reminder.activity_id,
    open_conditions=(
        Activity.due_on.is_not(None),
        Activity.completed_on.is_(None),
        Activity.cancelled_at.is_(None),
    ),
)

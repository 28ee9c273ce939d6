"""Planning a workshop: its group (a unit's managers), time, facilitator and pillars; HR's changes to the
group until it is held; cancelling it. The participants' activities follow every change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.enums import WorkshopStatus
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.models.workshops import TITLE_MAX_LENGTH
from lifecycle.models.workshops import Workshop
from lifecycle.models.workshops import WorkshopParticipant
from lifecycle.services.coverage import refresh_coverage
from lifecycle.services.workshops.errors import WorkshopError
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

#: the stages of a manager in post: the ones a unit's management team is made of
IN_POST = (Stage.INTRODUCE, Stage.DEVELOP)


@dataclass(frozen=True)
class WorkshopValues:
    """What HR decides when planning a workshop (or changing it before it is held)."""

    title: str
    held_at: datetime
    facilitator: User | None
    pillar_ids: Sequence[int]
    expectation_ids: Sequence[int] = ()


def unit_managers(unit: OrgUnit) -> list[Manager]:
    """The unit's management team: its own managers in post and those of the units directly below it
    (a förvaltning's ledningsgrupp is its chef and the heads of its avdelningar), by name."""
    below = select(OrgUnit.id).where(OrgUnit.parent_id == unit.id)
    return list(
        db.session.scalars(
            select(Manager)
            .where(
                or_(Manager.org_unit_id == unit.id, Manager.org_unit_id.in_(below)),
                Manager.stage.in_(IN_POST),
                Manager.anonymised_at.is_(None),
            )
            .order_by(Manager.name, Manager.id)
        )
    )


def _tags(
    pillar_ids: Sequence[int], expectation_ids: Sequence[int]
) -> tuple[list[Pillar], list[Expectation]]:
    """The current pillars named (at least one) and expectations of those pillars."""
    wanted = set(pillar_ids)
    pillars = list(db.session.scalars(select(Pillar).where(Pillar.id.in_(wanted)))) if wanted else []
    if not wanted:
        raise WorkshopError("pillars", _l("Choose at least one pillar to discuss."))
    if len(pillars) != len(wanted) or any(p.is_retired for p in pillars):
        raise WorkshopError("pillars", _l("Choose pillars of the current platform."))
    wanted_expectations = set(expectation_ids)
    expectations = (
        list(db.session.scalars(select(Expectation).where(Expectation.id.in_(wanted_expectations))))
        if wanted_expectations
        else []
    )
    if len(expectations) != len(wanted_expectations) or any(
        e.is_retired or e.pillar_id not in wanted for e in expectations
    ):
        raise WorkshopError("expectations", _l("Choose current expectations of the pillars discussed."))
    pillars.sort(key=lambda p: p.position)
    expectations.sort(key=lambda e: (e.pillar.position, e.position))
    return pillars, expectations


def _checked(values: WorkshopValues) -> tuple[str, list[Pillar], list[Expectation]]:
    title = (values.title or "").strip()
    if not title:
        raise WorkshopError("title", _l("Give the workshop a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise WorkshopError("title", _l("At most %(num)d characters.", num=TITLE_MAX_LENGTH))
    if values.held_at.tzinfo is None:
        raise WorkshopError("held_on", _l("Give the date and time of the workshop."))
    pillars, expectations = _tags(values.pillar_ids, values.expectation_ids)
    return title, pillars, expectations


def plan_workshop(unit: OrgUnit, values: WorkshopValues, actor: User | None) -> Workshop:
    """Plan a workshop for the unit's management team (its managers now); flush, never commit."""
    title, pillars, expectations = _checked(values)
    managers = unit_managers(unit)
    if not managers:
        raise WorkshopError("unit", _l("The unit has no managers in post to hold a workshop with."))
    workshop = Workshop(
        unit=unit,
        title=title,
        held_at=values.held_at,
        facilitator=values.facilitator,
        status=WorkshopStatus.PLANNED,
        created_by_id=actor.id if actor else None,
        pillars=pillars,
        expectations=expectations,
        participants=[WorkshopParticipant(manager=m) for m in managers],
    )
    db.session.add(workshop)
    db.session.flush()
    sync_workshop_activities(workshop, actor)
    logger.info("workshop %s planned for unit %s with %d managers", workshop.id, unit.id, len(managers))
    return workshop


def _refuse_unless_planned(workshop: Workshop) -> None:
    if not workshop.is_planned:
        raise WorkshopError("status", _l("Only a planned workshop can be changed."))


def change_workshop(workshop: Workshop, values: WorkshopValues, actor: User | None) -> None:
    """Change a planned workshop's title, time, facilitator and pillars."""
    _refuse_unless_planned(workshop)
    title, pillars, expectations = _checked(values)
    workshop.title = title
    workshop.held_at = values.held_at
    workshop.facilitator = values.facilitator
    workshop.pillars = pillars
    workshop.expectations = expectations
    db.session.flush()
    sync_workshop_activities(workshop, actor)


def add_participant(workshop: Workshop, manager: Manager, actor: User | None) -> None:
    """Add a manager to a planned workshop's group (one already in it changes nothing)."""
    _refuse_unless_planned(workshop)
    if manager.stage not in IN_POST or manager.anonymised_at is not None:
        raise WorkshopError("manager", _l("Only a manager in post can take part."))
    if any(p.manager_id == manager.id for p in workshop.participants):
        return
    workshop.participants.append(WorkshopParticipant(manager=manager))
    db.session.flush()
    sync_workshop_activities(workshop, actor)


def remove_participant(workshop: Workshop, manager_id: int, actor: User | None) -> None:
    """Take a manager out of a planned workshop's group; the last one stays."""
    _refuse_unless_planned(workshop)
    remaining = [p for p in workshop.participants if p.manager_id != manager_id]
    if len(remaining) == len(workshop.participants):
        return
    if not remaining:
        raise WorkshopError("manager", _l("A workshop needs at least one participant."))
    workshop.participants = remaining
    db.session.flush()
    sync_workshop_activities(workshop, actor)


def cancel_workshop(workshop: Workshop, actor: User | None) -> None:
    """Cancel a planned workshop; its participants' activities are cancelled with it."""
    _refuse_unless_planned(workshop)
    workshop.status = WorkshopStatus.CANCELLED
    db.session.flush()
    sync_workshop_activities(workshop, actor)
    logger.info("workshop %s cancelled", workshop.id)


def held_on(workshop: Workshop) -> datetime:
    """The workshop's time in Stockholm."""
    return workshop.held_at.astimezone(STOCKHOLM)


def sync_workshop_activities(workshop: Workshop, actor: User | None) -> list[Activity]:
    """Give every participant their activity for the workshop, in line with it; cancel a removed one's.

    Each participant has an activity of their own (kind workshop, the pillars discussed), so it stands
    on their plan and counts for their coverage; it is done once the workshop is held.
    """
    from lifecycle.services.reminders import sync_reminders

    existing = {
        activity.participants[0].id: activity
        for activity in db.session.scalars(
            select(Activity)
            .where(Activity.workshop_id == workshop.id)
            .options(selectinload(Activity.participants))
        )
        if activity.participants
    }
    day = held_on(workshop).date()
    completed = min(day, local_today()) if workshop.status is WorkshopStatus.HELD else None
    members = {p.manager_id: p for p in workshop.participants}
    now = utcnow()
    touched: list[Activity] = []
    for manager_id, participant in members.items():
        activity = existing.pop(manager_id, None)
        if activity is None:
            activity = Activity(
                kind=ActivityKind.WORKSHOP,
                stage=None,
                participants=[participant.manager],
                created_by_id=actor.id if actor else None,
                workshop_id=workshop.id,
            )
            db.session.add(activity)
        activity.title = workshop.title
        activity.due_on = day
        activity.completed_on = completed
        activity.cancelled_at = now if workshop.status is WorkshopStatus.CANCELLED else None
        activity.pillars = list(workshop.pillars)
        activity.expectations = list(workshop.expectations)
        touched.append(activity)
    for activity in existing.values():  # no longer in the group: it will not happen for them
        if activity.cancelled_at is None:
            activity.cancelled_at = now
        touched.append(activity)
    db.session.flush()
    refresh_coverage(a.participants[0].id for a in touched)
    sync_reminders(activities=touched)
    return touched

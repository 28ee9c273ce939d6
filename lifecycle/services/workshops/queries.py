"""The workshops' lists and pages, each in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from lifecycle.enums import WorkshopStatus
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models.workshops import GroupGoal
from lifecycle.models.workshops import Workshop
from lifecycle.models.workshops import WorkshopParticipant

PAGE_SIZE = 50


def workshops_after(
    visible: ColumnElement[bool], after_id: int | None = None, limit: int = PAGE_SIZE
) -> list[Workshop]:
    """The visible workshops by id (keyset pages), with their unit, facilitator and pillars."""
    query = (
        select(Workshop)
        .where(visible)
        .options(
            joinedload(Workshop.unit),
            joinedload(Workshop.facilitator),
            selectinload(Workshop.pillars),
            selectinload(Workshop.participants),
        )
        .order_by(Workshop.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(Workshop.id > after_id)
    return list(db.session.scalars(query))


def newest_workshops(visible: ColumnElement[bool], limit: int = PAGE_SIZE) -> list[Workshop]:
    """The visible workshops, latest time first."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(visible)
            .options(
                joinedload(Workshop.unit), joinedload(Workshop.facilitator), selectinload(Workshop.pillars)
            )
            .order_by(Workshop.held_at.desc(), Workshop.id.desc())
            .limit(limit)
        )
    )


def workshop_in_full(workshop: Workshop) -> Workshop:
    """Load what the workshop's page shows: participants, pillars, outcomes and goals with owners."""
    db.session.scalar(
        select(Workshop)
        .where(Workshop.id == workshop.id)
        .options(
            selectinload(Workshop.participants).joinedload(WorkshopParticipant.manager),
            selectinload(Workshop.pillars),
            selectinload(Workshop.expectations),
            selectinload(Workshop.outcomes),
            selectinload(Workshop.goals).joinedload(GroupGoal.owner),
            selectinload(Workshop.goals).selectinload(GroupGoal.expectations),
            joinedload(Workshop.facilitator),
            joinedload(Workshop.unit),
        )
    )
    return workshop


def participant_managers(workshop: Workshop) -> list[Manager]:
    """The workshop's participants, by name."""
    return sorted((p.manager for p in workshop.participants), key=lambda m: (m.name, m.id))


def group_goals_of(manager: Manager) -> list[GroupGoal]:
    """The goals of the held workshops the manager took part in: open first, by follow-up date."""
    return list(
        db.session.scalars(
            select(GroupGoal)
            .join(Workshop, Workshop.id == GroupGoal.workshop_id)
            .join(WorkshopParticipant, WorkshopParticipant.workshop_id == Workshop.id)
            .where(WorkshopParticipant.manager_id == manager.id, Workshop.status == WorkshopStatus.HELD)
            .options(
                joinedload(GroupGoal.owner),
                joinedload(GroupGoal.workshop).joinedload(Workshop.unit),
                joinedload(GroupGoal.pillar),
                selectinload(GroupGoal.expectations),
            )
            .order_by(GroupGoal.done_at.is_not(None), GroupGoal.follow_up_on, GroupGoal.id)
            .limit(100)
        )
    )


def goal_of(workshop: Workshop, goal_id: int) -> GroupGoal | None:
    return db.session.scalar(
        select(GroupGoal).where(GroupGoal.id == goal_id, GroupGoal.workshop_id == workshop.id)
    )

"""Recording a workshop's outcome per pillar: notes, development areas that become group goals, and
obstacles reported into the obstacle log, linked to the workshop.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import WorkshopStatus
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Obstacle
from lifecycle.models import User
from lifecycle.models.workshops import TEXT_MAX_LENGTH
from lifecycle.models.workshops import GroupGoal
from lifecycle.models.workshops import Workshop
from lifecycle.models.workshops import WorkshopOutcome
from lifecycle.services.obstacles import ObstacleError
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.workshops.errors import WorkshopError
from lifecycle.services.workshops.goals import sync_goal_reminders
from lifecycle.services.workshops.planning import held_on
from lifecycle.services.workshops.planning import sync_workshop_activities

logger = logging.getLogger(__name__)

#: the most development areas and obstacles one pillar's outcome may bring at once
MAX_ITEMS = 20


@dataclass(frozen=True)
class GoalDraft:
    """A development area the group chose: the goal's text, its owner (a participant) and follow-up."""

    text: str
    owner_id: int
    #: None is refused, naming the field
    follow_up_on: date | None
    expectation_ids: Sequence[int] = ()


@dataclass(frozen=True)
class ObstacleDraft:
    """An obstacle the group found, for the obstacle log."""

    title: str
    severity: ObstacleSeverity
    shared: bool
    description: str = ""


@dataclass(frozen=True)
class PillarOutcome:
    """What the group said about one pillar it discussed."""

    pillar_id: int
    notes: str = ""
    goals: Sequence[GoalDraft] = ()
    obstacles: Sequence[ObstacleDraft] = ()


@dataclass
class RecordedOutcome:
    """What recording an outcome made."""

    goals: list[GroupGoal] = field(default_factory=list)
    obstacles: list[Obstacle] = field(default_factory=list)


def _text(where: str, value: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise WorkshopError(where, _l("This field is required."))
    if len(text) > TEXT_MAX_LENGTH:
        raise WorkshopError(where, _l("At most %(num)d characters.", num=TEXT_MAX_LENGTH))
    return text


def _goal(workshop: Workshop, pillar_id: int, draft: GoalDraft, where: str, day: date) -> GroupGoal:
    text = _text(f"{where}-text", draft.text, required=True)
    owners = {p.manager_id: p.manager for p in workshop.participants}
    if draft.owner_id not in owners:
        raise WorkshopError(f"{where}-owner", _l("Choose the owner among the participants."))
    if draft.follow_up_on is None or draft.follow_up_on <= day:
        raise WorkshopError(f"{where}-follow_up_on", _l("Choose a follow-up date after the workshop."))
    wanted = set(draft.expectation_ids)
    expectations = (
        list(db.session.scalars(select(Expectation).where(Expectation.id.in_(wanted)))) if wanted else []
    )
    if len(expectations) != len(wanted) or any(
        e.is_retired or e.pillar_id != pillar_id for e in expectations
    ):
        raise WorkshopError(f"{where}-expectations", _l("Choose current expectations of the pillar."))
    pillar = next(p for p in workshop.pillars if p.id == pillar_id)
    return GroupGoal(
        workshop_id=workshop.id,
        pillar_id=pillar_id,
        text=text,
        owner=owners[draft.owner_id],
        follow_up_on=draft.follow_up_on,
        pillars=[pillar],
        expectations=sorted(expectations, key=lambda e: e.position),
    )


def record_outcome(
    workshop: Workshop, outcomes: Sequence[PillarOutcome], actor: User | None, today: date
) -> RecordedOutcome:
    """Record the outcome of a held workshop for some of its pillars; flush, never commit.

    A pillar's notes replace those recorded before; its development areas are added as group goals
    (each reminded to its owner before the follow-up), its obstacles reported into the obstacle log in
    the workshop's unit, with no reporter (the group found them). The workshop is held from then on, and
    its participants' activities done. A wrong part is refused (`WorkshopError` naming the field,
    "<pillar key>-goals-0-text" and the like); the caller rolls the whole outcome back.
    """
    if workshop.status is WorkshopStatus.CANCELLED:
        raise WorkshopError("status", _l("A cancelled workshop has no outcome."))
    day = held_on(workshop).date()
    if day > today:
        raise WorkshopError("status", _l("The outcome is recorded once the workshop has been held."))
    if not outcomes:
        raise WorkshopError("pillars", _l("Record the outcome of at least one pillar."))
    discussed = {p.id: p for p in workshop.pillars}
    notes = {o.pillar_id: o for o in workshop.outcomes}
    recorded = RecordedOutcome()
    seen: set[int] = set()
    for outcome in outcomes:
        pillar = discussed.get(outcome.pillar_id)
        if pillar is None or outcome.pillar_id in seen:
            raise WorkshopError(
                "pillars", _l("Record the outcome of the pillars the workshop discussed, once each.")
            )
        seen.add(pillar.id)
        prefix = pillar.key
        text = _text(f"{prefix}-notes", outcome.notes, required=False)
        if len(outcome.goals) > MAX_ITEMS or len(outcome.obstacles) > MAX_ITEMS:
            raise WorkshopError(f"{prefix}-goals", _l("At most %(num)d at a time.", num=MAX_ITEMS))
        goals = [
            _goal(workshop, pillar.id, draft, f"{prefix}-goals-{number}", day)
            for number, draft in enumerate(outcome.goals)
        ]
        for number, draft in enumerate(outcome.obstacles):
            try:
                obstacle = report_obstacle(
                    reporter=None,
                    unit=workshop.unit,
                    title=draft.title,
                    description=draft.description,
                    severity=draft.severity,
                    shared=draft.shared,
                    pillar_ids=[pillar.id],
                    expectation_ids=[],
                    actor=actor,
                )
            except ObstacleError as refused:
                raise WorkshopError(f"{prefix}-obstacles-{number}-{refused.field}", str(refused)) from refused
            obstacle.workshop_id = workshop.id
            recorded.obstacles.append(obstacle)
        existing = notes.get(pillar.id)
        if existing is None:
            workshop.outcomes.append(WorkshopOutcome(pillar_id=pillar.id, notes=text))
        elif text or not existing.notes:
            existing.notes = text
        recorded.goals.extend(goals)
    db.session.add_all(recorded.goals)
    workshop.status = WorkshopStatus.HELD
    db.session.flush()
    sync_workshop_activities(workshop, actor)
    sync_goal_reminders(recorded.goals)
    logger.info(
        "workshop %s: outcome of %d pillars, %d goals, %d obstacles",
        workshop.id,
        len(outcomes),
        len(recorded.goals),
        len(recorded.obstacles),
    )
    return recorded

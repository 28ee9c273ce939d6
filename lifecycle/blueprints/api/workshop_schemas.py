"""The API's management-group workshops, declared once: planning one, recording its outcome, a workshop
with its outcome, and its group goals."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Annotated

from pydantic import Field

from lifecycle.blueprints.api.contract import DATE
from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Moment
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import nullable
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.interview_schemas import MOMENT
from lifecycle.blueprints.api.obstacle_schemas import BOOLEAN
from lifecycle.blueprints.api.obstacle_schemas import OBSTACLE_SEVERITY
from lifecycle.blueprints.api.plan_schemas import MAX_EXPECTATIONS
from lifecycle.blueprints.api.plan_schemas import MAX_PILLARS
from lifecycle.blueprints.api.plan_schemas import GroupGoal
from lifecycle.blueprints.api.plan_schemas import Key
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import WorkshopStatus
from lifecycle.models.obstacles import TITLE_MAX_LENGTH as OBSTACLE_TITLE_MAX_LENGTH
from lifecycle.models.workshops import TEXT_MAX_LENGTH
from lifecycle.models.workshops import TITLE_MAX_LENGTH
from lifecycle.models.workshops import Workshop as WorkshopModel
from lifecycle.services.workshops.outcome import MAX_ITEMS


class WorkshopCreate(Body):
    """A workshop for a unit's management team: its managers in post now are the group. It discusses
    at least one pillar of the loaded platform; the expectations named belong to those pillars."""

    unit_id: Annotated[int, IDENTIFIER]
    title: Annotated[str, text(TITLE_MAX_LENGTH, required=True)]
    held_at: Annotated[datetime, MOMENT]
    facilitator_user_id: Annotated[int | None, nullable(IDENTIFIER)] = None
    pillars: Annotated[list[Key], Field(min_length=1, max_length=MAX_PILLARS, description="By key.")]
    expectations: Annotated[list[Key], Field(max_length=MAX_EXPECTATIONS, description="By key.")] = Field(
        default_factory=list
    )


class OutcomeGoal(Body):
    """A development area: a group goal on every participant's plan, followed up by its owner."""

    text: Annotated[str, text(TEXT_MAX_LENGTH, required=True)]
    owner_id: Annotated[int, IDENTIFIER]
    follow_up_on: Annotated[date, DATE]
    expectations: Annotated[list[Key], Field(max_length=MAX_EXPECTATIONS)] = Field(default_factory=list)


class OutcomeObstacle(Body):
    """An obstacle the group found: reported into the obstacle log in the workshop's unit."""

    title: Annotated[str, text(OBSTACLE_TITLE_MAX_LENGTH, required=True)]
    severity: Annotated[ObstacleSeverity, OBSTACLE_SEVERITY]
    shared: Annotated[bool, BOOLEAN] = False


class PillarOutcomeBody(Body):
    """The outcome of one pillar the workshop discussed; `notes` replace the ones recorded before."""

    pillar: Key
    notes: Annotated[str | None, nullable(text(TEXT_MAX_LENGTH))] = None
    goals: Annotated[list[OutcomeGoal], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)
    obstacles: Annotated[list[OutcomeObstacle], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)


class OutcomeCreate(Body):
    """The outcome of a held workshop, per pillar. Refused as a whole when one part is wrong."""

    pillars: Annotated[list[PillarOutcomeBody], Field(min_length=1, max_length=MAX_PILLARS)]


class Workshop(Out):
    """A workshop: its unit, time, facilitator, pillars discussed and the participants' manager ids."""

    id: Id
    title: str
    unit_id: Id
    held_at: Moment
    facilitator_user_id: int | None
    status: WorkshopStatus
    pillars: list[str]
    expectations: list[str]
    participant_ids: list[int]

    @classmethod
    def of(cls, workshop: WorkshopModel) -> Workshop:
        return cls(
            id=workshop.id,
            title=workshop.title,
            unit_id=workshop.unit_id,
            held_at=workshop.held_at,
            facilitator_user_id=workshop.facilitator_user_id,
            status=workshop.status,
            pillars=[p.key for p in workshop.pillars],
            expectations=[e.key for e in workshop.expectations],
            participant_ids=sorted(p.manager_id for p in workshop.participants),
        )


class PillarNotes(Out):
    """The notes recorded for one pillar."""

    pillar: str
    notes: str


class WorkshopDetail(Workshop):
    """A workshop with its outcome: notes per pillar, group goals and the obstacles it reported."""

    outcomes: list[PillarNotes]
    goals: list[GroupGoal]
    obstacle_ids: list[int]

    @classmethod
    def detail(cls, workshop: WorkshopModel, obstacle_ids: list[int]) -> WorkshopDetail:
        keys = {p.id: p.key for p in workshop.pillars}
        return cls(
            **Workshop.of(workshop).model_dump(),
            outcomes=[
                PillarNotes(pillar=keys.get(o.pillar_id, ""), notes=o.notes)
                for o in sorted(workshop.outcomes, key=lambda o: o.pillar_id)
            ],
            goals=[GroupGoal.of(goal) for goal in workshop.goals],
            obstacle_ids=obstacle_ids,
        )

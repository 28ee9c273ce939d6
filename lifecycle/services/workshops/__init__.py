"""Management-group workshops: the discussion guide, planning, the outcome per pillar, group goals."""

from lifecycle.services.workshops.errors import WorkshopError
from lifecycle.services.workshops.goals import set_goal_done
from lifecycle.services.workshops.outcome import GoalDraft
from lifecycle.services.workshops.outcome import ObstacleDraft
from lifecycle.services.workshops.outcome import PillarOutcome
from lifecycle.services.workshops.outcome import RecordedOutcome
from lifecycle.services.workshops.outcome import record_outcome
from lifecycle.services.workshops.planning import WorkshopValues
from lifecycle.services.workshops.planning import add_participant
from lifecycle.services.workshops.planning import cancel_workshop
from lifecycle.services.workshops.planning import change_workshop
from lifecycle.services.workshops.planning import plan_workshop
from lifecycle.services.workshops.planning import remove_participant
from lifecycle.services.workshops.planning import unit_managers

__all__ = [
    "GoalDraft",
    "ObstacleDraft",
    "PillarOutcome",
    "RecordedOutcome",
    "WorkshopError",
    "WorkshopValues",
    "add_participant",
    "cancel_workshop",
    "change_workshop",
    "plan_workshop",
    "record_outcome",
    "remove_participant",
    "set_goal_done",
    "unit_managers",
]

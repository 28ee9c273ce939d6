"""Offboarding: the checklist launched on entering offboard, the exit interview, HR's reasons for
leaving and the analysis of exits.

A checklist is an offboarding template (an introduction template whose purpose is offboarding, edited on
the same pages) launched for one manager: its tasks are activities of the offboard stage, dated back from
the last working day, with the responsible person resolved by relation; the reminder engine reminds them
as it does every dated activity.

The modules, one responsibility each (callers import from the package):

- `errors`: `OffboardingError`, which every part raises for a rule broken
- `dates`: the last working day, and a task's date counted back from it on Swedish working days
- `reasons`: HR's list of reasons for leaving, seeded with the usual ones
- `defaults`: the default checklist, built from the platform's pillars
- `launching`: launching a checklist for a manager who enters offboard
- `checklist`: marking tasks done, and closing the journey when everything is
- `interview`: recording the exit interview by pillar
- `analysis`: HR's figures on exits by pillar, reason and unit over time
"""

from lifecycle.services.offboarding.analysis import ExitFilter
from lifecycle.services.offboarding.analysis import Period
from lifecycle.services.offboarding.analysis import by_pillar
from lifecycle.services.offboarding.analysis import by_reason
from lifecycle.services.offboarding.analysis import by_unit_over_time
from lifecycle.services.offboarding.analysis import shares
from lifecycle.services.offboarding.checklist import close_if_complete
from lifecycle.services.offboarding.checklist import complete_task
from lifecycle.services.offboarding.checklist import is_complete
from lifecycle.services.offboarding.checklist import open_tasks
from lifecycle.services.offboarding.checklist import reopen_task
from lifecycle.services.offboarding.dates import last_working_day
from lifecycle.services.offboarding.dates import task_due_date
from lifecycle.services.offboarding.defaults import DEFAULT_CHECKLIST_NAME
from lifecycle.services.offboarding.defaults import ensure_default_checklist
from lifecycle.services.offboarding.errors import OffboardingError
from lifecycle.services.offboarding.interview import ExitInterviewValues
from lifecycle.services.offboarding.interview import PillarAnswer
from lifecycle.services.offboarding.interview import interview_pillars
from lifecycle.services.offboarding.interview import record_exit_interview
from lifecycle.services.offboarding.launching import checklist_of
from lifecycle.services.offboarding.launching import launch_checklist
from lifecycle.services.offboarding.launching import launch_on_entering_offboard
from lifecycle.services.offboarding.reasons import DEFAULT_REASONS
from lifecycle.services.offboarding.reasons import add_reason
from lifecycle.services.offboarding.reasons import all_reasons
from lifecycle.services.offboarding.reasons import current_reasons
from lifecycle.services.offboarding.reasons import ensure_exit_reasons
from lifecycle.services.offboarding.reasons import set_reason_retired

__all__ = [
    "DEFAULT_CHECKLIST_NAME",
    "DEFAULT_REASONS",
    "ExitFilter",
    "ExitInterviewValues",
    "OffboardingError",
    "Period",
    "PillarAnswer",
    "add_reason",
    "all_reasons",
    "by_pillar",
    "by_reason",
    "by_unit_over_time",
    "checklist_of",
    "close_if_complete",
    "complete_task",
    "current_reasons",
    "ensure_default_checklist",
    "ensure_exit_reasons",
    "interview_pillars",
    "is_complete",
    "last_working_day",
    "launch_checklist",
    "launch_on_entering_offboard",
    "open_tasks",
    "record_exit_interview",
    "reopen_task",
    "set_reason_retired",
    "shares",
    "task_due_date",
]

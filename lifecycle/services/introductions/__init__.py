"""Introduction programmes: HR's templates, launching one for a manager, moving it with the start date.

A launch turns each milestone of a template into an activity of the introduce stage, dated from the
start date by the milestone's offset and moved to the next Swedish working day.

The modules, one responsibility each (callers import from the package):

- `errors`: `IntroductionError`, which every part raises for a rule a template, milestone or launch breaks
- `dates`: when a milestone is due (an offset from the start date, onto a working day)
- `templates`: HR's programmes and their milestones
- `defaults`: the default programme for new managers, the platform file's own or built from its pillars
- `launching`: launching a programme for a manager, and moving it when the start date changes
- `progress`: how far each manager's programme has come, and HR's overview of the introduce stage
"""

from lifecycle.services.introductions.dates import add_months
from lifecycle.services.introductions.dates import milestone_due_date
from lifecycle.services.introductions.dates import offset_date
from lifecycle.services.introductions.defaults import DEFAULT_TEMPLATE_NAME
from lifecycle.services.introductions.defaults import default_programme
from lifecycle.services.introductions.defaults import ensure_default_template
from lifecycle.services.introductions.errors import IntroductionError
from lifecycle.services.introductions.launching import has_launch
from lifecycle.services.introductions.launching import launch_introduction
from lifecycle.services.introductions.launching import launch_on_entering_introduce
from lifecycle.services.introductions.launching import reschedule_introductions
from lifecycle.services.introductions.progress import IntroductionFilter
from lifecycle.services.introductions.progress import IntroductionProgress
from lifecycle.services.introductions.progress import IntroductionRow
from lifecycle.services.introductions.progress import introduction_progress
from lifecycle.services.introductions.progress import introductions_overview
from lifecycle.services.introductions.progress import overdue_milestones
from lifecycle.services.introductions.templates import MilestoneValues
from lifecycle.services.introductions.templates import active_templates
from lifecycle.services.introductions.templates import add_milestone
from lifecycle.services.introductions.templates import create_template
from lifecycle.services.introductions.templates import default_template
from lifecycle.services.introductions.templates import remove_milestone
from lifecycle.services.introductions.templates import set_default_template
from lifecycle.services.introductions.templates import update_milestone
from lifecycle.services.introductions.templates import update_template

__all__ = [
    "DEFAULT_TEMPLATE_NAME",
    "IntroductionError",
    "IntroductionFilter",
    "IntroductionProgress",
    "IntroductionRow",
    "MilestoneValues",
    "active_templates",
    "add_milestone",
    "add_months",
    "create_template",
    "default_programme",
    "default_template",
    "ensure_default_template",
    "has_launch",
    "introduction_progress",
    "introductions_overview",
    "launch_introduction",
    "launch_on_entering_introduce",
    "milestone_due_date",
    "offset_date",
    "overdue_milestones",
    "remove_milestone",
    "reschedule_introductions",
    "set_default_template",
    "update_milestone",
    "update_template",
]

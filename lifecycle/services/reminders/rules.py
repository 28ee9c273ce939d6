"""HR's reminder rules: for each kind of item, how many days before, whether on the day, and how many days
after (the escalation).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lifecycle.extensions import db
from lifecycle.models import AppSetting

RULES_KEY = "reminder_rules"
#: the largest number of days before or after HR may choose
MAX_DAYS = 60


class ReminderKind(StrEnum):
    """What a rule applies to."""

    INTRODUCTION = "introduction_milestone"
    REVIEW = "development_review"
    ACTIVITY = "activity"
    VACANCY_CLOSING = "vacancy_closing"
    INTERVIEW = "interview"
    SCORECARD = "scorecard"
    OBSTACLE = "obstacle"
    # -- mentoring --
    MENTORSHIP = "mentorship"
    # -- workshops ----
    GROUP_GOAL = "group_goal"
    # -- offboarding ----
    OFFBOARDING = "offboarding_task"

    @property
    def title(self) -> LazyString:
        return {
            ReminderKind.INTRODUCTION: _l("Introduction milestones"),
            ReminderKind.REVIEW: _l("Development reviews"),
            ReminderKind.ACTIVITY: _l("Other activities with a planned date"),
            ReminderKind.VACANCY_CLOSING: _l("Closing dates of open vacancies, to their HR partner"),
            ReminderKind.INTERVIEW: _l("Interviews, to each interviewer"),
            ReminderKind.SCORECARD: _l("Scorecards not submitted, from the working day after the interview"),
            ReminderKind.OBSTACLE: _l(
                "Obstacles left untouched (OBSTACLE_STALE_DAYS): to the owner, escalated to HR"
            ),
            # -- mentoring --
            ReminderKind.MENTORSHIP: _l("Mentorships whose meeting cadence was missed: to mentor and mentee"),
            # -- workshops ----
            ReminderKind.GROUP_GOAL: _l(
                "Group goals from workshops: to the owner before the follow-up, escalated to their line "
                "manager and HR partner"
            ),
            # -- offboarding ----
            ReminderKind.OFFBOARDING: _l(
                "Offboarding tasks, counted back from the last day: to the person responsible, escalated to "
                "the line manager and HR partner"
            ),
        }[self]


class ReminderRuleError(ValueError):
    """A rule HR entered breaks a limit; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Rule:
    """When to remind about one kind of item: N days before, on the day, and M days after (escalation)."""

    #: None: no reminder before the due date
    days_before: int | None = 3
    on_due_day: bool = True
    #: None: no escalation to the line manager and HR partner
    days_after: int | None = 2

    def as_json(self) -> dict[str, Any]:
        return {"days_before": self.days_before, "on_due_day": self.on_due_day, "days_after": self.days_after}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Rule:
        before, after = value.get("days_before"), value.get("days_after")
        return cls(
            days_before=int(before) if before else None,
            on_due_day=bool(value.get("on_due_day", True)),
            days_after=int(after) if after else None,
        )


DEFAULT_RULE = Rule()
#: kinds whose default is not `DEFAULT_RULE`: an interview the working day before; a scorecard not
#: submitted on its due day (the working day after the interview)
DEFAULT_RULES: dict[ReminderKind, Rule] = {
    ReminderKind.INTERVIEW: Rule(days_before=1, on_due_day=False, days_after=None),
    ReminderKind.SCORECARD: Rule(days_before=None, on_due_day=True, days_after=None),
    # On the day an open obstacle goes stale to its owner; two days later, still untouched, to HR.
    ReminderKind.OBSTACLE: Rule(days_before=None, on_due_day=True, days_after=2),
    # -- mentoring: once a missed period, to both; nobody to escalate to
    ReminderKind.MENTORSHIP: Rule(days_before=None, on_due_day=True, days_after=None),
}


def get_rules() -> dict[ReminderKind, Rule]:
    """Return HR's rule for every kind of item (the defaults where HR set none)."""
    setting = db.session.get(AppSetting, RULES_KEY)
    stored = setting.value if setting and isinstance(setting.value, dict) else {}
    return {
        kind: Rule.from_json(stored[kind.value])
        if isinstance(stored.get(kind.value), dict)
        else DEFAULT_RULES.get(kind, DEFAULT_RULE)
        for kind in ReminderKind
    }


def set_rules(rules: dict[ReminderKind, Rule]) -> None:
    """Store HR's rules; reminders already computed follow with `resync_open_items()`."""
    for rule in rules.values():
        for name, days in (("days_before", rule.days_before), ("days_after", rule.days_after)):
            if days is not None and not 1 <= days <= MAX_DAYS:
                raise ReminderRuleError(name, _l("Choose between 1 and %(max)s days.", max=MAX_DAYS))
    value = {kind.value: rule.as_json() for kind, rule in rules.items()}
    setting = db.session.get(AppSetting, RULES_KEY)
    if setting is None:
        db.session.add(AppSetting(key=RULES_KEY, value=value))
    else:
        setting.value = value
    db.session.flush()

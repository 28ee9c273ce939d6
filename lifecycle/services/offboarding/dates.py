"""When an offboarding task is due: counted back from the last working day on Swedish working days.

The last working day is the end date, or the working day before it when the end date is a weekend or a
holiday. An offset in days counts working days back from it ("-5 days": five working days earlier); one
in weeks or months counts calendar time and lands on the working day at or before it, never after the
last day.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from lifecycle.enums import OffsetUnit
from lifecycle.services.introductions import offset_date
from lifecycle.services.reminders.schedule import previous_working_day


def working_days_before(day: date, count: int) -> date:
    """Return the working day `count` working days before `day` (`day` itself, on a working day, for 0)."""
    candidate = previous_working_day(day)
    for _ in range(count):
        candidate = previous_working_day(candidate - timedelta(days=1))
    return candidate


def last_working_day(end_date: date) -> date:
    """Return the manager's last working day: the end date, or the working day before it."""
    return previous_working_day(end_date)


def task_due_date(last_day: date, amount: int, unit: OffsetUnit) -> date:
    """Return when a task is due: `amount` (zero or negative) before the last working day."""
    back = max(0, -amount)
    if unit is OffsetUnit.DAYS:
        return working_days_before(last_day, back)
    return min(last_day, previous_working_day(offset_date(last_day, -back, unit)))
